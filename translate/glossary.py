"""A term glossary: Arabic terms and their English renderings, and where a segment uses them.

File format (UTF-8, tab-separated, one term per line; blank lines and `#` comments skipped):

    الأمم المتحدة<TAB>United Nations<TAB>UN
    وزارة الداخلية<TAB>Interior Ministry|Ministry of Interior

The first English column is the preferred rendering; further columns (or `|` inside a column)
are accepted variants. Arabic terms are matched in cleaned text (the same normalisation as the
pipeline's), with the clitics news Arabic attaches (و ف ب ك ل, ال, لل); English renderings
case-insensitively as whole words, a plural or possessive ending allowed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from arabic_digest.translate.cleaning.normalize import normalize_line

__all__ = ["Glossary", "GlossaryError", "Term", "load_glossary", "parse_glossary"]

_AR_LETTER = "\u0620-\u064a\u066e-\u066f\u0671-\u06d3\u06d5"


class GlossaryError(ValueError):
    """A glossary file that cannot be used (with the line that is wrong)."""


@dataclass(frozen=True)
class Term:
    arabic: str  # as normalised for matching
    renderings: tuple[str, ...]  # preferred first
    _ar: re.Pattern[str] = field(repr=False, compare=False)
    _en: tuple[re.Pattern[str], ...] = field(repr=False, compare=False)

    @classmethod
    def make(cls, arabic: str, renderings: Iterable[str]) -> Term:
        ar = normalize_line(arabic)
        ens = tuple(dict.fromkeys(" ".join(r.split()) for r in renderings if r.strip()))
        if not ar or not ens:
            raise GlossaryError(f"a term needs Arabic and at least one rendering: {arabic!r}")
        core = ar[2:] if ar.startswith("ال") and len(ar) > 3 else ar
        article = "(?:ال|لل)?" if core != ar else ""
        body = r"\s+".join(map(re.escape, core.split()))
        ar_re = re.compile(f"(?<![{_AR_LETTER}])(?:[وف]?[بكل]?){article}{body}"
                           f"(?![{_AR_LETTER}])")
        en_res = tuple(re.compile(r"(?<![A-Za-z0-9])" + r"[\s-]+".join(map(re.escape, e.split()))
                                  + r"(?:s|es|'s|’s)?(?![A-Za-z0-9])", re.IGNORECASE)
                       for e in ens)
        return cls(ar, ens, ar_re, en_res)

    def in_source(self, source: str) -> re.Match[str] | None:
        return self._ar.search(source)

    def rendering_in(self, target: str) -> str | None:
        """The first rendering (preferred first) the target uses, or None."""
        for rendering, pattern in zip(self.renderings, self._en):
            if pattern.search(target):
                return rendering
        return None


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]
    source: str = ""  # file it was read from

    def __len__(self) -> int:
        return len(self.terms)

    def signature(self) -> str:
        """A short hash of the terms and renderings: what a run's identity keeps of it."""
        raw = json.dumps([[t.arabic, *t.renderings] for t in self.terms], ensure_ascii=False)
        return f"{len(self.terms)}:{hashlib.sha1(raw.encode('utf-8')).hexdigest()[:12]}"

    def uses(self, source: str, target: str) -> list[tuple[Term, str | None]]:
        """(term, rendering found in target or None) for every term the source contains."""
        return [(t, t.rendering_in(target)) for t in self.terms if t.in_source(source)]


def parse_glossary(text: str, source: str = "") -> Glossary:
    terms: dict[str, Term] = {}
    for n, line in enumerate(text.split("\n"), 1):
        line = line.strip("\r\ufeff")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t")]
        if len(cols) < 2:
            raise GlossaryError(f"{source or 'glossary'}:{n}: expected 'Arabic<TAB>English', "
                                f"got {line[:60]!r}")
        renderings = [r for c in cols[1:] for r in c.split("|")]
        try:
            term = Term.make(cols[0], renderings)
        except GlossaryError as exc:
            raise GlossaryError(f"{source or 'glossary'}:{n}: {exc}") from None
        terms[term.arabic] = term  # a later line for the same term wins
    # Longer terms first, so "وزارة الداخلية السعودية" is reported before "وزارة الداخلية".
    return Glossary(tuple(sorted(terms.values(), key=lambda t: -len(t.arabic))), source)


def load_glossary(path: str | Path) -> Glossary:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GlossaryError(f"cannot read glossary {path}: {exc}") from None
    return parse_glossary(text, str(path))
