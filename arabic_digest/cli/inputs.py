"""`arabic-digest clean` and `check`: what `run` reads and makes of its inputs, no model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from arabic_digest.cli import options as opt
from arabic_digest.cli.common import EXIT_OK, EXIT_SOME_ERRORS, failures, fields, flag, say
from arabic_digest.errors import UsageProblem
from arabic_digest.inputs.readers import DEFAULT_MAX_ARTICLE_CHARS, Fields, InputError, ReadOptions
from arabic_digest.pipeline.options import (
    check_model_path,
    clean_options,
    read_options,
    refuse_folder_output,
)
from arabic_digest.translate.cleaning.options import CleanOptions
from arabic_digest.translate.translator import ModelLoadError


def clean(inputs: Sequence[str], output: Path | None, fields: Fields, options: CleanOptions,
          tokenizer: str | None, segment_tokens: int, overwrite: bool = False) -> int:
    """Cleaning and segmentation only, to inspect the rules: 0, or 1 with error records."""
    from arabic_digest.pipeline.clean_only import clean_corpus, clean_output

    path = clean_output(list(inputs), output)
    refuse_folder_output(path)
    check_model_path(tokenizer)
    if path.exists() and not overwrite:
        raise UsageProblem(f"{path} exists; pass --overwrite to replace it, or choose another "
                           "with -o")
    with failures(OSError, InputError, ModelLoadError, output=path):
        path, counts = clean_corpus(list(inputs), path, fields, options, tokenizer,
                                    segment_tokens)
    say(", ".join(f"{v} {k}" for k, v in counts.items()) + f" -> {path}")
    return EXIT_SOME_ERRORS if counts.get("error") else EXIT_OK


def check(inputs: Sequence[str], fields: Fields, opts: ReadOptions, language: bool,
          as_json: bool) -> int:
    """What `run` would read, and what is wrong with it: 0, or 1 with problems."""
    from arabic_digest.inputs.readers import skipped_files
    from arabic_digest.pipeline.check import check as check_inputs_report
    from arabic_digest.pipeline.check import render

    with failures(OSError, InputError):
        reports = check_inputs_report(list(inputs), fields, opts, language=language)
    if as_json:
        print(json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=2))
    else:
        print(render(reports, skipped_files(inputs)))
    return EXIT_SOME_ERRORS if any(r.problems for r in reports) else EXIT_OK


@opt.shared(*opt.KEEP, after="segment_tokens")
@opt.shared(*opt.FIELDS, after="output")
def clean_cli(
    inputs: opt.Inputs,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Output JSONL (default: outputs/<stem of first input>.clean."
        "jsonl).")] = None,
    tokenizer: Annotated[str | None, typer.Option(
        help="Translation tokenizer (id or folder) to count segment budgets in (default: "
             "count words).")] = None,
    segment_tokens: opt.SegmentTokens = 200,
    overwrite: opt.Replace = False,
    **shared: Any,
) -> None:
    """Clean and segment only (no model): records with `source` and `clean`, to inspect rules."""
    options = clean_options(*(shared[k] for k in opt.KEEP))
    raise typer.Exit(clean(inputs, output, fields(*(shared[k] for k in opt.FIELDS)), options,
                           tokenizer, segment_tokens, overwrite))


@opt.shared(*opt.FIELDS, after="inputs")
def check_cli(
    inputs: opt.Inputs,
    encoding: opt.Encoding = None,
    max_article_chars: opt.MaxArticleChars = DEFAULT_MAX_ARTICLE_CHARS,
    no_language_check: Annotated[bool, flag(
        "--no-language-check", "Do not identify languages.")] = False,
    as_json: Annotated[bool, flag("--json", "Print the report as JSON.")] = False,
    **shared: Any,
) -> None:
    """Report what `run` would read (counts, fields, encodings, languages, problems); no model.

    Exit 0: nothing wrong; 1: problems (bad lines, duplicate ids, empty, oversize or
    non-Arabic articles, undecodable bytes); 2: an input cannot be read at all.
    """
    opts = read_options(encoding, max_article_chars)
    raise typer.Exit(check(inputs, fields(*(shared[k] for k in opt.FIELDS)), opts,
                           not no_language_check, as_json))
