"""What the commands share: messages, checks that raise UsageProblem, the option declarations
(once, for every command that takes them) and the help's formatting.

Commands print their messages one line each, prefixed `arabic-digest:`, and return the exit
code of what they did: 0 all good, 1 done with error records or problems. A failure is an
ArabicDigestError carrying its own exit code (arabic_digest/errors.py), caught once in
`cli.main`.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperCommand, TyperGroup

from arabic_digest.errors import ArabicDigestError, FileError, UsageProblem, os_problem
from arabic_digest.inputs.readers import Fields
from arabic_digest.pipeline.presets import DEFAULT_PRESET, PRESETS, describe
from arabic_digest.pipeline.spec import Backend, Device
from arabic_digest.summarize.length import (
    LENGTH_PRESETS,
)
from arabic_digest.summarize.summarizer import DEFAULT_SUMMARIZATION_MODEL
from arabic_digest.text import terminal_safe
from arabic_digest.translate.translator import DEFAULT_TRANSLATION_MODEL

EXIT_OK, EXIT_SOME_ERRORS = 0, 1


# --- messages and failures -------------------------------------------------------------------

def say(message: str) -> None:
    # Messages carry input (ids, paths, outlets): shown terminal-safe, line by line.
    safe = "\n".join(terminal_safe(line, None) for line in message.split("\n"))
    print(f"arabic-digest: {safe}", file=sys.stderr, flush=True)


def say_error(exc: ArabicDigestError) -> None:
    """A failure as the CLI tells it: `arabic-digest: error: <message>`."""
    say(f"error: {exc}")


@contextmanager
def failures(*kinds: type[BaseException], output: Path | None = None) -> Iterator[None]:
    """The failures a command expects of the code it calls, as ArabicDigestError (exit 2):
    an OSError (when OSError is among `kinds`) as FileError with os_problem's line, any other
    of `kinds` with its own message. An ArabicDigestError passes as it is."""
    try:
        yield
    except ArabicDigestError:
        raise
    except kinds as exc:
        if isinstance(exc, OSError):
            raise FileError(os_problem(exc, output)) from exc
        raise ArabicDigestError(str(exc)) from exc


# --- checks before any work (UsageProblem) ----------------------------------------------------

def need_file(path: Path) -> None:
    if not path.is_file():
        raise UsageProblem(f"no such file: {path}")


def fields(text: str | None, title: str | None, id_: str | None) -> Fields:
    return Fields(text, title, id_)


# --- the help's formatting --------------------------------------------------------------------

class _PlainHelp:
    """-h/--help shows no `<bool>` type: it takes no value."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option


class Command(_PlainHelp, TyperCommand):
    pass


class Group(_PlainHelp, TyperGroup):
    pass


def unwrap_help(*apps: typer.Typer) -> None:
    """Docstrings wrap at 100 columns in the source; Rich keeps those line breaks in every
    paragraph after the first, which then break mid-sentence in the terminal. Join them."""
    for one in apps:
        for command in one.registered_commands:
            doc = command.help or (command.callback.__doc__ if command.callback else None)
            if doc:
                paragraphs = inspect.cleandoc(doc).split("\n\n")
                command.help = "\n\n".join(" ".join(p.split("\n")) for p in paragraphs)
            command.cls = Command


def choices(name: str, values: Iterable[str]) -> type[Enum]:
    """An Enum of the values the code defines (one list, so help and code cannot drift)."""
    return Enum(name, [(v, v) for v in values], type=str)  # type: ignore[return-value]


def flag(name: str, help_text: str, panel: str | None = None) -> typer.models.OptionInfo:
    """A plain on/off flag, without typer's --no-x twin, and without a `<bool>` metavar (a
    flag takes no value; an empty metavar leaves the type column blank)."""
    return typer.Option(name, help=help_text, rich_help_panel=panel, metavar="")


LengthPreset = choices("LengthPreset", LENGTH_PRESETS)
ModelPreset = choices("ModelPreset", PRESETS)


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
KeepDiacritics = Annotated[bool, flag(
    "--keep-diacritics", "Do not strip Arabic diacritics and tatweel.", P_CLEAN)]
KeepDigits = Annotated[bool, flag(
    "--keep-digits", "Keep Arabic-Indic digits as they are.", P_CLEAN)]
KeepPunctuation = Annotated[bool, flag(
    "--keep-punctuation", "Skip the Moses-style quote, dash and ellipsis mapping.", P_CLEAN)]
KeepBoilerplate = Annotated[bool, flag(
    "--keep-boilerplate", "Keep boilerplate lines (share prompts, 'read also', markers...).",
    P_CLEAN)]
KeepLetters = Annotated[bool, flag(
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
NoRetry = Annotated[bool, flag(
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
Overwrite = Annotated[bool, flag("--overwrite", "Start afresh instead of resuming.", P_RUN)]
Replace = Annotated[bool, flag("--overwrite", "Replace the output if it exists.")]
RunOutput = Annotated[Path, typer.Argument(metavar="OUTPUT.jsonl", help="A run's output JSONL.")]
