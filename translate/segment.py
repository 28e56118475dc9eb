"""Sentence splitting and translation segments for (cleaned) Arabic paragraphs.

A paragraph is cut into sentences after ``. ! ? ؟ ۔ …`` (plus closing quotes or
brackets) when whitespace follows.  A sentence longer than the segment budget is
split at ``؛``, then at the ``،`` nearest its middle, then before `` و``, and as a
last resort on whitespace (or, for one over-long word, by characters).

Every segment carries the exact text that separated it from the next one, so
``"".join(s.text + s.sep for s in segments) == paragraph.strip()`` always holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Segment", "estimate_tokens", "segment_paragraph", "split_sentences", "sentence_spans"]


@dataclass
class Segment:
    text: str  # what goes to the translator (no leading/trailing whitespace)
    sep: str  # the exact text between this segment and the next in the paragraph ("" for the last)
    split: bool = False  # True when it came from splitting an over-budget sentence
    split_at: str | None = None  # where it was cut from the next piece: "؛" "،" "و" "space" "char"


# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------

_TERMINATORS = ".!?؟۔…"
_CLOSERS = "\"'”’»)]}›"
_BOUNDARY_RE = re.compile(rf"[{re.escape(_TERMINATORS)}]+[{re.escape(_CLOSERS)}]*(?=\s)")

# Tokens after which a single "." does not end a sentence.
ABBREVIATIONS = frozenset(
    {
        # Arabic
        "إلخ", "الخ", "ص.ب", "د", "م", "ق.م", "ه", "هـ", "ج", "ص", "ت", "س", "ش.م.م", "ش.م.ع",
        "أ.د", "م.م", "ك.م", "كم", "مم", "سم", "كغ", "كجم", "ق", "ط", "ب", "أ", "ع", "ر.س",
        # Latin
        "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "No", "Nos", "vs", "etc", "Jr", "Sr", "Inc",
        "Ltd", "Co", "Corp", "Gen", "Col", "Lt", "Sgt", "Capt", "Gov", "Sen", "Rep", "Rev",
        "Mt", "Ft", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
        "Nov", "Dec", "e.g", "i.e", "U.S", "U.K", "U.N", "a.m", "p.m",
    }
)
_LEADING_PUNCT = "\"'“”‘’«»([{"
_SINGLE_LETTER_RE = re.compile(r"[^\W\d_]")
_DOTTED_RE = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")  # ص.ب  أ.ف.ب  U.S
_LIST_NUMBER_RE = re.compile(r"\(?\d{1,3}")


def _no_break_after(paragraph: str, sent_start: int, dot: int) -> bool:
    """True when the single '.' at ``dot`` belongs to an abbreviation or list number."""
    ws = max(paragraph.rfind(c, 0, dot) for c in " \n\t")
    tok_start = max(ws + 1, sent_start)
    token = paragraph[tok_start:dot].lstrip(_LEADING_PUNCT)
    if not token:
        return False
    if token in ABBREVIATIONS or _SINGLE_LETTER_RE.fullmatch(token) or _DOTTED_RE.fullmatch(token):
        return True
    # "1. ..." at the start of a sentence is a list number, not a sentence
    return tok_start == sent_start and bool(_LIST_NUMBER_RE.fullmatch(token))


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``paragraph``; sentences carry no outer whitespace."""
    spans: list[tuple[int, int]] = []
    n = len(paragraph)
    start = 0
    while start < n and paragraph[start].isspace():
        start += 1
    for m in _BOUNDARY_RE.finditer(paragraph):
        if m.end() <= start:
            continue
        run = m.group(0).rstrip(_CLOSERS)
        if run == "." and _no_break_after(paragraph, start, m.start()):
            continue
        spans.append((start, m.end()))
        start = m.end()
        while start < n and paragraph[start].isspace():
            start += 1
    end = n
    while end > start and paragraph[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
    return spans


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of ``paragraph`` (stripped, non-empty, in order)."""
    return [paragraph[s:e] for s, e in sentence_spans(paragraph)]


# ---------------------------------------------------------------------------
# Segments
# ---------------------------------------------------------------------------


def estimate_tokens(text: str) -> int:
    """Cheap token estimate: each whitespace word counts ceil(len/4) (>= 1).

    Arabic words of 2-4 letters count 1, 5-8 count 2 (about 1.5 subword tokens
    per word, as SentencePiece gives for news Arabic); long URLs count more.
    """
    return sum(-(-len(w) // 4) for w in text.split())


_SEMICOLON_RE = re.compile(r"؛")
_COMMA_RE = re.compile(r"(?<!\d)،|،(?!\d)")  # not the decimal comma of "5،5"
_WAW_RE = re.compile(r"\s+(?=و[^\W\d_])")

Piece = tuple[str, str, str | None]  # text, sep after it, how it was cut from the next


def _cut_points(text: str, how: str) -> list[tuple[int, int]]:
    """Candidate cuts as (left_end, right_start); left/right both non-empty."""
    cuts = []
    if how == "و":
        for m in _WAW_RE.finditer(text):
            if m.start() > 0:
                cuts.append((m.start(), m.end()))
        return cuts
    regex = _SEMICOLON_RE if how == "؛" else _COMMA_RE
    for m in regex.finditer(text):
        left_end = m.end()
        right = left_end
        while right < len(text) and text[right].isspace():
            right += 1
        if right < len(text) and text[:left_end].strip(" ؛،"):
            cuts.append((left_end, right))
    return cuts


def _longest(lo: int, hi: int, fits: Callable[[int], bool]) -> int:
    """The largest k in lo..hi with fits(k) (fits holding up to a point), lo - 1 if none.
    Galloping (lo, lo+1, lo+3, lo+7, ...) before halving, so each step measures text about
    as long as the answer: a sentence of 200,000 characters is not tokenized whole at every
    piece (the square of its length)."""
    good, bad, step = lo - 1, hi + 1, 1
    while good + step < bad:
        if not fits(good + step):
            bad = good + step
            break
        good, step = good + step, step * 2
    while bad - good > 1:
        mid = (good + bad) // 2
        if fits(mid):
            good = mid
        else:
            bad = mid
    return good


def _hard_split(text: str, count: Callable[[str], int], budget: int) -> list[Piece]:
    """Greedy packing of words (then characters) into pieces within budget."""
    words = [m.span() for m in re.finditer(r"\S+", text)]
    pieces: list[Piece] = []
    i = 0
    while i < len(words):
        # longest run of words from i that fits, then verified
        best = _longest(i, len(words) - 1,
                        lambda k, i=i: count(text[words[i][0] : words[k][1]]) <= budget)
        while best >= i and count(text[words[i][0] : words[best][1]]) > budget:
            best -= 1
        if best >= i:
            nxt = words[best + 1][0] if best + 1 < len(words) else words[best][1]
            pieces.append((text[words[i][0] : words[best][1]], text[words[best][1] : nxt], "space"))
            i = best + 1
            continue
        # a single word over budget: cut it by characters
        ws, we = words[i]
        pos = ws
        while pos < we:
            fit = _longest(pos + 1, we, lambda k, pos=pos: count(text[pos:k]) <= budget)
            if fit < pos + 1:
                fit = pos + 1  # even one character is over budget: cannot do better
            pieces.append((text[pos:fit], "", "char"))
            pos = fit
        nxt = words[i + 1][0] if i + 1 < len(words) else we
        last_text, _, _ = pieces[-1]
        pieces[-1] = (last_text, text[we:nxt], "space")
        i += 1
    return pieces


def _split_long(sentence: str, count: Callable[[str], int], budget: int) -> list[Piece]:
    """Split an over-budget sentence; the last piece's sep is ""."""
    out: list[Piece] = []
    stack: list[str] = [sentence]  # processed left to right
    seps: list[tuple[str, str | None]] = [("", None)]
    while stack:
        text = stack.pop()
        sep_after, how_after = seps.pop()
        if count(text) <= budget:
            out.append((text, sep_after, how_after))
            continue
        for how in ("؛", "،", "و"):
            cuts = _cut_points(text, how)
            if cuts:
                middle = len(text) / 2
                left_end, right_start = min(cuts, key=lambda c: abs(c[0] - middle))
                left = text[:left_end]
                right = text[right_start:]
                # push right first so left is processed first
                stack.append(right)
                seps.append((sep_after, how_after))
                stack.append(left)
                seps.append((text[left_end:right_start], how))
                break
        else:
            hard = _hard_split(text, count, budget)
            last_text, _, _ = hard[-1]
            hard[-1] = (last_text, sep_after, how_after)
            out.extend(hard)
    return out


def segment_paragraph(
    paragraph: str,
    count_tokens: Callable[[str], int] | None = None,
    budget: int = 200,
) -> list[Segment]:
    """Cut a paragraph into translation segments of at most ``budget`` tokens.

    ``count_tokens`` counts tokens of the translation tokenizer; ``None`` uses
    :func:`estimate_tokens`.  Invariant:
    ``"".join(s.text + s.sep for s in segs) == paragraph.strip()``.
    """
    count = count_tokens or estimate_tokens
    text = paragraph.strip()
    spans = sentence_spans(text)
    segments: list[Segment] = []
    for k, (s, e) in enumerate(spans):
        sentence = text[s:e]
        sep = text[e : spans[k + 1][0]] if k + 1 < len(spans) else ""
        if count(sentence) <= budget:
            segments.append(Segment(sentence, sep))
            continue
        pieces = _split_long(sentence, count, budget)
        for j, (piece, piece_sep, how) in enumerate(pieces):
            last = j == len(pieces) - 1
            segments.append(
                Segment(
                    piece, sep if last else piece_sep, split=True, split_at=None if last else how
                )
            )
    return segments
