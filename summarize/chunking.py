"""Long inputs: split on paragraph boundaries into windows that fit, summarize each window, then
summarize the partial summaries until one is left (map-reduce). Works over any base summarizer
that has `count_tokens(text)`, `window` and `summarize(texts)`.

Nothing is cut: a paragraph longer than the window is split at sentence boundaries, and a
sentence longer than the window (rare; a run-on translation) at word boundaries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from arabic_digest.summarize.sentences import split_sentences
from arabic_digest.summarize.summarizer import Summary


@dataclass(frozen=True)
class Piece:
    """A whole paragraph (part 0 of 1) or one part of a paragraph too long for a window."""

    paragraph: int
    text: str
    part: int = 0
    parts: int = 1


@dataclass
class Window:
    pieces: list[Piece]

    @property
    def text(self) -> str:
        # Paragraphs stay one per line; the parts of one paragraph are joined by a space.
        out: list[str] = []
        for i, piece in enumerate(self.pieces):
            if i and piece.paragraph == self.pieces[i - 1].paragraph:
                out[-1] += " " + piece.text
            else:
                out.append(piece.text)
        return "\n".join(out)


def _split_words(text: str, count: Callable[[str], int], window: int) -> list[str]:
    """A sentence longer than the window, in runs of whole words that fit."""
    parts: list[str] = []
    current: list[str] = []
    for word in text.split():
        if current and count(" ".join([*current, word])) > window:
            parts.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        parts.append(" ".join(current))
    return parts


def _pieces(paragraphs: Sequence[str], count: Callable[[str], int], window: int) -> list[Piece]:
    pieces: list[Piece] = []
    for i, para in enumerate(paragraphs):
        if count(para) <= window:
            pieces.append(Piece(i, para))
            continue
        parts: list[str] = []
        for sentence in split_sentences(para):
            parts.extend([sentence] if count(sentence) <= window
                         else _split_words(sentence, count, window))
        pieces.extend(Piece(i, p, k, len(parts)) for k, p in enumerate(parts))
    return pieces


def plan_windows(text: str, count: Callable[[str], int], window: int) -> list[Window]:
    """Greedy packing of a text's paragraphs ("\\n"-separated) into windows of at most
    `window` tokens, in order; every paragraph lands in exactly one window unless it alone is
    over the window, and then its parts fill consecutive windows."""
    paragraphs = [p for p in text.split("\n") if p.strip()] or [text]
    windows: list[Window] = []
    current: list[Piece] = []
    for piece in _pieces(paragraphs, count, window):
        if current and count(Window([*current, piece]).text) > window:
            windows.append(Window(current))
            current = []
        current.append(piece)
    if current:
        windows.append(Window(current))
    return windows


class ChunkedSummarizer:
    """Map-reduce over a base summarizer, batched across texts pass by pass.

    Each record says how it was made: `chunks` (windows in the first pass; 1 when the text
    fits) and `passes` (rounds of summarization until one summary was left; 1 when it fits).
    """

    def __init__(self, inner: Any, max_passes: int = 8) -> None:
        self.inner = inner
        self.name = inner.name
        self.max_passes = max_passes

    @property
    def revision(self) -> str | None:
        return self.inner.revision

    @property
    def window(self) -> int:
        return self.inner.window

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def settings(self) -> dict[str, Any]:
        return {**self.inner.settings(), "chunking": "paragraphs, map-reduce"}

    def plan(self, text: str) -> list[Window]:
        if self.inner.count_tokens(text) <= self.inner.window:
            return [Window([Piece(0, text)])]
        return plan_windows(text, self.inner.count_tokens, self.inner.window)


    def summarize(self, texts: Sequence[str],
                  titles: Sequence[str | None] | None = None) -> list[Summary]:
        titles = list(titles) if titles is not None else [None] * len(texts)
        windows = [[w.text for w in self.plan(t)] for t in texts]
        chunks = [len(w) for w in windows]
        passes = [0] * len(texts)
        truncated = [False] * len(texts)
        done: list[Summary | None] = [None] * len(texts)
        while True:
            active = [i for i in range(len(texts)) if done[i] is None]
            if not active:
                break
            flat = [(i, w) for i in active for w in windows[i]]
            results = self.inner.summarize([w for _, w in flat], [titles[i] for i, _ in flat])
            by_text: dict[int, list[Summary]] = {i: [] for i in active}
            for (i, _), summary in zip(flat, results):
                by_text[i].append(summary)
            for i in active:
                passes[i] += 1
                partial = by_text[i]
                truncated[i] = truncated[i] or any(s.input_truncated for s in partial)
                if len(partial) == 1:
                    s = partial[0]
                    done[i] = Summary(s.text, input_truncated=truncated[i], extra=s.extra,
                                      prompt=s.prompt, chunks=chunks[i], passes=passes[i])
                    continue
                joined = "\n".join(s.text for s in partial)
                nxt = [w.text for w in self.plan(joined)]
                if len(nxt) >= len(partial) or passes[i] >= self.max_passes:
                    # No progress: the model's summaries are not shorter than what it read (a
                    # degenerate model, or a length option near the window). Rather than fail
                    # the article, summarize the first window of them, and say it was cut.
                    nxt = nxt[:1]
                    truncated[i] = True
                windows[i] = nxt
        return [s for s in done if s is not None]
