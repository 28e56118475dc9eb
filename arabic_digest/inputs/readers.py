"""Corpus readers: JSONL, JSON arrays, CSV/TSV, .txt and .html files, Parquet/Arrow files and
saved Hugging Face datasets (columnar.py), WARC/ARC crawls (warc.py), any of the text formats
compressed (.gz, .bz2, .xz, .zst: compressed.py), folders, and stdin.

Each reader yields `Article`s; a line or row that cannot be read yields an `Article` with
`error` set instead of raising, so one bad line never stops (or silently shrinks) a batch.
Bytes are decoded by `encodings.py` (BOMs, UTF-8, Arabic codepages; or --encoding); bytes
that do not decode make only the article that holds them an error.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from arabic_digest.errors import ArabicDigestError
from arabic_digest.inputs import encodings
from arabic_digest.inputs.compressed import CorruptStream, open_binary, read_all, split_suffix
from arabic_digest.inputs.htmltext import looks_like_html
from arabic_digest.inputs.pagemeta import decode_html
from arabic_digest.inputs.pages import extract_page
from arabic_digest.text import escape_surrogates, has_surrogate, scalar

# html/raw last: scraped corpora keep the raw page there (it goes through the page extractor)
TEXT_FIELDS = ("text", "body", "content", "article", "html", "raw_html", "raw")
TITLE_FIELDS = ("title", "headline")
ID_FIELDS = ("id",)
DEFAULT_MAX_ARTICLE_CHARS = 200_000
SNIFF_BYTES = 1 << 18  # the head of a streamed file that picks its encoding

# CSV cells can hold whole articles.
csv.field_size_limit(2**31 - 1)


class InputError(ArabicDigestError):
    """An input that cannot be read at all (missing file, unknown format)."""


@dataclass
class Article:
    id: str
    text: str | None
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    origin: str = ""  # "<file>:<line>", for messages
    error: dict[str, str] | None = None  # set when the input itself was bad
    # Set when the item is not an article at all (a crawl's request, redirect, image...): why.
    # Readers yield these so that they can be counted; `read_inputs` never passes them on.
    passed_over: str | None = None
    # The fields that held lone surrogates, as read, each surrogate written `\\udXXX`
    # (the record's source.escaped); the fields themselves hold U+FFFD instead.
    escaped: dict[str, Any] | None = None
    # what the page extractor dropped ({"kind": "page", "reason", "text"}): clean.removed
    removed: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Fields:
    """Which fields hold the text, title and id; None means detect."""

    text: str | None = None
    title: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class ReadOptions:
    """How to decode and bound inputs (see encodings.py)."""

    encoding: str | None = None  # None: detect per file
    max_article_chars: int | None = DEFAULT_MAX_ARTICLE_CHARS  # None: no limit


def _too_long(art_id: str, origin: str, n: int, opts: ReadOptions, meta: dict,
              title: str | None = None, at_least: bool = False) -> Article:
    meta = {**meta, "text_chars": n}
    size = f"at least {n}" if at_least else str(n)
    msg = (f"{origin}: article of {size} characters is over --max-article-chars "
           f"{opts.max_article_chars}; raise the limit to process it")
    return Article(art_id, None, title, meta, origin, _err("ArticleTooLong", msg))


def _set_encoding(meta: dict[str, Any], encoding: str) -> None:
    # Never overwrite an input field that happens to be called "encoding".
    meta["input_encoding" if "encoding" in meta else "encoding"] = encoding


def _pick(keys: Iterable[str], wanted: str | None, candidates: tuple[str, ...]) -> str | None:
    keys = list(keys)
    if wanted is not None:
        return wanted if wanted in keys else None
    lowered = {k.lower(): k for k in keys}
    for name in candidates:
        if name in lowered:
            return lowered[name]
    return None


def article_from_mapping(obj: Any, origin: str, fields: Fields,
                         opts: ReadOptions | None = None, encoding: str | None = None) -> Article:
    """Turn one JSON object / CSV row into an Article (or an error Article)."""
    art = _from_mapping(obj, origin, fields)
    if encoding:
        _set_encoding(art.meta, encoding)
    if art.error or art.text is None:
        return art
    opts = opts or ReadOptions()
    limit = opts.max_article_chars
    if looks_like_html(art.text):
        if limit is not None and len(art.text) > 4 * limit:  # far over even after stripping
            return _too_long(art.id, origin, len(art.text), opts, art.meta, art.title)
        url = next((art.meta[k] for k in ("url", "link", "source_url")
                    if isinstance(art.meta.get(k), str)), None)
        page = extract_page(art.text, url)
        art.text = page.text
        art.meta["converted_from"] = "html"
        for key, value in page.meta.items():  # the row's own fields win
            art.meta.setdefault(key, value)
        art.title = art.title or page.title
        art.removed = page.removed
    if limit is not None and len(art.text) > limit:
        return _too_long(art.id, origin, len(art.text), opts, art.meta, art.title)
    return art


def _from_mapping(obj: Any, origin: str, fields: Fields) -> Article:
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


# --- lines of a file, decoded, with byte offsets -----------------------------------------

@dataclass
class Line:
    number: int  # 1-based
    start: int  # byte offset of its first byte in the file
    text: str  # decoded; undecodable bytes are U+DC00+byte marks
    bad: int | None  # byte offset of its first undecodable byte, if any


def _ascii_compatible(encoding: str) -> bool:
    return not encoding.startswith(("utf-16", "utf-32", "utf16", "utf32"))


def _binary_lines(fh: BinaryIO, encoding: str, first: bytes = b"",
                  max_line: int | None = None) -> Iterator[Line | tuple[int, int, bytes]]:
    """Decode a byte stream line by line (ASCII-compatible codecs: b"\\n" is always a newline).

    A line longer than `max_line` bytes is not held in memory: it is yielded as
    (number, start, first 64 KiB) after being skipped.
    """
    buf = io.BufferedReader(_Prefixed(first, fh)) if first else fh
    start = 0
    number = 0
    while True:
        raw = buf.readline(max_line + 1) if max_line else buf.readline()
        if not raw:
            return
        number += 1
        if max_line and len(raw) > max_line and not raw.endswith(b"\n"):
            head, size = raw[:1 << 16], len(raw)
            while not raw.endswith(b"\n"):
                raw = buf.readline(1 << 20)
                if not raw:
                    break
                size += len(raw)
            yield number, start, head
            start += size
            continue
        codec = encoding
        if number == 1 and encoding in ("utf-8", "utf-8-sig") and raw.startswith(b"\xef\xbb\xbf"):
            codec = "utf-8-sig"
        dec = encodings.decode_marking(raw, codec)
        bad = start + dec.bad_offsets[0] if dec.bad_offsets else None
        yield Line(number, start, dec.text, bad)
        start += len(raw)


class _Prefixed(io.RawIOBase):
    """A binary stream that first returns `head`, then the rest of `fh`."""

    def __init__(self, head: bytes, fh: BinaryIO) -> None:
        self.head, self.fh = head, fh

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self.head:
            n = min(len(b), len(self.head))
            b[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.fh.read(len(b))
        b[:len(data)] = data
        return len(data)


def _text_lines(dec: encodings.Decoded) -> Iterator[Line]:
    """Lines of an already decoded file; the k-th mark in the text is its k-th bad byte."""
    marks_before = 0
    # Split at "\n" only, as the binary reader does (str.splitlines also splits at \x1c...).
    for number, text in enumerate(re.findall(r"[^\n]*\n|[^\n]+$", dec.text), 1):
        n_marks = len(encodings.BAD_BYTE.findall(text))
        bad = dec.bad_offsets[marks_before] if n_marks else None
        marks_before += n_marks
        yield Line(number, -1, text, bad)


def _open_lines(path: Path, opts: ReadOptions,
                max_line: int | None = None) -> tuple[str, Iterator[Line | tuple]]:
    """The file's encoding and its lines, streamed (and decompressed) where the codec allows
    it."""
    fh = open_binary(path)
    head = fh.read(SNIFF_BYTES)
    if opts.encoding:
        encoding = encodings.given_name(opts.encoding)
    else:
        encoding, _ = encodings.sniff(head)
    if not _ascii_compatible(encoding):
        data = head + fh.read()
        fh.close()
        return encoding, _text_lines(encodings.decode_marking(data, encoding))

    def lines() -> Iterator[Line | tuple]:
        with fh:
            yield from _binary_lines(fh, encoding, head, max_line)

    return encoding, lines()


def _bad_bytes(origin: str, offset: int, encoding: str, path: Path | str) -> dict[str, str]:
    return _err("UnicodeDecodeError",
                f"{origin}: bytes that are not valid {encoding} at byte offset {offset} of "
                f"{path} (give the right one with --encoding)")


_ID_IN_HEAD = re.compile(r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)')


def _jsonl_articles(lines: Iterable[Line | tuple], name: str, path: Path | str, encoding: str,
                    fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    for line in lines:
        if isinstance(line, tuple):  # a line too long to hold: reject it unread
            number, _, head = line
            origin = f"{name}:{number}"
            m = _ID_IN_HEAD.search(head.decode("utf-8", "replace"))
            art_id = str(json.loads(m.group(1))) if m else origin
            yield _too_long(art_id, origin, len(head), opts, {"encoding": encoding},
                            at_least=True)
            continue
        if not line.text.strip():
            continue
        origin = f"{name}:{line.number}"
        if line.bad is not None:
            yield Article(origin, None, None, {"encoding": encoding}, origin,
                          _bad_bytes(origin, line.bad, encoding, path))
            continue
        try:
            obj = json.loads(line.text)
        except json.JSONDecodeError as exc:
            yield _bad(origin, "JSONDecodeError", f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:
            yield _bad(origin, "RecursionError", "JSON nested too deeply")
            continue
        yield article_from_mapping(obj, origin, fields, opts, encoding)


def read_jsonl_stream(stream: io.TextIOBase | BinaryIO, name: str, fields: Fields,
                      opts: ReadOptions | None = None) -> Iterator[Article]:
    """JSONL from a stream (stdin): text streams as they are, binary ones decoded per line."""
    opts = opts or ReadOptions()
    if isinstance(stream, io.TextIOBase) and not hasattr(stream, "buffer"):
        lines: Iterable[Line] = (Line(n, -1, t, None) for n, t in enumerate(stream, 1))
        encoding = getattr(stream, "encoding", None) or "utf-8"
    else:
        raw = getattr(stream, "buffer", stream)
        encoding = encodings.given_name(opts.encoding) if opts.encoding else "utf-8"
        lines = _binary_lines(raw, encoding)
    yield from _jsonl_articles(lines, name, name, encoding, fields, opts)


def _max_line(opts: ReadOptions) -> int | None:
    # A UTF-8 character is at most 4 bytes, and JSON escapes (\\uXXXX) 6 bytes for one
    # character: a line longer than this cannot hold an article under the limit.
    if opts.max_article_chars is None:
        return None
    return 6 * opts.max_article_chars + (1 << 16)


def read_jsonl(src: Source, fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    encoding, lines = _open_lines(src.path, opts, _max_line(opts))
    yield from _jsonl_articles(lines, src.label, src.path, encoding, fields, opts)


def _read_decoded(path: Path, opts: ReadOptions, data: bytes | None = None
                  ) -> encodings.Decoded:
    return encodings.decode(read_all(path) if data is None else data, opts.encoding)


def read_json_array(src: Source, fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    path, name = src.path, src.label
    dec = _read_decoded(path, opts)
    try:
        data = json.loads(dec.text)
    except json.JSONDecodeError as exc:
        if dec.bad_offsets:
            yield Article(name, None, None, {"encoding": dec.encoding}, name,
                          _bad_bytes(name, dec.bad_offsets[0], dec.encoding, path))
            return
        yield _bad(f"{name}:{exc.lineno}", "JSONDecodeError", f"invalid JSON ({exc.msg})")
        return
    except RecursionError:
        yield _bad(name, "RecursionError", "JSON nested too deeply")
        return
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        yield _bad(name, "ValueError", "expected a JSON array of objects")
        return
    marks_before = 0
    for i, obj in enumerate(data, 1):
        origin = f"{name}:{i}"
        n_marks = len(encodings.BAD_BYTE.findall(json.dumps(obj, ensure_ascii=False)))
        if dec.bad_offsets and n_marks:
            offset = dec.bad_offsets[min(marks_before, len(dec.bad_offsets) - 1)]
            marks_before += n_marks
            art = article_from_mapping(obj, origin, fields, None, dec.encoding)
            art.text, art.error = None, _bad_bytes(origin, offset, dec.encoding, path)
            yield art
            continue
        yield article_from_mapping(obj, origin, fields, opts, dec.encoding)


def read_csv(src: Source, fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    path, name = src.path, src.label
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    encoding, lines = _open_lines(path, opts)
    consumed: list[Line] = []

    def texts() -> Iterator[str]:
        for line in lines:
            consumed.append(line)
            yield line.text

    reader = csv.reader(texts(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield _bad(f"{name}:1", "csv.Error", str(exc))
        return
    consumed.clear()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a NUL byte; the reader cannot go on after it
            yield _bad(f"{name}:{reader.line_num}", "csv.Error", str(exc))
            return
        # Line numbers count the header as line 1, like a spreadsheet would.
        origin = f"{name}:{reader.line_num}"
        bad = next((ln.bad for ln in consumed if ln.bad is not None), None)
        consumed.clear()
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(header, row))
        if len(row) > len(header):
            values["_extra"] = row[len(header):]  # nothing is dropped silently
        art = article_from_mapping(values, origin, fields, opts if bad is None else None,
                                   encoding)
        if bad is not None:
            art.text, art.error = None, _bad_bytes(origin, bad, encoding, path)
        yield art


def _whole_file(src: Source, opts: ReadOptions, html: bool = False
                ) -> encodings.Decoded | Article:
    """A one-article file, decoded; an error Article when too long or undecodable."""
    path = src.path
    origin = f"{src.label}:1"
    limit = opts.max_article_chars
    most = None if limit is None else 4 * limit + 4  # >= 1 byte per character past a BOM
    if most is not None and split_suffix(path)[1] is None and path.stat().st_size > most:
        return _too_long(src.key, origin, path.stat().st_size // 4, opts, {"path": str(path)},
                         at_least=True)
    data = read_all(path, most)  # compressed: read no further than the limit allows
    if most is not None and len(data) > most:
        return _too_long(src.key, origin, len(data) // 4, opts, {"path": str(path)},
                         at_least=True)
    # a page decodes as a browser decides: BOM, its <meta> charset, then detection
    dec = decode_html(data, opts.encoding) if html else _read_decoded(path, opts, data)
    if dec.bad_offsets:
        return Article(src.key, None, None, {"path": str(path), "encoding": dec.encoding},
                       origin, _bad_bytes(origin, dec.bad_offsets[0], dec.encoding, path))
    return dec


def _one_article(src: Source, text: str, title: str | None, encoding: str, opts: ReadOptions,
                 extra: dict[str, Any] | None = None) -> Article:
    meta = {"path": str(src.path), **(extra or {})}
    return _one_page(src.key, f"{src.label}:1", text, title, encoding, opts, meta)


def _one_page(art_id: str, origin: str, text: str, title: str | None, encoding: str,
              opts: ReadOptions, meta: dict[str, Any]) -> Article:
    """A whole document (a file, a crawled page) as one article, within the length limit."""
    _set_encoding(meta, encoding)
    if opts.max_article_chars is not None and len(text) > opts.max_article_chars:
        return _too_long(art_id, origin, len(text), opts, meta, title)
    return Article(art_id, text, title, meta, origin)


def read_txt(src: Source, fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    """One article per file; its first line is the title when a blank line follows it."""
    dec = _whole_file(src, opts)
    if isinstance(dec, Article):
        yield dec
        return
    text = dec.text
    lines = text.splitlines()
    title = None
    if len(lines) >= 2 and lines[0].strip() and not lines[1].strip():
        title = lines[0].strip()
    yield _one_article(src, text, title, dec.encoding, opts)


def read_html(src: Source, fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    """One article per page: its headline, the article's paragraphs and the page's metadata
    (arabic_digest.inputs.pages); what the extractor dropped rides to clean.removed."""
    dec = _whole_file(src, opts, html=True)
    if isinstance(dec, Article):
        yield dec
        return
    page = extract_page(dec.text)
    art = _one_article(src, page.text, page.title, dec.encoding, opts,
                       {"converted_from": "html", **page.meta})
    art.removed = page.removed
    yield art


def read_columnar(src: Source, fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    from arabic_digest.inputs.columnar import (
        read_columnar as read,  # pyarrow loads only for these inputs
    )

    yield from read(src, fields, opts)


def read_crawl(src: Source, fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    from arabic_digest.inputs.warc import read_warc

    yield from read_warc(src, fields, opts)


Reader = Callable[["Source", Fields, ReadOptions], Iterator[Article]]
# Which reader takes which file, by its format suffix (lower case; under a compression suffix).
READERS: dict[str, Reader] = {
    ".jsonl": read_jsonl, ".ndjson": read_jsonl, ".json": read_json_array,
    ".csv": read_csv, ".tsv": read_csv, ".txt": read_txt, ".html": read_html, ".htm": read_html,
    ".parquet": read_columnar, ".arrow": read_columnar, ".feather": read_columnar,
    ".warc": read_crawl, ".arc": read_crawl,
}
SUFFIXES = set(READERS)
# Formats read whole (one article a file, or a columnar file's footer): not under compression.
NOT_COMPRESSED = {".parquet", ".arrow", ".feather"}
# A folder written by Hugging Face `Dataset.save_to_disk` (or DatasetDict's) is one input.
DATASET_MARKERS = ("state.json", "dataset_dict.json")


def is_dataset_folder(path: Path) -> bool:
    return path.is_dir() and any((path / m).is_file() for m in DATASET_MARKERS)


def input_format(path: Path) -> str | None:
    """The reader's key for a file or dataset folder, or None when it is not an input."""
    if is_dataset_folder(path):
        return "dataset"
    fmt, compression = split_suffix(path)
    if fmt not in SUFFIXES or (compression and fmt in NOT_COMPRESSED):
        return None
    return fmt


@dataclass(frozen=True)
class Source:
    """One input file and the name its origins and fallback ids are built from.

    `label` is the file's path relative to the input argument that named it (a file given
    by itself: its name), lengthened by parent folders where two files would share it, so
    `2020/news.jsonl` and `2021/news.jsonl` never give the same ids.
    """

    path: Path
    label: str

    @property
    def format(self) -> str | None:
        return input_format(self.path)

    @property
    def key(self) -> str:
        """The id of a one-article file (.txt, .html, .html.gz): its label without the
        format's and the compression's suffixes."""
        fmt, compression = split_suffix(self.path)
        cut = len(fmt) + len(compression or "")
        if cut and self.label.lower().endswith(fmt + (compression or "")):
            return self.label[:-cut]
        return self.label


def _unknown_format(name: str) -> InputError:
    return InputError(f"{name}: unknown input format (use {', '.join(sorted(SUFFIXES))}, "
                      "a saved Hugging Face dataset folder, or a text format compressed with "
                      ".gz, .bz2, .xz or .zst)")


def _walk(folder: Path) -> Iterator[Path]:
    """Input files under `folder`, sorted; a saved dataset folder is one input, not entered."""
    for p in sorted(folder.iterdir()):
        if p.is_dir():
            if is_dataset_folder(p):
                yield p
            else:
                yield from _walk(p)
        elif p.is_file():
            yield p


def input_sources(inputs: Iterable[str]) -> list[Source | None]:
    """The files the inputs name, in reading order (folders recursively, sorted); None for
    stdin. Labels are unique across distinct files (see Source)."""
    found: list[tuple[Path, int] | None] = []  # (file, parts its label needs at least)
    for name in inputs:
        if name == "-":
            found.append(None)
            continue
        path = Path(name)
        if path.is_dir() and not is_dataset_folder(path):
            files = (p for p in _walk(path) if input_format(p))
            found.extend((f, len(f.relative_to(path).parts)) for f in files)
        else:
            found.append((path, 1))
    full = {i: Path(os.path.abspath(e[0])).parts for i, e in enumerate(found) if e}
    need = {i: e[1] for i, e in enumerate(found) if e}
    while True:  # lengthen the labels that two different files share
        labels: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        for i, n in need.items():
            labels.setdefault(full[i][-n:], set()).add(full[i])
        clash = [i for i, n in need.items()
                 if len(labels[full[i][-n:]]) > 1 and n < len(full[i])]
        if not clash:
            break
        for i in clash:
            need[i] += 1
    return [None if e is None else Source(e[0], "/".join(full[i][-need[i]:]).lstrip("/"))
            for i, e in enumerate(found)]


def skipped_files(inputs: Iterable[str]) -> list[Path]:
    """Files inside input folders that are not read: their suffix is not an input format."""
    return sorted(p for name in inputs
                  if name != "-" and Path(name).is_dir() and not is_dataset_folder(Path(name))
                  for p in _walk(Path(name)) if input_format(p) is None)


def read_source(src: Source, fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    fmt = src.format
    reader = read_columnar if fmt == "dataset" else READERS.get(fmt or "")
    if reader is None:
        raise _unknown_format(str(src.path))
    try:
        yield from reader(src, fields, opts)
    except OSError as exc:
        # One unreadable file in a corpus is an error record; the run goes on.
        one = reader in (read_txt, read_html)
        art_id = src.key if one else src.label
        kind = "CorruptStream" if isinstance(exc, CorruptStream) else "OSError"
        yield Article(art_id, None, None, {"path": str(src.path)}, src.label,
                      _err(kind, f"{src.label}: cannot read {src.path}: "
                                 f"{exc.strerror or exc}"))


def check_inputs(inputs: Iterable[str]) -> None:
    """Fail before any model loads if an input cannot be read at all."""
    for name in inputs:
        if name == "-":
            continue
        path = Path(name)
        if not path.exists():
            raise InputError(f"{name}: no such file or folder")
        if path.is_file() and input_format(path) is None:
            raise _unknown_format(name)


def check_not_empty(inputs: Iterable[str], fields: Fields = Fields(),
                    opts: ReadOptions | None = None) -> None:
    """Fail before any model loads if the inputs hold no article at all; reads lazily up
    to the first article (an error record counts: it is written to the output)."""
    inputs = list(inputs)
    if next(read_inputs(inputs, fields, opts), None) is None:
        raise InputError(f"no articles found in {', '.join(inputs)}")


# Why an item of an input is not an article (`Article.passed_over`), as the closing line,
# `check` and the manifest count them.
PASSED_OVER = {
    "request": ("request", "requests"), "metadata": ("metadata record", "metadata records"),
    "warcinfo": ("warcinfo record", "warcinfo records"), "revisit": ("revisit", "revisits"),
    "redirect": ("redirect", "redirects"), "http_error": ("HTTP error", "HTTP errors"),
    "not_html": ("payload not HTML", "payloads not HTML"),
    "not_arabic": ("page not in Arabic", "pages not in Arabic"),
    "other": ("other record", "other records"),
}


def passed_over_line(counts: Counter[str]) -> str:
    """'passed over: 3 requests, 1 redirect' (what the inputs held that is not an article)."""
    def one(reason: str, n: int) -> str:
        label = PASSED_OVER.get(reason, (reason, reason))[n != 1]
        return f"{n} {label}"

    return "passed over: " + ", ".join(one(r, n) for r, n in sorted(counts.items()))


def read_inputs(inputs: Iterable[str], fields: Fields = Fields(),
                opts: ReadOptions | None = None,
                passed_over: Counter[str] | None = None) -> Iterator[Article]:
    """Yield articles from every input in order; folders are read recursively, sorted.
    What is not an article (see `Article.passed_over`) is counted by reason in
    `passed_over`, not yielded."""
    opts = opts or ReadOptions()
    for src in input_sources(inputs):
        yield from source_articles(src, fields, opts, passed_over)


def source_articles(src: Source | None, fields: Fields, opts: ReadOptions,
                    passed_over: Counter[str] | None = None) -> Iterator[Article]:
    """One input's articles (None: JSONL on stdin), every string valid Unicode; what is not an
    article is counted by reason in `passed_over`, not yielded."""
    arts = (read_jsonl_stream(sys.stdin, "<stdin>", fields, opts) if src is None
            else read_source(src, fields, opts))
    for art in arts:
        if art.passed_over is None:
            yield scalar_article(art)
        elif passed_over is not None:
            passed_over[art.passed_over] += 1


def scalar_article(art: Article) -> Article:
    """The article with every string valid Unicode: a lone surrogate (a JSON "\\ud800"
    escape, a file name's undecodable byte) becomes U+FFFD here, once, so no later stage
    (story hashes, SQLite, CSV, Parquet, the terminal) meets one; what the fields held is kept
    in `escaped`."""
    escaped: dict[str, Any] = {}
    for name in ("id", "title", "text"):
        value = getattr(art, name)
        if isinstance(value, str) and has_surrogate(value):
            escaped[name] = escape_surrogates(value)
            setattr(art, name, scalar(value))
    art.origin = scalar(art.origin)
    if art.error:
        art.error = {k: scalar(v) for k, v in art.error.items()}
    try:  # keys and nested values alike
        raw = json.dumps(art.meta, ensure_ascii=False, default=str)
    except (RecursionError, ValueError):
        raw = ""
    if has_surrogate(raw):
        art.meta = json.loads(scalar(raw))
        # Written `\\udXXX` inside the JSON text, so it reads back as those six characters.
        escaped["meta"] = json.loads(re.sub("[\ud800-\udfff]",
                                            lambda m: f"\\\\u{ord(m.group()):04x}", raw))
    if escaped:
        art.escaped = escaped
    return art
