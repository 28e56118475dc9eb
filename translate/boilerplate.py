"""Boilerplate learned from the corpus: short spans that recur across one source's articles.

A site's template repeats (a trailing "...المزيد", a "* *" separator, a fixed sign-off) where
news does not, so, as CCNet de-duplicates paragraphs across documents, a span that recurs in
many articles of one source (outlet field, URL host or input file) is boilerplate. News
recurs too (wire datelines, agency names, formulas such as {إنا لله وإنا إليه راجعون} closing
obituaries): a span that reads as Arabic prose (Arabic stopword density, as jusText judges
paragraphs) or names an agency is kept, and reported beside what was learned.

Units are short (at most MAX_UNIT_WORDS words): a whole paragraph, its first stretch up to
the first boundary (sentence end, "...", a " - " or "|" separator) or its last stretch after
the last one. Digits are masked in the keys, so "التعليقات (3)" and "(12)" count as one.

Use: feed :class:`BoilerplateLearner` every article's cleaned paragraphs and its source key,
in input order, then :meth:`~BoilerplateLearner.freeze` gives a :class:`Learned` set:
frozen, hashable, JSON-serialisable (``to_json``/``from_json``), applied by ``clean_article``
through ``CleanOptions(learned=...)``. Counting is Misra-Gries over at most ``capacity``
keys, so memory stays bounded however large the corpus; the same inputs in the same order
always learn the same set (nothing depends on batches or shards).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .clean import _BY_SCOPE, AGENCIES
from .spans import Span

__all__ = ["BoilerplateLearner", "Learned", "reads_as_news", "unit_key", "units"]

LEARNED_VERSION = 1
MAX_UNIT_WORDS = 20  # words with a letter or digit (a menu line of headlines runs long)
HIGH_SHARE = 0.5  # in half a source's articles: template, unless it is a quote or wire copy
MIN_DOCS = 3  # a span must recur in at least this many articles of its source...
MIN_SHARE = 0.02  # ...and in at least this share of them
CAPACITY = 200_000  # counters kept at once (Misra-Gries)
MAX_SOURCES = 10_000  # sources counted apart; later ones share one "~other" key
SHOWN_NEWS = 10  # recurring news spans listed per source in the report

# Arabic function words (prepositions, pronouns, particles, auxiliaries); prose is dense
# with them, template text (menus, credits, buttons) is not.
STOPWORDS = frozenset("""
في من إلى الى على عن مع بين حتى منذ عند لدى نحو خلال حول ضد دون عبر بعد قبل أمام وراء فوق
تحت حيث كما لما إذا اذا إذ إن ان أن إنه إنها أنه أنها إنا إننا أننا لكن لكنه ولكن بل ثم أو او
أم لا لم لن ما ماذا هل قد لقد سوف كل بعض أي غير سوى هذا هذه ذلك تلك هؤلاء هنا هناك هو هي هم هن
نحن أنت أنتم انا أنا الذي التي الذين اللذين اللتين اللواتي كان كانت يكون تكون كانوا ليس ليست
لله الله إليه اليه إليها عليه عليها عليهم منه منها منهم فيه فيها فيهم له لها لهم به بها بهم عنه
عنها إلا الا أيضا ايضا أكثر اكثر أقل جدا فقط كذلك وقد فقد إنما انما التى اللذان ذا لدي يا
""".split())
_PREFIXES = "وفبلك"
_AR_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+")
_AGENCY_RE = re.compile(rf"(?<!\w)(?:{AGENCIES})(?!\w)")
_BOUNDARY = re.compile(r"[.!?؟]+\s+|\s*\.{2,}\s*|\s+[-–|•]\s+|\s*[|•]\s*")
_SENTENCE_END = re.compile(r"[.!?؟]\s+")
_EDGE = " .:!?؟-–|•,،;؛\"'()«»"
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def unit_key(text: str) -> str:
    """What two occurrences of one span share: digits masked, edges and spacing ignored."""
    return _SPACES.sub(" ", _DIGITS.sub("0", text)).strip(_EDGE)


@dataclass(frozen=True)
class Cut:
    key: str  # unit_key of the unit
    text: str  # the unit as it stands (without the boundary)
    start: int  # where a removal of the unit starts and ends in the paragraph
    end: int  # (a head takes its boundary, a tail the boundary before it)


def units(paragraph: str) -> list[Cut]:
    """The paragraph's candidate units: whole (if short), first and last stretch (if short)."""
    out: list[Cut] = []
    if _nwords(paragraph) <= MAX_UNIT_WORDS:
        out.append(Cut(unit_key(paragraph), paragraph.strip(), 0, len(paragraph)))
    bounds = list(_BOUNDARY.finditer(paragraph))
    if bounds:
        first, last = bounds[0], bounds[-1]
        head = paragraph[: first.start()]
        # "PLACE - text" is a dateline, news however often it recurs
        dateline = first.group(0).strip() in "-–" and len(head.split()) <= 3
        if head.strip() and _nwords(head) <= MAX_UNIT_WORDS and not dateline:
            out.append(Cut(unit_key(head), head.strip(), 0, first.end()))
        tail = paragraph[last.end():]
        if tail.strip() and _nwords(tail) <= MAX_UNIT_WORDS:
            # the sentence before keeps its own full stop; a separator goes with the tail
            sep = last.group(0)
            keep = len(sep) - len(sep.lstrip(".!?؟")) if _SENTENCE_END.fullmatch(sep) else 0
            out.append(Cut(unit_key(tail), tail.strip(), last.start() + keep, len(paragraph)))
    return [c for c in out if _countable(c.key)]


def _nwords(text: str) -> int:
    return sum(any(ch.isalnum() for ch in w) for w in text.split())


def _countable(key: str) -> bool:
    # numbers and single letters ("1 -", "د." for Dr.) are content or abbreviations
    letters = sum(ch.isalpha() for ch in key)
    return bool(key) and letters != 1 and not (letters == 0 and "0" in key)


def news_reason(text: str) -> str | None:
    """Why a recurring span reads as news, or None when it reads as template.

    "wire" (an agency or dateline), "quote" (a bracketed or quoted saying), "sentence" (a
    complete sentence with function words) protect a span however often it recurs; "prose"
    (dense with function words) protects it only below HIGH_SHARE of its source's articles.
    """
    if _AGENCY_RE.search(text) or any(c.regex.match(text) for c in _BY_SCOPE["head"]):
        return "wire"  # wire datelines and agency names recur because they are news
    words = _AR_WORD.findall(text)
    if not words:
        return None
    quoted = text.strip(" .،,:;؛")
    if quoted[:1] in "{«\"(" and quoted[-1:] in "}»\")":
        return "quote"  # a verse or a saying recurs because it is quoted
    stop = sum(w in STOPWORDS or (w[0] in _PREFIXES and w[1:] in STOPWORDS) for w in words)
    n, share = len(words), stop / len(words)
    ends = text.rstrip()[-1:] in ".!?؟"
    if (n >= 8 and share >= 0.1) or (n >= 5 and share >= 0.1 and ends):
        return "sentence"
    if n >= 3 and share >= 0.3:
        return "prose"
    return None


def reads_as_news(text: str) -> bool:
    """Whether a recurring span is news (kept) rather than template (learned)."""
    return news_reason(text) is not None


@dataclass(frozen=True)
class Unit:
    key: str
    text: str  # the first occurrence, as it was
    docs: int  # articles of the source it recurs in (a lower bound past `capacity`)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "key": self.key, "docs": self.docs}


@dataclass(frozen=True)
class SourceLearned:
    source: str
    articles: int
    boilerplate: tuple[Unit, ...]  # removed from this source's articles
    news: tuple[Unit, ...]  # recurring, but read as news: kept (the most frequent few)

    def to_json(self) -> dict[str, Any]:
        return {"articles": self.articles,
                "boilerplate": [u.to_json() for u in self.boilerplate],
                "kept_as_news": [u.to_json() for u in self.news]}


@dataclass(frozen=True)
class Learned:
    sources: tuple[SourceLearned, ...]
    articles: int
    min_docs: int = MIN_DOCS
    min_share: float = MIN_SHARE
    capacity: int = CAPACITY
    evicted: bool = False  # counters were dropped (counts are lower bounds)

    @cached_property
    def _lookup(self) -> dict[str, frozenset[str]]:
        return {s.source: frozenset(u.key for u in s.boilerplate) for s in self.sources}

    @cached_property
    def _docs(self) -> dict[str, dict[str, int]]:
        return {s.source: {u.key: u.docs for u in s.boilerplate} for s in self.sources}

    def digest(self) -> str:
        """Names the set in the cleaning signature: what is removed, from which source."""
        keys = [[s.source, sorted(u.key for u in s.boilerplate)] for s in self.sources
                if s.boilerplate]
        blob = json.dumps(keys, ensure_ascii=False, sort_keys=True).encode()
        return hashlib.sha1(blob).hexdigest()[:10]

    def has(self, text: str, source: str | None) -> bool:
        """Whether `text` as a whole is a learned unit of `source`."""
        keys = self._lookup.get(source or "")
        return bool(keys) and unit_key(text) in keys

    def spans(self, paragraph: str, source: str | None, *, first: bool = False,
              last: bool = False) -> list[Span]:
        """The learned units of `source` in one paragraph, as spans of it (whole, heads, tails;
        a head or tail may uncover another)."""
        keys = self._lookup.get(source or "")
        if not keys:
            return []
        docs = self._docs.get(source or "", {})
        out: list[Span] = []
        lo, hi = 0, len(paragraph)
        for _ in range(MAX_UNIT_WORDS):
            piece = paragraph[lo:hi]
            cut = next((c for c in units(piece) if c.key in keys), None)
            if cut is None:
                break
            s, e = lo + cut.start, lo + cut.end
            out.append(Span("learned", s, e, paragraph[s:e].strip(),
                            f"recurs in {docs.get(cut.key, 0)} articles of {source}"))
            if cut.start == 0:
                lo = e
            else:
                hi = s
            if not paragraph[lo:hi].strip():
                break
        return sorted(out, key=lambda sp: sp.start)

    def strip(self, paragraph: str, source: str | None) -> tuple[str, list[str]]:
        """The paragraph without its learned units (whole units only), and what went."""
        keys = self._lookup.get(source or "")
        if not keys:
            return paragraph, []
        removed: list[str] = []
        for _ in range(MAX_UNIT_WORDS):
            cut = next((c for c in units(paragraph) if c.key in keys), None)
            if cut is None:
                break
            removed.append(paragraph[cut.start:cut.end].strip())
            paragraph = (paragraph[:cut.start].rstrip() + " " + paragraph[cut.end:].lstrip())
            paragraph = paragraph.strip()
            if not paragraph:
                break
        return paragraph, removed

    def to_json(self) -> dict[str, Any]:
        return {"version": LEARNED_VERSION, "digest": self.digest(), "articles": self.articles,
                "min_docs": self.min_docs, "min_share": self.min_share,
                "capacity": self.capacity, "evicted": self.evicted,
                "sources": {s.source: s.to_json() for s in self.sources}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Learned:
        def unit(u: dict[str, Any]) -> Unit:
            return Unit(u["key"], u["text"], u["docs"])

        return cls(
            tuple(SourceLearned(name, s["articles"],
                                tuple(unit(u) for u in s["boilerplate"]),
                                tuple(unit(u) for u in s["kept_as_news"]))
                  for name, s in data["sources"].items()),
            data["articles"], data["min_docs"], data["min_share"], data["capacity"],
            data["evicted"])

    def describe(self) -> str:
        """Per source: what was learned and which recurring spans were kept as news."""
        lines = [f"learned boilerplate ({self.digest()}, {self.articles} articles; a span "
                 f"recurring in >= {self.min_docs} articles and >= {self.min_share:.0%} of "
                 "its source):"]
        for s in self.sources:
            lines.append(f"  {s.source} ({s.articles} articles): "
                         f"{len(s.boilerplate)} learned, {len(s.news)} kept as news")
            lines += [f"    - {u.text!r} x{u.docs}" for u in s.boilerplate]
            lines += [f"    + {u.text!r} x{u.docs} (news)" for u in s.news]
        return "\n".join(lines)


@dataclass
class BoilerplateLearner:
    """Counts, per source, in how many articles each short unit occurs (bounded memory)."""

    capacity: int = CAPACITY
    min_docs: int = MIN_DOCS
    min_share: float = MIN_SHARE
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    first_text: dict[tuple[str, str], str] = field(default_factory=dict)
    articles: Counter[str] = field(default_factory=Counter)
    evicted: bool = False

    def add(self, source: str, paragraphs: list[str]) -> None:
        """One article's cleaned pieces (`CleanedArticle.learning_units()`); each unit counts
        once per article."""
        if source not in self.articles and len(self.articles) >= MAX_SOURCES:
            source = "~other"
        self.articles[source] += 1
        seen: dict[str, str] = {}
        for p in paragraphs:
            for cut in units(p):
                seen.setdefault(cut.key, cut.text)
        for key in sorted(seen):  # sorted: the same article always counts the same way
            self._count((source, key), seen[key])

    def _count(self, key: tuple[str, str], text: str) -> None:
        if key in self.counts:
            self.counts[key] += 1
            return
        if len(self.counts) >= self.capacity:
            # Misra-Gries: everyone pays one; what falls to zero makes room
            self.evicted = True
            for k in list(self.counts):
                self.counts[k] -= 1
                if not self.counts[k]:
                    del self.counts[k]
                    del self.first_text[k]
            return
        self.counts[key] = 1
        self.first_text[key] = text

    def freeze(self) -> Learned:
        boiler: dict[str, list[Unit]] = {}
        news: dict[str, list[Unit]] = {}
        for (source, key), docs in self.counts.items():
            if docs < self.min_docs:
                continue
            unit = Unit(key, self.first_text[(source, key)], docs)
            reason = news_reason(unit.text)
            share = docs / self.articles[source]
            if reason == "prose" and share >= HIGH_SHARE:
                reason = None  # on half the pages of a site: its template, however worded
            if reason is not None:
                news.setdefault(source, []).append(unit)  # reported, never removed
            elif docs >= math.ceil(self.min_share * self.articles[source]):
                boiler.setdefault(source, []).append(unit)

        def order(us: list[Unit]) -> list[Unit]:
            return sorted(us, key=lambda u: (-u.docs, u.key))

        sources = tuple(
            SourceLearned(name, n, tuple(order(boiler.get(name, []))),
                          tuple(order(news.get(name, []))[:SHOWN_NEWS]))
            for name, n in sorted(self.articles.items()))
        return Learned(sources, sum(self.articles.values()), self.min_docs, self.min_share,
                       self.capacity, self.evicted)
