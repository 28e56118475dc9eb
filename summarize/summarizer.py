"""Summarizers: a summarizer takes a list of English texts and returns one summary each."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

DEFAULT_SUMMARIZATION_MODEL = "sshleifer/distilbart-cnn-12-6"


class SummarizerLoadError(Exception):
    """A summarization model that cannot be loaded."""


@dataclass
class Summary:
    text: str
    input_truncated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {"text": self.text, "prompt": None, "input_truncated": self.input_truncated,
                **self.extra}


class Summarizer(Protocol):
    name: str

    def summarize(self, texts: Sequence[str]) -> list[Summary]: ...

    def settings(self) -> dict[str, Any]: ...


def _device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise SummarizerLoadError("--device cuda was asked for, but torch sees no CUDA device")
    return device


class TransformersSummarizer:
    """BART-family (encoder-decoder) summarizer with the model's own generation defaults."""

    backend = "transformers"

    def __init__(self, model: str = DEFAULT_SUMMARIZATION_MODEL, *, device: str = "auto",
                 batch_size: int = 8) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        self.name = model
        self.device = _device(device)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model)
            self.model = AutoModelForSeq2SeqLM.from_pretrained(model).to(self.device).eval()
        except Exception as exc:  # noqa: BLE001 - any load failure gets the same advice
            raise SummarizerLoadError(
                f"could not load summarization model {model!r}. To work offline, pass a local "
                "folder (--summarization-model PATH), or download it once with internet access "
                "and run with HF_HUB_OFFLINE=1; or use --no-summary. "
                f"({type(exc).__name__}: {exc})"
            ) from exc
        self._torch = torch
        self.batch_size = batch_size
        self.generation_config = copy.deepcopy(self.model.generation_config)
        self.window = self._window()
        self.revision = getattr(self.model.config, "_commit_hash", None)

    def _window(self) -> int:
        positions = getattr(self.model.config, "max_position_embeddings", None)
        tok_max = getattr(self.tokenizer, "model_max_length", None)
        limits = [x for x in (positions, tok_max) if isinstance(x, int) and 0 < x < 10**6]
        return min(limits) if limits else 1024

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text)["input_ids"])

    def settings(self) -> dict[str, Any]:
        g = self.generation_config
        return {"backend": self.backend, "device": self.device, "window": self.window,
                "num_beams": g.num_beams, "min_length": g.min_length, "max_length": g.max_length}

    def summarize(self, texts: Sequence[str]) -> list[Summary]:
        out: list[Summary] = [Summary("")] * len(texts)
        lengths = [self.count_tokens(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            summaries = self._generate([texts[i] for i in batch])
            for i, text in zip(batch, summaries):
                out[i] = Summary(text, input_truncated=lengths[i] > self.window)
        return out

    def _generate(self, texts: list[str]) -> list[str]:
        # Inputs beyond the window are cut here and flagged by the caller (input_truncated).
        inputs = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=True,
                                max_length=self.window)
        inputs = {k: v.to(self.device) for k, v in inputs.items()}
        with self._torch.inference_mode():
            ids = self.model.generate(**inputs, generation_config=self.generation_config)
        return [t.strip() for t in self.tokenizer.batch_decode(ids, skip_special_tokens=True)]
