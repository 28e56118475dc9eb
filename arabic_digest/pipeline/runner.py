"""The Runner: one run over one output. It alone owns the lock, opening (and repairing) the
output, skipping what is done, appending, reordering, the manifest and the counts; an engine
(engines.py) only turns items into finished records."""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from arabic_digest.errors import ArabicDigestError
from arabic_digest.guard import OutputLock, StopNow, StopRequest
from arabic_digest.identity import (
    PRELOAD_KEYS,
    IdentityMismatch,
    check_resumable,
    check_same_run,
    output_identity,
    run_identity,
    signature,
)
from arabic_digest.inputs.readers import (
    Article,
    InputError,
    check_inputs,
    check_not_empty,
    passed_over_line,
)
from arabic_digest.manifest import manifest_path, new_manifest, write_manifest
from arabic_digest.pipeline.boilerplate_pass import (
    boilerplate_manifest,
    learn_boilerplate,
    learn_from_articles,
    learns,
)
from arabic_digest.pipeline.engines import Batch, Engine, Item, LocalEngine
from arabic_digest.pipeline.models import loading_bars
from arabic_digest.pipeline.onepass import InputPass, count_articles, input_items
from arabic_digest.pipeline.options import IDENTITY_NAMES
from arabic_digest.pipeline.progress import Progress
from arabic_digest.pipeline.spec import RunSpec
from arabic_digest.pipeline.stories import (
    Stories,
    first_pass,
    lead_or_member,
    manifest_entry,
    with_stories,
)
from arabic_digest.pipeline.trust import TrustStats, retry_overrides
from arabic_digest.records import OutputWriteError, RecordFile, write_text_atomic
from arabic_digest.summarize.prompts import load_prompt
from arabic_digest.summarize.summarizer import Summarizer
from arabic_digest.text import plural, terminal_safe
from arabic_digest.translate.translator import Translator

SHOWN_ERRORS = 3  # error messages repeated at the end of a run


class RunStopped(ArabicDigestError):
    """The run stopped before the end; what was written is valid and a rerun resumes.

    `stats`: what this run wrote (None when it stopped before its first batch began);
    `exit_code`: the CLI's (130/143 for a signal, 2/3 for a write failure)."""

    def __init__(self, message: str, stats: RunStats | None, exit_code: int) -> None:
        super().__init__(message)
        self.stats = stats
        self.exit_code = exit_code


@dataclass
class RunStats:
    output: Path
    ok: int = 0
    error: int = 0
    skipped: int = 0
    resumed: int = 0
    resumed_errors: int = 0  # error records left from earlier runs (see --retry-errors)
    segments: int = 0
    elapsed_s: float = 0.0
    repaired_lines: int = 0
    retried: int = 0
    dedupe_hits: int = 0
    # What the inputs hold that is not an article, by reason (a crawl's requests, redirects...).
    passed_over: Counter[str] = field(default_factory=Counter)
    trust: str = ""  # flags, retries and lowest-confidence segments (trust.TrustStats)
    first_errors: list[str] = field(default_factory=list)  # shown when the run ends

    def add_error(self, record: dict[str, Any]) -> None:
        if len(self.first_errors) < SHOWN_ERRORS:
            err = record.get("error") or {}
            # Ids and messages are the input's: shown terminal-safe, long ones cut.
            self.first_errors.append(
                f"{terminal_safe(str(record['id']), 80)}: {err.get('stage', '?')}: "
                f"{err.get('type', '?')}: {terminal_safe(str(err.get('message', '')), 300)}")

    @property
    def processed(self) -> int:
        return self.ok + self.error + self.skipped

    @property
    def has_errors(self) -> bool:
        """Whether the output holds error records, from this run or an earlier one."""
        return bool(self.error or self.resumed_errors)

    def closing_line(self) -> str:
        minutes = max(self.elapsed_s, 1e-9) / 60
        parts = [f"{plural(self.processed, 'article')}: {self.ok} ok, {self.error} error, "
                 f"{self.skipped} skipped"]
        if self.resumed:
            errors = f" ({self.resumed_errors} of them errors)" if self.resumed_errors else ""
            parts.append(f"{self.resumed} already done{errors}")
        parts.append(plural(self.segments, "segment"))
        if self.segments:  # a rate of articles that all failed at once says nothing
            parts.append(f"{self.processed / minutes:.1f} articles/min, "
                         f"{self.segments / max(self.elapsed_s, 1e-9):.1f} segments/s")
        if self.passed_over:
            parts.append(passed_over_line(self.passed_over))
        if self.trust:
            parts.append(self.trust)
        return "; ".join(parts) + f" -> {terminal_safe(str(self.output), None)}"

    def error_lines(self) -> list[str]:
        """The first few errors of this run, so a failing run says why without opening
        the output."""
        if not self.first_errors:
            return []
        more = self.error - len(self.first_errors)
        tail = [f"... and {plural(more, 'more error')} in the output"] if more > 0 else []
        return [f"error in {line}" for line in self.first_errors] + tail


def resume_command() -> str:
    """This run's command line, as the user would type it again."""
    return shlex.join(["arabic-digest", *sys.argv[1:]])


class Runner:
    """One run: owns the output file, the manifest and the counts; `engine` does the work."""

    def __init__(self, spec: RunSpec, engine: Engine, source: InputPass | None = None) -> None:
        self.spec = spec
        self.engine = engine
        self.source = source  # the inputs read once, replayed by every pass (inputs.py)
        self.stats = RunStats(spec.output_path())
        if source is not None:
            self.stats.passed_over = source.passed_over
        self.started = datetime.now(timezone.utc)
        self.order: list[str] = []
        self.trust = TrustStats(terms=spec.glossary)
        self.stop: StopRequest | None = None
        self.resumed_identity: dict[str, Any] | None = None  # of the output being resumed
        self.old_manifest: str | None = None
        known = engine.models()
        self.models_known = known is not None
        self.models: dict[str, dict[str, Any] | None] = known or spec.requested_models()
        self.bar: Progress | None = None
        self.hooked = False  # whether the engine moves the bar per model batch
        self.stories: Stories | None = None

    def identity(self) -> dict[str, Any]:
        return run_identity(self.spec.record_settings(), self.models)

    def manifest(self, status: str, **extra: Any) -> dict[str, Any]:
        s, spec = self.stats, self.spec
        elapsed = max(s.elapsed_s, 1e-9)
        identity = self.identity()
        translator = self.models.get("translation") or {}
        return new_manifest(
            status, s.output, self.started,
            identity=identity,
            signature=signature(identity),
            inputs=list(spec.inputs),
            models=self.models,
            preset=spec.preset_record(),  # a name for the models, outside the identity
            summary_length=spec.summary_length.record(),
            cleaning=spec.clean_options.signature(),
            boilerplate=boilerplate_manifest(spec.clean_options),
            segment_tokens=spec.segment_tokens,
            # What merge needs to re-read the inputs in order (see shards.py).
            fields={"text": spec.fields.text, "title": spec.fields.title, "id": spec.fields.id},
            limit=spec.limit,
            read_options={"encoding": spec.read_options.encoding,
                          "max_article_chars": spec.read_options.max_article_chars},
            dedupe_ids=spec.dedupe_ids,
            shard=spec.shard.to_json() if spec.shard else None,
            stories=manifest_entry(self.stories, spec.translate.value),
            cwd=os.getcwd(),
            trust=self.trust.manifest(retry_overrides(translator.get("num_beams"))
                                      if spec.retry_doubtful else None),
            counts={"articles": s.processed + s.resumed, "ok": s.ok, "error": s.error,
                    "skipped": s.skipped, "resumed": s.resumed, "segments": s.segments,
                    "dedupe_hits": s.dedupe_hits, "repaired_lines": s.repaired_lines,
                    "retried_errors": s.retried, "passed_over": dict(s.passed_over)},
            elapsed_s=round(s.elapsed_s, 3),
            throughput={"articles_per_min": round(s.processed / elapsed * 60, 2),
                        "segments_per_s": round(s.segments / elapsed, 2)},
            **self.engine.manifest(), **extra)

    def _todo(self, done: dict[str, str]) -> Iterator[Item]:
        """Input items in order (see input_items), less those already done (resume)."""
        for article_id, item in input_items(self.spec, self.stats.passed_over, self._articles()):
            self.order.append(article_id)
            if article_id in done:
                self.stats.resumed += 1
                self.stats.resumed_errors += done[article_id] == "error"
                if self.bar is not None:
                    self.bar.resumed()
            else:
                yield lead_or_member(item, self.stories, self.spec.translate.value)

    def _articles(self) -> Iterator[Article] | None:
        """Another pass over the inputs, replayed from the one read (None: read them)."""
        return self.source.articles() if self.source is not None else None

    def checkpoint(self) -> None:
        """Between batches: honour a stop request there (StopNow unwinds to `run`)."""
        if self.stop is not None and self.stop.requested:
            self.stop.settle()
            raise StopNow

    def _begin(self, stop: StopRequest | None) -> RecordFile:
        """Check the output is this run's to resume, open (and repair) it, write the
        'running' manifest, start the clock."""
        self.stop = stop
        output = self.stats.output
        if not self.spec.overwrite:
            has_records, before = output_identity(output)
            if has_records:
                only = None if self.models_known else PRELOAD_KEYS
                check_same_run(output, before, self.identity(), only, IDENTITY_NAMES)
                self.resumed_identity = before
                self.old_manifest = manifest_path(output).read_text("utf-8")
        if self.spec.stories and "-" not in self.spec.inputs:  # stdin cannot be read twice
            # Over the WHOLE input (no shard, no limit): every shard, engine and resume
            # gets the same stories.
            whole = replace(self.spec, shard=None, limit=None)
            self.stories = first_pass(
                (item for _, item in input_items(whole, articles=self._articles())),
                self.spec.clean_options)
        out = RecordFile(output, overwrite=self.spec.overwrite,
                         retry_errors=self.spec.retry_errors)
        self.stats.repaired_lines, self.stats.retried = out.repaired, out.retried
        self.mpath = manifest_path(output)
        self.t0 = time.perf_counter()
        write_manifest(self.stats.output, self.manifest("running"))
        return out

    def _work(self, out: RecordFile) -> None:
        self.bar = Progress(count_articles(self.spec, self._articles()), self.spec.quiet)
        self.hooked = self.engine.watch(self.bar)
        for batch in self.engine.process(self._todo(dict(out.done)), self.checkpoint):
            self._learn_models(batch)
            self._append(batch, out)
            self.checkpoint()

    def _learn_models(self, batch: Batch) -> None:
        """An engine whose models live elsewhere says what they are with its first batch:
        then the whole identity is checked, before this run's first record is appended."""
        if self.models_known or not batch.models:
            return
        self.models = {**self.models, **batch.models}
        self.models_known = True
        if self.resumed_identity is not None:
            check_same_run(self.stats.output, self.resumed_identity, self.identity(),
                           names=IDENTITY_NAMES)

    def _append(self, batch: Batch, out: RecordFile) -> None:
        batch.records = with_stories(batch.records, self.stories)
        out.append(batch.records)
        self.trust.add(batch.records)
        for rec in batch.records:
            setattr(self.stats, rec["status"], getattr(self.stats, rec["status"]) + 1)
            if rec["status"] == "error":
                self.stats.add_error(rec)
        self.stats.segments += batch.segments
        self.stats.dedupe_hits += batch.dedupe_hits
        if self.bar is not None:
            if not self.hooked:
                self.bar.planned(len(batch.records), batch.segments)
            self.bar.finished(len(batch.records), batch.segments)
        # The manifest follows every batch, so after a kill it says how far the run got.
        self.stats.elapsed_s = time.perf_counter() - self.t0
        self._try_manifest("running")

    def run(self, stop: StopRequest | None = None) -> RunStats:
        """Process everything not done yet; stops after the current batch when `stop` is.

        Settles how the run ended, in the manifest and in what the caller sees: finished
        (returns), interrupted or failed (RunStopped, or the error itself).
        """
        out = self._begin(stop)
        stats = self.stats
        hard_stop: BaseException | None = None
        stopped = False
        try:
            self._work(out)
        except StopNow:
            stopped = True
        except (KeyboardInterrupt, SystemExit) as exc:  # a second signal: stop at once
            if self.stop is not None:
                self.stop.settle()
            stopped, hard_stop = True, exc
        except OutputWriteError as exc:
            stats.elapsed_s = time.perf_counter() - self.t0
            self._try_manifest("failed", error=str(exc))
            raise RunStopped(
                f"{exc.strerror} ({plural(stats.processed, 'article')} written in this run). "
                "The file is valid up to its last complete record; free space or fix the "
                "output, then rerun the same command to resume.", stats,
                2 if stats.processed == 0 else 3
            ) from None
        except IdentityMismatch:
            if self.old_manifest is not None:  # the output stays the earlier run's
                write_text_atomic(self.mpath, self.old_manifest)
            raise
        except BaseException as exc:
            stats.elapsed_s = time.perf_counter() - self.t0
            self._try_manifest("failed", error=f"{type(exc).__name__}: {exc}")
            raise
        finally:
            if self.bar is not None:
                self.bar.close()
            out.close()
            stats.elapsed_s = time.perf_counter() - self.t0
        stats.trust = self.trust.closing()
        if stopped:
            self._stopped(hard_stop)
        if self.resumed_identity is not None or stats.retried:
            out.reorder(self.order)
        write_manifest(self.stats.output, self.manifest("finished"))
        return stats

    def _stopped(self, hard_stop: BaseException | None) -> None:
        name = self.stop.name if self.stop is not None else "a signal"
        if isinstance(hard_stop, KeyboardInterrupt):
            code, how = 130, "at once by a second SIGINT"
        elif isinstance(hard_stop, SystemExit):
            code = hard_stop.code if isinstance(hard_stop.code, int) else 143
            how = "at once by a second signal"
        else:
            code = self.stop.exit_code if self.stop is not None else 130
            how = f"by {name} after the current batch"
        self._try_manifest("interrupted", signal=name, stopped=how)
        raise RunStopped(
            f"stopped {how}, {plural(self.stats.processed, 'article')} written in this run; "
            f"what was written is complete. To resume, run the same command again: "
            f"{resume_command()}",
            self.stats, code)

    def _try_manifest(self, status: str, **extra: Any) -> None:
        try:
            write_manifest(self.stats.output, self.manifest(status, **extra))
        except OSError:
            pass  # the output's own error is the one to report


def preflight(spec: RunSpec, source: InputPass | None = None) -> None:
    """What can be refused before any model loads: unreadable or empty inputs, a broken
    prompt."""
    check_inputs(spec.inputs)
    if "-" in spec.inputs:  # stdin: nothing is read before the run itself
        pass
    elif source is not None:  # the first article, kept for the passes after
        if next(source.articles(), None) is None:
            raise InputError(f"no articles found in {', '.join(spec.inputs)}")
    else:
        check_not_empty(spec.inputs, spec.fields, spec.read_options)
    if spec.prompt is not None:
        load_prompt(spec.prompt)


def begin_locked(spec: RunSpec, source: InputPass | None = None) -> RunSpec:
    """Under the output's lock, before any model loads: learn the corpus's boilerplate (over
    the whole input, so every shard, engine and resume learns the same), then refuse to
    resume an output made with other settings."""
    if source is not None and learns(spec.clean_options, spec.inputs):
        spec = replace(spec, clean_options=learn_from_articles(source.articles(),
                                                               spec.clean_options))
    else:
        spec = replace(spec, clean_options=learn_boilerplate(
            spec.inputs, spec.fields, spec.read_options, spec.clean_options))
    if not spec.overwrite:
        check_resumable(spec.output_path(), spec.requested_identity(), PRELOAD_KEYS,
                    IDENTITY_NAMES)
    return spec


def run(spec: RunSpec, translator: Translator | None = None,
        summarizer: Summarizer | None = None) -> RunStats:
    """Run the whole pipeline in this process; models are loaded here unless given.

    The output is locked first (a second run on it is refused before any model loads), a
    resume with other settings is refused before the models load too, and SIGINT/SIGTERM
    stop the run after the current batch (RunStopped).
    """
    from arabic_digest.pipeline.backends import load_summarizer, load_translator

    with InputPass(spec) as source:
        preflight(spec, source)
        with OutputLock(spec.output_path()), StopRequest() as stop:
            spec = begin_locked(spec, source)
            loading_bars(spec.quiet)
            if translator is None:
                translator = load_translator(spec)
            if summarizer is None and spec.summarization_model is not None:
                summarizer = load_summarizer(spec)
            return Runner(spec, LocalEngine(spec, translator, summarizer), source).run(stop)
