"""The archive's database: its schema (SQLite, WAL), opening it (read-only connections cannot
write whatever SQL they run), refusing a database that is corrupt or not an archive, the time
budget a query runs under, and a record read back whole.

Articles are keyed by (run identity, record id): the same id from a run made with other
settings is kept apart, both findable, each labelled by its run."""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
    key INTEGER PRIMARY KEY,
    identity_hash TEXT NOT NULL UNIQUE,  -- sha1 of the manifest's identity (or of the file)
    signature TEXT NOT NULL,             -- identity.signature(), for people
    identity TEXT,                       -- JSON
    manifest TEXT,                       -- JSON: the last manifest seen for it
    first_path TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, run INTEGER NOT NULL REFERENCES runs(key),
    size INTEGER, records INTEGER
);
CREATE TABLE IF NOT EXISTS articles (
    key INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES runs(key),
    rid TEXT NOT NULL,          -- the record's id
    hash TEXT NOT NULL,         -- sha1 of the record's line
    status TEXT NOT NULL,
    outlet TEXT, date TEXT, day TEXT,  -- date: ISO 8601 UTC; day: YYYY-MM-DD
    story TEXT, story_role TEXT,
    title_en TEXT, title_ar TEXT, summary TEXT,
    flags INTEGER NOT NULL,     -- flags on its sentences, title and summary
    kinds TEXT NOT NULL,        -- their kinds, space-separated with spaces around
    segments INTEGER NOT NULL,
    first_sentence INTEGER, last_sentence INTEGER,
    record BLOB NOT NULL,       -- the whole record, zlib-compressed JSON
    UNIQUE (run, rid)
);
CREATE INDEX IF NOT EXISTS articles_day ON articles(day, story);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story, day);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles(outlet);
-- An article's address is its record id (/articles/{id}): found by this index. (An archive
-- indexed before it gets it at its next `index`; until then the lookup reads the table.)
CREATE INDEX IF NOT EXISTS articles_rid ON articles(rid);
CREATE TABLE IF NOT EXISTS sentences (
    key INTEGER PRIMARY KEY,
    article INTEGER NOT NULL REFERENCES articles(key),
    n INTEGER NOT NULL, paragraph INTEGER,
    ar TEXT NOT NULL, en TEXT NOT NULL,
    flagged INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_article ON sentences(article);
-- Articles, for search: English stemmed (its text kept for snippet()), Arabic folded
-- (contentless: snippets come from the sentences, highlighted in the original spelling).
CREATE VIRTUAL TABLE IF NOT EXISTS art_en USING fts5(
    title, summary, body, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS art_ar USING fts5(
    title, body, content = '', tokenize = 'unicode61 remove_diacritics 2');
-- Sentences, for the concordance and its English word association (contentless).
CREATE VIRTUAL TABLE IF NOT EXISTS sent_ar USING fts5(
    ar, content = '', tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS sent_en USING fts5(
    en, content = '', tokenize = 'porter unicode61 remove_diacritics 2');
-- How many sentences each English word (lower-cased, function words left out) is in: the
-- concordance's association measure needs it for every candidate word, at once.
CREATE TABLE IF NOT EXISTS en_words (word TEXT PRIMARY KEY, sentences INTEGER NOT NULL)
    WITHOUT ROWID;
"""


class ArchiveError(Exception):
    """A database that is not an arabic-digest archive, or of another schema version."""


class Busy(Exception):
    """A query stopped: over its time budget, or the server is shutting down."""


# What an archive holds; a database without all of them (another tool's SQLite file that
# happens to have a `meta` table) is not one.
TABLES = {"meta", "runs", "files", "articles", "sentences", "art_en", "art_ar", "sent_ar",
          "sent_en", "en_words"}


def verify(db: Path) -> None:
    """Refuse (ArchiveError) a database that is corrupt or not an archive: its schema, then
    SQLite's quick_check (every page and index read once; seconds at most for a big one)."""
    conn = connect(db, readonly=True)
    try:
        bad = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{db} is damaged ({exc}); index the runs again into a new "
                           "archive") from exc
    finally:
        conn.close()
    if bad != ["ok"]:
        # One line: SQLite's first finding ("On tree page 537 cell 0: invalid page number").
        first = next(line for row in bad for line in row.splitlines()
                     if line.strip() and not line.startswith("***"))
        raise ArchiveError(f"{db} is damaged ({first.strip()}); index the runs again into a "
                           "new archive")


@contextmanager
def budget(conn: sqlite3.Connection, seconds: float | None,
           stop: threading.Event | None = None) -> Iterator[None]:
    """Stop (Busy) whatever `conn` runs once `seconds` have passed or `stop` is set: SQLite
    calls the handler every 100 steps, and a non-zero answer interrupts the query."""
    if seconds is None and stop is None:
        yield
        return
    deadline = time.monotonic() + seconds if seconds is not None else math.inf

    def over() -> int:
        return int(time.monotonic() > deadline or (stop is not None and stop.is_set()))

    conn.set_progress_handler(over, 100)  # cheap beside 100 VM steps; fine-grained enough
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "interrupted" not in str(exc):
            raise
        why = "the server is stopping" if stop is not None and stop.is_set() else \
            f"it took over {seconds:g} s"
        raise Busy(f"the query was stopped: {why}; try fewer or longer words") from None
    finally:
        conn.set_progress_handler(None, 0)


def connect(db: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection to the archive; read-only ones cannot write whatever SQL they run."""
    if readonly:
        if not db.is_file():
            raise ArchiveError(f"{db}: no such archive; build it with `arabic-digest index`")
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True,
                               check_same_thread=False)
        try:
            version = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ArchiveError(f"{db} is not an arabic-digest archive ({exc})") from exc
        if not TABLES <= tables:
            conn.close()
            raise ArchiveError(f"{db} is not an arabic-digest archive (tables missing: "
                               f"{', '.join(sorted(TABLES - tables))})")
        if version is None or version[0] != str(SCHEMA_VERSION):
            conn.close()
            raise ArchiveError(f"{db} is an archive of another schema version")
        return conn
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db, isolation_level=None)  # transactions are explicit
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints,
        # never corrupt; a crash loses at most the last commits, which a rerun adds again
        conn.executescript(SCHEMA)
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ArchiveError(f"{db} is not an arabic-digest archive ({exc})") from exc
    return conn


# --------------------------------------------------------------------------- reading


def load_record(conn: sqlite3.Connection, key: int) -> dict[str, Any]:
    row = conn.execute("SELECT record FROM articles WHERE key=?", (key,)).fetchone()
    if row is None:
        raise KeyError(key)
    return json.loads(zlib.decompress(row[0]))
