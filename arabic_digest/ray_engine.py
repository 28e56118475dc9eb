"""The Ray engine: the same per-batch functions as the local runner, spread over a Ray cluster.

The driver reads the inputs with the tool's own readers (so ids, duplicate ids, error records,
shards and resume are exactly the local runner's) and hands the articles to Ray Data. There,
plain tasks clean and segment them, one actor pool translates and another summarizes; each
actor loads its model once through `load_translator`/`load_summarizer`. Records stream back
to the driver, which appends them to the output as they come (a crash loses at most the
batches in flight; rerunning resumes) and finally puts the file in input order.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import pickle
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm

from .guard import OutputLock, StopRequest
from .pipeline import Prepared, prepare, summarize_prepared, translate_prepared
from .readers import Article
from .records import OutputWriteError, RecordFile, write_json_atomic
from .runner import (
    RunConfig,
    Runner,
    RunStats,
    RunStopped,
    _model_info,
    load_summarizer,
    load_translator,
    resume_command,
)
from .stories import annotate

# Environment passed on to Ray's workers when the driver has it (offline mode must hold there).
PASSED_ENV = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


class RayEngineError(Exception):
    """Ray is missing, or the cluster cannot run this job as asked."""


@dataclass
class RayOptions:
    address: str | None = None  # None: RAY_ADDRESS, else start a local Ray
    actors: int = 1  # actors per model stage
    gpus_per_actor: float | None = None  # None: 1 where there are GPUs to use, else 0
    cpus_per_actor: float = 1.0
    batch_articles: int = 16  # articles per actor call
    ship_code: bool = True  # upload this package to the workers (runtime_env py_modules)


def _import_ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401 - the extra is ray[data], check that part too
    except ImportError as exc:
        raise RayEngineError(
            f"--engine ray needs Ray Data ({exc}): pip install 'arabic-digest[ray]'") from None
    return ray


# Items travel between stages as pickles in one binary column: Ray Data then never has to
# infer a table schema from free-form records (their `meta` differs from input to input).
def _pack(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _unpack(raw: Any) -> Any:
    return pickle.loads(raw)


@functools.lru_cache(maxsize=4)
def _token_counter(model: str) -> Callable[[str], int] | None:
    """The translation tokenizer, loaded once per worker process (no model weights)."""
    from .cleaning import tokenizer_counter

    try:
        return tokenizer_counter(model)
    except Exception:  # noqa: BLE001 - the translation actor then segments instead
        return None


def clean_batch(batch: dict[str, Any], cfg: RunConfig) -> dict[str, Any]:
    """Ray task: clean and segment the articles of one batch (records pass through)."""
    import numpy as np

    count = _token_counter(cfg.translation_model)
    settings = cfg.batch_settings()
    out = []
    for raw in batch["item"]:
        item = _unpack(raw)
        if isinstance(item, Article) and count is not None:
            item = prepare(item, count, settings)
        out.append(_pack(item))
    return {"item": np.array(out, dtype=object)}


class TranslateActor:
    """Ray actor: loads the translator once, translates batches of prepared articles."""

    def __init__(self, cfg: RunConfig) -> None:
        _quiet_loading(cfg)
        self.retry = cfg.retry_doubtful
        self.translator = load_translator(cfg)
        self.settings = cfg.batch_settings()
        self.info = json.dumps(_model_info(self.translator))

    def _ready(self, item: Any) -> Any:
        """Segment here what the clean task could not, or counted with another tokenizer."""
        count = self.translator.count_tokens
        if isinstance(item, Article):
            return prepare(item, count, self.settings)
        if isinstance(item, Prepared) and item.tokens != sum(map(count, item.sources())):
            return prepare(item.article, count, self.settings)
        return item

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        items = [self._ready(_unpack(raw)) for raw in batch["item"]]
        hits = getattr(self.translator, "hits", 0)
        translate_prepared([p for p in items if isinstance(p, Prepared)], self.translator,
                           self.retry)
        n = len(items)
        return {"item": np.array([_pack(i) for i in items], dtype=object),
                "translation_model": np.array([self.info] * n, dtype=object),
                # The dedupe cache's hits for this batch, on its first row.
                "dedupe_hits": np.array([getattr(self.translator, "hits", 0) - hits]
                                        + [0] * (n - 1))}


class SummarizeActor:
    """Ray actor: loads the summarizer once, summarizes batches of translated articles."""

    def __init__(self, cfg: RunConfig) -> None:
        _quiet_loading(cfg)
        self.summarizer = load_summarizer(cfg)
        self.info = json.dumps(_model_info(self.summarizer))

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        items = [_unpack(raw) for raw in batch["item"]]
        summarize_prepared([p for p in items if isinstance(p, Prepared)], self.summarizer)
        return {**batch, "item": np.array([_pack(i) for i in items], dtype=object),
                "summarization_model": np.array([self.info] * len(items), dtype=object)}


def _quiet_loading(cfg: RunConfig) -> None:
    if cfg.quiet:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()


class _RemoteModel:
    """What the manifest needs of a model that lives in an actor (see runner._model_info)."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.name = info["id"]
        self.revision = info.get("revision")
        self._settings = {k: v for k, v in info.items() if k not in ("id", "revision")}

    def settings(self) -> dict[str, Any]:
        return self._settings


def _runtime_env(opts: RayOptions) -> dict[str, Any]:
    """Ship this package's code (installed or a checkout) and the offline switches to workers."""
    env: dict[str, Any] = {}
    if opts.ship_code:
        import arabic_digest
        import summarize
        import translate

        env["py_modules"] = [arabic_digest, translate, summarize]
    passed = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    if passed:
        env["env_vars"] = passed
    return env


class RayRunner(Runner):
    """A run whose batches go to Ray; resume, order, counts and manifest are the Runner's."""

    def __init__(self, cfg: RunConfig, opts: RayOptions) -> None:
        # The models live in the actors; until their settings come back with the first
        # batch, the manifest knows them by name only.
        summarizer = (_RemoteModel({"id": cfg.summarization_model})
                      if cfg.summarization_model is not None else None)
        super().__init__(cfg, _RemoteModel({"id": cfg.translation_model}),  # type: ignore
                         summarizer)  # type: ignore[arg-type]
        self.opts = opts
        self.gpus = 0.0
        self.have_info = {"translation_model": False, "summarization_model": False}

    def manifest(self, status: str) -> dict[str, Any]:
        m = super().manifest(status)
        m["engine"] = {"name": "ray", "address": self.opts.address, "actors": self.opts.actors,
                       "gpus_per_actor": self.gpus, "cpus_per_actor": self.opts.cpus_per_actor,
                       "batch_articles": self.opts.batch_articles}
        return m

    def run(self, stop: StopRequest | None = None) -> RunStats:
        """As Runner.run: resume, append per batch, stop after a batch on SIGINT/SIGTERM."""
        cfg, stats = self.cfg, self.stats
        out = self._begin(stop)
        bar = None
        stopped = False
        try:
            todo = [item for item in self._articles(dict(out.done)) if item is not None]
            bar = tqdm(total=len(todo), unit="article", file=sys.stderr, disable=cfg.quiet,
                       dynamic_ncols=True)
            if todo:
                stopped = self._dispatch_reporting(todo, out, bar)
        except OutputWriteError as exc:
            stats.elapsed_s = time.perf_counter() - self.t0
            self._try_manifest("failed", error=str(exc))
            raise RunStopped(
                f"{exc.strerror} ({stats.processed} articles written in this run). The file "
                "is valid up to its last complete record; free space or fix the output, then "
                "rerun the same command to resume.", stats, 2 if stats.processed == 0 else 3
            ) from None
        finally:
            if bar is not None:
                bar.close()
            out.close()
            stats.elapsed_s = time.perf_counter() - self.t0
        out.reorder(self.order)
        stats.trust = self.trust.closing()
        if stopped and stop is not None:
            self._try_manifest("interrupted", signal=stop.name)
            raise RunStopped(
                f"interrupted by {stop.name} after {stats.processed} articles; what was "
                f"written is complete. To resume, run the same command again: "
                f"{resume_command()}", stats, stop.exit_code)
        write_json_atomic(self.mpath, self.manifest("finished"))
        return stats

    def _dispatch_reporting(self, todo: list[Any], out: RecordFile, bar: tqdm) -> bool:
        try:
            return self._dispatch(todo, out, bar)
        except OutputWriteError:
            raise
        except Exception as exc:
            # An actor that cannot load its model: say so, as the local runner does.
            message = str(exc) if isinstance(exc, RayEngineError) else _load_error(exc)
            self._try_manifest("failed", error=message or f"{type(exc).__name__}: {exc}")
            if message is None:
                raise
            if not isinstance(exc, RayEngineError):
                message = f"a Ray actor could not load its model: {message}"
            raise RayEngineError(message) from None

    def _dispatch(self, todo: list[Any], out: RecordFile, bar: tqdm) -> bool:
        """Run the Ray Data pipeline over `todo`, appending records as they come back.

        Returns True when a stop was requested (the batches in flight are dropped).
        """
        ray = _import_ray()
        import numpy as np

        cfg, opts = self.cfg, self.opts
        if not ray.is_initialized():
            # Job-level runtime_env: Ray uploads the code only there (not per stage). A caller
            # that did ray.init itself sees to its workers' imports.
            local = opts.address is None and not os.environ.get("RAY_ADDRESS")
            extra = {"include_dashboard": False} if local else {}
            ray.init(address=opts.address, logging_level="WARNING",
                     runtime_env=_runtime_env(opts), log_to_driver=not cfg.quiet, **extra)
        if cfg.quiet:
            logging.getLogger("ray.data").setLevel(logging.WARNING)
        self.gpus = self._gpus_per_actor(ray)
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # the run's own bar counts articles
        actor_args = {"compute": ray.data.ActorPoolStrategy(size=opts.actors),
                      "num_cpus": opts.cpus_per_actor,
                      "num_gpus": self.gpus, "batch_size": opts.batch_articles,
                      "fn_constructor_kwargs": {"cfg": cfg}}
        # About one block per actor batch, so that every actor of a pool gets work.
        blocks = min(max(1, -(-len(todo) // opts.batch_articles)), 10_000)
        ds = ray.data.from_items([{"item": _pack(item)} for item in todo],
                                 override_num_blocks=blocks)
        ds = ds.map_batches(clean_batch, fn_kwargs={"cfg": cfg}, batch_size=64)
        ds = ds.map_batches(TranslateActor, **actor_args)
        if cfg.summarization_model is not None:
            ds = ds.map_batches(SummarizeActor, **actor_args)
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
            items = [_unpack(raw) for raw in batch["item"]]
            records = [p.record if isinstance(p, Prepared) else p for p in items]
            annotate(records, self.stories)
            out.append(records)
            for rec in records:
                setattr(self.stats, rec["status"], getattr(self.stats, rec["status"]) + 1)
            self.stats.segments += sum(len(p.sources()) for p in items
                                       if isinstance(p, Prepared))
            self.stats.dedupe_hits += int(np.sum(batch["dedupe_hits"]))
            self.trust.add(records)
            for column, known in self.have_info.items():
                if not known and column in batch and len(items):
                    model = _RemoteModel(json.loads(batch[column][0]))
                    if column == "translation_model":
                        self.translator = model
                    else:
                        self.summarizer = model
                    self.have_info[column] = True
            bar.update(len(records))
            self.stats.elapsed_s = time.perf_counter() - self.t0
            self._try_manifest("running")
            if self.stop is not None and self.stop.requested:
                return True
        return False

    def _gpus_per_actor(self, ray: Any) -> float:
        cfg, opts = self.cfg, self.opts
        available = ray.cluster_resources().get("GPU", 0)
        if opts.gpus_per_actor is not None:
            gpus = opts.gpus_per_actor
        elif cfg.device == "cuda" or (cfg.device == "auto" and available):
            gpus = 1.0
        else:
            gpus = 0.0
        if cfg.device == "cuda" and not gpus:
            raise RayEngineError("--device cuda needs --ray-gpus-per-actor above 0")
        if gpus > available:
            raise RayEngineError(
                f"each model actor asks for {gpus:g} GPU but the Ray cluster has "
                f"{available:g}; use --device cpu, or join a cluster with GPUs (--ray-address)")
        return gpus


def _load_error(exc: BaseException) -> str | None:
    """The ModelLoadError/SummarizerLoadError message inside a Ray error, if that is what it is.

    Ray wraps an actor's exception (and sometimes only its text) in its own error types.
    """
    from summarize.summarizer import SummarizerLoadError
    from translate.translator import ModelLoadError

    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, (ModelLoadError, SummarizerLoadError)):
            return str(e)
        todo += [c for c in (e.__cause__, e.__context__, getattr(e, "cause", None))
                 if isinstance(c, BaseException)]
    match = re.search(r"(?:ModelLoadError|SummarizerLoadError): (.+)", str(exc))
    return match[1].strip() if match else None


def run_ray(cfg: RunConfig, opts: RayOptions | None = None) -> RunStats:
    """`run --engine ray`: same records as `runner.run`, computed on a Ray cluster."""
    from summarize.prompts import load_prompt

    from .readers import check_inputs

    check_inputs(cfg.inputs)
    _import_ray()  # fail before reading anything when the extra is missing
    if cfg.prompt is not None:
        load_prompt(cfg.prompt)  # a broken template fails before any actor starts
    with OutputLock(cfg.output_path()), StopRequest() as stop:
        return RayRunner(cfg, opts or RayOptions()).run(stop)
