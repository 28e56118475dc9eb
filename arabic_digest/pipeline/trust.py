"""Trust signals for a run: flag doubtful segments, retry them once, keep the better try.

Flags come from `translate.flags` (pure checks on one source/target pair); scores come from the
translator (`Hypothesis.score`, the mean log-probability per output token). This module
decides what is retried, which try is kept, and how it shows in the record, the manifest and
the closing line.

The rule for keeping a try: the retry is kept when its flags are less severe in total
(`translate.flags.SEVERITY`: copied 3, repetition 3, untranslated 2, empty 2, numbers 2,
latin_lost 2, length_ratio 1, length_limit 1, glossary 1); on equal severity, when its
score is higher. Otherwise the first try stays.

What is retried: a segment with any flag but `split` (a retry cannot un-split a sentence; it
counts 0), `length_limit` (the retry has the same bound) and `glossary`. A dropped or altered
number and a lost URL or name weigh as much as Arabic left in the output (2): they mislead a
reader as badly, and a retry with safer decoding (wider beam, no repeated trigrams) often
brings a dropped number or name back, so they are retried, and a retry that fixes one wins over
a first try that keeps it. A `glossary` flag counts 1 when the two tries are compared but does
not cause a retry on its own: the model never sees the glossary, so decoding again fixes it
only by chance.

Scores are the model's own mean log-probability per chosen token on either backend. A first
try's score comes free with the search (plain decoding scores what the model says); a retry's
penalties change what its search scores, so a retried segment's two tries are both re-scored
teacher-forced (`Translator.rescore`; `score_batch` on CTranslate2) and compare on one measure.

Beyond segments: `terms_inconsistent` lists glossary terms an article renders in more than
one way, and `flag_summary` checks a summary's numbers and names against the translation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from arabic_digest.records import SegmentPart, TranslationPart
from arabic_digest.translate.flags import LENGTH_RATIO_BAND, check_segment, severity, summary_flags
from arabic_digest.translate.glossary import Glossary
from arabic_digest.translate.segment import Segment
from arabic_digest.translate.translator import Hypothesis, Translator

# Safer decoding for a retry: block repeated trigrams, damp repeats, search wider.
RETRY_OVERRIDES: dict[str, Any] = {"no_repeat_ngram_size": 3, "repetition_penalty": 1.2}
RETRY_MIN_BEAMS = 6
# When more than this share of a batch's segments is flagged, the failure is systematic (a
# wrong model or language, an untrained model): retrying would double the cost and fix nothing.
RETRY_MAX_SHARE = 0.5
# Flags that do not cause a retry by themselves (see the module docstring).
# (A retry cannot un-split a sentence, nor give a longer bound than the first try had.)
NOT_RETRIED = frozenset({"split", "glossary", "length_limit"})


def retry_overrides(beams: int | None) -> dict[str, Any]:
    """The decoding settings of a retry: RETRY_OVERRIDES and at least RETRY_MIN_BEAMS beams
    (`beams`: the first try's)."""
    return {**RETRY_OVERRIDES, "num_beams": max(RETRY_MIN_BEAMS, beams or 1)}


class TranslatorOutputError(RuntimeError):
    """A translator returned another number of translations than it was given segments."""


@dataclass
class Review:
    """One segment's kept translation, its flags, and the retry when there was one."""

    hyp: Hypothesis
    flags: list[dict[str, Any]]
    retry: dict[str, Any] | None = None  # {"kept", "target", "score", "flags"} of the other try


def _retryable(flags: Iterable[dict[str, Any]]) -> bool:
    return any(f["kind"] not in NOT_RETRIED for f in flags)


def _check(segment: Segment, hyp: Hypothesis, terms: Glossary | None) -> list[dict[str, Any]]:
    flags = check_segment(segment.text, hyp.text, split=segment.split, split_at=segment.split_at,
                          terms=terms)
    if hyp.hit_limit:  # generation stopped at its length bound: the output may be cut
        flags.append({"kind": "length_limit"})
    return flags


def retry_is_better(first: Review, second: Review) -> bool:
    """Fewer/less severe flags win; on a tie the higher score; otherwise the first stays."""
    a, b = severity(first.flags), severity(second.flags)
    if a != b:
        return b < a
    s1, s2 = first.hyp.score, second.hyp.score
    return s1 is not None and s2 is not None and s2 > s1


def _round(score: float | None) -> float | None:
    return None if score is None else round(score, 4)


def review(segments: Sequence[Segment], hyps: Sequence[Hypothesis], translator: Translator,
           retry: bool = True, max_share: float = RETRY_MAX_SHARE,
           articles: Sequence[int] | None = None,
           terms: Glossary | None = None) -> list[Review]:
    """Flag every segment; retry the flagged ones once (pooled in one call) and keep the better.

    `articles[i]` names the article of segment i (default: all one article). An article with
    more than `max_share` of its segments flagged is not retried (its records say so); judged
    per article, so what is retried does not depend on how articles were batched.
    A failing retry call leaves the first tries in place: a retry must never cost an article.
    `terms` (a glossary) adds the `glossary` check.
    """
    if len(hyps) != len(segments):
        raise TranslatorOutputError(f"the translator returned {len(hyps)} translations for "
                                    f"{len(segments)} segments")
    reviews = [Review(h, _check(s, h, terms)) for s, h in zip(segments, hyps)]
    flagged = [i for i, r in enumerate(reviews) if _retryable(r.flags)]
    if not retry or not flagged:
        return reviews
    owner = list(articles) if articles is not None else [0] * len(segments)
    total, bad = Counter(owner), Counter(owner[i] for i in flagged)
    todo = []
    for i in flagged:
        if bad[owner[i]] > max_share * total[owner[i]]:
            reviews[i].retry = {"skipped": True}
        else:
            todo.append(i)
    if not todo:
        return reviews
    texts = list(dict.fromkeys(segments[i].text for i in todo))
    overrides = retry_overrides(translator.settings().get("num_beams"))
    try:
        retried = translator.translate_scored(texts, overrides)
        if len(retried) != len(texts):
            raise TranslatorOutputError(f"{len(retried)} translations for {len(texts)} segments")
        again = dict(zip(texts, retried))
    except Exception as exc:  # noqa: BLE001 - keep the first tries
        for i in todo:
            reviews[i].retry = {"error": f"{type(exc).__name__}: {exc}"}
        return reviews
    # The retry was scored teacher-forced (its penalties change what the search scores); its
    # first try is scored the same way, so the two compare on one measure.
    firsts = _rescored(translator, [segments[i].text for i in todo],
                       [reviews[i].hyp for i in todo])
    for i, first_hyp in zip(todo, firsts):
        s = segments[i]
        first = Review(first_hyp, reviews[i].flags)
        hyp = again[s.text]
        second = Review(hyp, _check(s, hyp, terms))
        keep, other = (second, first) if retry_is_better(first, second) else (first, second)
        reviews[i] = Review(keep.hyp, keep.flags, {
            "kept": "retry" if keep is second else "first",
            "target": other.hyp.text,
            "score": _round(other.hyp.score),
            "flags": [f["kind"] for f in other.flags],
        })
    return reviews


def _rescored(translator: Translator, texts: list[str],
              hyps: list[Hypothesis]) -> list[Hypothesis]:
    """`hyps` re-scored teacher-forced; as they were if that fails (a retry never costs an
    article, and a score is only a tie-breaker)."""
    try:
        out = translator.rescore(texts, hyps)
    except Exception:  # noqa: BLE001
        return hyps
    return out if len(out) == len(hyps) else hyps


def reviewed(translation: TranslationPart, reviews: Sequence[Review], n_title: int,
             terms: Glossary | None = None) -> TranslationPart:
    """A record's `translation` with its scores, retries and flags (in segment order).

    Body segments get `score` and `retried` (and `retry`, the try not kept); flags name the
    index in `translation.segments`. Title segments' flags have `segment: null, title: true`.
    With a glossary, `terms_inconsistent` lists terms rendered more than one way.
    """
    flags: list[dict[str, Any]] = []
    for r in reviews[:n_title]:
        flags.extend({"kind": f["kind"], "segment": None, "title": True,
                      **{x: v for x, v in f.items() if x != "kind"}} for f in r.flags)
    scores: list[float] = []
    skipped = 0
    segments: list[SegmentPart] = []
    for i, (seg, r) in enumerate(zip(translation["segments"], reviews[n_title:])):
        seg = SegmentPart(**seg, score=_round(r.hyp.score),
                          retried=r.retry is not None and "kept" in r.retry)
        if r.retry is not None and "skipped" in r.retry:
            skipped += 1
        elif r.retry is not None:
            seg["retry"] = r.retry
        segments.append(seg)
        if r.hyp.score is not None:
            scores.append(r.hyp.score)
        flags.extend({"kind": f["kind"], "segment": i,
                      **{x: v for x, v in f.items() if x != "kind"}} for f in r.flags)
    out = TranslationPart(**{**translation, "segments": segments, "flags": flags})
    if skipped:  # most segments flagged: a systematic failure, not retried (said once)
        out["retry_skipped"] = skipped
    # The article's confidence: the mean of its segments' scores.
    out["score"] = _round(sum(scores) / len(scores)) if scores else None
    mixed = terms_inconsistent(segments, terms)
    if mixed:
        out["terms_inconsistent"] = mixed
    return out


def terms_inconsistent(segments: Sequence[dict[str, Any]],
                       terms: Glossary | None) -> list[dict[str, Any]]:
    """Glossary terms an article renders in more than one way across its segments:
    [{"term", "renderings": {rendering: segment count}, "segments": [indexes]}]."""
    if not terms:
        return []
    seen: dict[str, Counter] = {}
    where: dict[str, list[int]] = {}
    for i, seg in enumerate(segments):
        for term, found in terms.uses(seg.get("source", ""), seg.get("target", "")):
            if found is not None:
                seen.setdefault(term.arabic, Counter())[found] += 1
                where.setdefault(term.arabic, []).append(i)
    return [{"term": t, "renderings": dict(c.most_common()), "segments": where[t]}
            for t, c in seen.items() if len(c) > 1]


def flag_summary(record: dict[str, Any]) -> None:
    """Set `summary.flags`: numbers and names the summary states that the translation lacks
    (translate.flags.summary_flags, against the title and every paragraph)."""
    summary, tr = record.get("summary"), record.get("translation")
    if not isinstance(summary, dict) or not isinstance(tr, dict):
        return
    article = "\n".join([tr.get("title") or "", *tr.get("paragraphs", [])])
    summary["flags"] = summary_flags(summary.get("text") or "", article)


@dataclass
class TrustStats:
    """Counts over a run's records, and its lowest-scoring segments."""

    keep: int = 5
    terms: Glossary | None = None  # the run's glossary (--glossary), for the manifest
    flags: Counter = field(default_factory=Counter)
    summary_flags: Counter = field(default_factory=Counter)
    terms_inconsistent: int = 0  # articles with a glossary term rendered more than one way
    flagged_segments: int = 0
    retried: int = 0
    retry_kept: int = 0
    retry_skipped: int = 0
    scored: int = 0
    _lowest: list[tuple[float, str, int, str]] = field(default_factory=list)

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        candidates: list[tuple[float, str, int, str]] = []
        for rec in records:
            tr = rec.get("translation")
            if rec.get("status") != "ok" or not tr:
                continue
            self.flags.update(f["kind"] for f in tr.get("flags", []))
            self.summary_flags.update(f["kind"] for f in (rec.get("summary") or {})
                                      .get("flags", []))
            self.terms_inconsistent += bool(tr.get("terms_inconsistent"))
            self.retry_skipped += tr.get("retry_skipped", 0)
            self.flagged_segments += len({f["segment"] for f in tr.get("flags", [])
                                          if f["segment"] is not None})
            for i, seg in enumerate(tr.get("segments", [])):
                self.retried += bool(seg.get("retried"))
                self.retry_kept += (seg.get("retry") or {}).get("kept") == "retry"
                score = seg.get("score")
                if score is None:
                    continue
                self.scored += 1
                candidates.append((score, rec["id"], i, seg.get("target", "")))
        # Lowest score first; ties in id and segment order, so the list is reproducible.
        self._lowest = sorted(self._lowest + candidates, key=lambda x: x[:3])[:self.keep]

    def lowest(self) -> list[dict[str, Any]]:
        return [{"id": rid, "segment": i, "score": score, "target": target}
                for score, rid, i, target in self._lowest]

    def closing(self) -> str:
        """E.g. "flags: 3 repetition (3 retried, 2 kept); lowest confidence: a#4 (-2.10)"."""
        parts = []
        if self.flags:
            kinds = ", ".join(f"{n} {k}" for k, n in self.flags.most_common())
            skipped = f", {self.retry_skipped} not retried" if self.retry_skipped else ""
            parts.append(f"flags: {kinds} ({self.retried} retried, {self.retry_kept} kept"
                         f"{skipped})")
        if self.terms_inconsistent:
            parts.append(f"glossary terms rendered inconsistently in {self.terms_inconsistent} "
                         f"{'article' if self.terms_inconsistent == 1 else 'articles'}")
        if self.summary_flags:
            parts.append("summary flags: " + ", ".join(
                f"{n} {k}" for k, n in self.summary_flags.most_common()))
        low = self.lowest()[:3]
        if low:
            parts.append("lowest confidence: " + ", ".join(
                f"{x['id']}#{x['segment']} ({x['score']:.2f})" for x in low))
        return "; ".join(parts)

    def manifest(self, retry_settings: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"retry_settings": retry_settings, "length_ratio_band": list(LENGTH_RATIO_BAND),
                "flags": dict(self.flags.most_common()),
                "flagged_segments": self.flagged_segments,
                "retried": self.retried, "retry_kept": self.retry_kept,
                "retry_skipped": self.retry_skipped,
                "not_retried_kinds": sorted(NOT_RETRIED),
                "glossary": ({"file": self.terms.source, "terms": len(self.terms)}
                             if self.terms else None),
                "terms_inconsistent_articles": self.terms_inconsistent,
                "summary_flags": dict(self.summary_flags.most_common()),
                "scored_segments": self.scored, "lowest_confidence": self.lowest()}
