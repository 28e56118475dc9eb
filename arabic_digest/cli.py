"""The command line: thin Typer commands over the importable functions of this package."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from summarize.length import LENGTH_PRESETS, LengthError, SummaryLength, resolve_length
from summarize.loading import is_lead
from summarize.prompts import PromptError, load_prompt
from summarize.summarizer import DEFAULT_SUMMARIZATION_MODEL, SummarizerLoadError
from translate.clean import RULES, CleanOptions
from translate.translator import DEFAULT_TRANSLATION_MODEL, ModelLoadError

from .encodings import UnknownEncoding
from .guard import LockedError, OutputNotWritable
from .readers import DEFAULT_MAX_ARTICLE_CHARS, Fields, InputError, ReadOptions

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Batch-translate Arabic news to English with Opus-MT and condense it into digests.",
)



def _flag(name: str, help_text: str) -> Any:
    """A plain on/off flag, without typer's --no-x twin."""
    return typer.Option(name, help=help_text)


# Exit codes (other tools rely on them).
EXIT_OK, EXIT_SOME_ERRORS, EXIT_NOTHING_DONE = 0, 1, 2

Inputs = Annotated[list[str], typer.Argument(
    help="JSONL, JSON, CSV/TSV or .txt files, folders of them, or - for JSONL on stdin.")]
Output = Annotated[Path | None, typer.Option(
    "-o", "--output", help="Output JSONL (default: outputs/<stem of first input>.jsonl).")]
TextField = Annotated[str | None, typer.Option(
    help="Field holding the article text (default: text|body|content|article).")]
TitleField = Annotated[str | None, typer.Option(help="Title field (default: title|headline).")]
IdField = Annotated[str | None, typer.Option(help="Id field (default: id; else <file>:<line>).")]
KeepDiacritics = Annotated[bool, _flag(
    "--keep-diacritics", "Do not strip Arabic diacritics and tatweel.")]
KeepDigits = Annotated[bool, _flag("--keep-digits", "Keep Arabic-Indic digits as they are.")]
KeepPunctuation = Annotated[bool, _flag(
    "--keep-punctuation", "Skip the Moses-style quote, dash and ellipsis mapping.")]
KeepBoilerplate = Annotated[bool, _flag(
    "--keep-boilerplate", "Keep boilerplate lines (share prompts, 'read also', markers...).")]
KeepLetters = Annotated[bool, _flag(
    "--keep-letters", "Keep Persian/Urdu letter forms (ک ی ۔) instead of mapping them to Arabic.")]
KeepKind = Annotated[list[str] | None, typer.Option(
    "--keep-kind", help="Keep one kind of boilerplate (repeatable): title, dateline, marker, "
    "prompt, read_also, image_credit, embed, links, markup, ...")]


def clean_options(keep_diacritics: bool, keep_digits: bool, keep_punctuation: bool,
                  keep_boilerplate: bool, keep_letters: bool,
                  keep_kind: list[str] | None) -> CleanOptions:
    unknown = set(keep_kind or ()) - {rule.kind for rule in RULES}
    if unknown:
        kinds = ", ".join(sorted({rule.kind for rule in RULES}))
        raise _fail(f"unknown --keep-kind {', '.join(sorted(unknown))} (kinds: {kinds})")
    return CleanOptions(keep_diacritics, keep_digits, keep_punctuation, keep_boilerplate,
                        keep_letters, frozenset(keep_kind or ()))

SummarizationModel = Annotated[str, typer.Option(
    help="Hub id or local folder of the summarization model (BART/PEGASUS, T5/FLAN-T5 or a "
         "chat model), or lead-N for the first N sentences.")]
SummaryMinTokens = Annotated[int | None, typer.Option(
    min=0, help="Shortest summary, in generated tokens (default: the model's own).")]
SummaryMaxTokens = Annotated[int | None, typer.Option(
    min=1, help="Longest summary, in generated tokens (default: the model's own).")]
SummaryLengthOpt = Annotated[str | None, typer.Option(
    "--summary-length", help="Length preset: " + ", ".join(
        f"{k} ({a}-{b} tokens)" for k, (a, b) in LENGTH_PRESETS.items())
    + "; --summary-min/max-tokens override it.")]
PromptOpt = Annotated[str | None, typer.Option(
    "--prompt", help="Prompt template for T5 and chat models: a name in prompts/ "
                     "(t5-summarize, news-digest, headline...) or a .txt path.")]


Encoding = Annotated[str | None, typer.Option(
    help="Encoding of every input file (default: detect per file: BOM, UTF-8, "
         "Windows-1256/ISO-8859-6).")]
MaxArticleChars = Annotated[int, typer.Option(
    min=0, help="Reject (error record) an article longer than this many characters; 0: no "
                "limit.")]


def _read_options(encoding: str | None, max_article_chars: int) -> ReadOptions:
    if encoding:
        from .encodings import given_name

        try:
            given_name(encoding)
        except UnknownEncoding as exc:
            raise _fail(f"--encoding: {exc}") from None
    return ReadOptions(encoding, max_article_chars or None)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"arabic-digest: error: {message}", err=True)
    return typer.Exit(EXIT_NOTHING_DONE)


def _summary_options(model: str | None, length: str | None, min_tokens: int | None,
                     max_tokens: int | None, prompt: str | None) -> SummaryLength:
    """Check the length and prompt options before anything loads (exit 2 when wrong)."""
    try:
        resolved = resolve_length(length, min_tokens, max_tokens)
        if prompt is not None:
            load_prompt(prompt)
    except (LengthError, PromptError) as exc:
        raise _fail(str(exc)) from None
    if model and is_lead(model) and (prompt or resolved != SummaryLength()):
        raise _fail(f"{model} takes the first sentences as they are: --prompt and "
                    "--summary-* lengths do not apply")
    return resolved


@app.command()
def run(
    inputs: Inputs,
    output: Output = None,
    translation_model: Annotated[str, typer.Option(
        help="Hub id or local folder of the translation model.")] = DEFAULT_TRANSLATION_MODEL,
    summarization_model: SummarizationModel = DEFAULT_SUMMARIZATION_MODEL,
    no_summary: Annotated[bool, _flag("--no-summary", "Translate only; skip summaries.")] = False,
    summary_length: SummaryLengthOpt = None,
    summary_min_tokens: SummaryMinTokens = None,
    summary_max_tokens: SummaryMaxTokens = None,
    prompt: PromptOpt = None,
    text_field: TextField = None,
    title_field: TitleField = None,
    id_field: IdField = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    backend: Annotated[str, typer.Option(
        help="auto (CTranslate2, converted once and cached; transformers where a model cannot "
             "be converted), ctranslate2 or transformers.")] = "auto",
    no_dedupe: Annotated[bool, _flag(
        "--no-dedupe", "Translate repeated segments again instead of once per run.")] = False,
    beams: Annotated[int | None, typer.Option(
        min=1, help="Beam size (default: the model's generation config).")] = None,
    batch_tokens: Annotated[int, typer.Option(
        min=16, help="Token budget of one translation batch (rows x longest row).")] = 4096,
    segment_tokens: Annotated[int, typer.Option(
        min=8, max=500, help="Longest segment sent to the translator, in its tokens.")] = 200,
    limit: Annotated[int | None, typer.Option(min=0, help="Only the first N articles.")] = None,
    overwrite: Annotated[bool, _flag("--overwrite", "Start afresh instead of resuming.")] = False,
    retry_errors: Annotated[bool, _flag("--retry-errors", "Redo records that are errors.")] = False,
    no_retry: Annotated[bool, _flag(
        "--no-retry", "Flag doubtful segments but do not retry them.")] = False,
    keep_diacritics: KeepDiacritics = False,
    keep_digits: KeepDigits = False,
    keep_punctuation: KeepPunctuation = False,
    keep_boilerplate: KeepBoilerplate = False,
    keep_letters: KeepLetters = False,
    keep_kind: KeepKind = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    shard: Annotated[str | None, typer.Option(
        metavar="K/N", help="Only shard K of N (0-based; by sha1 of the id); "
        "default output outputs/<stem>.shard-K-of-N.jsonl. Join shards with `merge`.")] = None,
    engine: Annotated[str, typer.Option(
        help="local (this process) or ray (a Ray cluster; pip install 'arabic-digest[ray]')."
    )] = "local",
    ray_address: Annotated[str | None, typer.Option(
        help="Ray cluster to join: auto, or HOST:PORT (default: RAY_ADDRESS, else a new local "
        "Ray).")] = None,
    ray_actors: Annotated[int, typer.Option(
        min=1, help="Ray: actors per model (each loads its model once).")] = 1,
    ray_gpus_per_actor: Annotated[float | None, typer.Option(
        min=0, help="Ray: GPUs per model actor (default: 1 with --device cuda, or auto on a "
        "cluster with GPUs; else 0).")] = None,
    encoding: Encoding = None,
    max_article_chars: MaxArticleChars = DEFAULT_MAX_ARTICLE_CHARS,
    no_language_check: Annotated[bool, _flag(
        "--no-language-check", "Process articles even when they are not Arabic.")] = False,
    dedupe_ids: Annotated[bool, _flag(
        "--dedupe-ids", "Process repeated ids as ID~2, ID~3... instead of error records.")
    ] = False,
    no_stories: Annotated[bool, _flag(
        "--no-stories", "Do not group articles of the same story (no `story` field).")] = False,
    translate: Annotated[str, typer.Option(
        help="all, or leads: translate and summarize only each story's lead; the other "
        "articles of a story get skipped records (reason story_member).")] = "all",
) -> None:
    """Clean, translate and summarize articles; write one JSONL record per article.

    Rerunning the same command resumes: finished articles are skipped. SIGINT/SIGTERM stop
    after the current batch (exit 130/143); rerun the same command to resume.
    """
    from .runner import RunConfig, RunStopped
    from .runner import run as run_pipeline
    from .shards import Shard

    if device not in ("auto", "cpu", "cuda"):
        raise _fail(f"--device must be auto, cpu or cuda, not {device!r}")
    if engine not in ("local", "ray"):
        raise _fail(f"--engine must be local or ray, not {engine!r}")
    if translate not in ("all", "leads") or (translate == "leads" and no_stories):
        raise _fail(f"--translate must be all or leads (leads needs stories), not {translate!r}")
    if translate == "leads" and "-" in inputs:
        raise _fail("--translate leads needs files: stories read the input twice, stdin once")
    try:
        selected = Shard.parse(shard) if shard is not None else None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if backend not in ("auto", "ctranslate2", "transformers"):
        raise _fail(f"--backend must be auto, ctranslate2 or transformers, not {backend!r}")
    length = _summary_options(None if no_summary else summarization_model, summary_length,
                              summary_min_tokens, summary_max_tokens, prompt)
    cfg = RunConfig(
        inputs=inputs,
        output=output,
        translation_model=translation_model,
        summarization_model=None if no_summary else summarization_model,
        summary_length=length,
        prompt=prompt,
        fields=Fields(text_field, title_field, id_field),
        device=device,
        backend=backend,
        dedupe=not no_dedupe,
        beams=beams,
        batch_tokens=batch_tokens,
        segment_tokens=segment_tokens,
        limit=limit,
        overwrite=overwrite,
        retry_errors=retry_errors,
        retry_doubtful=not no_retry,
        quiet=quiet,
        clean_options=clean_options(keep_diacritics, keep_digits, keep_punctuation,
                                    keep_boilerplate, keep_letters, keep_kind),
        read_options=_read_options(encoding, max_article_chars),
        language_check=not no_language_check,
        dedupe_ids=dedupe_ids,
        shard=selected,
        stories=not no_stories,
        translate=translate,
    )
    try:
        if engine == "ray":
            from .ray_engine import RayEngineError, RayOptions, run_ray

            try:
                stats = run_ray(cfg, RayOptions(ray_address, ray_actors, ray_gpus_per_actor))
            except RayEngineError as exc:
                raise _fail(str(exc)) from None
        else:
            stats = run_pipeline(cfg)
    except RunStopped as exc:
        typer.echo(f"arabic-digest: {exc}", err=True)
        typer.echo(f"arabic-digest: {exc.stats.closing_line()}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except (InputError, ModelLoadError, SummarizerLoadError, PromptError, LockedError,
            OutputNotWritable, OSError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"arabic-digest: {stats.closing_line()}", err=True)
    raise typer.Exit(EXIT_SOME_ERRORS if stats.has_errors else EXIT_OK)


@app.command()
def clean(
    inputs: Inputs,
    output: Output = None,
    text_field: TextField = None,
    title_field: TitleField = None,
    id_field: IdField = None,
    tokenizer: Annotated[str | None, typer.Option(
        help="Translation tokenizer (id or folder) to count segment budgets in.")] = None,
    segment_tokens: Annotated[int, typer.Option(min=8, max=500)] = 200,
    keep_diacritics: KeepDiacritics = False,
    keep_digits: KeepDigits = False,
    keep_punctuation: KeepPunctuation = False,
    keep_boilerplate: KeepBoilerplate = False,
    keep_letters: KeepLetters = False,
    keep_kind: KeepKind = None,
) -> None:
    """Clean and segment only (no model): records with `source` and `clean`, to inspect rules."""
    from .cleaning import clean_corpus

    options = clean_options(keep_diacritics, keep_digits, keep_punctuation, keep_boilerplate,
                            keep_letters, keep_kind)
    try:
        path, counts = clean_corpus(inputs, output, Fields(text_field, title_field, id_field),
                                    options, tokenizer, segment_tokens)
    except (InputError, ModelLoadError, OSError) as exc:
        raise _fail(str(exc)) from None
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    typer.echo(f"arabic-digest: {summary} -> {path}", err=True)
    raise typer.Exit(EXIT_SOME_ERRORS if counts.get("error") else EXIT_OK)


@app.command()
def summarize(
    input: Annotated[Path, typer.Argument(help="A finished run's output JSONL.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="New JSONL (default: <input stem>.summary-<model>[-<length>]"
                               "[-<prompt>].jsonl beside the input).")] = None,
    summarization_model: SummarizationModel = DEFAULT_SUMMARIZATION_MODEL,
    summary_length: SummaryLengthOpt = None,
    summary_min_tokens: SummaryMinTokens = None,
    summary_max_tokens: SummaryMaxTokens = None,
    prompt: PromptOpt = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    overwrite: Annotated[bool, _flag("--overwrite", "Replace the output if it exists.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Summarize a finished run's translations again, without translating again.

    Writes a new JSONL (and its .run.json manifest); the input file is left as it is.
    """
    from .resummarize import ResummarizeConfig, resummarize

    if device not in ("auto", "cpu", "cuda"):
        raise _fail(f"--device must be auto, cpu or cuda, not {device!r}")
    length = _summary_options(summarization_model, summary_length, summary_min_tokens,
                              summary_max_tokens, prompt)
    cfg = ResummarizeConfig(input, output, summarization_model, length, prompt, device,
                            overwrite=overwrite, quiet=quiet)
    try:
        stats = resummarize(cfg)
    except (InputError, SummarizerLoadError, PromptError, OSError, ValueError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"arabic-digest: {stats.closing_line()}", err=True)
    raise typer.Exit(EXIT_SOME_ERRORS if stats.error else EXIT_OK)


@app.command()
def check(
    inputs: Inputs,
    text_field: TextField = None,
    title_field: TitleField = None,
    id_field: IdField = None,
    encoding: Encoding = None,
    max_article_chars: MaxArticleChars = DEFAULT_MAX_ARTICLE_CHARS,
    no_language_check: Annotated[bool, _flag(
        "--no-language-check", "Do not identify languages.")] = False,
    as_json: Annotated[bool, _flag("--json", "Print the report as JSON.")] = False,
) -> None:
    """Report what `run` would read (counts, fields, encodings, languages, problems); no model.

    Exit 0: nothing wrong; 1: problems (bad lines, duplicate ids, empty, oversize or
    non-Arabic articles, undecodable bytes); 2: an input cannot be read at all.
    """
    import json

    from .check import check as check_inputs_report
    from .check import render

    opts = _read_options(encoding, max_article_chars)
    try:
        reports = check_inputs_report(inputs, Fields(text_field, title_field, id_field), opts,
                                      language=not no_language_check)
    except (InputError, OSError) as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=2))
    else:
        typer.echo(render(reports))
    raise typer.Exit(EXIT_SOME_ERRORS if any(r.problems for r in reports) else EXIT_OK)


RunOutput = Annotated[Path, typer.Argument(metavar="OUTPUT.jsonl", help="A run's output JSONL.")]


@app.command()
def report(
    output_jsonl: RunOutput,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="HTML file (default: <stem>.report.html beside the input).")] = None,
) -> None:
    """One self-contained HTML page: index, summaries, source and translation side by side."""
    from .report import write_report

    if not output_jsonl.is_file():
        raise _fail(f"no such file: {output_jsonl}")
    try:
        path, view = write_report(output_jsonl, output)
    except (OSError, UnicodeError) as exc:
        raise _fail(str(exc)) from None
    counts = ", ".join(f"{n} {k}" for k, n in view.counts.items())
    bad = f"; {view.unreadable} unreadable lines skipped" if view.unreadable else ""
    typer.echo(f"arabic-digest: report of {len(view.articles)} articles ({counts}){bad} -> {path}",
               err=True)


@app.command()
def digest(
    output_jsonl: RunOutput,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output",
        help="digest.md or digest.html (default: <stem>.digest.md beside the input).")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="md or html (default: from the output's suffix, else md).")] = None,
    order: Annotated[str, typer.Option(
        help="input, or date (oldest first, from source.meta.date; undated last).")] = "input",
    report_path: Annotated[Path | None, typer.Option(
        "--report", help="The report to link to (default: <stem>.report.html beside the input).",
    )] = None,
    by: Annotated[str, typer.Option(
        help="story: a briefing, one entry per story (its lead's summary and the other outlets "
        "that reported it), most outlets first; article: every article in --order.")] = "story",
) -> None:
    """The English digest: per story (or article) its title, dateline, summary and a link to
    the report."""
    from .digest import GROUPINGS, ORDERS, write_digest

    if not output_jsonl.is_file():
        raise _fail(f"no such file: {output_jsonl}")
    if order not in ORDERS:
        raise _fail(f"--order must be one of {', '.join(ORDERS)}, not {order!r}")
    if by not in GROUPINGS:
        raise _fail(f"--by must be one of {', '.join(GROUPINGS)}, not {by!r}")
    try:
        path, result = write_digest(output_jsonl, output, fmt, order, report_path, by)
    except (ValueError, OSError) as exc:
        raise _fail(str(exc)) from None
    left = f"; {len(result.omitted)} not ok, left out" if result.omitted else ""
    stories = f" in {len(result.stories)} stories" if by == "story" else ""
    typer.echo(f"arabic-digest: digest of {len(result.items)} articles{stories}{left} -> {path}",
               err=True)


models_app = typer.Typer(no_args_is_help=True, help=(
    "Models on disk: download for offline use, convert to CTranslate2 ahead of time, list."))
app.add_typer(models_app, name="models")
Models = Annotated[list[str] | None, typer.Argument(
    help="Hub ids or local folders (default: the translation and summarization defaults).")]


def _models_or_defaults(names: list[str] | None) -> list[str]:
    return names or [DEFAULT_TRANSLATION_MODEL, DEFAULT_SUMMARIZATION_MODEL]


@models_app.command("download")
def models_download(
    names: Models = None,
    to: Annotated[Path | None, typer.Option(
        help="Download into DIR/<model name> instead of the Hugging Face cache.")] = None,
) -> None:
    """Fetch models from the Hub so later runs work offline (HF_HUB_OFFLINE=1)."""
    from .models import download, folder_size, human_size

    for name in _models_or_defaults(names):
        try:
            path = download(name, to)
        except Exception as exc:  # noqa: BLE001 - network, auth or a wrong id: say which
            raise _fail(f"could not download {name!r}: {type(exc).__name__}: {exc}") from None
        typer.echo(f"{name}\t{human_size(folder_size(path))}\t{path}")


@models_app.command("convert")
def models_convert(
    names: Models = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda (sets quantization).")] = "auto",
    quantization: Annotated[str | None, typer.Option(
        help="int8, int8_float16, float16 or float32 (default: int8 on CPU, int8_float16 on "
             "CUDA, as `run` uses).")] = None,
    force: Annotated[bool, _flag("--force", "Convert again even if cached.")] = False,
) -> None:
    """Convert models to CTranslate2 into the cache now, so the first run starts at once."""
    from .models import (
        ConversionError,
        convert,
        ct2_device,
        default_compute_type,
        folder_size,
        human_size,
        model_revision,
        note,
    )

    for name in _models_or_defaults(names):
        try:
            model_revision(name)
            quant = quantization or default_compute_type(ct2_device(device))
            done = convert(name, quant, force=force, log=note)
        except ConversionError as exc:
            raise _fail(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - not found / offline
            raise _fail(f"could not load {name!r}: {type(exc).__name__}: {exc}") from None
        state = "converted" if done.converted_now else "cached"
        typer.echo(f"{name}\t{quant}\t{state}\t{human_size(folder_size(done.path))}\t{done.path}")


@models_app.command("list")
def models_list() -> None:
    """Show downloaded (Hugging Face cache) and converted (CTranslate2) models with sizes."""
    from .models import ct2_root, human_size, list_converted, list_downloaded

    downloaded, converted = list_downloaded(), list_converted()
    typer.echo("downloaded (Hugging Face cache):")
    for row in downloaded:
        typer.echo(f"  {row['model']}\t{human_size(row['bytes'])}\t{row['path']}")
    if not downloaded:
        typer.echo("  (none)")
    typer.echo(f"converted (CTranslate2, {ct2_root()}):")
    for row in converted:
        typer.echo(f"  {row['model']}\t{row['quantization']}\t{row['revision']}\t"
                   f"{human_size(row['bytes'])}\t{row['path']}")
    if not converted:
        typer.echo("  (none)")


@app.command("eval")
def eval_(
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
        help="Translation model for --source (default Helsinki-NLP/opus-mt-ar-en) and for "
        "Arabic summary references (default: the output's).")] = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    backend: Annotated[str, typer.Option(
        help="auto, ctranslate2 or transformers (as for run).")] = "auto",
    beams: Annotated[int | None, typer.Option(min=1, help="Beam size.")] = None,
    batch_tokens: Annotated[int, typer.Option(min=16)] = 4096,
    segment_tokens: Annotated[int, typer.Option(min=8, max=500)] = 200,
    no_retry: Annotated[bool, _flag("--no-retry", "Do not retry flagged segments.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Score translations (sacreBLEU BLEU, chrF, TER) and summaries (ROUGE) against references."""
    import json

    from . import evaluate
    from .runner import RunConfig

    if compare:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in compare)
        typer.echo(evaluate.render_compare(a, b, (str(compare[0]), str(compare[1]))))
        raise typer.Exit(EXIT_OK)
    if backend not in ("auto", "ctranslate2", "transformers"):
        raise _fail(f"--backend must be auto, ctranslate2 or transformers, not {backend!r}")
    cfg = RunConfig(inputs=[], device=device, backend=backend, beams=beams,
                    batch_tokens=batch_tokens, segment_tokens=segment_tokens,
                    retry_doubtful=not no_retry, quiet=quiet)
    try:
        if source or reference:
            if not (source and reference) or output_file:
                raise _fail("give --source and --reference together, without an output file")
            cfg.translation_model = translation_model or DEFAULT_TRANSLATION_MODEL
            path = output or Path("outputs") / f"{reference.stem}.eval.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            result = evaluate.evaluate_files(source, reference, cfg, path)
        elif output_file:
            path = output or output_file.with_name(
                output_file.name.removesuffix(".jsonl") + ".eval.json")
            result = evaluate.evaluate_output(
                output_file, reference_field, summary_reference_field, cfg,
                path.with_name(path.name.removesuffix(".json") + ".hyp.txt"),
                translation_model)
        else:
            raise _fail("give an output file of `run`, or --source and --reference")
    except (evaluate.EvalError, InputError, ModelLoadError, OSError) as exc:
        raise _fail(str(exc)) from None
    evaluate.write_result(result, path)
    typer.echo(evaluate.render_table(result))
    typer.echo(f"arabic-digest: eval -> {path}", err=True)


@app.command()
def merge(
    shard_outputs: Annotated[list[Path], typer.Argument(
        help="The shard outputs (.jsonl) of one run, each with its .run.json beside it.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output",
        help="Merged JSONL (default: the shard name without .shard-K-of-N).")] = None,
    inputs: Annotated[list[str] | None, typer.Option(
        "--inputs", help="The run's inputs, in order (repeatable; default: from the shard "
        "manifests).")] = None,
    text_field: TextField = None,
    title_field: TitleField = None,
    id_field: IdField = None,
    limit: Annotated[int | None, typer.Option(
        min=0, help="The run's --limit (default: from the shard manifests).")] = None,
) -> None:
    """Join the outputs of `run --shard K/N` into one output in input order, with a manifest.

    Fails (exit 2, nothing written) unless every input id has exactly one record.
    """
    from .shards import MergeError, merge_shards

    fields = None
    if text_field or title_field or id_field:
        fields = Fields(text_field, title_field, id_field)
    try:
        result = merge_shards(shard_outputs, output, inputs, fields, limit)
    except (MergeError, InputError, OSError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"arabic-digest: {result.closing_line()}", err=True)
    raise typer.Exit(EXIT_SOME_ERRORS if result.has_errors else EXIT_OK)


def main() -> None:
    app(prog_name="arabic-digest")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
