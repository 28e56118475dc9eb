"""Build the summarizer a run asked for, from its model name and options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from arabic_digest.summarize.chunking import ChunkedSummarizer
from arabic_digest.summarize.lead import LEAD_PATTERN, LeadSummarizer
from arabic_digest.summarize.length import SummaryLength
from arabic_digest.summarize.prompts import PromptTemplate
from arabic_digest.summarize.summarizer import SummarizerLoadError, TransformersSummarizer


def is_lead(model: str) -> bool:
    return bool(LEAD_PATTERN.match(model)) and not Path(model).exists()


def build_summarizer(model: str, *, device: str = "auto",
                     length: SummaryLength | None = None,
                     prompt: str | PromptTemplate | None = None,
                     fallback: str | None = None) -> Any:
    """`lead-N`, or a transformers model wrapped in map-reduce chunking for long inputs."""
    length = length or SummaryLength()
    if is_lead(model):
        if prompt is not None or length.min_tokens is not None or length.max_tokens is not None:
            raise SummarizerLoadError(f"{model} takes the first sentences as they are: "
                                      "--prompt and --summary-* lengths do not apply")
        return LeadSummarizer(int(LEAD_PATTERN.match(model).group(1)))
    inner = TransformersSummarizer(model, device=device, min_length=length.min_tokens,
                                   max_length=length.max_tokens, prompt=prompt,
                                   fallback=fallback)
    return ChunkedSummarizer(inner)
