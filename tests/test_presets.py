"""`--preset fast|default|best`: how a preset and the model options resolve, what the manifest
and the resume identity make of it, and one run through the CLI on tiny models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from arabic_digest.summarize.summarizer import DEFAULT_SUMMARIZATION_MODEL
from arabic_digest.translate.cleaning.options import CleanOptions
from arabic_digest.translate.translator import DEFAULT_TRANSLATION_MODEL

from arabic_digest.cli import common
from arabic_digest.cli import options as opt
from arabic_digest.cli.outputs import eval_spec, evaluate, preset_summarizer
from arabic_digest.cli.run import build_spec
from arabic_digest.errors import ArabicDigestError, UsageProblem
from arabic_digest.identity import differences
from arabic_digest.inputs.readers import DEFAULT_MAX_ARTICLE_CHARS, Fields
from arabic_digest.pipeline.options import IDENTITY_NAMES
from arabic_digest.pipeline.presets import (
    BEST_TRANSLATION_MODEL,
    DEFAULT_PRESET,
    FAST_SUMMARIZATION_MODEL,
    PRESETS,
    PUBLISHED,
    Preset,
    describe,
    resolve_preset,
)
from arabic_digest.pipeline.spec import Backend, Device, Engine, RunSpec
from tests.test_run import ROOT
from tests.test_run import cli as run_cli


def _spec(**given: Any) -> RunSpec:
    """build_spec as `run` calls it, with every option at its CLI default unless given."""
    options: dict[str, Any] = dict(
        output=None, translation_model=None, summarization_model=None, summary_length=None,
        summary_min_tokens=None, summary_max_tokens=None, prompt=None, fields=Fields(),
        device=Device.auto, backend=Backend.auto, dedupe=True, beams=None, batch_tokens=4096,
        segment_tokens=200, limit=None, overwrite=False, retry_errors=False,
        retry_doubtful=True, quiet=False, clean=CleanOptions(), encoding=None,
        max_article_chars=DEFAULT_MAX_ARTICLE_CHARS, language_check=True, dedupe_ids=False,
        shard=None, glossary=None, engine=Engine.local)
    return build_spec(["news.jsonl"], **{**options, **given})


def _models(spec: RunSpec) -> tuple[str, str | None, int | None]:
    return spec.translation_model, spec.summarization_model, spec.beams


# --- resolution ------------------------------------------------------------------------------

def test_default_preset_is_todays_settings() -> None:
    assert DEFAULT_PRESET == "default"
    assert PRESETS["default"] == Preset(DEFAULT_TRANSLATION_MODEL, None,
                                        DEFAULT_SUMMARIZATION_MODEL)
    before = RunSpec(inputs=("news.jsonl",))  # the defaults every run had before presets
    for spec in (_spec(), _spec(preset="default")):
        assert _models(spec) == _models(before) == (DEFAULT_TRANSLATION_MODEL,
                                                    DEFAULT_SUMMARIZATION_MODEL, None)
        assert spec.requested_identity() == before.requested_identity()
        assert spec.preset_record() == {"name": "default", "overridden": []}


def test_fast_and_best_choose_their_models_and_beams() -> None:
    assert _models(_spec(preset="fast")) == (DEFAULT_TRANSLATION_MODEL,
                                             FAST_SUMMARIZATION_MODEL, 1)
    assert _models(_spec(preset="best")) == (BEST_TRANSLATION_MODEL,
                                             DEFAULT_SUMMARIZATION_MODEL, 4)


def test_each_explicit_option_replaces_only_its_own_value() -> None:
    fast = resolve_preset("fast", translation_model="./mine")
    assert (fast.translation_model, fast.summarization_model, fast.beams) == (
        "./mine", FAST_SUMMARIZATION_MODEL, 1)
    best = resolve_preset("best", summarization_model="lead-3")
    assert (best.translation_model, best.summarization_model, best.beams) == (
        BEST_TRANSLATION_MODEL, "lead-3", 4)
    assert resolve_preset("fast", beams=3).beams == 3
    assert resolve_preset("default", beams=2).beams == 2
    assert resolve_preset(None) == resolve_preset("default")

    spec = _spec(preset="best", beams=2, summarization_model="lead-3")
    assert _models(spec) == (BEST_TRANSLATION_MODEL, "lead-3", 2)
    assert spec.preset_record() == {"name": "best",
                                    "overridden": ["--summarization-model", "--beams"]}
    # Giving the preset's own value is not an override.
    assert _spec(preset="fast", beams=1).preset_record()["overridden"] == []


def test_no_summary_drops_the_presets_summarizer_without_calling_it_an_override() -> None:
    spec = _spec(preset="fast", summary=False)
    assert _models(spec) == (DEFAULT_TRANSLATION_MODEL, None, 1)
    assert spec.preset_record() == {"name": "fast", "overridden": []}


def test_unknown_preset_is_a_usage_problem() -> None:
    with pytest.raises(UsageProblem, match="presets: fast, default, best"):
        _spec(preset="turbo")


def test_summarize_and_eval_take_the_presets_models(tmp_path: Path, monkeypatch) -> None:
    assert preset_summarizer(None, None) == DEFAULT_SUMMARIZATION_MODEL
    assert preset_summarizer("fast", None) == FAST_SUMMARIZATION_MODEL
    assert preset_summarizer("fast", "lead-3") == "lead-3"

    from arabic_digest.pipeline import evaluate as ev

    seen: list[RunSpec] = []

    def stop(source: Path, reference: Path, spec: RunSpec, path: Path) -> None:
        seen.append(spec)
        raise ev.EvalError("stop here: no model loads in this test")

    monkeypatch.setattr(ev, "evaluate_files", stop)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    src, ref = tmp_path / "ar.txt", tmp_path / "en.txt"
    for translation_model, beams, preset in [(None, None, "best"), ("./mine", 2, "best"),
                                             (None, None, None)]:
        spec, named = eval_spec(translation_model, preset, Device.auto, Backend.auto, beams,
                                4096, 200, True, False)
        with pytest.raises(ArabicDigestError, match="stop here"):
            evaluate(None, None, None, src, ref, tmp_path / "r.json", None, spec, named)
    assert [_models(s)[::2] for s in seen] == [(BEST_TRANSLATION_MODEL, 4), ("./mine", 2),
                                               (DEFAULT_TRANSLATION_MODEL, None)]
    # eval's spec is run's (build_spec): the same checks, e.g. a model folder that is not there
    with pytest.raises(UsageProblem, match="no such folder: ./nope"):
        eval_spec("./nope", None, Device.auto, Backend.auto, None, 4096, 200, True, False)


# --- identity and resume ---------------------------------------------------------------------

def test_the_identity_holds_what_a_preset_resolves_to_never_its_name() -> None:
    fast = _spec(preset="fast")
    spelled_out = _spec(summarization_model=FAST_SUMMARIZATION_MODEL, beams=1)
    # Resuming a `--preset fast` output with the same settings spelled out (or the other way
    # round) is allowed: the identities are equal, only the manifest's preset entry differs.
    assert fast.requested_identity() == spelled_out.requested_identity()
    assert fast.signature() == spelled_out.signature()
    assert fast.preset_record()["name"] != spelled_out.preset_record()["name"]
    # Another preset's models are refused by the existing check, named by their options.
    lines = differences(_spec().requested_identity(), _spec(preset="best").requested_identity(),
                        names=IDENTITY_NAMES)
    assert len(lines) == 1 and lines[0].startswith("--translation-model (translation.id)")


# --- one table for code, help and docs -------------------------------------------------------

def test_cli_choices_and_help_are_made_from_the_table() -> None:
    assert [m.value for m in common.ModelPreset] == list(PRESETS)
    help_text = opt.PresetOpt.__metadata__[0].help
    for name in PRESETS:
        assert describe(name) in help_text
    assert describe("best") == "best (opus-mt-tc-big-ar-en, beam 4; distilbart-cnn-12-6)"


def test_published_figures_cover_every_preset_model_and_are_in_the_docs() -> None:
    models = {m for p in PRESETS.values() for m in (p.translation_model, p.summarization_model)}
    assert models <= {p.model for p in PUBLISHED}
    assert all(p.source.startswith("https://") and p.figures for p in PUBLISHED)
    assert PUBLISHED[0].summary() == "BLEU 33.9, chrF 0.610"
    docs = (ROOT / "docs" / "performance.md").read_text("utf-8")
    for p in PUBLISHED:  # the docs table cannot drift from the data
        assert f"| {p.test_set} | {p.summary()} |" in docs, p
    assert "Measured here" in docs and "benchmarks/RESULTS.md" in docs


# --- through the CLI -------------------------------------------------------------------------

@pytest.mark.slow
def test_run_with_a_preset_records_it_and_explicit_models_override_it(
        tmp_path: Path, shared_data: Path, fast_marian: Path, bart_dir: Path) -> None:
    source = tmp_path / "two.jsonl"
    lines = (shared_data / "news-articles.jsonl").read_text("utf-8").splitlines()[:2]
    source.write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    models = ["--translation-model", str(fast_marian), "--summarization-model", str(bart_dir),
              "--summary-max-tokens", "12", "--quiet", "--no-stories"]
    proc = run_cli("run", str(source), "-o", str(out), "--preset", "fast", *models)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads(out.with_name("out.run.json").read_text("utf-8"))
    assert manifest["preset"] == {"name": "fast",
                                  "overridden": ["--translation-model", "--summarization-model"]}
    translator, summarizer = manifest["models"]["translation"], manifest["models"]["summarization"]
    assert (translator["id"], summarizer["id"]) == (str(fast_marian), str(bart_dir))
    assert translator["num_beams"] == 1  # the preset's greedy search reached the translator
    assert manifest["identity"]["translation"]["num_beams"] == 1

    # The same settings spelled out, without --preset: the output resumes.
    again = run_cli("run", str(source), "-o", str(out), "--beams", "1", *models)
    assert again.returncode == 0, again.stderr
    assert "2 already done" in again.stderr.strip().splitlines()[-1]
    resumed = json.loads(out.with_name("out.run.json").read_text("utf-8"))
    assert resumed["preset"] == {"name": "default", "overridden": [
        "--translation-model", "--summarization-model", "--beams"]}
    assert resumed["identity"] == manifest["identity"]
