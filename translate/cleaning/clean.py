"""MT-safe cleaning of Arabic news text for Opus-MT: :func:`clean_article`.

Normalisation (normalize.py) plus boilerplate removal (the rules of rules.py, the inline
detectors of inline.py, what boilerplate.py learned) and paragraph structure.  Every piece of
text it drops is returned in ``removed`` as ``{"kind": ..., "text": <original text>}``, so
nothing is lost silently.  What it does is named by ``CleanOptions().signature()``
(options.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from arabic_digest.translate.cleaning.inline import find_spans
from arabic_digest.translate.cleaning.normalize import (
    MULTISPACE_RE,
    normalize_line,
    split_lines,
)
from arabic_digest.translate.cleaning.options import CleanedArticle, CleanOptions
from arabic_digest.translate.cleaning.rules import BY_SCOPE, Compiled
from arabic_digest.translate.cleaning.spans import Span

_FOLLOW_MAX = 10


def _key(s: str) -> str:
    s = MULTISPACE_RE.sub(" ", s.strip())
    return s.strip(" .:!?؟-\"'")


def _fullmatch(scope: str, text: str, options: CleanOptions) -> Compiled | None:
    for c in BY_SCOPE[scope]:
        if c.rule.kind in options.keep_kinds:
            continue
        if c.regex.fullmatch(text):
            return c
    return None


def _searches(scope: str, text: str, options: CleanOptions
              ) -> Iterator[tuple[Compiled, re.Match[str]]]:
    """The rules of `scope` (those not kept) found in `text`, in table order, with the match."""
    for c in BY_SCOPE[scope]:
        if c.rule.kind in options.keep_kinds:
            continue
        m = c.regex.search(text)
        if m:
            yield c, m


def _cut_original(orig: str, norm_piece: str, side: str, options: CleanOptions) -> int | None:
    """Index in ``orig`` where a removed piece starts (side="tail") or ends ("head").

    Normalisation is line-local but not character-local, so the boundary is found by
    normalising candidate pieces of the original, nearest the likely place first.
    """
    target = norm_piece.strip()
    if not target:
        return None
    guess = len(orig) - len(target) if side == "tail" else len(target)
    guess = min(max(guess, 0), len(orig))
    cands = (guess + d * sign for d in range(200) for sign in ((1, -1) if d else (1,)))
    for i in cands:
        if not 0 <= i <= len(orig):
            continue
        if 0 < i < len(orig) and orig[i - 1].isalnum() and orig[i].isalnum():
            continue  # never inside a word
        piece = orig[i:] if side == "tail" else orig[:i]
        if normalize_line(piece, options) == target:
            return i
    return None


class _Article:
    """Working state of one clean_article call."""

    def __init__(self, title_key: str | None, author_key: str | None, options: CleanOptions):
        self.title_key = title_key
        self.author_key = author_key
        self.options = options
        self.removed: list[dict] = []

    def remove(self, span: Span) -> None:
        """Record one removal (every detector's spans end here)."""
        self.removed.append(span.record())

    def whole(self, kind: str, text: str, reason: str) -> None:
        """A whole line or paragraph removed."""
        self.remove(Span(kind, 0, len(text), text, reason))

    def line_kind(self, norm: str, *, first: bool) -> Compiled | str | None:
        opts = self.options
        if self.title_key is not None and "title" not in opts.keep_kinds:
            if _key(norm) == self.title_key:
                return "title"
        if first and self.author_key and "byline" not in opts.keep_kinds:
            if _key(norm) == self.author_key:
                return "byline"
        if first and not _starts_with_dateline(norm, opts):
            hit = _fullmatch("first", norm, opts)
            if hit:
                return hit
        return _fullmatch("line", norm, opts)


def _starts_with_dateline(norm: str, options: CleanOptions) -> bool:
    if "dateline" in options.keep_kinds:
        return False
    return any(c.regex.match(norm) for c in BY_SCOPE["head"])


def _is_dateline_only(norm: str, options: CleanOptions) -> bool:
    if "dateline" in options.keep_kinds:
        return False
    return any(c.regex.fullmatch(norm) for c in BY_SCOPE["head"])


def _group_paragraphs(lines: list[str], norms: list[str]) -> list[list[int]]:
    """Indices of non-empty lines, grouped into paragraphs."""
    nonempty = [i for i, n in enumerate(norms) if n]
    if not nonempty:
        return []
    has_blank = any(
        not norms[i] for i in range(nonempty[0], nonempty[-1] + 1)
    )
    if not has_blank:
        return [[i] for i in nonempty]
    groups: list[list[int]] = []
    current: list[int] = []
    for i in range(nonempty[0], nonempty[-1] + 1):
        if norms[i]:
            current.append(i)
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _norm_title(title: str, options: CleanOptions) -> str:
    return normalize_line(" ".join(split_lines(title)), options)


def clean_article(
    text: str, title: str | None = None, options: CleanOptions = CleanOptions(),
    source: str | None = None,
) -> CleanedArticle:
    """Normalise an article, split it into paragraphs and remove boilerplate.

    Paragraphs are separated by blank lines; single newlines inside a paragraph
    become spaces.  A text without any blank line has one paragraph per line.
    `source` (outlet, URL host or input file) picks the units of ``options.learned``
    that apply to this article.
    """
    ntitle = _norm_title(title, options) if title is not None else None
    lines = split_lines(text)
    norms = [normalize_line(line, options) for line in lines]
    groups = _group_paragraphs(lines, norms)

    if options.keep_boilerplate:
        paragraphs = [normalize_line(" ".join(norms[i] for i in g), options) for g in groups]
        return CleanedArticle(ntitle, None, [p for p in paragraphs if p], [])

    title_key = _key(ntitle) if ntitle else None
    author_key = None
    if ntitle and ":" in ntitle:
        head = _key(ntitle.split(":", 1)[0])
        if 0 < len(head.split()) <= 4:
            author_key = head
    art = _Article(title_key or None, author_key, options)
    learned = options.learned if "learned" not in options.keep_kinds else None

    # ---- pass 1: line rules, line by line --------------------------------------
    order = [i for g in groups for i in g]
    killed: set[int] = set()
    first_dateline: list[str] = []  # a place split off an "OUTLET – PLACE" byline
    seen_content = False
    block_left = 0
    last_kept: int | None = None
    for i in order:
        n = norms[i]
        kind: str | None = None
        reason = ""
        hit = art.line_kind(n, first=not seen_content)
        if isinstance(hit, str):
            kind, reason = hit, f"line equal to the {hit if hit == 'title' else 'title head'}"
        elif hit is not None:
            kind, reason = hit.rule.kind, _reason(hit)
            if hit.rule.opens_block:
                block_left = _FOLLOW_MAX
                killed.add(i)
                art.whole(kind, lines[i].strip(), reason)
                continue
            if hit.rule.takes_previous and last_kept is not None:
                if _fullmatch("before", norms[last_kept], options):
                    killed.add(last_kept)
                    art.whole(kind, lines[last_kept].strip(), reason + ", its caption")
                    last_kept = None
        elif block_left and _fullmatch("follow", n, options):
            block_left -= 1
            killed.add(i)
            art.whole("read_also", lines[i].strip(), "headline line after a read-also header")
            continue
        block_left = 0
        if kind is None and learned is not None and learned.has(n, source):
            # a whole line that recurs across this source's articles
            kind, reason = "learned", f"a unit learned for {source}"
        if kind == "byline" and learned is not None and not seen_content:
            # "OUTLET – PLACE": the outlet's credit goes, the place is the dateline
            split = learned.place_after_credit(n, source)
            if split is not None and "dateline" not in options.keep_kinds:
                killed.add(i)
                art.whole(kind, split[0], reason + f", {source}'s credit before a place")
                first_dateline.append(split[1])
                continue
        if kind is not None:
            killed.add(i)
            art.whole(kind, lines[i].strip(), reason)
            continue
        if not seen_content and _is_dateline_only(n, options):
            last_kept = i
            continue
        seen_content = True
        last_kept = i

    # "last" rules: trailing lines, from the end
    for i in reversed(order):
        if i in killed:
            continue
        hit = _fullmatch("last", norms[i], options)
        if hit is None:
            break
        killed.add(i)
        art.whole(hit.rule.kind, lines[i].strip(), _reason(hit))

    # ---- pass 2: paragraphs -------------------------------------------------------
    dateline_parts: list[str] = first_dateline
    kept_paras: list[tuple[str, str]] = []  # (normalised, original)
    for g in groups:
        kept = [i for i in g if i not in killed]
        if not kept:
            continue
        orig = "\n".join(lines[i].strip() for i in kept)
        para = normalize_line(" ".join(norms[i] for i in kept), options)
        para, orig = _clean_paragraph(
            para, orig, art, first=not kept_paras, datelines=dateline_parts
        )
        if para:
            kept_paras.append((para, orig))
    # trailing lines can become "last" only now (after tails and datelines went)
    while kept_paras:
        para, orig = kept_paras[-1]
        hit = _fullmatch("last", para, options)
        if hit is None:
            break
        art.whole(hit.rule.kind, orig.strip(), _reason(hit))
        kept_paras.pop()
    paragraphs = [p for p, _ in kept_paras]
    if options.learned is not None and "learned" not in options.keep_kinds:
        paragraphs = _strip_learned(paragraphs, options, source, art)

    dateline = " ".join(dateline_parts) if dateline_parts else None
    inner = [norms[i] for g in groups if len(g) > 1 for i in g if i not in killed and norms[i]]
    return CleanedArticle(ntitle, dateline, paragraphs, art.removed, inner)


def _strip_learned(paragraphs: list[str], options: CleanOptions, source: str | None,
                   art: _Article) -> list[str]:
    assert options.learned is not None
    out = []
    for k, para in enumerate(paragraphs):
        spans = [sp for sp in options.learned.spans(para, source, first=k == 0,
                                                    last=k == len(paragraphs) - 1)
                 if sp.kind not in options.keep_kinds]  # a learned credit is a "byline"
        if spans:
            para, _ = _remove_spans(para, para, spans, art)
        if para:
            out.append(para)
    return out


def _reason(hit: Compiled) -> str:
    return f"rule {hit.rule.kind}/{hit.rule.scope}"



def _clean_paragraph(
    para: str, orig: str, art: _Article, *, first: bool, datelines: list[str]
) -> tuple[str, str]:
    """Apply paragraph-level rules until nothing changes; returns (para, original)."""
    opts = art.options
    for _ in range(50):
        before = para
        if not para:
            return "", ""
        # whole paragraph matches a line rule (a wrapped boilerplate line)
        hit = art.line_kind(para, first=first)
        if hit is not None:
            kind = hit if isinstance(hit, str) else hit.rule.kind
            art.whole(kind, orig.strip(), f"equal to the {kind}" if isinstance(hit, str)
                      else _reason(hit))
            return "", ""
        # dateline at the start of the first paragraph
        if first and "dateline" not in opts.keep_kinds:
            for c in BY_SCOPE["head"]:
                m = c.regex.match(para)
                if m and m.end() > 0:
                    datelines.append(m.group(0).strip(" -:"))
                    cut = _cut_original(orig, m.group(0), "head", opts)
                    para = para[m.end():].strip()
                    orig = orig[cut:] if cut is not None else para
                    break
            if para != before:
                continue
        found = next(((c, m) for c, m in _searches("tail", para, opts) if m.start() < len(para)),
                     None)
        if found is not None:
            c, m = found
            tail = para[m.start():]
            cut = _cut_original(orig, tail, "tail", opts)
            para = para[: m.start()].strip()
            if cut is None:  # fall back to the normalised text
                art.whole(c.rule.kind, tail.strip(), _reason(c))
                orig = para
            else:
                art.whole(c.rule.kind, orig[cut:].strip(), _reason(c))
                orig = orig[:cut]
            if para != before:
                continue
        found = next(_searches("span", para, opts), None)
        if found is not None:
            c, m = found
            span = Span(c.rule.kind, m.start(), m.end(), m.group(0), _reason(c))
            para, orig = _remove_spans(para, orig, [span], art)
            if para != before:
                continue
        spans = find_spans(para, opts.keep_kinds)
        if spans:
            para, orig = _remove_spans(para, orig, spans, art)
            continue
        return para, orig
    return para, orig


_NO_SPACE_BEFORE = ".,،؛:!?؟)]}\""


def _remove_spans(para: str, orig: str, spans: list[Span], art: _Article) -> tuple[str, str]:
    """The one remover: cut spans (sorted, not overlapping) out of a paragraph, log each whole.

    Returns the paragraph and its original text without them.
    """
    kept: list[str] = []
    pos = 0
    # the original without the pieces, each found after the one before (joined once: a
    # paragraph of 25,000 "read also" cues is not copied 25,000 times)
    orig_parts: list[str] = []
    cursor = 0
    orig_ok = True
    for sp in spans:
        piece = para[sp.start:sp.end]
        art.remove(replace(sp, text=piece.strip()))
        kept.append(para[pos:sp.start])
        pos = sp.end
        at = orig.find(piece, cursor) if orig_ok else -1
        if at >= 0:
            orig_parts += [orig[cursor:at], " "]
            cursor = at + len(piece)
        else:
            orig_ok = False
    kept.append(para[pos:])
    out = [kept[0].rstrip()]
    for right in kept[1:]:
        right = right.strip()
        if out[0] and right:
            out.append(right if right[0] in _NO_SPACE_BEFORE else " " + right)
        elif right:
            out = [right]
    new = normalize_line("".join(out), art.options)
    return new, "".join(orig_parts) + orig[cursor:] if orig_ok else new
