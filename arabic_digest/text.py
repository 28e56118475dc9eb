"""Text helpers every stage shares: counts in messages, cut strings, and the characters no
model should see.

Characters no model should see: lone surrogates and control characters.

`source.text` keeps the text exactly as read; what goes to the cleaner has lone surrogates
(from JSON "\\ud800" escapes, or undecodable-byte marks) replaced by U+FFFD and C0/C1 control
characters other than tab, newline and carriage return removed (form feed, vertical tab and
the Unicode line/paragraph separators become newlines). What was taken out is listed in
`clean.removed` with kind "control".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

K = TypeVar("K")


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 article`, `2 articles`, `2 stories`: counts in messages read as English."""
    if n == 1:
        return f"{n} {word}"
    if many is None:
        consonant_y = word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u")
        many = word[:-1] + "ies" if consonant_y else word + "s"
    return f"{n} {many}"


def cut_at(text: str, spans: Iterable[tuple[int, int, K]], plain: K) -> list[tuple[str, K]]:
    """`text` cut into (piece, mark): each (start, end, mark) span its own piece, the text
    between them marked `plain`; overlapping spans: the first wins. The pieces join back to
    `text` exactly (one empty piece for empty text)."""
    pieces: list[tuple[str, K]] = []
    pos = 0
    for start, end, mark in sorted(spans):
        if start < pos:
            continue
        if start > pos:
            pieces.append((text[pos:start], plain))
        pieces.append((text[start:end], mark))
        pos = end
    if pos < len(text) or not pieces:
        pieces.append((text[pos:], plain))
    return pieces


def cut(text: str, chars: int) -> str:
    """`text` at most `chars` characters long, a cut one ending in `…`."""
    return text if len(text) <= chars else text[:chars - 1] + "…"

_SURROGATE = re.compile("[\ud800-\udfff]")
_NEWLINE_LIKE = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def sanitize(text: str) -> tuple[str, list[str]]:
    """(safe text, the characters taken out or replaced)."""
    taken = _SURROGATE.findall(text) + _CONTROL.findall(text)
    text = _SURROGATE.sub("\ufffd", text)
    text = _NEWLINE_LIKE.sub("\n", text)
    text = _CONTROL.sub("", text)
    return text, taken


def removed_entry(taken: list[str]) -> dict[str, str]:
    # Escaped, so the record shows which characters they were.
    return {"kind": "control", "text": "".join(f"\\u{ord(c):04x}" for c in taken)}


def scalar(text: str) -> str:
    """`text` as valid Unicode scalar values: each lone surrogate becomes U+FFFD (UTF-8, SQLite,
    CSV and Parquet writers all refuse one)."""
    return _SURROGATE.sub("\ufffd", text)


def escape_surrogates(text: str) -> str:
    """`text` with each lone surrogate written as its `\\udXXX` escape: the original, kept
    readable and valid, beside its U+FFFD form."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


# What a terminal acts on rather than shows: C0/C1 controls (ESC starts a colour, a title or a
# screen clear), DEL, bidi controls (they reorder the rest of the line), line/paragraph
# separators, lone surrogates (the terminal's encoder fails on them).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
                     "\ufeff\ud800-\udfff]")
TERMINAL_CHARS = 200  # a value longer than this is cut with …


def terminal_safe(text: str, limit: int | None = TERMINAL_CHARS) -> str:
    """`text` as a terminal may print it: every control, bidi control and lone surrogate shown
    as its escape (`\\x1b`, `\\u202e`), the whole cut to `limit` characters with `…`."""
    if limit is not None:
        text = cut(text, limit)
    return _UNSAFE.sub(lambda m: _escape(m.group()), text)


def _escape(ch: str) -> str:
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"
