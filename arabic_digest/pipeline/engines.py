"""Engines: where the work on a run's articles happens, never what a record holds.

An engine turns a stream of input items (articles, or finished error records) into batches
of finished records. The Runner (runner.py) owns everything else: the lock, the output file,
resume, the manifest and the counts. `LocalEngine` works in this process; `RayEngine`
(ray_engine.py) on a Ray cluster. Local and Ray give identical records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from arabic_digest.inputs.readers import Article
from arabic_digest.manifest import model_info
from arabic_digest.pipeline.article import Prepared, prepare, summarize_prepared, translate_prepared
from arabic_digest.pipeline.progress import Progress
from arabic_digest.pipeline.spec import RunSpec
from arabic_digest.summarize.summarizer import Summarizer
from arabic_digest.translate.translator import Translator

Item = Article | dict[str, Any]  # an article to process, or a finished (error) record


@dataclass
class Batch:
    """Finished records, in input order within the batch, and what it took."""

    records: list[dict[str, Any]]
    segments: int = 0
    dedupe_hits: int = 0
    models: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # where new


class Engine(Protocol):
    def models(self) -> dict[str, dict[str, Any] | None] | None:
        """The models' manifest entries; None while they are not known yet (remote actors)."""
        ...

    def manifest(self) -> dict[str, Any]:
        """What the manifest says of where the run ran."""
        ...

    def watch(self, bar: Progress) -> bool:
        """Let the engine move the progress bar as model batches finish; False when it
        cannot (the Runner then moves it per batch of records)."""
        ...

    def process(self, items: Iterable[Item], checkpoint: Callable[[], None]) -> Iterator[Batch]:
        """Batches of finished records for `items`, in input order. `checkpoint()` raises
        to stop (a stop request); engines call it after each model batch they run."""
        ...


def records_of(items: list[Prepared | dict[str, Any]]) -> list[dict[str, Any]]:
    return [p.record if isinstance(p, Prepared) else p for p in items]


def work_on(items: list[Prepared | dict[str, Any]], translator: Translator,
            summarizer: Summarizer | None, spec: RunSpec,
            checkpoint: Callable[[], None] = lambda: None, summary_chunk: int = 16) -> Batch:
    """Translate and summarize a pool of prepared articles (errors pass through): one batch.

    Summaries go `summary_chunk` articles at a time, so a stop request waits for one chunk.
    """
    prepared = [p for p in items if isinstance(p, Prepared)]
    hits = translator.stats().get("dedupe_hits", 0)
    translate_prepared(prepared, translator, spec.retry_doubtful, spec.glossary)
    for start in range(0, len(prepared), summary_chunk):
        checkpoint()
        summarize_prepared(prepared[start:start + summary_chunk], summarizer)
    return Batch(records_of(items), sum(len(p.sources()) for p in prepared),
                 translator.stats().get("dedupe_hits", 0) - hits)


class LocalEngine:
    """This process: articles are pooled until their segments fill `pool_batches` batches of
    `batch_tokens` (or `max_pool_articles`), then translated and summarized together."""

    def __init__(self, spec: RunSpec, translator: Translator,
                 summarizer: Summarizer | None) -> None:
        self.spec = spec
        self.translator = translator
        self.summarizer = summarizer
        self.settings = spec.batch_settings()
        # Progress hooks (the Runner's bar): segments about to be translated, segments done.
        self.on_planned: Callable[[int, int], None] = lambda articles, segments: None
        self.on_translated: Callable[[int], None] = lambda rows: None

    def models(self) -> dict[str, dict[str, Any] | None]:
        return {"translation": model_info(self.translator),
                "summarization": model_info(self.summarizer)}

    def manifest(self) -> dict[str, Any]:
        return {"engine": {"name": "local"}}

    def watch(self, bar: Progress) -> bool:
        self.on_planned, self.on_translated = bar.planned, bar.translated
        return True

    def process(self, items: Iterable[Item], checkpoint: Callable[[], None]) -> Iterator[Batch]:
        spec = self.spec

        def after_batch(rows: int) -> None:
            self.on_translated(rows)  # the bar moves with the work, not per pool
            checkpoint()

        self.translator.on_batch = after_batch
        count = self.translator.count_tokens
        pool_tokens = spec.batch_tokens * spec.pool_batches
        pool: list[Prepared | dict[str, Any]] = []
        tokens = 0
        for item in items:
            checkpoint()  # also a stop asked for while the models loaded
            prepared = prepare(item, count, self.settings) if isinstance(item, Article) else item
            pool.append(prepared)
            tokens += prepared.tokens if isinstance(prepared, Prepared) else 0
            if tokens >= pool_tokens or len(pool) >= spec.max_pool_articles:
                self._plan(pool)
                yield work_on(pool, self.translator, self.summarizer, spec, checkpoint)
                pool, tokens = [], 0
        if pool:
            self._plan(pool)
            yield work_on(pool, self.translator, self.summarizer, spec, checkpoint)

    def _plan(self, pool: list[Prepared | dict[str, Any]]) -> None:
        prepared = [p for p in pool if isinstance(p, Prepared)]
        self.on_planned(len(pool), sum(len(p.sources()) for p in prepared))
