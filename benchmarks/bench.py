"""Throughput and memory at the real model sizes, and what they mean for a day of news.

    python benchmarks/bench.py            # full-size models; run it alone (~35 min, 2 idle cores)
    python benchmarks/bench.py --quick    # tiny models, a few minutes: checks the script works

Models are built by tests/modelfactory.py with the published shapes of each preset's models
(opus-mt-ar-en, opus-mt-tc-big-ar-en, distilbart-cnn-12-6, distilbart-cnn-6-6) and random
weights (no download), so quality is meaningless while speed and memory are real. Their </s>
logit is pushed to -1e4, so every contender generates exactly the forced number of tokens:
random weights cannot change the amount of work.

Contenders, each in a fresh subprocess, so its peak RSS (VmHWM) is its own:
  B0  the naive way: what transformers.pipeline("translation" / "summarization") does, one text
      per generate() call (transformers 5 removed those pipeline tasks, so B0 reproduces them);
  B1  this tool's transformers backend (pooled, length-sorted, token-budget batches);
  B2  this tool's CTranslate2 backend (int8 on CPU), translating with scores as a run does; it
      records every call it makes to the engine;
  B3  raw CTranslate2, replayed: B2's engine calls (the same token lists, bounds and options)
      replayed on a fresh ctranslate2.Translator in one process; its outputs must equal B2's;
  B4  raw CTranslate2 as an expert calls it (translation): the same segments tokenized, one
      translate_batch per length bound with CTranslate2's own token batching
      (batch_type="tokens", the tool's budget) and return_scores=True: the engine limit.
B2 and B3 time the median of --repeats passes. B3 also replays the translate calls with a
one-token bound, which prices the encoder apart from the decoder: the per-token costs behind the
estimates (a realistic whole run, a day of news per preset, 2 and 16 cores).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
THREADS = 2
BEAMS = 4
# The summarizer's batch budget (source tokens per CTranslate2 batch): before #17, now, smaller.
SUMMARY_BUDGETS = {8192: "before", 4096: "now (CT2Summarizer's default)", 2048: "smaller"}
CORES_LATER = 16  # the bigger machine of the day-of-news estimate

# Each model the presets use: the modelfactory builder and the shape it is given.
MODELS: dict[str, tuple[str, dict[str, str]]] = {
    "opus-mt-ar-en": ("build_marian", {}),
    "opus-mt-tc-big-ar-en": ("build_marian", {"shape": "tc-big"}),
    "distilbart-cnn-12-6": ("build_bart", {}),
    "distilbart-cnn-6-6": ("build_bart", {"shape": "6-6"}),
}
def preset_table() -> dict[str, tuple[str, int, str]]:
    """Each preset as `--preset` sets it (pipeline.presets): (translation model, beams,
    summarizer), models named as in MODELS; the model's own beams are 4 for Opus-MT."""
    from arabic_digest.pipeline.presets import PRESETS, short_name

    return {name: (short_name(p.translation_model), p.beams or BEAMS,
                   short_name(p.summarization_model)) for name, p in PRESETS.items()}


def published_quality(preset: str) -> str:
    """The publishers' figures for a preset's two models (pipeline.presets.PUBLISHED)."""
    from arabic_digest.pipeline.presets import PRESETS, PUBLISHED, short_name

    p = PRESETS[preset]
    return "; ".join(f"{short_name(q.model)}: {q.summary()} ({q.test_set})" for q in PUBLISHED
                     if q.model in (p.translation_model, p.summarization_model))


def quality_sources() -> list[str]:
    from arabic_digest.pipeline.presets import PUBLISHED, short_name

    return sorted({f"{short_name(q.model)}: {q.source}" for q in PUBLISHED})


# --------------------------------------------------------------------------- inputs


def data_dir() -> Path:
    from tests.modelfactory import shared_data_dir

    return shared_data_dir()


def token_counter(model_dir: Path) -> Any:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    return lambda text: len(tok(text, verbose=False)["input_ids"])


def translation_inputs(tokenizer_dir: Path, n: int) -> list[list[str]]:
    """Cleaned real paragraphs (10-200 tokens, as the tool would send them), grouped by article."""
    from arabic_digest.translate.cleaning.clean import clean_article

    count = token_counter(tokenizer_dir)
    articles: list[list[str]] = []
    total = 0
    for line in (data_dir() / "news-articles.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        paras = [p for p in clean_article(row["text"], row.get("title")).paragraphs
                 if 10 <= count(p) <= 200]
        paras = paras[:max(0, n - total)]
        if paras:
            articles.append(paras)
            total += len(paras)
        if total >= n:
            break
    return articles


def ntrex_documents() -> list[str]:
    """Real English news documents: NTREX reference lines grouped by document id."""
    d = data_dir()
    docs: dict[str, list[str]] = {}
    lines = (d / "ntrex-ar-en-dev.en").read_text("utf-8").splitlines()
    ids = (d / "ntrex-ar-en-dev.docids").read_text("utf-8").splitlines()
    for doc, text in zip(ids, lines):
        docs.setdefault(doc, []).append(text)
    return [" ".join(v) for v in docs.values()]


def token_ratios(marian: Path, bart: Path) -> dict[str, float]:
    """Output tokens per Arabic source token, from the NTREX dev references: English target
    tokens (the translator's) and English summarizer tokens, per Arabic source token."""
    from transformers import AutoTokenizer

    d = data_dir()
    ar = (d / "ntrex-ar-en-dev.ar").read_text("utf-8").splitlines()
    en = (d / "ntrex-ar-en-dev.en").read_text("utf-8").splitlines()
    mt, bt = AutoTokenizer.from_pretrained(marian), AutoTokenizer.from_pretrained(bart)
    src = sum(len(mt(x)["input_ids"]) for x in ar)
    tgt = sum(len(mt(text_target=x)["input_ids"]) for x in en)
    summ = sum(len(bt(x, add_special_tokens=False)["input_ids"]) for x in en)
    return {"pairs": len(ar), "source_tokens": src, "translation": tgt / src,
            "summarizer": summ / src}


# --------------------------------------------------------------------------- models


def build_model(workdir: Path, size: str, name: str) -> Path:
    """Build (once per workdir) one model of `name`'s published shape, </s> made unreachable."""
    from tests import modelfactory

    builder, shape = MODELS[name]
    folder = workdir / f"{name}-{size}"
    if not (folder / "model.safetensors").is_file():
        tmp = workdir / f".{name}-{size}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        getattr(modelfactory, builder)(tmp, size=size, seed=0, **shape)
        modelfactory.biased_copy(tmp, tmp, -1e4)  # </s> out of reach: fixed work
        tmp.rename(folder)
    return folder


# --------------------------------------------------------------------------- workers


def peak_rss_mb(pid: int | str = "self") -> float:
    """A process's own peak RSS: VmHWM, the high-water mark of its memory since its exec.

    Not getrusage's ru_maxrss: Linux carries that across fork and exec, so a worker started
    by this (large) process reported this process's peak, the same for every contender.
    """
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    if pid != "self":
        return 0.0  # gone, or a zombie (no VmHWM): its peak was read while it ran
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: KiB


class NaivePipeline:
    """What transformers.pipeline("translation"/"summarization") did before transformers 5
    removed those tasks: one text per generate call, the model's generation config, no pooling,
    sorting or token budget. (`pipeline(list)` with the default batch_size=1 also ran one text
    at a time.)"""

    def __init__(self, model: str, device: str = "cpu") -> None:
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        self.device = device
        self.tokenizer = AutoTokenizer.from_pretrained(model)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(model).to(device).eval()

    def __call__(self, text: str, truncation: bool = False, **generate_kwargs: Any) -> str:
        import torch

        inputs = self.tokenizer([text], return_tensors="pt", truncation=truncation).to(self.device)
        with torch.inference_mode():
            ids = self.model.generate(**inputs, **generate_kwargs)
        return self.tokenizer.decode(ids[0], skip_special_tokens=True)


class EngineTap:
    """Stands in front of a ctranslate2.Translator and keeps every call the tool makes to it,
    with the outputs, so B3 can replay exactly that work on the raw engine."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.calls: list[tuple[str, tuple, dict, list]] = []

    def translate_batch(self, *args: Any, **kwargs: Any) -> Any:
        results = self.engine.translate_batch(*args, **kwargs)
        self.calls.append(("translate_batch", args, kwargs, [r.hypotheses[0] for r in results]))
        return results

    def score_batch(self, *args: Any, **kwargs: Any) -> Any:
        results = self.engine.score_batch(*args, **kwargs)
        self.calls.append(("score_batch", args, kwargs, [list(r.log_probs) for r in results]))
        return results


def timed_passes(fn: Any, repeats: int) -> list[float]:
    out = []
    for _ in range(max(1, repeats)):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def worker(task: str, contender: str, args: dict[str, Any]) -> dict[str, Any]:
    """One contender on one task, in this (fresh) process."""
    import torch

    torch.set_num_threads(THREADS)
    if contender == "B3":
        return raw_engine(args)
    if contender == "B4":
        return expert_engine(args)
    from arabic_digest.translate.translator import max_new_tokens_for

    model, device, beams = args["model"], args.get("device", "cpu"), args.get("beams", BEAMS)
    compute_type, repeats = args.get("compute_type", "int8"), args.get("repeats", 1)
    t0 = time.perf_counter()
    tapped: Any = None  # B2's translator or summarizer, its engine behind an EngineTap
    shape: dict[str, int] = {}
    if task == "translate":
        articles: list[list[str]] = args["inputs"]
        flat = [p for a in articles for p in a]
        if contender == "B0":
            naive = NaivePipeline(model, device)
            bounds = [max_new_tokens_for(len(naive.tokenizer(p)["input_ids"]), 2.0, 10, 512)
                      for p in flat]
            load = time.perf_counter() - t0

            def work() -> None:
                # A list per article runs one paragraph at a time (batch_size=1) anyway; one
                # call per paragraph gives each its forced length.
                for p, bound in zip(flat, bounds):
                    naive(p, num_beams=beams, max_new_tokens=bound)
        else:
            if contender == "B1":
                from arabic_digest.translate.translator import TransformersTranslator

                tr: Any = TransformersTranslator(model, device=device, beams=beams)
            else:
                from arabic_digest.translate.ct2 import CT2Translator

                tr = CT2Translator(model, args["converted"], device=device,
                                   compute_type=compute_type, threads=THREADS, beams=beams)
                tapped = tr
            bounds = [max_new_tokens_for(tr.count_tokens(p), 2.0, 10, 512) for p in flat]
            load = time.perf_counter() - t0

            from arabic_digest.translate.segment import Segment

            from arabic_digest.pipeline import trust

            segments = [Segment(p, "") for p in flat]
            owner = [k for k, a in enumerate(articles) for _ in a]

            def work() -> None:
                # What a run does: translations with their scores, then the trust checks
                # (flags; retries, re-scored, where an article's flags allow them).
                trust.review(segments, tr.translate_scored(flat), tr, articles=owner)
        tokens, items = sum(bounds), len(flat)
    else:
        texts: list[str] = args["inputs"]
        if contender == "B0":
            naive = NaivePipeline(model, device)
            max_length = naive.model.generation_config.max_length
            load = time.perf_counter() - t0

            def work() -> None:
                for text in texts:
                    naive(text, truncation=True)
        else:
            if contender == "B1":
                from arabic_digest.summarize.summarizer import TransformersSummarizer

                sm: Any = TransformersSummarizer(model, device=device)
            else:
                from arabic_digest.summarize.ct2 import CT2Summarizer

                extra = {"batch_tokens": args["budget"]} if args.get("budget") else {}
                sm = CT2Summarizer(model, args["converted"], device=device,
                                   compute_type=compute_type, threads=THREADS, **extra)
                tapped = sm
            max_length = sm.generation_config.max_length
            shape = {"window": sm.window, "min_new_tokens": sm.min_new_tokens(),
                     "max_new_tokens": sm.max_new_tokens()}
            load = time.perf_counter() - t0

            def work() -> None:
                sm.summarize(texts)
        # Every summary runs to max_length (</s> unreachable): decoder start + max_length - 1.
        tokens, items = (max_length - 1) * len(texts), len(texts)
    if tapped is not None:
        tapped.model = EngineTap(tapped.model)
    first = timed_passes(work, 1)
    if tapped is not None:  # the engine calls of one pass, for B3; later passes go straight on
        Path(args["calls"]).write_bytes(pickle.dumps(tapped.model.calls))
        tapped.model = tapped.model.engine
    passes = first + (timed_passes(work, repeats - 1) if repeats > 1 else [])
    elapsed = statistics.median(passes)
    return {"task": task, "contender": contender, "seconds": elapsed, "passes": passes,
            "load_s": load, "tokens": tokens, "items": items, "tokens_per_s": tokens / elapsed,
            "items_per_s": items / elapsed, "peak_rss_mb": peak_rss_mb(), **shape}


def raw_engine(args: dict[str, Any]) -> dict[str, Any]:
    """B3: the engine calls B2 made, replayed on raw CTranslate2; outputs must be equal.

    Also prices the parts: translate calls, score calls, and the translate calls again with a
    one-token bound (encoder and first step only), each the median of `repeats` passes.
    """
    import ctranslate2

    t0 = time.perf_counter()
    calls = pickle.loads(Path(args["calls"]).read_bytes())
    engine = ctranslate2.Translator(args["converted"], device=args.get("device", "cpu"),
                                    compute_type=args.get("compute_type", "int8"),
                                    intra_threads=THREADS, inter_threads=1)
    load = time.perf_counter() - t0
    equal = True

    def replay(kind: str, short: bool = False) -> None:
        nonlocal equal
        for method, a, kw, outputs in calls:
            if method != kind:
                continue
            if short:  # the prefix (BART's forced <s>) plus one decoded token
                prefix = kw.get("target_prefix")
                kw = {**kw, "min_decoding_length": 0,
                      "max_decoding_length": 1 + (len(prefix[0]) if prefix else 0)}
            results = getattr(engine, method)(*a, **kw)
            if short:
                continue
            got = ([r.hypotheses[0] for r in results] if method == "translate_batch"
                   else [list(r.log_probs) for r in results])
            equal = equal and got == outputs

    repeats = args.get("repeats", 1)
    times = {kind: statistics.median(timed_passes(lambda k=kind: replay(k), repeats))
             for kind in ("translate_batch", "score_batch")}
    encoder = statistics.median(timed_passes(lambda: replay("translate_batch", True), repeats))
    elapsed = times["translate_batch"] + times["score_batch"]
    source = sum(len(s) for m, a, _, _ in calls if m == "translate_batch" for s in a[0])
    generated = sum(len(h) for m, _, _, out in calls if m == "translate_batch" for h in out)
    scored = sum(len(t) + len(s) for m, a, _, _ in calls if m == "score_batch"
                 for s, t in zip(a[0], a[1]))
    tokens, items = args["tokens"], sum(len(a[0]) for m, a, _, _ in calls
                                        if m == "translate_batch")
    return {"task": args["task"], "contender": "B3", "seconds": elapsed, "load_s": load,
            "tokens": tokens, "items": items, "tokens_per_s": tokens / elapsed,
            "items_per_s": items / elapsed, "peak_rss_mb": peak_rss_mb(), "equal": equal,
            "calls": len(calls), "translate_s": times["translate_batch"],
            "score_calls": sum(m == "score_batch" for m, *_ in calls),
            "score_s": times["score_batch"], "encoder_s": encoder, "source_tokens": source,
            "generated_tokens": generated, "scored_tokens": scored}


def expert_engine(args: dict[str, Any]) -> dict[str, Any]:
    """B4: what an expert writes with raw CTranslate2 for the same segments and bounds; its
    hypotheses must equal B2's (read from B2's recorded calls)."""
    import ctranslate2
    from arabic_digest.translate.ct2 import decoding_bounds
    from arabic_digest.translate.translator import generation_settings, max_new_tokens_for
    from transformers import AutoTokenizer

    t0 = time.perf_counter()
    engine = ctranslate2.Translator(args["converted"], device=args.get("device", "cpu"),
                                    compute_type=args.get("compute_type", "int8"),
                                    intra_threads=THREADS, inter_threads=1)
    tok = AutoTokenizer.from_pretrained(args["model"])
    _, gen = generation_settings(args["model"])
    load = time.perf_counter() - t0
    flat = [p for a in args["inputs"] for p in a]
    sources = [tok.convert_ids_to_tokens(tok(p)["input_ids"]) for p in flat]
    groups: dict[int, list[int]] = {}
    for i, src in enumerate(sources):  # the model's own bound per segment, as in B2
        bound = max_new_tokens_for(len(src), 2.0, 10, 511)
        groups.setdefault(decoding_bounds(gen, bound + 1, 0)[1], []).append(i)
    got: dict[int, list[str]] = {}

    def work() -> None:
        for max_len, rows in groups.items():
            results = engine.translate_batch(
                [sources[i] for i in rows], beam_size=args.get("beams", BEAMS),
                max_decoding_length=max_len, max_batch_size=4096, batch_type="tokens",
                return_scores=True)
            got.update((i, r.hypotheses[0]) for i, r in zip(rows, results))

    elapsed = statistics.median(timed_passes(work, args.get("repeats", 1)))
    calls = pickle.loads(Path(args["calls"]).read_bytes())
    b2 = {tuple(s): h for m, a, _, out in calls if m == "translate_batch"
          for s, h in zip(a[0], out)}
    equal = all(b2.get(tuple(sources[i])) == got[i] for i in range(len(flat)))
    tokens = args["tokens"]
    return {"task": "translate", "contender": "B4", "seconds": elapsed, "load_s": load,
            "tokens": tokens, "items": len(flat), "tokens_per_s": tokens / elapsed,
            "items_per_s": len(flat) / elapsed, "peak_rss_mb": peak_rss_mb(), "equal": equal}


IN_PROCESS = False  # --in-process: the smoke test's way (no process start per contender)


def run_worker(task: str, contender: str, args: dict[str, Any], workdir: Path,
               tag: str = "") -> dict[str, Any]:
    if IN_PROCESS:  # the same work, without the fresh process that isolates peak RSS
        return json.loads(json.dumps(worker(task, contender, {"task": task, **args})))
    spec = workdir / f"job-{task}-{contender}{tag}.json"
    spec.write_text(json.dumps({"task": task, **args}), "utf-8")
    proc = subprocess.run([sys.executable, __file__, "--worker", task, contender, str(spec)],
                          capture_output=True, text=True, env=_env(workdir))
    if proc.returncode != 0:
        raise RuntimeError(f"{task} {contender} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _env(workdir: Path) -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "PYTHONPATH": str(ROOT), "ARABIC_DIGEST_CACHE": str(workdir / "cache"),
            "TOKENIZERS_PARALLELISM": "false",
            # On a shared machine OpenMP threads that spin while waiting slow 2-thread torch
            # down 15x (seen here); passive waiting is fair to every contender.
            "OMP_WAIT_POLICY": "PASSIVE"}


def ct2_pair(task: str, model: Path, converted: str, inputs: Any, workdir: Path, tag: str,
             **extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """B2 (recording its engine calls), then B3 replaying them."""
    calls = workdir / f"calls-{task}{tag}.pickle"
    b2 = run_worker(task, "B2", {"model": str(model), "inputs": inputs, "converted": converted,
                                 "calls": str(calls), **extra}, workdir, tag)
    b3 = run_worker(task, "B3", {"converted": converted, "calls": str(calls),
                                 "tokens": b2["tokens"], **extra}, workdir, tag)
    return b2, b3


def expert(model: Path, converted: str, inputs: Any, workdir: Path, tag: str = "",
           **extra: Any) -> dict[str, Any]:
    """B4 on the segments B2 translated (after ct2_pair, whose recorded calls it checks)."""
    calls = workdir / f"calls-translate{tag}.pickle"
    b2_tokens = extra.pop("tokens")
    return run_worker("translate", "B4", {"model": str(model), "converted": converted,
                                          "inputs": inputs, "calls": str(calls),
                                          "tokens": b2_tokens, **extra}, workdir, tag)


# --------------------------------------------------------------------------- whole run


# --quick's whole runs: tiny random models would run every output to its bound, for minutes.
QUICK_RUN_OPTIONS = ["--beams", "1", "--summary-max-tokens", "16"]


def whole_run(marian: Path, bart: Path, workdir: Path, limit: int, label: str,
              device: str = "cpu", cache: Path | None = None, quick: bool = False
              ) -> dict[str, Any]:
    """`arabic-digest run` on the shared corpus, its own peak RSS read while it runs."""
    out = workdir / f"run-{label}.jsonl"
    manifest = out.with_name(out.stem + ".run.json")
    manifest.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "arabic_digest", "run", str(data_dir() / "news-articles.jsonl"),
           "-o", str(out), "--translation-model", str(marian), "--summarization-model", str(bart),
           "--backend", "ctranslate2", "--device", device, "--overwrite", "--quiet",
           "--limit", str(limit), *(QUICK_RUN_OPTIONS if quick else [])]
    log = out.with_suffix(".stderr")
    t0 = time.perf_counter()
    with log.open("w") as err:
        env = _env(workdir) | ({"ARABIC_DIGEST_CACHE": str(cache)} if cache else {})
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stderr=err)
        startup = None
        peak = 0.0
        while True:  # the manifest appears once the models are loaded
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            # Its own high-water mark, read while it lives (see peak_rss_mb); it only grows.
            peak = max(peak, peak_rss_mb(proc.pid))
            if startup is None and manifest.exists():
                startup = time.perf_counter() - t0
            time.sleep(0.05)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"run failed: {log.read_text()[-3000:]}")
    m = json.loads(manifest.read_text("utf-8"))
    return {"label": label, "articles": m["counts"]["ok"], "segments": m["counts"]["segments"],
            "wall_s": wall, "run_s": m["elapsed_s"], "startup_s": startup,
            "articles_per_min": m["throughput"]["articles_per_min"],
            "segments_per_s": m["throughput"]["segments_per_s"],
            "peak_rss_mb": peak, "command": " ".join(cmd[1:])}


# --------------------------------------------------------------------------- estimates


def corpus_counts(path: Path, marian: Path, limit: int | None = None) -> dict[str, Any]:
    """What a run of `path` would send the models: segments and source tokens as the tool cuts
    them (its readers, cleaning and segmenting; boilerplate learning left out), before and after
    the run's segment de-duplication, and each article's source tokens (for its summary)."""
    from arabic_digest.inputs.readers import read_inputs
    from arabic_digest.pipeline.article import BatchSettings, Prepared, prepare

    count = token_counter(marian)
    seen: set[str] = set()
    totals = {"articles": 0, "segments": 0, "tokens": 0, "unique_segments": 0,
              "unique_tokens": 0}
    per_article: list[int] = []
    for n, article in enumerate(read_inputs([str(path)])):
        if limit is not None and n >= limit:
            break
        totals["articles"] += 1
        p = prepare(article, count, BatchSettings())
        if not isinstance(p, Prepared):
            continue
        per_article.append(p.tokens)
        for text in p.sources():
            tokens = count(text)
            totals["segments"] += 1
            totals["tokens"] += tokens
            if text not in seen:
                seen.add(text)
                totals["unique_segments"] += 1
                totals["unique_tokens"] += tokens
    return {**totals, "per_article": per_article}


def unit_costs(b2: dict[str, Any], b3: dict[str, Any]) -> dict[str, float]:
    """Seconds per token, from B3's parts: the encoder (per source token, from the one-token
    replay), each decoded token (the rest of the translate calls, per generated token, all beams
    included) and teacher-forced scoring (per source + target token); `overhead` is the tool's
    time over the raw engine's (B2/B3) on the same work."""
    encoder = b3["encoder_s"] / b3["source_tokens"]
    decode = max(0.0, b3["translate_s"] - b3["encoder_s"]) / b3["generated_tokens"]
    score = b3["score_s"] / b3["scored_tokens"] if b3["scored_tokens"] else 0.0
    return {"encoder": encoder, "decode": decode, "score": score,
            "overhead": b2["seconds"] / b3["seconds"]}


def translation_seconds(costs: dict[str, float], source: int, ratio: float) -> float:
    out = source * ratio
    return costs["overhead"] * (costs["encoder"] * source + costs["decode"] * out
                                + costs["score"] * (source + out))


def summary_work(article_tokens: list[int], ratio: float, window: int, length: int
                 ) -> tuple[int, int]:
    """(tokens read, summaries written) by map-reduce over each article's English text: windows
    of the model's input size, partial summaries of `length` joined and read again."""
    read = written = 0
    for ar in article_tokens:
        tokens = max(1, round(ar * ratio))
        while True:
            windows = math.ceil(tokens / window)
            read += tokens
            written += windows
            if windows == 1:
                break
            tokens = windows * length
    return read, written


def summary_seconds(costs: dict[str, float], read: int, written: int, length: int) -> float:
    return costs["overhead"] * (costs["encoder"] * read + costs["decode"] * written * length)


# --------------------------------------------------------------------------- the runs


def plural(n: int, noun: str, many: str | None = None) -> str:
    from arabic_digest.text import plural as _plural

    return _plural(n, noun, many)


def convert_all(models: dict[str, Path], quantization: str) -> dict[str, str]:
    from arabic_digest.pipeline.models import convert

    return {name: str(convert(str(path), quantization).path) for name, path in models.items()}


def cpu_benchmark(a: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    size = "tiny" if a.quick else "full"
    n_par = a.paragraphs or (4 if a.quick else 12)
    n_docs = a.articles or (1 if a.quick else 2)
    n_budget = 2 if a.quick else 8
    repeats = a.repeats or (1 if a.quick else 3)
    n_run = a.run_articles or 1
    print(f"building {size} models in {workdir} (once) ...", file=sys.stderr)
    models = {name: build_model(workdir, size, name) for name in MODELS}
    conv = convert_all(models, "int8")
    marian, bart = models["opus-mt-ar-en"], models["distilbart-cnn-12-6"]
    articles = translation_inputs(marian, n_par)
    docs = ntrex_documents()
    out: dict[str, Any] = {"size": size, "n_par": n_par, "n_articles": len(articles),
                           "n_docs": n_docs,
                           "repeats": repeats, "rows": [], "presets": {}}

    began = time.perf_counter()

    def step(label: str) -> None:
        print(f"[{time.perf_counter() - began:4.0f} s] {label} ...", file=sys.stderr)

    pairs: dict[tuple[str, str, int], tuple[dict[str, Any], dict[str, Any]]] = {}
    for task, name, inputs in (("translate", "opus-mt-ar-en", articles),
                               ("summarize", "distilbart-cnn-12-6", docs[:n_docs])):
        model = models[name]
        for contender in ("B0", "B1"):
            step(f"{task} {contender}")
            out["rows"].append(run_worker(task, contender, {"model": str(model),
                                                            "inputs": inputs}, workdir))
        step(f"{task} B2, B3")
        pair = ct2_pair(task, model, conv[name], inputs, workdir, "", repeats=repeats)
        out["rows"].extend(pair)
        pairs[(task, name, BEAMS)] = pair
        if task == "translate":
            step("translate B4")
            out["rows"].append(expert(model, conv[name], inputs, workdir, repeats=repeats,
                                      tokens=pair[0]["tokens"]))
    out["budgets"] = []
    for budget in SUMMARY_BUDGETS:
        step(f"summarize B2, batch budget {budget}")
        out["budgets"].append(run_worker(
            "summarize", "B2", {"model": str(bart), "inputs": docs[:n_budget],
                                "converted": conv["distilbart-cnn-12-6"], "budget": budget,
                                "calls": str(workdir / "calls-budget.pickle")},
            workdir, f"-{budget}"))
    for preset, (tname, beams, sname) in preset_table().items():
        for task, name, b, inputs in (("translate", tname, beams, articles),
                                      ("summarize", sname, BEAMS, docs[:n_docs])):
            if (task, name, b) not in pairs:
                step(f"preset {preset}: {task} with {name}, beams {b}")
                pairs[(task, name, b)] = ct2_pair(task, models[name], conv[name], inputs,
                                                  workdir, f"-{name}-{b}", beams=b, repeats=1)
        out["presets"][preset] = {"translate": pairs[("translate", tname, beams)],
                                  "summarize": pairs[("summarize", sname, BEAMS)]}
    # Whole runs: the first converts both models (a fresh cache), the second finds them cached.
    fresh = workdir / "run-cache"
    shutil.rmtree(fresh, ignore_errors=True)
    out["runs"] = []
    for label in ("converts", "cached"):
        step(f"whole run ({label})")
        out["runs"].append(whole_run(marian, bart, workdir, n_run, label, cache=fresh,
                                     quick=a.quick))
    step("counting the day of news")
    out["ratios"] = token_ratios(marian, bart)
    out["day"] = corpus_counts(data_dir() / "saudinewsnet-2015-08-09.jsonl", marian)
    out["run_counts"] = corpus_counts(data_dir() / "news-articles.jsonl", marian, n_run)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny models: a smoke run")
    ap.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / ".work",
                    help="built models and the converted cache (reused by later runs)")
    ap.add_argument("--paragraphs", type=int, help="translation inputs (default 12; quick 4)")
    ap.add_argument("--articles", type=int, help="summarization inputs (default 2; quick 1)")
    ap.add_argument("--run-articles", type=int, help="whole-run articles (default 1)")
    ap.add_argument("--repeats", type=int, help="B2/B3 passes, median taken (default 3; quick 1)")
    ap.add_argument("--gpu", action="store_true",
                    help="B0/B2 and a whole run on one GPU (what benchmarks/gpu.sh runs)")
    ap.add_argument("--dry-run", action="store_true",
                    help="with --gpu: the same steps on CPU with tiny models")
    ap.add_argument("--results", type=Path, help="write the report here (default: "
                    "benchmarks/RESULTS.md, or RESULTS-gpu.md with --gpu; --quick and --dry-run "
                    "write none unless given)")
    ap.add_argument("--engine-limit", action="store_true",
                    help="only the translation stage against raw CTranslate2 (B2, B3, B4)")
    ap.add_argument("--in-process", action="store_true",
                    help="run every contender in this process (a smoke test of the script, "
                         "as tests/test_bench.py runs it: each peak RSS is then the script's)")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    global IN_PROCESS
    IN_PROCESS = a.in_process
    if a.worker:
        task, contender, spec = a.worker
        print(json.dumps(worker(task, contender, json.loads(Path(spec).read_text("utf-8")))))
        return
    if a.dry_run:
        a.quick = True
    workdir = a.workdir / ("tiny" if a.quick else "full")
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.update(_env(workdir))
    started = time.perf_counter()
    if a.gpu:
        lines = gpu_report(a, gpu_benchmark(a, workdir), time.perf_counter() - started)
        default = None if a.dry_run else ROOT / "benchmarks" / "RESULTS-gpu.md"
    elif a.engine_limit:
        lines = engine_limit_report(a, engine_limit_benchmark(a, workdir),
                                    time.perf_counter() - started)
        default = None
    else:
        lines = report(a, cpu_benchmark(a, workdir), time.perf_counter() - started)
        default = None if a.quick else ROOT / "benchmarks" / "RESULTS.md"
    print("\n".join(lines))
    target = a.results or default
    if target:
        target.write_text("\n".join(lines) + "\n" + kept_sections(target), "utf-8")
        print(f"wrote {target}", file=sys.stderr)


def kept_sections(target: Path) -> str:
    """Sections other scripts write into the same file (benchmarks/library.py's), kept."""
    old = target.read_text("utf-8") if target.exists() else ""
    begin, end = "<!-- benchmarks/library.py -->", "<!-- /benchmarks/library.py -->"
    if begin not in old or end not in old:
        return ""
    return "\n" + old[old.index(begin):old.index(end) + len(end)] + "\n"


# --------------------------------------------------------------------------- GPU


def gpu_benchmark(a: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """B0 and B2 (float16, int8_float16) on one GPU, and a whole run; --dry-run: on CPU, where
    float16 becomes float32 and int8_float16 int8_float32, so the steps are the same."""
    device = "cpu" if a.dry_run else "cuda"
    types = {"float16": "float32", "int8_float16": "int8_float32"} if a.dry_run else {
        "float16": "float16", "int8_float16": "int8_float16"}
    size = "tiny" if a.quick else "full"
    n_par = a.paragraphs or (4 if a.quick else 40)
    n_docs = a.articles or (1 if a.quick else 8)
    models = {name: build_model(workdir, size, name)
              for name in ("opus-mt-ar-en", "distilbart-cnn-12-6")}
    marian, bart = models["opus-mt-ar-en"], models["distilbart-cnn-12-6"]
    articles = translation_inputs(marian, n_par)
    docs = ntrex_documents()[:n_docs]
    rows = []
    for task, name, inputs in (("translate", "opus-mt-ar-en", articles),
                               ("summarize", "distilbart-cnn-12-6", docs)):
        print(f"{task} B0 on {device} ...", file=sys.stderr)
        rows.append({**run_worker(task, "B0", {"model": str(models[name]), "inputs": inputs,
                                               "device": device}, workdir), "compute": "float32"})
        for asked, used in types.items():
            conv = convert_all({name: models[name]}, used)[name]
            print(f"{task} B2 {used} on {device} ...", file=sys.stderr)
            rows.append({**run_worker(task, "B2", {
                "model": str(models[name]), "inputs": inputs, "converted": conv,
                "device": device, "compute_type": used,
                "calls": str(workdir / "calls-gpu.pickle")}, workdir, f"-{used}"),
                "compute": used if used == asked else f"{used} (for {asked})"})
    print(f"whole run on {device} ...", file=sys.stderr)
    run = whole_run(marian, bart, workdir, a.run_articles or (1 if a.quick else 8), "gpu",
                    device=device, quick=a.quick)
    return {"device": device, "size": size, "rows": rows, "run": run, "n_par": n_par,
            "n_docs": len(docs)}


def gpu_report(a: argparse.Namespace, res: dict[str, Any], wall: float) -> list[str]:
    cmd = " ".join(["python", "benchmarks/bench.py", *sys.argv[1:]])
    gpu = "CPU (dry run)" if a.dry_run else _gpu_name()
    run = res["run"]
    return [f"# GPU benchmark results ({res['size']} models)", "",
            f"Command: `{cmd}` (run by `benchmarks/gpu.sh`; whole script {wall / 60:.1f} min)",
            "", f"Device: {gpu}; {_machine_line()}", "",
            f"Translation: {res['n_par']} paragraphs, beam {BEAMS}; summarization: "
            f"{res['n_docs']} NTREX documents; forced lengths as in RESULTS.md. B0 runs "
            "transformers in float32; B2 is the tool's CTranslate2 backend.", "",
            *table(res["rows"], with_compute=True), "",
            f"Whole `arabic-digest run --device {res['device']}` on {run['articles']} article(s) "
            f"(the tool's default compute type there): {run['articles_per_min']:.1f} "
            f"articles/min, {run['segments_per_s']:.1f} segments/s, start-up "
            f"{run['startup_s'] or float('nan'):.1f} s, peak RSS {run['peak_rss_mb']:.0f} MB."]


def _gpu_name() -> str:
    try:
        return subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,"
                               "noheader"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown GPU"


# --------------------------------------------------------------------------- report


def machine() -> dict[str, str]:
    from importlib import metadata

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    versions = {n: metadata.version(n) for n in ("torch", "transformers", "ctranslate2")}
    return {"cpu": cpu, "cores": str(os.cpu_count()), "python": platform.python_version(),
            **versions, "platform": platform.platform()}


def _machine_line() -> str:
    m = machine()
    return (f"{m['cpu']}, {m['cores']} cores; Python {m['python']}, torch {m['torch']}, "
            f"transformers {m['transformers']}, ctranslate2 {m['ctranslate2']}; "
            f"{m['platform']}.")


def engine_limit_lines(by: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    """The tool against raw CTranslate2: as an expert calls it (B4), and replaying the tool's
    own engine calls (B3)."""
    b2, b4 = by[("translate", "B2")], by[("translate", "B4")]
    lines = ["The engine limit: the tool's translation stage (B2: scores, trust flags and "
             "retries as a run makes them) against raw CTranslate2 as an expert calls it (B4: "
             "translate_batch with its own token batching and return_scores=True) on the same "
             "segments and bounds:", "",
             "| task | tool s | raw CTranslate2 (expert) s | tool/B4 throughput | "
             "outputs equal |", "|---|---:|---:|---:|---|",
             f"| translate | {b2['seconds']:.1f} | {b4['seconds']:.1f} | "
             f"{b4['seconds'] / b2['seconds']:.2f} | {'yes' if b4['equal'] else 'NO'} |", "",
             "The replay (B3: exactly the engine calls B2 made, the same token lists, bounds and "
             "options, its score_batch calls included; it prices the tool's overhead over its "
             "own calls, not the calls themselves):", "",
             "| task | engine calls | of them score_batch | tool s | replayed s | "
             "tool/B3 throughput | outputs equal |", "|---|---:|---:|---:|---:|---:|---|"]
    for task in ("translate", "summarize"):
        if (task, "B3") not in by:
            continue
        b2, b3 = by[(task, "B2")], by[(task, "B3")]
        lines.append(f"| {task} | {b3['calls']} | {b3.get('score_calls', 0)} | "
                     f"{b2['seconds']:.1f} | {b3['seconds']:.1f} | "
                     f"{b3['seconds'] / b2['seconds']:.2f} | {'yes' if b3['equal'] else 'NO'} |")
    return lines


def engine_limit_benchmark(a: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """--engine-limit: only the translation stage against raw CTranslate2 (B2, B3, B4)."""
    size = "tiny" if a.quick else "full"
    repeats = a.repeats or (1 if a.quick else 3)
    marian = build_model(workdir, size, "opus-mt-ar-en")
    conv = convert_all({"opus-mt-ar-en": marian}, "int8")["opus-mt-ar-en"]
    articles = translation_inputs(marian, a.paragraphs or (4 if a.quick else 12))
    b2, b3 = ct2_pair("translate", marian, conv, articles, workdir, "", repeats=repeats)
    b4 = expert(marian, conv, articles, workdir, repeats=repeats, tokens=b2["tokens"])
    return {"size": size, "repeats": repeats, "rows": [b2, b3, b4],
            "n_par": sum(len(x) for x in articles)}


def engine_limit_report(a: argparse.Namespace, res: dict[str, Any], wall: float) -> list[str]:
    cmd = " ".join(["python", "benchmarks/bench.py", *sys.argv[1:]])
    by = {(r["task"], r["contender"]): r for r in res["rows"]}
    return [f"# The engine limit ({res['size']} opus-mt-ar-en, int8, beam {BEAMS}, "
            f"{THREADS} threads)", "",
            f"Command: `{cmd}`, run alone ({wall / 60:.1f} min); {res['n_par']} paragraphs, "
            "every output to its bound; median of "
            f"{plural(res['repeats'], 'pass', 'passes')}.", "", f"Machine: {_machine_line()}",
            "", *engine_limit_lines(by)]


def table(results: list[dict[str, Any]], with_compute: bool = False) -> list[str]:
    head = "| task | contender |" + (" compute |" if with_compute else "")
    rows = [head + " tokens/s | items/s | x B0 | peak RSS MB | load s | items |",
            "|---|---|" + ("---|" if with_compute else "") + "---:|---:|---:|---:|---:|---:|"]
    base = {r["task"]: r["tokens_per_s"] for r in results if r["contender"] == "B0"}
    for r in results:
        ratio = r["tokens_per_s"] / base[r["task"]] if r["task"] in base else float("nan")
        compute = f" {r['compute']} |" if with_compute else ""
        rows.append(f"| {r['task']} | {r['contender']} |{compute} {r['tokens_per_s']:.1f} | "
                    f"{r['items_per_s']:.2f} | {ratio:.2f} | {r['peak_rss_mb']:.0f} | "
                    f"{r['load_s']:.1f} | {r['items']} |")
    return rows


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def estimates(res: dict[str, Any]) -> dict[str, Any]:
    """Per-preset seconds for the day of news and for the whole-run articles, from unit costs.

    Translations: as many target tokens per source token as the NTREX dev references have.
    Summaries: map-reduce over each article's English text (the same ratio, in the summarizer's
    tokens), each summary `length` tokens: the model's min, the midpoint, and its max.
    """
    ratios = res["ratios"]
    out: dict[str, Any] = {}
    for preset, pair in res["presets"].items():
        tr = unit_costs(*pair["translate"])
        sm = unit_costs(*pair["summarize"])
        b2 = pair["summarize"][0]
        lengths = (b2["min_new_tokens"], (b2["min_new_tokens"] + b2["max_new_tokens"]) // 2,
                   b2["max_new_tokens"])
        est: dict[str, Any] = {"costs": {"translate": tr, "summarize": sm}, "lengths": lengths}
        for corpus in ("day", "run_counts"):
            c = res[corpus]
            t_dedupe = translation_seconds(tr, c["unique_tokens"], ratios["translation"])
            t_all = translation_seconds(tr, c["tokens"], ratios["translation"])
            summaries = []
            for length in lengths:
                read, written = summary_work(c["per_article"], ratios["summarizer"],
                                             b2["window"], length)
                summaries.append(summary_seconds(sm, read, written, length))
            est[corpus] = {"translate": t_dedupe, "translate_no_dedupe": t_all,
                           "summaries": summaries,
                           "total": [t_dedupe + s for s in summaries]}
        out[preset] = est
    return out


def report(a: argparse.Namespace, res: dict[str, Any], wall: float) -> list[str]:
    cmd = " ".join(["python", "benchmarks/bench.py", *sys.argv[1:]])
    rows = res["rows"]
    by = {(r["task"], r["contender"]): r for r in rows}
    est = estimates(res)
    default = est["default"]
    presets = preset_table()
    lines = [f"# Benchmark results ({res['size']} models)", "",
             f"Command: `{cmd}`, run alone on the machine (whole script: {wall / 60:.1f} min). "
             "Every number below comes from that one run.", "", f"Machine: {_machine_line()}",
             "", "## Contenders", "",
             f"Translation: {res['n_par']} cleaned paragraphs (10-200 tokens) from "
             f"{plural(res['n_articles'], 'article')} of news-articles.jsonl, beam {BEAMS}, "
             f"{THREADS} threads; every output runs to the tool's bound (2 x source tokens + "
             "10), so the work is fixed. Summarization: "
             f"{plural(res['n_docs'], 'NTREX English document')}, the model's settings (beam "
             f"4, max_length 142), {THREADS} threads; "
             "every summary runs to max_length. B2 and B3: median of "
             f"{plural(res['repeats'], 'pass', 'passes')}. Peak RSS is each contender's own "
             "(VmHWM of its process, loading included).", "", *table(rows), "",
             *engine_limit_lines(by)]
    budgets = res["budgets"]
    lines += ["", "## Memory: the summarizer's batch budget", "",
              f"B2 summarizing {plural(budgets[0]['items'], 'NTREX document')} under each "
              "budget (source tokens per CTranslate2 batch; each source token holds its beams' "
              "cross-attention caches until its batch is done):", "",
              "| batch budget (source tokens) | | tokens/s | peak RSS MB |",
              "|---:|---|---:|---:|"]
    for r, (budget, label) in zip(budgets, SUMMARY_BUDGETS.items()):
        lines.append(f"| {budget} | {label} | {r['tokens_per_s']:.1f} | "
                     f"{r['peak_rss_mb']:.0f} |")
    lines += ["", "## Whole run: the worst case", "",
              "`arabic-digest run` on the first article(s) of news-articles.jsonl, both models "
              "on CTranslate2 int8; first with an empty conversion cache (it converts both "
              "models), then with them cached. With random weights every translation runs to "
              "its bound and map-reduce summaries grow instead of shrinking, so this is the "
              "worst case, not a forecast. Start-up: process start to models loaded.", "",
              "| run | articles | segments | articles/min | segments/s | start-up s | "
              "peak RSS MB |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in res["runs"]:
        lines.append(f"| {r['label']} | {r['articles']} | {r['segments']} | "
                     f"{r['articles_per_min']:.2f} | {r['segments_per_s']:.2f} | "
                     f"{r['startup_s'] or float('nan'):.1f} | {r['peak_rss_mb']:.0f} |")
    rc = res["run_counts"]
    run = res["runs"][-1]
    lo, mid, hi = default["run_counts"]["total"]
    lines += ["", f"Command: `{run['command']}`", "",
              f"The same {plural(rc['articles'], 'article')} at realistic lengths (estimate "
              "below): "
              f"{rc['articles'] * 60 / mid:.2f} articles/min ({rc['articles'] * 60 / hi:.2f}-"
              f"{rc['articles'] * 60 / lo:.2f} over the summary lengths), against "
              f"{run['articles_per_min']:.2f} measured in the worst case."]
    ratios = res["ratios"]
    lines += ["", "## Estimates from per-token costs", "",
              "Method: B3's parts give seconds per token on this machine: the encoder per "
              "source token (the translate calls replayed with a one-token bound), each decoded "
              "token (the rest of the translate calls, per generated token, beams included), "
              "and teacher-forced scoring per source + target token; the tool's overhead over "
              f"the engine is B2/B3. Translations are priced at {ratios['translation']:.3f} "
              "target tokens per source token and summaries read "
              f"{ratios['summarizer']:.3f} summarizer tokens per Arabic source token: the "
              f"ratios of the {ratios['pairs']} NTREX dev pairs under these models' "
              "tokenizers. A summary is map-reduce over windows of the model's input size, "
              "each partial summary as long as the final one; its length is the model's "
              "min_length, the midpoint, or its max_length (the three figures). Not priced: "
              "start-up, retries of flagged segments, cleaning (0.6% of translation time).", "",
              "| preset | model | encoder ms/token | decode ms/token | score ms/token | "
              "tool/engine time |", "|---|---|---:|---:|---:|---:|"]
    for preset, e in est.items():
        for task in ("translate", "summarize"):
            c = e["costs"][task]
            lines.append(f"| {preset} | {presets[preset][0 if task == 'translate' else 2]} | "
                         f"{c['encoder'] * 1e3:.2f} | {c['decode'] * 1e3:.2f} | "
                         f"{c['score'] * 1e3:.2f} | {c['overhead']:.2f} |")
    day = res["day"]
    saved_seg = day["segments"] - day["unique_segments"]
    saved_tok = day["tokens"] - day["unique_tokens"]
    d_tr = default["day"]
    lines += ["", "### One day of news", "",
              f"`saudinewsnet-2015-08-09.jsonl`: {day['articles']} articles from 7 outlets, "
              f"{day['segments']} segments, {day['tokens']} source tokens after the tool's "
              f"cleaning and segmenting (counted with the benchmark model's tokenizer). The "
              f"segment de-duplication translates {day['unique_segments']} of them: it saves "
              f"{saved_seg} segments ({saved_seg / max(1, day['segments']):.1%}) and {saved_tok} "
              f"tokens ({saved_tok / max(1, day['tokens']):.1%}), "
              f"{_hours(d_tr['translate_no_dedupe'] - d_tr['translate'])} of translation with "
              "the default preset.", "",
              f"| preset | translation, 2 cores | summaries, 2 cores | whole day, 2 cores | "
              f"whole day, {CORES_LATER} cores |", "|---|---:|---:|---:|---:|"]
    for preset, e in est.items():
        d = e["day"]
        lo, mid, hi = d["total"]
        share = CORES_LATER // THREADS
        lines.append(f"| {preset} | {_hours(d['translate'])} | {_hours(d['summaries'][1])} "
                     f"({_hours(d['summaries'][0])}-{_hours(d['summaries'][2])}) | "
                     f"{_hours(mid)} ({_hours(lo)}-{_hours(hi)}) | {_hours(mid / share)} |")
    lines += ["", f"{CORES_LATER} cores: {CORES_LATER // THREADS} workers of {THREADS} threads "
              "(`--shard` or `--engine ray`), assuming throughput scales with workers; not "
              "measured here."]
    lines += ["", "## Presets", "",
              "`--preset` picks the models and beams; explicit `--translation-model`, "
              "`--summarization-model` and `--beams` override it. Measured here: the tool's "
              "CTranslate2 backend (B2) on the inputs above, random weights of each published "
              "shape; quality: the published figures.", "",
              "| preset | translation | beams | tokens/s | peak RSS MB | summarizer | "
              "tokens/s | peak RSS MB | published quality |",
              "|---|---|---:|---:|---:|---|---:|---:|---|"]
    for preset, pair in res["presets"].items():
        t, s = pair["translate"][0], pair["summarize"][0]
        tname, beams, sname = presets[preset]
        lines.append(f"| {preset} | {tname} | {beams} | {t['tokens_per_s']:.1f} | "
                     f"{t['peak_rss_mb']:.0f} | {sname} | {s['tokens_per_s']:.1f} | "
                     f"{s['peak_rss_mb']:.0f} | {published_quality(preset)} |")
    lines += ["", "Sources of the published figures:", "",
              *[f"- {source}" for source in quality_sources()]]
    return lines


if __name__ == "__main__":
    main()
