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
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from arabic_digest.translate.cleaning.inline import AGENCIES, REPORT_VERBS
from arabic_digest.translate.cleaning.normalize import normalize_line
from arabic_digest.translate.cleaning.options import CleanedArticle
from arabic_digest.translate.cleaning.rules import BY_SCOPE
from arabic_digest.translate.cleaning.spans import Span

__all__ = ["BoilerplateLearner", "Learned", "news_reason", "unit_key", "units"]

LEARNED_VERSION = 2
MAX_UNIT_WORDS = 20  # words with a letter or digit (a menu line of headlines runs long)
HIGH_SHARE = 0.5  # in half a source's articles: template, unless it is a quote or wire copy
MIN_DOCS = 3  # a span must recur in at least this many articles of its source...
MIN_SHARE = 0.02  # ...and in at least this share of them
# Chosen by `benchmarks/clean_quality.py --leave-one-out` (the smallest value of a grid that
# loses no news on six outlets of the shared day, for each outlet held out; docs/cleaning.md):
EDGE_SHARE = 0.25  # a word n-gram opening/closing this share of a source's articles is template
END_SHARE = 0.1  # a sentence-like unit at one end of this share of them is template, too
MAX_EDGE_WORDS = 6  # boundary n-grams are 1-6 words (one more is counted to see continuations)
MAX_AROUND = 4  # neighbouring words kept per side of a unit (two differ: "different text")
MAX_RESTS = 4  # short texts kept between a mid-body unit and each end of its article...
MAX_REST_WORDS = 2 * MAX_UNIT_WORDS  # ...of at most this many words (a footer's other pieces)
AT_ONE_END = 0.8  # "at the same place": this share of a unit's occurrences at one end
VARIED = 0.5  # a boundary n-gram ends where no single next word follows it this often
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


def _mask(words: list[str]) -> str:
    return " ".join(_DIGITS.sub("0", w) for w in words)


def _rest(text: str) -> str:
    """The text between a unit and one end of its article, digits masked, when short."""
    return _DIGITS.sub("0", text.strip()) if _nwords(text) <= MAX_REST_WORDS else ""


def _taken(text: str, keys: frozenset[str]) -> bool:
    """Whether learned units (`keys`) make up all of `text`, line by line, as
    `Learned.spans` would take them (heads and tails uncovering others)."""
    for line in text.split("\n"):
        piece = line
        for _ in range(MAX_UNIT_WORDS):
            if not piece.strip(_EDGE):
                break
            cut = next((c for c in units(piece) if c.key in keys), None)
            if cut is None:
                return False
            piece = piece[cut.end:] if cut.start == 0 else piece[:cut.start]
        if piece.strip(_EDGE):
            return False
    return True


_REPORT_START = re.compile(rf"و?(?:{REPORT_VERBS})(?!\w)")


def _edge_ok(gram: str) -> bool:
    """Whether a recurring opening/closing n-gram may be template (not a dateline, not wire)."""
    if not any(ch.isalpha() for ch in gram):
        return False  # a bare "." or number
    if news_reason(gram) == "wire" or any(c.regex.match(gram + " x") for c in BY_SCOPE["head"]):
        return False
    if _REPORT_START.match(gram):  # "أعلنت ..." opens many reports: the news's first word
        return False
    # "PLACE -", "PLACE:" open a local outlet's articles because they are datelines
    return not (len(gram.split()) <= 4 and any(ch in gram for ch in "-–:،,"))


# desk words that may stand after an outlet's name in a byline ("عين اليوم – متابعات")
DESKS = frozenset("متابعات متابعة وكالات خاص خاصة المحرر محرر محليات تقارير ترجمة تحرير "
                  "الأخبار اخبار أخبار القسم".split())
_BYLINE_SEP = re.compile(r"\s*[-–]\s*")


def byline_parts(line: str) -> list[str] | None:
    """'A – B' of a byline line as [A, B] (None for any other shape)."""
    parts = [p.strip() for p in _BYLINE_SEP.split(line.strip())]
    return parts if len(parts) == 2 and all(parts) else None


def news_reason(text: str) -> str | None:
    """Why a recurring span reads as news, or None when it reads as template.

    "wire" (an agency or dateline), "quote" (a bracketed or quoted saying), "sentence" (a
    complete sentence with function words) protect a span however often it recurs; "prose"
    (dense with function words) protects it only below HIGH_SHARE of its source's articles.
    """
    if _AGENCY_RE.search(text) or any(c.regex.match(text) for c in BY_SCOPE["head"]):
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


@dataclass(frozen=True)
class Unit:
    key: str
    text: str  # the first occurrence, as it was
    docs: int  # articles of the source it recurs in (a lower bound past `capacity`)
    evidence: str = ""  # why it was learned, or why it was kept as news

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "key": self.key, "docs": self.docs, "evidence": self.evidence}


@dataclass(frozen=True)
class SourceLearned:
    source: str
    articles: int
    boilerplate: tuple[Unit, ...]  # removed from this source's articles
    news: tuple[Unit, ...]  # recurring, but kept as news on evidence (the most frequent few)
    openings: tuple[Unit, ...] = ()  # word n-grams cut where they open the first paragraph
    closings: tuple[Unit, ...] = ()  # ... and where they close the last one
    credit: str | None = None  # the outlet's name in its "A – B" bylines

    def to_json(self) -> dict[str, Any]:
        return {"articles": self.articles,
                "boilerplate": [u.to_json() for u in self.boilerplate],
                "kept_as_news": [u.to_json() for u in self.news],
                "openings": [u.to_json() for u in self.openings],
                "closings": [u.to_json() for u in self.closings],
                "credit": self.credit}


@dataclass(frozen=True)
class Learned:
    sources: tuple[SourceLearned, ...]
    articles: int
    min_docs: int = MIN_DOCS
    min_share: float = MIN_SHARE
    capacity: int = CAPACITY
    evicted: bool = False  # counters were dropped (counts are lower bounds)
    edge_share: float = EDGE_SHARE
    end_share: float = END_SHARE

    @cached_property
    def _lookup(self) -> dict[str, frozenset[str]]:
        return {s.source: frozenset(u.key for u in s.boilerplate) for s in self.sources}

    @cached_property
    def _edges(self) -> dict[str, tuple[dict[str, Unit], dict[str, Unit]]]:
        return {s.source: ({u.key: u for u in s.openings}, {u.key: u for u in s.closings})
                for s in self.sources if s.openings or s.closings}

    @cached_property
    def _credits(self) -> dict[str, str]:
        return {s.source: s.credit for s in self.sources if s.credit}

    def place_after_credit(self, line: str, source: str | None) -> tuple[str, str] | None:
        """A byline 'OUTLET – PLACE' as (credit, place), when OUTLET is the source's credit and
        PLACE is not a desk word; None otherwise ('REPORTER – OUTLET' is a byline whole)."""
        credit = self._credits.get(source or "")
        parts = byline_parts(line) if credit else None
        head = unit_key(parts[0]) if parts else ""
        if parts is None or not (head == credit or head.endswith(" " + credit)):
            return None
        place = parts[1]
        if unit_key(place) == credit or any(w in DESKS for w in place.split()):
            return None
        return parts[0], place

    @cached_property
    def _docs(self) -> dict[str, dict[str, str]]:
        return {s.source: {u.key: u.evidence or f"recurs in {u.docs} articles of {s.source}"
                           for u in s.boilerplate} for s in self.sources}

    def digest(self) -> str:
        """Names the set in the cleaning signature: what is removed, from which source."""
        keys = [[s.source, sorted(u.key for u in s.boilerplate),
                 sorted(u.key for u in s.openings), sorted(u.key for u in s.closings),
                 s.credit or ""] for s in self.sources
                if s.boilerplate or s.openings or s.closings or s.credit]
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
        keys = self._lookup.get(source or "", frozenset())
        out: list[Span] = []
        lo, hi = 0, len(paragraph)
        openings, closings = self._edges.get(source or "", ({}, {}))
        credit = self._credits.get(source or "") if first else None
        head = _CREDIT_HEAD.match(paragraph) if credit else None
        if head and unit_key(head.group(1)) == credit and head.end() < len(paragraph):
            # "OUTLET – PLACE text…" glued on one line: the credit learned from its bylines
            out.append(Span("byline", 0, head.end(), head.group(0).strip(),
                            f"{source}'s credit (learned from its bylines) opening the text"))
            lo = head.end()
        if first and openings:
            s, e, unit = _edge_cut(paragraph[lo:], openings, head=True)
            s, e = lo + s, lo + e
            if unit is not None:
                out.append(Span("learned", s, e, paragraph[s:e].strip(), unit.evidence))
                lo = e
        if last and closings:
            s, e, unit = _edge_cut(paragraph[lo:], closings, head=False)
            if unit is not None:
                out.append(Span("learned", lo + s, lo + e, paragraph[lo + s:lo + e].strip(),
                                unit.evidence))
                hi = lo + s
        if not keys:
            return out
        docs = self._docs.get(source or "", {})
        for _ in range(MAX_UNIT_WORDS):
            piece = paragraph[lo:hi]
            cut = next((c for c in units(piece) if c.key in keys), None)
            if cut is None:
                break
            s, e = lo + cut.start, lo + cut.end
            out.append(Span("learned", s, e, paragraph[s:e].strip(), docs.get(cut.key, "")))
            if cut.start == 0:
                lo = e
            else:
                hi = s
            if not paragraph[lo:hi].strip():
                break
        return sorted(out, key=lambda sp: sp.start)

    def to_json(self) -> dict[str, Any]:
        return {"version": LEARNED_VERSION, "digest": self.digest(), "articles": self.articles,
                "min_docs": self.min_docs, "min_share": self.min_share,
                "edge_share": self.edge_share, "end_share": self.end_share,
                "capacity": self.capacity, "evicted": self.evicted,
                "sources": {s.source: s.to_json() for s in self.sources}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Learned:
        def units_of(us: list[dict[str, Any]]) -> tuple[Unit, ...]:
            return tuple(Unit(u["key"], u["text"], u["docs"], u.get("evidence", "")) for u in us)

        return cls(
            tuple(SourceLearned(name, s["articles"], units_of(s["boilerplate"]),
                                units_of(s["kept_as_news"]), units_of(s.get("openings", [])),
                                units_of(s.get("closings", [])), s.get("credit"))
                  for name, s in data["sources"].items()),
            data["articles"], data["min_docs"], data["min_share"], data["capacity"],
            data["evicted"], data.get("edge_share", EDGE_SHARE),
            data.get("end_share", END_SHARE))

    def describe(self) -> str:
        """Per source: what was learned, and each recurring span kept as news with its
        evidence."""
        lines = [f"learned boilerplate ({self.digest()}, {self.articles} articles; a span "
                 f"recurring in >= {self.min_docs} articles and >= {self.min_share:.0%} of "
                 f"its source; an opening or closing of >= {self.edge_share:.0%}):"]
        for s in self.sources:
            lines.append(f"  {s.source} ({s.articles} articles): "
                         f"{len(s.boilerplate) + len(s.openings) + len(s.closings)} learned, "
                         f"{len(s.news)} kept as news")
            if s.credit:
                lines.append(f"    credit {s.credit!r}: 'credit – PLACE' keeps PLACE as dateline")
            lines += [f"    - {u.text!r} x{u.docs}: {u.evidence}"
                      for u in s.openings + s.closings + s.boilerplate]
            lines += [f"    + {u.text!r} x{u.docs} (news: {u.evidence})" for u in s.news]
        return "\n".join(lines)


_WORD = re.compile(r"\S+")
_CREDIT_HEAD = re.compile(r"\s*([^\s\-–][^\-–\n]{0,40}?) ?[-–] ?")  # "OUTLET – "


def _edge_cut(paragraph: str, grams: dict[str, Unit], *, head: bool
              ) -> tuple[int, int, Unit | None]:
    """The longest learned opening (head) or closing n-gram of `paragraph`, never all of it."""
    words = list(_WORD.finditer(paragraph))
    for k in range(min(MAX_EDGE_WORDS, len(words) - 1), 0, -1):
        piece = words[:k] if head else words[-k:]
        unit = grams.get(_mask([m.group(0) for m in piece]))
        if unit is not None:
            if head:
                return 0, words[k].start(), unit
            return words[-k - 1].end(), len(paragraph), unit
    return 0, 0, None


_OPEN, _CLOSE, _CREDIT = "\x00<", "\x00>", "\x00c"  # counter keys that are not units


@dataclass
class BoilerplateLearner:
    """Counts, per source, in how many articles each short unit occurs (bounded memory), where
    in the article it stands, which word n-grams open and close articles, and the names in
    'A – B' bylines."""

    capacity: int = CAPACITY
    min_docs: int = MIN_DOCS
    min_share: float = MIN_SHARE
    edge_share: float = EDGE_SHARE
    end_share: float = END_SHARE
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    first_text: dict[tuple[str, str], str] = field(default_factory=dict)
    places: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # start, end, middle
    # words just before and just after a unit's mid-body occurrences (a few of each)
    around: dict[tuple[str, str], tuple[set[str], set[str]]] = field(default_factory=dict)
    # the short text between a mid-body occurrence and the article's start or end, with how
    # often each: whether the unit stands at an end once the template around it is taken out
    rests: dict[tuple[str, str], tuple[Counter[str], Counter[str]]] = field(
        default_factory=dict)
    articles: Counter[str] = field(default_factory=Counter)
    bylines: Counter[str] = field(default_factory=Counter)
    evicted: bool = False

    def add_article(self, source: str, cleaned: CleanedArticle) -> None:
        """One cleaned article (cleaned without a learned set)."""
        bylines = [r["text"] for r in cleaned.removed if r["kind"] == "byline"]
        self.add(source, cleaned.learning_units(), paragraphs=cleaned.paragraphs,
                 bylines=bylines[:1])

    def add(self, source: str, pieces: list[str], *, paragraphs: list[str] | None = None,
            bylines: Sequence[str] = ()) -> None:
        """One article's cleaned pieces (`CleanedArticle.learning_units()`; each unit counts
        once per article), its paragraphs (default: the pieces) and its removed byline."""
        if source not in self.articles and len(self.articles) >= MAX_SOURCES:
            source = "~other"
        self.articles[source] += 1
        paras = pieces if paragraphs is None else paragraphs
        full = "\n".join(paras)
        # key -> text, place, words around (digits masked: a varying number is no context),
        # and the text before and after it when short
        seen: dict[str, tuple[str, int, str, tuple[str, str]]] = {}
        for p in pieces:
            for cut in units(p):
                if cut.key in seen:
                    continue
                at = full.find(cut.text)
                ahead = full[:at] if at >= 0 else "?"
                behind = full[at + len(cut.text):] if at >= 0 else "?"
                before, after = ahead.split(), behind.split()
                where = 0 if not before else 1 if not after else 2
                around = _mask([before[-1] if before else "^", after[0] if after else "$"])
                rest = ("", "")
                if where == 2:
                    # only a paragraph of its own can stand at an end once template is out:
                    # a sentence that recurs at the tail of varied news is that news's formula
                    opens_line = ahead.rstrip(" ").endswith("\n")
                    closes_line = behind.lstrip(" ").startswith("\n")
                    rest = (_rest(ahead) if closes_line else "",
                            _rest(behind) if opens_line else "")
                seen[cut.key] = (cut.text, where, around, rest)
        none = ("", "")
        if paras:
            first, last = _WORD.findall(paras[0]), _WORD.findall(paras[-1])
            for k in range(1, min(MAX_EDGE_WORDS + 1, len(first) - 1) + 1):
                seen.setdefault(_OPEN + _mask(first[:k]), (" ".join(first[:k]), 0, "", none))
            for k in range(1, min(MAX_EDGE_WORDS + 1, len(last) - 1) + 1):
                seen.setdefault(_CLOSE + _mask(last[-k:]), (" ".join(last[-k:]), 1, "", none))
        parts = byline_parts(normalize_line(bylines[0])) if bylines else None
        if parts:
            self.bylines[source] += 1
            for part in {unit_key(x) for x in parts}:
                seen.setdefault(_CREDIT + part, (part, 0, "", none))
        for key in sorted(seen):  # sorted: the same article always counts the same way
            text, where, around, rest = seen[key]
            if self._count((source, key), text) and not key.startswith("\x00"):
                self.places.setdefault((source, key), [0, 0, 0])[where] += 1
                if where == 2:
                    ctx = self.around.setdefault((source, key), (set(), set()))
                    for side, word in zip(ctx, around.split(" ")):
                        if len(side) < MAX_AROUND:
                            side.add(word)
                    kept = self.rests.setdefault((source, key), (Counter(), Counter()))
                    for side, piece in zip(kept, rest):
                        if piece and (piece in side or len(side) < MAX_RESTS):
                            side[piece] += 1

    def _count(self, key: tuple[str, str], text: str) -> bool:
        if key in self.counts:
            self.counts[key] += 1
            return True
        if len(self.counts) >= self.capacity:
            # Misra-Gries: everyone pays one; what falls to zero makes room
            self.evicted = True
            for k in list(self.counts):
                self.counts[k] -= 1
                if not self.counts[k]:
                    del self.counts[k]
                    del self.first_text[k]
                    self.places.pop(k, None)
                    self.around.pop(k, None)
                    self.rests.pop(k, None)
            return False
        self.counts[key] = 1
        self.first_text[key] = text
        return True

    def _judge(self, source: str, key: str, docs: int, nsources: int,
               template: frozenset[str] = frozenset()) -> tuple[bool, str]:
        """(template?, evidence) for one recurring unit of one source; its place is judged
        with the source's `template` units next to it taken out."""
        n = self.articles[source]
        text = self.first_text[(source, key)]
        start, end, mid = self.places.get((source, key), (0, 0, 0))
        moved = 0
        if template and mid:
            # occurrences with only template between them and an end stand at that end
            ahead, behind = self.rests.get((source, key), (Counter(), Counter()))
            to_end = min(mid, sum(c for r, c in behind.items() if _taken(r, template)))
            to_start = min(mid - to_end, sum(c for r, c in ahead.items() if _taken(r, template)))
            start, end, mid = start + to_start, end + to_end, mid - to_end - to_start
            moved = to_end + to_start
        share = docs / n
        reason = news_reason(text)
        found = f"recurs in {docs} of {n} articles of {source}"
        if reason == "wire":
            return False, "names an agency or a dateline"
        if reason == "quote":
            return False, "a quoted saying or verse"
        if reason is None:
            return True, found
        if nsources >= 2:
            return False, f"reads as a {reason} and recurs in {nsources} sources (wire copy)"
        before, after = self.around.get((source, key), (set(), set()))
        if 2 * mid >= docs and len(before) >= 2 and len(after) >= 2:
            return False, (f"reads as a {reason}, mid-body in {mid} of its {docs} articles "
                           "with different text around it")
        at_end, where = max((start, "opens"), (end, "closes"))
        if at_end >= AT_ONE_END * docs and share >= self.end_share:
            beside = f" ({moved} once the template beside it is out)" if moved else ""
            return True, (f"{where} {at_end} of {n} articles of {source}{beside} ({share:.0%} "
                          f">= {self.end_share:.0%}): its template, though it reads as a "
                          f"{reason}")
        if reason == "prose" and share >= HIGH_SHARE:
            return True, found + ": on half its pages, its template however worded"
        return False, (f"reads as a {reason}; {found} ({share:.0%}, not at one end of "
                       f">= {self.end_share:.0%})")

    def _edges(self, source: str, prefix: str) -> list[Unit]:
        n = self.articles[source]
        grams = {k[len(prefix):]: c for (s, k), c in self.counts.items()
                 if s == source and k.startswith(prefix)}
        longer: dict[str, int] = {}  # n-gram -> count of its most frequent continuation
        for g, c in grams.items():
            words = g.split(" ")
            if len(words) > 1:
                shorter = " ".join(words[:-1] if prefix == _OPEN else words[1:])
                longer[shorter] = max(longer.get(shorter, 0), c)
        need = max(self.min_docs, math.ceil(self.edge_share * n))
        where = "opens" if prefix == _OPEN else "closes"
        out = []
        for g, c in grams.items():
            if (c >= need and len(g.split(" ")) <= MAX_EDGE_WORDS
                    and longer.get(g, 0) < VARIED * c and _edge_ok(g)):
                out.append(Unit(g, self.first_text[(source, prefix + g)], c,
                                f"{where} {c} of {n} articles of {source}, then varied text"))
        return out

    def _credit(self, source: str) -> str | None:
        b = self.bylines[source]
        best = max(((c, k[len(_CREDIT):]) for (s, k), c in self.counts.items()
                    if s == source and k.startswith(_CREDIT)), default=None)
        if best is None or best[0] < max(self.min_docs, b / 2):
            return None
        return best[1]

    def _verdicts(self) -> dict[tuple[str, str], tuple[bool, str]]:
        """Every recurring unit judged, to a fixed point: a unit that stood mid-body only
        because other template stood between it and the end (a footer's other pieces) is
        judged again with that template taken out, until nothing more is learned."""
        nsources = Counter(k for (_, k), c in self.counts.items() if c >= 2)
        out: dict[tuple[str, str], tuple[bool, str]] = {}
        for (source, key), docs in self.counts.items():
            if docs >= self.min_docs and not key.startswith("\x00"):
                out[(source, key)] = self._judge(source, key, docs, nsources[key])
        removed: dict[str, set[str]] = {}  # per source, what freeze will take out
        grown = {k: v for k, v in out.items() if v[0] and self._removable(*k)}
        pending = sorted(k for k, (template, _) in out.items() if not template and k in self.rests)
        while grown:
            out.update(grown)
            for source, key in grown:
                removed.setdefault(source, set()).add(key)
            pending = [k for k in pending if k not in grown]
            grown = {}
            for source, key in pending:
                verdict = self._judge(source, key, self.counts[(source, key)], nsources[key],
                                      frozenset(removed.get(source, ())))
                if verdict[0] and self._removable(source, key):
                    grown[(source, key)] = verdict
        return out

    def _removable(self, source: str, key: str) -> bool:
        """A template unit is taken out when it recurs in `min_share` of its source."""
        return self.counts[(source, key)] >= math.ceil(self.min_share * self.articles[source])

    def freeze(self) -> Learned:
        boiler: dict[str, list[Unit]] = {}
        news: dict[str, list[Unit]] = {}
        for (source, key), (template, evidence) in self._verdicts().items():
            docs = self.counts[(source, key)]
            unit = Unit(key, self.first_text[(source, key)], docs, evidence)
            if not template:
                news.setdefault(source, []).append(unit)  # reported, never removed
            elif self._removable(source, key):
                boiler.setdefault(source, []).append(unit)

        def order(us: list[Unit]) -> tuple[Unit, ...]:
            return tuple(sorted(us, key=lambda u: (-u.docs, u.key)))

        sources = tuple(
            SourceLearned(name, n, order(boiler.get(name, [])),
                          order(news.get(name, []))[:SHOWN_NEWS],
                          order(self._edges(name, _OPEN)), order(self._edges(name, _CLOSE)),
                          self._credit(name))
            for name, n in sorted(self.articles.items()))
        return Learned(sources, sum(self.articles.values()), self.min_docs, self.min_share,
                       self.capacity, self.evicted, self.edge_share, self.end_share)
