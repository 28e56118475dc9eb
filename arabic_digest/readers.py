"""Corpus readers: JSONL, JSON arrays, CSV/TSV, .txt files, folders of them, and stdin.

Each reader yields `Article`s; a line or row that cannot be read yields an `Article` with
`error` set instead of raising, so one bad line never stops (or silently shrinks) a batch.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEXT_FIELDS = ("text", "body", "content", "article")
TITLE_FIELDS = ("title", "headline")
ID_FIELDS = ("id",)
SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt"}

# CSV cells can hold whole articles.
csv.field_size_limit(2**31 - 1)


class InputError(Exception):
    """An input that cannot be read at all (missing file, unknown format)."""


@dataclass
class Article:
    id: str
    text: str | None
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    origin: str = ""  # "<file>:<line>", for messages
    error: dict[str, str] | None = None  # set when the input itself was bad


@dataclass(frozen=True)
class Fields:
    """Which fields hold the text, title and id; None means detect."""

    text: str | None = None
    title: str | None = None
    id: str | None = None


def _pick(keys: Iterable[str], wanted: str | None, candidates: tuple[str, ...]) -> str | None:
    keys = list(keys)
    if wanted is not None:
        return wanted if wanted in keys else None
    lowered = {k.lower(): k for k in keys}
    for name in candidates:
        if name in lowered:
            return lowered[name]
    return None


def article_from_mapping(obj: Any, origin: str, fields: Fields) -> Article:
    """Turn one JSON object / CSV row into an Article (or an error Article)."""
    if not isinstance(obj, dict):
        return _bad(origin, "ValueError", f"expected a JSON object, got {type(obj).__name__}")
    id_key = _pick(obj, fields.id, ID_FIELDS)
    text_key = _pick(obj, fields.text, TEXT_FIELDS)
    title_key = _pick(obj, fields.title, TITLE_FIELDS)
    raw_id = obj.get(id_key) if id_key else None
    art_id = str(raw_id) if raw_id not in (None, "") else origin
    meta = {k: v for k, v in obj.items() if k not in {id_key, text_key, title_key}}
    title = obj.get(title_key) if title_key else None
    if title is not None and not isinstance(title, str):
        title = str(title)
    if text_key is None:
        wanted = fields.text or "|".join(TEXT_FIELDS)
        message = f"{origin}: no text field ({wanted})"
        return Article(art_id, None, title, meta, origin, _err("KeyError", message))
    text = obj[text_key]
    if not isinstance(text, str):
        got = type(text).__name__
        msg = f"{origin}: field {text_key!r} is {got}, not a string"
        return Article(art_id, None, title, meta, origin, _err("TypeError", msg))
    return Article(art_id, text, title, meta, origin)


def _err(kind: str, message: str) -> dict[str, str]:
    return {"stage": "read", "type": kind, "message": message}


def _bad(origin: str, kind: str, message: str) -> Article:
    return Article(origin, None, None, {}, origin, _err(kind, f"{origin}: {message}"))


def read_jsonl_stream(stream: io.TextIOBase, name: str, fields: Fields) -> Iterator[Article]:
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        origin = f"{name}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _bad(origin, "JSONDecodeError", f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield article_from_mapping(obj, origin, fields)


def read_json_array(path: Path, fields: Fields) -> Iterator[Article]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        yield _bad(f"{path.name}:{exc.lineno}", "JSONDecodeError", f"invalid JSON ({exc.msg})")
        return
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        yield _bad(path.name, "ValueError", "expected a JSON array of objects")
        return
    for i, obj in enumerate(data, 1):
        yield article_from_mapping(obj, f"{path.name}:{i}", fields)


def read_csv(path: Path, fields: Fields) -> Iterator[Article]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        # Line numbers count the header as line 1, like a spreadsheet would.
        for row in reader:
            yield article_from_mapping(dict(row), f"{path.name}:{reader.line_num}", fields)


def read_txt(path: Path) -> Iterator[Article]:
    """One article per file; its first line is the title when a blank line follows it."""
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    title = None
    if len(lines) >= 2 and lines[0].strip() and not lines[1].strip():
        title = lines[0].strip()
    yield Article(path.stem, text, title, {"path": str(path)}, f"{path.name}:1")


def _read_file(path: Path, fields: Fields) -> Iterator[Article]:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8-sig") as fh:
            yield from read_jsonl_stream(fh, path.name, fields)
    elif suffix == ".json":
        yield from read_json_array(path, fields)
    elif suffix in (".csv", ".tsv"):
        yield from read_csv(path, fields)
    elif suffix == ".txt":
        yield from read_txt(path)
    else:
        raise InputError(f"{path}: unknown input format (use {', '.join(sorted(SUFFIXES))})")


def check_inputs(inputs: Iterable[str]) -> None:
    """Fail before any model loads if an input cannot be read at all."""
    for name in inputs:
        if name == "-":
            continue
        path = Path(name)
        if not path.exists():
            raise InputError(f"{name}: no such file or folder")
        if path.is_file() and path.suffix.lower() not in SUFFIXES:
            raise InputError(f"{name}: unknown input format (use {', '.join(sorted(SUFFIXES))})")


def read_inputs(inputs: Iterable[str], fields: Fields = Fields()) -> Iterator[Article]:
    """Yield articles from every input in order; folders are read recursively, sorted."""
    for name in inputs:
        if name == "-":
            yield from read_jsonl_stream(sys.stdin, "<stdin>", fields)
            continue
        path = Path(name)
        if path.is_dir():
            files = (p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            for file in sorted(files):
                yield from _read_file(file, fields)
        else:
            yield from _read_file(path, fields)
