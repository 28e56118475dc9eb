"""The typed CLI options every command shares, declared once (`run`'s from the declared
options of pipeline/options.py): commands take them as `opt.TextField` and the like."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from arabic_digest.cli.common import LengthPreset, ModelPreset, flag
from arabic_digest.pipeline.options import OPTIONS
from arabic_digest.pipeline.spec import Backend, Device

# --- option declarations, once for every command that takes them ----------------------------

P_INPUT, P_CLEAN, P_MODELS, P_TRANSLATE, P_SUMMARY, P_RUN, P_SCALE = (
    "Input", "Cleaning", "Models", "Translation", "Summary", "Run", "Scale out")

Inputs = Annotated[list[str], typer.Argument(
    help="JSONL, JSON, CSV/TSV, .txt or .html files, folders of them, or - for JSONL on stdin.")]


def declared(name: str) -> typer.models.OptionInfo:
    """The CLI option of a run option, as pipeline/options.py declares it (flags, help, group
    panel, bounds): every command taking it shows the same."""
    o = OPTIONS[name]
    return typer.Option(*o.flags, help=o.help, rich_help_panel=o.group.panel,
                        metavar="" if o.switch else o.metavar, show_default=o.show_default,
                        min=o.least, max=o.most)


def default(name: str) -> object:
    """A run option's declared default (numbers; flags default to off, choices to their
    Enum's member of the declared value)."""
    return OPTIONS[name].default


Output = Annotated[Path | None, declared("output")]
TextField = Annotated[str | None, declared("text_field")]
TitleField = Annotated[str | None, declared("title_field")]
IdField = Annotated[str | None, declared("id_field")]
Encoding = Annotated[str | None, declared("encoding")]
MaxArticleChars = Annotated[int, declared("max_article_chars")]
KeepDiacritics = Annotated[bool, declared("keep_diacritics")]
KeepDigits = Annotated[bool, declared("keep_digits")]
KeepPunctuation = Annotated[bool, declared("keep_punctuation")]
KeepBoilerplate = Annotated[bool, declared("keep_boilerplate")]
KeepLetters = Annotated[bool, declared("keep_letters")]
KeepKind = Annotated[list[str] | None, declared("keep_kind")]
SegmentTokens = Annotated[int, declared("segment_tokens")]
# The model options default to None: "not given", so the --preset's model is used.
TranslationModel = Annotated[str | None, declared("translation_model")]
SummarizationModel = Annotated[str | None, declared("summarization_model")]
# None: not given (run and summarize use the default preset; eval keeps its own defaults).
PresetOpt = Annotated[ModelPreset | None, declared("preset")]
DeviceOpt = Annotated[Device, declared("device")]
BackendOpt = Annotated[Backend, declared("backend")]
Beams = Annotated[int | None, declared("beams")]
BatchTokens = Annotated[int, declared("batch_tokens")]
NoRetry = Annotated[bool, declared("retry_doubtful")]
SummaryLengthOpt = Annotated[LengthPreset | None, declared("summary_length")]
SummaryMinTokens = Annotated[int | None, declared("summary_min_tokens")]
SummaryMaxTokens = Annotated[int | None, declared("summary_max_tokens")]
PromptOpt = Annotated[str | None, declared("prompt")]
Quiet = Annotated[bool, declared("quiet")]
Overwrite = Annotated[bool, declared("overwrite")]
Replace = Annotated[bool, flag("--overwrite", "Replace the output if it exists.")]
RunOutput = Annotated[Path, typer.Argument(metavar="OUTPUT.jsonl", help="A run's output JSONL.")]


# --- groups of options several commands take --------------------------------------------------

FIELDS = ("text_field", "title_field", "id_field")  # run, clean, check, eval
KEEP = ("keep_diacritics", "keep_digits", "keep_punctuation", "keep_boilerplate",
        "keep_letters", "keep_kind")  # run, clean
LENGTH = ("summary_length", "summary_min_tokens", "summary_max_tokens", "prompt")  # run, summarize

_TYPED = {"text_field": TextField, "title_field": TitleField, "id_field": IdField,
          "keep_diacritics": KeepDiacritics, "keep_digits": KeepDigits,
          "keep_punctuation": KeepPunctuation, "keep_boilerplate": KeepBoilerplate,
          "keep_letters": KeepLetters, "keep_kind": KeepKind, "summary_length": SummaryLengthOpt,
          "summary_min_tokens": SummaryMinTokens, "summary_max_tokens": SummaryMaxTokens,
          "prompt": PromptOpt}
F = TypeVar("F", bound=Callable[..., Any])


def shared(*names: str, after: str) -> Callable[[F], F]:
    """Give a command the options `names` (a group above) as parameters after its parameter
    `after`, declared here once for every command that takes them; the command receives them
    in its `**shared` keyword arguments (not given: False for a flag, else None)."""
    def add(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        params = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
        at = [p.name for p in params].index(after) + 1
        added = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                   annotation=_TYPED[name],
                                   default=False if OPTIONS[name].switch else None)
                 for name in names]
        command.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=params[:at] + added + params[at:])
        return command
    return add


def length_options(shared: dict[str, Any]) -> dict[str, Any]:
    """The LENGTH group's values as build_spec takes them (the preset by its name)."""
    length = shared["summary_length"]
    return {"summary_length": length.value if length else None,
            **{k: shared[k] for k in LENGTH[1:]}}
