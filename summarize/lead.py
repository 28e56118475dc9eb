"""The lead-N baseline: the first N sentences of the article, no model.

News is written lead-first, so this is the standard yardstick a summarizer must beat, and a
quick summary when no model is wanted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from arabic_digest.summarize.sentences import split_sentences
from arabic_digest.summarize.summarizer import Summary

LEAD_PATTERN = re.compile(r"^lead-([1-9][0-9]*)$")


class LeadSummarizer:
    backend = "lead"
    revision = None

    def __init__(self, sentences: int = 3) -> None:
        if sentences < 1:
            raise ValueError("lead-N needs N >= 1")
        self.sentences = sentences
        self.name = f"lead-{sentences}"

    def settings(self) -> dict[str, Any]:
        return {"backend": self.backend, "family": "extractive", "sentences": self.sentences,
                "sentence_splitter": "summarize.sentences (rule-based)"}

    def summarize(self, texts: Sequence[str],
                  titles: Sequence[str | None] | None = None) -> list[Summary]:
        # The whole text is read: one window, one pass.
        return [Summary(" ".join(split_sentences(t)[:self.sentences]), chunks=1, passes=1)
                for t in texts]
