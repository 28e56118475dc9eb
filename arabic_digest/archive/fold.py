"""How the archive's search sees text: Arabic folded by `fold_arabic` (alef forms, yeh and
alef maksura, teh marbuta, diacritics, tatweel) for the index and the query alike, so a query
spelt one way finds text spelt another; a reader's query made a safe FTS5 expression within
the term caps; the words of a text marked where a query found them; and the English words
the concordance counts. Cleaning itself keeps those forms (Opus-MT reads them); the folding
is the search's only."""

from __future__ import annotations

import re
from collections.abc import Iterable

from arabic_digest.text import cut, cut_at
from arabic_digest.translate.cleaning.normalize import DIACRITICS, TATWEEL, normalize_line

# Diacritics (the cleaner's set plus the rarer Quranic marks U+0653-U+065F) and tatweel go;
# hamza-carrying and wasla alefs become bare alef, alef maksura yeh, teh marbuta heh.
_FOLD_DELETE = DIACRITICS + TATWEEL + "".join(chr(c) for c in range(0x0653, 0x0660))
_FOLD_MAP = {"\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627",
             "\u0649": "\u064a", "\u0629": "\u0647"}
_FOLD = str.maketrans({**{c: None for c in _FOLD_DELETE}, **_FOLD_MAP})


def fold_arabic(text: str) -> str:
    """The search form of Arabic text (index and query alike)."""
    return text.translate(_FOLD)


def fold_query(text: str) -> str:
    """A query as the index holds text: the cleaner's normalisation (NFKC, digits, Persian
    letters), then the search folding."""
    return fold_arabic(normalize_line(text))


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index it came from in `text`
    (folding only maps or deletes characters, so every folded character has one origin)."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = ch.translate(_FOLD)
        if folded:
            out.append(folded)
            where.append(i)
    return "".join(out), where


_WORD = re.compile(r"\w+", re.UNICODE)


def query_words(query: str, lang: str) -> list[str]:
    """The words of a query as FTS5 tokens see them (folded for Arabic)."""
    text = fold_query(query) if lang == "ar" else query
    return _WORD.findall(text)


# A query's cost grows with its terms (each one a doclist to merge, a prefix one many), so a
# query holds at most this many words, and this many of them prefixes.
MAX_TERMS = 12
MAX_PREFIX_TERMS = 4


class QueryTooLong(ValueError):
    """A query over the term caps: the message says what the caps are."""


def fts_query(query: str, lang: str) -> str:
    """A safe FTS5 expression from what a reader typed: every word a quoted string (so no
    operator, column filter or syntax error can come from the query); words in double quotes
    stay a phrase; a trailing * asks for a prefix. Over the caps: QueryTooLong."""
    parts: list[str] = []
    terms = prefixes = 0
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', query):
        words = query_words(phrase or word, lang)
        if not words:
            continue
        prefix = "*" if not phrase and word.endswith("*") else ""
        terms += len(words)
        prefixes += bool(prefix)
        parts.append('"' + " ".join(words) + '"' + prefix)
    if terms > MAX_TERMS or prefixes > MAX_PREFIX_TERMS:
        raise QueryTooLong(f"a search takes at most {MAX_TERMS} words, {MAX_PREFIX_TERMS} of "
                           f"them word* prefixes; this one has {terms} words, {prefixes} "
                           "prefixes")
    return " ".join(parts)


def any_of(expr: str) -> str:
    """The terms of an fts_query expression joined by OR: what a snippet marks."""
    return " OR ".join(re.findall(r'"[^"]*"\*?', expr))


def mark_words(text: str, words: Iterable[str], lang: str) -> list[tuple[str, bool]]:
    """`text` in (piece, marked) pieces: every occurrence of a word or phrase of `words` as
    whole tokens, matched on the folded text (Arabic) or case-insensitively (English); the
    pieces join back to `text` exactly."""
    folded, where = fold_with_map(text) if lang == "ar" else (text.lower(), list(range(len(text))))
    spans: list[tuple[int, int, bool]] = []
    for w in words:
        w = w.lower() if lang != "ar" else w
        if not w:
            continue
        for m in re.finditer(r"(?<!\w)" + r"\W+".join(map(re.escape, w.split())) + r"(?!\w)",
                             folded):
            # The word's own diacritics after its last letter belong to it.
            end = where[m.end()] if m.end() < len(where) else len(text)
            spans.append((where[m.start()], end, True))
    return cut_at(text, spans, False)



def around_first_mark(pieces: list[tuple[str, bool]], chars: int) -> list[tuple[str, bool]]:
    """At most about `chars` characters of `pieces`, from a little before the first mark."""
    first = next((i for i, (_, marked) in enumerate(pieces) if marked), 0)
    before = pieces[first - 1][0] if first else ""
    out: list[tuple[str, bool]] = []
    if before:
        out.append(("…" + before[-chars // 3:] if len(before) > chars // 3 else before, False))
    room = chars - len(out[0][0]) if out else chars
    for text, marked in pieces[first:]:
        if room <= 0:
            out.append(("…", False))
            break
        out.append((cut(text, room) if not marked else text, marked))
        room -= len(text)
    return out


# English function words are never a term's rendering.
STOP_WORDS = set("""a an the of to in on at by for from with and or but as is are was were be been
being it its this that these those he she they we you i his her their our your him them who
which what when where while than then there here not no so if into about over after before
said also has have had will would could should may can do does did up out more most""".split())
EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*")


def en_words(text: str) -> set[str]:
    """The English words of a sentence as the concordance counts them."""
    return {w.lower() for w in EN_WORD.findall(text)} - STOP_WORDS

