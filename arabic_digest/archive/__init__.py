"""The archive: finished runs' records in one SQLite database, searchable in both languages.

`index_outputs` adds output files (read with records.scan_output, the one reader) to the
database, one transaction per batch of records, in WAL mode: a killed `index` leaves the
database as it was before the batch, and a rerun adds what is missing. Articles are keyed by
(run identity, record id): the same id from a run made with other settings is kept apart,
both findable, each labelled by its run.

Search is SQLite FTS5: English with the Porter stemmer, Arabic folded by `fold_arabic` (alef
forms, yeh and alef maksura, teh marbuta, diacritics, tatweel) for the index and the query
alike, so a query spelt one way finds text spelt another. Cleaning itself keeps those forms
(Opus-MT reads them); the folding is the search's only.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arabic_digest.guard import crash_point
from arabic_digest.identity import signature
from arabic_digest.inputs.dates import record_date
from arabic_digest.manifest import read_manifest
from arabic_digest.records import scan_output
from arabic_digest.text import cut, cut_at
from arabic_digest.translate.cleaning.clean import DIACRITICS, TATWEEL, normalize_line

SCHEMA_VERSION = 1
BATCH = 500  # records per transaction

# --------------------------------------------------------------------------- Arabic folding

# Diacritics (the cleaner's set plus the rarer Quranic marks U+0653-U+065F) and tatweel go;
# hamza-carrying and wasla alefs become bare alef, alef maksura yeh, teh marbuta heh.
_FOLD_DELETE = DIACRITICS + TATWEEL + "".join(chr(c) for c in range(0x0653, 0x0660))
_FOLD_MAP = {"\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627",
             "\u0649": "\u064a", "\u0629": "\u0647"}
_FOLD = str.maketrans({**{c: None for c in _FOLD_DELETE}, **_FOLD_MAP})


def fold_arabic(text: str) -> str:
    """The search form of Arabic text (index and query alike)."""
    return text.translate(_FOLD)


def fold_query(text: str) -> str:
    """A query as the index holds text: the cleaner's normalisation (NFKC, digits, Persian
    letters), then the search folding."""
    return fold_arabic(normalize_line(text))


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index it came from in `text`
    (folding only maps or deletes characters, so every folded character has one origin)."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = ch.translate(_FOLD)
        if folded:
            out.append(folded)
            where.append(i)
    return "".join(out), where


_WORD = re.compile(r"\w+", re.UNICODE)


def query_words(query: str, lang: str) -> list[str]:
    """The words of a query as FTS5 tokens see them (folded for Arabic)."""
    text = fold_query(query) if lang == "ar" else query
    return _WORD.findall(text)


# A query's cost grows with its terms (each one a doclist to merge, a prefix one many), so a
# query holds at most this many words, and this many of them prefixes.
MAX_TERMS = 12
MAX_PREFIX_TERMS = 4


class QueryTooLong(ValueError):
    """A query over the term caps: the message says what the caps are."""


def fts_query(query: str, lang: str) -> str:
    """A safe FTS5 expression from what a reader typed: every word a quoted string (so no
    operator, column filter or syntax error can come from the query); words in double quotes
    stay a phrase; a trailing * asks for a prefix. Over the caps: QueryTooLong."""
    parts: list[str] = []
    terms = prefixes = 0
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', query):
        words = query_words(phrase or word, lang)
        if not words:
            continue
        prefix = "*" if not phrase and word.endswith("*") else ""
        terms += len(words)
        prefixes += bool(prefix)
        parts.append('"' + " ".join(words) + '"' + prefix)
    if terms > MAX_TERMS or prefixes > MAX_PREFIX_TERMS:
        raise QueryTooLong(f"a search takes at most {MAX_TERMS} words, {MAX_PREFIX_TERMS} of "
                           f"them word* prefixes; this one has {terms} words, {prefixes} "
                           "prefixes")
    return " ".join(parts)


def any_of(expr: str) -> str:
    """The terms of an fts_query expression joined by OR: what a snippet marks."""
    return " OR ".join(re.findall(r'"[^"]*"\*?', expr))


def mark_words(text: str, words: Iterable[str], lang: str) -> list[tuple[str, bool]]:
    """`text` in (piece, marked) pieces: every occurrence of a word or phrase of `words` as
    whole tokens, matched on the folded text (Arabic) or case-insensitively (English); the
    pieces join back to `text` exactly."""
    folded, where = fold_with_map(text) if lang == "ar" else (text.lower(), list(range(len(text))))
    spans: list[tuple[int, int, bool]] = []
    for w in words:
        w = w.lower() if lang != "ar" else w
        if not w:
            continue
        for m in re.finditer(r"(?<!\w)" + r"\W+".join(map(re.escape, w.split())) + r"(?!\w)",
                             folded):
            # The word's own diacritics after its last letter belong to it.
            end = where[m.end()] if m.end() < len(where) else len(text)
            spans.append((where[m.start()], end, True))
    return cut_at(text, spans, False)


# --------------------------------------------------------------------------- schema

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


# --------------------------------------------------------------------------- indexing


@dataclass
class IndexCounts:
    files: int = 0
    added: int = 0
    replaced: int = 0  # a record of the same run and id that changed (a retried error)
    unchanged: int = 0
    unreadable: int = 0  # torn or foreign lines
    runs: set[str] = field(default_factory=set)


def _identity_key(path: Path) -> tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]:
    """(hash, signature, identity, manifest) of the run that wrote `path`."""
    manifest = read_manifest(path)
    identity = (manifest or {}).get("identity")
    if isinstance(identity, dict):
        raw = json.dumps(identity, ensure_ascii=False, sort_keys=True)
        return hashlib.sha1(raw.encode("utf-8")).hexdigest(), signature(identity), identity, \
            manifest
    # No manifest says which settings made it: its records are a run of their own.
    where = str(path.resolve())
    return ("file:" + hashlib.sha1(where.encode("utf-8")).hexdigest(),
            f"no manifest: {path.name}", None, manifest)


def _run_key(conn: sqlite3.Connection, path: Path) -> tuple[int, str]:
    digest, sig, identity, manifest = _identity_key(path)
    row = conn.execute("SELECT key FROM runs WHERE identity_hash=?", (digest,)).fetchone()
    manifest_json = json.dumps(manifest, ensure_ascii=False) if manifest else None
    if row:
        if manifest_json:
            conn.execute("UPDATE runs SET manifest=? WHERE key=?", (manifest_json, row[0]))
        return row[0], sig
    cur = conn.execute(
        "INSERT INTO runs (identity_hash, signature, identity, manifest, first_path) "
        "VALUES (?, ?, ?, ?, ?)",
        (digest, sig, json.dumps(identity, ensure_ascii=False) if identity else None,
         manifest_json, str(path)))
    return int(cur.lastrowid or 0), sig


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass
class Row:
    """What one record puts into the database (besides the record itself)."""

    status: str
    outlet: str | None
    date: str | None
    day: str | None
    story: str | None
    story_role: str | None
    title_en: str
    title_ar: str
    summary: str
    flags: int
    kinds: str
    sentences: list[tuple[int, int | None, str, str, int]]  # n, paragraph, ar, en, flagged
    ar_body: str  # the Arabic the article search sees (cleaned, else as read)


def record_row(rec: dict[str, Any]) -> Row:
    source, clean = _dict(rec.get("source")), _dict(rec.get("clean"))
    tr, summary = _dict(rec.get("translation")), _dict(rec.get("summary"))
    meta, story = _dict(source.get("meta")), _dict(rec.get("story"))
    flags = [f for f in tr.get("flags") or [] if isinstance(f, dict)]
    sflags = [f for f in summary.get("flags") or [] if isinstance(f, dict)]
    flagged_segs = {f.get("segment") for f in flags if isinstance(f.get("segment"), int)}
    kinds = {_text(f.get("kind")) for f in flags + sflags} - {""}
    if tr.get("terms_inconsistent"):
        kinds.add("terms_inconsistent")
    sentences = []
    for n, seg in enumerate(s for s in tr.get("segments") or [] if isinstance(s, dict)):
        para = seg.get("paragraph")
        sentences.append((n, para if isinstance(para, int) else None, _text(seg.get("source")),
                          _text(seg.get("target")), int(n in flagged_segs)))
    dt = record_date(rec)
    paragraphs = clean.get("paragraphs") if isinstance(clean.get("paragraphs"), list) else None
    ar_body = "\n".join(map(_text, paragraphs)) if paragraphs is not None \
        else _text(source.get("text"))
    return Row(
        status=_text(rec.get("status")),
        outlet=_text(meta.get("outlet") or meta.get("source")) or None,
        date=dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None,
        day=dt.strftime("%Y-%m-%d") if dt else None,
        story=_text(story.get("id")) or None,
        story_role=_text(story.get("role")) or None,
        title_en=_text(tr.get("title")),
        title_ar=_text(clean.get("title") or source.get("title")),
        summary=_text(summary.get("text")),
        flags=len(flags) + len(sflags) + len(tr.get("terms_inconsistent") or []),
        kinds=" " + " ".join(sorted(kinds)) + " " if kinds else "",
        sentences=sentences,
        ar_body=ar_body,
    )


def _en_body(row: Row) -> str:
    return "\n".join(s[3] for s in row.sentences)


# English function words are never a term's rendering.
_STOP = set("""a an the of to in on at by for from with and or but as is are was were be been
being it its this that these those he she they we you i his her their our your him them who
which what when where while than then there here not no so if into about over after before
said also has have had will would could should may can do does did up out more most""".split())
CONCORDANCE_SAMPLE = 2000  # sentence pairs the English association is counted on
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*")


def en_words(text: str) -> set[str]:
    """The English words of a sentence as the concordance counts them."""
    return {w.lower() for w in _EN_WORD.findall(text)} - _STOP


def _insert(conn: sqlite3.Connection, run: int, rid: str, digest: str, raw: bytes,
            rec: dict[str, Any], words: Counter[str]) -> int:
    row = record_row(rec)
    for s in row.sentences:
        words.update(en_words(s[3]))
    blob = zlib.compress(raw, 6)
    cur = conn.execute(
        "INSERT INTO articles (run, rid, hash, status, outlet, date, day, story, story_role, "
        "title_en, title_ar, summary, flags, kinds, segments, record) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (run, rid, digest, row.status, row.outlet, row.date, row.day, row.story,
         row.story_role, row.title_en, row.title_ar, row.summary, row.flags, row.kinds,
         len(row.sentences), blob))
    key = int(cur.lastrowid or 0)
    conn.execute("INSERT INTO art_en (rowid, title, summary, body) VALUES (?,?,?,?)",
                 (key, row.title_en, row.summary, _en_body(row)))
    conn.execute("INSERT INTO art_ar (rowid, title, body) VALUES (?,?,?)",
                 (key, fold_arabic(row.title_ar), fold_arabic(row.ar_body)))
    if not row.sentences:
        return key
    first = conn.execute("SELECT coalesce(max(key), 0) + 1 FROM sentences").fetchone()[0]
    keys = range(first, first + len(row.sentences))
    conn.executemany(
        "INSERT INTO sentences (key, article, n, paragraph, ar, en, flagged) "
        "VALUES (?,?,?,?,?,?,?)",
        [(k, key, *s) for k, s in zip(keys, row.sentences)])
    conn.executemany("INSERT INTO sent_ar (rowid, ar) VALUES (?,?)",
                     [(k, fold_arabic(s[2])) for k, s in zip(keys, row.sentences)])
    conn.executemany("INSERT INTO sent_en (rowid, en) VALUES (?,?)",
                     [(k, s[3]) for k, s in zip(keys, row.sentences)])
    # An article's sentences have consecutive keys: a rowid range finds them in the FTS.
    conn.execute("UPDATE articles SET first_sentence=?, last_sentence=? WHERE key=?",
                 (first, first + len(row.sentences) - 1, key))
    return key


def _delete(conn: sqlite3.Connection, key: int, words: Counter[str]) -> None:
    """Remove an article and everything indexed from it (contentless FTS rows are deleted
    by giving back the values they were indexed with)."""
    rec = load_record(conn, key)
    row = record_row(rec)
    conn.execute("DELETE FROM art_en WHERE rowid=?", (key,))
    conn.execute("INSERT INTO art_ar (art_ar, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                 (key, fold_arabic(row.title_ar), fold_arabic(row.ar_body)))
    for skey, ar, en in conn.execute("SELECT key, ar, en FROM sentences WHERE article=?",
                                     (key,)).fetchall():
        conn.execute("INSERT INTO sent_ar (sent_ar, rowid, ar) VALUES ('delete', ?, ?)",
                     (skey, fold_arabic(ar)))
        conn.execute("INSERT INTO sent_en (sent_en, rowid, en) VALUES ('delete', ?, ?)",
                     (skey, en))
        words.subtract(en_words(en))
    conn.execute("DELETE FROM sentences WHERE article=?", (key,))
    conn.execute("DELETE FROM articles WHERE key=?", (key,))


def _batches(lines: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def index_output(conn: sqlite3.Connection, path: Path, counts: IndexCounts,
                 batch_size: int = BATCH,
                 progress: Callable[[int], None] | None = None) -> None:
    """Add one output file's records; each batch is one transaction (all of it or none)."""
    run: int | None = None
    known: dict[str, tuple[int, str]] | None = None
    records = 0
    for batch in _batches(scan_output(path), batch_size):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if run is None:
                run, sig = _run_key(conn, path)
                counts.runs.add(sig)
                known = {rid: (key, h) for key, rid, h in conn.execute(
                    "SELECT key, rid, hash FROM articles WHERE run=?", (run,))}
            assert known is not None
            words: Counter[str] = Counter()
            for line in batch:
                rec = line.record
                if rec is None:
                    counts.unreadable += 1
                    continue
                records += 1
                raw = line.raw.rstrip(b"\n")
                digest = hashlib.sha1(raw).hexdigest()
                had = known.get(rec["id"])
                if had and had[1] == digest:
                    counts.unchanged += 1
                    continue
                if had:
                    _delete(conn, had[0], words)
                    counts.replaced += 1
                else:
                    counts.added += 1
                known[rec["id"]] = (_insert(conn, run, rec["id"], digest, raw, rec, words),
                                    digest)
            conn.executemany(
                "INSERT INTO en_words VALUES (?, ?) ON CONFLICT (word) "
                "DO UPDATE SET sentences = sentences + excluded.sentences",
                [(w, n) for w, n in words.items() if n])
            crash_point("index")  # tests: SIGKILL inside the transaction
            conn.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                         (str(path.resolve()), run, path.stat().st_size, records))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if progress:
            progress(len(batch))
    counts.files += 1


def index_outputs(db: Path, outputs: Iterable[Path], batch_size: int = BATCH,
                  progress: Callable[[int], None] | None = None) -> IndexCounts:
    """Index finished runs' outputs into `db` (created when missing); idempotent."""
    counts = IndexCounts()
    conn = connect(db)
    try:
        for path in outputs:
            index_output(conn, path, counts, batch_size, progress)
        conn.execute("PRAGMA optimize")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # readers find it all in the file
    finally:
        conn.close()
    return counts


# --------------------------------------------------------------------------- reading


def load_record(conn: sqlite3.Connection, key: int) -> dict[str, Any]:
    row = conn.execute("SELECT record FROM articles WHERE key=?", (key,)).fetchone()
    if row is None:
        raise KeyError(key)
    return json.loads(zlib.decompress(row[0]))


def iter_archive_records(conn: sqlite3.Connection) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every record in the archive with its run's signature, in index order."""
    for blob, sig in conn.execute("SELECT a.record, r.signature FROM articles a "
                                  "JOIN runs r ON r.key = a.run ORDER BY a.key"):
        yield sig, json.loads(zlib.decompress(blob))


ARTICLE_COLUMNS = ("a.key, a.rid, a.status, a.outlet, a.date, a.day, a.story, a.story_role, "
                   "a.title_en, a.title_ar, a.summary, a.flags, a.kinds, a.segments, "
                   "r.signature, a.first_sentence, a.last_sentence")


HIT_CHARS = 1000  # a listed article's title and summary are cut here
OUTLET_CHARS = 200


@dataclass
class ArticleRow:
    key: int
    id: str
    status: str
    outlet: str | None
    date: str | None
    day: str | None
    story: str | None
    story_role: str | None
    title_en: str
    title_ar: str
    summary: str
    flags: int
    kinds: list[str]
    segments: int
    run: str
    first_sentence: int | None = None
    last_sentence: int | None = None
    snippet: list[tuple[str, bool]] = field(default_factory=list)
    snippet_lang: str = "en"

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> ArticleRow:
        values = list(row)
        values[12] = (values[12] or "").split()
        # A row is a line of a list (hits, a story, the briefing): its texts cut, so a page
        # of rows stays small whatever a record holds (the article page shows them whole).
        for i in (8, 9, 10):  # title_en, title_ar, summary
            values[i] = cut(values[i] or "", HIT_CHARS)
        values[3] = cut(values[3], OUTLET_CHARS) if values[3] else values[3]
        return cls(*values)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "id": self.id, "run": self.run, "status": self.status,
                "outlet": self.outlet, "date": self.date, "story": self.story,
                "story_role": self.story_role, "title_en": self.title_en,
                "title_ar": self.title_ar, "summary": self.summary, "flags": self.flags,
                "flag_kinds": self.kinds, "segments": self.segments,
                **({"snippet": "".join(t for t, _ in self.snippet),
                    "highlights": [t for t, m in self.snippet if m]} if self.snippet else {})}


@dataclass
class Filters:
    outlet: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None
    story: str | None = None
    flag: str | None = None  # a flag kind, or "*" for any flag
    status: str | None = None

    def sql(self) -> tuple[str, list[Any]]:
        where, args = [], []
        if self.outlet:
            where.append("a.outlet = ?")
            args.append(self.outlet)
        if self.date_from:
            where.append("a.day >= ?")
            args.append(self.date_from)
        if self.date_to:
            where.append("a.day <= ?")
            args.append(self.date_to)
        if self.story:
            where.append("a.story = ?")
            args.append(self.story)
        if self.flag == "*":
            where.append("a.flags > 0")
        elif self.flag:
            where.append("instr(a.kinds, ?) > 0")
            args.append(f" {self.flag} ")
        if self.status:
            where.append("a.status = ?")
            args.append(self.status)
        return "".join(f" AND {w}" for w in where), args


@dataclass
class SearchResult:
    query: str
    lang: str
    total: int
    offset: int
    hits: list[ArticleRow]


SNIPPET_TOKENS = 24
# A snippet is cut from one matching sentence, at most this long, never from the whole
# article: FTS5's snippet() over a 100k-word article took seconds per query term (#36).
SNIPPET_WINDOW = 2000
SNIPPET_CHARS = 300  # what is shown of the Arabic window around its first mark
CONCORDANCE_CHARS = 600  # what a concordance line shows of each side
_EN_OPEN, _EN_CLOSE = "\x02", "\x03"  # snippet() markers; the window keeps no control char
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_scratch = threading.local()


def _snippet_pieces(text: str) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{_EN_OPEN}{_EN_CLOSE}]", text)):
        if part:
            pieces.append((part, i % 2 == 1))
    return pieces


def search(conn: sqlite3.Connection, query: str, lang: str = "en",
           filters: Filters | None = None, limit: int = 20, offset: int = 0,
           budget_s: float | None = None, stop: threading.Event | None = None
           ) -> SearchResult:
    """Articles matching `query` in English or Arabic, best first (bm25), with a snippet.

    QueryTooLong over the term caps; Busy past `budget_s` seconds or once `stop` is set."""
    if lang not in ("en", "ar"):
        raise ValueError(f"lang must be 'en' or 'ar', not {lang!r}")
    expr = fts_query(query, lang)
    if not expr:
        return SearchResult(query, lang, 0, offset, [])
    with budget(conn, budget_s, stop):
        return _search(conn, query, expr, lang, filters, limit, offset)


def _search(conn: sqlite3.Connection, query: str, expr: str, lang: str,
            filters: Filters | None, limit: int, offset: int) -> SearchResult:
    where, args = (filters or Filters()).sql()
    table = "art_en" if lang == "en" else "art_ar"
    # Title matches count more than the body's (bm25 weights per column).
    weights = "10.0, 3.0, 1.0" if lang == "en" else "10.0, 1.0"
    # The FTS table counts and ranks, the articles table (by key, FTS first: CROSS JOIN keeps
    # that order) only when a filter needs it; the page's rows are fetched afterwards.
    source = f"{table} f CROSS JOIN articles a ON a.key = f.rowid" if where else f"{table} f"
    total = conn.execute(f"SELECT count(*) FROM {source} WHERE {table} MATCH ?{where}",
                         [expr, *args]).fetchone()[0]
    keys = [r[0] for r in conn.execute(
        f"SELECT f.rowid FROM {source} WHERE {table} MATCH ?{where} "
        f"ORDER BY bm25({table}, {weights}) LIMIT ? OFFSET ?", [expr, *args, limit, offset])]
    rows = {r[0]: ArticleRow.of(r) for r in conn.execute(
        f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN runs r ON r.key = a.run "
        f"WHERE a.key IN ({','.join('?' * len(keys))})", keys)} if keys else {}
    hits = []
    words = query_words(query, lang)
    for key in keys:
        hit = rows[key]
        if lang == "en":
            hit.snippet = _english_snippet(conn, hit, expr)
        else:
            hit.snippet = _arabic_snippet(conn, hit, expr, words)
            hit.snippet_lang = "ar"
        hits.append(hit)
    return SearchResult(query, lang, total, offset, hits)


def _first_sentence(conn: sqlite3.Connection, table: str, hit: ArticleRow,
                    expr: str) -> str:
    """The article's first sentence holding any term of the query ("" when none does)."""
    if hit.first_sentence is None:
        return ""
    found = conn.execute(
        f"SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid BETWEEN ? AND ? LIMIT 1",
        (any_of(expr), hit.first_sentence, hit.last_sentence)).fetchone()
    if not found:
        return ""
    return conn.execute(f"SELECT {'en' if table == 'sent_en' else 'ar'} FROM sentences "
                        "WHERE key=?", found).fetchone()[0]


def _scratch_table() -> sqlite3.Connection:
    """A one-row FTS5 table in memory, per thread, tokenised as art_en: snippet() there marks
    the terms exactly as the search matched them, on a window of bounded size."""
    scratch = getattr(_scratch, "conn", None)
    if scratch is None:
        scratch = _scratch.conn = sqlite3.connect(":memory:", check_same_thread=False)
        scratch.execute("CREATE VIRTUAL TABLE w USING fts5(t, tokenize = "
                        "'porter unicode61 remove_diacritics 2')")
    return scratch


def _english_snippet(conn: sqlite3.Connection, hit: ArticleRow,
                     expr: str) -> list[tuple[str, bool]]:
    window = _first_sentence(conn, "sent_en", hit, expr) or \
        " … ".join(t for t in (hit.title_en, hit.summary) if t)
    window = _CONTROLS.sub(" ", window[:SNIPPET_WINDOW])
    scratch = _scratch_table()
    with scratch:
        scratch.execute("DELETE FROM w")
        scratch.execute("INSERT INTO w VALUES (?)", (window,))
        row = scratch.execute(
            f"SELECT snippet(w, 0, '{_EN_OPEN}', '{_EN_CLOSE}', ' … ', {SNIPPET_TOKENS}) "
            "FROM w WHERE w MATCH ?", (any_of(expr),)).fetchone()
    return _snippet_pieces(row[0]) if row else [(cut(window, SNIPPET_CHARS), False)]


def _arabic_snippet(conn: sqlite3.Connection, hit: ArticleRow, expr: str,
                    words: list[str]) -> list[tuple[str, bool]]:
    """The article's first sentence that matches, in its own spelling, the match marked."""
    text = (_first_sentence(conn, "sent_ar", hit, expr) or hit.title_ar)[:SNIPPET_WINDOW]
    return around_first_mark(mark_words(text, words, "ar"), SNIPPET_CHARS)


def around_first_mark(pieces: list[tuple[str, bool]], chars: int) -> list[tuple[str, bool]]:
    """At most about `chars` characters of `pieces`, from a little before the first mark."""
    first = next((i for i, (_, marked) in enumerate(pieces) if marked), 0)
    before = pieces[first - 1][0] if first else ""
    out: list[tuple[str, bool]] = []
    if before:
        out.append(("…" + before[-chars // 3:] if len(before) > chars // 3 else before, False))
    room = chars - len(out[0][0]) if out else chars
    for text, marked in pieces[first:]:
        if room <= 0:
            out.append(("…", False))
            break
        out.append((cut(text, room) if not marked else text, marked))
        room -= len(text)
    return out


def articles(conn: sqlite3.Connection, filters: Filters | None = None, limit: int = 50,
             offset: int = 0, order: str = "a.day DESC, a.story, a.key") -> list[ArticleRow]:
    where, args = (filters or Filters()).sql()
    rows = conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN runs r ON r.key = a.run "
                        f"WHERE 1{where} ORDER BY {order} LIMIT ? OFFSET ?",
                        [*args, limit, offset]).fetchall()
    return [ArticleRow.of(r) for r in rows]


def article(conn: sqlite3.Connection, key: int) -> tuple[ArticleRow, dict[str, Any]] | None:
    row = conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN runs r ON r.key = a.run "
                       "WHERE a.key = ?", (key,)).fetchone()
    if row is None:
        return None
    return ArticleRow.of(row), load_record(conn, key)


def articles_by_id(conn: sqlite3.Connection, rid: str) -> list[ArticleRow]:
    """Every article with this record id, one per run that has it."""
    rows = conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN runs r ON r.key = a.run "
                        "WHERE a.rid = ? ORDER BY a.key", (rid,)).fetchall()
    return [ArticleRow.of(r) for r in rows]


@dataclass
class StoryDay:
    story: str
    day: str | None
    articles: list[ArticleRow]  # the first BRIEFING_ARTICLES of them
    size: int = 0  # how many articles the story has that day
    outlets: list[str] = field(default_factory=list)

    @property
    def lead(self) -> ArticleRow:
        return next((a for a in self.articles if a.story_role == "lead"), self.articles[0])


BRIEFING_ARTICLES = 8  # per story on the briefing; the story page lists them all


def latest_day(conn: sqlite3.Connection) -> str | None:
    return conn.execute("SELECT max(day) FROM articles").fetchone()[0]


def briefing(conn: sqlite3.Connection, day: str | None, limit: int = 50,
             offset: int = 0) -> tuple[int, list[StoryDay]]:
    """The stories of one day, the most reported first: (how many stories, this page)."""
    cond, args = ("a.day = ?", [day]) if day else ("a.day IS NULL", [])
    key = "coalesce(a.story, 'article:' || a.key)"
    total = conn.execute(f"SELECT count(DISTINCT {key}) FROM articles a WHERE {cond}",
                         args).fetchone()[0]
    page = conn.execute(
        f"SELECT {key} AS s, count(*) AS n, min(a.key), group_concat(DISTINCT a.outlet) "
        f"FROM articles a WHERE {cond} GROUP BY s ORDER BY n DESC, min(a.key) LIMIT ? OFFSET ?",
        [*args, limit, offset]).fetchall()
    out = []
    for story_key, n, first, outlets in page:
        if story_key.startswith("article:"):
            rows = articles_where(conn, "a.key = ?", [first])
        else:
            # The lead first, then the others in date order.
            rows = articles_where(conn, f"a.story = ? AND {cond}", [story_key, *args],
                                  limit=BRIEFING_ARTICLES,
                                  order="a.story_role = 'lead' DESC, a.date, a.key")
        out.append(StoryDay(story_key, day, rows, n, sorted((outlets or "").split(",")) if
                            outlets else []))
    return total, out


def articles_where(conn: sqlite3.Connection, where: str, args: list[Any], limit: int = 1000,
                   order: str = "a.day, a.date, a.key") -> list[ArticleRow]:
    rows = conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN runs r ON r.key = a.run "
                        f"WHERE {where} ORDER BY {order} LIMIT ?",
                        [*args, limit]).fetchall()
    return [ArticleRow.of(r) for r in rows]


def story(conn: sqlite3.Connection, story_id: str, limit: int = 200,
          offset: int = 0) -> tuple[int, list[ArticleRow]]:
    """Every article of a story, every outlet and every day, oldest first."""
    total = conn.execute("SELECT count(*) FROM articles WHERE story = ?",
                         (story_id,)).fetchone()[0]
    rows = conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN runs r ON r.key = a.run "
                        "WHERE a.story = ? ORDER BY a.day, a.date, a.key LIMIT ? OFFSET ?",
                        (story_id, limit, offset)).fetchall()
    return total, [ArticleRow.of(r) for r in rows]


def stats(conn: sqlite3.Connection) -> dict[str, Any]:
    one = conn.execute
    return {"articles": one("SELECT count(*) FROM articles").fetchone()[0],
            "sentences": one("SELECT count(*) FROM sentences").fetchone()[0],
            "runs": one("SELECT count(*) FROM runs").fetchone()[0],
            "outlets": [r[0] for r in one("SELECT DISTINCT outlet FROM articles "
                                          "WHERE outlet IS NOT NULL ORDER BY outlet")],
            "days": one("SELECT min(day), max(day) FROM articles").fetchone()}


# --------------------------------------------------------------------------- concordance



@dataclass
class ConcordanceLine:
    article: int
    article_id: str
    run: str
    outlet: str | None
    day: str | None
    n: int
    ar: list[tuple[str, bool]]
    en: list[tuple[str, bool]]
    flagged: bool


@dataclass
class Concordance:
    phrase: str
    total: int
    offset: int
    lines: list[ConcordanceLine]
    renderings: list[tuple[str, int, float]]  # English word, pairs with it, Dice


def _renderings(conn: sqlite3.Connection, n_ar: int, sample: list[str]
                ) -> list[tuple[str, int, float]]:
    """English words associated with the Arabic term across the corpus, by the Dice
    coefficient over sentence pairs: 2·|pairs with both| / (|with the term| + |with the word|).

    |with the term| is exact (the FTS count); |with the word| is exact (en_words, kept at
    indexing); |with both| is counted on a sample of the term's pairs (all of them up to
    CONCORDANCE_SAMPLE) and scaled to the whole."""
    if not sample:
        return []
    freq: Counter[str] = Counter()
    for en in sample:
        freq.update(en_words(en))
    candidates = freq.most_common(40)
    got = dict(conn.execute(
        f"SELECT word, sentences FROM en_words WHERE word IN ({','.join('?' * len(candidates))})",
        [w for w, _ in candidates]).fetchall()) if candidates else {}
    scale = n_ar / len(sample)
    out = []
    for word, in_sample in candidates:
        both = round(in_sample * scale)
        dice = 2 * both / (n_ar + got.get(word, both))
        out.append((word, both, dice))
    out.sort(key=lambda t: (-t[2], -t[1], t[0]))
    # Kept: the words clearly tied to the term (a word in every sentence of a one-pair
    # concordance is no evidence, so a lone pair marks nothing but shared numbers).
    return [t for t in out if t[2] >= 0.2 and t[1] >= 2][:5]


def concordance(conn: sqlite3.Connection, phrase: str, filters: Filters | None = None,
                limit: int = 50, offset: int = 0, budget_s: float | None = None,
                stop: threading.Event | None = None) -> Concordance:
    """Every aligned sentence whose Arabic holds `phrase` (folded, as search), beside its
    English, the English words that render it marked where they can be found.

    QueryTooLong over MAX_TERMS words; Busy past `budget_s` seconds or once `stop` is set."""
    words = query_words(phrase, "ar")
    if not words:
        return Concordance(phrase, 0, offset, [], [])
    if len(words) > MAX_TERMS:
        raise QueryTooLong(f"a concordance phrase takes at most {MAX_TERMS} words; this one "
                           f"has {len(words)}")
    with budget(conn, budget_s, stop):
        return _concordance(conn, phrase, words, filters, limit, offset)


def _concordance(conn: sqlite3.Connection, phrase: str, words: list[str],
                 filters: Filters | None, limit: int, offset: int) -> Concordance:
    expr = '"' + " ".join(words) + '"'
    where, args = (filters or Filters()).sql()
    base = ("FROM sent_ar f CROSS JOIN sentences s ON s.key = f.rowid "
            "CROSS JOIN articles a ON a.key = s.article CROSS JOIN runs r ON r.key = a.run "
            f"WHERE sent_ar MATCH ?{where}")
    n_ar = conn.execute("SELECT count(*) FROM sent_ar WHERE sent_ar MATCH ?",
                        (expr,)).fetchone()[0]
    total = conn.execute(f"SELECT count(*) {base}", [expr, *args]).fetchone()[0] if where \
        else n_ar
    # The sample: every n-th matching sentence, so it spans the corpus, not its first runs.
    step = max(1, n_ar // CONCORDANCE_SAMPLE)
    sample = [r[0] for r in conn.execute(
        "SELECT s.en FROM (SELECT rowid, row_number() OVER (ORDER BY rowid) AS i FROM sent_ar "
        "WHERE sent_ar MATCH ?) f JOIN sentences s ON s.key = f.rowid WHERE f.i % ? = 0 "
        "LIMIT ?", (expr, step, CONCORDANCE_SAMPLE))]
    renderings = _renderings(conn, n_ar, sample)
    rendered = [w for w, _, _ in renderings]
    rows = conn.execute(
        f"SELECT s.article, a.rid, r.signature, a.outlet, a.day, s.n, s.ar, s.en, s.flagged "
        f"{base} ORDER BY s.key LIMIT ? OFFSET ?", [expr, *args, limit, offset]).fetchall()
    phrase_folded = " ".join(words)
    lines = []
    for art, rid, run, outlet, day, n, ar, en, flagged in rows:
        # Numbers and Latin tokens the Arabic carries as they are mark themselves too.
        same = [t for t in _EN_WORD.findall(ar[:SNIPPET_WINDOW]) if t.lower() not in _STOP]
        # Each side is shown around its first mark, so a page of very long sentences stays
        # small (the article page has them whole).
        lines.append(ConcordanceLine(
            art, rid, run, cut(outlet, OUTLET_CHARS) if outlet else outlet, day, n,
            around_first_mark(mark_words(ar[:SNIPPET_WINDOW], [phrase_folded], "ar"),
                              CONCORDANCE_CHARS),
            around_first_mark(_mark_en(en[:SNIPPET_WINDOW], rendered + same),
                              CONCORDANCE_CHARS), bool(flagged)))
    return Concordance(phrase, total, offset, lines, renderings)


def _mark_en(text: str, words: list[str]) -> list[tuple[str, bool]]:
    # A rendering is marked with its inflections ("ministry" in "ministries'"): the word's
    # stem-like prefix, then letters.
    forms = []
    for w in words:
        if w and w[0].isalpha() and len(w) > 3:
            forms.append(w[:-1] if w.endswith(("y", "e")) else w)
        elif w:
            forms.append(w)
    if not forms:
        return [(text, False)]
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(f) for f in
                                                   sorted(set(forms), key=len, reverse=True))
                         + r")[a-z'’]*(?![\w])", re.IGNORECASE)
    return cut_at(text, ((m.start(), m.end(), True) for m in pattern.finditer(text)), False)
