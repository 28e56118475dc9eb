"""The English digest of a finished run: per article its title, dateline, summary and a link
to its place in the report. Markdown by default, HTML on request; both from Jinja2 templates.

By story (the default), it is a briefing: one entry per story (records' `story` field, see
stories.py), its lead's title and summary and the other outlets that reported it; stories
carried by more outlets first. Records without a `story` field are stories of their own.
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

from arabic_digest.records import NotAnOutput, read_records, write_text_atomic
from arabic_digest.text import plural
from arabic_digest.views.report import anchor_ids, default_path, environment, record_date

ORDERS = ("input", "date")
GROUPINGS = ("story", "article")
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
    status: str = "ok"  # a story member skipped by --translate leads is "skipped"


@dataclass
class StoryEntry:
    """One story of the briefing: its lead and the other articles that reported it."""

    id: str
    lead: Item
    also: list[Item]  # the other articles of the story, ok or skipped (--translate leads)
    outlets: list[str]  # distinct outlets, the lead's first

    @property
    def size(self) -> int:
        return 1 + len(self.also)


@dataclass
class Digest:
    name: str
    source_name: str
    items: list[Item]
    omitted: list[tuple[int, str, str]]  # (number, id, status) of records not ok
    order: str
    undated: int
    models: dict[str, str]
    by: str = "article"
    stories: list[StoryEntry] = field(default_factory=list)  # by story: the briefing

    @property
    def multi(self) -> list[StoryEntry]:
        return [s for s in self.stories if s.size > 1]

    @property
    def single(self) -> list[StoryEntry]:
        return [s for s in self.stories if s.size == 1]

    @property
    def story_articles(self) -> int:
        """Articles in the briefing: leads and the members under them, translated or not."""
        return sum(s.size for s in self.stories)


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


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _item(rec: dict[str, Any], number: int, anchor: str, report_href: str) -> Item:
    source = _dict(rec.get("source"))
    meta = _dict(source.get("meta"))
    clean = _dict(rec.get("clean"))
    tr = _dict(rec.get("translation"))
    text = str(_dict(rec.get("summary")).get("text") or "")
    return Item(
        number=number, id=str(rec.get("id", "")), anchor=anchor,
        title=str(tr.get("title") or clean.get("title") or source.get("title")
                  or rec.get("id", "")),
        title_ar=str(clean.get("title") or source.get("title") or ""),
        dateline=str(clean.get("dateline") or ""),
        date=str(meta.get("date") or ""),
        outlet=str(meta.get("outlet") or ""),
        summary=text or _lead(tr),
        is_lead=not text,
        link=Raw(f"{report_href}#{anchor}"),
        status=str(rec.get("status") or "unknown"),
        warnings=summary_warnings(_dict(rec.get("summary"))) if text else [],
    )


def is_story_member(rec: dict[str, Any]) -> bool:
    """A member that `--translate leads` skipped: reported under its story, not as omitted."""
    return (rec.get("status") == "skipped" and bool(_dict(rec.get("story")).get("id"))
            and _dict(rec.get("error")).get("type") == "story_member")


def story_key(rec: dict[str, Any], number: int) -> str:
    """The record's story id; a record without one (older outputs) is a story of its own."""
    story = _dict(rec.get("story"))
    return str(story.get("id") or f"record-{number}")


def build_digest(records: list[dict[str, Any]], report_href: str, order: str = "input",
                 source_name: str = "", by: str = "story") -> Digest:
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, not {by!r}")
    anchors = anchor_ids(records)
    items: list[tuple[datetime | None, Item]] = []
    omitted: list[tuple[int, str, str]] = []
    models: dict[str, str] = {}
    members: dict[str, list[tuple[dict[str, Any], Item]]] = {}
    for i, (rec, anchor) in enumerate(zip(records, anchors)):
        status = str(rec.get("status") or "unknown")
        if status == "ok" or (by == "story" and is_story_member(rec)):
            item = _item(rec, i + 1, anchor, report_href)
            members.setdefault(story_key(rec, i + 1), []).append((rec, item))
        if status != "ok":
            if not (by == "story" and is_story_member(rec)):
                omitted.append((i + 1, str(rec.get("id", "")), status))
            continue
        models.update({str(k): str(v) for k, v in (rec.get("models") or {}).items()})
        items.append((record_date(rec), item))
    undated = sum(1 for d, _ in items if d is None)
    if order == "date":
        # Oldest first; articles without a date keep their input order at the end.
        items.sort(key=lambda di: (di[0] is None, di[0] or datetime.min))
    digest = Digest(name=Path(source_name).stem or "arabic-digest", source_name=source_name,
                    items=[it for _, it in items], omitted=omitted, order=order,
                    undated=undated, models=models, by=by)
    if by == "story":
        position = {it.id: k for k, it in enumerate(digest.items)}  # in the chosen order
        digest.stories, orphans = _stories(members, position)
        # Skipped members of a story whose lead did not finish are named like other records.
        digest.omitted = sorted(digest.omitted + [(it.number, it.id, it.status)
                                                  for it in orphans])
    return digest


def _stories(members: dict[str, list[tuple[dict[str, Any], Item]]],
             position: dict[str, int]) -> tuple[list[StoryEntry], list[Item]]:
    """Stories with an ok article: most outlets first, then the earliest report first (undated
    last); single-article ones after, in the digest's order. Also the members of stories
    without an ok article."""
    keyed = []
    orphans: list[Item] = []
    for sid, group in members.items():
        ok = [(rec, it) for rec, it in group if rec.get("status") == "ok"]
        if not ok:
            orphans += [it for _, it in group]
            continue
        # The run's lead where it is ok; else the first ok article stands in.
        lead = next((it for rec, it in ok if _dict(rec.get("story")).get("role") == "lead"),
                    ok[0][1])
        also = [it for _, it in group if it is not lead]
        outlets = list(dict.fromkeys(o for o in [lead.outlet] + [it.outlet for it in also]
                                     if o))
        dates = [d for d in (record_date(rec) for rec, _ in group) if d is not None]
        first = min(dates) if dates else None
        entry = StoryEntry(sid, lead, also, outlets)
        at = position.get(lead.id, 0)
        if entry.size > 1:
            keyed.append(((0, -len(outlets), first is None, first or datetime.min, at), entry))
        else:
            keyed.append(((1, at), entry))
    keyed.sort(key=lambda ke: ke[0])
    return [e for _, e in keyed], orphans


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
                 order: str = "input", report: Path | None = None,
                 by: str = "story") -> tuple[Path, Digest]:
    """Write the digest of `jsonl` (default: beside it, `<stem>.digest.md` or `.html`)."""
    fmt = output_format(output, fmt)
    out = output or default_path(jsonl, f"digest.{fmt}")
    records, _ = read_records(jsonl)
    if not any(r["status"] == "ok" and isinstance(r.get("translation"), dict) for r in records):
        raise NotAnOutput(f"no translated articles in {jsonl} "
                          f"({plural(len(records), 'record')}, none ok with a translation): "
                          "nothing to digest")
    href = report_href(report or default_path(jsonl, "report.html"), out)
    digest = build_digest(records, href, order, jsonl.name, by)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, render_digest(digest, fmt))
    return out, digest
