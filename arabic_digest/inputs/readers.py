"""Corpus readers: JSONL, JSON arrays, CSV/TSV, .txt and .html files, Parquet/Arrow files and
saved Hugging Face datasets (columnar.py), WARC/ARC crawls (warc.py), any of the text formats
compressed (.gz, .bz2, .xz, .zst: compressed.py), folders, and stdin.

Each reader yields `Article`s; a line or row that cannot be read yields an `Article` with
`error` set instead of raising, so one bad line never stops (or silently shrinks) a batch.
Bytes are decoded by `encodings.py` (BOMs, UTF-8, Arabic codepages; or --encoding); bytes
that do not decode make only the article that holds them an error.

This module is the door: which reader takes which input (READERS, Source, input_sources), the
reading of all inputs in order (read_inputs, source_articles) and the checks before a run.
The readers themselves are in formats.py (lines.py streams their lines), the Article and the
turning of a row into one in articles.py.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from arabic_digest.inputs.articles import (
    DEFAULT_MAX_ARTICLE_CHARS,
    Article,
    Fields,
    InputError,
    ReadOptions,
    article_from_mapping,
    read_error,
    scalar_article,
)
from arabic_digest.inputs.compressed import CorruptStream, split_suffix
from arabic_digest.inputs.formats import (
    read_columnar,
    read_crawl,
    read_csv,
    read_html,
    read_json_array,
    read_jsonl,
    read_jsonl_stream,
    read_txt,
)

# The door to the inputs: what the rest of the package reads them with.
__all__ = [
    "DEFAULT_MAX_ARTICLE_CHARS", "PASSED_OVER", "READERS", "Article", "Fields", "InputError",
    "ReadOptions", "Source", "article_from_mapping", "check_inputs", "check_not_empty",
    "input_format", "input_sources", "passed_over_line", "read_inputs", "read_source",
    "skipped_files", "source_articles",
]

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
                      read_error(kind, f"{src.label}: cannot read {src.path}: "
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
