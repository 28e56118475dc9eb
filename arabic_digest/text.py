"""Small helpers for the messages every command prints and the pages the archive shows."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 article`, `2 articles`, `2 stories`: counts in messages read as English."""
    if n == 1:
        return f"{n} {word}"
    if many is None:
        consonant_y = word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u")
        many = word[:-1] + "ies" if consonant_y else word + "s"
    return f"{n} {many}"


def cut(text: str, chars: int) -> str:
    """`text` at most `chars` characters long, a cut one ending in `…`."""
    return text if len(text) <= chars else text[:chars - 1] + "…"
