"""The batch runner: read the corpus, process it in batches, append records, write a manifest."""

from __future__ import annotations

import os
import platform
import shlex
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from tqdm import tqdm

from summarize.chunking import ChunkedSummarizer
from summarize.ct2 import CT2Summarizer
from summarize.length import SummaryLength
from summarize.loading import build_summarizer, is_lead
from summarize.prompts import load_prompt
from summarize.summarizer import DEFAULT_SUMMARIZATION_MODEL, Summarizer, SummarizerLoadError
from translate.clean import CleanOptions
from translate.ct2 import CT2Translator
from translate.translator import (
    DEFAULT_TRANSLATION_MODEL,
    CachedTranslator,
    ModelLoadError,
    TransformersTranslator,
    Translator,
)

from . import stories as story_pass
from .backends import ct2_plan
from .guard import OutputLock, StopRequest
from .models import cpu_threads
from .pipeline import BatchSettings, Prepared, prepare, summarize_prepared, translate_prepared
from .readers import Article, Fields, ReadOptions, check_inputs, read_inputs
from .records import OutputWriteError, RecordFile, error_record, write_json_atomic
from .screening import dedupe_id
from .shards import Shard, shard_output
from .trust import TrustStats, retry_overrides

PACKAGES = ("arabic-digest", "torch", "transformers", "sentencepiece", "sacremoses", "tokenizers",
            "sacrebleu", "rouge-score",
            "ctranslate2")


@dataclass
class RunConfig:
    inputs: list[str]
    output: Path | None = None
    translation_model: str = DEFAULT_TRANSLATION_MODEL
    summarization_model: str | None = DEFAULT_SUMMARIZATION_MODEL  # None: no summary
    summary_length: SummaryLength = field(default_factory=SummaryLength)
    prompt: str | None = None  # name in prompts/ or path; None: the model family's default
    fields: Fields = field(default_factory=Fields)
    device: str = "auto"
    beams: int | None = None
    batch_tokens: int = 4096
    backend: str = "auto"  # auto (CTranslate2 where the model converts), transformers, ctranslate2
    dedupe: bool = True  # translate identical segments once per run
    segment_tokens: int = 200
    limit: int | None = None
    overwrite: bool = False
    retry_errors: bool = False
    quiet: bool = False
    retry_doubtful: bool = True  # retry flagged segments once with safer decoding
    clean_options: CleanOptions = field(default_factory=CleanOptions)
    read_options: ReadOptions = field(default_factory=ReadOptions)
    language_check: bool = True  # skip articles that are not Arabic
    dedupe_ids: bool = False  # repeated ids become ID~2, ID~3... instead of error records
    # Articles are pooled until their segments fill this many batches of batch_tokens.
    pool_batches: int = 8
    max_pool_articles: int = 64
    shard: Shard | None = None  # only the articles of this shard (see shards.py)
    # Stories (#18): a first pass over the whole input groups articles of the same story.
    stories: bool = True
    translate: str = "all"  # all | leads: only each story's lead (members: skipped records)

    def output_path(self) -> Path:
        if self.output:
            return self.output
        out = default_output(self.inputs)
        return shard_output(out, self.shard) if self.shard else out

    def batch_settings(self) -> BatchSettings:
        return BatchSettings(self.clean_options, self.segment_tokens, self.language_check)


class RunStopped(Exception):
    """The run stopped before the end; what was written is valid and a rerun resumes."""

    def __init__(self, message: str, stats: RunStats, exit_code: int) -> None:
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
    trust: str = ""  # flags, retries and lowest-confidence segments (trust.TrustStats)

    @property
    def processed(self) -> int:
        return self.ok + self.error + self.skipped

    @property
    def has_errors(self) -> bool:
        """Whether the output holds error records, from this run or an earlier one."""
        return bool(self.error or self.resumed_errors)

    def closing_line(self) -> str:
        minutes = max(self.elapsed_s, 1e-9) / 60
        parts = [f"{self.processed} articles: {self.ok} ok, {self.error} error, "
                 f"{self.skipped} skipped"]
        if self.resumed:
            errors = f" ({self.resumed_errors} of them errors)" if self.resumed_errors else ""
            parts.append(f"{self.resumed} already done{errors}")
        parts.append(f"{self.segments} segments")
        parts.append(f"{self.processed / minutes:.1f} articles/min, "
                     f"{self.segments / max(self.elapsed_s, 1e-9):.1f} segments/s")
        if self.trust:
            parts.append(self.trust)
        return "; ".join(parts) + f" -> {self.output}"


def resume_command() -> str:
    """This run's command line, as the user would type it again."""
    return shlex.join(["arabic-digest", *sys.argv[1:]])


def default_output(inputs: list[str]) -> Path:
    first = inputs[0] if inputs else "-"
    stem = "stdin" if first == "-" else Path(first.rstrip("/")).stem
    return Path("outputs") / f"{stem}.jsonl"


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name.removesuffix(".jsonl") + ".run.json")


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def load_translator(cfg: RunConfig) -> Translator:
    inner: Any = None
    plan = None
    if cfg.backend != "transformers":
        plan = ct2_plan(cfg.translation_model, cfg.backend, cfg.device, cfg.quiet, ModelLoadError)
        if plan.converted:
            inner = CT2Translator(cfg.translation_model, plan.converted.path, device=plan.device,
                                  compute_type=plan.compute_type, threads=cpu_threads(),
                                  beams=cfg.beams, batch_tokens=cfg.batch_tokens,
                                  revision=plan.converted.revision)
    if inner is None:
        inner = TransformersTranslator(cfg.translation_model, device=cfg.device, beams=cfg.beams,
                                       batch_tokens=cfg.batch_tokens)
        inner.backend_fallback = plan.fallback if plan else None
    return CachedTranslator(inner) if cfg.dedupe else inner


def load_summarizer(cfg: RunConfig) -> Summarizer | None:
    if cfg.summarization_model is None:
        return None
    plan = None
    if cfg.backend != "transformers" and ct2_summarizes(cfg):
        plan = ct2_plan(cfg.summarization_model, cfg.backend, cfg.device, cfg.quiet,
                        SummarizerLoadError)
        if plan.converted:
            length = cfg.summary_length
            return ChunkedSummarizer(CT2Summarizer(
                cfg.summarization_model, plan.converted.path, device=plan.device,
                compute_type=plan.compute_type, threads=cpu_threads(),
                min_length=length.min_tokens, max_length=length.max_tokens,
                revision=plan.converted.revision))
    summarizer = build_summarizer(cfg.summarization_model, device=cfg.device,
                                  length=cfg.summary_length, prompt=cfg.prompt)
    inner = getattr(summarizer, "inner", summarizer)
    inner.backend_fallback = plan.fallback if plan else None
    return summarizer


def ct2_summarizes(cfg: RunConfig) -> bool:
    """CTranslate2 runs encoder-decoder summarizers (BART/PEGASUS) without a prompt; lead-N,
    T5 and chat models (prompts, chat templates) stay on transformers."""
    model = cfg.summarization_model
    if model is None or is_lead(model) or cfg.prompt is not None:
        return False
    from transformers import AutoConfig

    from summarize.families import ENCODER_DECODER, detect_family

    try:
        return detect_family(AutoConfig.from_pretrained(model)) == ENCODER_DECODER
    except Exception:  # noqa: BLE001 - let the transformers loader report a missing model
        return False


def _model_info(model: Any) -> dict[str, Any] | None:
    if model is None:
        return None
    inner = getattr(model, "inner", model)
    info = {"id": model.name, "revision": getattr(inner, "revision", None), **model.settings()}
    if getattr(inner, "backend_fallback", None):  # auto fell back: say why
        info["backend_fallback"] = inner.backend_fallback
    return info


def count_articles(cfg: RunConfig) -> int | None:
    """A cheap first pass for the progress bar's total (not possible on stdin)."""
    if "-" in cfg.inputs:
        return None
    if cfg.shard:
        return sum(1 for _ in input_items(cfg))
    n = sum(1 for _ in read_inputs(cfg.inputs, cfg.fields, cfg.read_options))
    return min(n, cfg.limit) if cfg.limit is not None else n


def input_items(cfg: RunConfig) -> Iterator[tuple[str, Article | dict[str, Any]]]:
    """(record id, item) for the input articles in order, as every engine and merge see them.

    The item is an Article, or an error record for a duplicate id (its record takes the
    `<file>:<line>` id so it stays unique; with dedupe_ids it becomes ID~2... instead).
    With a shard, only that shard's ids are kept.
    """
    seen: dict[str, str] = {}
    for n, article in enumerate(read_inputs(cfg.inputs, cfg.fields, cfg.read_options)):
        if cfg.limit is not None and n >= cfg.limit:
            return
        item: Article | dict[str, Any] = article
        if article.id in seen and cfg.dedupe_ids:
            new_id = dedupe_id(article.id, seen)
            article.meta["original_id"] = article.id
            article = item = replace(article, id=new_id)
            seen[new_id] = article.origin
        elif article.id in seen:
            first = seen[article.id]
            article = replace(article, id=article.origin)
            item = error_record(article, "read", "DuplicateId",
                                f"{article.origin}: id already used at {first}")
        else:
            seen[article.id] = article.origin
        if cfg.shard is None or cfg.shard.contains(article.id):
            yield article.id, item


class Runner:
    """One run: owns the output file, the manifest and the counts."""

    def __init__(self, cfg: RunConfig, translator: Translator,
                 summarizer: Summarizer | None) -> None:
        self.cfg = cfg
        self.translator = translator
        self.summarizer = summarizer
        self.settings = cfg.batch_settings()
        self.stats = RunStats(cfg.output_path())
        self.started = datetime.now(timezone.utc)
        self.order: list[str] = []
        self.trust = TrustStats()
        self.stories: story_pass.Stories | None = None

    def manifest(self, status: str) -> dict[str, Any]:
        s = self.stats
        elapsed = max(s.elapsed_s, 1e-9)
        return {
            "schema_version": 1,
            "status": status,
            "command": sys.argv,
            "inputs": self.cfg.inputs,
            "output": str(s.output),
            "models": {"translation": _model_info(self.translator),
                       "summarization": _model_info(self.summarizer)},
            "summary_length": self.cfg.summary_length.record(),
            "cleaning": self.cfg.clean_options.signature(),
            "segment_tokens": self.cfg.segment_tokens,
            # What merge needs to re-read the inputs in order (see shards.py).
            "fields": {"text": self.cfg.fields.text, "title": self.cfg.fields.title,
                       "id": self.cfg.fields.id},
            "limit": self.cfg.limit,
            "read_options": {"encoding": self.cfg.read_options.encoding,
                             "max_article_chars": self.cfg.read_options.max_article_chars},
            "dedupe_ids": self.cfg.dedupe_ids,
            "shard": self.cfg.shard.to_json() if self.cfg.shard else None,
            "stories": story_pass.manifest_entry(self.stories, self.cfg.translate),
            "cwd": os.getcwd(),
            "trust": self.trust.manifest(retry_overrides(self.translator)
                                         if self.cfg.retry_doubtful else None),
            "packages": package_versions(),
            "platform": platform.platform(),
            "counts": {"articles": s.processed + s.resumed, "ok": s.ok, "error": s.error,
                       "skipped": s.skipped, "resumed": s.resumed, "segments": s.segments,
                       "dedupe_hits": s.dedupe_hits, "repaired_lines": s.repaired_lines,
                       "retried_errors": s.retried},
            "started_at": self.started.isoformat(timespec="seconds"),
            "ended_at": (datetime.now(timezone.utc).isoformat(timespec="seconds")
                         if status != "running" else None),
            "elapsed_s": round(s.elapsed_s, 3),
            "throughput": {"articles_per_min": round(s.processed / elapsed * 60, 2),
                           "segments_per_s": round(s.segments / elapsed, 2)},
        }

    def _articles(self, done: dict[str, str]) -> Iterator[Article | dict[str, Any] | None]:
        """Input items in order (see input_items); None for one already done (resume)."""
        for article_id, item in input_items(self.cfg):
            self.order.append(article_id)
            if article_id in done:
                self.stats.resumed += 1
                self.stats.resumed_errors += done[article_id] == "error"
                yield None
            elif (self.stories is not None and isinstance(item, Article)
                  and not self.stories.translates(article_id, self.cfg.translate)):
                yield story_pass.member_record(item, self.stories)  # --translate leads
            else:
                yield item

    def _begin(self, stop: StopRequest | None) -> RecordFile:
        """Open (and repair) the output, write the 'running' manifest, start the clock."""
        self.stop = stop
        out = RecordFile(self.stats.output, overwrite=self.cfg.overwrite,
                         retry_errors=self.cfg.retry_errors)
        self.stats.repaired_lines, self.stats.retried = out.repaired, out.retried
        self.mpath = manifest_path(self.stats.output)
        self.t0 = time.perf_counter()
        if self.cfg.stories and "-" not in self.cfg.inputs:  # stdin cannot be read twice
            # Over the WHOLE input, shard or not: every shard, engine and resume gets the same.
            whole = (item for _, item in input_items(replace(self.cfg, shard=None)))
            self.stories = story_pass.first_pass(whole, self.cfg.clean_options)
        write_json_atomic(self.mpath, self.manifest("running"))
        return out

    def run(self, stop: StopRequest | None = None) -> RunStats:
        """Process everything not done yet; stops after the current batch when `stop` is."""
        cfg, stats = self.cfg, self.stats
        out = self._begin(stop)
        resumed_from = dict(out.done)
        mpath, t0 = self.mpath, self.t0
        count = self.translator.count_tokens
        pool_tokens = cfg.batch_tokens * cfg.pool_batches
        bar = tqdm(total=count_articles(cfg), unit="article", file=sys.stderr,
                   disable=cfg.quiet, dynamic_ncols=True)
        items: list[Prepared | dict[str, Any]] = []
        tokens = 0
        stopped = False
        try:
            for item in self._articles(resumed_from):
                if item is None:
                    bar.update(1)
                    continue
                if isinstance(item, Article):
                    item = prepare(item, count, self.settings)
                prepared = item
                items.append(prepared)
                if isinstance(prepared, Prepared):
                    tokens += prepared.tokens
                if tokens >= pool_tokens or len(items) >= cfg.max_pool_articles:
                    self._flush(items, out, bar)
                    items, tokens = [], 0
                    if stop is not None and stop.requested:
                        stopped = True
                        break
            else:
                self._flush(items, out, bar)
        except OutputWriteError as exc:
            stats.elapsed_s = time.perf_counter() - t0
            self._try_manifest("failed", error=str(exc))
            code = 2 if stats.processed == 0 else 3
            raise RunStopped(
                f"{exc.strerror} ({stats.processed} articles written in this run). The file "
                "is valid up to its last complete record; free space or fix the output, then "
                "rerun the same command to resume.", stats, code) from None
        finally:
            bar.close()
            out.close()
            stats.elapsed_s = time.perf_counter() - t0
        if stopped and stop is not None:
            self._try_manifest("interrupted", signal=stop.name)
            raise RunStopped(
                f"interrupted by {stop.name} after {stats.processed} articles; what was "
                f"written is complete. To resume, run the same command again: "
                f"{resume_command()}", stats, stop.exit_code)
        if resumed_from or stats.retried:
            out.reorder(self.order)
        stats.dedupe_hits = getattr(self.translator, "hits", 0)
        stats.trust = self.trust.closing()
        write_json_atomic(mpath, self.manifest("finished"))
        return stats

    def _flush(self, items: list[Prepared | dict[str, Any]], out: RecordFile, bar: tqdm) -> None:
        prepared = [p for p in items if isinstance(p, Prepared)]
        translate_prepared(prepared, self.translator, self.cfg.retry_doubtful)
        summarize_prepared(prepared, self.summarizer)
        records = [p.record if isinstance(p, Prepared) else p for p in items]
        story_pass.annotate(records, self.stories)
        out.append(records)
        self.trust.add(records)
        for rec in records:
            setattr(self.stats, rec["status"], getattr(self.stats, rec["status"]) + 1)
        self.stats.segments += sum(len(p.sources()) for p in prepared)
        bar.update(len(records))
        # The manifest follows every batch, so after a kill it says how far the run got.
        self.stats.elapsed_s = time.perf_counter() - self.t0
        self._try_manifest("running")

    def _try_manifest(self, status: str, **extra: Any) -> None:
        try:
            write_json_atomic(self.mpath, {**self.manifest(status), **extra})
        except OSError:
            pass  # the output's own error is the one to report


def run(cfg: RunConfig, translator: Translator | None = None,
        summarizer: Summarizer | None = None) -> RunStats:
    """Run the whole pipeline; models are loaded here unless given (tests, other engines).

    The output is locked first (a second run on it is refused before any model loads), and
    SIGINT/SIGTERM stop the run after the current batch (RunStopped).
    """
    check_inputs(cfg.inputs)
    if cfg.prompt is not None and summarizer is None:
        load_prompt(cfg.prompt)  # a broken template fails before any model loads
    with OutputLock(cfg.output_path()), StopRequest() as stop:
        if cfg.quiet:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        if translator is None:
            translator = load_translator(cfg)
        if summarizer is None:
            summarizer = load_summarizer(cfg)
        return Runner(cfg, translator, summarizer).run(stop)
