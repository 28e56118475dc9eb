"""Model presets: one speed/quality dial (`--preset fast|default|best`) over the model options.

A preset names a translation model, its beam size and a summarization model; an explicit
`--translation-model`, `--summarization-model` or `--beams` replaces that one value. A preset
is a shortcut, not a setting of its own: the resume identity compares what it resolves to (the
models and beams), never its name, so resuming with `--preset fast` an output made with the same
settings spelled out is allowed, and a preset whose models differ is refused by that same check.

The published quality figures of the models the presets choose between sit here too, as data,
so the docs (docs/performance.md) and any table made from them cite one source. They are the
model publishers' figures on their own test sets, not measurements of this pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from arabic_digest.errors import ArabicDigestError
from arabic_digest.summarize.summarizer import DEFAULT_SUMMARIZATION_MODEL
from arabic_digest.translate.translator import DEFAULT_TRANSLATION_MODEL

FAST_SUMMARIZATION_MODEL = "sshleifer/distilbart-cnn-6-6"
BEST_TRANSLATION_MODEL = "Helsinki-NLP/opus-mt-tc-big-ar-en"


@dataclass(frozen=True)
class Preset:
    translation_model: str
    beams: int | None  # None: the translation model's own generation config (4 for Opus-MT)
    summarization_model: str


# Insertion order is the order --help lists them in: fastest first.
PRESETS: dict[str, Preset] = {
    "fast": Preset(DEFAULT_TRANSLATION_MODEL, 1, FAST_SUMMARIZATION_MODEL),
    "default": Preset(DEFAULT_TRANSLATION_MODEL, None, DEFAULT_SUMMARIZATION_MODEL),
    "best": Preset(BEST_TRANSLATION_MODEL, 4, DEFAULT_SUMMARIZATION_MODEL),
}
DEFAULT_PRESET = "default"


class PresetError(ArabicDigestError, ValueError):
    """A preset name the table does not have."""


@dataclass(frozen=True)
class ModelChoice:
    """What a preset and the explicit model options resolve to."""

    preset: str
    translation_model: str
    summarization_model: str
    beams: int | None


def get_preset(name: str | None) -> Preset:
    """The preset called `name` (None: the default one)."""
    key = name or DEFAULT_PRESET
    if key not in PRESETS:
        raise PresetError(f"unknown preset {key!r} (presets: {', '.join(PRESETS)})")
    return PRESETS[key]


def resolve_preset(name: str | None = None, *, translation_model: str | None = None,
                   summarization_model: str | None = None,
                   beams: int | None = None) -> ModelChoice:
    """The preset's models and beams, each replaced by its option where that was given
    (None: not given)."""
    preset = get_preset(name)
    return ModelChoice(
        preset=name or DEFAULT_PRESET,
        translation_model=translation_model or preset.translation_model,
        summarization_model=summarization_model or preset.summarization_model,
        beams=beams if beams is not None else preset.beams)


def overridden(name: str, translation_model: str, summarization_model: str | None,
               beams: int | None) -> list[str]:
    """The options whose value differs from the preset's: a manifest that says `fast` next to
    another translator says why. A missing summarizer is --no-summary, not an override."""
    preset = get_preset(name)
    out = []
    if translation_model != preset.translation_model:
        out.append("--translation-model")
    if summarization_model is not None and summarization_model != preset.summarization_model:
        out.append("--summarization-model")
    if beams != preset.beams:
        out.append("--beams")
    return out


def short_name(model: str) -> str:
    """`Helsinki-NLP/opus-mt-ar-en` -> `opus-mt-ar-en`, for help text that fits 80 columns."""
    return model.rsplit("/", 1)[-1]


def describe(name: str) -> str:
    """One preset in a few words, made from the table (help text cannot drift from it)."""
    p = PRESETS[name]
    beams = ("greedy" if p.beams == 1 else f"beam {p.beams}" if p.beams
             else "the model's beams")
    return (f"{name} ({short_name(p.translation_model)}, {beams}; "
            f"{short_name(p.summarization_model)})")


# --- published quality, for the docs --------------------------------------------------------

# How each figure is written (as its source writes it: chrF to 3 places, ROUGE to 2...).
_FORMATS = {"BLEU": "{:.1f}", "chrF": "{:.3f}", "speedup vs bart-large-cnn": "{:.2f}x",
            "ROUGE-2": "{:.2f}", "ROUGE-L": "{:.2f}"}


@dataclass(frozen=True)
class Published:
    """Figures a model's publisher reports: on which test set, and where they are written."""

    model: str
    test_set: str
    figures: dict[str, float]
    source: str

    def summary(self) -> str:
        """`BLEU 33.9, chrF 0.610`: the figures as the docs table writes them."""
        return ", ".join(f"{k} {_FORMATS[k].format(v)}" for k, v in self.figures.items())


LEADERBOARD = "https://github.com/Helsinki-NLP/OPUS-MT-leaderboard/blob/master/scores/ara-eng"
DISTILBART_CARD = "https://huggingface.co/sshleifer/distilbart-cnn-12-6"  # the shared table

PUBLISHED: tuple[Published, ...] = (
    # Translation: OPUS-MT leaderboard score files (BLEU and chrF, sacreBLEU). opus-mt-ar-en is
    # the opus-2019-12-18 release; opus-mt-tc-big-ar-en is opusTCv20210807+bt_transformer-big
    # 2022-03-09. Only FLORES-101 devtest scores both; FLORES-200 devtest has no opus-mt-ar-en.
    Published(DEFAULT_TRANSLATION_MODEL, "FLORES-101 devtest", {"BLEU": 33.9, "chrF": 0.610},
              f"{LEADERBOARD}/flores101-devtest (bleu-scores.txt, chrf-scores.txt)"),
    Published(BEST_TRANSLATION_MODEL, "FLORES-101 devtest", {"BLEU": 42.6, "chrF": 0.670},
              f"{LEADERBOARD}/flores101-devtest (bleu-scores.txt, chrf-scores.txt)"),
    Published(BEST_TRANSLATION_MODEL, "FLORES-200 devtest", {"BLEU": 42.8, "chrF": 0.672},
              f"{LEADERBOARD}/flores200-devtest (bleu-scores.txt, chrf-scores.txt)"),
    # Summarization: the DistilBART metrics table of the model cards (CNN/DailyMail test set;
    # speedup is inference time relative to bart-large-cnn on the authors' hardware).
    Published(DEFAULT_SUMMARIZATION_MODEL, "CNN/DailyMail test",
              {"speedup vs bart-large-cnn": 1.24, "ROUGE-2": 21.26, "ROUGE-L": 30.59},
              f"{DISTILBART_CARD} (Metrics for DistilBART models)"),
    Published(FAST_SUMMARIZATION_MODEL, "CNN/DailyMail test",
              {"speedup vs bart-large-cnn": 2.09, "ROUGE-2": 20.17, "ROUGE-L": 29.70},
              f"{DISTILBART_CARD} (Metrics for DistilBART models)"),
)
