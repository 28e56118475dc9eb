"""The typed CLI options commands share, from the run options pipeline/options.py declares:
one at a time as `opt.Output` and the like, or a group of them (FIELDS, KEEP, LENGTH) added to
a command by `shared`."""

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
    """A run option's declared default (the commands wrap a choice's in its Enum)."""
    return OPTIONS[name].default


Output = Annotated[Path | None, declared("output")]
Encoding = Annotated[str | None, declared("encoding")]
MaxArticleChars = Annotated[int, declared("max_article_chars")]
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
Quiet = Annotated[bool, declared("quiet")]
Overwrite = Annotated[bool, declared("overwrite")]
Replace = Annotated[bool, flag("--overwrite", "Replace the output if it exists.")]
RunOutput = Annotated[Path, typer.Argument(metavar="OUTPUT.jsonl", help="A run's output JSONL.")]


# --- groups of options several commands take --------------------------------------------------

FIELDS = ("text_field", "title_field", "id_field")  # run, clean, check, merge
KEEP = ("keep_diacritics", "keep_digits", "keep_punctuation", "keep_boilerplate",
        "keep_letters", "keep_kind")  # run, clean
LENGTH = ("summary_length", "summary_min_tokens", "summary_max_tokens", "prompt")  # run, summarize

# Each shared option's type on the command line (its flags, help and bounds: declared()).
_TYPES: dict[str, Any] = {
    **dict.fromkeys(("text_field", "title_field", "id_field", "prompt"), str | None),
    **dict.fromkeys(KEEP[:-1], bool), "keep_kind": list[str] | None,
    "summary_length": LengthPreset | None, "summary_min_tokens": int | None,
    "summary_max_tokens": int | None}
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
                                   annotation=Annotated[_TYPES[name], declared(name)],
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
