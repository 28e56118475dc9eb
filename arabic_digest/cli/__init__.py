"""The command line: option declarations and thin commands over `commands.py`."""

from __future__ import annotations

import inspect
import logging
import os
import sys
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperCommand, TyperGroup

from arabic_digest.cli import commands
from arabic_digest.cli.commands import CleanFlags, UsageProblem
from arabic_digest.inputs.readers import DEFAULT_MAX_ARTICLE_CHARS, Fields
from arabic_digest.pipeline.presets import DEFAULT_PRESET, PRESETS, describe
from arabic_digest.pipeline.spec import Backend, Device, Engine, Translate
from arabic_digest.summarize.length import LENGTH_PRESETS
from arabic_digest.summarize.summarizer import DEFAULT_SUMMARIZATION_MODEL
from arabic_digest.translate.translator import DEFAULT_TRANSLATION_MODEL
from arabic_digest.views.digest import FORMATS, GROUPINGS, ORDERS


class _PlainHelp:
    """-h/--help shows no `<bool>` type: it takes no value."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option


class _Command(_PlainHelp, TyperCommand):
    pass


class _Group(_PlainHelp, TyperGroup):
    pass


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help="Batch-translate Arabic news to English with Opus-MT and condense it into digests.",
)


def _choices(name: str, values: Iterable[str]) -> type[Enum]:
    """An Enum of the values the code defines (one list, so help and code cannot drift)."""
    return Enum(name, [(v, v) for v in values], type=str)  # type: ignore[return-value]


LengthPreset = _choices("LengthPreset", LENGTH_PRESETS)
DigestOrder = _choices("DigestOrder", ORDERS)
DigestFormat = _choices("DigestFormat", FORMATS)
DigestBy = _choices("DigestBy", GROUPINGS)
ModelPreset = _choices("ModelPreset", PRESETS)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"arabic-digest {version('arabic-digest')}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, metavar="",
        help="Show the version and exit.")]
        = False) -> None:
    """Batch-translate Arabic news to English with Opus-MT and condense it into digests."""


def _exit(code: int) -> None:
    raise typer.Exit(code)


def _flag(name: str, help_text: str, panel: str | None = None) -> typer.models.OptionInfo:
    """A plain on/off flag, without typer's --no-x twin, and without a `<bool>` metavar (a
    flag takes no value; an empty metavar leaves the type column blank)."""
    return typer.Option(name, help=help_text, rich_help_panel=panel, metavar="")


# --- option declarations, once for every command that takes them ----------------------------

P_INPUT, P_CLEAN, P_MODELS, P_TRANSLATE, P_SUMMARY, P_RUN, P_SCALE = (
    "Input", "Cleaning", "Models", "Translation", "Summary", "Run", "Scale out")

Inputs = Annotated[list[str], typer.Argument(
    help="JSONL, JSON, CSV/TSV, .txt or .html files, folders of them, or - for JSONL on stdin.")]
Output = Annotated[Path | None, typer.Option(
    "-o", "--output", help="Output JSONL (default: outputs/<stem of first input>.jsonl).",
    rich_help_panel=P_RUN)]
TextField = Annotated[str | None, typer.Option(
    help="Field holding the article text (default: text|body|content|article).",
    rich_help_panel=P_INPUT)]
TitleField = Annotated[str | None, typer.Option(
    help="Title field (default: title|headline).", rich_help_panel=P_INPUT)]
IdField = Annotated[str | None, typer.Option(
    help="Id field (default: id; else <file>:<line>).", rich_help_panel=P_INPUT)]
Encoding = Annotated[str | None, typer.Option(
    help="Encoding of every input file (default: detect per file: BOM, UTF-8, "
         "Windows-1256/ISO-8859-6).", rich_help_panel=P_INPUT)]
MaxArticleChars = Annotated[int, typer.Option(
    min=0, help="Reject (error record) an article longer than this many characters; 0: no "
                "limit.", rich_help_panel=P_INPUT)]
KeepDiacritics = Annotated[bool, _flag(
    "--keep-diacritics", "Do not strip Arabic diacritics and tatweel.", P_CLEAN)]
KeepDigits = Annotated[bool, _flag(
    "--keep-digits", "Keep Arabic-Indic digits as they are.", P_CLEAN)]
KeepPunctuation = Annotated[bool, _flag(
    "--keep-punctuation", "Skip the Moses-style quote, dash and ellipsis mapping.", P_CLEAN)]
KeepBoilerplate = Annotated[bool, _flag(
    "--keep-boilerplate", "Keep boilerplate lines (share prompts, 'read also', markers...).",
    P_CLEAN)]
KeepLetters = Annotated[bool, _flag(
    "--keep-letters", "Keep Persian/Urdu letter forms (ک ی ۔) instead of mapping them to "
    "Arabic.", P_CLEAN)]
KeepKind = Annotated[list[str] | None, typer.Option(
    "--keep-kind", help="Keep one kind of boilerplate (repeatable): title, dateline, marker, "
    "prompt, read_also, image_credit, embed, links, markup, ...", rich_help_panel=P_CLEAN)]
SegmentTokens = Annotated[int, typer.Option(
    min=8, max=500, help="Longest segment sent to the translator, in its tokens.",
    rich_help_panel=P_TRANSLATE)]
# Long defaults go in the help text, which wraps: the [default: ...] column is cut at 80.
# The model options default to None: "not given", so the --preset's model is used.
TranslationModel = Annotated[str | None, typer.Option(
    help="Hub id or local folder of the translation model. Default: the --preset's "
         f"({DEFAULT_TRANSLATION_MODEL} for {DEFAULT_PRESET})",
    show_default=False, rich_help_panel=P_MODELS)]
SummarizationModel = Annotated[str | None, typer.Option(
    help="Hub id or local folder of the summarization model (BART/PEGASUS, T5/FLAN-T5 or a "
         "chat model), or lead-N for the first N sentences. Default: the --preset's "
         f"({DEFAULT_SUMMARIZATION_MODEL} for {DEFAULT_PRESET})",
    show_default=False, rich_help_panel=P_MODELS)]
# None: not given (run and summarize use the default preset; eval keeps its own defaults).
PresetOpt = Annotated[ModelPreset | None, typer.Option(
    "--preset", show_default=False, rich_help_panel=P_MODELS, metavar="<preset>",
    help="Speed/quality dial over the models and beams: " + ", ".join(
        describe(name) for name in PRESETS) + f". Default: {DEFAULT_PRESET}. "
    "--translation-model, --summarization-model and --beams override it.")]
DeviceOpt = Annotated[Device, typer.Option(
    help="Where models run (auto: CUDA if torch sees one).", rich_help_panel=P_MODELS)]
# The choices are named in the help: as a metavar they widen the type column of the whole
# panel, which squeezes the help column until the model defaults are cut at 80 columns.
BackendOpt = Annotated[Backend, typer.Option(
    metavar="<backend>", rich_help_panel=P_MODELS,
    help="auto: CTranslate2 (converted once and cached), transformers where a model cannot "
         "be converted; or ctranslate2, or transformers.")]
Beams = Annotated[int | None, typer.Option(
    min=1, help="Beam size (default: the --preset's; for default, the model's generation "
                "config).", rich_help_panel=P_TRANSLATE)]
BatchTokens = Annotated[int, typer.Option(
    min=16, help="Token budget of one translation batch (rows x longest row); does not "
                 "change any output.", rich_help_panel=P_TRANSLATE)]
NoRetry = Annotated[bool, _flag(
    "--no-retry", "Flag doubtful segments but do not retry them.", P_TRANSLATE)]
SummaryLengthOpt = Annotated[LengthPreset | None, typer.Option(
    "--summary-length", help="Length preset (" + ", ".join(
        f"{k}: {a}-{b} tokens" for k, (a, b) in LENGTH_PRESETS.items())
    + "); --summary-min/max-tokens override it.", rich_help_panel=P_SUMMARY)]
SummaryMinTokens = Annotated[int | None, typer.Option(
    min=0, help="Shortest summary, in generated tokens (default: the model's own).",
    rich_help_panel=P_SUMMARY)]
SummaryMaxTokens = Annotated[int | None, typer.Option(
    min=1, help="Longest summary, in generated tokens (default: the model's own).",
    rich_help_panel=P_SUMMARY)]
PromptOpt = Annotated[str | None, typer.Option(
    "--prompt", help="Prompt template for T5 and chat models: a name in prompts/ "
                     "(t5-summarize, news-digest, headline...) or a .txt path.",
    rich_help_panel=P_SUMMARY)]
Quiet = Annotated[bool, typer.Option(
    "--quiet", "-q", metavar="", rich_help_panel=P_RUN,
    help="No progress bars (transformers' per-model 'Loading weights' bars are always off; "
         "Hub download bars show unless --quiet).")]
Overwrite = Annotated[bool, _flag("--overwrite", "Start afresh instead of resuming.", P_RUN)]
RunOutput = Annotated[Path, typer.Argument(metavar="OUTPUT.jsonl", help="A run's output JSONL.")]


def _fields(text: str | None, title: str | None, id_: str | None) -> Fields:
    return Fields(text, title, id_)


def _usage(problem: UsageProblem) -> typer.Exit:
    return typer.Exit(commands.fail(str(problem)))


# --- commands ------------------------------------------------------------------------------

@app.command()
def run(
    inputs: Inputs,
    output: Output = None,
    preset: PresetOpt = None,
    translation_model: TranslationModel = None,
    summarization_model: SummarizationModel = None,
    no_summary: Annotated[bool, _flag(
        "--no-summary", "Translate only; skip summaries.", P_SUMMARY)] = False,
    summary_length: SummaryLengthOpt = None,
    summary_min_tokens: SummaryMinTokens = None,
    summary_max_tokens: SummaryMaxTokens = None,
    prompt: PromptOpt = None,
    text_field: TextField = None,
    title_field: TitleField = None,
    id_field: IdField = None,
    device: DeviceOpt = Device.auto,
    backend: BackendOpt = Backend.auto,
    no_dedupe: Annotated[bool, _flag(
        "--no-dedupe", "Translate repeated segments again instead of once per run.",
        P_TRANSLATE)] = False,
    beams: Beams = None,
    batch_tokens: BatchTokens = 4096,
    segment_tokens: SegmentTokens = 200,
    limit: Annotated[int | None, typer.Option(
        min=0, help="Only the first N articles.", rich_help_panel=P_INPUT)] = None,
    overwrite: Overwrite = False,
    retry_errors: Annotated[bool, _flag(
        "--retry-errors", "Redo records that are errors.", P_RUN)] = False,
    no_retry: NoRetry = False,
    keep_diacritics: KeepDiacritics = False,
    keep_digits: KeepDigits = False,
    keep_punctuation: KeepPunctuation = False,
    keep_boilerplate: KeepBoilerplate = False,
    keep_letters: KeepLetters = False,
    keep_kind: KeepKind = None,
    quiet: Quiet = False,
    shard: Annotated[str | None, typer.Option(
        metavar="K/N", help="Only shard K of N (0-based; by sha1 of the id); the default "
        "output name ends in .shard-K-of-N.jsonl. Join shards with `merge`.",
        rich_help_panel=P_SCALE)] = None,
    engine: Annotated[Engine, typer.Option(
        help="local (this process) or ray (a Ray cluster; pip install "
             "'arabic-digest\\[ray]').", rich_help_panel=P_SCALE)] = Engine.local,
    ray_address: Annotated[str | None, typer.Option(
        help="Ray cluster to join: auto, or HOST:PORT (default: RAY_ADDRESS, else a new local "
        "Ray).", rich_help_panel=P_SCALE)] = None,
    ray_actors: Annotated[int, typer.Option(
        min=1, help="Ray: actors per model (each loads its model once).",
        rich_help_panel=P_SCALE)] = 1,
    ray_gpus_per_actor: Annotated[float | None, typer.Option(
        min=0, help="Ray: GPUs per model actor (default: 1 with --device cuda, or auto on a "
        "cluster with GPUs; else 0).", rich_help_panel=P_SCALE)] = None,
    encoding: Encoding = None,
    max_article_chars: MaxArticleChars = DEFAULT_MAX_ARTICLE_CHARS,
    no_language_check: Annotated[bool, _flag(
        "--no-language-check", "Process articles even when they are not Arabic.",
        P_INPUT)] = False,
    dedupe_ids: Annotated[bool, _flag(
        "--dedupe-ids", "Process repeated ids as ID~2, ID~3... instead of error records.",
        P_INPUT)] = False,
    glossary: Annotated[Path | None, typer.Option(
        metavar="FILE.tsv", help="Terms to check, one per line: Arabic, a TAB, English (more "
        "TAB-separated variants allowed); a segment with a term whose rendering the "
        "translation lacks is flagged.",
        rich_help_panel=P_TRANSLATE)] = None,
    no_stories: Annotated[bool, _flag(
        "--no-stories", "Do not group articles of the same story (no `story` field).",
        P_INPUT)] = False,
    translate: Annotated[Translate, typer.Option(
        help="all, or leads: translate and summarize only each story's lead; the other "
        "articles of a story get skipped records (reason story_member).",
        rich_help_panel=P_TRANSLATE)] = Translate.all,
) -> None:
    """Clean, translate and summarize articles; write one JSONL record per article.

    Rerunning the same command resumes: finished articles are skipped. SIGINT/SIGTERM stop
    after the current batch (exit 130/143); rerun the same command to resume.
    """
    from arabic_digest.pipeline.ray_engine import RayOptions

    try:
        spec = commands.build_spec(
            inputs, output=output, translation_model=translation_model,
            summarization_model=summarization_model, summary=not no_summary,
            preset=preset.value if preset else None,
            summary_length=summary_length.value if summary_length else None,
            summary_min_tokens=summary_min_tokens, summary_max_tokens=summary_max_tokens,
            prompt=prompt, fields=_fields(text_field, title_field, id_field), device=device,
            backend=backend, dedupe=not no_dedupe, beams=beams, batch_tokens=batch_tokens,
            segment_tokens=segment_tokens, limit=limit, overwrite=overwrite,
            retry_errors=retry_errors, retry_doubtful=not no_retry, quiet=quiet,
            clean=CleanFlags(keep_diacritics, keep_digits, keep_punctuation, keep_boilerplate,
                             keep_letters, tuple(keep_kind or ())),
            encoding=encoding, max_article_chars=max_article_chars,
            language_check=not no_language_check, dedupe_ids=dedupe_ids, shard=shard,
            glossary=glossary, engine=engine, stories=not no_stories, translate=translate)
    except UsageProblem as exc:
        raise _usage(exc) from None
    _exit(commands.run(spec, RayOptions(ray_address, ray_actors, ray_gpus_per_actor)))


@app.command()
def clean(
    inputs: Inputs,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Output JSONL (default: outputs/<stem of first input>.clean."
        "jsonl).")] = None,
    text_field: TextField = None,
    title_field: TitleField = None,
    id_field: IdField = None,
    tokenizer: Annotated[str | None, typer.Option(
        help="Translation tokenizer (id or folder) to count segment budgets in (default: "
             "count words).")] = None,
    segment_tokens: SegmentTokens = 200,
    keep_diacritics: KeepDiacritics = False,
    keep_digits: KeepDigits = False,
    keep_punctuation: KeepPunctuation = False,
    keep_boilerplate: KeepBoilerplate = False,
    keep_letters: KeepLetters = False,
    keep_kind: KeepKind = None,
    overwrite: Annotated[bool, _flag("--overwrite", "Replace the output if it exists.")] = False,
) -> None:
    """Clean and segment only (no model): records with `source` and `clean`, to inspect rules."""
    flags = CleanFlags(keep_diacritics, keep_digits, keep_punctuation, keep_boilerplate,
                       keep_letters, tuple(keep_kind or ()))
    try:
        flags.options()
    except UsageProblem as exc:
        raise _usage(exc) from None
    _exit(commands.clean(inputs, output, _fields(text_field, title_field, id_field), flags,
                         tokenizer, segment_tokens, overwrite))


@app.command()
def summarize(
    input: Annotated[Path, typer.Argument(help="A finished run's output JSONL.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="New JSONL (default: beside the input, named <stem>.summary-"
        "<model> plus -<length> and -<prompt> when given, .jsonl).")] = None,
    preset: PresetOpt = None,
    summarization_model: SummarizationModel = None,
    summary_length: SummaryLengthOpt = None,
    summary_min_tokens: SummaryMinTokens = None,
    summary_max_tokens: SummaryMaxTokens = None,
    prompt: PromptOpt = None,
    device: DeviceOpt = Device.auto,
    overwrite: Annotated[bool, _flag("--overwrite", "Replace the output if it exists.")] = False,
    quiet: Quiet = False,
) -> None:
    """Summarize a finished run's translations again, without translating again.

    Writes a new JSONL (and its .run.json manifest); the input file is left as it is.
    """
    try:
        model = commands.preset_summarizer(preset.value if preset else None,
                                           summarization_model)
        length = commands.summary_options(
            model, summary_length.value if summary_length else None,
            summary_min_tokens, summary_max_tokens, prompt)
    except UsageProblem as exc:
        raise _usage(exc) from None
    _exit(commands.summarize(input, output, model, length, prompt, device, overwrite, quiet))


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
    try:
        opts = commands.read_options(encoding, max_article_chars)
    except UsageProblem as exc:
        raise _usage(exc) from None
    _exit(commands.check(inputs, _fields(text_field, title_field, id_field), opts,
                         not no_language_check, as_json))


@app.command()
def report(
    output_jsonl: RunOutput,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="HTML file (default: <stem>.report.html beside the input).")] = None,
) -> None:
    """One self-contained HTML page: index, summaries, source and translation side by side."""
    _exit(commands.report(output_jsonl, output))


@app.command()
def digest(
    output_jsonl: RunOutput,
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
    _exit(commands.digest(output_jsonl, output, fmt.value if fmt else None, order.value,
                          report_path, by.value))



# --- the archive ------------------------------------------------------------------------------

ArchiveDb = Annotated[Path, typer.Argument(metavar="ARCHIVE.sqlite",
                                           help="An archive built by `arabic-digest index`.")]
SearchLang = _choices("SearchLang", ("en", "ar"))
ExportFormat = _choices("ExportFormat", ("tmx", "parquet", "csv"))


@app.command()
def index(
    outputs: Annotated[list[Path], typer.Argument(
        metavar="OUTPUT.jsonl...", help="Finished runs' outputs (their .run.json beside them).")],
    db: Annotated[Path, typer.Option(
        "--db", help="The archive (created when missing).")] = Path("archive.sqlite"),
) -> None:
    """Add runs' records to one searchable SQLite archive: incremental, idempotent, crash-safe.

    Records are keyed by run identity and id: indexing the same output twice adds nothing, a
    longer (resumed) output adds only its new records, and the same id from a run with other
    settings is kept apart.
    """
    _exit(commands.index(outputs, db))


@app.command()
def search(
    db: ArchiveDb,
    query: Annotated[str, typer.Argument(
        help='Words (all must match); "a phrase" in quotes; word* for a prefix.')],
    lang: Annotated[SearchLang, typer.Option(
        help="Search the English translation (stemmed) or the Arabic (alef, yeh, teh marbuta, "
             "diacritics and tatweel folded).")] = SearchLang.en,
    as_json: Annotated[bool, _flag("--json", "Print the results as JSON.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many results.")] = 20,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
    since: Annotated[str | None, typer.Option(help="From this day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Until this day (YYYY-MM-DD).")] = None,
    story: Annotated[str | None, typer.Option(help="Only this story id.")] = None,
    flag: Annotated[str | None, typer.Option(
        help="Only articles with a flag of this kind (* for any).")] = None,
    status: Annotated[str | None, typer.Option(help="ok, error or skipped.")] = None,
) -> None:
    """Search the archive from the terminal: ranked (bm25), with the matches in brackets."""
    from arabic_digest.archive import Filters

    _exit(commands.search(db, query, lang.value, as_json, limit,
                          Filters(outlet, since, until, story, flag, status)))


@app.command()
def serve(
    db: ArchiveDb,
    host: Annotated[str, typer.Option(
        help="Address to listen on (localhost only by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port.")] = 8000,
    search_budget: Annotated[float, typer.Option(
        min=0.0, help="Seconds a search or concordance may run before it answers 503.")] = 2.0,
) -> None:
    """The archive as a local web app: briefing, search, articles side by side, stories,
    concordance, and a JSON API under /api/. Read-only. Requests must name the address it
    serves on (or localhost) as their Host."""
    _exit(commands.serve(db, host, port, search_budget))


@app.command()
def export(
    source: Annotated[Path, typer.Argument(
        metavar="OUTPUT.jsonl|ARCHIVE.sqlite", help="A run's output or an archive.")],
    to: Annotated[ExportFormat, typer.Option(
        "--to", help="TMX 1.4 (CAT tools), Parquet (pandas, Polars, DuckDB, Spark) or CSV.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="The file (default: beside the source, its suffix --to).")] = None,
    skip_flagged: Annotated[bool, _flag(
        "--skip-flagged", "Leave out sentence pairs a trust check flagged.")] = False,
    csv_formulas: Annotated[bool, _flag(
        "--csv-formulas", "Write CSV cells that start with = + - @ as they are (for pipelines "
        "that read the CSV as data); by default they get a leading ' so a spreadsheet shows "
        "them as text instead of running them.")] = False,
) -> None:
    """The aligned sentence pairs of a run or an archive, one row (or TMX unit) per sentence."""
    _exit(commands.export(source, to.value, output, skip_flagged, csv_formulas))


models_app = typer.Typer(
    cls=_Group, no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]},
    help="Models on disk: download for offline use, convert to CTranslate2 ahead of time, list.")
app.add_typer(models_app, name="models")
Models = Annotated[list[str] | None, typer.Argument(
    help="Hub ids or local folders (default: the translation and summarization defaults).")]


@models_app.command("download")
def models_download(
    names: Models = None,
    to: Annotated[Path | None, typer.Option(
        help="Download into DIR/<model name> instead of the Hugging Face cache.")] = None,
) -> None:
    """Fetch models from the Hub so later runs work offline (HF_HUB_OFFLINE=1)."""
    _exit(commands.models_download(names, to))


@models_app.command("convert")
def models_convert(
    names: Models = None,
    device: DeviceOpt = Device.auto,
    quantization: Annotated[str | None, typer.Option(
        help="int8, int8_float16, float16 or float32 (default: int8 on CPU, int8_float16 on "
             "CUDA, as `run` uses).")] = None,
    force: Annotated[bool, _flag("--force", "Convert again even if cached.")] = False,
) -> None:
    """Convert models to CTranslate2 into the cache now, so the first run starts at once."""
    _exit(commands.models_convert(names, device, quantization, force))


@models_app.command("list")
def models_list() -> None:
    """Show downloaded (Hugging Face cache) and converted (CTranslate2) models with sizes."""
    _exit(commands.models_list())


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
        help="Translation model for --source and for Arabic summary references. Default: the "
        "--preset's when one is given; else for summary references the output's, for --source "
        "the one `run` uses (run -h).",
    )] = None,
    preset: Annotated[ModelPreset | None, typer.Option(
        "--preset", show_default=False, metavar="<preset>",
        help="Translator and beams of a `run` preset (run -h), where --translation-model and "
        "--beams do not say.")] = None,
    device: DeviceOpt = Device.auto,
    backend: BackendOpt = Backend.auto,
    beams: Beams = None,
    batch_tokens: BatchTokens = 4096,
    segment_tokens: SegmentTokens = 200,
    no_retry: NoRetry = False,
    quiet: Quiet = False,
) -> None:
    """Score translations (sacreBLEU BLEU, chrF, TER) and summaries (ROUGE) against references.

    Three ways: `eval OUTPUT.jsonl --reference-field F` scores a run's translations against a
    reference in each record's source.meta (`--summary-reference-field` its summaries);
    `eval --source AR.txt --reference EN.txt` translates a line-aligned test set and scores
    it; `eval --compare A.json B.json` prints two results side by side.
    """
    from arabic_digest.pipeline.spec import RunSpec

    spec = RunSpec(inputs=(), device=device, backend=backend, beams=beams,
                   batch_tokens=batch_tokens, segment_tokens=segment_tokens,
                   retry_doubtful=not no_retry, quiet=quiet)
    _exit(commands.evaluate(output_file, reference_field, summary_reference_field, source,
                            reference, output, compare, translation_model, spec,
                            preset.value if preset else None))


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

    Fails (exit 2, nothing written) unless every input id has exactly one record, every shard
    run finished with the same settings, and no run still writes a shard.
    """
    fields = None
    if text_field or title_field or id_field:
        fields = _fields(text_field, title_field, id_field)
    _exit(commands.merge(shard_outputs, output, inputs, fields, limit))


def _unwrap_help(*apps: typer.Typer) -> None:
    """Docstrings wrap at 100 columns in the source; Rich keeps those line breaks in every
    paragraph after the first, which then break mid-sentence in the terminal. Join them."""
    for one in apps:
        for command in one.registered_commands:
            doc = command.help or (command.callback.__doc__ if command.callback else None)
            if doc:
                paragraphs = inspect.cleandoc(doc).split("\n\n")
                command.help = "\n\n".join(" ".join(p.split("\n")) for p in paragraphs)
            command.cls = _Command


_unwrap_help(app, models_app)


def log_to_stderr() -> None:
    """The library's messages (the `arabic_digest` logger) as the CLI's own lines on stderr."""
    logger = logging.getLogger("arabic_digest")
    if not any(getattr(h, "arabic_digest_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("arabic-digest: %(message)s"))
        handler.arabic_digest_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def main() -> None:
    log_to_stderr()
    try:
        app(prog_name="arabic-digest")
    except Exception as exc:  # noqa: BLE001 - a bug: one line, the traceback on request
        if os.environ.get("ARABIC_DIGEST_DEBUG"):
            raise
        commands.say(f"unexpected error: {type(exc).__name__}: {exc} (this is a bug; rerun "
                     "with ARABIC_DIGEST_DEBUG=1 to see the traceback and report it)")
        sys.exit(70)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
