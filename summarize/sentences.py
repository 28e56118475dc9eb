"""English sentence splitting for summaries (lead-N, and chunking a paragraph too long for a
model window). Arabic has its own rules in translate/segment.py.

A small rule rather than a library: Punkt (NLTK) needs a data download that offline machines
lack, and the text here is machine-translated news with regular punctuation. A boundary is
`. ! ? …` (plus closing quotes or brackets) followed by whitespace and a capital, digit or
opening quote, except after a known abbreviation or an initial ("Mr.", "U.S.", "J.").
"""

from __future__ import annotations

import re

# Titles and other abbreviations that are followed by a capitalised word inside a sentence.
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sr jr st mt gen lt col maj capt sgt cmdr adm gov sen rep rev hon pres
no nos vol fig inc ltd co corp bros dept univ vs etc al approx est
jan feb mar apr jun jul aug sep sept oct nov dec
""".split())

_BOUNDARY = re.compile(r"""[.!?…]+["'”’»)\]]*(\s+)(?=["'“‘«(\[]?[A-Z0-9])""")
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+$")  # "U.S." "J." "e.g."


def _is_abbreviation(before: str) -> bool:
    """`before` is the text up to and including the full stop."""
    if not before.endswith("."):
        return False
    if _INITIALS.search(before):
        return True
    word = re.search(r"(\w+)\.$", before)
    return bool(word) and word.group(1).lower() in ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    """Sentences of an English text, in order; every line is also a boundary.

    Joining the result with single spaces gives the text back up to whitespace.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        start = 0
        for m in _BOUNDARY.finditer(line):
            end = m.start(1)
            if _is_abbreviation(line[start:end].rstrip("\"'”’»)]")):
                continue
            sentences.append(line[start:end].strip())
            start = m.end(1)
        sentences.append(line[start:].strip())
    return [s for s in sentences if s]
