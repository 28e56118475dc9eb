"""Throughput and memory of translation and summarization at the real model sizes.

    python benchmarks/bench.py            # full-size models (sized for ~15 min on 2 idle cores)
    python benchmarks/bench.py --quick    # tiny models, about a minute: checks the script works

Models are built by tests/modelfactory.py with the published shapes of opus-mt-ar-en and
distilbart-cnn-12-6 and random weights (no download), so quality is meaningless while speed
and memory are real. Their </s> logit is pushed to -1e4, so every contender generates exactly
the forced number of tokens: random weights cannot change the amount of work.

Contenders, each in a fresh subprocess (so its peak RSS is its own):
  B0  the naive way: what transformers.pipeline("translation" / "summarization") does, called
      article by article, as a user without this tool would (transformers 5 removed those
      pipeline tasks, so B0 reproduces them: one text per generate() call);
  B1  this tool's transformers backend (pooled, length-sorted, token-budget batches);
  B2  this tool's CTranslate2 backend (int8 on CPU).
Translation uses beam 4 on 2 threads; summarization the model's own settings (beam 4,
max_length 142). A whole `arabic-digest run` on the shared corpus is measured last.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
THREADS = 2
BEAMS = 4


# --------------------------------------------------------------------------- inputs


def data_dir() -> Path:
    from tests.modelfactory import shared_data_dir

    return shared_data_dir()


def translation_inputs(tokenizer_dir: Path, n: int) -> list[list[str]]:
    """Cleaned real paragraphs (10-200 tokens, as the tool would send them), grouped by article."""
    from arabic_digest.translate.clean import clean_article
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    articles: list[list[str]] = []
    total = 0
    for line in (data_dir() / "news-articles.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        paras = [p for p in clean_article(row["text"], row.get("title")).paragraphs
                 if 10 <= len(tok(p)["input_ids"]) <= 200]
        paras = paras[:max(0, n - total)]
        if paras:
            articles.append(paras)
            total += len(paras)
        if total >= n:
            break
    return articles


def summarization_inputs(n: int) -> list[str]:
    """Real English news documents: NTREX reference lines grouped by document id."""
    d = data_dir()
    docs: dict[str, list[str]] = {}
    lines = (d / "ntrex-ar-en-dev.en").read_text("utf-8").splitlines()
    ids = (d / "ntrex-ar-en-dev.docids").read_text("utf-8").splitlines()
    for doc, text in zip(ids, lines):
        docs.setdefault(doc, []).append(text)
    return [" ".join(v) for v in list(docs.values())[:n]]


# --------------------------------------------------------------------------- models


def build_models(workdir: Path, size: str) -> tuple[Path, Path]:
    """Build (once per workdir) the two models, with </s> made unreachable."""
    import torch
    from transformers import AutoModelForSeq2SeqLM

    from tests.modelfactory import build_bart, build_marian

    out = []
    for name, build in (("marian", build_marian), ("bart", build_bart)):
        folder = workdir / f"{name}-{size}"
        if not (folder / "model.safetensors").is_file():
            tmp = workdir / f".{name}-{size}.tmp"
            build(tmp, size=size, seed=0)
            model = AutoModelForSeq2SeqLM.from_pretrained(tmp)
            with torch.no_grad():
                model.final_logits_bias[0, model.config.eos_token_id] = -1e4
            model.save_pretrained(tmp)
            tmp.rename(folder)
        out.append(folder)
    return out[0], out[1]


# --------------------------------------------------------------------------- workers


def peak_rss_mb(pid: int | str = "self") -> float:
    """A process's own peak RSS: VmHWM, the high-water mark of its memory since its exec.

    Not getrusage's ru_maxrss: Linux carries that across fork and exec, so a worker started
    by this (large) process reported this process's peak, the same for every contender.
    """
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    if pid != "self":
        return 0.0  # gone, or a zombie (no VmHWM): its peak was read while it ran
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: KiB


class NaivePipeline:
    """What transformers.pipeline("translation"/"summarization") did before transformers 5
    removed those tasks: one text per generate call, the model's generation config, no pooling,
    sorting or token budget. (`pipeline(list)` with the default batch_size=1 also ran one text
    at a time.)"""

    def __init__(self, model: str) -> None:
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(model)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(model).eval()

    def __call__(self, text: str, truncation: bool = False, **generate_kwargs: Any) -> str:
        import torch

        inputs = self.tokenizer([text], return_tensors="pt", truncation=truncation)
        with torch.inference_mode():
            ids = self.model.generate(**inputs, **generate_kwargs)
        return self.tokenizer.decode(ids[0], skip_special_tokens=True)


def worker(task: str, contender: str, args: dict[str, Any]) -> dict[str, Any]:
    """One contender on one task, in this (fresh) process."""
    import torch

    torch.set_num_threads(THREADS)
    from arabic_digest.translate.translator import max_new_tokens_for

    model = args["model"]
    t0 = time.perf_counter()
    if task == "translate":
        articles: list[list[str]] = args["inputs"]
        flat = [p for a in articles for p in a]
        if contender == "B0":
            naive = NaivePipeline(model)
            bounds = [max_new_tokens_for(len(naive.tokenizer(p)["input_ids"]), 2.0, 10, 512)
                      for p in flat]
            load = time.perf_counter() - t0
            t1 = time.perf_counter()
            i = 0
            for paras in articles:
                # A list per article runs one paragraph at a time (batch_size=1) anyway; one
                # call per paragraph gives each its forced length.
                for p in paras:
                    naive(p, num_beams=BEAMS, max_new_tokens=bounds[i])
                    i += 1
        else:
            if contender == "B1":
                from arabic_digest.translate.translator import TransformersTranslator

                tr: Any = TransformersTranslator(model, device="cpu", beams=BEAMS)
            else:
                from arabic_digest.translate.ct2 import CT2Translator

                tr = CT2Translator(model, args["converted"], threads=THREADS, beams=BEAMS)
            bounds = [max_new_tokens_for(tr.count_tokens(p), 2.0, 10, 512) for p in flat]
            load = time.perf_counter() - t0
            t1 = time.perf_counter()
            tr.translate(flat)
        elapsed = time.perf_counter() - t1
        tokens, items = sum(bounds), len(flat)
    else:
        texts: list[str] = args["inputs"]
        if contender == "B0":
            naive = NaivePipeline(model)
            max_length = naive.model.generation_config.max_length
            load = time.perf_counter() - t0
            t1 = time.perf_counter()
            for text in texts:
                naive(text, truncation=True)
        else:
            if contender == "B1":
                from arabic_digest.summarize.summarizer import TransformersSummarizer

                sm: Any = TransformersSummarizer(model, device="cpu")
            else:
                from arabic_digest.summarize.ct2 import CT2Summarizer

                sm = CT2Summarizer(model, args["converted"], threads=THREADS)
            max_length = sm.generation_config.max_length
            load = time.perf_counter() - t0
            t1 = time.perf_counter()
            sm.summarize(texts)
        elapsed = time.perf_counter() - t1
        # Every summary runs to max_length (</s> unreachable): decoder start + max_length - 1.
        tokens, items = (max_length - 1) * len(texts), len(texts)
    return {"task": task, "contender": contender, "seconds": elapsed, "load_s": load,
            "tokens": tokens, "items": items, "tokens_per_s": tokens / elapsed,
            "items_per_s": items / elapsed, "peak_rss_mb": peak_rss_mb()}


def run_worker(task: str, contender: str, args: dict[str, Any], workdir: Path) -> dict[str, Any]:
    spec = workdir / f"job-{task}-{contender}.json"
    spec.write_text(json.dumps(args), "utf-8")
    proc = subprocess.run([sys.executable, __file__, "--worker", task, contender, str(spec)],
                          capture_output=True, text=True, env=_env(workdir))
    if proc.returncode != 0:
        raise RuntimeError(f"{task} {contender} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _env(workdir: Path) -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "PYTHONPATH": str(ROOT), "ARABIC_DIGEST_CACHE": str(workdir / "cache"),
            "TOKENIZERS_PARALLELISM": "false",
            # On a shared machine OpenMP threads that spin while waiting slow 2-thread torch
            # down 15x (seen here); passive waiting is fair to every contender.
            "OMP_WAIT_POLICY": "PASSIVE"}


# --------------------------------------------------------------------------- whole run


def whole_run(marian: Path, bart: Path, workdir: Path, limit: int, dedupe: bool) -> dict[str, Any]:
    """`arabic-digest run` on the shared corpus (CTranslate2, converted models cached)."""
    out = workdir / f"run-{'dedupe' if dedupe else 'nodedupe'}.jsonl"
    manifest = out.with_name(out.stem + ".run.json")
    manifest.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "arabic_digest", "run", str(data_dir() / "news-articles.jsonl"),
           "-o", str(out), "--translation-model", str(marian), "--summarization-model", str(bart),
           "--backend", "ctranslate2", "--overwrite", "--quiet", "--limit", str(limit)]
    if not dedupe:
        cmd.append("--no-dedupe")
    log = out.with_suffix(".stderr")
    t0 = time.perf_counter()
    with log.open("w") as err:
        proc = subprocess.Popen(cmd, env=_env(workdir), cwd=ROOT, stderr=err)
        startup = None
        peak = 0.0
        while True:  # the manifest appears once the models are loaded
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            # Its own high-water mark, read while it lives (see peak_rss_mb); it only grows.
            peak = max(peak, peak_rss_mb(proc.pid))
            if startup is None and manifest.exists():
                startup = time.perf_counter() - t0
            time.sleep(0.05)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"run failed: {log.read_text()[-3000:]}")
    m = json.loads(manifest.read_text("utf-8"))
    return {"dedupe": dedupe, "articles": m["counts"]["ok"], "segments": m["counts"]["segments"],
            "dedupe_hits": m["counts"]["dedupe_hits"], "wall_s": wall,
            "run_s": m["elapsed_s"], "startup_s": startup,
            "articles_per_min": m["throughput"]["articles_per_min"],
            "segments_per_s": m["throughput"]["segments_per_s"],
            "peak_rss_mb": peak, "command": " ".join(cmd[1:])}


# --------------------------------------------------------------------------- report


def machine() -> dict[str, str]:
    from importlib import metadata

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    versions = {n: metadata.version(n) for n in ("torch", "transformers", "ctranslate2")}
    return {"cpu": cpu, "cores": str(os.cpu_count()), "python": platform.python_version(),
            **versions, "platform": platform.platform()}


def table(results: list[dict[str, Any]]) -> list[str]:
    rows = ["| task | contender | tokens/s | items/s | x B0 | peak RSS MB | load s | items |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    base = {r["task"]: r["tokens_per_s"] for r in results if r["contender"] == "B0"}
    for r in results:
        ratio = r["tokens_per_s"] / base[r["task"]] if r["task"] in base else float("nan")
        rows.append(f"| {r['task']} | {r['contender']} | {r['tokens_per_s']:.1f} | "
                    f"{r['items_per_s']:.2f} | {ratio:.2f} | {r['peak_rss_mb']:.0f} | "
                    f"{r['load_s']:.1f} | {r['items']} |")
    return rows


def run_table(runs: list[dict[str, Any]]) -> list[str]:
    rows = ["| de-duplication | articles | segments | dedupe hits | articles/min | segments/s "
            "| start-up s | peak RSS MB |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        rows.append(f"| {'on' if r['dedupe'] else 'off'} | {r['articles']} | {r['segments']} | "
                    f"{r['dedupe_hits']} | {r['articles_per_min']:.1f} | "
                    f"{r['segments_per_s']:.1f} | {r['startup_s'] or float('nan'):.1f} | "
                    f"{r['peak_rss_mb']:.0f} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny models: a smoke run in seconds")
    ap.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / ".work",
                    help="built models and the converted cache (reused by later runs)")
    ap.add_argument("--paragraphs", type=int, help="translation inputs (default 40; quick 6)")
    ap.add_argument("--articles", type=int, help="summarization inputs (default 4; quick 2)")
    ap.add_argument("--run-articles", type=int, help="whole-run articles (default 8; quick 2)")
    ap.add_argument("--results", type=Path, help="write the report here (default: "
                    "benchmarks/RESULTS.md; --quick writes none unless given)")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        task, contender, spec = a.worker
        print(json.dumps(worker(task, contender, json.loads(Path(spec).read_text("utf-8")))))
        return
    size = "tiny" if a.quick else "full"
    n_par = a.paragraphs or (6 if a.quick else 40)
    n_art = a.articles or (2 if a.quick else 4)
    n_run = a.run_articles or (2 if a.quick else 8)
    workdir = a.workdir / size
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.update(_env(workdir))
    started = time.perf_counter()
    print(f"building {size} models in {workdir} (once) ...", file=sys.stderr)
    marian, bart = build_models(workdir, size)
    from arabic_digest.models import convert

    conv = {m: str(convert(str(m), "int8").path) for m in (marian, bart)}
    articles = translation_inputs(marian, n_par)
    texts = summarization_inputs(n_art)
    results = []
    for task, model, inputs in (("translate", marian, articles), ("summarize", bart, texts)):
        for contender in ("B0", "B1", "B2"):
            print(f"{task} {contender} ...", file=sys.stderr)
            results.append(run_worker(task, contender, {"model": str(model), "inputs": inputs,
                                                        "converted": conv[model]}, workdir))
    runs = [whole_run(marian, bart, workdir, n_run, dedupe) for dedupe in (True, False)]
    lines = report(a, size, results, runs, n_par, len(articles), texts,
                   time.perf_counter() - started)
    print("\n".join(lines))
    target = a.results or (None if a.quick else ROOT / "benchmarks" / "RESULTS.md")
    if target:
        target.write_text("\n".join(lines) + "\n", "utf-8")
        print(f"wrote {target}", file=sys.stderr)


def report(a: argparse.Namespace, size: str, results: list[dict[str, Any]],
           runs: list[dict[str, Any]], n_par: int, n_articles: int, texts: list[str],
           wall: float) -> list[str]:
    m = machine()
    cmd = " ".join(["python", "benchmarks/bench.py", *sys.argv[1:]])
    lines = [f"# Benchmark results ({size} models)", "",
             f"Command: `{cmd}` (whole script: {wall / 60:.1f} min)", "",
             f"Machine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, torch {m['torch']}, "
             f"transformers {m['transformers']}, ctranslate2 {m['ctranslate2']}; {m['platform']}.",
             "", f"Translation: {n_par} cleaned paragraphs (10-200 tokens) from {n_articles} "
             f"articles of news-articles.jsonl, beam {BEAMS}, {THREADS} threads; every output "
             "runs to the tool's bound (2 x source tokens + 10, rounded up to 16).",
             f"Summarization: {len(texts)} NTREX English documents, the model's settings (beam 4, "
             f"max_length 142), {THREADS} threads; every summary runs to max_length.", "",
             *table(results), "",
             "Whole `arabic-digest run` on the first articles of news-articles.jsonl, both models "
             "on CTranslate2 int8, converted models cached; start-up = process start to models "
             "loaded and the run begun:", "", *run_table(runs), "",
             f"Run command: `{runs[0]['command']}` (and the same with `--no-dedupe`)"]
    return lines


if __name__ == "__main__":
    main()
