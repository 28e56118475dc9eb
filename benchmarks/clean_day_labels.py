"""Cleaning scored outlet by outlet on hand labels of the shared day (issue 22, first step).

    python benchmarks/clean_day_labels.py [--misses]

Labels: benchmarks/labels/saudinewsnet-day.tsv (8 articles per outlet, chosen by the hash of
their ids, read in full by a labeller who neither read nor ran the cleaning code; offsets and
hashes only, no text copied). Cleaning runs as `arabic-digest clean` runs on the day's file:
boilerplate learned over all 893 articles, then each article cleaned.

Scored per outlet: a boilerplate span counts as removed when its words are no longer in the
kept text (paragraphs and dateline); a dateline span must stay; every other stretch of the
text is news, split at sentence ends and lines, and counts as lost when its words are gone.
Precision = removed / (removed + news pieces lost); recall = removed / boilerplate spans.
`unsure` spans are left out of both. This is not yet the leave-one-out of issue 22: nothing in
the cleaner is chosen per held-out outlet yet (its thresholds are constants).
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

from arabic_digest.translate.clean import CleanOptions, clean_article, normalize_line  # noqa: E402

from arabic_digest.learning import learn_boilerplate, source_key  # noqa: E402
from arabic_digest.readers import Fields, ReadOptions, read_inputs  # noqa: E402
from tests.modelfactory import shared_data_dir  # noqa: E402

LABELS = ROOT / "benchmarks" / "labels" / "saudinewsnet-day.tsv"
DAY = "saudinewsnet-2015-08-09.jsonl"
_NON_WORD = re.compile(r"[^\w]+")
_PIECES = re.compile(r"[^\n.!?؟]+[.!?؟]*")


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--misses", action="store_true", help="list every miss")
    args = ap.parse_args()
    path = shared_data_dir() / DAY
    labels = read_labels()
    articles = {a.id: a for a in read_inputs([str(path)], Fields(), ReadOptions())}
    options = learn_boilerplate([str(path)], Fields(), ReadOptions(), CleanOptions())
    score: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # tp fn lost news n
    misses: list[str] = []
    for aid, spans in labels.items():
        art = articles[aid]
        text = art.text
        for s, e, _k, digest in spans:  # the data is the text that was labelled
            assert hashlib.sha1(text[s:e].encode()).hexdigest()[:8] == digest, (aid, s, e)
        c = clean_article(text, art.title, options, source=source_key(art))
        kept = " " + words(" ".join([c.dateline or ""] + c.paragraphs)) + " "
        sc = score[source_key(art)]
        sc[4] += 1
        for s, e, kind, _d in spans:
            if kind == "unsure":
                continue
            gone = f" {words(text[s:e])} " not in kept
            if kind == "dateline":
                sc[2] += gone
                sc[3] += 1
                if gone:
                    misses.append(f"{aid}: dateline lost")
            elif gone:
                sc[0] += 1
            else:
                sc[1] += 1
                misses.append(f"{aid}: {kind} left [{s}:{e}]")
        blank = list(text)
        for s, e, _k, _d in spans:
            blank[s:e] = "\n" * (e - s)
        for m in _PIECES.finditer("".join(blank)):
            w = words(m.group(0))
            if len(w.split()) < 2:
                continue
            sc[3] += 1
            if f" {w} " not in kept:
                sc[2] += 1
                misses.append(f"{aid}: news lost [{m.start()}:{m.end()}]")
    print("| outlet | articles | boilerplate spans | removed | news pieces | news lost "
          "| precision | recall |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    score["all"] = [sum(col) for col in zip(*score.values())]
    for outlet in sorted(score, key=lambda o: (o == "all", o)):
        tp, fn, lost, news, n = score[outlet]
        p = f"{tp / (tp + lost):.3f}" if tp + lost else "-"
        r = f"{tp / (tp + fn):.3f}" if tp + fn else "-"
        print(f"| {outlet} | {n} | {tp + fn} | {tp} | {news} | {lost} | {p} | {r} |")
    if args.misses:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
