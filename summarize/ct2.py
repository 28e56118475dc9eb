"""The CTranslate2 summarizer: a BART-family model converted and run by CTranslate2.

It reproduces what transformers' generate does with the model's generation config: the
decoder starts from the configured start token (`</s>` for BART, set at conversion), the first
token is forced to `<s>` (forced_bos_token_id), and min/max lengths are counted the same way, so
greedy float32 output equals the transformers backend token for token.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from arabic_digest.summarize.summarizer import (
    DEFAULT_SUMMARIZATION_MODEL,
    SummarizerLoadError,
    Summary,
    encoder_decoder_lengths,
    input_limit,
)


class CT2Summarizer:
    backend = "ctranslate2"
    family = "encoder-decoder"

    def __init__(
        self,
        model: str = DEFAULT_SUMMARIZATION_MODEL,
        converted: str | Path | None = None,
        *,
        device: str = "cpu",
        compute_type: str = "int8",
        threads: int = 0,
        beams: int | None = None,
        batch_tokens: int = 4096,
        min_length: int | None = None,
        max_length: int | None = None,
        revision: str | None = None,
    ) -> None:
        import ctranslate2
        from transformers import AutoConfig, AutoTokenizer, GenerationConfig

        if converted is None:
            raise SummarizerLoadError("CT2Summarizer needs the converted model folder")
        self.name = model
        self.device = device
        self.compute_type = compute_type
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model)
            config = AutoConfig.from_pretrained(model)
            try:
                self.generation_config = GenerationConfig.from_pretrained(model)
            except OSError:
                self.generation_config = GenerationConfig.from_model_config(config)
            self.model = ctranslate2.Translator(str(converted), device=device,
                                                compute_type=compute_type,
                                                intra_threads=threads, inter_threads=1)
        except Exception as exc:  # noqa: BLE001 - any load failure gets the same advice
            raise SummarizerLoadError(
                f"could not load summarization model {model!r} for CTranslate2 "
                f"({type(exc).__name__}: {exc})") from exc
        if beams is not None:
            self.generation_config.num_beams = beams
        # As TransformersSummarizer: min_length/max_length count generated tokens.
        encoder_decoder_lengths(self.generation_config, min_length, max_length, model)
        self.converted = str(converted)
        self.threads = threads
        # Source tokens per CTranslate2 batch. Each source token holds its beams' cross-
        # attention caches until the batch is done, so this bounds a run's memory: 8192 (the
        # old value) put a whole run over 1.5 GB; 4096 keeps it under, for 7% of the
        # summarizer's throughput (benchmarks/RESULTS.md, "the summarizer's batch budget").
        self.batch_tokens = batch_tokens
        self.limit = input_limit(config, self.tokenizer)
        # Tokens of text one call takes: the limit less the special tokens around the text.
        self.window = self.limit - len(self.tokenizer("")["input_ids"])
        self.revision = revision or getattr(config, "_commit_hash", None)

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` alone; `window` already allows for the special tokens."""
        return len(self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def max_new_tokens(self) -> int:
        return self.generation_config.max_length - 1

    def min_new_tokens(self) -> int:
        return max((self.generation_config.min_length or 0) - 1, 0)

    def settings(self) -> dict[str, Any]:
        g = self.generation_config
        return {"backend": self.backend, "family": self.family, "device": self.device,
                "compute_type": self.compute_type, "threads": self.threads or "all",
                "converted": self.converted, "batch_tokens": self.batch_tokens,
                "window": self.window, "num_beams": g.num_beams,
                "min_new_tokens": self.min_new_tokens(), "max_new_tokens": self.max_new_tokens(),
                "prompt": None}

    def _bounds(self) -> tuple[int, int, list[str] | None]:
        g = self.generation_config
        prefix = None
        if g.forced_bos_token_id is not None:
            prefix = self.tokenizer.convert_ids_to_tokens([g.forced_bos_token_id])
        # transformers counts the decoder start in max/min_length and spends the last position
        # on the forced </s>; CTranslate2 counts neither, but counts the target prefix.
        eos_slot = 1 if g.forced_eos_token_id is not None else 0
        max_len = max(1, (g.max_length or 142) - 1 - eos_slot)
        min_len = min(max(0, (g.min_length or 0) - 1), max_len)
        return min_len, max_len, prefix

    def summarize(self, texts: Sequence[str],
                  titles: Sequence[str | None] | None = None) -> list[Summary]:
        if not texts:
            return []
        g, tok = self.generation_config, self.tokenizer
        # Cut a text over the window and say so (the chunking wrapper avoids this).
        encoded, cut = [], []
        for text in texts:
            ids = tok(text, truncation=True, max_length=self.limit, verbose=False)["input_ids"]
            encoded.append(ids)
            cut.append(self.count_tokens(text) > self.window)
        min_len, max_len, prefix = self._bounds()
        # CTranslate2 sorts by length and cuts batches by this many source tokens itself.
        # titles: no prompt, so a title has nowhere to go.
        results = self.model.translate_batch(
            [tok.convert_ids_to_tokens(ids) for ids in encoded],
            target_prefix=[prefix] * len(texts) if prefix else None,
            beam_size=g.num_beams or 1,
            length_penalty=float(g.length_penalty if g.length_penalty is not None else 1.0),
            no_repeat_ngram_size=g.no_repeat_ngram_size or 0,
            repetition_penalty=g.repetition_penalty or 1.0,
            min_decoding_length=min_len,
            max_decoding_length=max_len,
            max_batch_size=self.batch_tokens,
            batch_type="tokens",
        )
        out = []
        for result, truncated in zip(results, cut):
            ids = tok.convert_tokens_to_ids(result.hypotheses[0])
            text = tok.decode(ids, skip_special_tokens=True).strip()
            out.append(Summary(text, input_truncated=truncated))
        return out
