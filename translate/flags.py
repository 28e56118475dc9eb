"""Trust flags: pure checks on one translated segment that say "look at this one".

Opus-MT fails in known ways: repetition loops, dropped or invented text (a length far from what
the source predicts), Arabic left in the English, and output that is a copy of the source. News
readers are hurt most by facts that change on the way: a number dropped or altered (`numbers`),
a URL, handle or Latin-script name lost (`latin_lost`), a term rendered off the user's glossary
(`glossary`); and by a summary that states a number or a name the article never gave
(`summary_flags`). Each check takes the source and target strings and returns a detail dict
when it fires, else None. `check_segment` runs them all and returns `[{"kind": ..., **detail}]`.

The length band, `numbers` and `latin_lost` are calibrated on human translations (NTREX-128
dev, see `benchmarks/calibrate_length_ratio.py` and `benchmarks/calibrate_checks.py`).
"""

from __future__ import annotations

import difflib
import re
import statistics
from collections.abc import Iterable
from typing import Any

from arabic_digest.translate.glossary import Glossary
from arabic_digest.translate.latin import found_in, latin_tokens
from arabic_digest.translate.numbers import arabic_word_values, digit_numbers, english_word_values

__all__ = [
    "COPY_MIN_SIMILARITY",
    "LENGTH_RATIO_BAND",
    "LENGTH_RATIO_MEAN",
    "LENGTH_RATIO_MIN_SOURCE",
    "SEVERITY",
    "calibrate_length_ratio",
    "check_segment",
    "copied",
    "glossary",
    "latin_lost",
    "length_ratio",
    "nonspace_chars",
    "numbers",
    "repetition",
    "severity",
    "summary_flags",
    "untranslated",
]

# English/Arabic ratio of non-space characters on NTREX-128 dev (1005 human-translated news
# sentences; the English is the original). Characters, not words: Arabic writes conjunctions,
# prepositions and the article as clitics of the next word, so word ratios swing with style
# (spread of log ratio 0.40 for words vs 0.18 for characters on the same pairs).
# The band is the 0.5th-99.5th percentile: 1% of human translations fall outside it.
# Reproduce: python benchmarks/calibrate_length_ratio.py (tests check these numbers).
LENGTH_RATIO_MEAN = 1.110
LENGTH_RATIO_BAND = (0.604, 1.777)
# Below this many source characters the ratio is too noisy to judge (dates, names, headlines).
LENGTH_RATIO_MIN_SOURCE = 15

# A unit of 1-8 words repeated back to back this many times is a decoding loop.
REPEAT_MIN_TIMES = 3
REPEAT_MAX_UNIT = 8
# ... and a unit of at least this many words repeated back to back twice is one too.
REPEAT_LONG_UNIT = 4

# difflib similarity between source and target above which the target is a copy.
COPY_MIN_SIMILARITY = 0.5

# How bad each kind is, to choose between a first try and its retry (higher is worse).
# A wrong or dropped number or a lost URL/name misleads as much as Arabic left in the text;
# an off-glossary rendering is a matter of wording (the rule: arabic_digest/pipeline/trust.py).
SEVERITY = {"copied": 3, "repetition": 3, "untranslated": 2, "numbers": 2, "latin_lost": 2,
            "empty": 2, "length_ratio": 1, "length_limit": 1, "glossary": 1, "split": 0}

_WORD_RE = re.compile(r"\w+", re.UNICODE)
# Arabic script blocks: Arabic, Supplement, Extended-A, Presentation Forms A and B.
_ARABIC_LETTER_RE = re.compile(
    r"[\u0620-\u064A\u066E-\u06D3\u06D5\u06EE\u06EF\u06FA-\u06FC\u06FF\u0750-\u077F"
    r"\u08A0-\u08C9\uFB50-\uFDFB\uFE70-\uFEFC]+"
)


def nonspace_chars(text: str) -> int:
    return sum(1 for c in text if not c.isspace())


def repetition(target: str) -> dict[str, Any] | None:
    """A loop: a word n-gram repeated back to back (3+ times, or twice for 4+ words).

    Case and punctuation are ignored, so "the army, the army, the army" is one loop.
    Returns the longest-running loop found.
    """
    words = [w.lower() for w in _WORD_RE.findall(target)]
    best: tuple[int, int, int] | None = None  # (words covered, unit, start)
    for n in range(1, REPEAT_MAX_UNIT + 1):
        i = 0
        while i + 2 * n <= len(words):
            unit = words[i:i + n]
            times = 1
            while words[i + times * n:i + (times + 1) * n] == unit:
                times += 1
            if times >= REPEAT_MIN_TIMES or (n >= REPEAT_LONG_UNIT and times >= 2):
                if best is None or times * n > best[0]:
                    best = (times * n, n, i)
                i += times * n
            else:
                i += 1
    if best is None:
        return None
    covered, n, start = best
    return {"ngram": " ".join(words[start:start + n]), "times": covered // n,
            "share": round(covered / len(words), 3)}


def length_ratio(source: str, target: str,
                 band: tuple[float, float] = LENGTH_RATIO_BAND,
                 min_source: int = LENGTH_RATIO_MIN_SOURCE) -> dict[str, Any] | None:
    """Target much shorter or longer than the source predicts (non-space characters)."""
    n_src = nonspace_chars(source)
    if n_src < min_source:
        return None
    ratio = nonspace_chars(target) / n_src
    if band[0] <= ratio <= band[1]:
        return None
    # The band itself is in the run's manifest (trust.length_ratio_band), not in every flag.
    return {"ratio": round(ratio, 3), "direction": "short" if ratio < band[0] else "long"}


def untranslated(target: str) -> dict[str, Any] | None:
    """Arabic letters left in the English output (any run of two or more)."""
    spans = [m.group() for m in _ARABIC_LETTER_RE.finditer(target) if len(m.group()) >= 2]
    if not spans:
        return None
    letters = sum(1 for c in target if c.isalpha())
    arabic = sum(len(m.group()) for m in _ARABIC_LETTER_RE.finditer(target))
    # A few short spans are enough to find them; whole Arabic outputs would bloat the record.
    unique = list(dict.fromkeys(sp[:30] for sp in spans))[:3]
    return {"spans": unique, "share": round(arabic / max(letters, 1), 3)}


def copied(source: str, target: str,
           min_similarity: float = COPY_MIN_SIMILARITY) -> dict[str, Any] | None:
    """The output is mostly the source copied through.

    Only when the source has Arabic letters: a segment that is just a number, a Latin name or
    a URL is rightly copied.
    """
    if not _ARABIC_LETTER_RE.search(source) or not target.strip():
        return None
    a, b = " ".join(source.split()), " ".join(target.split())
    similarity = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    if similarity < min_similarity:
        return None
    return {"similarity": round(similarity, 3)}


def numbers(source: str, target: str) -> dict[str, Any] | None:
    """Numbers of the source missing from the target, and numbers the target adds.

    Source numbers are those written in digits (after cleaning: Arabic-Indic and Persian
    digits are ASCII, `٫`/`٬` are `.`/`,`); each must appear in the target in digits or in
    English words ("3" / "three", "55 ألف" / "55,000" / "55 thousand", "1.5 مليار" / "$1.5bn").
    A number the target writes in digits must be in the source in digits or in Arabic words
    ("2" / "اثنين", "2nd" / "الثانية", "1.5 million" / "مليون ونصف", "1990s" / "التسعينيات").
    Returns the numbers as written: `missing` from the source, `added` from the target.
    """
    src, tgt = digit_numbers(source, "ar"), digit_numbers(target, "en")
    if not src and not tgt:
        return None
    in_target = set().union(*(n.values for n in tgt)) | english_word_values(target)
    missing = list(dict.fromkeys(n.text for n in src if not n.values & in_target))
    in_source = set().union(*(n.values for n in src)) | arabic_word_values(source)
    added = list(dict.fromkeys(n.text for n in tgt if not n.values & in_source))
    if not missing and not added:
        return None
    return {"missing": missing, "added": added}


def latin_lost(source: str, target: str) -> dict[str, Any] | None:
    """URLs, e-mail addresses, hashtags, handles and Latin-script names or acronyms of the
    source that the target does not carry through (see translate.latin.found_in)."""
    lost = [t.text for t in latin_tokens(source) if not found_in(t, target)]
    if not lost:
        return None
    return {"tokens": list(dict.fromkeys(lost))[:10]}


def glossary(source: str, target: str, terms: Glossary | None) -> dict[str, Any] | None:
    """Glossary terms the source uses whose rendering (or an accepted variant) the target
    lacks; `terms` lists them as {"ar": term, "en": preferred rendering}."""
    if not terms:
        return None
    lacking = [{"ar": t.arabic, "en": t.renderings[0]}
               for t, found in terms.uses(source, target) if found is None]
    return {"terms": lacking} if lacking else None


_NAME_RE = re.compile(r"[^\W\d_]+")


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _NAME_RE.findall(text)}


def summary_flags(summary: str, translation: str) -> list[dict[str, Any]]:
    """A summary's numbers and capitalised names that the article's translation lacks.

    `unsupported_number`: a number in digits whose values (as in `numbers`) the translation
    gives neither in digits nor in words. `unsupported_name`: a capitalised word (two letters
    or more) that is not a word of the translation in any case. Both compare tokens, not
    sentences, so a summary that copies sentences (lead-N) is never flagged whatever its
    sentence breaks and punctuation.
    """
    flags: list[dict[str, Any]] = []
    support = set().union(*(n.values for n in digit_numbers(translation, "en")))
    support |= english_word_values(translation)
    unsupported = [n.text for n in digit_numbers(summary, "en") if not n.values & support]
    if unsupported:
        flags.append({"kind": "unsupported_number", "numbers": list(dict.fromkeys(unsupported))})
    words = _words(translation)
    names = [w for w in _NAME_RE.findall(summary)
             if len(w) > 1 and w[0].isupper() and w.casefold() not in words]
    if names:
        flags.append({"kind": "unsupported_name", "names": list(dict.fromkeys(names))[:10]})
    return flags


def check_segment(source: str, target: str, *, split: bool = False,
                  split_at: str | None = None,
                  terms: Glossary | None = None) -> list[dict[str, Any]]:
    """All flags of one segment, most severe first.

    `copied` implies Arabic in the output, so `untranslated` is only reported without it; a
    copy carries every number and Latin token, so those checks are moot then too.
    """
    flags: list[dict[str, Any]] = []
    if source.strip() and not target.strip():
        # Nothing came out of a non-empty source: the reader must see a gap, not a join.
        return [{"kind": "empty"}] + ([{"kind": "split", "split_at": split_at}] if split else [])
    for kind, detail in (("copied", copied(source, target)),
                         ("repetition", repetition(target)),
                         ("untranslated", untranslated(target)),
                         ("numbers", numbers(source, target)),
                         ("latin_lost", latin_lost(source, target)),
                         ("length_ratio", length_ratio(source, target)),
                         ("glossary", glossary(source, target, terms))):
        if detail is None or (kind == "untranslated" and flags and flags[0]["kind"] == "copied"):
            continue
        flags.append({"kind": kind, **detail})
    if split:
        flags.append({"kind": "split", "split_at": split_at})
    return flags


def severity(flags: Iterable[dict[str, Any]]) -> int:
    """Sum of the flags' severities (`split` counts 0: a retry cannot change it)."""
    return sum(SEVERITY.get(f["kind"], 1) for f in flags)


def calibrate_length_ratio(sources: Iterable[str], targets: Iterable[str],
                           low_pct: float = 0.5, high_pct: float = 99.5) -> dict[str, Any]:
    """Mean, median and percentile band of target/source non-space character ratios.

    Percentiles interpolate linearly between order statistics (numpy's default method).
    Pairs with an empty side are left out.
    """
    ratios = [nonspace_chars(t) / nonspace_chars(s) for s, t in zip(sources, targets)
              if nonspace_chars(s) and nonspace_chars(t)]
    cuts = statistics.quantiles(ratios, n=1000, method="inclusive")
    return {"pairs": len(ratios), "mean": statistics.fmean(ratios),
            "median": statistics.median(ratios),
            "low": cuts[round(low_pct * 10) - 1], "high": cuts[round(high_pct * 10) - 1],
            "low_pct": low_pct, "high_pct": high_pct}
