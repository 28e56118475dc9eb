"""Trust flags: pure checks on one translated segment that say "look at this one".

Opus-MT fails in known ways: repetition loops, dropped or invented text (a length far from what
the source predicts), Arabic left in the English, and output that is a copy of the source. Each
check takes the source and target strings and returns a detail dict when it fires, else None.
`check_segment` runs them all and returns `[{"kind": ..., **detail}]`.

The length band is calibrated on human translations (NTREX-128 dev, see
`calibrate_length_ratio` and `benchmarks/calibrate_length_ratio.py`).
"""

from __future__ import annotations

import difflib
import re
import statistics
from collections.abc import Iterable
from typing import Any

__all__ = [
    "COPY_MIN_SIMILARITY",
    "LENGTH_RATIO_BAND",
    "LENGTH_RATIO_MEAN",
    "LENGTH_RATIO_MIN_SOURCE",
    "SEVERITY",
    "calibrate_length_ratio",
    "check_segment",
    "copied",
    "length_ratio",
    "nonspace_chars",
    "repetition",
    "severity",
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
SEVERITY = {"copied": 3, "repetition": 3, "untranslated": 2, "empty": 2, "length_ratio": 1,
            "length_limit": 1, "split": 0}

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


def check_segment(source: str, target: str, *, split: bool = False,
                  split_at: str | None = None) -> list[dict[str, Any]]:
    """All flags of one segment, most severe first.

    `copied` implies Arabic in the output, so `untranslated` is only reported without it.
    """
    flags: list[dict[str, Any]] = []
    if source.strip() and not target.strip():
        # Nothing came out of a non-empty source: the reader must see a gap, not a join.
        return [{"kind": "empty"}] + ([{"kind": "split", "split_at": split_at}] if split else [])
    for kind, detail in (("copied", copied(source, target)),
                         ("repetition", repetition(target)),
                         ("untranslated", untranslated(target)),
                         ("length_ratio", length_ratio(source, target))):
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
