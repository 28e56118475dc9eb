"""Indexing: `index_outputs` adds output files (read with records.scan_output, the one reader)
to the archive, one transaction per batch of records, in WAL mode: a killed `index` leaves the
database as it was before the batch, and a rerun adds what is missing. A record of the same run
and id that changed (a retried error) replaces the one indexed before."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arabic_digest.archive.fold import en_words, fold_arabic
from arabic_digest.archive.row import ArticleRow
from arabic_digest.archive.store import connect, load_record
from arabic_digest.guard import crash_point
from arabic_digest.identity import signature
from arabic_digest.manifest import read_manifest
from arabic_digest.records import scan_output

BATCH = 500  # records per transaction

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


def _insert(conn: sqlite3.Connection, run: int, rid: str, digest: str, raw: bytes,
            rec: dict[str, Any], words: Counter[str]) -> int:
    row = ArticleRow.from_record(rec)
    for s in row.sentences:
        words.update(en_words(s[3]))
    blob = zlib.compress(raw, 6)
    cur = conn.execute(
        "INSERT INTO articles (run, rid, hash, status, outlet, date, day, story, story_role, "
        "title_en, title_ar, summary, flags, kinds, segments, record) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (run, rid, digest, row.status, row.outlet, row.date, row.day, row.story,
         row.story_role, row.title_en, row.title_ar, row.summary, row.flags,
         row.kinds_column, row.segments, blob))
    key = int(cur.lastrowid or 0)
    conn.execute("INSERT INTO art_en (rowid, title, summary, body) VALUES (?,?,?,?)",
                 (key, row.title_en, row.summary, row.en_body))
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
    row = ArticleRow.from_record(rec)
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


