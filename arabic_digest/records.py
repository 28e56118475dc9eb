"""Output records (schema_version 1) and their JSONL file: append, fsync, resume, repair.

The record's shape is typed here (TypedDicts: what `json.loads` gives back is exactly this)
and built here: `base_record`, `error_record`, `clean_part` and `translation_part`; trust
(flags, scores), summaries and stories add their own keys to those parts. `dumps` is the one
serialiser and `scan_output` the one reader of output files.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from arabic_digest.errors import ArabicDigestError
from arabic_digest.guard import crash_point
from arabic_digest.inputs.readers import Article
from arabic_digest.text import escape_surrogates, scalar

SCHEMA_VERSION = 1


class ErrorPart(TypedDict):
    stage: str  # read, clean, language, translate, summarize, stories
    type: str
    message: str


class SourcePart(TypedDict):
    title: str | None
    text: str | None  # exactly as read (None when the input itself was bad)
    meta: dict[str, Any]
    # escaped: {"id"|"title"|"text"|"meta": as read, each lone surrogate written `\\udXXX`},
    # only for fields that held one (the fields above hold U+FFFD instead; readers.py)


class CleanPart(TypedDict, total=False):
    title: str | None
    dateline: str | None
    paragraphs: list[str]  # what is translated
    removed: list[dict[str, Any]]  # every removal, with its kind and text
    signature: str
    source: str  # the source whose learned boilerplate applied
    language: dict[str, Any]
    untranslated: list[dict[str, Any]]  # paragraphs in another language, kept as they are


class SegmentPart(TypedDict, total=False):
    paragraph: int
    source: str
    target: str
    split: bool
    score: float | None
    retried: bool
    retry: dict[str, Any]


class TranslationPart(TypedDict, total=False):
    title: str | None
    paragraphs: list[str]
    segments: list[SegmentPart]
    flags: list[dict[str, Any]]
    score: float | None
    retry_skipped: int
    terms_inconsistent: list[dict[str, Any]]


class Record(TypedDict):
    schema_version: int
    id: str
    status: str  # ok | error | skipped
    error: ErrorPart | None
    source: SourcePart
    clean: CleanPart | None
    translation: TranslationPart | None
    summary: dict[str, Any] | None  # summarize.Summary.to_record(), plus its flags
    models: dict[str, str]
    timing_s: dict[str, float]
    # story: {id, size, role}, when the run grouped stories (stories.py)


def clean_part(cleaned: Any, signature: str, source: str | None) -> CleanPart:
    """`clean` of a record, from translate.clean's CleanedArticle."""
    part = CleanPart(title=cleaned.title, dateline=cleaned.dateline,
                     paragraphs=cleaned.paragraphs, removed=cleaned.removed,
                     signature=signature)
    if source is not None:
        part["source"] = source  # which learned units applied
    return part


def translation_part(title: str | None, paragraphs: list[str],
                     segments: list[SegmentPart]) -> TranslationPart:
    """`translation` of a record; trust.reviewed adds flags and scores."""
    return TranslationPart(title=title, paragraphs=paragraphs, segments=segments, flags=[])


def base_record(article: Article) -> Record:
    """The parts every record has, whatever its status."""
    source = SourcePart(title=article.title, text=article.text, meta=article.meta)
    if article.escaped:
        source["escaped"] = article.escaped  # type: ignore[typeddict-unknown-key]
    return {
        "schema_version": SCHEMA_VERSION,
        "id": article.id,
        "status": "ok",
        "error": None,
        "source": source,
        "clean": None,
        "translation": None,
        "summary": None,
        "models": {},
        "timing_s": {},
    }


def error_record(article: Article, stage: str, exc_type: str, message: str) -> Record:
    rec = base_record(article)
    rec["status"] = "error"
    rec["error"] = ErrorPart(stage=stage, type=exc_type, message=message)
    return rec


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def dumps(record: dict[str, Any]) -> str:
    # ensure_ascii=False keeps Arabic readable in the file; one record, one line. A lone
    # surrogate cannot be written as UTF-8; inside a JSON string its \\uXXXX escape is valid
    # JSON that reads back as the very same string.
    return escape_surrogates(json.dumps(record, ensure_ascii=False, separators=(",", ":"))) + "\n"


class OutputWriteError(OSError):
    """Records could not be appended; the file was cut back to its last complete record."""


STATUSES = ("ok", "error", "skipped")


class NotAnOutput(ArabicDigestError, ValueError):
    """A file that holds no arabic-digest records (a raw input, or some other JSONL)."""


class DuplicateRecord(ValueError):
    """A second record for an id the output already holds (ids are unique by construction)."""


@dataclass
class OutputLine:
    """One line of an output file as read back: where it is, and its record or what is wrong."""

    number: int  # 1-based
    offset: int  # byte offset of its first byte
    raw: bytes  # with its b"\n", if it has one
    record: dict[str, Any] | None  # None when the line is not a whole, valid record
    problem: str = ""  # why it is not a record


def _problem(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    if not raw.endswith(b"\n"):
        return None, "torn last line (no newline)"
    try:
        rec = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None, f"not JSON ({exc})"
    if not isinstance(rec, dict):
        return None, "not a JSON object"
    if _SURROGATE_ESCAPE.search(raw):
        # Written before readers replaced lone surrogates (or by another tool): the same
        # U+FFFD here, so what reads outputs (index, export, report) meets valid Unicode only.
        rec = json.loads(scalar(json.dumps(rec, ensure_ascii=False)))
    if not isinstance(rec.get("id"), str):
        return None, "no string id"
    if rec.get("status") not in STATUSES or "schema_version" not in rec:
        return None, "not an arabic-digest record (no schema_version or status)"
    return rec, ""


def scan_output(path: Path) -> Iterator[OutputLine]:
    """The one reader of output files: every non-blank line, with its record or its problem.

    Lines are split on b"\\n" only. Records are written with ensure_ascii=False, so a text may
    hold U+2028, U+2029, U+0085 or \\x1c-\\x1e raw; `str.splitlines` would cut records there.
    """
    offset = 0
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):  # binary files iterate on b"\n" only
            if raw.strip():
                rec, problem = _problem(raw)
                yield OutputLine(number, offset, raw, rec, problem)
            offset += len(raw)


def read_records(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The records of an output file, and how many lines were not records (torn or foreign).

    Raises NotAnOutput when the file holds not one record: a raw input given by mistake, or
    an empty file.
    """
    records: list[dict[str, Any]] = []
    bad = 0
    first_problem = ""
    for line in scan_output(path):
        if line.record is None:
            bad += 1
            first_problem = first_problem or f"line {line.number}: {line.problem}"
        else:
            records.append(line.record)
    if not records:
        why = f" ({first_problem})" if bad else " (it is empty)"
        raise NotAnOutput(f"{path} is not an arabic-digest output{why}; give the JSONL that "
                          "`arabic-digest run` wrote")
    return records, bad


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a finished output file, in order (lines that are not records are skipped)."""
    for line in scan_output(path):
        if line.record is not None:
            yield line.record


@contextmanager
def replacing(path: Path, crash: str = "") -> Iterator[Path]:
    """The path to write a new version of `path` to (beside it, so the rename is atomic): it
    is renamed over `path` when the block ends and removed if it raises. Old or new, never
    half; every writer of a finished file goes through here."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        yield tmp
        if crash:
            crash_point(crash)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # e.g. the output is a folder: leave nothing behind
        raise


def _atomic_write_bytes(path: Path, chunks: Iterable[bytes], crash: str = "") -> None:
    with replacing(path, crash) as tmp, tmp.open("wb") as fh:
        fh.writelines(chunks)
        fh.flush()
        os.fsync(fh.fileno())


def write_text_atomic(path: Path, text: str, crash: str = "") -> None:
    _atomic_write_bytes(path, [text.encode("utf-8")], crash)


def write_json_atomic(path: Path, data: Any) -> None:
    text = escape_surrogates(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"
    write_text_atomic(path, text, crash="manifest")


class RecordFile:
    """An output JSONL file that is only ever appended to in whole lines.

    Opening it repairs a torn last line (a crash mid-write) and reports which ids are done,
    so a rerun of the same command resumes where the last one stopped.
    """

    def __init__(self, path: Path, *, overwrite: bool = False, retry_errors: bool = False) -> None:
        self.path = path
        self.repaired = 0  # lines dropped because they were torn or invalid
        self.retried = 0  # error records dropped to be redone
        self.done: dict[str, str] = {}  # id -> status of records already in the file
        path.parent.mkdir(parents=True, exist_ok=True)
        if overwrite or not path.exists():
            _atomic_write_bytes(path, [])
        else:
            self._load(retry_errors)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        self.good = os.fstat(self._fd).st_size  # end of the last complete record

    def _load(self, retry_errors: bool) -> None:
        keep: list[bytes] = []
        for line in scan_output(self.path):
            rec = line.record
            if rec is None or rec["id"] in self.done:
                self.repaired += 1  # torn, foreign, or a second record of one id
                continue
            if retry_errors and rec["status"] == "error":
                self.retried += 1
                continue
            self.done[rec["id"]] = rec["status"]
            keep.append(line.raw)
        if self.repaired or self.retried:
            _atomic_write_bytes(self.path, keep, crash="repair")

    def append(self, records: list[dict[str, Any]]) -> None:
        """Write whole records, then fsync: a crash loses at most this batch.

        A failed write (disk full, file size limit, I/O error) cuts the file back to the end
        of the last complete record before raising, so it never ends in a partial line.
        """
        if not records:
            return
        ids = [r["id"] for r in records]
        again = [i for i in ids if i in self.done]
        if again or len(set(ids)) < len(ids):
            again = again or [i for i in ids if ids.count(i) > 1]
            raise DuplicateRecord(f"{self.path} already holds a record for id {again[0]!r}; "
                                  "an output holds exactly one record per id")
        data = "".join(dumps(r) for r in records).encode("utf-8")
        crash_point("append", lambda: os.write(self._fd, data[: len(data) // 2]))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]
            crash_point("fsync")
            os.fsync(self._fd)
        except OSError as exc:
            try:
                os.ftruncate(self._fd, self.good)
            except OSError:
                pass  # the next open repairs a torn last line anyway
            raise OutputWriteError(exc.errno, f"cannot write {self.path}: {exc.strerror}; "
                                   f"it holds {len(self.done)} complete records") from exc
        self.good += len(data)
        for r in records:
            self.done[r["id"]] = r["status"]

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def reorder(self, order: list[str]) -> bool:
        """Rewrite the file in input order if resuming or retrying left it out of order."""
        position = {id_: i for i, id_ in enumerate(order)}
        lines = [(position.get(ln.record["id"], len(order)) if ln.record else len(order), ln.raw)
                 for ln in scan_output(self.path)]
        keys = [k for k, _ in lines]
        if keys == sorted(keys):
            return False
        ordered = [raw for _, raw in sorted(lines, key=lambda kv: kv[0])]
        _atomic_write_bytes(self.path, ordered, crash="reorder")
        return True
