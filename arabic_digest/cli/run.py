"""`arabic-digest run`: the whole pipeline, resumable. `build_spec` makes the one RunSpec of a
command line (the library's `ad.run` builds its spec with it too); `run` runs it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from arabic_digest.cli import options as opt
from arabic_digest.cli.common import EXIT_OK, EXIT_SOME_ERRORS, fields, say
from arabic_digest.pipeline.options import build_spec, clean_options
from arabic_digest.pipeline.spec import Backend, Device, Engine, RunSpec, Translate


def run(spec: RunSpec, ray_options: Any = None) -> int:
    """The library's run (api.run_spec) with the CLI's lines: 0 all ok, 1 error records; a run
    stopped (a signal, a write failure) says so with what it wrote and returns its code."""
    from arabic_digest.api import run_spec
    from arabic_digest.pipeline.runner import RunStopped

    try:
        stats = run_spec(spec, ray_options, restore_signals=False)  # see run_spec
    except RunStopped as exc:  # not a failure: what was written is valid, a rerun resumes
        say(str(exc))
        if exc.stats is not None:
            say_closing(exc.stats)
        return exc.exit_code
    say_closing(stats)
    return EXIT_SOME_ERRORS if stats.has_errors else EXIT_OK


def say_closing(stats: Any) -> None:
    """The run's closing line, then its first few errors (a run of errors must say why)."""
    say(stats.closing_line())
    for line in stats.error_lines():
        say(line)


@opt.shared(*opt.KEEP, after="no_retry")
@opt.shared(*opt.FIELDS, after="prompt")
@opt.shared(*opt.LENGTH, after="no_summary")
def run_cli(
    inputs: opt.Inputs,
    output: opt.Output = None,
    preset: opt.PresetOpt = None,
    translation_model: opt.TranslationModel = None,
    summarization_model: opt.SummarizationModel = None,
    no_summary: Annotated[bool, opt.declared("summary")] = False,
    device: opt.DeviceOpt = Device(opt.default("device")),
    backend: opt.BackendOpt = Backend(opt.default("backend")),
    no_dedupe: Annotated[bool, opt.declared("dedupe")] = False,
    beams: opt.Beams = None,
    batch_tokens: opt.BatchTokens = opt.default("batch_tokens"),
    segment_tokens: opt.SegmentTokens = opt.default("segment_tokens"),
    limit: Annotated[int | None, opt.declared("limit")] = None,
    overwrite: opt.Overwrite = False,
    retry_errors: Annotated[bool, opt.declared("retry_errors")] = False,
    no_retry: opt.NoRetry = False,
    quiet: opt.Quiet = False,
    shard: Annotated[str | None, opt.declared("shard")] = None,
    engine: Annotated[Engine, opt.declared("engine")] = Engine(opt.default("engine")),
    ray_address: Annotated[str | None, opt.declared("ray_address")] = None,
    ray_actors: Annotated[int, opt.declared("ray_actors")] = opt.default("ray_actors"),
    ray_gpus_per_actor: Annotated[float | None, opt.declared("ray_gpus_per_actor")] = None,
    encoding: opt.Encoding = None,
    max_article_chars: opt.MaxArticleChars = opt.default("max_article_chars"),
    no_language_check: Annotated[bool, opt.declared("language_check")] = False,
    dedupe_ids: Annotated[bool, opt.declared("dedupe_ids")] = False,
    glossary: Annotated[Path | None, opt.declared("glossary")] = None,
    no_stories: Annotated[bool, opt.declared("stories")] = False,
    translate: Annotated[Translate, opt.declared("translate")] = Translate(
        opt.default("translate")),
    **shared: Any,
) -> None:
    """Clean, translate and summarize articles; write one JSONL record per article.

    Rerunning the same command resumes: finished articles are skipped. SIGINT/SIGTERM stop
    after the current batch (exit 130/143); rerun the same command to resume.
    """
    from arabic_digest.pipeline.ray_engine import RayOptions

    spec = build_spec(
        inputs, output=output, translation_model=translation_model,
        summarization_model=summarization_model, summary=not no_summary,
        preset=preset.value if preset else None,
        **opt.length_options(shared), fields=fields(*(shared[k] for k in opt.FIELDS)),
        device=device,
        backend=backend, dedupe=not no_dedupe, beams=beams, batch_tokens=batch_tokens,
        segment_tokens=segment_tokens, limit=limit, overwrite=overwrite,
        retry_errors=retry_errors, retry_doubtful=not no_retry, quiet=quiet,
        clean=clean_options(*(shared[k] for k in opt.KEEP)),
        encoding=encoding, max_article_chars=max_article_chars,
        language_check=not no_language_check, dedupe_ids=dedupe_ids, shard=shard,
        glossary=glossary, engine=engine, stories=not no_stories, translate=translate)
    raise typer.Exit(run(spec, RayOptions(ray_address, ray_actors, ray_gpus_per_actor)))
