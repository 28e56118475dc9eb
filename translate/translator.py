"""Translators: a translator takes a list of segments and returns their translations.

Backends implement the `Translator` protocol; the runner never knows which one it has.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from arabic_digest.translate.hub import offline_hint, resolve_device

DEFAULT_TRANSLATION_MODEL = "Helsinki-NLP/opus-mt-ar-en"


class ModelLoadError(Exception):
    """A model that cannot be loaded (missing, offline, corrupt)."""


@dataclass
class Hypothesis:
    """One translation; `score` is its mean log-probability per token where the backend has it
    (the tokens the model chose: its own </s> counted, a </s> forced at the length bound not)."""

    text: str
    score: float | None = None
    hit_limit: bool = False  # generation stopped at its length bound, not at </s>
    # The generated ids, so a retried segment's first try can be re-scored (`rescore`).
    ids: list[int] | None = field(default=None, compare=False, repr=False)


class Translator(Protocol):
    """A translator takes segments and returns their translations, in order.

    `translate_scored` is the same call with scores, and `overrides` changes decoding settings
    for this call only (keys: num_beams, no_repeat_ngram_size, repetition_penalty).
    """

    name: str  # model id or path
    revision: str | None  # the model's commit, where known
    on_batch: Callable[[int], None] | None  # called after each batch (progress, stop requests)

    def translate(self, segments: Sequence[str]) -> list[str]: ...

    def translate_scored(self, segments: Sequence[str],
                         overrides: Mapping[str, Any] | None = None) -> list[Hypothesis]: ...

    def rescore(self, segments: Sequence[str], hyps: Sequence[Hypothesis]) -> list[Hypothesis]:
        """The same hypotheses, scored teacher-forced: one measure for tries made with
        different decoding settings (a retry and its first try)."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def settings(self) -> dict[str, Any]: ...

    def stats(self) -> dict[str, int]: ...  # counters of this run (e.g. de-duplication hits)


def token_batches(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Group indices (sorted longest first) so each batch's padded size stays within `budget`.

    Padded size is rows x longest row, which is what the model actually computes on.
    A single item over the budget gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        width = max(longest, lengths[i])
        if current and width * (len(current) + 1) > budget:
            batches.append(current)
            current, width = [], lengths[i]
        current.append(i)
        longest = width
    if current:
        batches.append(current)
    return batches


def max_new_tokens_for(src_tokens: int, ratio: float, offset: int, limit: int,
                       step: int = 16) -> int:
    """Bound output length by the source: a runaway repetition must not run to the limit.

    The bound is rounded up to a multiple of `step`, and batches only mix segments with the
    same bound, so a segment gets the same bound (and output) in any batch as alone.
    """
    raw = math.ceil(src_tokens * ratio) + offset
    return max(1, min(limit, math.ceil(raw / step) * step))


@dataclass
class Generated:
    """What a backend generated for one segment: its token ids after the decoder start, with
    the closing </s> when it has one, whether it stopped at its length bound, and its score
    from the search itself where that is the model's own (else None: re-scored)."""

    ids: list[int]
    hit_limit: bool
    score: float | None = None


def search_score_differs(config: Any, prefix: bool = False) -> str | None:
    """Why the decoder's own score would not be the model's log-probability, or None.

    A repetition penalty or n-gram blocking changes the distribution the search scores, a
    minimum length masks </s>, and a forced prefix is not the model's choice: outputs of such
    settings are re-scored teacher-forced. Plain beam search or greedy scores what the model
    says, so its score comes free with the search.
    """
    if float(config.repetition_penalty or 1.0) != 1.0:
        return "repetition_penalty"
    if int(config.no_repeat_ngram_size or 0) > 0:
        return "no_repeat_ngram_size"
    if int(config.min_length or 0) > 1 or int(getattr(config, "min_new_tokens", 0) or 0) > 0:
        return "min_length"
    if getattr(config, "do_sample", False):
        return "sampling"
    if prefix:
        return "forced_prefix"
    return None


def generation_settings(model: str) -> tuple[Any, Any]:
    """The model's config and generation config (defaults from the config if it has none)."""
    from transformers import AutoConfig, GenerationConfig

    config = AutoConfig.from_pretrained(model)
    try:
        gen = GenerationConfig.from_pretrained(model)
    except OSError:
        gen = GenerationConfig.from_model_config(config)
    return config, gen


class Seq2SeqTranslator:
    """Opus-MT (MarianMT) or any seq2seq translation model, over one backend.

    Everything but running the model lives here, once: the tokenizer, one generation config
    per run (from the model's own), the length bound, bucketing by bound and token budget,
    decoding and the hypotheses. A backend (TransformersTranslator, CT2Translator) only
    loads the model and implements `_generate` and `_score`.
    """

    backend = "?"

    def __init__(
        self,
        model: str = DEFAULT_TRANSLATION_MODEL,
        *,
        beams: int | None = None,
        batch_tokens: int = 4096,
        max_length_ratio: float = 2.0,
        max_length_offset: int = 10,
        on_batch: Callable[[int], None] | None = None,
        fallback: str | None = None,
        revision: str | None = None,
        **backend_options: Any,
    ) -> None:
        from transformers import AutoTokenizer

        self.name = model
        self.fallback = fallback  # why --backend auto did not use CTranslate2, if it did not
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model)
            config, self.generation_config = generation_settings(model)
            self._load(model, **backend_options)
        except ModelLoadError:
            raise
        except Exception as exc:  # noqa: BLE001 - any load failure gets the same advice
            raise ModelLoadError(f"{offline_hint(model)} ({type(exc).__name__}: {exc})") from exc
        if beams is not None:
            self.generation_config.num_beams = beams
        # Most new tokens the decoder can take: its positions, less the decoder start token.
        positions = getattr(config, "max_position_embeddings", None) or 512
        self.limit = min(positions, self.generation_config.max_length or positions) - 1
        self.batch_tokens = batch_tokens
        self.ratio = max_length_ratio
        self.offset = max_length_offset
        self.on_batch = on_batch
        self.revision = revision or getattr(config, "_commit_hash", None)
        self.rescored = 0  # outputs scored by a second, teacher-forced pass (stats())

    # --- what a backend implements ---------------------------------------------------------

    def _load(self, model: str, **options: Any) -> None:
        raise NotImplementedError

    def _generate(self, encoded: list[list[int]], max_new_tokens: int,
                  config: Any, scores: bool = False) -> list[Generated]:
        """Generate; with `scores`, fill `Generated.score` from the search where
        `search_score_differs` finds nothing (otherwise leave it None)."""
        raise NotImplementedError

    def _score(self, encoded: list[list[int]], generated: list[Generated]) -> list[float]:
        """Mean log-probability per chosen token (`chosen`), teacher-forced: the model's own
        view of the output whatever the decoding, so a retry with other settings compares
        fairly with the first try. Called only where the search's score is not the model's."""
        raise NotImplementedError

    def _chosen(self, gen: Generated) -> int:
        """How many of `gen.ids` the model chose: all but a </s> forced at the length bound."""
        forced_end = gen.hit_limit and bool(gen.ids) and gen.ids[-1] in self._eos()
        return len(gen.ids) - 1 if forced_end else len(gen.ids)

    def _backend_settings(self) -> dict[str, Any]:
        return {}

    # --- the protocol ----------------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text)["input_ids"])

    def settings(self) -> dict[str, Any]:
        g = self.generation_config
        return {
            "backend": self.backend,
            **self._backend_settings(),
            "num_beams": g.num_beams,
            # max_new_tokens = min(limit, ceil(ratio x source tokens + offset) rounded up to 16)
            "max_new_tokens": {"ratio": self.ratio, "offset": self.offset, "limit": self.limit},
            "batch_tokens": self.batch_tokens,
            # Where the confidence scores come from: the search itself, or a second pass.
            "scores": self._score_source(g),
            **({"backend_fallback": self.fallback} if self.fallback else {}),
        }

    def _score_source(self, config: Any) -> str:
        why = search_score_differs(config)
        return f"rescored ({why})" if why else "search"

    def stats(self) -> dict[str, int]:
        return {"rescored": self.rescored} if self.rescored else {}

    def rescore(self, segments: Sequence[str], hyps: Sequence[Hypothesis]) -> list[Hypothesis]:
        todo = [k for k, h in enumerate(hyps) if h.ids is not None]
        out = list(hyps)
        if not todo:
            return out
        encoded = [self.tokenizer(segments[k])["input_ids"] for k in todo]
        generated = [Generated(list(hyps[k].ids or []), hyps[k].hit_limit) for k in todo]
        self.rescored += len(todo)
        for k, sc in zip(todo, self._score(encoded, generated)):
            out[k] = Hypothesis(hyps[k].text, sc, hyps[k].hit_limit, hyps[k].ids)
        return out

    def translate(self, segments: Sequence[str]) -> list[str]:
        return [h.text for h in self._translate(segments, None, score=False)]

    def translate_scored(self, segments: Sequence[str],
                         overrides: Mapping[str, Any] | None = None) -> list[Hypothesis]:
        return self._translate(segments, overrides, score=True)

    def _config(self, overrides: Mapping[str, Any] | None) -> Any:
        """The run's generation config with this call's overrides (a retry's settings)."""
        cfg = copy.deepcopy(self.generation_config)
        for key, value in (overrides or {}).items():
            setattr(cfg, key, value)
        return cfg

    def _translate(self, segments: Sequence[str], overrides: Mapping[str, Any] | None,
                   score: bool) -> list[Hypothesis]:
        if not segments:
            return []
        cfg = self._config(overrides)
        encoded = [self.tokenizer(s)["input_ids"] for s in segments]
        out: list[Hypothesis] = [Hypothesis("")] * len(segments)
        # Batches only mix segments with the same bound, so a segment gets the same bound
        # (and output) in any batch as alone.
        groups: dict[int, list[int]] = {}
        for i, ids in enumerate(encoded):
            bound = max_new_tokens_for(len(ids), self.ratio, self.offset, self.limit)
            groups.setdefault(bound, []).append(i)
        for bound, members in groups.items():
            lengths = [len(encoded[i]) for i in members]
            for batch in token_batches(lengths, self.batch_tokens):
                rows = [members[j] for j in batch]
                sources = [encoded[i] for i in rows]
                generated = self._generate(sources, bound, cfg, scores=score)
                if score:  # a second pass only for what the search could not score
                    todo = [k for k, g in enumerate(generated) if g.score is None]
                    if todo:
                        self.rescored += len(todo)
                        again = self._score([sources[k] for k in todo],
                                            [generated[k] for k in todo])
                        for k, sc in zip(todo, again):
                            generated[k].score = sc
                for i, gen in zip(rows, generated):
                    text = self.tokenizer.decode(gen.ids, skip_special_tokens=True).strip()
                    out[i] = Hypothesis(text, gen.score if score else None, gen.hit_limit,
                                        gen.ids)
                if self.on_batch:
                    self.on_batch(len(rows))
        return out

    def _eos(self) -> set[int]:
        eos = self.generation_config.eos_token_id
        return set(eos) if isinstance(eos, list) else {eos}


class TransformersTranslator(Seq2SeqTranslator):
    """The transformers backend (PyTorch), on CPU or CUDA."""

    backend = "transformers"

    def __init__(self, model: str = DEFAULT_TRANSLATION_MODEL, *, device: str = "auto",
                 **options: Any) -> None:
        super().__init__(model, device=device, **options)

    def _load(self, model: str, device: str = "auto") -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM

        self._torch = torch
        self.device = resolve_device(device, ModelLoadError)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(model).to(self.device).eval()
        self.start = self.model.config.decoder_start_token_id

    def _backend_settings(self) -> dict[str, Any]:
        return {"device": self.device}

    def _generate(self, encoded: list[list[int]], max_new_tokens: int,
                  config: Any, scores: bool = False) -> list[Generated]:
        cfg = copy.deepcopy(config)
        # max_length counts the decoder start token. Setting it (not max_new_tokens) avoids
        # transformers' "both were set" warning: a None here is refilled from the model's.
        cfg.max_length = max_new_tokens + 1
        inputs = self.tokenizer.pad({"input_ids": encoded}, return_tensors="pt")
        inputs = {k: v.to(self.device) for k, v in inputs.items()}
        recorder = (_SearchScores(self.model, self._torch, self._eos())
                    if scores and not search_score_differs(cfg) else None)
        try:
            with self._torch.inference_mode():
                ids = self.model.generate(
                    **inputs, generation_config=cfg,
                    logits_processor=[recorder] if recorder else None)
        finally:
            if recorder:
                recorder.close()
        eos, forced = self._eos(), cfg.forced_eos_token_id is not None
        out = []
        for row in ids.tolist():
            decoded = row
            row = row[1:]  # after the decoder start
            end = next((k for k, t in enumerate(row) if t in eos), None)
            if end is None:  # no </s>: it ran to the bound
                gen = Generated(row, True)
            else:  # a </s> forced into the last slot is a stop at the bound too
                gen = Generated(row[:end + 1], forced and end + 1 == max_new_tokens)
            if recorder:
                n = self._chosen(gen)
                gen.score = recorder.total(decoded[:1 + n]) / max(1, n)
            out.append(gen)
        return out

    def _score(self, encoded: list[list[int]], generated: list[Generated]) -> list[float]:
        # Rows are scored in chunks so the logits (rows x length x vocabulary) stay under
        # ~256 MB.
        torch = self._torch
        pad = self.model.config.pad_token_id
        width = max(1, max(len(g.ids) for g in generated))
        target = torch.tensor([g.ids + [pad] * (width - len(g.ids)) for g in generated])
        keep = torch.tensor([[k < self._chosen(g) for k in range(width)] for g in generated])
        decoder_in = torch.cat([torch.full((len(generated), 1), self.start), target[:, :-1]], 1)
        inputs = self.tokenizer.pad({"input_ids": encoded}, return_tensors="pt")
        vocab = self.model.config.vocab_size
        chunk = max(1, (1 << 26) // max(1, width * vocab))
        out: list[float] = []
        with torch.inference_mode():
            for start in range(0, len(generated), chunk):
                sl = slice(start, start + chunk)
                logits = self.model(
                    input_ids=inputs["input_ids"][sl].to(self.device),
                    attention_mask=inputs["attention_mask"][sl].to(self.device),
                    decoder_input_ids=decoder_in[sl].to(self.device),
                    decoder_attention_mask=torch.ones_like(decoder_in[sl]).to(self.device),
                ).logits
                logprobs = torch.log_softmax(logits.float(), dim=-1)
                token_lp = logprobs.gather(-1, target[sl].to(self.device).unsqueeze(-1))
                mask = keep[sl].to(self.device)
                means = (token_lp.squeeze(-1) * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
                out.extend(float(m) for m in means.cpu())
        return out


class _SearchScores:
    """The model's log-probability of every prefix the search extends, recorded as it goes,
    so a hypothesis's score costs no second forward pass.

    A forward hook keeps each decoding step's raw logits (before any logits processor: a
    banned <pad> must not renormalise them); a logits processor, called once per step with the
    running sequences in the same row order, adds each row's last token to its parent prefix's
    total and notes what ending there (</s>) would add. Memory: one step's log-probabilities
    and a few floats per prefix seen.
    """

    def __init__(self, model: Any, torch: Any, eos: set[int]) -> None:
        self._torch, self._eos = torch, sorted(eos)
        self._pending: Any = None  # the step being decided: log-softmax, rows x vocabulary
        self._last: Any = None  # the step before, and its prefixes' rows
        self._rows: dict[tuple[int, ...], int] = {}
        self._totals: dict[tuple[int, ...], float] = {}
        self._ends: dict[tuple[int, ...], dict[int, float]] = {}
        self._hook = model.register_forward_hook(self._keep_logits)

    def _keep_logits(self, module: Any, args: Any, output: Any) -> None:
        self._pending = self._torch.log_softmax(output.logits[:, -1, :].float(), dim=-1)

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        keys = [tuple(row) for row in input_ids.tolist()]
        ends = self._pending[:, self._eos].tolist()
        for r, key in enumerate(keys):
            if key not in self._totals:  # the decoder start alone, or a parent's extension
                self._totals[key] = self._extend(key) if len(key) > 1 else 0.0
            self._ends[key] = dict(zip(self._eos, ends[r]))
        self._last, self._rows = self._pending, {key: r for r, key in enumerate(keys)}
        return scores

    def _extend(self, key: tuple[int, ...]) -> float:
        parent = key[:-1]
        return self._totals[parent] + float(self._last[self._rows[parent], key[-1]])

    def total(self, ids: list[int]) -> float:
        """Sum of log-probabilities of `ids` (decoder start first) as the search scored them."""
        key = tuple(ids)
        if key in self._totals:
            return self._totals[key]
        if key[-1] in self._eos and key[:-1] in self._ends:  # ended at an earlier step
            return self._totals[key[:-1]] + self._ends[key[:-1]][key[-1]]
        return self._extend(key)  # its last token was chosen at the final step

    def close(self) -> None:
        self._hook.remove()


class CachedTranslator:
    """Wraps a translator so that identical segments are translated once per run.

    Within a call, duplicates are sent once; across calls, earlier results are reused.
    """

    def __init__(self, inner: Translator, max_entries: int = 200_000) -> None:
        self.inner: Any = inner
        self.name = inner.name
        self.max_entries = max_entries
        self.cache: dict[str, Hypothesis] = {}
        self.hits = 0

    @property
    def on_batch(self) -> Callable[[int], None] | None:
        """Called after each batch the wrapped translator runs (progress, stop requests)."""
        return self.inner.on_batch

    @on_batch.setter
    def on_batch(self, hook: Callable[[int], None] | None) -> None:
        self.inner.on_batch = hook

    @property
    def revision(self) -> str | None:
        return self.inner.revision

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def settings(self) -> dict[str, Any]:
        return {**self.inner.settings(), "dedupe": True}

    def stats(self) -> dict[str, int]:
        return {**self.inner.stats(), "dedupe_hits": self.hits}

    def translate(self, segments: Sequence[str]) -> list[str]:
        return [h.text for h in self.translate_scored(segments)]

    def rescore(self, segments: Sequence[str], hyps: Sequence[Hypothesis]) -> list[Hypothesis]:
        return self.inner.rescore(segments, hyps)

    def translate_scored(self, segments: Sequence[str],
                         overrides: Mapping[str, Any] | None = None) -> list[Hypothesis]:
        if overrides:  # one-off decoding settings (a retry): not cached
            return self.inner.translate_scored(segments, overrides)
        todo = list(dict.fromkeys(s for s in segments if s not in self.cache))
        self.hits += len(segments) - len(todo)
        hyps = self.inner.translate_scored(todo) if todo else []
        if len(hyps) != len(todo):
            raise RuntimeError(f"{self.name}: {len(hyps)} translations for {len(todo)} segments")
        fresh = dict(zip(todo, hyps))
        out = [fresh[s] if s in fresh else self.cache[s] for s in segments]
        if len(self.cache) + len(fresh) > self.max_entries:
            self.cache.clear()  # bounded memory on huge corpora; losing reuse is harmless
        self.cache.update(fresh)
        return out
