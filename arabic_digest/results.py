"""Records as Python objects: `Record` over the JSONL record `run` writes (records.py builds it),
`load_records` to read an output back and `to_dataframe` for pandas. Views only: the dict is the
record, and `Record.to_dict()` gives it back as `run` wrote it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from arabic_digest.errors import UsageProblem
from arabic_digest.inputs.readers import InputError
from arabic_digest.records import NotAnOutput, scan_output

if TYPE_CHECKING:
    import pandas


@dataclass(frozen=True)
class Cleaned:
    """An article as cleaning left it: what is translated, and what was taken out.

    Example::

        c = ad.clean("(يتبع)\\nقال الوزير إن المحادثات ستستأنف غدا.")
        c.paragraphs  # ['قال الوزير إن المحادثات ستستأنف غدا.']
        c.removed     # [{'kind': 'continuation', 'text': '(يتبع)', ...}]
    """

    paragraphs: list[str]
    title: str | None = None
    dateline: str | None = None
    removed: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Translation:
    """A record's English: title, paragraphs aligned with `Cleaned.paragraphs`, segments
    (source and target sentence pairs) and trust flags (docs/trust.md)."""

    title: str | None
    paragraphs: list[str]
    segments: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    score: float | None = None


@dataclass(frozen=True)
class Summary:
    """A record's summary: its text, the prompt used (if any) and its flags."""

    text: str
    prompt: dict[str, str] | None = None
    flags: list[dict[str, Any]] | None = None


class Record:
    """One article's result: exactly the JSONL record `run` writes, with typed views.

    Example::

        for rec in pipe.process(["نص عربي"]):
            rec.id, rec.status, rec.translation.paragraphs, rec.summary.text, rec.flags
            rec.to_dict()  # the JSONL record
    """

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __repr__(self) -> str:
        return f"Record(id={self.id!r}, status={self.status!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and other._data == self._data

    __hash__ = None  # type: ignore[assignment]  # mutable underneath, like the dict

    def to_dict(self) -> dict[str, Any]:
        """The record as `run` writes it to JSONL (a copy)."""
        return copy.deepcopy(self._data)

    @property
    def id(self) -> str:
        return str(self._data["id"])

    @property
    def status(self) -> str:
        """ok, error or skipped."""
        return str(self._data["status"])

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def error(self) -> dict[str, str] | None:
        """{stage, type, message} when the status is not ok."""
        return self._data.get("error")

    @property
    def title(self) -> str | None:
        """The source title, as read."""
        return (self._data.get("source") or {}).get("title")

    @property
    def text(self) -> str | None:
        """The source text, exactly as read."""
        return (self._data.get("source") or {}).get("text")

    @property
    def meta(self) -> dict[str, Any]:
        """The input's other fields (date, url, outlet...)."""
        return (self._data.get("source") or {}).get("meta") or {}

    @property
    def clean(self) -> Cleaned | None:
        part = self._data.get("clean")
        if not part:
            return None
        return Cleaned(list(part.get("paragraphs") or []), part.get("title"),
                       part.get("dateline"), list(part.get("removed") or []))

    @property
    def translation(self) -> Translation | None:
        part = self._data.get("translation")
        if not part:
            return None
        return Translation(part.get("title"), list(part.get("paragraphs") or []),
                           list(part.get("segments") or []), list(part.get("flags") or []),
                           part.get("score"))

    @property
    def summary(self) -> Summary | None:
        part = self._data.get("summary")
        if not part:
            return None
        return Summary(part.get("text") or "", part.get("prompt"), list(part.get("flags") or []))

    @property
    def flags(self) -> list[dict[str, Any]]:
        """Every trust flag: the translation's, then the summary's (marked `"in": "summary"`)."""
        tr = self._data.get("translation") or {}
        sm = self._data.get("summary") or {}
        return [*(tr.get("flags") or []), *({**f, "in": "summary"} for f in sm.get("flags") or [])]

    @property
    def story(self) -> dict[str, Any] | None:
        """{id, size, role} when stories were grouped."""
        return self._data.get("story")


def load_records(path: str | Path) -> Iterator[Record]:
    """The records of an output file `run` wrote, in order (lines that are not records, such as
    a torn last line, are passed over). Raises ArabicDigestError when the file is missing or
    holds no record at all.

    Example::

        for rec in ad.load_records("outputs/day.jsonl"):
            print(rec.id, rec.status)
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    return _records(path)


def _records(path: Path) -> Iterator[Record]:
    found, problem = False, ""
    for line in scan_output(path):
        if line.record is None:
            problem = problem or f"line {line.number}: {line.problem}"
            continue
        found = True
        yield Record(line.record)
    if not found:
        why = f" ({problem})" if problem else " (it is empty)"
        raise NotAnOutput(f"{path} is not an arabic-digest output{why}; give the JSONL that "
                          "`arabic-digest run` wrote")


def _as_records(source: str | Path | Iterable[Record | dict[str, Any]]) -> Iterator[Record]:
    if isinstance(source, (str, Path)):
        yield from load_records(source)
        return
    for rec in source:
        yield rec if isinstance(rec, Record) else Record(rec)


ARTICLE_COLUMNS = ("id", "status", "title", "text", "title_en", "translation", "summary",
                   "story", "story_role", "story_size", "flags", "error")
SEGMENT_COLUMNS = ("id", "paragraph", "segment", "source", "target", "score", "flags")


def to_dataframe(source: str | Path | Iterable[Record | dict[str, Any]],
                 level: Literal["article", "segment"] = "article") -> pandas.DataFrame:
    """A pandas DataFrame of records (an output file, or Records/dicts): one row per article
    (`level="article"`) or per translated segment (`level="segment"`). Needs pandas.

    Article columns: id, status, title, text (source), title_en, translation (paragraphs
    joined by newlines), summary, story, story_role, story_size, flags (their count), error.
    Segment columns: id, paragraph, segment (its index in the record), source, target,
    score, flags (the kinds flagged on it).

    Example::

        df = ad.to_dataframe("outputs/day.jsonl")
        df.groupby("story")["summary"].first()
    """
    if level not in ("article", "segment"):
        raise UsageProblem(f"level must be 'article' or 'segment', not {level!r}")
    try:
        import pandas as pd
    except ImportError:
        raise UsageProblem("to_dataframe needs pandas: pip install pandas") from None
    if level == "segment":
        data = [row for rec in _as_records(source) for row in _segment_rows(rec)]
        return pd.DataFrame(data, columns=list(SEGMENT_COLUMNS))
    data = [_article_row(rec) for rec in _as_records(source)]
    return pd.DataFrame(data, columns=list(ARTICLE_COLUMNS))


def _article_row(rec: Record) -> dict[str, Any]:
    tr, sm, story, err = rec.translation, rec.summary, rec.story or {}, rec.error or {}
    return {"id": rec.id, "status": rec.status, "title": rec.title, "text": rec.text,
            "title_en": tr.title if tr else None,
            "translation": "\n".join(tr.paragraphs) if tr else None,
            "summary": sm.text if sm else None, "story": story.get("id"),
            "story_role": story.get("role"), "story_size": story.get("size"),
            "flags": len(rec.flags), "error": err.get("message")}


def _segment_rows(rec: Record) -> list[dict[str, Any]]:
    tr = rec.translation
    if tr is None:
        return []
    kinds: dict[int, list[str]] = {}
    for f in tr.flags:
        if isinstance(f.get("segment"), int):
            kinds.setdefault(f["segment"], []).append(f["kind"])
    return [{"id": rec.id, "paragraph": s.get("paragraph"), "segment": i,
             "source": s.get("source"), "target": s.get("target"), "score": s.get("score"),
             "flags": kinds.get(i, [])} for i, s in enumerate(tr.segments)]
