"""`arabic-digest check`: what `run` would read, and what is wrong with it, without a model."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arabic_digest.inputs.articles import (
    ID_FIELDS,
    TEXT_FIELDS,
    TITLE_FIELDS,
    Fields,
    ReadOptions,
    pick,
)
from arabic_digest.inputs.compressed import split_suffix
from arabic_digest.inputs.language import NAMES
from arabic_digest.inputs.lines import open_lines
from arabic_digest.inputs.readers import (
    check_inputs,
    input_format,
    input_sources,
    passed_over_line,
    source_articles,
)
from arabic_digest.inputs.screening import judge_language
from arabic_digest.pipeline.preparation import prepare_text
from arabic_digest.text import plural, sanitize, terminal_safe
from arabic_digest.translate.cleaning.options import CleanOptions

EXAMPLES = 3  # origins listed per kind of problem


@dataclass
class FileReport:
    path: str
    format: str = ""  # the format recognised: "jsonl", "warc", "parquet (gz)"...
    articles: int = 0
    passed_over: Counter = field(default_factory=Counter)  # not articles, by reason
    encodings: Counter = field(default_factory=Counter)
    fields: dict[str, str | None] = field(default_factory=dict)
    languages: Counter = field(default_factory=Counter)
    html: int = 0
    problems: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def problem(self, kind: str, where: str) -> None:
        self.problems[kind] += 1
        ex = self.examples.setdefault(kind, [])
        if len(ex) < EXAMPLES:
            ex.append(where)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "articles": self.articles,
                "passed_over": dict(self.passed_over), "encodings": dict(self.encodings),
                "fields": self.fields, "languages": dict(self.languages), "html": self.html,
                "problems": dict(self.problems), "examples": self.examples}


def _format_name(path: Path) -> str:
    fmt = input_format(path) or "?"
    compression = split_suffix(path)[1] if fmt != "dataset" else None
    name = "Hugging Face dataset" if fmt == "dataset" else fmt.lstrip(".")
    return f"{name} ({compression.lstrip('.')})" if compression else name


def _detected_fields(path: Path, fields: Fields, opts: ReadOptions) -> dict[str, str | None]:
    """The field names `run` would use, from the first record of a JSONL/JSON/CSV file."""
    suffix = split_suffix(path)[0]
    keys: list[str] | None = None
    try:
        if suffix in (".jsonl", ".ndjson"):
            _, lines = open_lines(path, opts, 1 << 20)
            for line in lines:
                if not isinstance(line, tuple) and line.text.strip():
                    obj = json.loads(line.text)
                    keys = list(obj) if isinstance(obj, dict) else None
                    break
        elif suffix in (".csv", ".tsv"):
            import csv

            _, lines = open_lines(path, opts)
            first = next((ln for ln in lines if not isinstance(ln, tuple)), None)
            if first is not None:
                delim = "\t" if suffix == ".tsv" else ","
                keys = next(csv.reader([first.text], delimiter=delim), None)
        else:
            return {}
    except (ValueError, OSError):
        return {}
    if keys is None:
        return {}
    return {"text": pick(keys, fields.text, TEXT_FIELDS),
            "title": pick(keys, fields.title, TITLE_FIELDS),
            "id": pick(keys, fields.id, ID_FIELDS)}


def check(inputs: list[str], fields: Fields | None = None,
          opts: ReadOptions | None = None, language: bool = True) -> list[FileReport]:
    """One report per input file; raises InputError/OSError when an input is unreadable."""
    opts = opts or ReadOptions()
    fields = fields or Fields()
    check_inputs(inputs)
    reports: list[FileReport] = []
    seen: dict[str, str] = {}
    for src in input_sources(inputs):
        rep = FileReport("-" if src is None else str(src.path),
                         "jsonl" if src is None else _format_name(src.path))
        if src is not None:
            rep.fields = _detected_fields(src.path, fields, opts)
        reports.append(rep)
        for art in source_articles(src, fields, opts, rep.passed_over):
            rep.articles += 1
            enc = art.meta.get("encoding") or art.meta.get("input_encoding")
            if enc:
                rep.encodings[enc] += 1
            rep.html += art.meta.get("converted_from") == "html"
            if art.id in seen:
                rep.problem("DuplicateId", f"{art.origin} (first at {seen[art.id]})")
            else:
                seen[art.id] = art.origin
            if art.error:
                rep.problem(art.error["type"], art.error["message"])
                continue
            text, _ = sanitize(art.text or "")
            if not text.strip():
                rep.problem("EmptyText", art.origin)
                continue
            if language:  # judged as run judges it: on the cleaned text (pipeline/article.py)
                _, cleaned = prepare_text(art, CleanOptions())
                verdict = judge_language(cleaned.paragraphs, cleaned.title, art.origin)
                rep.languages[verdict.code or "unknown"] += 1
                if verdict.skip and cleaned.paragraphs:
                    rep.problem("NotArabic", f"{art.origin} ({NAMES.get(verdict.code or '')})")
    return reports


def render(reports: list[FileReport], skipped: Sequence[Path] = ()) -> str:
    lines: list[str] = []
    for r in reports:
        lines.append(f"{terminal_safe(r.path, None)}: {r.format}, "
                     f"{plural(r.articles, 'article')}")
        if r.passed_over:
            lines.append(f"  {passed_over_line(r.passed_over)}")
        if r.encodings:
            lines.append("  encoding: " + ", ".join(f"{k} ({v})" for k, v in r.encodings.items()))
        if r.fields:
            lines.append("  fields: " + ", ".join(f"{k}={terminal_safe(v or '-', 80)}"
                                                  for k, v in r.fields.items()))
        if r.languages:
            lines.append("  language: " + ", ".join(
                f"{k} ({v})" for k, v in r.languages.most_common()))
        if r.html:
            lines.append(f"  html: {r.html} reduced to text")
        if not r.problems:
            lines.append("  problems: none")
        for kind, n in r.problems.most_common():
            lines.append(f"  problem: {kind} x{n}, e.g. "
                         + "; ".join(terminal_safe(e) for e in r.examples[kind]))
    total = sum(r.articles for r in reports)
    bad = sum(sum(r.problems.values()) for r in reports)
    lines.append(f"{plural(total, 'article')} in {plural(len(reports), 'file')}; "
                 f"{plural(bad, 'problem')}")
    if skipped:
        shown = ", ".join(terminal_safe(str(p), None) for p in skipped[:3]) + (
            ", ..." if len(skipped) > 3 else "")
        lines.append(f"skipped {plural(len(skipped), 'file')} in input folders with a suffix "
                     f"`run` does not read ({shown})")
    return "\n".join(lines)
