"""Small helpers for the messages every command prints."""

from __future__ import annotations


def plural(n: int, word: str) -> str:
    """`1 article`, `2 articles`: counts in messages read as English."""
    return f"{n} {word}" + ("" if n == 1 else "s")
