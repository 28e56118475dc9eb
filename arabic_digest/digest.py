"""The English digest of a finished run: per article its title, dateline, summary and a link
to its place in the report. Markdown by default, HTML on request; both from Jinja2 templates.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined

from .records import NotAnOutput, read_records
from .report import anchor_ids, default_path, environment, record_date

ORDERS = ("input", "date")
FORMATS = ("md", "html")
LEAD_CHARS = 400  # a run without summaries shows the start of the translation instead


class Raw(str):
    """Text already safe for Markdown (a URL we built): the Markdown finalizer leaves it alone."""


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&])")
_MD_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=>#])")


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def md_escape(value: Any) -> str:
    """One line of Markdown that shows `value` as plain text (CommonMark backslash escapes).

    The text is untrusted: without this, `<script>`, `[x](javascript:...)` or a leading `#`
    in a title would become markup in whatever renders the digest.
    """
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value
    # Control characters (a byte-level model can emit NUL and friends) mean nothing to a reader.
    text = " ".join(CONTROL_CHARS.sub("", str(value)).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", text)


@dataclass
class Item:
    number: int  # position in the run's output (as in the report)
    id: str
    anchor: str
    title: str
    title_ar: str
    dateline: str
    date: str
    outlet: str
    summary: str
    is_lead: bool  # `summary` is the start of the translation (the run made no summary)
    link: str
    # What the summary states that the translation does not ("a number: 15,000"), from
    # summary.flags (see translate.flags.summary_flags).
    warnings: list[str] = field(default_factory=list)


@dataclass
class Digest:
    name: str
    source_name: str
    items: list[Item]
    omitted: list[tuple[int, str, str]]  # (number, id, status) of records not ok
    order: str
    undated: int
    models: dict[str, str]


WARNINGS = {"unsupported_number": ("numbers", "a number", "numbers"),
            "unsupported_name": ("names", "a name", "names")}


def summary_warnings(summary: dict[str, Any]) -> list[str]:
    """One line per summary flag: "a number the article does not give: 15,000"."""
    out = []
    for f in summary.get("flags") or []:
        if not isinstance(f, dict) or f.get("kind") not in WARNINGS:
            continue
        key, one, many = WARNINGS[f["kind"]]
        items = [str(x) for x in f.get(key) or []]
        noun = one if len(items) == 1 else many
        out.append(f"{noun} the article's translation does not give: {', '.join(items)}")
    return out


def _lead(tr: dict[str, Any]) -> str:
    paras = [p for p in tr.get("paragraphs") or [] if isinstance(p, str) and p.strip()]
    text = " ".join(paras[0].split()) if paras else ""
    return text if len(text) <= LEAD_CHARS else text[:LEAD_CHARS].rsplit(" ", 1)[0] + " …"


def build_digest(records: list[dict[str, Any]], report_href: str, order: str = "input",
                 source_name: str = "") -> Digest:
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    anchors = anchor_ids(records)
    items: list[tuple[datetime | None, Item]] = []
    omitted: list[tuple[int, str, str]] = []
    models: dict[str, str] = {}
    for i, (rec, anchor) in enumerate(zip(records, anchors)):
        status = str(rec.get("status") or "unknown")
        if status != "ok":
            omitted.append((i + 1, str(rec.get("id", "")), status))
            continue
        source = rec.get("source") if isinstance(rec.get("source"), dict) else {}
        meta = source.get("meta") if isinstance(source.get("meta"), dict) else {}
        clean = rec.get("clean") if isinstance(rec.get("clean"), dict) else {}
        tr = rec.get("translation") if isinstance(rec.get("translation"), dict) else {}
        summary = rec.get("summary") if isinstance(rec.get("summary"), dict) else {}
        models.update({str(k): str(v) for k, v in (rec.get("models") or {}).items()})
        text = str(summary.get("text") or "")
        item = Item(
            number=i + 1, id=str(rec.get("id", "")), anchor=anchor,
            title=str(tr.get("title") or clean.get("title") or source.get("title")
                      or rec.get("id", "")),
            title_ar=str(clean.get("title") or source.get("title") or ""),
            dateline=str(clean.get("dateline") or ""),
            date=str(meta.get("date") or ""),
            outlet=str(meta.get("outlet") or ""),
            summary=text or _lead(tr),
            is_lead=not text,
            link=Raw(f"{report_href}#{anchor}"),
            warnings=summary_warnings(summary) if text else [],
        )
        items.append((record_date(rec), item))
    undated = sum(1 for d, _ in items if d is None)
    if order == "date":
        # Oldest first; articles without a date keep their input order at the end.
        items.sort(key=lambda di: (di[0] is None, di[0] or datetime.min))
    return Digest(name=Path(source_name).stem or "arabic-digest", source_name=source_name,
                  items=[it for _, it in items], omitted=omitted, order=order,
                  undated=undated, models=models)


def _markdown_environment() -> Environment:
    # Markdown has no autoescaping of its own: the finalizer escapes every {{ value }}.
    return Environment(loader=PackageLoader("arabic_digest", "templates"), autoescape=False,
                       finalize=md_escape, undefined=StrictUndefined, trim_blocks=True,
                       lstrip_blocks=True, keep_trailing_newline=True)


def render_digest(digest: Digest, fmt: str = "md") -> str:
    if fmt == "md":
        return _markdown_environment().get_template("digest.md.j2").render(d=digest)
    if fmt == "html":
        return environment().get_template("digest.html.j2").render(d=digest)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def output_format(output: Path | None, fmt: str | None) -> str:
    """--format wins; otherwise the output's suffix says (.html/.htm), else Markdown."""
    if fmt:
        if fmt not in FORMATS:
            raise ValueError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        return fmt
    if output is not None and output.suffix.lower() in (".html", ".htm"):
        return "html"
    return "md"


def report_href(report: Path, digest_path: Path) -> str:
    """The report's address relative to the digest, so the pair can be moved together."""
    rel = os.path.relpath(report.resolve(), digest_path.resolve().parent)
    return quote(Path(rel).as_posix(), safe="/")


def write_digest(jsonl: Path, output: Path | None = None, fmt: str | None = None,
                 order: str = "input", report: Path | None = None) -> tuple[Path, Digest]:
    """Write the digest of `jsonl` (default: beside it, `<stem>.digest.md` or `.html`)."""
    fmt = output_format(output, fmt)
    out = output or default_path(jsonl, f"digest.{fmt}")
    records, _ = read_records(jsonl)
    if not any(r["status"] == "ok" and isinstance(r.get("translation"), dict) for r in records):
        raise NotAnOutput(f"no translated articles in {jsonl} ({len(records)} records, none "
                          "ok with a translation): nothing to digest")
    href = report_href(report or default_path(jsonl, "report.html"), out)
    digest = build_digest(records, href, order, jsonl.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_digest(digest, fmt), encoding="utf-8")
    return out, digest
