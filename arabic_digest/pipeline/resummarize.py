"""`arabic-digest summarize`: summarize a finished run's translations again (another model,
prompt or length) without translating again. The input file is never modified; a new JSONL
and its manifest are written beside it."""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tqdm import tqdm

from arabic_digest.guard import OutputLock
from arabic_digest.inputs.readers import Article, InputError
from arabic_digest.manifest import manifest_path, model_info, new_manifest, write_manifest
from arabic_digest.pipeline.article import Prepared, summarize_prepared
from arabic_digest.records import RecordFile, iter_records, read_records
from arabic_digest.summarize.length import SummaryLength
from arabic_digest.summarize.prompts import load_prompt
from arabic_digest.summarize.summarizer import DEFAULT_SUMMARIZATION_MODEL, Summarizer
from arabic_digest.text import plural


@dataclass
class ResummarizeConfig:
    input: Path
    output: Path | None = None
    summarization_model: str = DEFAULT_SUMMARIZATION_MODEL
    summary_length: SummaryLength = field(default_factory=SummaryLength)
    prompt: str | None = None
    device: str = "auto"
    batch_size: int = 16
    overwrite: bool = False
    quiet: bool = False

    def output_path(self) -> Path:
        return self.output or summary_output(self.input, self.summarization_model,
                                             self.summary_length, self.prompt)


@dataclass
class ResummarizeStats:
    output: Path
    summarized: int = 0
    error: int = 0
    copied: int = 0  # records without a translation (errors, skipped), copied as they were
    elapsed_s: float = 0.0

    def closing_line(self) -> str:
        total = self.summarized + self.error + self.copied
        return (f"{plural(total, 'record')}: {self.summarized} summarized, {self.error} error, "
                f"{self.copied} copied unchanged; "
                f"{self.elapsed_s:.1f} s -> {self.output}")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "model"


def summary_output(source: Path, model: str, length: SummaryLength,
                   prompt: str | None) -> Path:
    """`outputs/news.jsonl` -> `outputs/news.summary-<model>[-<length>][-<prompt>].jsonl`."""
    parts = [_slug(Path(model.rstrip("/")).name)]
    if length.preset:
        parts.append(length.preset)
    if length.min_tokens is not None and not length.preset:
        parts.append(f"min{length.min_tokens}")
    if length.max_tokens is not None and not length.preset:
        parts.append(f"max{length.max_tokens}")
    if prompt:
        parts.append(_slug(Path(prompt).stem))
    stem = source.name.removesuffix(".jsonl")
    return source.with_name(f"{stem}.summary-{'-'.join(parts)}.jsonl")


def _summarizable(rec: dict[str, Any]) -> bool:
    """Records with a translation: ok ones, and those that failed only at the summary."""
    if not rec.get("translation") or not rec["translation"].get("paragraphs"):
        return False
    return rec.get("status") == "ok" or (rec.get("error") or {}).get("stage") == "summarize"


def _prepared(rec: dict[str, Any], origin: str) -> Prepared:
    rec["status"], rec["error"], rec["summary"] = "ok", None, None
    article = Article(id=rec["id"], text=None, origin=origin)
    return Prepared(article, rec, [], [])


class Resummarizer:
    def __init__(self, cfg: ResummarizeConfig, summarizer: Summarizer) -> None:
        self.cfg = cfg
        self.summarizer = summarizer
        self.stats = ResummarizeStats(cfg.output_path())
        self.started = datetime.now(timezone.utc)

    def _source_manifest(self) -> dict[str, Any] | None:
        path = manifest_path(self.cfg.input)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def manifest(self) -> dict[str, Any]:
        s = self.stats
        source = self._source_manifest() or {}
        return new_manifest(
            "finished", s.output, self.started,
            kind="summarize",
            summarized_from=str(self.cfg.input),
            inputs=source.get("inputs"),
            models={"translation": (source.get("models") or {}).get("translation"),
                    "summarization": model_info(self.summarizer)},
            length=self.cfg.summary_length.record(),
            cleaning=source.get("cleaning"),
            counts={"records": s.summarized + s.error + s.copied, "summarized": s.summarized,
                    "error": s.error, "copied": s.copied},
            elapsed_s=round(s.elapsed_s, 3))

    def run(self) -> ResummarizeStats:
        cfg, stats = self.cfg, self.stats
        t0 = time.perf_counter()
        total = sum(1 for _ in iter_records(cfg.input))
        bar = tqdm(total=total, unit="record", file=sys.stderr, disable=cfg.quiet,
                   dynamic_ncols=True)
        out = RecordFile(stats.output, overwrite=True)  # written as run writes: whole lines
        pending: list[dict[str, Any]] = []
        try:
            for n, rec in enumerate(iter_records(cfg.input), 1):
                pending.append(rec)
                if sum(_summarizable(r) for r in pending) >= cfg.batch_size:
                    self._flush(pending, out, n - len(pending) + 1, bar)
                    pending = []
            self._flush(pending, out, total - len(pending) + 1, bar)
        finally:
            out.close()
            bar.close()
            stats.elapsed_s = time.perf_counter() - t0
        write_manifest(stats.output, self.manifest())
        return stats

    def _flush(self, records: list[dict[str, Any]], out: RecordFile, first_line: int,
               bar: tqdm) -> None:
        todo = [_prepared(r, f"{self.cfg.input}:{first_line + k}")
                for k, r in enumerate(records) if _summarizable(r)]
        summarize_prepared(todo, self.summarizer)
        for p in todo:
            ok = p.record["status"] == "ok"
            self.stats.summarized += ok
            self.stats.error += not ok
        self.stats.copied += len(records) - len(todo)
        out.append(records)
        bar.update(len(records))


def check_paths(cfg: ResummarizeConfig) -> Path:
    if not cfg.input.is_file():
        raise InputError(f"no such file: {cfg.input}")
    records = sum(1 for _ in iter_records(cfg.input))
    if not records:
        read_records(cfg.input)  # raises NotAnOutput, saying why
    out = cfg.output_path()
    if out.resolve() == cfg.input.resolve():
        raise InputError(f"the output would overwrite the input {cfg.input}; pick another -o")
    if out.exists() and not cfg.overwrite:
        raise InputError(f"{out} exists; pass --overwrite to replace it, or pick another -o")
    return out


def resummarize(cfg: ResummarizeConfig, summarizer: Summarizer | None = None) -> ResummarizeStats:
    check_paths(cfg)
    if cfg.prompt is not None and summarizer is None:
        load_prompt(cfg.prompt)  # before any model loads
    with OutputLock(cfg.output_path()):  # as run: one writer per output
        if summarizer is None:
            summarizer = _load(cfg)
        return Resummarizer(cfg, summarizer).run()


def _load(cfg: ResummarizeConfig) -> Summarizer:
    """The summarizer as `run` loads it (CTranslate2 where the model converts)."""
    from arabic_digest.pipeline.backends import load_summarizer
    from arabic_digest.pipeline.models import loading_bars
    from arabic_digest.pipeline.spec import Device, RunSpec

    loading_bars(cfg.quiet)
    spec = RunSpec(inputs=(str(cfg.input),), summarization_model=cfg.summarization_model,
                   summary_length=cfg.summary_length, prompt=cfg.prompt,
                   device=Device(cfg.device), quiet=cfg.quiet)
    summarizer = load_summarizer(spec)
    assert summarizer is not None  # a model was named
    return summarizer
