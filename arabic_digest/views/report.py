"""A self-contained HTML report of a finished run: source and translation side by side.

The records are untrusted input (an article may contain markup), so every piece of text goes
through Jinja2's autoescaping; the page also carries a Content-Security-Policy that lets only
its own inline script run (by hash) and forbids every network request.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from arabic_digest.inputs.dates import DATE_KEYS, parse_date, record_date  # noqa: F401 - importable here
from arabic_digest.records import read_records, write_text_atomic
from arabic_digest.text import cut_at

LOWEST_SHOWN = 20  # lowest-confidence segments listed for the whole run
LOWEST_PER_ARTICLE = 3


# ---------------------------------------------------------------------------- loading


def default_path(jsonl: Path, suffix: str) -> Path:
    """`outputs/news.jsonl` -> `outputs/news.<suffix>` (beside the input)."""
    return jsonl.with_name(f"{jsonl.stem}.{suffix}")


# ---------------------------------------------------------------------------- ids and dates


def anchor_ids(records: Sequence[dict[str, Any]]) -> list[str]:
    """One HTML id per record, readable, URL-safe and unique; the digest links to the same ids.

    Ids are untrusted and may hold any character, so the readable part is reduced to ASCII
    letters, digits, `-` and `_`, with a short hash of the full id where that lost something.
    """
    seen: Counter[str] = Counter()
    out: list[str] = []
    for i, rec in enumerate(records):
        raw = str(rec.get("id", "")) or f"record-{i + 1}"
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", raw).strip("-")[:60]
        if slug != raw:
            slug = f"{slug}-{hashlib.sha1(raw.encode('utf-8')).hexdigest()[:6]}".lstrip("-")
        anchor = f"a-{slug}"
        seen[anchor] += 1
        out.append(anchor if seen[anchor] == 1 else f"{anchor}-{seen[anchor]}")
    return out


# ---------------------------------------------------------------------------- view model


# What a flag points at in the text, by kind: (detail key, side). Numbers the target lacks
# are marked in the source, numbers it adds in the target; lost Latin tokens and glossary
# terms in the source.
MARKED = {"numbers": (("missing", "source"), ("added", "target")),
          "latin_lost": (("tokens", "source"),),
          "glossary": (("terms", "source"),),
          "unsupported_number": (("numbers", "summary"),),
          "unsupported_name": (("names", "summary"),)}


def _needles(value: Any) -> list[str]:
    """Strings to mark from a flag detail (a list of strings, or of glossary term dicts)."""
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("ar")
        if isinstance(item, str) and item.strip():
            out.append(item)
    return out


def _term_forms(needle: str) -> list[str]:
    # A glossary term is stored with its article; the text may carry it as a clitic (للأمم).
    return [needle, needle[2:]] if needle.startswith("ال") and len(needle) > 3 else [needle]


def _edge(char: str, left: bool) -> str:
    """A token boundary: a number ends where the digits do ("777" in "777Saturday"), a word
    where letters and digits do."""
    if char.isdigit():
        return r"(?<!\d)(?<!\d[.,])" if left else r"(?!\d)(?![.,]\d)"
    return r"(?<![0-9A-Za-z])" if left else r"(?![0-9A-Za-z])"


def mark_pieces(text: str, marks: Sequence[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """`text` cut into (piece, kind or None) so that every (needle, kind) in `marks` found
    as a whole token is its own piece; the pieces join back to `text` exactly."""
    spans: list[tuple[int, int, str]] = []
    for needle, kind in marks:
        for form in _term_forms(needle):
            pattern = re.compile(_edge(form[0], True) + re.escape(form) + _edge(form[-1], False))
            found = [(m.start(), m.end(), kind) for m in pattern.finditer(text)]
            if found:
                spans.extend(found)
                break
    return cut_at(text, spans, None)


@dataclass
class Seg:
    n: int  # index in translation.segments
    source: str
    target: str
    split: bool = False
    score: float | None = None
    retried: bool = False
    flags: list[str] = field(default_factory=list)
    low: bool = False  # among the run's lowest-confidence segments
    marks: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # side -> marks

    def pieces(self, side: str) -> list[tuple[str, str | None]]:
        """The source or target text with what its flags point at marked (see MARKED)."""
        return mark_pieces(self.source if side == "source" else self.target,
                           self.marks.get(side, []))

    @property
    def note(self) -> str:
        """Tooltip: what a reader should know about this sentence ("" when nothing)."""
        bits = []
        if self.score is not None:
            bits.append(f"confidence {self.score:.3g}")
        if self.flags:
            bits.append("flags: " + ", ".join(self.flags))
        if self.split:
            bits.append("split to fit the segment budget")
        if self.retried:
            bits.append("retried")
        return "; ".join([f"sentence {self.n + 1}", *bits]) if bits else ""


@dataclass
class Para:
    # The Arabic paragraph as the text between segments and the segments themselves, so the
    # page shows the cleaned paragraph exactly; `None` in place of a Seg is plain text.
    source_parts: list[tuple[str, Seg | None]]
    targets: list[Seg]
    target_text: str | None = None  # a translation without segment alignment (older records)


@dataclass
class Flag:
    kind: str
    seg: int | None
    title: bool
    details: str
    summary: bool = False  # a flag on the summary, not on a sentence


@dataclass
class TermUse:
    """A glossary term an article renders in more than one way."""

    term: str
    renderings: list[tuple[str, int]]
    segs: list[int]


@dataclass
class ArticleView:
    anchor: str
    number: int
    id: str
    status: str
    title_en: str
    title_ar: str
    dateline: str
    date: str
    outlet: str
    summary: str
    summary_notes: str
    error: str
    paragraphs: list[Para]
    removed: list[tuple[str, str]]
    flags: list[Flag]
    lowest: list[Seg]
    source_text: str  # shown (collapsed) when there is no translation to show
    search: str  # lower-cased text the index filter matches against
    segments: int = 0
    summary_pieces: list[tuple[str, str | None]] = field(default_factory=list)
    summary_flags: list[Flag] = field(default_factory=list)
    terms: list[TermUse] = field(default_factory=list)

    @property
    def kinds(self) -> str:
        """Flag kinds of the article (sentences, summary, glossary use), for the kind filter."""
        kinds = {f.kind for f in self.flags} | {f.kind for f in self.summary_flags}
        if self.terms:
            kinds.add("terms_inconsistent")
        return " ".join(sorted(kinds))
    story: str = ""  # the record's story id (stories.py); "" for records without one
    story_role: str = ""  # lead | member
    story_rank: int = 0  # index order when grouped by story: the story's first article
    peers: list[ArticleView] = field(default_factory=list)  # its story's other articles

    @property
    def flag_kinds(self) -> list[tuple[str, int]]:
        return sorted(Counter(f.kind for f in self.flags).items())


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _detail(value: Any) -> str:
    """A flag detail for a reader: lists joined, glossary terms as "Arabic → English"."""
    if isinstance(value, list):
        return ", ".join(_detail(v) for v in value) or "none"
    if isinstance(value, dict) and "ar" in value:
        return f"{_text(value.get('ar'))} → {_text(value.get('en'))}"
    if isinstance(value, dict):  # any other mapping as text too, never a Python repr
        return ", ".join(f"{_text(k)}: {_detail(v)}" for k, v in value.items()) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return _text(value)


def _flags(flags: Any, n_segs: int, summary: bool = False) -> list[Flag]:
    out = []
    for f in flags if isinstance(flags, list) else []:
        if not isinstance(f, dict):
            out.append(Flag(_text(f), None, False, "", summary))
            continue
        seg = next((f[k] for k in ("segment", "segment_index", "index")
                    if isinstance(f.get(k), int) and not isinstance(f.get(k), bool)), None)
        if seg is not None and not 0 <= seg < n_segs:
            seg = None
        details = "; ".join(f"{k}: {_detail(v)}" for k, v in f.items()
                            if k not in ("kind", "segment", "segment_index", "index", "title"))
        out.append(Flag(_text(f.get("kind")) or "flag", seg, bool(f.get("title")), details,
                        summary))
    return out


def _seg_marks(flags: Any) -> dict[int, dict[str, list[tuple[str, str]]]]:
    """segment -> side -> [(text to mark, flag kind)] from the record's flags."""
    out: dict[int, dict[str, list[tuple[str, str]]]] = {}
    for f in flags if isinstance(flags, list) else []:
        if not isinstance(f, dict) or not isinstance(f.get("segment"), int):
            continue
        for key, side in MARKED.get(_text(f.get("kind")), ()):
            for needle in _needles(f.get(key)):
                out.setdefault(f["segment"], {}).setdefault(side, []).append(
                    (needle, _text(f.get("kind"))))
    return out


def _terms(tr: dict[str, Any], segs: list[Seg]) -> list[TermUse]:
    """Glossary terms rendered inconsistently, their renderings marked in the sentences."""
    out = []
    for t in tr.get("terms_inconsistent") or []:
        if not isinstance(t, dict) or not isinstance(t.get("renderings"), dict):
            continue
        where = [i for i in t.get("segments") or [] if isinstance(i, int) and 0 <= i < len(segs)]
        renderings = [(_text(k), v) for k, v in t["renderings"].items() if isinstance(v, int)]
        for i in where:
            segs[i].marks.setdefault("source", []).append((_text(t.get("term")), "term"))
            segs[i].marks.setdefault("target", []).extend((r, "term") for r, _ in renderings)
        out.append(TermUse(_text(t.get("term")), renderings, where))
    return out


def _source_parts(paragraph: str, segs: list[Seg]) -> list[tuple[str, Seg | None]]:
    """Lay the segments over the paragraph, keeping the text between them as it is."""
    parts: list[tuple[str, Seg | None]] = []
    pos = 0
    for seg in segs:
        at = paragraph.find(seg.source, pos) if seg.source else -1
        if at < 0:  # not found verbatim: show the segment as given, after what is left
            parts.append((" ", None))
            parts.append((seg.source, seg))
            continue
        if at > pos:
            parts.append((paragraph[pos:at], None))
        parts.append((seg.source, seg))
        pos = at + len(seg.source)
    if pos < len(paragraph):
        parts.append((paragraph[pos:], None))
    return parts


def _summary_notes(summary: dict[str, Any]) -> str:
    notes = []
    if isinstance(summary.get("chunks"), int) and summary["chunks"] > 1:
        notes.append(f"input summarized in {summary['chunks']} chunks")
    if isinstance(summary.get("passes"), int) and summary["passes"] > 1:
        notes.append(f"{summary['passes']} passes")
    if summary.get("input_truncated"):
        notes.append("input truncated")
    if summary.get("prompt"):
        notes.append(f"prompt: {_text(summary['prompt'])[:80]}")
    return "; ".join(notes)


def article_view(rec: dict[str, Any], anchor: str, number: int) -> ArticleView:
    source = rec.get("source") if isinstance(rec.get("source"), dict) else {}
    clean = rec.get("clean") if isinstance(rec.get("clean"), dict) else {}
    tr = rec.get("translation") if isinstance(rec.get("translation"), dict) else {}
    summary = rec.get("summary") if isinstance(rec.get("summary"), dict) else {}
    meta = source.get("meta") if isinstance(source.get("meta"), dict) else {}
    raw_segs = [s for s in tr.get("segments") or [] if isinstance(s, dict)]
    flags = _flags(tr.get("flags"), len(raw_segs))
    seg_flags: dict[int, list[str]] = {}
    for f in flags:
        if f.seg is not None:
            seg_flags.setdefault(f.seg, []).append(f.kind)
    marks = _seg_marks(tr.get("flags"))
    segs = [Seg(n=i, source=_text(s.get("source")), target=_text(s.get("target")),
                split=bool(s.get("split")), score=_number(s.get("score")),
                retried=bool(s.get("retried")), flags=seg_flags.get(i, []),
                marks=marks.get(i, {}))
            for i, s in enumerate(raw_segs)]
    terms = _terms(tr, segs)
    summary_flags = _flags(summary.get("flags"), 0, summary=True)
    summary_marks = [(needle, _text(f.get("kind"))) for f in summary.get("flags") or []
                     if isinstance(f, dict)
                     for key, _ in MARKED.get(_text(f.get("kind")), ())
                     for needle in _needles(f.get(key))]

    clean_paras = [_text(p) for p in clean.get("paragraphs") or []]
    tr_paras = [_text(p) for p in tr.get("paragraphs") or []]
    by_para: dict[int, list[Seg]] = {}
    for seg, raw in zip(segs, raw_segs):
        para = raw.get("paragraph")
        by_para.setdefault(para if isinstance(para, int) else 0, []).append(seg)
    paragraphs: list[Para] = []
    if tr:
        for i in range(max(len(clean_paras), len(tr_paras), max(by_para, default=-1) + 1)):
            own = by_para.get(i, [])
            text = clean_paras[i] if i < len(clean_paras) else " ".join(s.source for s in own)
            if own:
                paragraphs.append(Para(_source_parts(text, own), own))
            else:
                paragraphs.append(Para([(text, None)], [],
                                       tr_paras[i] if i < len(tr_paras) else ""))

    error = rec.get("error")
    if isinstance(error, dict):
        error_text = ": ".join(_text(error.get(k)) for k in ("stage", "type", "message")
                               if error.get(k))
    else:
        error_text = _text(error)
    removed = []
    for item in clean.get("removed") or []:
        if isinstance(item, dict):
            removed.append((_text(item.get("kind")), _text(item.get("text"))))
        else:
            removed.append(("", _text(item)))
    scored = sorted((s for s in segs if s.score is not None), key=lambda s: s.score)
    view = ArticleView(
        anchor=anchor,
        number=number,
        id=_text(rec.get("id")),
        status=_text(rec.get("status")) or "unknown",
        title_en=_text(tr.get("title")),
        title_ar=_text(clean.get("title") or source.get("title")),
        dateline=_text(clean.get("dateline")),
        date=_text(next((meta[k] for k in DATE_KEYS if meta.get(k)), "")),
        outlet=_text(meta.get("outlet") or meta.get("source") or ""),
        summary=_text(summary.get("text")),
        summary_notes=_summary_notes(summary),
        error=error_text,
        paragraphs=paragraphs,
        removed=removed,
        flags=flags,
        lowest=scored[:LOWEST_PER_ARTICLE],
        source_text=_text(source.get("text")),
        search="",
        segments=len(segs),
        summary_pieces=mark_pieces(_text(summary.get("text")), summary_marks),
        summary_flags=summary_flags,
        terms=terms,
    )
    story = rec.get("story") if isinstance(rec.get("story"), dict) else {}
    view.story = _text(story.get("id"))
    view.story_role = _text(story.get("role"))
    view.search = " ".join([
        view.id, view.status, view.title_en, view.title_ar, view.dateline, view.date,
        view.outlet, view.error, view.kinds, "flagged" if flags or summary_flags else "",
        view.story,
    ]).lower()
    return view


def link_stories(articles: Sequence[ArticleView]) -> int:
    """Give each article its story's other articles and its place in the index grouped by
    story; returns how many stories have more than one article."""
    groups: dict[str, list[ArticleView]] = {}
    for a in articles:
        groups.setdefault(a.story or f"record-{a.number}", []).append(a)
    for group in groups.values():
        for a in group:
            a.peers = [b for b in group if b is not a]
            a.story_rank = group[0].number
    return sum(1 for g in groups.values() if len(g) > 1)


@dataclass
class ReportView:
    title: str
    source_name: str
    generated: str
    articles: list[ArticleView]
    counts: dict[str, int]
    models: list[tuple[str, str]]
    flag_counts: list[tuple[str, int]]
    lowest: list[tuple[ArticleView, Seg]]
    unreadable: int
    segments: int
    summary_flag_counts: list[tuple[str, int]] = field(default_factory=list)
    terms: list[tuple[ArticleView, TermUse]] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        """Every flag kind in the run, for the report's kind filter."""
        return sorted({k for a in self.articles for k in a.kinds.split()})
    stories: int = 0  # stories with more than one article


def build_view(records: Sequence[dict[str, Any]], source_name: str = "",
               unreadable: int = 0, lowest: int = LOWEST_SHOWN) -> ReportView:
    anchors = anchor_ids(records)
    articles = [article_view(r, a, i + 1) for i, (r, a) in enumerate(zip(records, anchors))]
    stories = link_stories(articles)
    counts = Counter(a.status for a in articles)
    models: dict[tuple[str, str], None] = {}
    for rec in records:
        for role, model in (rec.get("models") or {}).items():
            models[(_text(role), _text(model))] = None
    # The run's lowest-confidence segments: listed at the top and marked in the text.
    scored = sorted(((a, s) for a in articles for s in _all_segs(a) if s.score is not None),
                    key=lambda pair: pair[1].score)[:lowest]
    for _, seg in scored:
        seg.low = True
    return ReportView(
        title=f"{Path(source_name).stem or 'arabic-digest'}: source and translation",
        source_name=source_name,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        articles=articles,
        counts={k: counts.get(k, 0) for k in ("ok", "error", "skipped")}
        | {k: v for k, v in counts.items() if k not in ("ok", "error", "skipped")},
        models=list(models),
        flag_counts=sorted(Counter(f.kind for a in articles for f in a.flags).items()),
        lowest=scored,
        unreadable=unreadable,
        segments=sum(a.segments for a in articles),
        summary_flag_counts=sorted(Counter(f.kind for a in articles
                                           for f in a.summary_flags).items()),
        terms=[(a, t) for a in articles for t in a.terms],
        stories=stories,
    )


def _all_segs(article: ArticleView) -> Iterable[Seg]:
    for p in article.paragraphs:
        yield from p.targets


# ---------------------------------------------------------------------------- rendering


def environment() -> Environment:
    """Templates shipped in the package; autoescape on for every template (they are HTML)."""
    return Environment(loader=PackageLoader("arabic_digest", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


def page_csp(script: str, form_action: str = "'none'") -> str:
    """The Content-Security-Policy of a page whose only script is `script`: that script (by
    hash) may run, and nothing may be fetched from anywhere; forms may submit to
    `form_action` (the report: nowhere; the archive's web app: 'self')."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            f"script-src 'sha256-{digest}'; base-uri 'none'; form-action {form_action}")


def resource(env: Environment, name: str) -> str:
    """A file shipped beside the templates, verbatim (CSS and JS are not Jinja templates)."""
    return env.loader.get_source(env, name)[0]  # type: ignore[union-attr]


def render_report(view: ReportView) -> str:
    env = environment()
    script = resource(env, "report.js")
    return env.get_template("report.html.j2").render(
        v=view, css=Markup(resource(env, "report.css")), script=Markup(script),
        csp=page_csp(script))


def report_html(records: Sequence[dict[str, Any]], source_name: str = "") -> str:
    return render_report(build_view(records, source_name))


def write_report(jsonl: Path, output: Path | None = None) -> tuple[Path, ReportView]:
    """Render the report of `jsonl` to `output` (default: beside it, `<stem>.report.html`)."""
    records, bad = read_records(jsonl)
    out = output or default_path(jsonl, "report.html")
    view = build_view(records, jsonl.name, bad)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, render_report(view))
    return out, view
