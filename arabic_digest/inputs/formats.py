"""The readers of each format: JSONL (files and stdin), JSON arrays, CSV/TSV, .txt and .html
files; Parquet/Arrow files and saved datasets (columnar.py) and WARC/ARC crawls (warc.py) load
only when such an input comes. Which reader takes which file is readers.py's READERS.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from arabic_digest.inputs import encodings
from arabic_digest.inputs.articles import (
    Article,
    Fields,
    ReadOptions,
    article_from_mapping,
    bad_article,
    one_page,
    too_long,
)
from arabic_digest.inputs.compressed import read_all, split_suffix
from arabic_digest.inputs.lines import Line, bad_bytes, binary_lines, open_lines
from arabic_digest.inputs.pagemeta import decode_html
from arabic_digest.inputs.pages import extract_page

if TYPE_CHECKING:
    from arabic_digest.inputs.readers import Source

# CSV cells can hold whole articles.
csv.field_size_limit(2**31 - 1)


_ID_IN_HEAD = re.compile(r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)')


def _jsonl_articles(lines: Iterable[Line | tuple], name: str, path: Path | str, encoding: str,
                    fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    for line in lines:
        if isinstance(line, tuple):  # a line too long to hold: reject it unread
            number, _, head = line
            origin = f"{name}:{number}"
            m = _ID_IN_HEAD.search(head.decode("utf-8", "replace"))
            art_id = str(json.loads(m.group(1))) if m else origin
            yield too_long(art_id, origin, len(head), opts, {"encoding": encoding},
                            at_least=True)
            continue
        if not line.text.strip():
            continue
        origin = f"{name}:{line.number}"
        if line.bad is not None:
            yield Article(origin, None, None, {"encoding": encoding}, origin,
                          bad_bytes(origin, line.bad, encoding, path))
            continue
        try:
            obj = json.loads(line.text)
        except json.JSONDecodeError as exc:
            yield bad_article(origin, "JSONDecodeError",
                              f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:
            yield bad_article(origin, "RecursionError", "JSON nested too deeply")
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
        lines = binary_lines(raw, encoding)
    yield from _jsonl_articles(lines, name, name, encoding, fields, opts)


def _max_line(opts: ReadOptions) -> int | None:
    # A UTF-8 character is at most 4 bytes, and JSON escapes (\\uXXXX) 6 bytes for one
    # character: a line longer than this cannot hold an article under the limit.
    if opts.max_article_chars is None:
        return None
    return 6 * opts.max_article_chars + (1 << 16)


def read_jsonl(src: Source, fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    encoding, lines = open_lines(src.path, opts, _max_line(opts))
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
                          bad_bytes(name, dec.bad_offsets[0], dec.encoding, path))
            return
        yield bad_article(f"{name}:{exc.lineno}", "JSONDecodeError", f"invalid JSON ({exc.msg})")
        return
    except RecursionError:
        yield bad_article(name, "RecursionError", "JSON nested too deeply")
        return
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        yield bad_article(name, "ValueError", "expected a JSON array of objects")
        return
    marks_before = 0
    for i, obj in enumerate(data, 1):
        origin = f"{name}:{i}"
        n_marks = len(encodings.BAD_BYTE.findall(json.dumps(obj, ensure_ascii=False)))
        if dec.bad_offsets and n_marks:
            offset = dec.bad_offsets[min(marks_before, len(dec.bad_offsets) - 1)]
            marks_before += n_marks
            art = article_from_mapping(obj, origin, fields, None, dec.encoding)
            art.text, art.error = None, bad_bytes(origin, offset, dec.encoding, path)
            yield art
            continue
        yield article_from_mapping(obj, origin, fields, opts, dec.encoding)


def read_csv(src: Source, fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    path, name = src.path, src.label
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    encoding, lines = open_lines(path, opts)
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
        yield bad_article(f"{name}:1", "csv.Error", str(exc))
        return
    consumed.clear()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a NUL byte; the reader cannot go on after it
            yield bad_article(f"{name}:{reader.line_num}", "csv.Error", str(exc))
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
            art.text, art.error = None, bad_bytes(origin, bad, encoding, path)
        yield art


def _whole_file(src: Source, opts: ReadOptions, html: bool = False
                ) -> encodings.Decoded | Article:
    """A one-article file, decoded; an error Article when too long or undecodable."""
    path = src.path
    origin = f"{src.label}:1"
    limit = opts.max_article_chars
    most = None if limit is None else 4 * limit + 4  # >= 1 byte per character past a BOM
    if most is not None and split_suffix(path)[1] is None and path.stat().st_size > most:
        return too_long(src.key, origin, path.stat().st_size // 4, opts, {"path": str(path)},
                         at_least=True)
    data = read_all(path, most)  # compressed: read no further than the limit allows
    if most is not None and len(data) > most:
        return too_long(src.key, origin, len(data) // 4, opts, {"path": str(path)},
                         at_least=True)
    # a page decodes as a browser decides: BOM, its <meta> charset, then detection
    dec = decode_html(data, opts.encoding) if html else _read_decoded(path, opts, data)
    if dec.bad_offsets:
        return Article(src.key, None, None, {"path": str(path), "encoding": dec.encoding},
                       origin, bad_bytes(origin, dec.bad_offsets[0], dec.encoding, path))
    return dec


def _one_article(src: Source, text: str, title: str | None, encoding: str, opts: ReadOptions,
                 extra: dict[str, Any] | None = None) -> Article:
    meta = {"path": str(src.path), **(extra or {})}
    return one_page(src.key, f"{src.label}:1", text, title, encoding, opts, meta)



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
