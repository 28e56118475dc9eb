"""The CTranslate2 translator: the same model, converted, run by CTranslate2 (int8 on CPU).

Same protocol, length bound and bucketing as `TransformersTranslator`, so a segment gets the
same bound (and, in float32 with greedy decoding, the same tokens) on either backend.

Scores come with the search (`return_scores=True`) where the decoder scores what the model
says: plain beam search or greedy, CTranslate2's score (sum of log-probabilities over
length ** length_penalty, </s> included when chosen) turned back into a mean per token. Where
the search scored another distribution (a repetition penalty, n-gram blocking: a retry's safer
settings), `score_batch` re-scores the output under the model itself, so a retry compares with
its first try (see `search_score_differs`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from arabic_digest.translate.translator import (
    DEFAULT_TRANSLATION_MODEL,
    Generated,
    ModelLoadError,
    Seq2SeqTranslator,
    search_score_differs,
)


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


class CT2Translator(Seq2SeqTranslator):
    """Opus-MT (or any Marian/BART-family model) run by CTranslate2 from a converted folder.

    `model` is the Hub id or folder the tokenizer and generation settings come from;
    `converted` is the CTranslate2 folder made from it (see arabic_digest.pipeline.models.convert).
    """

    backend = "ctranslate2"

    def __init__(self, model: str = DEFAULT_TRANSLATION_MODEL,
                 converted: str | Path | None = None, *, device: str = "cpu",
                 compute_type: str = "int8", threads: int = 0, **options: Any) -> None:
        if converted is None:
            raise ModelLoadError("CT2Translator needs the converted model folder")
        super().__init__(model, converted=converted, device=device, compute_type=compute_type,
                         threads=threads, **options)

    def _load(self, model: str, converted: str | Path = "", device: str = "cpu",
              compute_type: str = "int8", threads: int = 0) -> None:
        import ctranslate2

        # intra_threads=0 lets CTranslate2 pick (all cores); inter_threads=1: one batch at a
        # time, each using every core, which is what a single-process batch run wants.
        self.model = ctranslate2.Translator(str(converted), device=device,
                                            compute_type=compute_type,
                                            intra_threads=threads, inter_threads=1)
        self.converted, self.device = str(converted), device
        self.compute_type, self.threads = compute_type, threads

    def _backend_settings(self) -> dict[str, Any]:
        return {"device": self.device, "compute_type": self.compute_type,
                "threads": self.threads or "all", "converted": self.converted}

    @staticmethod
    def _ct2_options(g: Any) -> dict[str, Any]:
        """CTranslate2's decoding options for a generation config (the run's settings and a
        call's overrides: Seq2SeqTranslator._config)."""
        return {"beam_size": int(g.num_beams or 1),
                "no_repeat_ngram_size": int(g.no_repeat_ngram_size or 0),
                "repetition_penalty": float(g.repetition_penalty or 1.0),
                "length_penalty": float(g.length_penalty if g.length_penalty is not None else 1.0)}

    def _tokens(self, encoded: list[list[int]]) -> list[list[str]]:
        return [self.tokenizer.convert_ids_to_tokens(ids) for ids in encoded]

    def _score_source(self, config: Any) -> str:
        prefix = getattr(config, "forced_bos_token_id", None) is not None
        why = search_score_differs(config, prefix)
        return f"rescored ({why})" if why else "search"

    def _generate(self, encoded: list[list[int]], max_new_tokens: int,
                  config: Any, scores: bool = False) -> list[Generated]:
        tok = self.tokenizer
        # The transformers backend generates with max_length = max_new_tokens + 1.
        min_len, max_len, prefix = decoding_bounds(config, max_new_tokens + 1,
                                                   config.min_length or 0)
        target_prefix = None
        if prefix:
            target_prefix = [tok.convert_ids_to_tokens(prefix)] * len(encoded)
        from_search = scores and not search_score_differs(config, bool(prefix))
        options = self._ct2_options(config)
        results = self.model.translate_batch(
            self._tokens(encoded), target_prefix=target_prefix, max_decoding_length=max_len,
            min_decoding_length=min_len, return_scores=from_search, max_batch_size=0,
            **options)
        eos = next(iter(self._eos()))
        forced = config.forced_eos_token_id is not None
        out = []
        for result in results:
            tokens = result.hypotheses[0]
            # CTranslate2 leaves </s> out of the hypothesis (the bound counts a forced prefix,
            # and so does the hypothesis): as many tokens as the bound means it stopped there,
            # without a </s> unless the model forces one into the last slot.
            cut = len(tokens) >= max_len
            ids = tok.convert_tokens_to_ids(tokens)
            gen = Generated(ids + ([eos] if forced or not cut else []), cut)
            if from_search:  # the search's score counts a </s> the model chose, not a cut
                gen.score = mean_log_prob(result.scores[0], len(tokens) + (not cut),
                                          options["length_penalty"])
            out.append(gen)
        return out

    def _score(self, encoded: list[list[int]], generated: list[Generated]) -> list[float]:
        # score_batch scores every target token and then a </s>: keep as many as the model
        # chose (its own </s> counted, one forced at the bound not), as the search counts.
        eos = self._eos()
        targets = [self.tokenizer.convert_ids_to_tokens(
            g.ids[:-1] if g.ids and g.ids[-1] in eos else g.ids) for g in generated]
        scored = self.model.score_batch(self._tokens(encoded), targets, max_batch_size=0)
        out = []
        for gen, result in zip(generated, scored):
            log_probs = result.log_probs[:max(1, self._chosen(gen))]
            out.append(float(sum(log_probs)) / max(1, len(log_probs)))
        return out


def mean_log_prob(score: float, n_tokens: int, length_penalty: float) -> float:
    """CTranslate2's decoder score, sum(log p) / n**length_penalty (beam search and greedy
    alike; n counts a chosen </s>), as a mean per token. Only a plain search's score is the
    model's own (see the module docstring)."""
    n = max(1, n_tokens)
    return float(score) * n ** length_penalty / n
