"""Loading a model from a local folder or the Hugging Face Hub with torch: the device it loads
on, and the advice when it cannot be found. Shared by the translators and the summarizers
(summarize imports this module, and only this one, from translate)."""

from __future__ import annotations


def resolve_device(device: str, error: type[Exception]) -> str:
    """The torch device for "auto", "cpu" or "cuda"; `error` when CUDA is asked for and absent."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise error("--device cuda was asked for, but torch sees no CUDA device")
    return device


def offline_hint(model: str, summary: bool = False) -> str:
    """Why `model` could not be loaded and how to work offline; `summary`: said of a
    summarization model, which --no-summary also does without."""
    if summary:
        what, flags, it, end = ("summarization model", "--summarization-model", "it",
                                "; or use --no-summary")
    else:
        what, flags, it, end = ("model", "--translation-model/--summarization-model",
                                "the model", " so the cached copy is used")
    return (
        f"could not load {what} {model!r}. To work offline, pass a local folder ({flags} PATH), "
        f"or download {it} once with internet access (`arabic-digest models download {model}`, "
        f"or `hf download {model}`) and run with HF_HUB_OFFLINE=1{end}."
    )
