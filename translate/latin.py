"""Latin-script tokens in Arabic text: what a translation must carry over verbatim.

URLs, e-mail addresses, hashtags and handles must come through character for character;
Latin-script names and acronyms ("BBC", "HER2", "iPhone") as whole words, case aside (a
sentence-initial capital or "the letter w" for "حرف W" is no loss). Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LatinToken", "found_in", "latin_tokens"]

_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»]+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_TAG_RE = re.compile(r"(?<![\w@#])[#@][A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*")
# A Latin word: letters and digits, inner - ' . & (U.S., AT&T, KSWB-TV, O'Neill).
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'&.][A-Za-z0-9]+)*")
# Punctuation that closes a sentence or bracket, not part of a URL.
_TRAILING = ".,;:!?)]}»\"'"


@dataclass(frozen=True)
class LatinToken:
    kind: str  # url, email, hashtag, handle, word
    text: str
    start: int


def latin_tokens(text: str) -> list[LatinToken]:
    """The Latin-script tokens of an (Arabic) text, in order; words inside a URL, e-mail
    address or tag are part of that token, not tokens of their own."""
    out: list[LatinToken] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in (("url", _URL_RE), ("email", _EMAIL_RE), ("tag", _TAG_RE),
                          ("word", _WORD_RE)):
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            token = m.group().rstrip(_TRAILING) if kind == "url" else m.group()
            if kind == "tag":
                kind = "hashtag" if token[0] == "#" else "handle"
            out.append(LatinToken(kind, token, m.start()))
            taken.append((m.start(), m.start() + len(token)))
    return sorted(out, key=lambda t: t.start)


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def found_in(token: LatinToken, target: str) -> bool:
    """Whether the target carries the token: URLs and addresses exactly, tags and words
    case-insensitively as whole words ("MWP" is in "MWPs" and "MWP's"; "JohnnyEnglish" in
    "Johnny English": spacing and inner punctuation aside)."""
    if token.kind in ("url", "email"):
        return token.text in target
    if token.kind in ("hashtag", "handle"):
        return re.search(re.escape(token.text) + r"(?!\w)", target, re.IGNORECASE) is not None
    pattern = r"(?<![A-Za-z0-9])" + re.escape(token.text) + r"(?:s|es|'s|’s)?(?![A-Za-z0-9])"
    if re.search(pattern, target, re.IGNORECASE):
        return True
    squashed = _squash(token.text)
    if len(squashed) >= 4 and squashed in _squash(target):
        return True
    # An acronym the Arabic added after its expansion ("... (CEA)") where the English only
    # spells it out ("Consumer Energy Alliance").
    return token.text.isupper() and token.text in _initialisms(target)


_MINOR = {"of", "the", "and", "for", "in", "on", "to", "a", "an", "&"}


def _initialisms(text: str) -> set[str]:
    """Initials of every run of capitalised words ("Consumer Energy Alliance" -> CEA, and
    "Federation of German Industries" -> FGI)."""
    out: set[str] = set()
    run: list[str] = []
    for word in [*re.findall(r"[A-Za-z&]+", text), ""]:
        if word[:1].isupper():
            run.append(word[0])
            for i in range(len(run) - 1):
                out.add("".join(run[i:]))
        elif word.lower() not in _MINOR or not run:
            run = []
    return out
