"""How the report and digest scale: time and size for a corpus of N articles.

Repeats the records of a finished run (new ids) until there are N, then renders both:

    python benchmarks/report_scale.py outputs/news-articles.jsonl --articles 5000
"""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
import time
from pathlib import Path

from arabic_digest.digest import write_digest
from arabic_digest.report import load_records, write_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a run's output JSONL")
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--keep", type=Path, help="write the files here instead of a temp dir")
    args = parser.parse_args()
    base, _ = load_records(args.run)
    with tempfile.TemporaryDirectory() as tmp:
        big = (args.keep or Path(tmp)) / "big.jsonl"
        big.parent.mkdir(parents=True, exist_ok=True)
        with big.open("w", encoding="utf-8") as fh:
            for i in range(args.articles):
                rec = copy.deepcopy(base[i % len(base)])
                rec["id"] = f"{rec['id']}-{i}"
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        t0 = time.perf_counter()
        report, view = write_report(big)
        t1 = time.perf_counter()
        digest, _ = write_digest(big)
        t2 = time.perf_counter()
        print(f"{args.articles} articles, {view.segments} sentences, "
              f"input {big.stat().st_size / 1e6:.1f} MB: "
              f"report {t1 - t0:.1f} s, {report.stat().st_size / 1e6:.1f} MB; "
              f"digest {t2 - t1:.1f} s, {digest.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
