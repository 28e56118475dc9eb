"""The Python library under the CLI: `import arabic_digest as ad` (docs/python.md).

Everything here sits on the functions `arabic-digest run` uses: one spec (options.build_spec),
the same model loading (backends.py), the same engine (engines.LocalEngine: length-sorted
token batches pooled across articles, the duplicate-segment cache, retries, trust flags), the
same id rules (onepass.unique_items) and stories. `run` below is what the CLI's `run` calls.

A library's manners: nothing is printed to stdout, nothing calls sys.exit, signal handlers
are installed only by `run` (to stop after a batch, as the CLI does); progress bars are off
unless `progress=True`; messages go to the `arabic_digest` logger; every error is an
ArabicDigestError with the CLI's one-line message.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from arabic_digest.errors import ArabicDigestError, FileError, UsageProblem, os_problem
from arabic_digest.inputs.readers import (
    DEFAULT_MAX_ARTICLE_CHARS,
    Article,
    Fields,
    ReadOptions,
    article_from_mapping,
    check_inputs,
    read_inputs,
)
from arabic_digest.pipeline.options import (
    CLEAN,
    OPTIONS_LIST,
    build_spec,
    clean_options,
    offline_for_local_models,
    read_options,
)
from arabic_digest.pipeline.spec import Backend, Device, Engine, RunSpec, Translate
from arabic_digest.results import Cleaned, Record

if TYPE_CHECKING:
    from arabic_digest.pipeline.runner import RunStats
    from arabic_digest.summarize.summarizer import Summarizer
    from arabic_digest.translate.translator import Translator

logger = logging.getLogger("arabic_digest")

ArticleLike = str | Mapping[str, Any] | Article

# The options of `run` (and of Pipeline, less RUN_ONLY), declared in pipeline/options.py;
# those the CLI takes beside them (output, preset, progress, Ray's) are make_spec's own.
_NOT_KEYWORDS = {"output", "preset", "quiet", "ray_address", "ray_actors", "ray_gpus_per_actor"}
OPTIONS: dict[str, Any] = {o.name: o.default for o in OPTIONS_LIST if o.name not in _NOT_KEYWORDS}
RUN_ONLY = {"limit", "overwrite", "retry_errors", "shard", "engine"}  # about an output file
POOL_OPTIONS = ("pool_batches", "max_pool_articles")
CLEAN_FLAGS = tuple(o.name for o in OPTIONS_LIST if o.group is CLEAN)  # --keep-*
ID_WINDOW = 100_000  # ids a stream remembers to catch repeats (bounded memory)


def _check_ranges(o: Mapping[str, Any]) -> None:
    for declared in OPTIONS_LIST:
        if declared.name in OPTIONS:
            try:
                declared.check(o[declared.name])
            except ValueError as exc:
                raise UsageProblem(str(exc)) from None


def _choice(kind: type, name: str, value: Any) -> Any:
    try:
        return kind(value.value if hasattr(value, "value") else value)
    except ValueError:
        choices = ", ".join(m.value for m in kind)
        raise UsageProblem(f"{name} must be one of {choices}, not {value!r}") from None


def make_spec(inputs: Sequence[str], output: str | Path | None, preset: str | None,
              progress: bool, options: Mapping[str, Any], allowed: Iterable[str] = OPTIONS
              ) -> RunSpec:
    """The RunSpec of keyword options, through the CLI's own `build_spec` (same checks, same
    messages); UsageProblem for an option that is not one."""
    allowed = set(allowed)
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise UsageProblem(f"unknown option {unknown[0]!r} (options: {', '.join(sorted(allowed))})")
    o = {**OPTIONS, **options}
    _check_ranges(o)
    glossary = Path(o["glossary"]) if o["glossary"] is not None else None
    kinds = (o["keep_kind"],) if isinstance(o["keep_kind"], str) else tuple(o["keep_kind"])
    spec = build_spec(
        [str(i) for i in inputs], output=Path(output) if output is not None else None,
        translation_model=_str(o["translation_model"]),
        summarization_model=_str(o["summarization_model"]), summary=o["summary"],
        preset=preset, summary_length=o["summary_length"],
        summary_min_tokens=o["summary_min_tokens"], summary_max_tokens=o["summary_max_tokens"],
        prompt=o["prompt"], fields=Fields(o["text_field"], o["title_field"], o["id_field"]),
        device=_choice(Device, "device", o["device"]),
        backend=_choice(Backend, "backend", o["backend"]), dedupe=o["dedupe"],
        beams=o["beams"], batch_tokens=o["batch_tokens"], segment_tokens=o["segment_tokens"],
        limit=o["limit"], overwrite=o["overwrite"], retry_errors=o["retry_errors"],
        retry_doubtful=o["retry_doubtful"], quiet=not progress,
        clean=clean_options(*(o[k] for k in CLEAN_FLAGS[:-1]), kinds),
        encoding=o["encoding"], max_article_chars=o["max_article_chars"],
        language_check=o["language_check"], dedupe_ids=o["dedupe_ids"], shard=o["shard"],
        glossary=glossary, engine=_choice(Engine, "engine", o["engine"]),
        stories=o["stories"], translate=_choice(Translate, "translate", o["translate"]))
    return replace(spec, **{k: o[k] for k in POOL_OPTIONS})


def _str(model: str | Path | None) -> str | None:
    return str(model) if model is not None else None


def _input_list(inputs: str | Path | Iterable[str | Path]) -> list[str]:
    if isinstance(inputs, (str, Path)):
        return [str(inputs)]
    return [str(i) for i in inputs]


# --- run: the CLI's run -------------------------------------------------------------------


def run_spec(spec: RunSpec, ray_options: Any = None, *, restore_signals: bool = True
             ) -> RunStats:
    """Run a spec to its output file: what `arabic-digest run` and `ad.run` both call.

    The output is locked, resumed, reordered and given its manifest (runner.py); SIGINT and
    SIGTERM stop it after the current batch (RunStopped) while it runs. After a stop the
    runner ignores further signals, so the CLI's last lines cannot be cut short; a library
    caller gets its own handlers back (`restore_signals`).
    """
    with _signals_kept(restore_signals):
        return _run_spec(spec, ray_options)


@contextmanager
def _signals_kept(restore: bool) -> Iterator[None]:
    import signal
    import threading

    if not restore or threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            if handler is not None:
                signal.signal(sig, handler)


def _run_spec(spec: RunSpec, ray_options: Any) -> RunStats:
    from arabic_digest.pipeline.runner import RunStopped
    from arabic_digest.pipeline.runner import run as run_local
    from arabic_digest.summarize.prompts import PromptError

    offline_for_local_models([spec.translation_model, spec.summarization_model])
    try:
        if spec.engine == Engine.ray:
            from arabic_digest.pipeline.ray_engine import RayOptions, run_ray

            return run_ray(spec, ray_options or RayOptions())
        return run_local(spec)
    except (KeyboardInterrupt, SystemExit) as exc:  # a second signal while models loaded
        code = exc.code if isinstance(exc, SystemExit) and isinstance(exc.code, int) else 130
        raise RunStopped("stopped at once while loading models; nothing was written in this "
                         "run", None, code) from None
    except PromptError as exc:
        raise UsageProblem(str(exc)) from None
    except ArabicDigestError:
        raise
    except OSError as exc:
        raise FileError(os_problem(exc, spec.output_path())) from exc


def run(inputs: str | Path | Iterable[str | Path], output: str | Path | None = None, *,
        preset: str | None = None, progress: bool = False, **options: Any) -> RunStats:
    """`arabic-digest run` from Python: read the inputs, write one JSONL record per article to
    `output` (default outputs/<first input's stem>.jsonl) with its `.run.json` manifest. The
    output is locked while it runs; a rerun resumes; SIGINT/SIGTERM stop after the current
    batch (RunStopped). Options are the CLI's (docs/python.md); returns the run's counts.

    Example::

        stats = ad.run(["day.jsonl"], output="outputs/day.jsonl", preset="fast")
        stats.ok, stats.error, stats.output
    """
    spec = make_spec(_input_list(inputs), output, preset, progress, options)
    return run_spec(spec)


# --- reading and cleaning -----------------------------------------------------------------


def read_articles(inputs: str | Path | Iterable[str | Path], *, text_field: str | None = None,
                  title_field: str | None = None, id_field: str | None = None,
                  encoding: str | None = None,
                  max_article_chars: int | None = DEFAULT_MAX_ARTICLE_CHARS) -> Iterator[Article]:
    """The articles of files and folders as `run` reads them, every input format (JSONL,
    JSON, CSV/TSV, .txt, web pages, WARC, Parquet..., compressed or not); `"-"` is stdin. A bad
    line is an Article with `.error` set, never an exception; a missing file or unknown format
    raises ArabicDigestError before anything is read.

    Example::

        for art in ad.read_articles(["day.jsonl", "pages/"]):
            art.id, art.title, art.text, art.meta
    """
    names = _input_list(inputs)
    check_inputs(names)
    opts = read_options(encoding, max_article_chars or 0)
    return read_inputs(names, Fields(text_field, title_field, id_field), opts)


def clean(text: str, title: str | None = None, *, keep_diacritics: bool = False,
          keep_digits: bool = False, keep_punctuation: bool = False,
          keep_boilerplate: bool = False, keep_letters: bool = False,
          keep_kind: Iterable[str] = ()) -> Cleaned:
    """Clean one article as `run` does before translating (docs/cleaning.md): paragraphs,
    the title, the dateline and every removal with its kind. (`run` also learns each
    source's recurring boilerplate over a whole corpus; one text alone has none to learn.)

    Example::

        c = ad.clean("(سبوتنيك - 13 أبريل 2021) قال الوزير ...\\nاقرأ أيضا: ...")
        c.paragraphs, c.dateline, c.removed
    """
    from arabic_digest.pipeline.preparation import clean_text

    options = clean_options(keep_diacritics, keep_digits, keep_punctuation, keep_boilerplate,
                            keep_letters, tuple(keep_kind))
    if not isinstance(text, str):
        raise UsageProblem(f"clean takes a string, not {type(text).__name__}")
    cleaned = clean_text(text, title, options)
    return Cleaned(cleaned.paragraphs, cleaned.title, cleaned.dateline, cleaned.removed)


# --- Pipeline -----------------------------------------------------------------------------


class _RecentIds(dict):  # type: ignore[type-arg]
    """The ids a stream gave out, the last ID_WINDOW of them: repeats within the window are
    caught as `run` catches them, and an endless stream holds bounded memory."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key, value)
        if len(self) > self.size:
            del self[next(iter(self))]


def _articles(items: Iterable[Any], fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    """Articles of what a user hands `process`: Articles as they are, a dict (or any mapping:
    a DataFrame row's `to_dict()`, a dataset row) as a JSONL line is read, a string as an
    article's text; ids that are missing are `item-N` (N from 1, in input order)."""
    for n, item in enumerate(items, 1):
        origin = f"item-{n}"
        if isinstance(item, Article):
            yield item
        elif isinstance(item, str):
            yield article_from_mapping({"text": item}, origin, Fields(), opts)
        elif isinstance(item, Mapping):
            yield article_from_mapping(dict(item), origin, fields, opts)
        else:  # one bad item is one error record, as a bad line is
            yield Article(origin, None, None, {}, origin, {
                "stage": "read", "type": "TypeError",
                "message": f"{origin}: expected a string or a dict, got {type(item).__name__}"})


def _no_stop() -> None:
    """Pipeline has no stop requests: the caller stops by no longer iterating."""


@contextmanager
def _loading(progress: bool) -> Iterator[None]:
    """transformers' own loading bars off while a Pipeline loads, unless progress=True; the
    caller's setting is restored after."""
    from transformers.utils import logging as hf_logging

    was = hf_logging.is_progress_bar_enabled()
    if not progress:
        hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        (hf_logging.enable_progress_bar if was else hf_logging.disable_progress_bar)()


class Pipeline:
    """Models loaded once and kept: translate, summarize, and process articles into records.

    `preset` is fast, default or best; any option of `run` other than those about an output
    file (limit, overwrite, retry_errors, shard, engine) may be given: translation_model,
    summarization_model, beams, device, backend, summary=False, batch_tokens... (see
    docs/python.md). A context manager: leaving the `with` frees the models.

    Example::

        with ad.Pipeline(preset="fast") as pipe:
            pipe.translate("قال الوزير إن المحادثات ستستأنف غدا.")
            for rec in pipe.process(articles):
                print(rec.id, rec.status, rec.summary.text if rec.summary else None)
    """

    def __init__(self, preset: str | None = None, *, progress: bool = False,
                 **options: Any) -> None:
        from arabic_digest.pipeline.backends import load_summarizer, load_translator

        self.progress = progress
        self.spec = make_spec((), None, preset, progress, options, set(OPTIONS) - RUN_ONLY)
        self._translator: Translator | None = None
        self._summarizer: Summarizer | None = None
        with _loading(progress):
            self._translator = load_translator(self.spec)
            self._summarizer = load_summarizer(self.spec)
        logger.info("Pipeline loaded %s and %s", self.spec.translation_model,
                    self.spec.summarization_model or "no summarizer")

    # -- lifetime --

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Free the models (also on leaving `with`); the Pipeline cannot be used after."""
        self._translator = self._summarizer = None
        gc.collect()
        torch = sys.modules.get("torch")
        if torch is not None and torch.cuda.is_available():
            torch.cuda.empty_cache()

    def _models(self) -> tuple[Translator, Summarizer | None]:
        if self._translator is None:
            raise UsageProblem("this Pipeline is closed; make a new one")
        return self._translator, self._summarizer

    @property
    def models(self) -> dict[str, dict[str, Any] | None]:
        """The models as the run manifest names them: id, revision, backend, settings."""
        from arabic_digest.manifest import model_info

        translator, summarizer = self._models()
        return {"translation": model_info(translator), "summarization": model_info(summarizer)}

    # -- the work --

    def process(self, articles: Iterable[ArticleLike] | ArticleLike) -> Iterator[Record]:
        """Records of articles, in input order, as their batches finish: exactly the records
        `run` writes (Record.to_dict()), one per article; a bad article is an error record.

        Articles are strings (an id `item-N` is made), dicts or mappings with id, title, text
        and any other fields (kept as meta; `text_field=`... name other fields), Articles of
        `read_articles`, or a whole pandas DataFrame (its rows). They are pulled lazily and
        batched across articles as `run` batches them, so an endless iterable streams with
        bounded memory. Over a list (or tuple), boilerplate learning and stories cover the
        whole list as in `run`; over any other iterable (a generator, a dataset), stories are
        grouped within each batch.

        Example::

            for rec in pipe.process({"id": str(i), "text": t} for i, t in enumerate(texts)):
                rec.id, rec.status, rec.translation.paragraphs, rec.flags
        """
        translator, summarizer = self._models()
        if isinstance(articles, (str, Mapping, Article)):
            articles = [articles]
        elif hasattr(articles, "columns") and hasattr(articles, "to_dict"):
            articles = articles.to_dict("records")  # a DataFrame iterates its column names
        whole = isinstance(articles, Sequence)
        if not whole and self.spec.translate == Translate.leads:
            raise UsageProblem("translate='leads' needs a list: stories read the articles "
                               "twice, a stream once")
        return self._records(articles, whole, translator, summarizer)

    def _records(self, articles: Iterable[Any], whole: bool, translator: Translator,
                 summarizer: Summarizer | None) -> Iterator[Record]:
        from arabic_digest.pipeline.boilerplate_pass import learn_from_articles
        from arabic_digest.pipeline.engines import LocalEngine
        from arabic_digest.pipeline.onepass import unique_items
        from arabic_digest.pipeline.progress import Progress
        from arabic_digest.pipeline.stories import (
            batch_stories,
            first_pass,
            lead_or_member,
            with_stories,
        )

        spec = self.spec
        arts: Iterable[Article] = _articles(articles, spec.fields, spec.read_options)
        stories = None
        if whole:  # as `run`: learn boilerplate, then group stories, over all of it
            arts = list(arts)
            spec = replace(spec, clean_options=learn_from_articles(arts, spec.clean_options))
            if spec.stories:
                stories = first_pass((item for _, item in unique_items(arts, spec.dedupe_ids,
                                                                        {})),
                                     spec.clean_options)
        seen: dict[str, str] = {} if whole else _RecentIds(ID_WINDOW)
        items = (lead_or_member(item, stories, spec.translate.value)
                 for _, item in unique_items(arts, spec.dedupe_ids, seen))
        engine = LocalEngine(spec, translator, summarizer)
        bar = None
        if self.progress:
            bar = Progress(len(arts) if isinstance(arts, list) else None, quiet=False)
            engine.watch(bar)
        try:
            for batch in engine.process(items, _no_stop):
                if not whole and spec.stories:
                    stories = batch_stories(batch.records)
                batch.records = with_stories(batch.records, stories)
                if bar is not None:
                    bar.finished(len(batch.records), batch.segments)
                for rec in batch.records:
                    yield Record(rec)
        finally:
            translator.on_batch = None  # the engine's hooks must not outlive this call
            if bar is not None:
                bar.close()

    @overload
    def translate(self, texts: str) -> str: ...

    @overload
    def translate(self, texts: Iterable[str]) -> list[str]: ...

    def translate(self, texts: str | Iterable[str]) -> str | list[str]:
        """English for Arabic text: one string, or a list in the same order. Each text is
        cleaned, segmented and batched with the others as `run` does (repeated sentences are
        translated once); paragraphs are joined by newlines. A text with nothing to translate
        (empty, not Arabic) or that fails gives "" and a warning on the `arabic_digest`
        logger; `process` gives the whole record instead.

        Example::

            pipe.translate("نص عربي")           # -> str
            df["en"] = pipe.translate(df["ar"].tolist())
        """
        translator, _ = self._models()
        single = isinstance(texts, str)
        batch = [texts] if single else list(texts)
        from arabic_digest.pipeline.engines import LocalEngine

        spec = replace(self.spec, stories=False, translate=Translate.all)
        engine = LocalEngine(spec, translator, None)
        arts = (article_from_mapping({"text": t}, f"text-{n}", Fields(), spec.read_options)
                for n, t in enumerate(batch, 1))
        out: list[str] = []
        try:
            for b in engine.process(arts, _no_stop):
                for rec in b.records:
                    out.append(_english(rec))
        finally:
            translator.on_batch = None
        return out[0] if single else out

    @overload
    def summarize(self, texts: str) -> str: ...

    @overload
    def summarize(self, texts: Iterable[str]) -> list[str]: ...

    def summarize(self, texts: str | Iterable[str], chunk: int = 16) -> str | list[str]:
        """A summary of English text: one string, or a list in the same order (summarized
        `chunk` at a time; inputs longer than the model's window are summarized map-reduce,
        as in `run`).

        Example::

            pipe.summarize("The minister said talks would resume on Monday. ...")
        """
        _, summarizer = self._models()
        if summarizer is None:
            raise UsageProblem("this Pipeline has no summarizer (it was made with "
                               "summary=False)")
        single = isinstance(texts, str)
        batch = [texts] if single else [str(t) for t in texts]
        out: list[str] = []
        for start in range(0, len(batch), chunk):
            part = batch[start:start + chunk]
            try:
                summaries = summarizer.summarize(part)
            except Exception as exc:  # noqa: BLE001 - the library raises its own errors only
                raise SummarizeError(f"summarize: {type(exc).__name__}: {exc}") from exc
            out.extend(s.text for s in summaries)
        return out[0] if single else out


class SummarizeError(ArabicDigestError):
    """The summarizer failed on the texts given to Pipeline.summarize."""


def _english(rec: dict[str, Any]) -> str:
    if rec["status"] == "ok" and rec.get("translation"):
        return "\n".join(rec["translation"]["paragraphs"])
    err = rec.get("error") or {}
    logger.warning("%s: %s, no translation: %s", rec["id"], rec["status"],
                   err.get("message", ""))
    return ""
