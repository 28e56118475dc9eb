"""Cleaning scored outlet by outlet on hand labels of the shared day (issue 22, first step).

    python benchmarks/clean_day_labels.py [--misses]

Labels: benchmarks/labels/saudinewsnet-day.tsv (24 articles per outlet, chosen by the hash of
their ids, read in full by a labeller who neither read nor ran the cleaning code; offsets and
hashes only, no text copied). Cleaning runs as `arabic-digest clean` runs on the day's file:
boilerplate learned over all 893 articles, then each article cleaned.

Scored per outlet: a boilerplate span counts as removed when its words are no longer in the
kept text (paragraphs and dateline); a dateline span must stay; every other stretch of the
text is news, split at sentence ends and lines, and counts as lost when its words are gone.
Precision = removed / (removed + news pieces lost); recall = removed / boilerplate spans.
`unsure` spans are left out of both. Here the learner's thresholds are its defaults; the
leave-one-outlet-out run (`python benchmarks/clean_quality.py --leave-one-out`) chooses them on
six outlets and scores the seventh with these same functions.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from arabic_digest.translate.cleaning.clean import clean_article  # noqa: E402
from arabic_digest.translate.cleaning.normalize import normalize_line  # noqa: E402
from arabic_digest.translate.cleaning.options import CleanOptions  # noqa: E402

from arabic_digest.inputs.readers import Article, Fields, ReadOptions, read_inputs  # noqa: E402
from arabic_digest.pipeline.boilerplate_pass import learn_boilerplate  # noqa: E402
from arabic_digest.pipeline.preparation import source_key  # noqa: E402
from tests.modelfactory import shared_data_dir  # noqa: E402

LABELS = ROOT / "benchmarks" / "labels" / "saudinewsnet-day.tsv"
DAY = "saudinewsnet-2015-08-09.jsonl"
_NON_WORD = re.compile(r"[^\w]+")
PIECES = re.compile(r"[^\n.!?؟]+[.!?؟]*")


def words(text: str) -> str:
    """What must survive cleaning of a piece: its words, normalised as cleaning does."""
    return _NON_WORD.sub(" ", normalize_line(" ".join(text.split()))).strip()


def read_labels() -> dict[str, list[tuple[int, int, str, str]]]:
    """id -> its spans (start, end, kind, hash); an article with none maps to []."""
    out: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)
    for line in LABELS.read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        aid, start, end, kind, digest, _comment = line.split("\t")
        out[aid] += [] if kind == "none" else [(int(start), int(end), kind, digest)]
    return out


Span = tuple[int, int, str, str]  # start, end, kind, hash
Counts = list[int]  # boilerplate removed, left, news lost, news pieces, articles


def labelled() -> tuple[dict[str, Article], dict[str, list[Span]]]:
    """The day's articles by id, and the labelled ones' spans (each checked by its hash)."""
    path = shared_data_dir() / DAY
    labels = read_labels()
    articles = {a.id: a for a in read_inputs([str(path)], Fields(), ReadOptions())}
    for aid, spans in labels.items():
        text = articles[aid].text
        for s, e, _k, digest in spans:  # the data is the text that was labelled
            assert hashlib.sha1(text[s:e].encode()).hexdigest()[:8] == digest, (aid, s, e)
    return articles, labels


def score(articles: dict[str, Article], labels: dict[str, list[Span]], options: CleanOptions,
          misses: list[str] | None = None) -> dict[str, Counts]:
    """Counts per outlet of the labelled articles cleaned with `options`."""
    out: dict[str, Counts] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for aid, spans in labels.items():
        art = articles[aid]
        text = art.text
        c = clean_article(text, art.title, options, source=source_key(art))
        kept = " " + words(" ".join([c.dateline or ""] + c.paragraphs)) + " "
        sc = out[source_key(art)]
        sc[4] += 1
        for s, e, kind, _d in spans:
            if kind == "unsure":
                continue
            gone = f" {words(text[s:e])} " not in kept
            if kind == "dateline":
                sc[2] += gone
                sc[3] += 1
                if gone and misses is not None:
                    misses.append(f"{aid}: dateline lost")
            elif gone:
                sc[0] += 1
            else:
                sc[1] += 1
                if misses is not None:
                    misses.append(f"{aid}: {kind} left [{s}:{e}]")
        blank = list(text)
        for s, e, _k, _d in spans:
            blank[s:e] = "\n" * (e - s)
        for m in PIECES.finditer("".join(blank)):
            w = words(m.group(0))
            if len(w.split()) < 2:
                continue
            sc[3] += 1
            if f" {w} " not in kept:
                sc[2] += 1
                if misses is not None:
                    misses.append(f"{aid}: news lost [{m.start()}:{m.end()}]")
    return out


def total(counts: list[Counts]) -> Counts:
    return [sum(col) for col in zip(*counts)] if counts else [0, 0, 0, 0, 0]


def precision_recall(c: Counts) -> tuple[float | None, float | None]:
    tp, fn, lost = c[0], c[1], c[2]
    return (tp / (tp + lost) if tp + lost else None, tp / (tp + fn) if tp + fn else None)


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--misses", action="store_true", help="list every miss")
    args = ap.parse_args()
    articles, labels = labelled()
    options = learn_boilerplate([str(shared_data_dir() / DAY)], Fields(), ReadOptions(),
                                CleanOptions())
    misses: list[str] = []
    counts = score(articles, labels, options, misses)
    print("| outlet | articles | boilerplate spans | removed | news pieces | news lost "
          "| precision | recall |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    counts["all"] = total(list(counts.values()))
    for outlet in sorted(counts, key=lambda o: (o == "all", o)):
        tp, fn, lost, news, n = counts[outlet]
        p, r = precision_recall(counts[outlet])
        print(f"| {outlet} | {n} | {tp + fn} | {tp} | {news} | {lost} | {fmt(p)} | {fmt(r)} |")
    if args.misses:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
