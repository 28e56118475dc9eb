"""Model families, told apart by the model's config (no weights needed), and the clean-up of
chat models' answers."""

from __future__ import annotations

import re
from typing import Any

# BART, PEGASUS, LED...: encoder-decoders trained to summarize; the article goes in as is.
ENCODER_DECODER = "encoder-decoder"
# T5, FLAN-T5, mT5: text-to-text encoder-decoders that are told the task by a prompt prefix.
TEXT_TO_TEXT = "text-to-text"
# Qwen, Llama, Mistral... instruct models: decoder-only, prompted through their chat template.
CHAT = "chat"

_TEXT_TO_TEXT_TYPES = {"t5", "mt5", "umt5", "longt5", "switch_transformers"}

# Default prompt of each family (a file in prompts/); None: the family takes no prompt.
DEFAULT_PROMPTS = {ENCODER_DECODER: None, TEXT_TO_TEXT: "t5-summarize", CHAT: "news-digest"}


def detect_family(config: Any) -> str:
    if getattr(config, "is_encoder_decoder", False):
        task = (getattr(config, "task_specific_params", None) or {}).get("summarization") or {}
        if config.model_type in _TEXT_TO_TEXT_TYPES or task.get("prefix"):
            return TEXT_TO_TEXT
        return ENCODER_DECODER
    return CHAT


_THINK = re.compile(r"^\s*<think>.*?</think>\s*", re.S)
# A first line that announces the answer rather than being it: "Sure! Here is a summary of
# the article:", "Summary:", "**Digest**", "Here's a concise summary in 50 words:".
_PREAMBLE = re.compile(
    r"""^\s*(?:
        (?:sure|certainly|of\ course|okay|ok)[!,.]?
        (?:\s*here(?:'s|\ is|\ are)\b[^\n:]*:|[\ \t]*\n)
      | (?:here(?:'s|\ is|\ are)|below\ is|the\ following\ is)\b[^\n:]*:
      | \**(?:summary|digest|headline|tl;?dr)\**\s*(?:\([^)\n]*\))?\s*:?\**
    )\s*""",
    re.I | re.X,
)


def strip_preamble(answer: str) -> str:
    """A chat model's answer without thinking blocks, announcements and wrapping quotes."""
    text = _THINK.sub("", answer).strip()
    for _ in range(2):  # "Sure! Here is the summary:\n\n**Summary:** ..."
        stripped = _PREAMBLE.sub("", text, count=1).strip()
        if not stripped or stripped == text:
            break
        text = stripped
    if len(text) > 1 and text[0] in "\"“" and text[-1] in "\"”" and text.count('"') <= 2:
        text = text[1:-1].strip()
    return text
