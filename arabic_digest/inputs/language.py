"""Is this article Arabic? lingua-language-detector, restricted to the languages a corpus of
Arabic news is likely to hold by mistake (its model ships in the wheel, so it works offline).

Restricting to Arabic, Persian, Urdu, English and French makes it fast and sure: on the
shared corpus it calls all 31 articles and all 1005 NTREX-128 Arabic sentences Arabic, and
1004 of the 1005 English ones English (one short English line comes out French). Persian and
Urdu are in the set because they share the Arabic script: Opus-MT ar-en would turn them into
fluent nonsense.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from arabic_digest.translate.cleaning.codelex import code_spans
from arabic_digest.translate.cleaning.inline import html_spans

_AR_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3]")
SAMPLE_CHARS = 3000  # enough to decide; bounded, so a long article costs no more
MIN_LETTERS = 20  # fewer letters than this: too little to judge, the article is kept
LANGUAGES = ("ARABIC", "PERSIAN", "URDU", "ENGLISH", "FRENCH")
CODES = {"ARABIC": "ar", "PERSIAN": "fa", "URDU": "ur", "ENGLISH": "en", "FRENCH": "fr"}


@dataclass(frozen=True)
class Verdict:
    language: str | None  # ISO 639-1 code, None when there is too little text to judge
    confidence: float

    @property
    def arabic(self) -> bool:
        return self.language in (None, "ar")


@lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        *(getattr(Language, name) for name in LANGUAGES)).build()


def _sample(text: str) -> str:
    if len(text) <= SAMPLE_CHARS:
        return text
    # Beginning and middle: a lead in one language and a body in another still shows.
    half = SAMPLE_CHARS // 2
    mid = len(text) // 2
    return text[:half] + "\n" + text[mid:mid + half]


_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# a run of Latin-script words (with digits and the punctuation of names: "Galaxy S9", "U.S.")
_LATIN_RUN = re.compile(r"[A-Za-z0-9][\w'’.&+-]*(?:[ ,/-]+[A-Za-z0-9][\w'’.&+-]*)*")
TERM_WORDS = 4  # a Latin run this short inside Arabic text is a name or a term, not prose


def prose(text: str) -> str:
    """The text with code, markup, URLs and e-mails taken out, and the Latin-script names and
    terms of Arabic sentences (runs of at most TERM_WORDS words); longer runs in another
    language are prose and stay to be judged."""
    out = []
    for line in text.split("\n"):
        spans = code_spans(line) + html_spans(line)
        for sp in sorted(spans, key=lambda s: -s.start):
            line = line[:sp.start] + " " + line[sp.end:]
        line = _URL.sub(" ", line)
        if _AR_LETTER.search(line):
            line = _LATIN_RUN.sub(
                lambda m: " " if len(re.findall(r"[A-Za-z]{2,}", m.group(0))) <= TERM_WORDS
                else m.group(0), line)
        out.append(line)
    return "\n".join(out)


def identify(text: str) -> Verdict:
    """The language of the text's prose (see :func:`prose`)."""
    sample = _sample(prose(text))
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return Verdict(None, 0.0)
    values = _detector().compute_language_confidence_values(sample)
    if not values:
        return Verdict(None, 0.0)
    top = values[0]
    return Verdict(CODES.get(top.language.name, top.language.name.lower()),
                   round(top.value, 3))


ARABIC_SCRIPT_SHARE = 0.5  # a paragraph with fewer Arabic-script letters is in another script


def arabic_share(text: str) -> float | None:
    """Share of Arabic-script letters among the letters; None when too few to judge."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < MIN_LETTERS:
        return None
    return sum("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or
               "\ufb50" <= ch <= "\ufeff" for ch in letters) / len(letters)


def other_script(paragraph: str) -> bool:
    """Whether a paragraph's prose is written in another script than Arabic's (by letters)."""
    share = arabic_share(prose(paragraph))
    return share is not None and share < ARABIC_SCRIPT_SHARE


NAMES = {"ar": "Arabic", "fa": "Persian", "ur": "Urdu", "en": "English", "fr": "French"}
