"""Summarizers: a summarizer takes a list of English texts and returns one summary each."""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from arabic_digest.summarize.families import (
    CHAT,
    DEFAULT_PROMPTS,
    ENCODER_DECODER,
    TEXT_TO_TEXT,
    detect_family,
    strip_preamble,
)
from arabic_digest.summarize.prompts import PromptTemplate, load_prompt
from arabic_digest.translate.hub import offline_hint, resolve_device

DEFAULT_SUMMARIZATION_MODEL = "sshleifer/distilbart-cnn-12-6"


class SummarizerLoadError(Exception):
    """A summarization model that cannot be loaded."""


@dataclass
class Summary:
    text: str
    input_truncated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    prompt: dict[str, str] | None = None  # {name, sha256} of the prompt template, if any
    chunks: int | None = None  # windows the input was split into (first pass)
    passes: int | None = None  # summarization passes until one summary was left

    def to_record(self) -> dict[str, Any]:
        return {"text": self.text, "prompt": self.prompt, "input_truncated": self.input_truncated,
                "chunks": self.chunks, "passes": self.passes, **self.extra}


class Summarizer(Protocol):
    """A summarizer takes English texts (and their titles, for prompts that use them) and
    returns one summary each. Wrappers (map-reduce chunking) implement all of it."""

    name: str
    revision: str | None

    def summarize(self, texts: Sequence[str],
                  titles: Sequence[str | None] | None = None) -> list[Summary]: ...

    def settings(self) -> dict[str, Any]: ...


def encoder_decoder_lengths(g: Any, min_length: int | None, max_length: int | None,
                            model: str) -> Any:
    """Set an encoder-decoder's generation config `g` to generate between `min_length` and
    `max_length` new tokens (None keeps the model's own); both backends use this one.

    transformers' max_length/min_length count the decoder start token as well.
    """
    if max_length is not None:
        g.max_new_tokens = None
        g.max_length = max_length + 1
        if min_length is None and (g.min_length or 0) > g.max_length:
            g.min_length = g.max_length  # a short max lowers the model's own min with it
    if min_length is not None:
        g.min_new_tokens = None
        g.min_length = min_length + 1
    if g.max_new_tokens is None and (g.min_length or 0) > g.max_length:
        raise SummarizerLoadError(
            f"--summary-min-tokens {min_length} is more than {model} generates at most "
            f"({g.max_length - 1} tokens); raise --summary-max-tokens too")
    return g


def input_limit(config: Any, tokenizer: Any) -> int:
    """Most tokens the model reads: its positions, or the tokenizer's limit if lower."""
    positions = [getattr(config, k, None) for k in ("max_position_embeddings", "n_positions")]
    tok_max = getattr(tokenizer, "model_max_length", None)
    limits = [x for x in (*positions, tok_max) if isinstance(x, int) and 0 < x < 10**6]
    return min(limits) if limits else 1024


# Tokens kept free in a prompt for the article's title, which varies from article to article.
TITLE_RESERVE = 48
# Chat models' generation configs rarely bound the answer; this is the "medium" preset's max.
DEFAULT_CHAT_MAX_NEW_TOKENS = 140
# Words per token of English BPE text, for {max_words}.
WORDS_PER_TOKEN = 0.75


def _load_error(model: str, exc: BaseException) -> SummarizerLoadError:
    return SummarizerLoadError(f"{offline_hint(model, summary=True)} ({type(exc).__name__}: {exc})")


class TransformersSummarizer:
    """Any transformers summarizer; the family (from the model config) decides the input:

    - encoder-decoder (BART, PEGASUS): the article as is, no prompt;
    - text-to-text (T5, FLAN-T5): a prompt template such as `summarize: {text}`, and the
      model's `task_specific_params["summarization"]` decoding settings;
    - chat (decoder-only instruct models): a system and a user message through the
      tokenizer's chat template, greedy or beam decoding, the answer's preamble stripped.

    `min_length`/`max_length` bound the generated tokens; None keeps the model's generation
    config. `window` is how many tokens of article text fit in one call, prompt excluded.
    """

    backend = "transformers"

    def __init__(self, model: str = DEFAULT_SUMMARIZATION_MODEL, *, device: str = "auto",
                 batch_size: int = 8, min_length: int | None = None,
                 max_length: int | None = None,
                 prompt: str | PromptTemplate | None = None,
                 fallback: str | None = None) -> None:
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM

        self.name = model
        self.fallback = fallback  # why --backend auto did not use CTranslate2, if it did not
        # The config and the prompt are checked before any weights are read.
        try:
            config = AutoConfig.from_pretrained(model)
        except Exception as exc:  # noqa: BLE001 - any load failure gets the same advice
            raise _load_error(model, exc) from exc
        self.family = detect_family(config)
        self.prompt = self._prompt(prompt)
        self.device = resolve_device(device, SummarizerLoadError)
        try:
            self.tokenizer = self._load_tokenizer(model)
            auto = AutoModelForCausalLM if self.family == CHAT else AutoModelForSeq2SeqLM
            self.model = auto.from_pretrained(model).to(self.device).eval()
        except Exception as exc:  # noqa: BLE001
            raise _load_error(model, exc) from exc
        self._torch = torch
        self.batch_size = batch_size
        self.generation_config = self._generation_config(min_length, max_length)
        self.window = self._window()
        self.revision = getattr(self.model.config, "_commit_hash", None)

    # ------------------------------------------------------------------ set-up

    def _prompt(self, prompt: str | PromptTemplate | None) -> PromptTemplate | None:
        if self.family == ENCODER_DECODER:
            if prompt is not None:
                raise SummarizerLoadError(
                    f"{self.name} is an encoder-decoder summarizer (BART/PEGASUS family) that "
                    "takes no prompt; drop --prompt, or pick a T5 or chat model")
            return None
        if prompt is None:
            prompt = DEFAULT_PROMPTS[self.family]
        return load_prompt(prompt) if isinstance(prompt, str) else prompt

    def _load_tokenizer(self, model: str) -> Any:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(model)
        if self.family == CHAT:
            if not getattr(tok, "chat_template", None):
                raise SummarizerLoadError(
                    f"{model} is a decoder-only model without a chat template; summarizing "
                    "with it needs an instruction-tuned (chat) model")
            tok.padding_side = "left"  # generation continues from the right end
            if tok.pad_token is None:
                tok.pad_token = tok.eos_token
        return tok

    def _generation_config(self, min_length: int | None, max_length: int | None) -> Any:
        g = copy.deepcopy(self.model.generation_config)
        if self.family == TEXT_TO_TEXT:
            # What the transformers summarization pipeline applies for T5 checkpoints.
            task = (getattr(self.model.config, "task_specific_params", None) or {})
            for key, value in (task.get("summarization") or {}).items():
                if key != "prefix" and hasattr(g, key):
                    setattr(g, key, value)
        if self.family == CHAT:
            g.do_sample = False  # reproducible: greedy, or beam search with num_beams > 1
            g.max_new_tokens = max_length or g.max_new_tokens or DEFAULT_CHAT_MAX_NEW_TOKENS
            if min_length is not None:
                g.min_new_tokens = min_length
            if (g.min_new_tokens or 0) > g.max_new_tokens:
                g.min_new_tokens = g.max_new_tokens
            return g
        return encoder_decoder_lengths(g, min_length, max_length, self.name)

    def _limit(self) -> int:
        return input_limit(self.model.config, self.tokenizer)

    def _window(self) -> int:
        """Tokens of text one call takes: the model's limit less the prompt (with room for a
        title) and, for decoder-only models, less the answer, which shares the positions."""
        overhead = len(self._encode(self._render("", None)))
        if self.prompt is not None and self.prompt.uses("title"):
            overhead += TITLE_RESERVE
        if self.family == CHAT:
            overhead += self.generation_config.max_new_tokens
        window = self._limit() - overhead
        if window < 16:
            raise SummarizerLoadError(
                f"{self.name}: no room left for text in a window of {self._limit()} tokens "
                f"(prompt and answer take {overhead}); choose a shorter prompt or length")
        return window

    # ------------------------------------------------------------------ lengths

    def max_new_tokens(self) -> int:
        g = self.generation_config
        return g.max_new_tokens if g.max_new_tokens is not None else g.max_length - 1

    def min_new_tokens(self) -> int:
        g = self.generation_config
        if g.min_new_tokens is not None:
            return g.min_new_tokens
        return max((g.min_length or 0) - (0 if self.family == CHAT else 1), 0)

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` alone; `window` already allows for special tokens and the prompt."""
        return len(self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def settings(self) -> dict[str, Any]:
        g = self.generation_config
        return {"backend": self.backend, "family": self.family, "device": self.device,
                "window": self.window, "num_beams": g.num_beams,
                "min_new_tokens": self.min_new_tokens(), "max_new_tokens": self.max_new_tokens(),
                "prompt": self.prompt.manifest() if self.prompt else None,
                **({"backend_fallback": self.fallback} if self.fallback else {})}

    # ------------------------------------------------------------------ inference

    def _render(self, text: str, title: str | None) -> str:
        """The model's input string for one text."""
        if self.prompt is None:
            return text
        words = {"max_words": max(1, math.floor(self.max_new_tokens() * WORDS_PER_TOKEN)),
                 "min_words": math.floor(self.min_new_tokens() * WORDS_PER_TOKEN)}
        if self.family != CHAT:
            return self.prompt.render_plain(text=text, title=title, **words)
        system, user = self.prompt.render(text=text, title=title, **words)
        messages = [{"role": "user", "content": user}]
        if system:
            messages.insert(0, {"role": "system", "content": system})
        try:
            return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                      tokenize=False)
        except Exception:  # noqa: BLE001 - templates without a system role (Gemma...)
            merged = [{"role": "user", "content": f"{system}\n\n{user}" if system else user}]
            return self.tokenizer.apply_chat_template(merged, add_generation_prompt=True,
                                                      tokenize=False)

    def _encode(self, rendered: str) -> list[int]:
        # A chat template already holds its special tokens; encoder inputs get theirs here.
        special = self.family != CHAT
        return self.tokenizer(rendered, add_special_tokens=special, verbose=False)["input_ids"]

    def _fit(self, text: str) -> tuple[str, bool]:
        """Cut a text over the window, and say so (the chunking wrapper avoids this)."""
        ids = self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
        if len(ids) <= self.window:
            return text, False
        return self.tokenizer.decode(ids[:self.window], skip_special_tokens=True), True

    def summarize(self, texts: Sequence[str],
                  titles: Sequence[str | None] | None = None) -> list[Summary]:
        titles = list(titles) if titles is not None else [None] * len(texts)
        fitted = [self._fit(t) for t in texts]
        inputs = [self._render(t, title) for (t, _), title in zip(fitted, titles)]
        lengths = [len(self._encode(x)) for x in inputs]
        out: list[Summary] = [Summary("")] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        prompt = self.prompt.record() if self.prompt else None
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            for i, text in zip(batch, self._generate([inputs[i] for i in batch])):
                out[i] = Summary(text, input_truncated=fitted[i][1], prompt=prompt)
        return out

    def _generate(self, inputs: list[str]) -> list[str]:
        limit = self._limit()
        if self.family == CHAT:
            enc = self.tokenizer(inputs, return_tensors="pt", padding=True,
                                 add_special_tokens=False)
        else:  # truncation is only a safety net: _fit already kept the text in the window
            enc = self.tokenizer(inputs, return_tensors="pt", padding=True, truncation=True,
                                 max_length=limit)
        enc = {k: v.to(self.device) for k, v in enc.items()}
        with self._torch.inference_mode():
            ids = self.model.generate(**enc, generation_config=self.generation_config)
        if self.family == CHAT:  # the prompt comes back in front of the answer
            ids = ids[:, enc["input_ids"].shape[1]:]
        texts = self.tokenizer.batch_decode(ids, skip_special_tokens=True)
        if self.family == CHAT:
            return [strip_preamble(t) for t in texts]
        return [t.strip() for t in texts]
