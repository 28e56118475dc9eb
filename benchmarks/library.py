"""The Python library against the CLI: `Pipeline.process` and `arabic-digest run` on the same
input, and `process` over an endless generator (memory over 10x a batch's articles).

    python benchmarks/library.py --quick                  # tiny models: checks the script works
    python benchmarks/library.py --size full --articles 8 # published shapes, random weights

Models come from benchmarks/bench.py's build_model (tests/modelfactory.py, each model's
published shape, </s> out of reach so random weights do a fixed amount of work). Both contenders
run in fresh subprocesses, in alternating order, each timed from start to exit (interpreter,
model loading, the same first passes, translation, summaries, writing the records); the median
of --repeats is reported. `process` writes its records to JSONL as `run` does, and the two
outputs are compared record by record (timings aside).

The memory worker feeds `process` an endless generator (the corpus's articles again and again,
each with its own id and a first sentence of its own, so the translation cache sees new text)
and reads its RSS after each batch of `--batch` articles, over 14 batches (4 to warm, then
10x a batch's articles).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
BEGIN, END = "<!-- benchmarks/library.py -->", "<!-- /benchmarks/library.py -->"
# Batches of the endless stream read: WARM while the working set grows to the largest batch
# shapes (seen here: a step at batch 3), then 10x a batch's articles measured.
WARM, BATCHES = 4, 14


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def options(a: dict[str, Any]) -> dict[str, Any]:
    """The settings both contenders run with (as `run` options)."""
    return {"translation_model": a["marian"], "summarization_model": a["bart"], "beams": 1,
            "backend": "ctranslate2", "summary_max_tokens": 16}


def cli_args(a: dict[str, Any]) -> list[str]:
    return ["--translation-model", a["marian"], "--summarization-model", a["bart"],
            "--beams", "1", "--backend", "ctranslate2", "--summary-max-tokens", "16"]


def worker_process(a: dict[str, Any]) -> dict[str, Any]:
    """Pipeline.process over the input file, records written as `run` writes them."""
    import arabic_digest as ad
    from arabic_digest.records import dumps

    t0 = time.perf_counter()
    with ad.Pipeline(**options(a)) as pipe, open(a["out"], "w", encoding="utf-8") as out:
        loaded = time.perf_counter()
        n = 0
        for rec in pipe.process(list(ad.read_articles(a["input"]))):
            out.write(dumps(rec.to_dict()))
            n += 1
        out.flush()
        os.fsync(out.fileno())
    return {"records": n, "load_s": loaded - t0, "work_s": time.perf_counter() - loaded}


def worker_memory(a: dict[str, Any]) -> dict[str, Any]:
    """process() over an endless generator: RSS after each batch of a['batch'] articles."""
    import itertools

    import arabic_digest as ad

    corpus = [art for art in ad.read_articles(a["input"]) if art.text]

    def endless():
        for n in itertools.count():
            art = corpus[n % len(corpus)]
            yield {"id": f"s{n}", "title": art.title, "text": f"الخبر رقم {n}. {art.text}"}

    batch = a["batch"]
    rss = []
    with ad.Pipeline(**options(a), max_pool_articles=batch) as pipe:
        for i, _ in enumerate(pipe.process(endless()), 1):
            if i % batch == 0:
                rss.append(round(rss_mb(), 1))
                if len(rss) == BATCHES:
                    break
    return {"batch": batch, "rss_mb": rss}


def spawn(kind: str, a: dict[str, Any], env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    if kind == "run":
        cmd = [sys.executable, "-m", "arabic_digest", "run", a["input"], "-o", a["out"],
               "--overwrite", "--quiet", *cli_args(a)]
    else:
        cmd = [sys.executable, __file__, "--worker", kind, json.dumps(a)]
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):  # 1: some records are errors, as the input may hold
        raise RuntimeError(f"{kind} failed ({proc.returncode}): {proc.stderr[-3000:]}")
    return wall, (json.loads(proc.stdout) if kind != "run" else {})


def records_without_timings(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text("utf-8").splitlines():
        rec = json.loads(line)
        rec.pop("timing_s", None)
        out.append(rec)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny models, few articles")
    ap.add_argument("--size", choices=("tiny", "full"), default="tiny")
    ap.add_argument("--articles", type=int, default=31, help="articles of the shared corpus")
    ap.add_argument("--repeats", type=int, default=4,
                    help="even, so each contender goes first as often (the second of a pair "
                         "ran about 1.5 s slower here)")
    ap.add_argument("--batch", type=int, default=8, help="articles per batch (memory)")
    ap.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / ".work")
    ap.add_argument("--results", type=Path,
                    help="file whose library section is written (default: RESULTS.md; none "
                         "with --quick)")
    ap.add_argument("--note", default="", help="said beside the figures (the machine's load)")
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        kind, args = a.worker
        fn = worker_process if kind == "process" else worker_memory
        print(json.dumps(fn(json.loads(args))))
        return
    if a.quick:
        a.size, a.articles, a.repeats, a.batch = "tiny", min(a.articles, 4), 1, 2

    import bench

    workdir = a.workdir / f"library-{a.size}"
    workdir.mkdir(parents=True, exist_ok=True)
    env = bench._env(workdir)
    os.environ.update(env)
    marian = bench.build_model(workdir, a.size, "opus-mt-ar-en")
    bart = bench.build_model(workdir, a.size, "distilbart-cnn-6-6")
    lines = (bench.data_dir() / "news-articles.jsonl").read_text("utf-8").splitlines()
    src = workdir / "input.jsonl"
    src.write_text("\n".join(lines[:a.articles]) + "\n", "utf-8")
    args = {"marian": str(marian), "bart": str(bart), "input": str(src)}
    spawn("run", {**args, "out": str(workdir / "warm.jsonl")}, env)  # converts, warms caches
    walls: dict[str, list[float]] = {"run": [], "process": []}
    work: list[float] = []
    for i in range(a.repeats):
        order = ("run", "process") if i % 2 == 0 else ("process", "run")
        for kind in order:
            wall, res = spawn(kind, {**args, "out": str(workdir / f"{kind}.jsonl")}, env)
            walls[kind].append(wall)
            if kind == "process":
                work.append(res["work_s"])
    equal = (records_without_timings(workdir / "run.jsonl")
             == records_without_timings(workdir / "process.jsonl"))
    _, mem = spawn("memory", {**args, "batch": a.batch}, env)
    n = len(records_without_timings(workdir / "run.jsonl"))
    report = render(a, n, walls, work, equal, mem)
    print("\n".join(report))
    target = a.results or (None if a.quick else ROOT / "benchmarks" / "RESULTS.md")
    if target:
        write_section(target, report)
        print(f"wrote its section of {target}", file=sys.stderr)


def render(a: argparse.Namespace, n: int, walls: dict[str, list[float]], work: list[float],
           equal: bool, mem: dict[str, Any]) -> list[str]:
    import platform

    run_s, proc_s = statistics.median(walls["run"]), statistics.median(walls["process"])
    rss = mem["rss_mb"]
    cmd = f"python benchmarks/library.py --size {a.size} --articles {a.articles} " \
          f"--repeats {a.repeats} --batch {a.batch}" + (" --quick" if a.quick else "")
    return [
        BEGIN,
        "## The library: `Pipeline.process` against `arabic-digest run`",
        "",
        f"Command: `{cmd}`. {a.note}".rstrip(),
        "",
        f"Machine: {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"{platform.platform()}. Models: {a.size} opus-mt-ar-en and distilbart-cnn-6-6 "
        "(published shapes when full, random weights, </s> out of reach), CTranslate2 int8, "
        "greedy, summaries of at most 16 tokens.",
        "",
        "Each contender is a fresh process timed from start to exit, median of the repeats, "
        "alternating order.",
        "",
        "| contender | articles | wall s (median) | articles/s | vs run | all walls s |",
        "|---|---|---|---|---|---|",
        f"| arabic-digest run | {n} | {run_s:.2f} | {n / run_s:.2f} | 1.00 | "
        f"{', '.join(f'{w:.2f}' for w in walls['run'])} |",
        f"| Pipeline.process | {n} | {proc_s:.2f} | {n / proc_s:.2f} | "
        f"{run_s / proc_s:.2f} | {', '.join(f'{w:.2f}' for w in walls['process'])} |",
        "",
        f"Records equal, timings aside: {'yes' if equal else 'NO'}. `process` alone, after "
        f"loading: {statistics.median(work):.2f} s.",
        "",
        f"`process` over an endless generator, RSS after each batch of {mem['batch']} "
        f"articles ({len(rss)} batches, {len(rss) * mem['batch']} articles): "
        f"{', '.join(f'{r:.0f}' for r in rss)} MB; from batch {WARM} to batch {len(rss)} "
        f"(10x a batch's articles, after {WARM} batches to warm) it moved "
        f"{rss[-1] - rss[WARM - 1]:+.1f} MB, at most {max(rss[WARM - 1:]) - rss[WARM - 1]:+.1f}.",
        END,
    ]


def write_section(path: Path, report: list[str]) -> None:
    """Replace this script's section of `path` (or append it), leaving the rest as it is."""
    text = path.read_text("utf-8") if path.exists() else ""
    section = "\n".join(report)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    path.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
