"""The commands over a run's output: `report`, `digest`, `merge`, `summarize` and `eval`."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from arabic_digest.cli import options as opt
from arabic_digest.cli.common import (
    EXIT_OK,
    EXIT_SOME_ERRORS,
    ModelPreset,
    choices,
    failures,
    fields,
    need_file,
    say,
)
from arabic_digest.errors import UsageProblem
from arabic_digest.inputs.readers import DEFAULT_MAX_ARTICLE_CHARS, Fields, InputError
from arabic_digest.pipeline.options import (
    build_spec,
    check_model_path,
    offline_for_local_models,
    refuse_folder_output,
    summary_options,
)
from arabic_digest.pipeline.presets import PresetError, resolve_preset
from arabic_digest.pipeline.spec import Backend, Device, Engine, RunSpec
from arabic_digest.summarize.length import SummaryLength
from arabic_digest.summarize.prompts import PromptError
from arabic_digest.summarize.summarizer import SummarizerLoadError
from arabic_digest.text import plural
from arabic_digest.translate.cleaning.options import CleanOptions
from arabic_digest.translate.translator import ModelLoadError
from arabic_digest.views.digest import FORMATS, GROUPINGS, ORDERS

# one page holds every article: past a few tens of MB a browser opens it slowly (120 MB took
# 24 s in Chromium, docs/stories.md), and the archive reads any number of runs
LARGE_REPORT_MB = 20

DigestOrder = choices("DigestOrder", ORDERS)
DigestFormat = choices("DigestFormat", FORMATS)
DigestBy = choices("DigestBy", GROUPINGS)


# --- the plain commands ----------------------------------------------------------------------

def report(output_jsonl: Path, output: Path | None) -> int:
    """One self-contained HTML page of a run."""
    from arabic_digest.views.report import write_report

    need_file(output_jsonl)
    refuse_folder_output(output)
    with failures(OSError, output=output):
        path, view = write_report(output_jsonl, output)
    counts = ", ".join(f"{n} {k}" for k, n in view.counts.items())
    bad = f"; {plural(view.unreadable, 'unreadable line')} skipped" if view.unreadable else ""
    size = path.stat().st_size / 1e6
    say(f"report of {plural(len(view.articles), 'article')} ({counts}){bad} -> {path} "
        f"({size:.1f} MB)")
    if size > LARGE_REPORT_MB:
        say(f"a {size:.0f} MB page is slow to open; to read runs this size, index them and "
            f"serve the archive: arabic-digest index {shlex.quote(str(output_jsonl))} --db "
            "archive.sqlite && arabic-digest serve archive.sqlite")
    return EXIT_OK


def digest(output_jsonl: Path, output: Path | None, fmt: str | None, order: str,
           report_path: Path | None, by: str = "story") -> int:
    """The English digest of a run."""
    from arabic_digest.views.digest import write_digest

    need_file(output_jsonl)
    refuse_folder_output(output)
    with failures(OSError, ValueError, output=output):
        path, result = write_digest(output_jsonl, output, fmt, order, report_path, by)
    left = f"; {len(result.omitted)} not ok, left out" if result.omitted else ""
    stories = f" in {plural(len(result.stories), 'story', 'stories')}" if by == "story" else ""
    say(f"digest of {plural(len(result.items), 'article')}{stories}{left} -> {path}")
    return EXIT_OK


def merge(shard_outputs: Sequence[Path], output: Path | None, inputs: Sequence[str] | None,
          fields: Fields | None, limit: int | None) -> int:
    """Join shard outputs into one, in input order: 0, or 1 when it holds error records."""
    from arabic_digest.pipeline.shards import MergeError, merge_shards

    refuse_folder_output(output)
    with failures(OSError, MergeError, InputError, output=output):
        result = merge_shards(shard_outputs, output, inputs, fields, limit)
    say(result.closing_line())
    return EXIT_SOME_ERRORS if result.has_errors else EXIT_OK


def preset_summarizer(preset: str | None, model: str | None) -> str:
    """`summarize`'s model: --summarization-model, else the preset's (UsageProblem)."""
    try:
        return resolve_preset(preset, summarization_model=model).summarization_model
    except PresetError as exc:
        raise UsageProblem(str(exc)) from None


def summarize(input: Path, output: Path | None, model: str, length: SummaryLength,
              prompt: str | None, device: Device, overwrite: bool, quiet: bool) -> int:
    """Summarize a finished run's translations again: 0, or 1 with error records."""
    from arabic_digest.pipeline.resummarize import ResummarizeConfig, resummarize

    cfg = ResummarizeConfig(input, output, model, length, prompt, device.value,
                            overwrite=overwrite, quiet=quiet)
    refuse_folder_output(output)
    check_model_path(model)
    offline_for_local_models([model])
    with failures(OSError, InputError, SummarizerLoadError, PromptError, ValueError,
                  output=output):
        stats = resummarize(cfg)
    say(stats.closing_line())
    return EXIT_SOME_ERRORS if stats.error else EXIT_OK


def eval_spec(translation_model: str | None, preset: str | None, device: Device,
              backend: Backend, beams: int | None, batch_tokens: int, segment_tokens: int,
              retry_doubtful: bool, quiet: bool) -> tuple[RunSpec, str | None]:
    """The RunSpec `eval` translates with, through `run`'s build_spec (same checks, same
    messages), and the translator it names: --translation-model, else the preset's when one is
    given, else None (the output's own; for --source the spec's, `run`'s default)."""
    spec = build_spec(
        (), output=None, translation_model=translation_model, summarization_model=None,
        summary=False, preset=preset, summary_length=None, summary_min_tokens=None,
        summary_max_tokens=None, prompt=None, fields=Fields(), device=device,
        backend=backend, dedupe=True, beams=beams, batch_tokens=batch_tokens,
        segment_tokens=segment_tokens, limit=None, overwrite=False, retry_errors=False,
        retry_doubtful=retry_doubtful, quiet=quiet, clean=CleanOptions(), encoding=None,
        max_article_chars=DEFAULT_MAX_ARTICLE_CHARS, language_check=True, dedupe_ids=False,
        shard=None, glossary=None, engine=Engine.local)
    named = spec.translation_model if (translation_model or preset) else None
    return spec, named


def evaluate(output_file: Path | None, reference_field: str | None,
             summary_reference_field: str | None, source: Path | None,
             reference: Path | None, output: Path | None,
             compare: tuple[Path, Path] | None, spec: RunSpec,
             translation_model: str | None = None) -> int:
    """Score translations and summaries against references (eval_spec makes `spec` and
    `translation_model`: the translator for Arabic summary references, None for the output's)."""
    from arabic_digest.pipeline import evaluate as ev

    if compare:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in compare)
        print(ev.render_compare(a, b, (str(compare[0]), str(compare[1]))))
        return EXIT_OK
    with failures(OSError, ev.EvalError, InputError, ModelLoadError, output=output):
        if source or reference:
            if not (source and reference) or output_file:
                raise UsageProblem("give --source and --reference together, without an "
                                   "output file")
            path = output or Path("outputs") / f"{reference.stem}.eval.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            result = ev.evaluate_files(source, reference, spec, path)
        elif output_file:
            path = output or output_file.with_name(
                output_file.name.removesuffix(".jsonl") + ".eval.json")
            result = ev.evaluate_output(
                output_file, reference_field, summary_reference_field, spec,
                path.with_name(path.name.removesuffix(".json") + ".hyp.txt"),
                translation_model)
        else:
            raise UsageProblem("give an output file of `run`, or --source and --reference")
    ev.write_result(result, path)
    print(ev.render_table(result))
    say(f"eval -> {path}")
    return EXIT_OK


# --- the commands' options -------------------------------------------------------------------

def report_cli(
    output_jsonl: opt.RunOutput,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="HTML file (default: <stem>.report.html beside the input).")] = None,
) -> None:
    """One self-contained HTML page: index, summaries, source and translation side by side."""
    raise typer.Exit(report(output_jsonl, output))


def digest_cli(
    output_jsonl: opt.RunOutput,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output",
        help="digest.md or digest.html (default: <stem>.digest.md beside the input).")] = None,
    fmt: Annotated[DigestFormat | None, typer.Option(
        "--format", help="Markdown or HTML (default: from the output's suffix, else md)."
    )] = None,
    order: Annotated[DigestOrder, typer.Option(
        help="input order, or date (oldest first, from source.meta.date; undated last)."
    )] = DigestOrder.input,
    report_path: Annotated[Path | None, typer.Option(
        "--report", help="The report to link to (default: <stem>.report.html beside the input).",
    )] = None,
    by: Annotated[DigestBy, typer.Option(
        help="story: a briefing, one entry per story (its lead's summary and the other outlets "
        "that reported it), most outlets first; article: every article in --order."
    )] = DigestBy.story,
) -> None:
    """The English digest: per story (or article) its title, dateline, summary and a link to
    the report."""
    raise typer.Exit(digest(output_jsonl, output, fmt.value if fmt else None, order.value,
                            report_path, by.value))


@opt.shared(*opt.FIELDS, after="inputs")
def merge_cli(
    shard_outputs: Annotated[list[Path], typer.Argument(
        help="The shard outputs (.jsonl) of one run, each with its .run.json beside it.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output",
        help="Merged JSONL (default: the shard name without .shard-K-of-N).")] = None,
    inputs: Annotated[list[str] | None, typer.Option(
        "--inputs", help="The run's inputs, in order (repeatable; default: from the shard "
        "manifests).")] = None,
    limit: Annotated[int | None, typer.Option(
        min=0, help="The run's --limit (default: from the shard manifests).")] = None,
    **shared: Any,
) -> None:
    """Join the outputs of `run --shard K/N` into one output in input order, with a manifest.

    Fails (exit 2, nothing written) unless every input id has exactly one record, every shard
    run finished with the same settings, and no run still writes a shard.
    """
    given = fields(*(shared[k] for k in opt.FIELDS)) if any(
        shared[k] for k in opt.FIELDS) else None
    raise typer.Exit(merge(shard_outputs, output, inputs, given, limit))


@opt.shared(*opt.LENGTH, after="summarization_model")
def summarize_cli(
    input: Annotated[Path, typer.Argument(help="A finished run's output JSONL.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="New JSONL (default: beside the input, named <stem>.summary-"
        "<model> plus -<length> and -<prompt> when given, .jsonl).")] = None,
    preset: opt.PresetOpt = None,
    summarization_model: opt.SummarizationModel = None,
    device: opt.DeviceOpt = Device.auto,
    overwrite: opt.Replace = False,
    quiet: opt.Quiet = False,
    **shared: Any,
) -> None:
    """Summarize a finished run's translations again, without translating again.

    Writes a new JSONL (and its .run.json manifest); the input file is left as it is.
    """
    model = preset_summarizer(preset.value if preset else None, summarization_model)
    lengths = opt.length_options(shared)
    length = summary_options(model, *lengths.values())
    raise typer.Exit(summarize(input, output, model, length, lengths["prompt"], device,
                               overwrite, quiet))


def eval_cli(
    output_file: Annotated[Path | None, typer.Argument(
        help="An output JSONL of `run` with references in source.meta.")] = None,
    reference_field: Annotated[str | None, typer.Option(
        help="source.meta field holding a reference translation of the article text.")] = None,
    summary_reference_field: Annotated[str | None, typer.Option(
        help="source.meta field holding a reference summary (e.g. reference_summary).")] = None,
    source: Annotated[Path | None, typer.Option(
        help="Arabic source, one segment per line (with --reference).")] = None,
    reference: Annotated[Path | None, typer.Option(
        help="English reference, line-aligned with --source.")] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Result JSON (default: <output or reference stem>.eval.json; "
        "hypotheses go beside it).")] = None,
    compare: Annotated[tuple[Path, Path] | None, typer.Option(
        help="Print two result JSONs side by side (A B) and exit.")] = None,
    translation_model: Annotated[str | None, typer.Option(
        help="Translation model for --source and for Arabic summary references. Default: the "
        "--preset's when one is given; else for summary references the output's, for --source "
        "the one `run` uses (run -h).",
    )] = None,
    preset: Annotated[ModelPreset | None, typer.Option(
        "--preset", show_default=False, metavar="<preset>",
        help="Translator and beams of a `run` preset (run -h), where --translation-model and "
        "--beams do not say.")] = None,
    device: opt.DeviceOpt = Device.auto,
    backend: opt.BackendOpt = Backend.auto,
    beams: opt.Beams = None,
    batch_tokens: opt.BatchTokens = 4096,
    segment_tokens: opt.SegmentTokens = 200,
    no_retry: opt.NoRetry = False,
    quiet: opt.Quiet = False,
) -> None:
    """Score translations (sacreBLEU BLEU, chrF, TER) and summaries (ROUGE) against references.

    Three ways: `eval OUTPUT.jsonl --reference-field F` scores a run's translations against a
    reference in each record's source.meta (`--summary-reference-field` its summaries);
    `eval --source AR.txt --reference EN.txt` translates a line-aligned test set and scores
    it; `eval --compare A.json B.json` prints two results side by side.
    """
    spec, named = eval_spec(translation_model, preset.value if preset else None, device,
                            backend, beams, batch_tokens, segment_tokens, not no_retry, quiet)
    raise typer.Exit(evaluate(output_file, reference_field, summary_reference_field, source,
                              reference, output, compare, spec, named))
