"""The one shape of everything cleaning takes out: a :class:`Span`.

Every detector, rule-based (translate.clean's RULES, translate.inline's detectors, the code
lexer) or learned (translate.boilerplate), returns spans of one type; translate.clean applies
them with one remover and records each in ``CleanedArticle.removed`` as
``{"kind", "text", "reason"}``.

This module also holds what translate.clean and translate.boilerplate both need, so the two
never import each other: boilerplate imports clean (to clean before counting); clean only
knows the :class:`LearnedSet` protocol below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["LearnedSet", "Span"]


@dataclass(frozen=True)
class Span:
    """A piece of one text that is not news: where it is, what it is and why."""

    kind: str  # "code", "share", "learned", "boundary", "title", ...
    start: int  # offsets in the text the detector was given
    end: int
    text: str = ""  # the piece as it stood (filled in by the remover when empty)
    reason: str = ""  # which rule or evidence marked it, in words

    def record(self) -> dict[str, str]:
        """The entry of ``clean.removed`` (docs/output.md)."""
        out = {"kind": self.kind, "text": self.text}
        if self.reason:
            out["reason"] = self.reason
        return out


class LearnedSet(Protocol):
    """What translate.clean needs of a learned set (translate.boilerplate.Learned)."""

    def has(self, text: str, source: str | None) -> bool: ...

    def spans(self, paragraph: str, source: str | None, *, first: bool,
              last: bool) -> list[Span]: ...

    def place_after_credit(self, line: str, source: str | None) -> tuple[str, str] | None: ...

    def digest(self) -> str: ...

    def to_json(self) -> dict[str, Any]: ...
