"""The archive (#23): indexing (idempotent, incremental, identities apart, crash-safe), search
in both languages with the Arabic folding, filters, the concordance, and the CLI over them.

Records are built with tests/reportdata.py (the pipeline's record shape) on Arabic written
for these tests; no model runs here except in the SIGKILL test's real subprocess.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arabic_digest import archive
from arabic_digest.archive import Filters, fold_arabic, fold_query, fts_query, mark_words
from arabic_digest.records import dumps
from tests.reportdata import corpus, error_record, hostile_record, ok_record
from tests.test_run import ROOT, cli


def pair_record(id_: str, pairs: list[tuple[str, str]], *, date: str | None = None,
                outlet: str = "Outlet", story: str | None = None,
                flags: list[dict] | None = None) -> dict:
    """An ok record with one paragraph of these (Arabic, English) sentence pairs."""
    rec = ok_record(id_, [[ar for ar, _ in pairs]], date=date, flags=flags)
    for seg, (_, en) in zip(rec["translation"]["segments"], pairs):
        seg["target"] = en
    rec["translation"]["paragraphs"] = [" ".join(en for _, en in pairs)]
    rec["translation"]["title"] = pairs[0][1]
    rec["source"]["meta"]["outlet"] = outlet
    if story:
        rec["story"] = {"id": story, "size": 2, "role": "lead"}
    return rec


COUNCIL = [
    ("اجتمع مجلس الأمن الدولي في نيويورك أمس.", "The Security Council met in New York yesterday."),
    ("وناقش مجلس الأمن مسودة قرار جديدة.",
     "The Security Council discussed a new draft resolution."),
]
MINISTRY = [
    ("أعلنت وزارةُ الصحة عن حملة تطعيم.", "The Health Ministry announced a vaccination campaign."),
    ("وقالت الوزارة إن الحملة تبدأ الأحد.", "The ministry said the campaign starts on Sunday."),
]
ELECTION = [
    ("أُجريت الانتخابات البلدية في 284 دائرة.", "Municipal elections were held in 284 districts."),
    ("وأكد مجلس الأمن المحلي سلامة الاقتراع.",
     "The local security council confirmed the vote was safe."),
]


def write(path: Path, records: list[dict], identity: dict | None = None) -> Path:
    path.write_text("".join(dumps(r) for r in records), encoding="utf-8")
    if identity is not None:
        path.with_name(path.name.removesuffix(".jsonl") + ".run.json").write_text(
            json.dumps({"identity": identity}), encoding="utf-8")
    return path


IDENTITY = {"inputs": ["news.jsonl"], "cleaning": "clean:v1", "translation": {"id": "m1"}}


@pytest.fixture()
def runs(tmp_path: Path) -> tuple[Path, list[dict]]:
    records = [
        pair_record("c-1", COUNCIL, date="2024-03-01 09:00:00", outlet="Daily", story="s-un"),
        pair_record("m-1", MINISTRY, date="2024-03-02 10:00:00", outlet="Gazette",
                    flags=[{"kind": "numbers", "segment": 1, "missing": ["7"]}]),
        pair_record("e-1", ELECTION, date="2024-03-02 11:00:00", outlet="Daily", story="s-un"),
        error_record("broken:3"),
    ]
    return write(tmp_path / "day.jsonl", records, IDENTITY), records


def test_folding_finds_a_word_spelt_another_way() -> None:
    # Alef forms, alef maksura, teh marbuta, diacritics and tatweel fold alike...
    assert fold_arabic("أإآٱا") == "ااااا"
    assert fold_arabic("مستشفى") == fold_arabic("مستشفي")
    assert fold_arabic("وزارة") == fold_arabic("وزاره") == "وزاره"
    assert fold_arabic("وزارةُ") == fold_arabic("وزارـــة")
    # ...and the query gets the cleaner's normalisation first (Eastern digits, keheh).
    assert fold_query("٢٨٤ کتاب") == "284 كتاب"
    # Cleaning itself keeps every form (Opus-MT reads them).
    from arabic_digest.translate.cleaning.normalize import normalize_line
    assert normalize_line("أعلنت وزارة مستشفى") == "أعلنت وزارة مستشفى"


def test_queries_are_quoted_never_fts_syntax() -> None:
    # Operators are words; a chunk with punctuation inside is the phrase of its words.
    assert fts_query('security OR council NEAR(x) title:foo', "en") == \
        '"security" "OR" "council" "NEAR x" "title foo"'
    assert fts_query('"security council" vacc*', "en") == '"security council" "vacc"*'
    assert fts_query('"', "en") == ""
    assert fts_query("الأمن", "ar") == '"الامن"'


def test_marks_follow_the_original_spelling() -> None:
    pieces = mark_words("أعلنت وزارةُ الصحة", ["وزاره"], "ar")
    assert pieces == [("أعلنت ", False), ("وزارةُ", True), (" الصحة", False)]
    assert "".join(t for t, _ in pieces) == "أعلنت وزارةُ الصحة"


def test_index_search_and_filters(runs, tmp_path: Path) -> None:
    path, _ = runs
    db = tmp_path / "a.sqlite"
    counts = archive.index_outputs(db, [path])
    assert (counts.added, counts.unchanged, counts.files) == (4, 0, 1)
    conn = archive.connect(db, readonly=True)
    # English: stemmed (council/councils), ranked, the match marked in the snippet.
    res = archive.search(conn, "councils", "en")
    assert res.total == 2
    assert [h.id for h in res.hits] == ["c-1", "e-1"]  # two sentences about it beat one
    assert ("Council", True) in res.hits[0].snippet
    # Arabic, written without the hamza and the teh marbuta: found, marked as written.
    res = archive.search(conn, "وزاره", "ar")
    assert [h.id for h in res.hits] == ["m-1"]
    assert ("وزارةُ", True) in res.hits[0].snippet
    assert [h.id for h in archive.search(conn, "اجريت", "ar").hits] == ["e-1"]
    # A phrase is a phrase.
    assert archive.search(conn, '"مجلس الامن الدولي"', "ar").total == 1
    # Filters: outlet, dates, story, flags, status.
    assert archive.search(conn, "council", "en", Filters(outlet="Gazette")).total == 0
    assert archive.search(conn, "council", "en", Filters(date_from="2024-03-02")).total == 1
    assert archive.search(conn, "council", "en", Filters(date_to="2024-03-01")).total == 1
    assert archive.search(conn, "council", "en", Filters(story="s-un")).total == 2
    assert [h.id for h in archive.search(conn, "the", "en", Filters(flag="*")).hits] == ["m-1"]
    assert archive.search(conn, "the", "en", Filters(flag="numbers")).total == 1
    assert archive.search(conn, "the", "en", Filters(flag="repetition")).total == 0
    assert archive.search(conn, "the", "en", Filters(status="error")).total == 0
    assert [a.id for a in archive.articles(conn, Filters(status="error"))] == ["broken:3"]
    # Pages.
    first = archive.search(conn, "the", "en", limit=2)
    second = archive.search(conn, "the", "en", limit=2, offset=2)
    assert first.total == second.total == 3
    assert len({h.key for h in first.hits + second.hits}) == 3
    # Stories and the briefing of the latest day.
    total, members = archive.story(conn, "s-un")
    assert total == 2 and [a.id for a in members] == ["c-1", "e-1"]
    assert archive.latest_day(conn) == "2024-03-02"
    n, stories = archive.briefing(conn, "2024-03-02")
    assert n == 2 and {s.story for s in stories} >= {"s-un"}
    # Read-only means read-only.
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM articles")
    conn.close()


def test_concordance_marks_the_term_and_its_english(runs, tmp_path: Path) -> None:
    path, _ = runs
    db = tmp_path / "a.sqlite"
    archive.index_outputs(db, [path])
    conn = archive.connect(db, readonly=True)
    c = archive.concordance(conn, "مجلس الأمن")
    assert c.total == 3
    words = [w for w, _, _ in c.renderings]
    assert "council" in words and "security" in words
    for line in c.lines:
        ar_marked = [t for t, m in line.ar if m]
        en_marked = [t.lower() for t, m in line.en if m]
        assert ar_marked == ["مجلس الأمن"]
        assert "council" in en_marked and "security" in en_marked
        assert "the" not in en_marked
    # The number the Arabic carries as it is is marked on both sides.
    c = archive.concordance(conn, "الانتخابات")
    assert c.total == 1 and ("284", True) in c.lines[0].en
    assert archive.concordance(conn, "كلمة غائبة").total == 0
    conn.close()


def test_indexing_is_idempotent_and_incremental(runs, tmp_path: Path) -> None:
    path, records = runs
    db = tmp_path / "a.sqlite"
    write(path, records[:2], IDENTITY)  # the run so far
    assert archive.index_outputs(db, [path]).added == 2
    write(path, records, IDENTITY)  # resumed: two more records
    counts = archive.index_outputs(db, [path])
    assert (counts.added, counts.unchanged) == (2, 2)
    counts = archive.index_outputs(db, [path, path])
    assert (counts.added, counts.unchanged) == (0, 8)
    # A retried error record (same run, same id, now ok) replaces the error, once.
    fixed = pair_record("broken:3", MINISTRY, date="2024-03-03 08:00:00")
    write(path, [*records[:3], fixed], IDENTITY)
    counts = archive.index_outputs(db, [path])
    assert (counts.added, counts.replaced, counts.unchanged) == (0, 1, 3)
    conn = archive.connect(db, readonly=True)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
    assert archive.search(conn, "vaccination", "en").total == 2
    # The old record's sentences left every index with it.
    assert conn.execute("SELECT count(*) FROM sentences").fetchone()[0] == 8
    assert archive.concordance(conn, "الحملة").total == 2
    # The English word counts the concordance weighs follow the replacement too.
    counts = dict(conn.execute("SELECT word, sentences FROM en_words"))
    assert counts["vaccination"] == 2 and counts["council"] == 3 and "the" not in counts
    conn.close()


def test_the_same_id_from_another_identity_is_kept_apart(runs, tmp_path: Path) -> None:
    path, records = runs
    other = copy.deepcopy(records[0])
    other["translation"]["segments"][0]["target"] = "The Security Council convened in New York."
    path2 = write(tmp_path / "beams4.jsonl", [other],
                  {**IDENTITY, "translation": {"id": "m1", "num_beams": 4}})
    db = tmp_path / "a.sqlite"
    counts = archive.index_outputs(db, [path, path2])
    assert counts.added == 5 and len(counts.runs) == 2
    conn = archive.connect(db, readonly=True)
    both = archive.articles_by_id(conn, "c-1")
    assert len(both) == 2 and len({a.run for a in both}) == 2
    assert archive.search(conn, "convened", "en").hits[0].key == both[1].key
    assert archive.search(conn, "yesterday", "en").hits[0].key == both[0].key
    conn.close()


def test_hostile_records_index_and_search(tmp_path: Path) -> None:
    recs = corpus()[:-1]
    db = tmp_path / "a.sqlite"
    archive.index_outputs(db, [write(tmp_path / "o.jsonl", recs)])
    conn = archive.connect(db, readonly=True)
    hits = archive.search(conn, "script", "en").hits
    assert [h.id for h in hits] == [hostile_record()["id"]]
    assert archive.search(conn, '") OR 1=1 --', "en").total == 0
    conn.close()


def test_not_an_archive(tmp_path: Path) -> None:
    bad = tmp_path / "x.sqlite"
    bad.write_text("hello")
    with pytest.raises(archive.ArchiveError):
        archive.connect(bad, readonly=True)
    with pytest.raises(archive.ArchiveError):
        archive.connect(tmp_path / "missing.sqlite", readonly=True)


def test_cli_index_and_search(runs, tmp_path: Path) -> None:
    path, _ = runs
    db = tmp_path / "a.sqlite"
    proc = cli("index", str(path), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert "4 added, 0 already there" in proc.stderr
    proc = cli("index", str(path), "--db", str(db))
    assert "0 added, 4 already there" in proc.stderr
    proc = cli("search", str(db), "وزاره", "--lang", "ar", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["total"] == 1 and data["hits"][0]["id"] == "m-1"
    assert data["hits"][0]["highlights"] == ["وزارةُ"]
    proc = cli("search", str(db), "council")
    assert proc.returncode == 0 and "[Council]" in proc.stdout
    assert "2 articles match 'council' (en)" in proc.stderr
    missing = cli("search", str(tmp_path / "none.sqlite"), "x")
    assert missing.returncode == 2 and "no such archive" in missing.stderr


@pytest.mark.slow
def test_sigkill_midway_through_index_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """A real `index` subprocess killed (SIGKILL) inside its third batch's transaction, then
    again from outside while it runs; each rerun completes the archive exactly."""
    base = [pair_record(f"r-{i}", [COUNCIL, MINISTRY, ELECTION][i % 3],
                        date=f"2024-03-{1 + i % 28:02d} 09:00:00") for i in range(3000)]
    path = write(tmp_path / "big.jsonl", base, IDENTITY)
    db = tmp_path / "a.sqlite"
    env = {"ARABIC_DIGEST_CRASH_AT": "index:3"}
    proc = cli("index", str(path), "--db", str(db), env=env)
    assert proc.returncode == -signal.SIGKILL
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 2 * archive.BATCH
    conn.close()
    # Killed from outside, wherever it is.
    db.unlink()
    runner = subprocess.Popen(
        [sys.executable, "-m", "arabic_digest", "index", str(path), "--db", str(db)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and runner.poll() is None:
        if db.exists() and _count(db) >= archive.BATCH:
            break
        time.sleep(0.02)
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    killed_at = _count(db)
    assert killed_at % archive.BATCH == 0 and killed_at < len(base)
    proc = cli("index", str(path), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert f"{len(base) - killed_at} added, {killed_at} already there" in proc.stderr
    conn = archive.connect(db, readonly=True)
    ids = [r[0] for r in conn.execute("SELECT rid FROM articles")]
    assert sorted(ids) == sorted(r["id"] for r in base)
    assert conn.execute("SELECT count(*) FROM sentences").fetchone()[0] == 2 * len(base)
    # Every FTS index holds each article once: a word in every record matches them all.
    assert archive.search(conn, "the", "en", limit=1).total == len(base)
    assert archive.concordance(conn, "مجلس الأمن").total == 3 * 1000
    conn.close()


def _count(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0
