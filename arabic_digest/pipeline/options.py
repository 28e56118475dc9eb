"""Every option of a run, declared once, in groups that describe themselves.

An `Option` says what users see (its flags, help, panel, default, bounds) and what a record
depends on (`identity`: the key of the run identity it sets, see identity.py). The CLI's
`run` builds its options from this table (cli/run.py), the library's keyword options and
their checks come from it (api.py), and a resume that refuses names the option behind each
setting that differs from it (`IDENTITY_NAMES`). A test walks every CLI option of `run` and
finds exactly one `Option` here.

Names are the library's (api.py, docs/python.md): the CLI's long option with `-` as `_`, and
the positive of a `--no-x` flag (`dedupe` for `--no-dedupe`), whose default is then True.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arabic_digest.errors import UsageProblem, file_in_the_way
from arabic_digest.inputs.articles import DEFAULT_MAX_ARTICLE_CHARS, Fields, ReadOptions
from arabic_digest.inputs.encodings import UnknownEncoding
from arabic_digest.pipeline.presets import (
    DEFAULT_PRESET,
    PRESETS,
    PresetError,
    describe,
    resolve_preset,
)
from arabic_digest.pipeline.spec import Backend, Device, Engine, RunSpec, Shard, Translate
from arabic_digest.summarize.length import (
    LENGTH_PRESETS,
    LengthError,
    SummaryLength,
    resolve_length,
)
from arabic_digest.summarize.loading import is_lead
from arabic_digest.summarize.prompts import PromptError, load_prompt
from arabic_digest.summarize.summarizer import DEFAULT_SUMMARIZATION_MODEL
from arabic_digest.translate.cleaning.options import CleanOptions
from arabic_digest.translate.cleaning.rules import RULES
from arabic_digest.translate.glossary import GlossaryError, load_glossary
from arabic_digest.translate.translator import DEFAULT_TRANSLATION_MODEL


@dataclass(frozen=True)
class Group:
    name: str
    panel: str  # the --help panel of its options
    about: str


READ = Group("read", "Input", "which fields hold what, how to decode and bound the inputs")
CLEAN = Group("clean", "Cleaning", "the cleaning rules to switch off")
MODELS = Group("models", "Models", "the models, where they run and on which backend")
TRANSLATE = Group("translate", "Translation", "how segments are made, batched and checked")
SUMMARIZE = Group("summarize", "Summary", "whether and how long to summarize")
OUTPUT = Group("output", "Run", "the output file: where, resume or start afresh, progress")
ENGINE = Group("engine", "Scale out", "where batches run: this process, shards, Ray")
GROUPS = (READ, CLEAN, MODELS, TRANSLATE, SUMMARIZE, OUTPUT, ENGINE)


@dataclass(frozen=True)
class Option:
    name: str  # the library's keyword; the positive sense of a --no-x flag
    group: Group
    default: Any
    help: str
    decls: tuple[str, ...] = ()  # the CLI's flags when not --<name> (--no-<name> if negative)
    least: int | float | None = None
    most: int | None = None
    identity: str | None = None  # the run-identity key this option sets (identity.py)
    metavar: str | None = None
    negative: bool = False  # a --no-x flag: given, it sets `name` to False
    switch: bool = False  # a flag that takes no value
    show_default: bool = True
    cli: bool = True  # False: library only (api.py)

    @property
    def flags(self) -> tuple[str, ...]:
        return self.decls or ("--" + ("no-" if self.negative else "")
                              + self.name.replace("_", "-"),)

    @property
    def long(self) -> str:
        return next(f for f in self.flags if f.startswith("--"))

    @property
    def param(self) -> str:
        """The CLI function's parameter name (`no_dedupe` for --no-dedupe)."""
        return self.long.removeprefix("--").replace("-", "_")

    def check(self, value: Any) -> None:
        """ValueError when a number is out of the option's bounds (the CLI's min=/max=)."""
        if self.least is None or (value is None and self.default is None):
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{self.name} must be a whole number, not {value!r}")
        if value < self.least or (self.most is not None and value > self.most):
            bound = (f"from {self.least} to {self.most}" if self.most is not None
                     else f"at least {self.least}")
            raise ValueError(f"{self.name} must be {bound}, not {value}")


def _length_help() -> str:
    presets = ", ".join(f"{k}: {a}-{b} tokens" for k, (a, b) in LENGTH_PRESETS.items())
    return f"Length preset ({presets}); --summary-min/max-tokens override it."


OPTIONS_LIST: tuple[Option, ...] = (
    # output
    Option("output", OUTPUT, None, "Output JSONL (default: outputs/<stem of first input>.jsonl).",
           decls=("-o", "--output")),
    Option("overwrite", OUTPUT, False, "Start afresh instead of resuming.", switch=True),
    Option("retry_errors", OUTPUT, False, "Redo records that are errors.", switch=True),
    Option("quiet", OUTPUT, False, "No progress bars (transformers' per-model 'Loading weights' "
           "bars are always off; Hub download bars show unless --quiet).",
           decls=("--quiet", "-q"), switch=True),
    # models
    Option("preset", MODELS, None, "Speed/quality dial over the models and beams: "
           + ", ".join(describe(name) for name in PRESETS) + f". Default: {DEFAULT_PRESET}. "
           "--translation-model, --summarization-model and --beams override it.",
           metavar="<preset>", show_default=False),
    Option("translation_model", MODELS, None, "Hub id or local folder of the translation "
           f"model. Default: the --preset's ({DEFAULT_TRANSLATION_MODEL} for {DEFAULT_PRESET})",
           identity="translation.id", show_default=False),
    Option("summarization_model", MODELS, None, "Hub id or local folder of the summarization "
           "model (BART/PEGASUS, T5/FLAN-T5 or a chat model), or lead-N for the first N "
           f"sentences. Default: the --preset's ({DEFAULT_SUMMARIZATION_MODEL} for "
           f"{DEFAULT_PRESET})", identity="summarization.id", show_default=False),
    Option("device", MODELS, "auto", "Where models run (auto: CUDA if torch sees one)."),
    # The choices are named in the help: as a metavar they widen the type column of the
    # whole panel, which squeezes the help column until the model defaults are cut at 80.
    Option("backend", MODELS, "auto", "auto: CTranslate2 (converted once and cached), "
           "transformers where a model cannot be converted; or ctranslate2, or transformers.",
           metavar="<backend>", identity="translation.backend"),
    # summarize
    Option("summary", SUMMARIZE, True, "Translate only; skip summaries.", negative=True,
           switch=True, identity="summarization"),
    Option("summary_length", SUMMARIZE, None, _length_help(), identity="summary_length"),
    Option("summary_min_tokens", SUMMARIZE, None, "Shortest summary, in generated tokens "
           "(default: the model's own).", least=0, identity="summary_length"),
    Option("summary_max_tokens", SUMMARIZE, None, "Longest summary, in generated tokens "
           "(default: the model's own).", least=1, identity="summary_length"),
    Option("prompt", SUMMARIZE, None, "Prompt template for T5 and chat models: a name in "
           "prompts/ (t5-summarize, news-digest, headline...) or a .txt path.",
           identity="prompt"),
    # read
    Option("text_field", READ, None, "Field holding the article text (default: "
           "text|body|content|article).", identity="fields"),
    Option("title_field", READ, None, "Title field (default: title|headline).",
           identity="fields"),
    Option("id_field", READ, None, "Id field (default: id; else <file>:<line>).",
           identity="fields"),
    Option("limit", READ, None, "Only the first N articles.", least=0),
    Option("encoding", READ, None, "Encoding of every input file (default: detect per file: "
           "BOM, UTF-8, Windows-1256/ISO-8859-6).", identity="read_options"),
    Option("max_article_chars", READ, DEFAULT_MAX_ARTICLE_CHARS, "Reject (error record) an "
           "article longer than this many characters; 0: no limit.", least=0,
           identity="read_options"),
    Option("language_check", READ, True, "Process articles even when they are not Arabic.",
           negative=True, switch=True, identity="language_check"),
    Option("dedupe_ids", READ, False, "Process repeated ids as ID~2, ID~3... instead of error "
           "records.", switch=True, identity="ids"),
    Option("stories", READ, True, "Do not group articles of the same story (no `story` "
           "field).", negative=True, switch=True, identity="stories"),
    # clean
    Option("keep_diacritics", CLEAN, False, "Do not strip Arabic diacritics and tatweel.",
           switch=True, identity="cleaning"),
    Option("keep_digits", CLEAN, False, "Keep Arabic-Indic digits as they are.", switch=True,
           identity="cleaning"),
    Option("keep_punctuation", CLEAN, False, "Skip the Moses-style quote, dash and ellipsis "
           "mapping.", switch=True, identity="cleaning"),
    Option("keep_boilerplate", CLEAN, False, "Keep boilerplate lines (share prompts, 'read "
           "also', markers...).", switch=True, identity="cleaning"),
    Option("keep_letters", CLEAN, False, "Keep Persian/Urdu letter forms (ک ی ۔) instead of "
           "mapping them to Arabic.", switch=True, identity="cleaning"),
    Option("keep_kind", CLEAN, (), "Keep one kind of boilerplate (repeatable): title, "
           "dateline, marker, prompt, read_also, image_credit, embed, links, markup, ...",
           identity="cleaning"),
    # translate
    Option("dedupe", TRANSLATE, True, "Translate repeated segments again instead of once per "
           "run.", negative=True, switch=True),
    Option("beams", TRANSLATE, None, "Beam size (default: the --preset's; for default, the "
           "model's generation config).", least=1, identity="translation.num_beams"),
    Option("batch_tokens", TRANSLATE, 4096, "Token budget of one translation batch (rows x "
           "longest row); does not change any output.", least=16),
    Option("segment_tokens", TRANSLATE, 200, "Longest segment sent to the translator, in its "
           "tokens.", least=8, most=500, identity="segment_tokens"),
    Option("retry_doubtful", TRANSLATE, True, "Flag doubtful segments but do not retry them.",
           decls=("--no-retry",), negative=True, switch=True, identity="retry_doubtful"),
    Option("glossary", TRANSLATE, None, "Terms to check, one per line: Arabic, a TAB, English "
           "(more TAB-separated variants allowed); a segment with a term whose rendering the "
           "translation lacks is flagged.", metavar="FILE.tsv", identity="glossary"),
    Option("translate", TRANSLATE, "all", "all, or leads: translate and summarize only each "
           "story's lead; the other articles of a story get skipped records (reason "
           "story_member).", identity="translate"),
    # engine
    Option("shard", ENGINE, None, "Only shard K of N (0-based; by sha1 of the id); the default "
           "output name ends in .shard-K-of-N.jsonl. Join shards with `merge`.", metavar="K/N",
           identity="shard"),
    Option("engine", ENGINE, "local", "local (this process) or ray (a Ray cluster; pip "
           "install 'arabic-digest\\[ray]')."),
    Option("ray_address", ENGINE, None, "Ray cluster to join: auto, or HOST:PORT (default: "
           "RAY_ADDRESS, else a new local Ray)."),
    Option("ray_actors", ENGINE, 1, "Ray: actors per model (each loads its model once).",
           least=1),
    Option("ray_gpus_per_actor", ENGINE, None, "Ray: GPUs per model actor (default: 1 with "
           "--device cuda, or auto on a cluster with GPUs; else 0).", least=0),
    # Articles pooled until their segments fill this many batches (library only).
    Option("pool_batches", ENGINE, 8, "Batches of --batch-tokens an engine batch pools.",
           least=1, cli=False),
    Option("max_pool_articles", ENGINE, 64, "Most articles in one engine batch.", least=1,
           cli=False),
)
OPTIONS: dict[str, Option] = {o.name: o for o in OPTIONS_LIST}

# What the identity holds that no option sets, named for people.
_OTHER_NAMES = {
    "inputs": "the inputs",
    "translation": "the translation model",
    "translation.revision": "the translation model's revision",
    "translation.compute_type": "the translation model's compute type",
    "summarization.revision": "the summarization model's revision",
    "summarization.backend": "--backend (summarization)",
    "summarization.compute_type": "the summarization model's compute type",
}


def _identity_names() -> dict[str, str]:
    names: dict[str, list[str]] = {}
    for o in OPTIONS_LIST:
        if o.identity:
            names.setdefault(o.identity, []).append(o.long)
    out = {key: "/".join(flags) for key, flags in names.items()}
    out["cleaning"] = "the cleaning options (--keep-*)"
    out["stories"] += " (or another version of the story grouping)"
    out["summarization"] = "the summarization model (or --no-summary)"
    out["translation.backend"] += " (translation)"
    return {**_OTHER_NAMES, **out}


# Dotted identity keys as the user knows them (the options that set them), for resume/merge.
IDENTITY_NAMES = _identity_names()


# --- each group's checks: option values to the parts of a RunSpec (UsageProblem) -------------

def refuse_folder_output(output: Path | None) -> None:
    """Refuse, before any work, an output that is a folder or lies under a file."""
    if output is None:
        return
    if output.is_dir():
        raise UsageProblem(f"cannot write {output}: Is a directory (choose another with -o)")
    blocking = file_in_the_way(output.parent)
    if blocking is not None:
        raise UsageProblem(f"cannot write {output}: {blocking} is a file, not a folder "
                           "(choose another with -o)")


def looks_like_path(model: str) -> bool:
    """A Hub id is NAME or OWNER/NAME; anything else given as a model is meant as a folder."""
    return (model.startswith((".", "/", "~")) or model.count("/") > 1 or "\\" in model
            or Path(model).exists())


def check_model_path(model: str | None) -> None:
    """`./opus-mt-ar-en` that is not there: say so, instead of the Hub's id rules."""
    if model is None or is_lead(model) or not looks_like_path(model):
        return
    if not Path(model).expanduser().is_dir():
        raise UsageProblem(f"no such folder: {model}")


def offline_for_local_models(models: Sequence[str | None]) -> None:
    """Local folders (and lead-N) need no Hub: do not let a lookup retry over the network.
    Only when every model is local, since one Hub id still needs the Hub (or its cache)."""
    given = [m for m in models if m is not None]
    if (given and all(is_lead(m) or Path(m).expanduser().is_dir() for m in given)
            and not os.environ.get("HF_HUB_OFFLINE")):  # an explicit 0 is the user's call
        os.environ["HF_HUB_OFFLINE"] = "1"


def checked_clean(options: CleanOptions) -> CleanOptions:
    """`options`, unless it keeps a kind of boilerplate no rule has (UsageProblem)."""
    unknown = set(options.keep_kinds) - {rule.kind for rule in RULES}
    if unknown:
        kinds = ", ".join(sorted({rule.kind for rule in RULES}))
        raise UsageProblem(f"unknown --keep-kind {', '.join(sorted(unknown))} (kinds: {kinds})")
    return options


def clean_options(keep_diacritics: bool = False, keep_digits: bool = False,
                  keep_punctuation: bool = False, keep_boilerplate: bool = False,
                  keep_letters: bool = False, keep_kind: Iterable[str] | None = ()
                  ) -> CleanOptions:
    """The CleanOptions of the --keep-* flags (UsageProblem for an unknown --keep-kind)."""
    return checked_clean(CleanOptions(keep_diacritics, keep_digits, keep_punctuation,
                                      keep_boilerplate, keep_letters,
                                      frozenset(keep_kind or ())))


def read_options(encoding: str | None, max_article_chars: int) -> ReadOptions:
    if encoding:
        from arabic_digest.inputs.encodings import given_name

        try:
            given_name(encoding)
        except UnknownEncoding as exc:
            raise UsageProblem(f"--encoding: {exc}") from None
    return ReadOptions(encoding, max_article_chars or None)


def summary_options(model: str | None, preset: str | None, min_tokens: int | None,
                    max_tokens: int | None, prompt: str | None) -> SummaryLength:
    """Check the length and prompt options before anything loads."""
    try:
        resolved = resolve_length(preset, min_tokens, max_tokens)
        if prompt is not None:
            load_prompt(prompt)
    except (LengthError, PromptError) as exc:
        raise UsageProblem(str(exc)) from None
    if model and is_lead(model) and (prompt or resolved != SummaryLength()):
        raise UsageProblem(f"{model} takes the first sentences as they are: --prompt and "
                           "--summary-* lengths do not apply")
    return resolved


def build_spec(inputs: Sequence[str], *, output: Path | None, translation_model: str | None,
               summarization_model: str | None, summary_length: str | None,
               summary_min_tokens: int | None, summary_max_tokens: int | None,
               prompt: str | None, fields: Fields, device: Device, backend: Backend,
               dedupe: bool, beams: int | None, batch_tokens: int, segment_tokens: int,
               limit: int | None, overwrite: bool, retry_errors: bool, retry_doubtful: bool,
               quiet: bool, clean: CleanOptions, encoding: str | None, max_article_chars: int,
               language_check: bool, dedupe_ids: bool, shard: str | None,
               glossary: Path | None, engine: Engine, stories: bool = True,
               translate: Translate = Translate.all, preset: str | None = None,
               summary: bool = True) -> RunSpec:
    """The one RunSpec of a `run` command line (UsageProblem when the options do not fit).

    A model (or beams) given as None is the preset's; `summary=False` is --no-summary.
    """
    try:
        chosen = resolve_preset(preset, translation_model=translation_model,
                                summarization_model=summarization_model, beams=beams)
    except PresetError as exc:
        raise UsageProblem(str(exc)) from None
    translation_model, beams = chosen.translation_model, chosen.beams
    summarization_model = chosen.summarization_model if summary else None
    try:
        selected = Shard.parse(shard) if shard is not None else None
        terms = load_glossary(glossary) if glossary is not None else None
    except (ValueError, GlossaryError) as exc:
        raise UsageProblem(str(exc)) from None
    if translate == Translate.leads and not stories:
        raise UsageProblem("--translate leads needs stories: drop --no-stories")
    if translate == Translate.leads and "-" in inputs:
        raise UsageProblem("--translate leads needs files: stories read the input twice, "
                           "stdin once")
    length = summary_options(summarization_model, summary_length, summary_min_tokens,
                             summary_max_tokens, prompt)
    check_model_path(translation_model)
    check_model_path(summarization_model)
    refuse_folder_output(output)
    return RunSpec(
        inputs=tuple(inputs), output=output, translation_model=translation_model,
        summarization_model=summarization_model, summary_length=length, prompt=prompt,
        fields=fields, device=device, beams=beams, batch_tokens=batch_tokens, backend=backend,
        dedupe=dedupe, segment_tokens=segment_tokens, limit=limit, overwrite=overwrite,
        retry_errors=retry_errors, quiet=quiet, retry_doubtful=retry_doubtful,
        clean_options=checked_clean(clean),
        read_options=read_options(encoding, max_article_chars),
        language_check=language_check, dedupe_ids=dedupe_ids, shard=selected,
        glossary=terms, engine=engine, stories=stories, translate=translate,
        preset=chosen.preset)
