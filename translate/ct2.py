"""The CTranslate2 translator: the same model, converted, run by CTranslate2 (int8 on CPU).

Same protocol, length bound and bucketing as `TransformersTranslator`, so a segment gets the
same bound (and, in float32 with greedy decoding, the same tokens) on either backend.

Scores are teacher-forced, as on the transformers backend: the decoder's own score is of the
distribution it searched (after repetition penalties and n-gram blocking), so a retry with
safer settings would not compare with its first try. `score_batch` re-scores every output
under the model itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .translator import (
    DEFAULT_TRANSLATION_MODEL,
    Hypothesis,
    ModelLoadError,
    max_new_tokens_for,
    offline_hint,
    token_batches,
)


def generation_settings(model: str) -> tuple[Any, Any]:
    """The model's config and generation config (defaults from the config if it has none)."""
    from transformers import AutoConfig, GenerationConfig

    config = AutoConfig.from_pretrained(model)
    try:
        gen = GenerationConfig.from_pretrained(model)
    except OSError:
        gen = GenerationConfig.from_model_config(config)
    return config, gen


def decoding_bounds(gen: Any, max_length: int,
                    min_length: int) -> tuple[int, int, list[int] | None]:
    """Translate transformers' length settings into CTranslate2's, so outputs match.

    transformers counts the decoder start token in max_length/min_length and, with
    forced_eos_token_id, spends the last position on a forced </s>; CTranslate2 counts neither
    (but counts a target prefix such as BART's forced <s>). Returns (min, max, prefix).
    """
    prefix = None
    if getattr(gen, "forced_bos_token_id", None) is not None:
        prefix = [gen.forced_bos_token_id]  # ids; the caller maps them to tokens
    eos_slot = 1 if getattr(gen, "forced_eos_token_id", None) is not None else 0
    max_len = max(1, max_length - 1 - eos_slot)
    min_len = min(max(0, (min_length or 0) - 1), max_len)
    return min_len, max_len, prefix


class CT2Translator:
    """Opus-MT (or any Marian/BART-family model) run by CTranslate2 from a converted folder.

    `model` is the Hub id or folder the tokenizer and generation settings come from;
    `converted` is the CTranslate2 folder made from it (see arabic_digest.models.convert).
    """

    backend = "ctranslate2"

    def __init__(
        self,
        model: str = DEFAULT_TRANSLATION_MODEL,
        converted: str | Path | None = None,
        *,
        device: str = "cpu",
        compute_type: str = "int8",
        threads: int = 0,
        beams: int | None = None,
        batch_tokens: int = 4096,
        max_length_ratio: float = 2.0,
        max_length_offset: int = 10,
        on_batch: Callable[[int], None] | None = None,
        revision: str | None = None,
    ) -> None:
        import ctranslate2
        from transformers import AutoTokenizer

        if converted is None:
            raise ModelLoadError("CT2Translator needs the converted model folder")
        self.name = model
        self.device = device
        self.compute_type = compute_type
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model)
            config, self.generation_config = generation_settings(model)
            # intra_threads=0 lets CTranslate2 pick (all cores); inter_threads=1: one batch at a
            # time, each using every core, which is what a single-process batch run wants.
            self.model = ctranslate2.Translator(str(converted), device=device,
                                                compute_type=compute_type,
                                                intra_threads=threads, inter_threads=1)
        except Exception as exc:  # noqa: BLE001 - any load failure gets the same advice
            raise ModelLoadError(f"{offline_hint(model)} ({type(exc).__name__}: {exc})") from exc
        self.converted = str(converted)
        self.threads = threads
        if beams is not None:
            self.generation_config.num_beams = beams
        # As TransformersTranslator: the decoder's positions, less the decoder start token.
        positions = getattr(config, "max_position_embeddings", None) or 512
        self.limit = min(positions, self.generation_config.max_length or positions) - 1
        self.batch_tokens = batch_tokens
        self.ratio = max_length_ratio
        self.offset = max_length_offset
        self.on_batch = on_batch
        self.revision = revision or getattr(config, "_commit_hash", None)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text)["input_ids"])

    def settings(self) -> dict[str, Any]:
        g = self.generation_config
        return {
            "backend": self.backend,
            "device": self.device,
            "compute_type": self.compute_type,
            "threads": self.threads or "all",
            "converted": self.converted,
            "num_beams": g.num_beams,
            "max_new_tokens": {"ratio": self.ratio, "offset": self.offset, "limit": self.limit},
            "batch_tokens": self.batch_tokens,
        }

    def stats(self) -> dict[str, int]:
        return {}

    def translate(self, segments: Sequence[str]) -> list[str]:
        return [h.text for h in self.translate_scored(segments)]

    def _options(self, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
        g = self.generation_config
        values = {"num_beams": g.num_beams or 1,
                  "no_repeat_ngram_size": g.no_repeat_ngram_size or 0,
                  "repetition_penalty": g.repetition_penalty or 1.0,
                  **(overrides or {})}
        return {"beam_size": int(values["num_beams"]),
                "no_repeat_ngram_size": int(values["no_repeat_ngram_size"]),
                "repetition_penalty": float(values["repetition_penalty"]),
                "length_penalty": float(g.length_penalty if g.length_penalty is not None else 1.0)}

    def translate_scored(self, segments: Sequence[str],
                         overrides: Mapping[str, Any] | None = None) -> list[Hypothesis]:
        if not segments:
            return []
        options = self._options(overrides)
        encoded = [self.tokenizer(s)["input_ids"] for s in segments]
        groups: dict[int, list[int]] = {}
        for i, ids in enumerate(encoded):
            bound = max_new_tokens_for(len(ids), self.ratio, self.offset, self.limit)
            groups.setdefault(bound, []).append(i)
        out: list[Hypothesis] = [Hypothesis("")] * len(segments)
        for bound, members in groups.items():
            lengths = [len(encoded[i]) for i in members]
            for batch in token_batches(lengths, self.batch_tokens):
                rows = [members[j] for j in batch]
                hyps = self._generate([encoded[i] for i in rows], bound, options)
                for i, hyp in zip(rows, hyps):
                    out[i] = hyp
                if self.on_batch:
                    self.on_batch(len(rows))
        return out

    def _generate(self, encoded: list[list[int]], max_new_tokens: int,
                  options: dict[str, Any]) -> list[Hypothesis]:
        tok = self.tokenizer
        # The transformers backend generates with max_length = max_new_tokens + 1.
        min_len, max_len, prefix = decoding_bounds(self.generation_config, max_new_tokens + 1,
                                                   self.generation_config.min_length or 0)
        target_prefix = None
        if prefix:
            target_prefix = [tok.convert_ids_to_tokens(prefix)] * len(encoded)
        results = self.model.translate_batch(
            [tok.convert_ids_to_tokens(ids) for ids in encoded],
            target_prefix=target_prefix,
            max_decoding_length=max_len,
            min_decoding_length=min_len,
            return_scores=False,
            max_batch_size=0,
            **options,
        )
        hyps = [r.hypotheses[0] for r in results]
        scores = self._score([tok.convert_ids_to_tokens(ids) for ids in encoded], hyps, max_len)
        # CTranslate2 leaves </s> out of the hypothesis (the bound counts a forced prefix, and
        # so does the hypothesis): as many tokens as the bound means it stopped there.
        return [Hypothesis(tok.decode(tok.convert_tokens_to_ids(tokens),
                                      skip_special_tokens=True).strip(), score,
                           len(tokens) >= max_len)
                for tokens, score in zip(hyps, scores)]

    def _score(self, sources: list[list[str]], targets: list[list[str]],
               max_len: int) -> list[float]:
        """Mean log-probability per output token under the model (teacher-forced).

        As the transformers backend counts it: every output token, and the closing </s> when
        there is one (score_batch always scores one; an output cut at the length limit has
        none, unless the model forces </s> in the last position).
        """
        forced_eos = getattr(self.generation_config, "forced_eos_token_id", None) is not None
        scored = self.model.score_batch(sources, targets, max_batch_size=0)
        out = []
        for tokens, result in zip(targets, scored):
            log_probs = result.log_probs  # one per target token, then the </s>
            if not forced_eos and len(tokens) >= max_len:
                log_probs = log_probs[:len(tokens)]
            out.append(float(sum(log_probs)) / max(1, len(log_probs)))
        return out


def mean_log_prob(score: float, n_tokens: int, length_penalty: float) -> float:
    """CTranslate2's decoder score, sum(log p) / n**length_penalty (beam search and greedy
    alike), as a mean per token. Only a plain search's score is the model's own: the runner
    scores with `score_batch` instead (see the module docstring)."""
    n = max(1, n_tokens)
    return float(score) * n ** length_penalty / n
