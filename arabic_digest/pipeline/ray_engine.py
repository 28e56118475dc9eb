"""The Ray engine: the same per-batch work as the local engine, on Ray actors.

The Runner streams the input to it (ids, duplicate ids, error records, shards and resume are
exactly the local run's). The driver cuts the stream into batches of articles and keeps a
bounded window of them in flight, so its memory does not grow with the corpus: a translation
actor cleans, segments and translates a batch (it holds the tokenizer and model), and a
summarization actor summarizes the result; each actor loads its model once. Batches come back
in the order they were sent, so the output is written in input order.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from arabic_digest.errors import ArabicDigestError
from arabic_digest.guard import OutputLock, StopRequest
from arabic_digest.manifest import model_info
from arabic_digest.pipeline.article import Prepared, prepare, summarize_prepared
from arabic_digest.pipeline.engines import Batch, Item, records_of, work_on
from arabic_digest.pipeline.onepass import InputPass
from arabic_digest.pipeline.runner import Runner, RunStats, begin_locked, preflight
from arabic_digest.pipeline.spec import Device, RunSpec

# Environment passed on to Ray's workers when the driver has it (offline mode must hold there).
PASSED_ENV = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


class RayEngineError(ArabicDigestError):
    """Ray is missing, or the cluster cannot run this job as asked."""


@dataclass
class RayOptions:
    address: str | None = None  # None: RAY_ADDRESS, else start a local Ray
    actors: int = 1  # actors per model stage
    gpus_per_actor: float | None = None  # None: 1 where there are GPUs to use, else 0
    cpus_per_actor: float = 1.0
    batch_articles: int = 16  # articles per actor call
    in_flight_per_actor: int = 2  # batches queued per actor: enough to keep it busy
    ship_code: bool = True  # upload this package to the workers (runtime_env py_modules)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RayEngineError(
            f"--engine ray needs Ray ({exc}): pip install 'arabic-digest[ray]'") from None
    return ray


def _quiet_loading(spec: RunSpec) -> None:
    from arabic_digest.pipeline.models import loading_bars

    loading_bars(spec.quiet)


class TranslateActor:
    """Ray actor: loads the translator once; cleans, segments and translates batches."""

    def __init__(self, spec: RunSpec) -> None:
        from arabic_digest.pipeline.backends import load_translator

        _quiet_loading(spec)
        self.spec = spec
        self.translator = load_translator(spec)
        self.settings = spec.batch_settings()

    def info(self) -> dict[str, Any] | None:
        return model_info(self.translator)

    def work(self, items: list[Item]) -> dict[str, Any]:
        count = self.translator.count_tokens
        ready = [prepare(i, count, self.settings) if not isinstance(i, dict) else i
                 for i in items]
        batch = work_on(ready, self.translator, None, self.spec)
        return {"items": ready, "segments": batch.segments, "dedupe_hits": batch.dedupe_hits}


class SummarizeActor:
    """Ray actor: loads the summarizer once, summarizes batches of translated articles."""

    def __init__(self, spec: RunSpec) -> None:
        from arabic_digest.pipeline.backends import load_summarizer

        _quiet_loading(spec)
        self.summarizer = load_summarizer(spec)

    def info(self) -> dict[str, Any] | None:
        return model_info(self.summarizer)

    def work(self, done: dict[str, Any]) -> dict[str, Any]:
        summarize_prepared([p for p in done["items"] if isinstance(p, Prepared)],
                           self.summarizer)
        return done


def _runtime_env(opts: RayOptions) -> dict[str, Any]:
    """Ship this package's code (installed or a checkout) and the offline switches to workers."""
    env: dict[str, Any] = {}
    if opts.ship_code:
        import arabic_digest

        env["py_modules"] = [arabic_digest]
    passed = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    if passed:
        env["env_vars"] = passed
    return env


class RayEngine:
    def __init__(self, spec: RunSpec, opts: RayOptions) -> None:
        self.spec = spec
        self.opts = opts
        self.gpus = 0.0
        self._known: dict[str, dict[str, Any] | None] | None = None

    def models(self) -> dict[str, dict[str, Any] | None] | None:
        return self._known  # known once the actors have loaded them

    def manifest(self) -> dict[str, Any]:
        o = self.opts
        return {"engine": {"name": "ray", "address": o.address, "actors": o.actors,
                           "gpus_per_actor": self.gpus, "cpus_per_actor": o.cpus_per_actor,
                           "batch_articles": o.batch_articles}}

    def watch(self, bar: Any) -> bool:
        return False  # the actors' model batches are not seen here: per batch of records

    def _start(self) -> tuple[Any, list[Any], list[Any]]:
        ray = _import_ray()
        spec, opts = self.spec, self.opts
        if not ray.is_initialized():
            # Job-level runtime_env: Ray uploads the code only there. A caller that did
            # ray.init itself sees to its workers' imports.
            local = opts.address is None and not os.environ.get("RAY_ADDRESS")
            extra = {"include_dashboard": False} if local else {}
            ray.init(address=opts.address, logging_level="WARNING",
                     runtime_env=_runtime_env(opts), log_to_driver=not spec.quiet, **extra)
        self.gpus = self._gpus_per_actor(ray)
        resources = {"num_cpus": opts.cpus_per_actor, "num_gpus": self.gpus}
        translators = [ray.remote(TranslateActor).options(**resources).remote(spec)
                       for _ in range(opts.actors)]
        summarizers = ([ray.remote(SummarizeActor).options(**resources).remote(spec)
                        for _ in range(opts.actors)]
                       if spec.summarization_model is not None else [])
        try:
            infos = ray.get([a.info.remote() for a in translators[:1] + summarizers[:1]])
        except Exception as exc:
            message = _load_error(exc)
            if message is None:
                raise
            raise RayEngineError(f"a Ray actor could not load its model: {message}") from None
        self._known = {"translation": infos[0],
                       "summarization": infos[1] if summarizers else None}
        return ray, translators, summarizers

    def process(self, items: Iterable[Item], checkpoint: Callable[[], None]) -> Iterator[Batch]:
        ray, translators, summarizers = self._start()
        window = max(1, self.opts.actors * self.opts.in_flight_per_actor)
        in_flight: deque[Any] = deque()
        stream = iter(items)
        sent = 0
        first = True
        try:
            while True:
                while len(in_flight) < window:
                    chunk = list(islice(stream, self.opts.batch_articles))
                    if not chunk:
                        break
                    ref = translators[sent % len(translators)].work.remote(chunk)
                    if summarizers:
                        ref = summarizers[sent % len(summarizers)].work.remote(ref)
                    in_flight.append(ref)
                    sent += 1
                if not in_flight:
                    return
                done = ray.get(in_flight.popleft())  # oldest first: input order
                yield Batch(records_of(done["items"]), done["segments"], done["dedupe_hits"],
                            self._known if first else {})
                first = False
        finally:
            for actor in translators + summarizers:
                ray.kill(actor)

    def _gpus_per_actor(self, ray: Any) -> float:
        spec, opts = self.spec, self.opts
        available = ray.cluster_resources().get("GPU", 0)
        if opts.gpus_per_actor is not None:
            gpus = opts.gpus_per_actor
        elif spec.device == Device.cuda or (spec.device == Device.auto and available):
            gpus = 1.0
        else:
            gpus = 0.0
        if spec.device == Device.cuda and not gpus:
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
    from arabic_digest.summarize.summarizer import SummarizerLoadError
    from arabic_digest.translate.translator import ModelLoadError

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
    # TranslationModelError, SummarizationModelError (backends.py) too
    match = re.search(r"(?:ModelLoadError|SummarizerLoadError|\w*ModelError): (.+)", str(exc))
    return match[1].strip() if match else None


def run_ray(spec: RunSpec, opts: RayOptions | None = None) -> RunStats:
    """`run --engine ray`: the same records as `runner.run`, computed on a Ray cluster."""
    with InputPass(spec) as source:
        preflight(spec, source)
        _import_ray()  # fail before reading anything more when the extra is missing
        with OutputLock(spec.output_path()), StopRequest() as stop:
            spec = begin_locked(spec, source)
            engine = RayEngine(spec, opts or RayOptions())
            return Runner(spec, engine, source).run(stop)
