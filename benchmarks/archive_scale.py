"""How the archive scales: indexing rate, database size, page and search times through the
running server, and the server's memory, at 5,000 and 50,000 articles.

Repeats the records of a finished run (new ids; each copy's dates moved on by a day every
--per-day articles and its stories renamed, so the archive holds many days of many stories,
as a real one does), indexes them with `arabic-digest index`, starts `arabic-digest serve` and
times pages over HTTP:

    python benchmarks/archive_scale.py outputs/day.jsonl --articles 50000
    python benchmarks/archive_scale.py --tiny-run 100 --articles 50000

--tiny-run N first makes the run to repeat: every (893 / N)-th article of the shared day
(../shared/data/saudinewsnet-2015-08-09.jsonl) through `arabic-digest run` with the test
suite's tiny models (tests/modelfactory.py; real Arabic, random-weight English), kept in
benchmarks/.work/archive/.

Each page is fetched once cold, then --repeat times; the median and the worst are printed.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from arabic_digest.inputs.dates import record_date
from arabic_digest.manifest import manifest_path
from arabic_digest.records import dumps, read_records

ROOT = Path(__file__).resolve().parents[1]


def repeat(base: list[dict], n: int, per_day: int, out: Path) -> None:
    with out.open("w", encoding="utf-8") as fh:
        for i in range(n):
            rec = copy.deepcopy(base[i % len(base)])
            copy_no = i // len(base)
            rec["id"] = f"{rec['id']}-{i}"
            dt = record_date(rec)
            if dt is not None:
                rec["source"]["meta"]["date"] = (dt + timedelta(days=i // per_day)).isoformat()
            if isinstance(rec.get("story"), dict):
                rec["story"]["id"] = f"{rec['story']['id']}-{copy_no}"
            fh.write(dumps(rec))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[float, int, int]:
    """(seconds, HTTP status, bytes) of one GET; an error status is an answer, not a raise."""
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            status, size = r.status, len(r.read())
    except urllib.error.HTTPError as exc:
        status, size = exc.code, len(exc.read())
    return time.perf_counter() - t0, status, size


@contextmanager
def served(db: Path, *options: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """`arabic-digest serve DB` on a free port, once it answers; (the process, its URL).
    Stopped on the way out."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "arabic_digest", "serve", str(db),
                               "--port", str(port), *options], env=env,
                              stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                fetch(url + "/api/search?q=x")
                break
            except OSError:
                time.sleep(0.1)
        yield server, url
    finally:
        server.terminate()
        server.wait(timeout=30)


def common_words(base: list[dict]) -> tuple[str, str]:
    """The commonest longer English and Arabic words of the run: searches with many hits."""
    en: Counter[str] = Counter()
    ar: Counter[str] = Counter()
    for rec in base:
        for seg in (rec.get("translation") or {}).get("segments") or []:
            en.update(w.lower() for w in re.findall(r"[A-Za-z]{5,}", seg.get("target") or ""))
            ar.update(re.findall(r"[\u0621-\u064a]{5,}", seg.get("source") or ""))
    return (en.most_common(1) or [("the", 0)])[0][0], ar.most_common(1)[0][0]


def variant(word: str) -> str:
    # As a writer who skips hamzas and dots teh marbuta spells it: the folding must find it.
    return re.sub("[أإآ]", "ا", word).replace("ة", "ه").replace("ى", "ي")


def measure(jsonl: Path, db: Path, base: list[dict], repeat_n: int) -> dict:
    db.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "arabic_digest", "index", str(jsonl), "--db", str(db)],
                   check=True, env=env)
    seconds = time.perf_counter() - t0
    n = sum(1 for _ in jsonl.open("rb"))
    with served(db) as (server, url):
        en, ar = common_words(base)
        longest = max(range(len(base)), key=lambda i: len(
            (base[i].get("translation") or {}).get("segments") or []))
        last = max(i for i in range(n - len(base), n) if i % len(base) == longest)
        article_id = f"{base[longest]['id']}-{last}"  # indexed late
        pages = {
            "first page (briefing)": "/",
            f"English search '{en}'": "/search?lang=en&q=" + urllib.parse.quote(en),
            f"Arabic search '{variant(ar)}'": "/search?lang=ar&q=" + urllib.parse.quote(
                variant(ar)),
            "article page": "/articles/" + urllib.parse.quote(article_id, safe=""),
            "concordance": "/concordance?q=" + urllib.parse.quote(variant(ar)),
            "API search": "/api/search?lang=ar&q=" + urllib.parse.quote(variant(ar)),
        }
        timings = {}
        for name, path in pages.items():
            cold, _, size = fetch(url + path)
            warm = [fetch(url + path)[0] for _ in range(repeat_n)]
            timings[name] = (cold, statistics.median(warm), max(warm), size)
        rss = rss_mb(server.pid)
    return {"articles": n, "index_s": seconds, "rate": n / seconds,
            "db_mb": db.stat().st_size / 1e6, "jsonl_mb": jsonl.stat().st_size / 1e6,
            "timings": timings, "rss_mb": rss}


def report(m: dict) -> None:
    print(f"\n{m['articles']} articles: indexed in {m['index_s']:.1f} s "
          f"({m['rate']:.0f} articles/s); database {m['db_mb']:.1f} MB for "
          f"{m['jsonl_mb']:.1f} MB of JSONL ({m['db_mb'] / m['jsonl_mb']:.2f}x); "
          f"server RSS {m['rss_mb']:.0f} MB")
    for name, (cold, med, worst, size) in m["timings"].items():
        print(f"  {name:<40} cold {cold * 1000:6.1f} ms, median {med * 1000:6.1f} ms, "
              f"worst {worst * 1000:6.1f} ms, {size / 1000:.0f} kB")


def tiny_run(n: int) -> Path:
    """A real run of n articles of the shared day with the tests' tiny models (made once)."""
    sys.path.insert(0, str(ROOT))
    from tests import modelfactory

    work = ROOT / "benchmarks" / ".work" / "archive"
    out = work / f"day-{n}.jsonl"
    if out.is_file() and manifest_path(out).is_file():
        return out
    marian = modelfactory.build_marian(work / "marian", size="tiny", seed=0)
    gen = json.loads((marian / "generation_config.json").read_text())
    gen["max_length"] = 24  # short outputs: the run takes seconds, not minutes
    (marian / "generation_config.json").write_text(json.dumps(gen))
    bart = modelfactory.build_bart(work / "bart", size="tiny", seed=0)
    day = modelfactory.shared_data_dir() / "saudinewsnet-2015-08-09.jsonl"
    rows = day.read_text("utf-8").splitlines()
    sample = work / f"day-sample-{n}.jsonl"
    sample.write_text("\n".join(rows[:: max(1, len(rows) // n)][:n]) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "arabic_digest", "run", str(sample), "-o", str(out),
                    "--translation-model", str(marian), "--summarization-model", str(bart),
                    "--beams", "1", "--quiet"], check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
                        "HF_HUB_OFFLINE": "1"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, nargs="?",
                        help="a run's output JSONL (its .run.json beside it)")
    parser.add_argument("--tiny-run", type=int, metavar="N",
                        help="make the run to repeat: N articles of the shared day, tiny models")
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=5_000, help="the first size measured")
    parser.add_argument("--per-day", type=int, default=893, help="articles per day")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="write the files here instead of a temp dir")
    args = parser.parse_args()
    if args.tiny_run:
        args.run = tiny_run(args.tiny_run)
    elif args.run is None:
        parser.error("give a run's output, or --tiny-run N")
    base, _ = read_records(args.run)
    print(f"load average before: {os.getloadavg()[0]:.2f}; base run {args.run} "
          f"({len(base)} records)")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        results = []
        for n in (args.small, args.articles):
            jsonl = work / f"archive-{n}.jsonl"
            repeat(base, n, args.per_day, jsonl)
            if manifest_path(args.run).is_file():
                shutil.copy(manifest_path(args.run), manifest_path(jsonl))
            results.append(measure(jsonl, work / f"archive-{n}.sqlite", base, args.repeat))
            report(results[-1])
        print(f"\nload average after: {os.getloadavg()[0]:.2f}")
        print(json.dumps([{k: v for k, v in r.items() if k != "timings"} | {
            "timings_ms": {k: [round(x * 1000, 1) for x in t[:3]] for k, t in
                           r["timings"].items()}} for r in results], indent=1))


if __name__ == "__main__":
    main()
