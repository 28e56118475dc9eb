"""What each command does, as importable functions; `cli.py` only declares the options.

Every function here prints its messages (one line each, prefixed `arabic-digest:`) and
returns the exit code: 0 all good, 1 done with error records or problems, 2 nothing done
(bad options or inputs, refused), 3 a write failed midway, 130/143 interrupted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .encodings import UnknownEncoding
from .guard import LockedError, OutputNotWritable
from .identity import IdentityMismatch
from .readers import Fields, InputError, ReadOptions
from .records import NotAnOutput
from .spec import Backend, Device, Engine, RunSpec, Shard, Translate
from .summarize.length import LengthError, SummaryLength, resolve_length
from .summarize.loading import is_lead
from .summarize.prompts import PromptError, load_prompt
from .summarize.summarizer import DEFAULT_SUMMARIZATION_MODEL, SummarizerLoadError
from .translate.clean import RULES, CleanOptions
from .translate.glossary import GlossaryError, load_glossary
from .translate.translator import DEFAULT_TRANSLATION_MODEL, ModelLoadError

EXIT_OK, EXIT_SOME_ERRORS, EXIT_NOTHING_DONE = 0, 1, 2


class UsageProblem(Exception):
    """Options or inputs that cannot be used: exit 2 before anything is done."""


def say(message: str) -> None:
    print(f"arabic-digest: {message}", file=sys.stderr, flush=True)


def fail(message: str) -> int:
    say(f"error: {message}")
    return EXIT_NOTHING_DONE


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else words or word + 's'}"


# --- building options ------------------------------------------------------------------------

@dataclass(frozen=True)
class CleanFlags:
    keep_diacritics: bool = False
    keep_digits: bool = False
    keep_punctuation: bool = False
    keep_boilerplate: bool = False
    keep_letters: bool = False
    keep_kind: tuple[str, ...] = ()

    def options(self) -> CleanOptions:
        unknown = set(self.keep_kind) - {rule.kind for rule in RULES}
        if unknown:
            kinds = ", ".join(sorted({rule.kind for rule in RULES}))
            raise UsageProblem(f"unknown --keep-kind {', '.join(sorted(unknown))} "
                               f"(kinds: {kinds})")
        return CleanOptions(self.keep_diacritics, self.keep_digits, self.keep_punctuation,
                            self.keep_boilerplate, self.keep_letters, frozenset(self.keep_kind))


def read_options(encoding: str | None, max_article_chars: int) -> ReadOptions:
    if encoding:
        from .encodings import given_name

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


def build_spec(inputs: Sequence[str], *, output: Path | None, translation_model: str,
               summarization_model: str | None, summary_length: str | None,
               summary_min_tokens: int | None, summary_max_tokens: int | None,
               prompt: str | None, fields: Fields, device: Device, backend: Backend,
               dedupe: bool, beams: int | None, batch_tokens: int, segment_tokens: int,
               limit: int | None, overwrite: bool, retry_errors: bool, retry_doubtful: bool,
               quiet: bool, clean: CleanFlags, encoding: str | None, max_article_chars: int,
               language_check: bool, dedupe_ids: bool, shard: str | None,
               glossary: Path | None, engine: Engine, stories: bool = True,
               translate: Translate = Translate.all) -> RunSpec:
    """The one RunSpec of a `run` command line (UsageProblem when the options do not fit)."""
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
    return RunSpec(
        inputs=tuple(inputs), output=output, translation_model=translation_model,
        summarization_model=summarization_model, summary_length=length, prompt=prompt,
        fields=fields, device=device, beams=beams, batch_tokens=batch_tokens, backend=backend,
        dedupe=dedupe, segment_tokens=segment_tokens, limit=limit, overwrite=overwrite,
        retry_errors=retry_errors, quiet=quiet, retry_doubtful=retry_doubtful,
        clean_options=clean.options(),
        read_options=read_options(encoding, max_article_chars),
        language_check=language_check, dedupe_ids=dedupe_ids, shard=selected,
        glossary=terms, engine=engine, stories=stories, translate=translate)


# --- commands ------------------------------------------------------------------------------

def run(spec: RunSpec, ray_options: Any = None) -> int:
    """`arabic-digest run`: the whole pipeline, resumable; see runner.py."""
    from .runner import RunStopped
    from .runner import run as run_local

    try:
        if spec.engine == Engine.ray:
            from .ray_engine import RayEngineError, RayOptions, run_ray

            try:
                stats = run_ray(spec, ray_options or RayOptions())
            except RayEngineError as exc:
                return fail(str(exc))
        else:
            stats = run_local(spec)
    except RunStopped as exc:
        say(str(exc))
        say(exc.stats.closing_line())
        return exc.exit_code
    except (KeyboardInterrupt, SystemExit) as exc:  # a second signal while models loaded
        say("stopped at once while loading models; nothing was written in this run")
        return exc.code if isinstance(exc, SystemExit) and isinstance(exc.code, int) else 130
    except (InputError, ModelLoadError, SummarizerLoadError, PromptError, LockedError,
            OutputNotWritable, IdentityMismatch, OSError) as exc:
        return fail(str(exc))
    say(stats.closing_line())
    return EXIT_SOME_ERRORS if stats.has_errors else EXIT_OK


def clean(inputs: Sequence[str], output: Path | None, fields: Fields, flags: CleanFlags,
          tokenizer: str | None, segment_tokens: int) -> int:
    """`arabic-digest clean`: cleaning and segmentation only, to inspect the rules."""
    from .cleaning import clean_corpus

    try:
        path, counts = clean_corpus(list(inputs), output, fields, flags.options(), tokenizer,
                                    segment_tokens)
    except (InputError, ModelLoadError, OSError) as exc:
        return fail(str(exc))
    say(", ".join(f"{v} {k}" for k, v in counts.items()) + f" -> {path}")
    return EXIT_SOME_ERRORS if counts.get("error") else EXIT_OK


def summarize(input: Path, output: Path | None, model: str, length: SummaryLength,
              prompt: str | None, device: Device, overwrite: bool, quiet: bool) -> int:
    """`arabic-digest summarize`: summarize a finished run's translations again."""
    from .resummarize import ResummarizeConfig, resummarize

    cfg = ResummarizeConfig(input, output, model, length, prompt, device.value,
                            overwrite=overwrite, quiet=quiet)
    try:
        stats = resummarize(cfg)
    except (InputError, SummarizerLoadError, PromptError, OSError, ValueError) as exc:
        return fail(str(exc))
    say(stats.closing_line())
    return EXIT_SOME_ERRORS if stats.error else EXIT_OK


def check(inputs: Sequence[str], fields: Fields, opts: ReadOptions, language: bool,
          as_json: bool) -> int:
    """`arabic-digest check`: what `run` would read, and what is wrong with it."""
    from .check import check as check_inputs_report
    from .check import render

    try:
        reports = check_inputs_report(list(inputs), fields, opts, language=language)
    except (InputError, OSError) as exc:
        return fail(str(exc))
    if as_json:
        print(json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=2))
    else:
        print(render(reports))
    return EXIT_SOME_ERRORS if any(r.problems for r in reports) else EXIT_OK


def report(output_jsonl: Path, output: Path | None) -> int:
    """`arabic-digest report`: one self-contained HTML page of a run."""
    from .report import write_report

    if not output_jsonl.is_file():
        return fail(f"no such file: {output_jsonl}")
    try:
        path, view = write_report(output_jsonl, output)
    except (NotAnOutput, OSError) as exc:
        return fail(str(exc))
    counts = ", ".join(f"{n} {k}" for k, n in view.counts.items())
    bad = f"; {plural(view.unreadable, 'unreadable line')} skipped" if view.unreadable else ""
    say(f"report of {plural(len(view.articles), 'article')} ({counts}){bad} -> {path}")
    return EXIT_OK


def digest(output_jsonl: Path, output: Path | None, fmt: str | None, order: str,
           report_path: Path | None, by: str = "story") -> int:
    """`arabic-digest digest`: the English digest of a run."""
    from .digest import write_digest

    if not output_jsonl.is_file():
        return fail(f"no such file: {output_jsonl}")
    try:
        path, result = write_digest(output_jsonl, output, fmt, order, report_path, by)
    except (ValueError, OSError) as exc:
        return fail(str(exc))
    left = f"; {len(result.omitted)} not ok, left out" if result.omitted else ""
    stories = f" in {plural(len(result.stories), 'story', 'stories')}" if by == "story" else ""
    say(f"digest of {plural(len(result.items), 'article')}{stories}{left} -> {path}")
    return EXIT_OK


def merge(shard_outputs: Sequence[Path], output: Path | None, inputs: Sequence[str] | None,
          fields: Fields | None, limit: int | None) -> int:
    """`arabic-digest merge`: join shard outputs into one, in input order."""
    from .shards import MergeError, merge_shards

    try:
        result = merge_shards(shard_outputs, output, inputs, fields, limit)
    except (MergeError, InputError, OSError) as exc:
        return fail(str(exc))
    say(result.closing_line())
    return EXIT_SOME_ERRORS if result.has_errors else EXIT_OK


def evaluate(output_file: Path | None, reference_field: str | None,
             summary_reference_field: str | None, source: Path | None,
             reference: Path | None, output: Path | None,
             compare: tuple[Path, Path] | None, translation_model: str | None,
             spec: RunSpec) -> int:
    """`arabic-digest eval`: score translations and summaries against references."""
    from . import evaluate as ev

    if compare:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in compare)
        print(ev.render_compare(a, b, (str(compare[0]), str(compare[1]))))
        return EXIT_OK
    try:
        if source or reference:
            if not (source and reference) or output_file:
                return fail("give --source and --reference together, without an output file")
            from dataclasses import replace

            spec = replace(spec, translation_model=translation_model or DEFAULT_TRANSLATION_MODEL)
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
            return fail("give an output file of `run`, or --source and --reference")
    except (ev.EvalError, InputError, ModelLoadError, NotAnOutput, OSError) as exc:
        return fail(str(exc))
    ev.write_result(result, path)
    print(ev.render_table(result))
    say(f"eval -> {path}")
    return EXIT_OK


def default_models(names: Sequence[str] | None) -> list[str]:
    return list(names or [DEFAULT_TRANSLATION_MODEL, DEFAULT_SUMMARIZATION_MODEL])


def models_download(names: Sequence[str] | None, to: Path | None) -> int:
    """Fetch models from the Hub so later runs work offline."""
    from .models import download, folder_size, human_size

    for name in default_models(names):
        try:
            path = download(name, to)
        except Exception as exc:  # noqa: BLE001 - network, auth or a wrong id: say which
            return fail(f"could not download {name!r}: {type(exc).__name__}: {exc}")
        print(f"{name}\t{human_size(folder_size(path))}\t{path}")
    return EXIT_OK


def models_convert(names: Sequence[str] | None, device: Device, quantization: str | None,
                   force: bool) -> int:
    """Convert models to CTranslate2 into the cache now."""
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

    for name in default_models(names):
        try:
            model_revision(name)
            quant = quantization or default_compute_type(ct2_device(device.value))
            done = convert(name, quant, force=force, log=note)
        except ConversionError as exc:
            return fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - not found / offline
            return fail(f"could not load {name!r}: {type(exc).__name__}: {exc}")
        state = "converted" if done.converted_now else "cached"
        print(f"{name}\t{quant}\t{state}\t{human_size(folder_size(done.path))}\t{done.path}")
    return EXIT_OK


def models_list() -> int:
    """Show downloaded (Hugging Face cache) and converted (CTranslate2) models."""
    from .models import ct2_root, human_size, list_converted, list_downloaded

    downloaded, converted = list_downloaded(), list_converted()
    print("downloaded (Hugging Face cache):")
    for row in downloaded:
        print(f"  {row['model']}\t{human_size(row['bytes'])}\t{row['path']}")
    if not downloaded:
        print("  (none)")
    print(f"converted (CTranslate2, {ct2_root()}):")
    for row in converted:
        print(f"  {row['model']}\t{row['quantization']}\t{row['revision']}\t"
              f"{human_size(row['bytes'])}\t{row['path']}")
    if not converted:
        print("  (none)")
    return EXIT_OK
