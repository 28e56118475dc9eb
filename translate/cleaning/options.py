"""What a cleaning does and what it returns: :class:`CleanOptions` (the switches, and the
signature that names them) and :class:`CleanedArticle`.

Signature (``CleanOptions().signature()``), one token per switch::

    clean:v4|nfkc|{dediac|diac:keep}|digits:{ascii|keep}|punct:{moses|keep}
        |{boiler|boiler:keep|boiler:-kind1,-kind2}[|letters:keep][|learned:<digest>]

Bump :data:`CLEANING_VERSION` whenever a rule (rules.py) or mapping (normalize.py) changes
output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from arabic_digest.translate.cleaning.spans import LearnedSet

CLEANING_VERSION = "v4"


@dataclass(frozen=True)
class CleanOptions:
    """Switches for single cleaning rules; all ``False`` is the default pipeline."""

    keep_diacritics: bool = False  # keep harakat (U+064B-U+0652, U+0670) and tatweel
    keep_digits: bool = False  # keep Eastern Arabic-Indic / Persian digits
    keep_punctuation: bool = False  # no Moses quote/dash/spacing normalisation
    keep_boilerplate: bool = False  # no boilerplate removal, no dateline extraction
    keep_letters: bool = False  # keep Persian/Urdu letter forms (ک ی ۔)
    keep_kinds: frozenset[str] = field(default_factory=frozenset)  # boilerplate kinds to keep
    # what recurs across one source's articles (translate.boilerplate), applied per source
    learned: LearnedSet | None = None

    def signature(self) -> str:
        """A string naming exactly what this cleaning does, for records and manifests.

        Default: ``clean:v4|nfkc|dediac|digits:ascii|punct:moses|boiler``; with a learned
        set, ``|learned:<digest>`` (the same inputs always learn the same set).
        """
        parts = [f"clean:{CLEANING_VERSION}", "nfkc"]
        parts.append("diac:keep" if self.keep_diacritics else "dediac")
        parts.append("digits:keep" if self.keep_digits else "digits:ascii")
        parts.append("punct:keep" if self.keep_punctuation else "punct:moses")
        if self.keep_boilerplate:
            parts.append("boiler:keep")
        elif self.keep_kinds:
            parts.append("boiler:" + ",".join("-" + k for k in sorted(self.keep_kinds)))
        else:
            parts.append("boiler")
        if self.keep_letters:
            parts.append("letters:keep")
        if self.learned is not None and not self.keep_boilerplate:
            parts.append(f"learned:{self.learned.digest()}")
        return "|".join(parts)


@dataclass
class CleanedArticle:
    title: str | None  # normalised title (None if none given)
    dateline: str | None
    paragraphs: list[str]  # normalised, non-empty, boilerplate removed
    removed: list[dict]  # {"kind": str, "text": str}
    # the kept lines of paragraphs that span several lines (scraped pages flattened with single
    # newlines): boilerplate learning counts them as units too, as CCNet counts lines
    lines: list[str] = field(default_factory=list)

    def learning_units(self) -> list[str]:
        """What translate.boilerplate counts for this article: paragraphs and inner lines."""
        return self.paragraphs + [ln for ln in self.lines if ln not in self.paragraphs]

