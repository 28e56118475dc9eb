"""What each command does, as importable functions; `cli.py` only declares the options.

Every function here prints its messages (one line each, prefixed `arabic-digest:`) and
returns the exit code: 0 all good, 1 done with error records or problems, 2 nothing done
(bad options or inputs, refused), 3 a write failed midway, 130/143 interrupted.
"""

from __future__ import annotations

import errno
import json
import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from arabic_digest.errors import ArabicDigestError
from arabic_digest.inputs.encodings import UnknownEncoding
from arabic_digest.inputs.readers import Fields, InputError, ReadOptions
from arabic_digest.pipeline.presets import PresetError, resolve_preset
from arabic_digest.pipeline.spec import Backend, Device, Engine, RunSpec, Shard, Translate
from arabic_digest.records import NotAnOutput
from arabic_digest.summarize.length import LengthError, SummaryLength, resolve_length
from arabic_digest.summarize.loading import is_lead
from arabic_digest.summarize.prompts import PromptError, load_prompt
from arabic_digest.summarize.summarizer import DEFAULT_SUMMARIZATION_MODEL, SummarizerLoadError
from arabic_digest.text import plural, scalar, terminal_safe
from arabic_digest.translate.cleaning.clean import RULES, CleanOptions
from arabic_digest.translate.glossary import GlossaryError, load_glossary
from arabic_digest.translate.translator import DEFAULT_TRANSLATION_MODEL, ModelLoadError

EXIT_OK, EXIT_SOME_ERRORS, EXIT_NOTHING_DONE = 0, 1, 2
# one page holds every article: past a few tens of MB a browser opens it slowly (120 MB took
# 24 s in Chromium, docs/stories.md), and the archive reads any number of runs
LARGE_REPORT_MB = 20


class UsageProblem(ArabicDigestError):
    """Options or inputs that cannot be used: exit 2 before anything is done."""


def say(message: str) -> None:
    # Messages carry input (ids, paths, outlets): shown terminal-safe, line by line.
    safe = "\n".join(terminal_safe(line, None) for line in message.split("\n"))
    print(f"arabic-digest: {safe}", file=sys.stderr, flush=True)


def fail(message: str) -> int:
    say(f"error: {message}")
    return EXIT_NOTHING_DONE


def os_problem(exc: OSError, output: Path | None = None) -> str:
    """One line for a failed file operation, naming the file the user chose, not our .tmp.

    A failure on the output (or its temporary twin, or its folder) says how to get out of it.
    """
    if exc.filename is None:  # our own OSErrors carry a whole sentence
        return exc.strerror or str(exc)
    name = str(exc.filename).removesuffix(".tmp")
    reason = exc.strerror or os.strerror(exc.errno or errno.EIO)
    blocking = _file_in_the_way(Path(name))
    if exc.errno in (errno.EEXIST, errno.ENOTDIR) and blocking is not None:
        reason = f"{blocking} is a file, not a folder"  # mkdir's "File exists" misleads
    if output is not None and Path(name) in (output, output.parent):
        return f"cannot write {output}: {reason} (choose another with -o)"
    return f"{name}: {reason}"


def _file_in_the_way(path: Path) -> Path | None:
    """`path` or the parent of it that is a file, where a folder was wanted."""
    return next((p for p in (path, *path.parents) if p.is_file()), None)


def refuse_folder_output(output: Path | None) -> None:
    """Refuse, before any work, an output that is a folder or lies under a file."""
    if output is None:
        return
    if output.is_dir():
        raise UsageProblem(f"cannot write {output}: Is a directory (choose another with -o)")
    blocking = _file_in_the_way(output.parent)
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
               quiet: bool, clean: CleanFlags, encoding: str | None, max_article_chars: int,
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
        clean_options=clean.options(),
        read_options=read_options(encoding, max_article_chars),
        language_check=language_check, dedupe_ids=dedupe_ids, shard=selected,
        glossary=terms, engine=engine, stories=stories, translate=translate,
        preset=chosen.preset)


# --- commands ------------------------------------------------------------------------------

def run(spec: RunSpec, ray_options: Any = None) -> int:
    """`arabic-digest run`: the whole pipeline, resumable; the library's run (api.run_spec),
    its errors mapped to exit codes."""
    from arabic_digest.api import run_spec
    from arabic_digest.pipeline.runner import RunStopped

    try:
        stats = run_spec(spec, ray_options, restore_signals=False)  # see run_spec
    except RunStopped as exc:
        say(str(exc))
        if exc.stats is not None:
            say_closing(exc.stats)
        return exc.exit_code
    except ArabicDigestError as exc:
        return fail(str(exc))
    say_closing(stats)
    return EXIT_SOME_ERRORS if stats.has_errors else EXIT_OK


def say_closing(stats: Any) -> None:
    """The run's closing line, then its first few errors (a run of errors must say why)."""
    say(stats.closing_line())
    for line in stats.error_lines():
        say(line)


def clean(inputs: Sequence[str], output: Path | None, fields: Fields, flags: CleanFlags,
          tokenizer: str | None, segment_tokens: int, overwrite: bool = False) -> int:
    """`arabic-digest clean`: cleaning and segmentation only, to inspect the rules."""
    from arabic_digest.pipeline.clean_only import clean_corpus, clean_output

    path = clean_output(list(inputs), output)
    try:
        refuse_folder_output(path)
        check_model_path(tokenizer)
    except UsageProblem as exc:
        return fail(str(exc))
    if path.exists() and not overwrite:
        return fail(f"{path} exists; pass --overwrite to replace it, or choose another with -o")
    try:
        path, counts = clean_corpus(list(inputs), path, fields, flags.options(), tokenizer,
                                    segment_tokens)
    except OSError as exc:
        return fail(os_problem(exc, path))
    except (InputError, ModelLoadError) as exc:
        return fail(str(exc))
    say(", ".join(f"{v} {k}" for k, v in counts.items()) + f" -> {path}")
    return EXIT_SOME_ERRORS if counts.get("error") else EXIT_OK


def summarize(input: Path, output: Path | None, model: str, length: SummaryLength,
              prompt: str | None, device: Device, overwrite: bool, quiet: bool) -> int:
    """`arabic-digest summarize`: summarize a finished run's translations again."""
    from arabic_digest.pipeline.resummarize import ResummarizeConfig, resummarize

    cfg = ResummarizeConfig(input, output, model, length, prompt, device.value,
                            overwrite=overwrite, quiet=quiet)
    try:
        refuse_folder_output(output)
        check_model_path(model)
    except UsageProblem as exc:
        return fail(str(exc))
    offline_for_local_models([model])
    try:
        stats = resummarize(cfg)
    except OSError as exc:
        return fail(os_problem(exc, output))
    except (InputError, SummarizerLoadError, PromptError, ValueError) as exc:
        return fail(str(exc))
    say(stats.closing_line())
    return EXIT_SOME_ERRORS if stats.error else EXIT_OK


def check(inputs: Sequence[str], fields: Fields, opts: ReadOptions, language: bool,
          as_json: bool) -> int:
    """`arabic-digest check`: what `run` would read, and what is wrong with it."""
    from arabic_digest.inputs.readers import skipped_files
    from arabic_digest.pipeline.check import check as check_inputs_report
    from arabic_digest.pipeline.check import render

    try:
        reports = check_inputs_report(list(inputs), fields, opts, language=language)
    except OSError as exc:
        return fail(os_problem(exc))
    except InputError as exc:
        return fail(str(exc))
    if as_json:
        print(json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=2))
    else:
        print(render(reports, skipped_files(inputs)))
    return EXIT_SOME_ERRORS if any(r.problems for r in reports) else EXIT_OK


def report(output_jsonl: Path, output: Path | None) -> int:
    """`arabic-digest report`: one self-contained HTML page of a run."""
    from arabic_digest.views.report import write_report

    if not output_jsonl.is_file():
        return fail(f"no such file: {output_jsonl}")
    try:
        refuse_folder_output(output)
        path, view = write_report(output_jsonl, output)
    except UsageProblem as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(os_problem(exc, output))
    except NotAnOutput as exc:
        return fail(str(exc))
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
    """`arabic-digest digest`: the English digest of a run."""
    from arabic_digest.views.digest import write_digest

    if not output_jsonl.is_file():
        return fail(f"no such file: {output_jsonl}")
    try:
        refuse_folder_output(output)
        path, result = write_digest(output_jsonl, output, fmt, order, report_path, by)
    except UsageProblem as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(os_problem(exc, output))
    except ValueError as exc:
        return fail(str(exc))
    left = f"; {len(result.omitted)} not ok, left out" if result.omitted else ""
    stories = f" in {plural(len(result.stories), 'story', 'stories')}" if by == "story" else ""
    say(f"digest of {plural(len(result.items), 'article')}{stories}{left} -> {path}")
    return EXIT_OK


def merge(shard_outputs: Sequence[Path], output: Path | None, inputs: Sequence[str] | None,
          fields: Fields | None, limit: int | None) -> int:
    """`arabic-digest merge`: join shard outputs into one, in input order."""
    from arabic_digest.pipeline.shards import MergeError, merge_shards

    try:
        refuse_folder_output(output)
        result = merge_shards(shard_outputs, output, inputs, fields, limit)
    except UsageProblem as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(os_problem(exc, output))
    except (MergeError, InputError) as exc:
        return fail(str(exc))
    say(result.closing_line())
    return EXIT_SOME_ERRORS if result.has_errors else EXIT_OK


def evaluate(output_file: Path | None, reference_field: str | None,
             summary_reference_field: str | None, source: Path | None,
             reference: Path | None, output: Path | None,
             compare: tuple[Path, Path] | None, translation_model: str | None,
             spec: RunSpec, preset: str | None = None) -> int:
    """`arabic-digest eval`: score translations and summaries against references.

    A `preset` chooses the translator and beams where --translation-model and --beams do not
    (without one, the translator is the output's, or the default one for --source).
    """
    from arabic_digest.pipeline import evaluate as ev

    if preset is not None:
        try:
            chosen = resolve_preset(preset, translation_model=translation_model,
                                    beams=spec.beams)
        except PresetError as exc:
            return fail(str(exc))
        translation_model = chosen.translation_model
        spec = replace(spec, beams=chosen.beams, preset=chosen.preset)
    if compare:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in compare)
        print(ev.render_compare(a, b, (str(compare[0]), str(compare[1]))))
        return EXIT_OK
    try:
        if source or reference:
            if not (source and reference) or output_file:
                return fail("give --source and --reference together, without an output file")
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
    except OSError as exc:
        return fail(os_problem(exc, output))
    except (ev.EvalError, InputError, ModelLoadError, NotAnOutput) as exc:
        return fail(str(exc))
    ev.write_result(result, path)
    print(ev.render_table(result))
    say(f"eval -> {path}")
    return EXIT_OK


def preset_summarizer(preset: str | None, model: str | None) -> str:
    """`summarize`'s model: --summarization-model, else the preset's (UsageProblem)."""
    try:
        return resolve_preset(preset, summarization_model=model).summarization_model
    except PresetError as exc:
        raise UsageProblem(str(exc)) from None


def default_models(names: Sequence[str] | None) -> list[str]:
    return list(names or [DEFAULT_TRANSLATION_MODEL, DEFAULT_SUMMARIZATION_MODEL])


def models_download(names: Sequence[str] | None, to: Path | None) -> int:
    """Fetch models from the Hub so later runs work offline."""
    from arabic_digest.pipeline.models import download, folder_size, human_size

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
    from arabic_digest.pipeline.models import (
        ConversionError,
        convert,
        ct2_device,
        default_compute_type,
        folder_size,
        human_size,
        model_revision,
        note,
    )

    failed = 0
    for name in default_models(names):
        try:
            model_revision(name)
            quant = quantization or default_compute_type(ct2_device(device.value))
            done = convert(name, quant, force=force, log=note)
        except ConversionError as exc:
            failed += 1
            say(f"error: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - not found / offline
            failed += 1
            say(f"error: could not load {name!r}: {type(exc).__name__}: {exc}")
            continue
        state = "converted" if done.converted_now else "cached"
        print(f"{name}\t{quant}\t{state}\t{human_size(folder_size(done.path))}\t{done.path}")
    if failed:  # the others are converted: say how many were not, as a whole
        say(f"{plural(failed, 'model')} not converted")
        return EXIT_SOME_ERRORS
    return EXIT_OK


def models_list() -> int:
    """Show downloaded (Hugging Face cache) and converted (CTranslate2) models."""
    from arabic_digest.pipeline.models import ct2_root, human_size, list_converted, list_downloaded

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


# --- the archive (#23) ---------------------------------------------------------------------


def index(outputs: Sequence[Path], db: Path) -> int:
    """`arabic-digest index`: add finished runs' records to the archive."""
    from arabic_digest.archive import ArchiveError, index_outputs

    missing = [p for p in outputs if not p.is_file()]
    if missing:
        return fail(f"no such file: {missing[0]}")
    try:
        counts = index_outputs(db, outputs)
    except ArchiveError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(os_problem(exc, db))
    bad = f"; {plural(counts.unreadable, 'unreadable line')} skipped" if counts.unreadable else ""
    replaced = f", {counts.replaced} replaced" if counts.replaced else ""
    say(f"indexed {plural(counts.files, 'file')} of {plural(len(counts.runs), 'run')}: "
        f"{counts.added} added{replaced}, {counts.unchanged} already there{bad} -> {db}")
    return EXIT_OK


def search(db: Path, query: str, lang: str, as_json: bool, limit: int, filters: Any) -> int:
    """`arabic-digest search`: ranked articles for a query, with snippets."""
    from arabic_digest.archive import ArchiveError, QueryTooLong, connect, verify
    from arabic_digest.archive import search as run_search
    # Arguments are input too: an undecodable byte in one arrives as a lone surrogate.
    query = scalar(query)
    filters = replace(filters, **{k: scalar(v) for k, v in vars(filters).items()
                                  if isinstance(v, str)})
    try:
        verify(db)
        conn = connect(db, readonly=True)
    except ArchiveError as exc:
        return fail(str(exc))
    try:
        result = run_search(conn, query, lang, filters, limit=limit)
    except QueryTooLong as exc:
        return fail(str(exc))
    finally:
        conn.close()
    if as_json:
        # The API's shape (SearchResult.to_json); JSON escapes every C0 control itself.
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return EXIT_OK
    for h in result.hits:
        title = terminal_safe(h.title_en or h.title_ar or h.id)
        where = " · ".join(terminal_safe(x, 80) for x in (h.day, h.outlet, h.id) if x)
        snippet = "".join(f"[{t}]" if m else t for t, m in h.snippet)
        print(f"{h.key}\t{title}\n\t{where}\n\t{terminal_safe(' '.join(snippet.split()), 400)}")
    say(f"{plural(result.total, 'article')} match {terminal_safe(repr(query), 100)} ({lang}); "
        f"{len(result.hits)} shown")
    return EXIT_OK


def export(source: Path, to: str, output: Path | None, skip_flagged: bool,
           csv_formulas: bool = False) -> int:
    """`arabic-digest export`: aligned sentence pairs as TMX, Parquet or CSV."""
    import sqlite3

    from arabic_digest.archive import ArchiveError
    from arabic_digest.views.export import export as run_export

    if not source.is_file():
        return fail(f"no such file: {source}")
    try:
        refuse_folder_output(output)
        path, written, left_out = run_export(source, to, output, skip_flagged, csv_formulas)
    except (UsageProblem, ArchiveError, sqlite3.DatabaseError, ValueError) as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(os_problem(exc, output))
    left = f" ({left_out} flagged or empty left out)" if left_out else ""
    say(f"exported {plural(written, 'sentence pair')}{left} -> {path}")
    return EXIT_OK


def serve(db: Path, host: str, port: int, search_budget: float = 2.0) -> int:
    """`arabic-digest serve`: the archive as a local web app."""
    from arabic_digest.archive import ArchiveError
    from arabic_digest.views.serve import serve as run_server

    try:
        run_server(db, host, port, search_budget)
    except ArchiveError as exc:
        return fail(str(exc))
    return EXIT_OK
