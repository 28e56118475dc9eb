"""Hostile input, round three (#36): what a hostile user probed, run as a user would (CLI
subprocesses, real HTTP to a real `serve` process), on fixtures written here."""

from __future__ import annotations

import csv
import hashlib
import http.client
import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from urllib.parse import urlencode

import pyarrow.parquet as pq
import pytest

from arabic_digest import archive
from tests.test_archive import COUNCIL, pair_record, write
from tests.test_run import ROOT, cli

SURROGATE_ID = "sur-\\ud800-x"  # as some scrapers write it: escaped in the JSON


def test_a_lone_surrogate_in_an_id_is_fixed_once_at_the_reader(tmp_path: Path,
                                                              fast_marian: Path) -> None:
    text = "قال الوزير إن الحكومة ستبني مدرسة جديدة في المدينة هذا العام."
    src = tmp_path / "s.jsonl"
    src.write_text(f'{{"id": "{SURROGATE_ID}", "text": "{text}", "outlet": "o\\udc80"}}\n'
                   f'{{"id": "plain", "text": "{text}"}}\n', "utf-8")
    out = tmp_path / "s-out.jsonl"
    proc = cli("run", str(src), "-o", str(out), "--translation-model", str(fast_marian),
               "--no-summary", "--quiet", "--beams", "1")
    assert proc.returncode == 0, proc.stderr  # same text: stories hash the ids
    recs = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in recs] == ["sur-\ufffd-x", "plain"]
    assert recs[0]["source"]["escaped"]["id"] == SURROGATE_ID  # the original, kept escaped
    assert recs[0]["source"]["meta"]["outlet"] == "o\ufffd"
    assert recs[0]["source"]["escaped"]["meta"]["outlet"] == "o\\udc80"
    assert recs[0]["story"]["id"] == recs[1]["story"]["id"]
    db = tmp_path / "a.sqlite"
    proc = cli("index", str(out), "--db", str(db))
    assert proc.returncode == 0 and "2 added" in proc.stderr, proc.stderr
    for to in ("csv", "parquet", "tmx"):
        proc = cli("export", str(db), "--to", to, "-o", str(tmp_path / f"p.{to}"))
        assert proc.returncode == 0, proc.stderr
    with (tmp_path / "p.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert "sur-\ufffd-x" in {row["article"] for row in csv.DictReader(fh)}
    assert "sur-\ufffd-x" in pq.read_table(tmp_path / "p.parquet")["article"].to_pylist()


def test_csv_export_neutralises_formula_cells(tmp_path: Path) -> None:
    rec = pair_record("=cmd|' /C calc'!A0", [("قال الوزير.", "+1 said the minister."),
                                             ("وأضاف.", "-2 he added.")], outlet="@SUM(1+1)")
    out = write(tmp_path / "f.jsonl", [rec])
    proc = cli("export", str(out), "--to", "csv", "-o", str(tmp_path / "f.csv"))
    assert proc.returncode == 0, proc.stderr
    with (tmp_path / "f.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["target"] for r in rows] == ["'+1 said the minister.", "'-2 he added."]
    assert rows[0]["article"] == "'=cmd|' /C calc'!A0" and rows[0]["outlet"] == "'@SUM(1+1)"
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    # For pipelines: as they are.
    proc = cli("export", str(out), "--to", "csv", "-o", str(tmp_path / "raw.csv"),
               "--csv-formulas")
    with (tmp_path / "raw.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert next(csv.DictReader(fh))["outlet"] == "@SUM(1+1)"


TITLE_ESC = "\x1b]0;pwned\x07"  # sets the terminal's title
CLEAR = "\x1b[2J"  # clears the screen
RLO = "\u202e"  # right-to-left override: reorders what follows on the line


def _raw_controls(text: str) -> bool:
    return any(c in text for c in ("\x1b", "\x07", RLO))


def test_run_prints_ids_terminal_safe(tmp_path: Path, fast_marian: Path) -> None:
    src = tmp_path / "t.jsonl"
    rows = [{"id": TITLE_ESC + "a", "body_missing": 1}, {"id": CLEAR + "b" * 5000, "x": 1}]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    proc = cli("run", str(src), "-o", str(tmp_path / "t-out.jsonl"), "--translation-model",
               str(fast_marian), "--no-summary", "--quiet")
    assert proc.returncode == 1, proc.stderr  # two error records
    assert not _raw_controls(proc.stderr) and not _raw_controls(proc.stdout)
    assert "\\x1b]0;pwned\\x07a" in proc.stderr and "\\x1b[2Jbbb" in proc.stderr
    assert "b" * 200 not in proc.stderr and "…" in proc.stderr  # the long id is cut
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / f"x{CLEAR}.jsonl").write_bytes(src.read_bytes())
    proc = cli("check", str(folder))
    assert proc.returncode == 1, proc.stderr
    assert not _raw_controls(proc.stdout + proc.stderr) and "x\\x1b[2J.jsonl" in proc.stdout


def test_search_prints_data_terminal_safe(tmp_path: Path) -> None:
    rec = pair_record(TITLE_ESC, COUNCIL, outlet=CLEAR + RLO + "Daily", date="2024-03-01")
    db = tmp_path / "a.sqlite"
    assert cli("index", str(write(tmp_path / "o.jsonl", [rec])), "--db",
               str(db)).returncode == 0
    proc = cli("search", str(db), "council")
    assert proc.returncode == 0, proc.stderr
    assert not _raw_controls(proc.stdout + proc.stderr)
    assert "\\x1b[2J\\u202eDaily" in proc.stdout and "\\x1b]0;pwned\\x07" in proc.stdout
    # An undecodable byte in an argument (a lone surrogate in argv) is one more character.
    proc = cli("search", str(db), "council", "--outlet", "Daily\udcff")
    assert proc.returncode == 0, proc.stderr
    assert "0 articles match" in proc.stderr
    # Every message goes through the same function: an error naming a hostile path too.
    proc = cli("search", str(tmp_path / f"x{CLEAR}.sqlite"), "council")
    assert proc.returncode == 2 and "x\\x1b[2J.sqlite" in proc.stderr
    assert not _raw_controls(proc.stderr)


# --- the web app, over real HTTP to a real `serve` -------------------------------------------

LONG_SENTENCES = 400  # one paragraph of them, each a few kB: megabytes in one paragraph


def _archive(root: Path) -> Path:
    """An archive built through the archive's own indexing: normal articles, one of a single
    400-sentence paragraph, and hostile text."""
    records = [pair_record(f"n-{i}", COUNCIL, date="2024-03-01", outlet=f"Outlet {i % 3}")
               for i in range(60)]
    long = pair_record("long", [("يعانون " * 200 + f"{i}.",
                                 "They suffer " + "suffering sufferers suffered " * 100 + f"{i}.")
                                for i in range(LONG_SENTENCES)], date="2024-03-01")
    ctrl = pair_record("ctrl", [("جملة.", "alpha \x02beta\x03 gamma delta.")],
                       outlet=RLO + "Daily", date="2024-03-01")
    big = pair_record("big", COUNCIL, outlet="Outlet " * 20_000, date="2024-03-01",
                      story="story-big")
    big["translation"]["title"] = "headline " * 40_000  # 360 kB
    big["clean"]["title"] = big["source"]["title"] = "عنوان " * 40_000
    big["summary"]["text"] = "summary " * 40_000
    db = root / "a.sqlite"
    archive.index_outputs(db, [write(root / "o.jsonl", [*records, long, ctrl, big])])
    return db


class Server:
    """`arabic-digest serve` in its own process, on a free local port."""

    def __init__(self, db: Path, *args: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "arabic_digest", "serve", str(db), "--port", str(self.port),
             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.proc.kill()
                    pytest.fail(f"the server did not start: {self.proc.communicate()}")
                time.sleep(0.1)

    def get(self, path: str, host: str | None = "localhost", method: str = "GET"
            ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, err


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    db = _archive(tmp_path_factory.mktemp("hostile-archive"))
    server = Server(db)
    yield server, db
    server.stop()


def _json(server: Server, path: str) -> tuple[int, dict]:
    status, _, body = server.get(path)
    return status, json.loads(body)


def test_search_terms_are_capped_and_snippets_bounded(served) -> None:
    server, _ = served
    at_cap = " ".join(["suffer*"] * archive.MAX_PREFIX_TERMS
                      + ["suffering"] * (archive.MAX_TERMS - archive.MAX_PREFIX_TERMS))
    status, data = _json(server, "/api/search?" + urlencode({"q": at_cap}))
    assert status == 200 and [h["id"] for h in data["hits"]] == ["long"]
    assert len(data["hits"][0]["snippet"]) < 1000 and "suffer" in data["hits"][0]["highlights"]
    for over in (" ".join(["suffer*"] * (archive.MAX_PREFIX_TERMS + 1)),
                 " ".join(["suffering"] * (archive.MAX_TERMS + 1))):
        status, data = _json(server, "/api/search?" + urlencode({"q": over}))
        assert status == 400 and "at most" in data["error"], data
        status, _, body = server.get("/search?" + urlencode({"q": over}))
        assert status == 400 and b"at most" in body
    status, _, body = server.get("/search?" + urlencode({"q": at_cap}))
    assert status == 200 and len(body) < 250_000


def test_control_characters_make_no_false_highlight(served) -> None:
    server, _ = served
    status, data = _json(server, "/api/search?q=gamma")
    assert status == 200 and data["hits"][0]["highlights"] == ["gamma"]


def test_a_search_over_its_time_budget_answers_503(tmp_path: Path, served) -> None:
    _, db = served
    slow = Server(db, "--search-budget", "0")
    try:
        status, data = _json(slow, "/api/search?q=council")
        assert status == 503 and "stopped" in data["error"], data
        status, _, body = slow.get("/search?q=council")
        assert status == 503 and b"stopped" in body
        assert slow.get("/api/articles/n-1")[0] == 200  # only queries with terms are budgeted
    finally:
        rc, _ = slow.stop()
    assert rc in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down


def test_shutdown_interrupts_a_running_query(served) -> None:
    _, db = served
    conn = archive.connect(db, readonly=True)
    stop = threading.Event()
    stop.set()  # what serve's SIGTERM handler does
    with pytest.raises(archive.Busy, match="stopping"):
        archive.search(conn, "council", stop=stop)
    conn.close()


def test_only_this_servers_host_is_served(served) -> None:
    server, _ = served
    for host in ("evil.example", f"evil.example:{server.port}", "", "127.0.0.1.evil.example"):
        status, headers, body = server.get("/api/articles/n-1", host=host)
        assert status == 400 and b"not this server" in body, host
        assert headers["x-content-type-options"] == "nosniff"
    assert server.get("/api/articles/n-1", host=None)[0] == 400  # HTTP/1.1 requires one
    for host in ("localhost", f"localhost:{server.port}", f"127.0.0.1:{server.port}"):
        assert server.get("/api/articles/n-1", host=host)[0] == 200


def test_warns_when_bound_to_a_non_loopback_address(served) -> None:
    _, db = served
    public = Server(db, "--host", "0.0.0.0")
    try:
        assert public.get("/api/articles/n-1", host="evil.example")[0] == 400
    finally:
        rc, err = public.stop()
    assert rc in (0, -signal.SIGTERM) and "not a loopback address" in err


def test_security_headers_on_every_response(served) -> None:
    server, _ = served
    for path, method, want in (("/api/search?q=council", "GET", 200),
                               ("/api/articles/999999", "GET", 404), ("/nowhere", "GET", 404),
                               ("/api/search", "POST", 405), ("/", "GET", 200)):
        status, headers, _ = server.get(path, method=method)
        assert status == want, path
        assert headers["x-content-type-options"] == "nosniff", path
        assert "default-src 'none'" in headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path


def test_route_ids_that_name_no_article_are_404(served) -> None:
    server, _ = served
    for path in ("/articles/" + "9" * 5000, "/api/articles/" + "n-1" * 2000, "/articles/-1",
                 "/articles/1e3", "/api/articles/abc", "/articles/%D9%A1", "/articles/1",
                 "/articles/%00", "/api/articles/n-1%FF%FE", "/articles/n-1%2F..%2Fn-2",
                 "/articles/n-1/", "/articles/", "/api/articles/n-1?run=" + "x" * 5000,
                 "/articles/n-1?run=%00", "/api/articles/n-1?run=" + "%25" * 8):
        status, headers, body = server.get(path)
        assert status == 404, path
        assert b"Traceback" not in body and headers["x-content-type-options"] == "nosniff"
    assert server.get("/articles/n%2D1")[0] == server.get("/api/articles/n-1")[0] == 200


def test_no_page_over_250_kb_whatever_the_article(served) -> None:
    server, db = served
    key = "long"  # the record's id
    seen: set[bytes] = set()
    status, _, body = server.get(f"/articles/{key}")
    assert status == 200
    pages = int(re.search(rb"page 1 of (\d+)", body).group(1))
    assert pages > 1
    for n in range(1, pages + 1):
        status, _, body = server.get(f"/articles/{key}?page={n}")
        assert status == 200 and len(body) < 250_000, (n, len(body))
        seen.add(hashlib.sha1(body).digest())
        status, _, data = server.get(f"/api/articles/{key}?page={n}")
        assert status == 200 and len(data) < 250_000, (n, len(data))
    assert len(seen) == pages  # every page is another part of the article
    status, data = _json(server, f"/api/articles/{key}?page=2")
    assert data["pages"] == pages and data["record"]["translation"]["segments"]
    status, _, body = server.get("/search?q=suffer")
    assert status == 200 and len(body) < 250_000
    # A record of huge title, summary and outlet: every page that lists or shows it.
    big = _json(server, "/api/search?q=headline")[1]["hits"][0]["id"]
    for path in ("/", "/search?q=headline", "/api/search?q=headline", "/stories/story-big",
                 "/api/stories/story-big", f"/articles/{big}", f"/api/articles/{big}",
                 "/search?lang=ar&q=" + urllib.parse.quote("عنوان"),
                 "/concordance?q=" + urllib.parse.quote("يعانون"),
                 "/api/concordance?q=" + urllib.parse.quote("يعانون")):
        status, _, body = server.get(path)
        assert status == 200 and len(body) < 250_000, (path, len(body))


def test_bidi_overrides_are_shown_not_obeyed(served) -> None:
    server, db = served
    status, _, body = server.get("/search?q=gamma")
    assert status == 200
    text = body.decode()
    assert RLO not in text and "\\u202eDaily" in text


def test_a_corrupt_or_foreign_database_is_refused_at_start(tmp_path: Path, served) -> None:
    _, db = served
    damaged = tmp_path / "damaged.sqlite"
    data = bytearray(db.read_bytes())
    page = 4096
    middle = len(data) // page // 2 * page
    data[middle:middle + 3 * page] = bytes(range(256)) * (3 * page // 256)  # garbage pages
    damaged.write_bytes(bytes(data))
    foreign = tmp_path / "foreign.sqlite"
    other = sqlite3.connect(foreign)
    other.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
                        "INSERT INTO meta VALUES ('schema', '1');")
    other.close()
    for bad, why in ((damaged, "damaged"), (foreign, "not an arabic-digest archive")):
        for argv in (["serve", str(bad), "--port", "0"], ["search", str(bad), "council"]):
            proc = cli(*argv)
            assert proc.returncode == 2, (argv, proc.stderr)
            lines = proc.stderr.strip().splitlines()
            assert len(lines) == 1 and why in lines[0], proc.stderr


def test_a_database_that_goes_bad_while_serving_answers_503(tmp_path: Path, served) -> None:
    _, db = served
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(db.read_bytes())
    server = Server(copy)
    try:
        assert server.get("/api/search?q=council")[0] == 200
        with copy.open("r+b") as fh:  # truncated under the running server
            fh.truncate(copy.stat().st_size // 3)
        statuses = []
        for path in ("/api/search?q=suffering", "/search?q=delta", "/", "/api/articles/long",
                     "/articles/ctrl", "/concordance?" + urlencode({"q": "يعانون"}),
                     "/api/stories/x"):
            status, headers, body = server.get(path)
            statuses.append(status)
            assert status in (200, 404, 503), (path, status, body[:300])
            assert b"Traceback" not in body and headers["x-content-type-options"] == "nosniff"
            if status == 503:
                assert b"cannot be read" in body
        assert 503 in statuses
    finally:
        server.stop()


def test_an_output_written_before_the_fix_indexes_and_exports(tmp_path: Path) -> None:
    rec = pair_record("old", COUNCIL, outlet="Daily")
    line = json.dumps(rec, ensure_ascii=False).replace('"old"', f'"{SURROGATE_ID}"', 1)
    out = tmp_path / "old.jsonl"
    out.write_text(line + "\n", "utf-8")  # the \ud800 escape, as the writer kept it then
    db = tmp_path / "a.sqlite"
    proc = cli("index", str(out), "--db", str(db))
    assert proc.returncode == 0 and "1 added" in proc.stderr, proc.stderr
    for to in ("csv", "parquet"):
        assert cli("export", str(out), "--to", to, "-o",
                   str(tmp_path / f"p.{to}")).returncode == 0
    assert "sur-\ufffd-x" in (tmp_path / "p.csv").read_text("utf-8-sig")
