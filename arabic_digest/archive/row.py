"""One article of the archive, one class both ways: what a record puts into the `articles`
table (`ArticleRow.from_record`, at indexing) and what a query reads back from it
(`ArticleRow.of`, a line of a list: hits, a story, the briefing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from arabic_digest.inputs.dates import record_date
from arabic_digest.text import cut

# The columns `ArticleRow.of` reads, in its order (articles a JOIN runs r).
ARTICLE_COLUMNS = ("a.key, a.rid, a.status, a.outlet, a.date, a.day, a.story, a.story_role, "
                   "a.title_en, a.title_ar, a.summary, a.flags, a.kinds, a.segments, "
                   "r.signature, r.identity_hash, a.first_sentence, a.last_sentence")
FROM_ARTICLES = "FROM articles a JOIN runs r ON r.key = a.run"

HIT_CHARS = 1000  # a listed article's title and summary are cut here
OUTLET_CHARS = 200

Sentence = tuple[int, "int | None", str, str, int]  # n, paragraph, ar, en, flagged


def run_id(identity_hash: str) -> str:
    """A run's id, as addresses carry it: its identity hash (sha1 of the manifest's identity,
    or of the output file's path for an output without a manifest) in hex."""
    return identity_hash.removeprefix("file:")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass
class ArticleRow:
    id: str  # the record's id
    status: str
    outlet: str | None
    date: str | None  # ISO 8601 UTC
    day: str | None  # YYYY-MM-DD
    story: str | None
    story_role: str | None
    title_en: str
    title_ar: str
    summary: str
    flags: int  # flags on its sentences, title and summary
    kinds: list[str]  # their kinds
    segments: int
    # Known once it is in the archive:
    key: int = 0  # the row's number (internal: an article's address is its id and run)
    run: str = ""  # the run's signature, for people
    run_id: str = ""  # run_id(): `?run=` of /articles/{id}
    first_sentence: int | None = None
    last_sentence: int | None = None
    # Known only at indexing, from the record:
    sentences: list[Sentence] = field(default_factory=list)
    ar_body: str = ""  # the Arabic the article search sees (cleaned, else as read)
    # Set by a search:
    snippet: list[tuple[str, bool]] = field(default_factory=list)
    snippet_lang: str = "en"

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> ArticleRow:
        """A row of ARTICLE_COLUMNS. A row is a line of a list: its texts cut, so a page of
        rows stays small whatever a record holds (the article page shows them whole)."""
        (key, rid, status, outlet, date, day, story, role, title_en, title_ar, summary, flags,
         kinds, segments, run, run_hash, first, last) = row
        return cls(rid, status, cut(outlet, OUTLET_CHARS) if outlet else outlet, date, day,
                   story, role, cut(title_en or "", HIT_CHARS), cut(title_ar or "", HIT_CHARS),
                   cut(summary or "", HIT_CHARS), flags, (kinds or "").split(), segments,
                   key, run, run_id(run_hash), first, last)

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> ArticleRow:
        """What one record puts into the database (besides the record itself)."""
        source, clean = _dict(rec.get("source")), _dict(rec.get("clean"))
        tr, summary = _dict(rec.get("translation")), _dict(rec.get("summary"))
        meta, story = _dict(source.get("meta")), _dict(rec.get("story"))
        flags = [f for f in tr.get("flags") or [] if isinstance(f, dict)]
        sflags = [f for f in summary.get("flags") or [] if isinstance(f, dict)]
        flagged_segs = {f.get("segment") for f in flags if isinstance(f.get("segment"), int)}
        kinds = {_text(f.get("kind")) for f in flags + sflags} - {""}
        if tr.get("terms_inconsistent"):
            kinds.add("terms_inconsistent")
        sentences: list[Sentence] = []
        for n, seg in enumerate(s for s in tr.get("segments") or [] if isinstance(s, dict)):
            para = seg.get("paragraph")
            sentences.append((n, para if isinstance(para, int) else None,
                              _text(seg.get("source")), _text(seg.get("target")),
                              int(n in flagged_segs)))
        dt = record_date(rec)
        paragraphs = clean.get("paragraphs") if isinstance(clean.get("paragraphs"), list) \
            else None
        ar_body = "\n".join(map(_text, paragraphs)) if paragraphs is not None \
            else _text(source.get("text"))
        return cls(
            id=_text(rec.get("id")),
            status=_text(rec.get("status")),
            outlet=_text(meta.get("outlet") or meta.get("source")) or None,
            date=dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None,
            day=dt.strftime("%Y-%m-%d") if dt else None,
            story=_text(story.get("id")) or None,
            story_role=_text(story.get("role")) or None,
            title_en=_text(tr.get("title")),
            title_ar=_text(clean.get("title") or source.get("title")),
            summary=_text(summary.get("text")),
            flags=len(flags) + len(sflags) + len(tr.get("terms_inconsistent") or []),
            kinds=sorted(kinds),
            segments=len(sentences),
            sentences=sentences,
            ar_body=ar_body,
        )

    @property
    def kinds_column(self) -> str:
        """The kinds as the table holds them: space-separated, with spaces around (so a
        filter finds " kind " whole)."""
        return " " + " ".join(self.kinds) + " " if self.kinds else ""

    @property
    def en_body(self) -> str:
        return "\n".join(s[3] for s in self.sentences)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "id": self.id, "run": self.run, "run_id": self.run_id,
                "status": self.status, "outlet": self.outlet, "date": self.date,
                "story": self.story, "story_role": self.story_role, "title_en": self.title_en,
                "title_ar": self.title_ar, "summary": self.summary, "flags": self.flags,
                "flag_kinds": self.kinds, "segments": self.segments,
                **({"snippet": "".join(t for t, _ in self.snippet),
                    "highlights": [t for t, m in self.snippet if m]} if self.snippet else {})}
