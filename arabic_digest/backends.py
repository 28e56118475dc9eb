"""Backend choice for a run: CTranslate2 where the model converts, transformers otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from translate.translator import offline_hint

from . import models


@dataclass
class Plan:
    """How one model will run: its converted folder, or why it falls back to transformers."""

    converted: models.Converted | None = None
    device: str = "cpu"
    compute_type: str = "int8"
    fallback: str | None = None  # set when auto mode falls back


def ct2_plan(model: str, backend: str, device: str, quiet: bool,
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
        if backend == "ctranslate2":
            raise load_error(str(exc)) from exc
        reason = f"{exc}; using the transformers backend for this model"
        models.note(reason)
        return Plan(device=ct2_device, compute_type=compute_type, fallback=reason)
    return Plan(converted, ct2_device, compute_type)
