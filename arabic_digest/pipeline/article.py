"""The work on one batch of articles: clean, segment, translate, reassemble, summarize.

Plain functions over plain data, so the local runner (and any other engine) only decides
where and in what batches they run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from arabic_digest.inputs.readers import Article
from arabic_digest.inputs.screening import judge_language
from arabic_digest.pipeline import trust
from arabic_digest.pipeline.preparation import prepare_text
from arabic_digest.records import (
    SegmentPart,
    base_record,
    clean_part,
    error_record,
    translation_part,
)
from arabic_digest.summarize.summarizer import Summarizer
from arabic_digest.translate.cleaning.options import CleanOptions
from arabic_digest.translate.glossary import Glossary
from arabic_digest.translate.segment import Segment, segment_paragraph
from arabic_digest.translate.translator import Translator


@dataclass
class Prepared:
    """An article cleaned and cut into segments, waiting for its translation."""

    article: Article
    record: dict[str, Any]
    title_segments: list[Segment]
    paragraph_segments: list[list[Segment]]
    tokens: int = 0  # source tokens, to share batch time fairly between articles

    def sources(self) -> list[str]:
        return [s.text for s in self.segments()]

    def segments(self) -> list[Segment]:
        return self.title_segments + [s for segs in self.paragraph_segments for s in segs]


@dataclass
class BatchSettings:
    clean_options: CleanOptions = field(default_factory=CleanOptions)
    segment_tokens: int = 200
    language_check: bool = False  # skip articles that are not Arabic (the CLI turns it on)


def prepare(article: Article, count_tokens: Callable[[str], int] | None,
            settings: BatchSettings) -> Prepared | dict[str, Any]:
    """Clean and segment one article; returns a finished record when there is nothing to do."""
    if article.error:
        rec = base_record(article)
        rec["status"], rec["error"] = "error", article.error
        return rec
    start = time.perf_counter()
    try:
        key, cleaned = prepare_text(article, settings.clean_options)
        source = key if settings.clean_options.learned is not None else None
        cleaned.removed[:0] = article.removed  # what the page extractor dropped comes first
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
        return error_record(article, "clean", type(exc).__name__, f"{article.origin}: {exc}")
    rec = base_record(article)
    rec["clean"] = clean_part(cleaned, settings.clean_options.signature(), source)
    if not cleaned.paragraphs:
        rec["timing_s"]["clean"] = round(time.perf_counter() - start, 4)
        rec["status"] = "skipped"
        rec["error"] = {"stage": "clean", "type": "EmptyArticle",
                        "message": f"{article.origin}: no text left after cleaning"}
        return rec
    # judged on the cleaned text; paragraphs in another language leave clean.paragraphs
    if settings.language_check:
        verdict = judge_language(rec["clean"]["paragraphs"], cleaned.title, article.origin)
        rec["clean"]["language"] = verdict.language()
        if verdict.skip:
            rec["status"], rec["error"] = "skipped", verdict.skip
            rec["timing_s"]["clean"] = round(time.perf_counter() - start, 4)
            return rec
        if verdict.untranslated:
            rec["clean"]["untranslated"] = verdict.untranslated
            rec["clean"]["paragraphs"] = verdict.paragraphs
    try:
        title_segs = (segment_paragraph(cleaned.title, count_tokens, settings.segment_tokens)
                      if cleaned.title else [])
        para_segs = [segment_paragraph(p, count_tokens, settings.segment_tokens)
                     for p in rec["clean"]["paragraphs"]]
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
        return error_record(article, "clean", type(exc).__name__, f"{article.origin}: {exc}")
    rec["timing_s"]["clean"] = round(time.perf_counter() - start, 4)
    prepared = Prepared(article, rec, title_segs, para_segs)
    if count_tokens:
        prepared.tokens = sum(count_tokens(s) for s in prepared.sources())
    return prepared


def _join(targets: Sequence[str]) -> str:
    # English sentences are joined by one space; the Arabic separators are whitespace.
    return " ".join(t for t in targets if t)


def _fill_translation(p: Prepared, targets: list[str], model: str) -> None:
    n_title = len(p.title_segments)
    title_targets, body = targets[:n_title], targets[n_title:]
    paragraphs: list[str] = []
    segments: list[SegmentPart] = []
    pos = 0
    for i, segs in enumerate(p.paragraph_segments):
        outs = body[pos:pos + len(segs)]
        pos += len(segs)
        paragraphs.append(_join(outs))
        segments.extend(SegmentPart(paragraph=i, source=s.text, target=t, split=s.split)
                        for s, t in zip(segs, outs))
    p.record["translation"] = translation_part(_join(title_targets) if n_title else None,
                                               paragraphs, segments)
    p.record["models"]["translation"] = model


def _translate_reviewed(batch: list[Prepared], translator: Translator,
                        retry: bool, terms: Glossary | None = None) -> list[trust.Review]:
    segments = [s for p in batch for s in p.segments()]
    articles = [k for k, p in enumerate(batch) for _ in p.segments()]
    hyps = translator.translate_scored([s.text for s in segments])
    return trust.review(segments, hyps, translator, retry, articles=articles, terms=terms)


def _fill_reviewed(p: Prepared, reviews: Sequence[trust.Review], model: str,
                   terms: Glossary | None = None) -> None:
    _fill_translation(p, [r.hyp.text for r in reviews], model)
    p.record["translation"] = trust.reviewed(p.record["translation"], reviews,
                                             len(p.title_segments), terms)


def translate_prepared(batch: list[Prepared], translator: Translator,
                       retry: bool = True, terms: Glossary | None = None) -> None:
    """Translate the pooled segments of many articles in one call; scatter results back.

    Doubtful segments are flagged and (with `retry`) retried once (see trust.py); `terms`
    (--glossary) adds the glossary check.
    If the pooled call fails, each article is retried alone so only the culprit fails.
    """
    if not batch:
        return
    start = time.perf_counter()
    try:
        pooled = _translate_reviewed(batch, translator, retry, terms)
    except Exception:  # noqa: BLE001 - fall back to one article at a time
        for p in batch:
            t0 = time.perf_counter()
            try:
                _fill_reviewed(p, _translate_reviewed([p], translator, retry, terms),
                               translator.name, terms)
            except Exception as exc:  # noqa: BLE001
                _fail(p, "translate", exc)
            p.record["timing_s"]["translate"] = round(time.perf_counter() - t0, 4)
        return
    elapsed = time.perf_counter() - start
    total = sum(p.tokens for p in batch) or len(batch)
    pos = 0
    for p in batch:
        n = len(p.sources())
        _fill_reviewed(p, pooled[pos:pos + n], translator.name, terms)
        pos += n
        share = (p.tokens or 1) / total
        p.record["timing_s"]["translate"] = round(elapsed * share, 4)


def _fail(p: Prepared, stage: str, exc: BaseException) -> None:
    p.record["status"] = "error"
    p.record["error"] = {"stage": stage, "type": type(exc).__name__,
                         "message": f"{p.article.origin}: {exc}"}


def summary_input(record: dict[str, Any]) -> str:
    return "\n".join(record["translation"]["paragraphs"])


def summarize_prepared(batch: list[Prepared], summarizer: Summarizer | None) -> None:
    todo = [p for p in batch if p.record["status"] == "ok"]
    if summarizer is None or not todo:
        return
    texts = [summary_input(p.record) for p in todo]
    titles = [p.record["translation"].get("title") for p in todo]
    start = time.perf_counter()
    try:
        # Prompted summarizers can put the English title in their prompt ({title}).
        summaries = summarizer.summarize(texts, titles)
        if len(summaries) != len(texts):  # never zip a short list: a summary would be lost
            raise RuntimeError(f"{len(summaries)} summaries for {len(texts)} texts")
    except Exception:  # noqa: BLE001 - retry one by one so only the culprit fails
        for p, text, title in zip(todo, texts, titles):
            t0 = time.perf_counter()
            try:
                (summary,) = summarizer.summarize([text], [title])  # exactly one, or an error
                p.record["summary"] = summary.to_record()
                trust.flag_summary(p.record)
                p.record["models"]["summarization"] = summarizer.name
            except Exception as exc:  # noqa: BLE001
                _fail(p, "summarize", exc)
            p.record["timing_s"]["summarize"] = round(time.perf_counter() - t0, 4)
        return
    share = (time.perf_counter() - start) / len(todo)
    for p, summary in zip(todo, summaries):
        p.record["summary"] = summary.to_record()
        trust.flag_summary(p.record)
        p.record["models"]["summarization"] = summarizer.name
        p.record["timing_s"]["summarize"] = round(share, 4)
