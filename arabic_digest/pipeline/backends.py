"""Loading a run's models: CTranslate2 where the model converts, transformers otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from arabic_digest.errors import ModelError
from arabic_digest.pipeline import models
from arabic_digest.pipeline.spec import Backend, RunSpec
from arabic_digest.summarize.chunking import ChunkedSummarizer
from arabic_digest.summarize.ct2 import CT2Summarizer
from arabic_digest.summarize.loading import build_summarizer, is_lead
from arabic_digest.summarize.summarizer import Summarizer, SummarizerLoadError
from arabic_digest.translate.ct2 import CT2Translator
from arabic_digest.translate.hub import offline_hint
from arabic_digest.translate.translator import (
    CachedTranslator,
    ModelLoadError,
    TransformersTranslator,
    Translator,
)


@dataclass
class Plan:
    """How one model will run: its converted folder, or why it falls back to transformers."""

    converted: models.Converted | None = None
    device: str = "cpu"
    compute_type: str = "int8"
    fallback: str | None = None  # set when auto mode falls back


def ct2_plan(model: str, backend: Backend, device: str, quiet: bool,
             load_error: type[Exception]) -> Plan:
    """Convert `model` (once; cached) for CTranslate2, or say why it cannot be.

    A model that cannot be found at all raises `load_error` with the offline advice; one that
    is found but cannot be converted raises under --backend ctranslate2 and falls back (saying
    so on stderr) under --backend auto.
    """
    try:
        ct2_device = models.ct2_device(device)
    except models.ConversionError as exc:
        raise load_error(str(exc)) from exc
    compute_type = models.default_compute_type(ct2_device)
    try:
        from transformers import AutoConfig

        AutoConfig.from_pretrained(model)  # a folder or id that is not a model fails here
        models.model_revision(model)
    except Exception as exc:  # noqa: BLE001 - missing / offline / not a model: same advice
        raise load_error(f"{offline_hint(model)} ({type(exc).__name__}: {exc})") from exc
    try:
        converted = models.convert(model, compute_type, log=None if quiet else models.note)
    except models.ConversionError as exc:
        if backend == Backend.ctranslate2:
            raise load_error(str(exc)) from exc
        reason = f"{exc}; using the transformers backend for this model"
        if not exc.remembered:  # said once, when found; the manifest keeps the reason
            models.note(reason + " (remembered in the CTranslate2 cache; --force with "
                        "`models convert` tries again)")
        return Plan(device=ct2_device, compute_type=compute_type, fallback=reason)
    return Plan(converted, ct2_device, compute_type)


class TranslationModelError(ModelError, ModelLoadError):
    """The translation model cannot be loaded (an ArabicDigestError, and the translate
    stage's own ModelLoadError for callers that catch that)."""


class SummarizationModelError(ModelError, SummarizerLoadError):
    """The summarization model cannot be loaded."""


def load_translator(spec: RunSpec) -> Translator:
    """The run's translator (cached unless --no-dedupe); TranslationModelError when it cannot
    be loaded."""
    try:
        return _load_translator(spec)
    except ModelLoadError as exc:
        raise TranslationModelError(str(exc)) from exc


def load_summarizer(spec: RunSpec) -> Summarizer | None:
    """The run's summarizer (None without one); SummarizationModelError when it cannot be
    loaded."""
    try:
        return _load_summarizer(spec)
    except SummarizerLoadError as exc:
        raise SummarizationModelError(str(exc)) from exc


def _load_translator(spec: RunSpec) -> Translator:
    plan = None
    if spec.backend != Backend.transformers:
        plan = ct2_plan(spec.translation_model, spec.backend, spec.device.value, spec.quiet,
                        ModelLoadError)
    translator: Translator
    if plan is not None and plan.converted:
        translator = CT2Translator(spec.translation_model, plan.converted.path,
                                   device=plan.device, compute_type=plan.compute_type,
                                   threads=models.cpu_threads(), beams=spec.beams,
                                   batch_tokens=spec.batch_tokens,
                                   revision=plan.converted.revision)
    else:
        translator = TransformersTranslator(spec.translation_model, device=spec.device.value,
                                            beams=spec.beams, batch_tokens=spec.batch_tokens,
                                            fallback=plan.fallback if plan else None)
    return CachedTranslator(translator) if spec.dedupe else translator


def _load_summarizer(spec: RunSpec) -> Summarizer | None:
    if spec.summarization_model is None:
        return None
    plan = None
    if spec.backend != Backend.transformers and ct2_summarizes(spec):
        plan = ct2_plan(spec.summarization_model, spec.backend, spec.device.value, spec.quiet,
                        SummarizerLoadError)
        if plan.converted:
            length = spec.summary_length
            return ChunkedSummarizer(CT2Summarizer(
                spec.summarization_model, plan.converted.path, device=plan.device,
                compute_type=plan.compute_type, threads=models.cpu_threads(),
                min_length=length.min_tokens, max_length=length.max_tokens,
                revision=plan.converted.revision))
    return build_summarizer(spec.summarization_model, device=spec.device.value,
                            length=spec.summary_length, prompt=spec.prompt,
                            fallback=plan.fallback if plan else None)


def ct2_summarizes(spec: RunSpec) -> bool:
    """CTranslate2 runs encoder-decoder summarizers (BART/PEGASUS) without a prompt; lead-N,
    T5 and chat models (prompts, chat templates) stay on transformers."""
    model = spec.summarization_model
    if model is None or is_lead(model) or spec.prompt is not None:
        return False
    from transformers import AutoConfig

    from arabic_digest.summarize.families import ENCODER_DECODER, detect_family

    try:
        return detect_family(AutoConfig.from_pretrained(model)) == ENCODER_DECODER
    except Exception:  # noqa: BLE001 - let the transformers loader report a missing model
        return False
