"""News as it is collected (#35): compressed and columnar dumps, and WARC crawls, read as a
user meets them: through `read_inputs` and through the real CLI (`check`, `run`, a SIGKILL and
a resume). Pages and crawls are written here (warcio writes real WARC files); the article
texts come from the shared day."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from arabic_digest.inputs.readers import read_inputs
from tests.cliserver import run_cli

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
       "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def rows(shared_data: Path) -> list[dict]:
    with (shared_data / "news-articles.jsonl").open(encoding="utf-8") as fh:
        out = [json.loads(line) for _, line in zip(range(6), fh)]
    # Columns a dump has: an int, a date, a missing value in one row.
    for i, r in enumerate(out):
        r["rank"] = i
        if i == 2:
            r.pop("title", None)
    return out


def _jsonl_bytes(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def _articles(path: Path, **kw) -> list[tuple]:
    return [(a.id, a.title, a.text, a.error) for a in read_inputs([str(path)], **kw)]


def _compressions(data: bytes) -> dict[str, bytes]:
    import zstandard

    # .zst with a content checksum, as the `zstd` command writes it by default
    return {".gz": gzip.compress(data), ".bz2": bz2.compress(data), ".xz": lzma.compress(data),
            ".zst": zstandard.ZstdCompressor(write_checksum=True).compress(data)}


def test_compressed_text_formats_read_as_the_plain_file(tmp_path: Path, rows: list[dict]) -> None:
    plain = tmp_path / "day.jsonl"
    plain.write_bytes(_jsonl_bytes(rows))
    want = _articles(plain)
    assert len(want) == 6 and all(e is None for *_, e in want)
    for suffix, data in _compressions(plain.read_bytes()).items():
        packed = tmp_path / f"day.jsonl{suffix}"
        packed.write_bytes(data)
        got = _articles(packed)
        assert [g[1:] for g in got] == [w[1:] for w in want], suffix
    # A one-article format and a CSV compressed too; the id of a page drops both suffixes.
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "story.html.gz").write_bytes(gzip.compress(
        f"<html><head><title>{rows[0]['title']}</title></head><body><p>{rows[0]['text']}</p>"
        "</body></html>".encode()))
    (tmp_path / "pages" / "notes.bin").write_bytes(b"\x00")
    got = list(read_inputs([str(tmp_path / "pages")]))
    assert [a.id for a in got] == ["story"] and got[0].title == rows[0]["title"]


def test_a_corrupt_stream_keeps_what_came_before_and_names_the_offset(
        tmp_path: Path, rows: list[dict]) -> None:
    data = gzip.compress(_jsonl_bytes(rows * 40))  # long enough to break in the middle
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    broken = tmp_path / "broken.jsonl.gz"
    at = len(data) * 2 // 3
    broken.write_bytes(data[:at] + b"\xff" * 64 + data[at + 64:])
    for path in (cut, broken):
        arts = list(read_inputs([str(path)]))
        good, last = arts[:-1], arts[-1]
        assert good and all(a.error is None for a in good), path
        assert last.error["type"] == "CorruptStream" and "byte offset" in last.error["message"]
        assert path.name in last.error["message"]


def _parquet(path: Path, rows: list[dict], row_group_size: int = 2) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=row_group_size)
    return path


def test_columnar_inputs_give_the_records_of_the_same_rows_in_jsonl(
        tmp_path: Path, rows: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.feather as feather

    plain = tmp_path / "day.jsonl"
    plain.write_bytes(_jsonl_bytes(rows))

    def seen(path: Path) -> list[tuple]:
        return [(a.id, a.title, a.text, a.meta) for a in read_inputs([str(path)])]

    want = seen(plain)
    assert seen(_parquet(tmp_path / "day.parquet", rows)) == want
    feather.write_feather(pa.Table.from_pylist(rows), tmp_path / "day.feather")
    assert seen(tmp_path / "day.feather") == want
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "saved"
    datasets.Dataset.from_list(rows).save_to_disk(str(folder))
    assert seen(folder) == want
    # A DatasetDict: split by split; as part of a folder of inputs, the dataset is one input.
    both = tmp_path / "corpus" / "dict"
    datasets.DatasetDict({"a": datasets.Dataset.from_list(rows[:2]),
                          "b": datasets.Dataset.from_list(rows[2:])}).save_to_disk(str(both))
    assert [w[0] for w in seen(tmp_path / "corpus")] == [w[0] for w in want]


# --------------------------------------------------------------------------- WARC


def _html(title: str, text: str) -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{paras}</body></html>").encode()


def write_crawl(path: Path, rows: list[dict], truncate: bool = True) -> Counter:
    """A crawl as a crawler writes one: for each story a request and a response, plus an
    image, a redirect, a 404, a revisit, an English page, metadata, and (with `truncate`) a
    last record cut short. Returns what must be passed over, by reason."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)

    def response(uri: str, status: str, ctype: str, body: bytes) -> None:
        headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body), http_headers=headers))

    def request(uri: str) -> None:
        headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")],
                                   is_http_request=True)
        writer.write_record(writer.create_warc_record(uri, "request", http_headers=headers))

    writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "test"}))
    for i, r in enumerate(rows):
        uri = f"https://news.example/{i}/story.html"
        request(uri)
        response(uri, "200 OK", "text/html; charset=utf-8", _html(r.get("title") or "", r["text"]))
    response("https://news.example/logo.png", "200 OK", "image/png", b"\x89PNG....")
    response("https://news.example/old", "301 Moved Permanently", "text/html", b"moved")
    response("https://news.example/missing", "404 Not Found", "text/html", b"<p>no</p>")
    response("https://news.example/en", "200 OK", "text/html",
             _html("Weather", "Sunny skies over the coast today.\nRain later this week."))
    writer.write_record(writer.create_revisit_record(
        "https://news.example/0/story.html", digest="sha1:AAAA", refers_to_uri="x",
        refers_to_date="2020-01-01T00:00:00Z"))
    writer.write_record(writer.create_warc_record(
        "https://news.example/0/story.html", "metadata", payload=io.BytesIO(b"via: seed"),
        warc_content_type="text/plain"))
    passed = Counter({"request": len(rows), "warcinfo": 1, "not_html": 1, "redirect": 1,
                      "http_error": 1, "not_arabic": 1, "revisit": 1, "metadata": 1})
    data = buf.getvalue()
    if truncate:  # a last story whose member was cut off mid-write
        mark = len(data)
        response("https://news.example/last", "200 OK", "text/html", _html("x", "نص " * 500))
        data = buf.getvalue()[: mark + (len(buf.getvalue()) - mark) // 2]
    path.write_bytes(data)
    return passed


def test_a_crawl_gives_one_article_per_arabic_html_response(tmp_path: Path,
                                                            rows: list[dict]) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    want_passed = write_crawl(crawl, rows)
    passed: Counter = Counter()
    arts = list(read_inputs([str(crawl)], passed_over=passed))
    pages, last = arts[:-1], arts[-1]
    assert [a.id for a in pages] == [f"https://news.example/{i}/story.html"
                                     for i in range(len(rows))]
    assert all(a.error is None and a.meta["url"] == a.id for a in pages)
    assert rows[1]["text"].split("\n")[0][:40] in pages[1].text
    assert last.error and last.error["type"] == "CorruptRecord"
    assert "byte offset" in last.error["message"] and "kept" in last.error["message"]
    assert passed == want_passed


def _cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return run_cli(list(args), cwd=ROOT, env=ENV, timeout=timeout)


def test_check_names_the_format_and_what_it_passes_over(tmp_path: Path,
                                                        rows: list[dict]) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    write_crawl(crawl, rows)
    _parquet(tmp_path / "day.parquet", rows)
    proc = _cli("check", str(crawl), str(tmp_path / "day.parquet"), "--json")
    assert proc.returncode in (0, 1), proc.stderr
    reports = {Path(r["path"]).name: r for r in json.loads(proc.stdout)}
    warc, parquet = reports["crawl.warc.gz"], reports["day.parquet"]
    assert warc["format"] == "warc (gz)" and parquet["format"] == "parquet"
    assert warc["passed_over"]["request"] == len(rows) and warc["passed_over"]["redirect"] == 1
    assert parquet["articles"] == len(rows)
    text = _cli("check", str(crawl)).stdout
    assert "passed over:" in text and "6 requests" in text and "1 redirect" in text


@pytest.mark.slow
def test_a_crawl_run_killed_and_rerun_resumes_with_the_count_in_the_closing_line(
        tmp_path: Path, rows: list[dict], marian_dir: Path) -> None:
    crawl = tmp_path / "crawl.warc"  # uncompressed, as `wget --warc-file --no-warc-compression`
    write_crawl(crawl, rows * 3, truncate=False)
    out = tmp_path / "out.jsonl"
    args = ["run", str(crawl), "-o", str(out), "--translation-model", str(marian_dir),
            "--no-summary", "--backend", "transformers", "--beams", "1", "--quiet",
            "--segment-tokens", "24", "--batch-tokens", "600"]
    proc = subprocess.Popen([sys.executable, "-m", "arabic_digest", *args], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    end = time.monotonic() + 300
    while time.monotonic() < end and proc.poll() is None:
        if out.is_file() and out.read_bytes().count(b"\n") >= 2:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    done = proc.returncode == 0  # it may have finished first on a fast machine
    again = _cli(*args)
    assert again.returncode == 0, again.stderr
    ids = [json.loads(line)["id"] for line in out.read_bytes().split(b"\n") if line.strip()]
    # Each page exactly once across the kill and the rerun.
    assert len(ids) == len(set(ids)) == len(rows) * 3
    assert "passed over:" in again.stdout + again.stderr
    m = json.loads(out.with_name("out.run.json").read_text())
    assert m["counts"]["passed_over"]["request"] == len(rows) * 3
    assert done or m["counts"]["resumed"] >= 2


def test_the_crawl_benchmark_runs(tmp_path: Path, shared_data: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "crawl_reading.py"),
                           "--pages", "5", "--workdir", str(tmp_path)],
                          env=ENV, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [line.split("|") for line in proc.stdout.splitlines()
            if line.startswith("| read_inputs")]
    assert [int(r[3]) for r in rows] == [5, 50]  # every page an article, none of the rest


def test_a_run_reads_each_input_once(tmp_path: Path, rows: list[dict], fast_marian: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Learning, stories, the progress count and the run each pass over the input; it is
    read (decompressed, parsed, pages extracted) once, and the passes replay it."""
    import arabic_digest as ad
    from arabic_digest.inputs import readers

    dump = tmp_path / "day.jsonl.gz"
    dump.write_bytes(gzip.compress(_jsonl_bytes(rows)))
    crawl = tmp_path / "crawl.warc.gz"
    write_crawl(crawl, rows, truncate=False)
    opened: Counter = Counter()
    real = readers.read_source

    def counted(src, fields, opts):  # noqa: ANN001, ANN202 - the real reader, counted
        opened[src.path.name] += 1
        yield from real(src, fields, opts)

    monkeypatch.setattr(readers, "read_source", counted)
    out = tmp_path / "out.jsonl"
    stats = ad.run([str(dump), str(crawl)], output=out, progress=True,
                   translation_model=str(fast_marian), beams=1, summarization_model="lead-2")
    assert opened == {"day.jsonl.gz": 1, "crawl.warc.gz": 1}
    assert stats.ok == 2 * len(rows)  # every row and every Arabic page, once each
    m = json.loads(out.with_name("out.run.json").read_text())
    assert m["boilerplate"] is not None and m["stories"] is not None  # both passes ran
    assert m["counts"]["passed_over"]["request"] == len(rows)
    monkeypatch.undo()
    # What the replay learned is what reading the inputs directly learns.
    from arabic_digest.translate.cleaning.options import CleanOptions

    from arabic_digest.pipeline.boilerplate_pass import learn_boilerplate

    direct = learn_boilerplate([str(dump), str(crawl)], readers.Fields(), readers.ReadOptions(),
                               CleanOptions())
    assert direct.learned is not None and m["boilerplate"]["digest"] == direct.learned.digest()


SPILL_SCRIPT = """
import json, resource, sys
from arabic_digest.pipeline.onepass import InputPass
from arabic_digest.pipeline.spec import RunSpec
InputPass.MEMORY_BYTES = int(sys.argv[2])
if sys.argv[3] != "none":
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), int(sys.argv[3])))
spec = RunSpec(inputs=(sys.argv[1],))
with InputPass(spec) as source:
    first = next(source.articles()).id  # a pass that stops early, as the emptiness check does
    passes = [[a.id for a in source.articles()] for _ in range(3)]
    print(json.dumps({"first": first, "passes": passes, "reads": source.reads,
                      "broken": source._broken}))
"""


@pytest.mark.parametrize("memory, fsize, broken", [
    (1 << 30, "none", False),  # all in memory
    (0, "none", False),  # all in the spill file
    (0, "20000", True),  # the spill hits a file-size limit: later passes read the inputs again
])
def test_every_pass_sees_every_article_in_memory_spilled_or_not(
        tmp_path: Path, rows: list[dict], memory: int, fsize: str, broken: bool) -> None:
    src = tmp_path / "day.jsonl"
    src.write_bytes(_jsonl_bytes(rows * 4))
    proc = subprocess.run([sys.executable, "-c", SPILL_SCRIPT, str(src), str(memory), fsize],
                          env=ENV, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout)
    ids = [r["id"] for r in rows * 4]
    assert got["first"] == ids[0] and got["passes"] == [ids] * 3
    assert got["broken"] is broken
    assert got["reads"] == len(ids)  # the first passes read each article once


def test_columnar_values_json_cannot_hold_become_text(tmp_path: Path) -> None:
    """Dumps carry timestamps, dates, bytes, decimals and nested columns: they reach
    source.meta as JSON values (ISO dates, text), never as objects a record cannot hold."""
    import datetime as dt
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "id": ["a"], "text": ["نص الخبر الأول في الملف."],
        "published": [dt.datetime(2015, 8, 9, 10, 30)], "day": [dt.date(2015, 8, 9)],
        "raw": pa.array([b"\xd9\x86\xd8\xb5"], pa.binary()),
        "price": pa.array([Decimal("3.50")], pa.decimal128(5, 2)),
        "tags": [["اقتصاد", "نفط"]], "where": [{"city": "الرياض", "n": 1}],
        "at": pa.array([dt.time(9, 15)], pa.time64("us")),
    })
    pq.write_table(table, tmp_path / "dump.parquet")
    art = next(read_inputs([str(tmp_path / "dump.parquet")]))
    assert art.error is None and art.id == "a"
    meta = art.meta
    assert meta["published"] == "2015-08-09T10:30:00" and meta["day"] == "2015-08-09"
    assert meta["raw"] == "نص" and meta["price"] == "3.50" and meta["at"] == "09:15:00"
    assert meta["tags"] == ["اقتصاد", "نفط"] and meta["where"] == {"city": "الرياض", "n": 1}
    json.dumps(meta, ensure_ascii=False)


@pytest.mark.parametrize("suffix", [".bz2", ".xz", ".zst"])
def test_every_compression_names_a_broken_stream(tmp_path: Path, rows: list[dict],
                                                 suffix: str) -> None:
    data = _compressions(_jsonl_bytes(rows * 100))[suffix]
    at = len(data) - 300  # near the end: well past the first 256 KB it decompresses
    path = tmp_path / f"day.jsonl{suffix}"
    path.write_bytes(data[:at] + bytes(64) + data[at + 64:])
    arts = list(read_inputs([str(path)]))
    assert arts[0].error is None
    last = arts[-1]
    assert last.error["type"] == "CorruptStream" and "byte offset" in last.error["message"]
