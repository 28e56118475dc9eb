"""Cleaning time on hostile text: long runs of one shape (a word with no space, a table of
numbers, a line of dashes, a share verb repeated...), at two lengths. Every shape must grow as
its length does; a pattern tried from each start of a run grows as the square.

    PYTHONPATH=. python benchmarks/hostile_text.py            # 8,000 and 64,000 characters
    PYTHONPATH=. python benchmarks/hostile_text.py --small 2000 --large 16000

The same for cutting a sentence with no punctuation into segments: a word of 50,000 letters
took 2.5 s with the tests' tiny Marian tokenizer (tokenized whole at every step of every
piece's search), 0.35 s now; 200,000 letters 1.4 s.

Exits 1 when a shape grows more than --limit times (default 12: 8x the length, with room for
noise) and takes over 0.2 s at the larger length. Before issue 35's session found them, 200,000
Arabic letters with no space took 262 s (e-mail patterns tried from every letter), 8,000
characters of "1 1 1" 3.5 s and 8,000 dashes 1.1 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from arabic_digest.translate.cleaning.clean import clean_article
from arabic_digest.translate.segment import segment_paragraph

from arabic_digest.inputs.pagemeta import decode_html

# one unit of each shape; repeated to the length asked
SHAPES: dict[str, str] = {
    "Arabic letters, no space": "ب", "Latin letters, no space": "a", "digits": "1",
    "numbers": "1 ", "Arabic-Indic digits": "١", "dots": ".", "sentence ends": ". ",
    "at signs": "@", "half addresses": "ab@", "slashes": "/", "http://": "http://",
    "www.": "www.", "colons": ":", "dashes": "-", "spaced dashes": " - ", "pipes": " | ",
    "bullets": " • ", "open brackets": "(", "bracketed words": "(نص ", "close brackets": ")",
    "guillemets": "«", "quoted words": "«نص ", "double quotes": '"', "braces": "{",
    "square brackets": "[", "less-than": "<", "tag starts": "<a ", "ampersands": "&",
    "entity starts": "&#", "hashes": "#", "stars": "*", "Arabic commas": "،",
    "Arabic words": "كلمة ", "English words": "word ", "mixed": "a1ب", "equals": "=",
    "semicolons": ";", "tatweel": "ـ", "diacritics": "بَ", "no-break spaces": "\u00a0",
    "joiners": "\u200d", "emoji": "😀", "percent": "%", "plus": "+", "underscores": "_",
    "apostrophes": "'", "source cues": "المصدر: ", "share verbs": "شارك ",
    "read-also cues": "اقرأ أيضا ", "phone numbers": "0551234567 ", "addresses": "a.b@c.d ",
    "links": "https://x.y/z ", "SMS cues": "أرسل رسالة ", "tabs": "\t", "line breaks": "\n",
    "one-word lines": "كلمة\n", "dashed words": "كلمة - ",
}


def seconds(text: str) -> float:
    t = time.perf_counter()
    clean_article(text)
    return time.perf_counter() - t


def decode_seconds(text: str) -> float:
    """Reading the bytes of a page in windows-1256 with no charset declared: UTF-8 is ruled
    out, then the codepage detected (each byte that is not UTF-8 went through a Python error
    handler before: 1.3 s for 1.4 MB)."""
    data = f"<html><body>{text}</body></html>".encode("cp1256")
    t = time.perf_counter()
    decode_html(data)
    return time.perf_counter() - t


def segment_seconds(text: str) -> float:
    """Cutting one sentence with no punctuation into 200-token segments (the estimate of
    tokens; a tokenizer costs more per call, which made the square of the length worse)."""
    t = time.perf_counter()
    segment_paragraph(text, None, 200)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", type=int, default=8000)
    ap.add_argument("--large", type=int, default=64000)
    ap.add_argument("--limit", type=float, default=12.0)
    args = ap.parse_args()
    worst, bad = 0.0, []
    print(f"| shape | {args.small:,} chars s | {args.large:,} chars s | growth |")
    print("|---|---:|---:|---:|")
    rows: list[tuple[str, str, Callable[[str], float]]] = [
        (name, unit, seconds) for name, unit in SHAPES.items()] + [
        ("segmenting: words, no punctuation", "كلمة ", segment_seconds),
        ("segmenting: one word", "ب", segment_seconds),
        ("decoding a windows-1256 page that does not say so", "<p>خبر عاجل</p>",
         decode_seconds)]
    decode_seconds("<p>خبر</p>")  # charset-normalizer imports on first use
    for name, unit, timed in rows:
        small = timed(unit * (args.small // len(unit) + 1))
        large = timed(unit * (args.large // len(unit) + 1))
        growth = large / max(small, 1e-4)
        worst = max(worst, growth if large > 0.2 else 0.0)
        if growth > args.limit and large > 0.2:
            bad.append(name)
        print(f"| {name} | {small:.3f} | {large:.3f} | {growth:.1f}x |", flush=True)
    print(f"\nLength x{args.large / args.small:g}; worst growth of a shape over 0.2 s: "
          f"{worst:.1f}x; over {args.limit:g}x: {', '.join(bad) or 'none'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
