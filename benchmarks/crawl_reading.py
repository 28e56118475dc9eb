"""Reading crawls: WARC parsers side by side, and memory against the size of the crawl.

    python benchmarks/crawl_reading.py              # 200 and 2000 pages; run it alone
    python benchmarks/crawl_reading.py --pages 20   # a smoke run (what the test runs)

Builds gzipped WARC files the way a crawler writes them (for each page a request and a
response; one image, redirect and 404 for every ten pages), pages made from articles of
`../shared/data/news-articles.jsonl`. Then, each in a fresh process:

  * parsing alone, every record's payload read: warcio (what `arabic-digest` uses) against
    FastWARC (`pip install fastwarc`; skipped when it is not installed);
  * `read_inputs` over the whole crawl, as `run` and `check` read it (records, decoding, the
    cheap Arabic look, HTML to text): pages/s and the process's peak RSS, on the crawl and on
    one ten times larger: memory must not grow with the file.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_crawl(path: Path, pages: int) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    src = ROOT.parent / "shared" / "data" / "news-articles.jsonl"
    rows = [json.loads(line) for line in src.read_text("utf-8").splitlines() if line.strip()]
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i in range(pages):
            row = rows[i % len(rows)]
            uri = f"https://news.example/{i}.html"
            req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")],
                                   is_http_request=True)
            writer.write_record(writer.create_warc_record(uri, "request", http_headers=req))
            body = "".join(f"<p>{p}</p>" for p in row["text"].split("\n") if p.strip())
            html = (f"<html><head><title>{row.get('title', '')}</title></head><body>"
                    f"<nav><a href='/'>الرئيسية</a></nav><article>{body}</article></body></html>")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=io.BytesIO(html.encode()), http_headers=headers))
            if i % 10 == 0:
                for status, ctype, body_bytes in (("200 OK", "image/png", b"\x89PNG" * 500),
                                                  ("301 Moved", "text/html", b"moved"),
                                                  ("404 Not Found", "text/html", b"none")):
                    h = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
                    writer.write_record(writer.create_warc_record(
                        f"{uri}?{status[:3]}", "response", payload=io.BytesIO(body_bytes),
                        http_headers=h))


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker(kind: str, path: str) -> dict:
    t0 = time.perf_counter()
    n = 0
    if kind == "warcio":
        from warcio.archiveiterator import ArchiveIterator

        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                record.content_stream().read()
                n += 1
    elif kind == "fastwarc":
        from fastwarc.warc import ArchiveIterator as FastIterator

        with open(path, "rb") as fh:
            for record in FastIterator(fh, parse_http=True):
                record.reader.read()
                n += 1
    else:  # the tool's reading, as run and check do it
        from collections import Counter

        from arabic_digest.inputs.readers import read_inputs

        passed: Counter = Counter()
        n = sum(1 for _ in read_inputs([path], passed_over=passed))
    return {"kind": kind, "items": n, "seconds": time.perf_counter() - t0,
            "peak_rss_mb": _peak_mb()}


def run_worker(kind: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", kind, str(path)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=200, help="pages of the small crawl")
    ap.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / ".work" / "crawl")
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        print(json.dumps(worker(*a.worker)))
        return
    a.workdir.mkdir(parents=True, exist_ok=True)
    small = a.workdir / f"crawl-{a.pages}.warc.gz"
    large = a.workdir / f"crawl-{a.pages * 10}.warc.gz"
    for path, n in ((small, a.pages), (large, a.pages * 10)):
        if not path.is_file():
            build_crawl(path, n)
    try:
        import fastwarc  # noqa: F401

        parsers = ["warcio", "fastwarc"]
    except ImportError:
        parsers = ["warcio"]
    lines = [f"Command: `python benchmarks/crawl_reading.py --pages {a.pages}`", "",
             "| what | crawl | records or articles | seconds | per second | peak RSS MB |",
             "|---|---|---:|---:|---:|---:|"]
    for kind in [*parsers, "read_inputs"]:
        for path in (small, large):
            r = run_worker(kind, path)
            mb = path.stat().st_size / 1e6
            lines.append(f"| {kind} | {path.name} ({mb:.1f} MB) | {r['items']} | "
                         f"{r['seconds']:.2f} | {r['items'] / r['seconds']:.0f} | "
                         f"{r['peak_rss_mb']:.0f} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
