"""Code and markup pasted inside a line of Arabic prose: CSS, JavaScript, JSON, by their tokens.

A scraper that strips tags leaves a page's style sheet and scripts in the text, often on the
same line as the article. Code is written in Latin script and punctuation; Arabic prose is
not. So a paragraph is cut into the stretches between Arabic words (Arabic inside a string
literal of the code, such as a JSON headline, does not cut it), and each stretch is lexed: a
stretch whose tokens are those of CSS (selectors, at-rules, ``prop: value;`` blocks, vendor
prefixes, colours, units), JavaScript (keywords, calls, ``=>``, ``$(``, operators, comments,
object literals) or JSON (``"key":`` pairs in braces) is code, from its first token to its
last, and the Arabic prose on either side stays whole. A Latin name or term in a sentence
(``CNN``, ``Apple.com (Inc)``, ``iPhone 6``) has none of those tokens and stays.

The tokens are scored by a small hand-written token table (:func:`score`). Pygments' CSS and
JavaScript lexers scoring the same stretches were measured against it
(benchmarks/code_lexers.py): on 68 paragraphs with pasted code they cleaned 60 exactly (this
table 68, the v2 scanner 54), with no false alarm either on 1005 NTREX sentences or the
shared day, at 0.95 ms per code paragraph against 0.04 ms: Pygments is a highlighter, so it
tokenises anything without complaint and its tokens still need a table like this one to
judge; it adds cost and no judgement.
"""

from __future__ import annotations

import re

from arabic_digest.translate.cleaning.spans import Span

__all__ = ["MIN_POINTS", "code_spans", "regions", "score"]

AR = "\u0621-\u064a\u0671-\u06d3"
_ARABIC = re.compile(f"[{AR}]")
# string literals: "...", '...', `...` (bounded, escapes honoured)
_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.){0,400}\"|'(?:[^'\\\n]|\\.){0,400}'|`[^`]{0,400}`")
# a literal is code's when code punctuation stands right before or after it
_CODE_BEFORE = frozenset(":([,={+?")
_CODE_AFTER = frozenset(":,)]};+")
_NON_ARABIC = re.compile(f"[^{AR}]+")
_CODE_CHARS = re.compile(r"[{};=()$@#]")

# (points, token): strong tokens are only ever code; weak ones occur in prose now and then.
_TOKENS: tuple[tuple[int, re.Pattern[str]], ...] = tuple((p, re.compile(t)) for p, t in (
    (2, r"\{[^{}]*\}|\{\s*[\"\w-]+\s*:"),  # a block or an object literal
    (2, r"@(?:media|import|font-face|keyframes|supports|charset|page|-webkit-keyframes)\b"),
    (2, r"(?:\$|jQuery)\s?\("),  # jQuery
    (2, r"=>|\bfunction\s?[\w$]*\s?\("),  # functions
    (2, r"/\*|\*/|(?<![:/\w])//\s"),  # comments
    (1, r"(?<![\w-])-?[a-z][a-z-]{1,30}\s?:\s?[^;{}:]{1,80}?\s?[;}]"),  # prop: value;
    (1, r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?(?:[0-9a-fA-F]{2})?\b"),  # colour
    (1, r"\b\d+(?:\.\d+)?(?:px|em|rem|vh|vw|pt|ms)\b"),  # CSS units
    (1, r"-(?:webkit|moz|ms|o)-[a-z]"),  # vendor prefixes
    (1, r"(?:^|[\s,>+~}])[.#][A-Za-z_-][\w-]*(?:\s|[{:,>.\[])"),  # class/id selectors
    (1, r"\b(?:var|let|const|return|typeof|undefined|null|new|this|if|else)\b\s?[\w$(.=;{]"),
    (1, r"[\w$\])]\.[A-Za-z_$][\w$]*\s?\("),  # method calls
    (1, r";"),
    (1, r"===|!==|==|&&|\|\||\+\+|\+=|-=|!="),
    (1, r"\"[^\"]{0,60}\"\s?:"),  # JSON keys
    (1, r"[\w$\]]\s?=\s?(?![=>])[\w$\"'\[{(!-]"),  # assignments
))
MIN_POINTS = 3  # a block with one property, a jQuery call with its ";": sure; one ";" is not
# what the prose before owns: its closing marks and end punctuation, a Latin name ending it
_LEAD = re.compile(r"^(?:\s+|[)\]»\"']|[.,،؛!?؟:-](?=\s|$)|[A-Za-z][\w&-]*[.,،؛!?؟](?=\s))+")
_TRAIL = re.compile(r"[\s(\[«\"'،,-]+$")


def _masked(text: str) -> str:
    """The text with code string literals blanked, so Arabic inside them does not cut code."""
    out = list(text)
    for m in _STRING.finditer(text):
        # the nearest non-space characters, by walking (slicing the text's rest at every
        # string made a page of quotes take the square of its length)
        i, j = m.start(), m.end()
        while i > 0 and text[i - 1].isspace():
            i -= 1
        while j < len(text) and text[j].isspace():
            j += 1
        before, after = text[i - 1:i], text[j:j + 1]
        has_arabic = _ARABIC.search(m.group(0)) is not None
        if not has_arabic or (before in _CODE_BEFORE and after in _CODE_AFTER | {""}):
            out[m.start() + 1:m.end() - 1] = "x" * (m.end() - m.start() - 2)
    return "".join(out)


def regions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, masked piece): the stretches between Arabic words that may be code."""
    masked = _masked(text)
    out = []
    for m in _NON_ARABIC.finditer(masked):
        piece = m.group(0)
        if len(piece) >= 6 and _CODE_CHARS.search(piece):
            out.append((m.start(), m.end(), piece))
    return out


def score(piece: str) -> int:
    """How sure the tokens of `piece` make it code (points, see _TOKENS)."""
    return sum(p for p, tok in _TOKENS if tok.search(piece))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    before = text[:start].rstrip()
    if before and _ARABIC.match(before[-1]):
        # closing marks after the Arabic word before ("الله -.", "قال».") end its sentence
        while start < end and text[start] in " .!?؟-–»\")":
            start += 1
    piece = text[start:end]
    lead = _LEAD.match(piece)
    if lead:
        start += lead.end()
    trail = _TRAIL.search(text, start, end)
    if trail:
        end = trail.start()
    return start, end


def code_spans(text: str, scorer=score) -> list[Span]:  # type: ignore[no-untyped-def]
    """Every stretch of code in one normalised paragraph, cut at the Arabic prose around it."""
    spans = []
    for start, end, piece in regions(text):
        points = scorer(piece)
        if points < MIN_POINTS:
            continue
        s, e = _trim(text, start, end)
        if e - s >= 6:
            spans.append(Span("code", s, e, text[s:e], f"code tokens ({points} points)"))
    return spans
