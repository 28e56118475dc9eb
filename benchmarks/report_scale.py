"""How the report and digest scale: time and size for a corpus of N articles.

Repeats the records of a finished run (new ids) until there are N, then renders both;
with --browser, also opens the report in the system Chromium and times loading and filtering:

    python benchmarks/report_scale.py outputs/news-articles.jsonl --articles 5000 --browser
"""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
import time
from pathlib import Path

from arabic_digest.records import read_records
from arabic_digest.views.digest import write_digest
from arabic_digest.views.report import write_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a run's output JSONL")
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--keep", type=Path, help="write the files here instead of a temp dir")
    parser.add_argument("--browser", action="store_true", help="time it in Chromium too")
    args = parser.parse_args()
    base, _ = read_records(args.run)
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
        if args.browser:
            browse(report, args.articles, Path(tmp) / "profile")


def browse(report: Path, n: int, profile: Path) -> None:
    import shutil

    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"]
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile), executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            headless=True, args=flags, viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        t0 = time.perf_counter()
        page.goto(report.resolve().as_uri(), timeout=600_000)
        t1 = time.perf_counter()
        page.fill("#filter", "seed")
        page.wait_for_function(f"document.getElementById('shown').textContent !== '{n} of {n}'",
                               timeout=600_000)
        t2 = time.perf_counter()
        shown = page.inner_text("#shown")
        ctx.close()
    print(f"chromium: load {t1 - t0:.1f} s; filter 'seed' -> {shown} in {t2 - t1:.1f} s")


if __name__ == "__main__":
    main()
