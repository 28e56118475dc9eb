"""Quality and time of the story grouping on one real day of Saudi news.

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/stories_quality.py [--json out.json]

* time: cleaning and grouping of the whole day (893 articles), measured apart;
* near-copies: every pair with word 5-gram Jaccard > 0.5 (exact, on cleaned text) must share
  a story;
* precision/recall over the pairs labelled by reading them (benchmarks/stories_labels.tsv):
  the labels are split in two halves by a hash of the pair; the thresholds are chosen on the
  `tune` half (highest recall with precision >= 0.97 there), and the figures are reported on
  the `test` half, from the real grouper run with the chosen thresholds.

Precision is over pairs the grouping puts together, so it counts links made by chaining too.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from arabic_digest.translate.cleaning.clean import clean_article  # noqa: E402
from arabic_digest.translate.cleaning.options import CleanOptions  # noqa: E402

from arabic_digest.pipeline.stories import StoryGrouper, StoryOptions, _Union, words  # noqa: E402

DAY = ROOT.parent / "shared" / "data" / "saudinewsnet-2015-08-09.jsonl"
LABELS = Path(__file__).with_name("stories_labels.tsv")
TUNE_PRECISION = 0.95  # the issue asks for 0.95
NGRAMS = (3, 4, 5)  # title character n-grams tried


def load_day(path: Path = DAY) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_labels(path: Path = LABELS) -> list[tuple[str, str, bool, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("id_a\t"):
            continue
        a, b, same, reason = line.split("\t", 3)
        out.append((a, b, same == "1", reason))
    return out


def half(a: str, b: str) -> str:
    """`tune` or `test`: a fixed split by a hash of the (unordered) pair."""
    key = "\t".join(sorted((a, b))).encode("utf-8")
    return "tune" if hashlib.sha1(key).digest()[0] % 2 == 0 else "test"


def near_copy_pairs(cleaned: dict[str, list[str]], n: int = 5,
                    threshold: float = 0.5) -> list[tuple[str, str, float]]:
    """Exact word n-gram Jaccard > threshold, on the cleaned paragraphs."""
    shingles = {}
    for i, paras in cleaned.items():
        ws = words("\n".join(paras))
        shingles[i] = {tuple(ws[k:k + n]) for k in range(len(ws) - n + 1)}
    index: dict[tuple, list[str]] = {}
    for i, sh in shingles.items():
        for s in sh:
            index.setdefault(s, []).append(i)
    candidates = {(a, b) for ids in index.values() if len(ids) < 50
                  for a, b in itertools.combinations(sorted(ids), 2)}
    out = []
    for a, b in sorted(candidates):
        sa, sb = shingles[a], shingles[b]
        jac = len(sa & sb) / len(sa | sb)
        if jac > threshold:
            out.append((a, b, jac))
    return out


def scores(labels, story_of) -> dict[str, float]:
    tp = sum(1 for a, b, y, _ in labels if y and story_of[a] == story_of[b])
    fp = sum(1 for a, b, y, _ in labels if not y and story_of[a] == story_of[b])
    fn = sum(1 for a, b, y, _ in labels if y and story_of[a] != story_of[b])
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"pairs": len(labels), "positives": tp + fn, "tp": tp, "fp": fp, "fn": fn,
            "precision": round(p, 4), "recall": round(r, 4)}


def grid(grouper: StoryGrouper, labels) -> list[tuple[StoryOptions, dict[str, float]]]:
    """Every threshold combination scored on `labels`, from similarities computed once
    (for the grouper's own `title_ngram`)."""
    o = grouper.options
    ids = sorted(grouper.sketches)
    eligible = [i for i in ids if grouper.sketches[i].words >= o.min_words]
    x = grouper.tfidf(eligible)
    y = grouper.tfidf(eligible, "title_terms")
    body = (x @ x.T).toarray()
    title = (y @ y.T).toarray()
    upper = np.triu(np.ones_like(body, dtype=bool), k=1)
    near = [(a, b) for a, b, _, _ in grouper._near_links(ids)]
    results = []
    for cos, cos_t, t in itertools.product(np.arange(0.40, 0.96, 0.02),
                                           np.arange(0.20, 0.61, 0.05),
                                           np.arange(0.10, 0.71, 0.05)):
        if cos_t > cos:
            continue
        hit = upper & ((body >= cos) | ((body >= cos_t) & (title >= t)))
        groups = _Union(ids)
        for a, b in near:
            groups.union(a, b)
        for r, c in zip(*np.nonzero(hit)):
            a, b = eligible[r], eligible[c]
            if grouper._close(a, b):
                groups.union(a, b)
        story_of = {i: groups.find(i) for i in ids}
        opts = replace(o, cosine=round(float(cos), 2), cosine_with_title=round(float(cos_t), 2),
                       title_cosine=round(float(t), 2))
        results.append((opts, scores(labels, story_of)))
    return results


def choose(results) -> tuple[StoryOptions, dict[str, float]]:
    ok = [(o, s) for o, s in results if s["precision"] >= TUNE_PRECISION]
    # Highest recall; on a tie the most conservative thresholds.
    return max(ok, key=lambda os: (os[1]["recall"], os[1]["precision"], os[0].cosine,
                                   os[0].title_cosine, os[0].cosine_with_title,
                                   -os[0].title_ngram))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path, help="write the figures here too")
    args = ap.parse_args()
    rows = load_day()
    t0 = time.perf_counter()
    cleaned = {r["id"]: clean_article(r["text"], r["title"], CleanOptions()) for r in rows}
    t_clean = time.perf_counter() - t0

    def run(options: StoryOptions) -> tuple[StoryGrouper, object, float]:
        t = time.perf_counter()
        g = StoryGrouper(options)
        for r in rows:
            c = cleaned[r["id"]]
            g.add(r["id"], c.paragraphs, {"date": r["date"]}, c.title)
        stories = g.finish()
        return g, stories, time.perf_counter() - t

    labels = load_labels()
    tune = [lab for lab in labels if half(lab[0], lab[1]) == "tune"]
    test = [lab for lab in labels if half(lab[0], lab[1]) == "test"]
    results = []
    for n in NGRAMS:
        grouper, _, _ = run(StoryOptions(title_ngram=n))
        results += grid(grouper, tune)
    chosen, tune_scores = choose(results)
    _, stories, t_group = run(chosen)
    story_of = {i: stories.story(i).id for i in cleaned}
    near = near_copy_pairs({i: c.paragraphs for i, c in cleaned.items()})
    split = [s for s in near if story_of[s[0]] != story_of[s[1]]]
    sizes = [s.size for s in stories.all()]
    outlets = {r["id"]: r["outlet"] for r in rows}
    report = {
        "articles": len(rows),
        "time_s": {"clean": round(t_clean, 2), "group": round(t_group, 2)},
        "options": asdict(chosen),
        "stories": len(sizes),
        "multi_article_stories": sum(1 for s in sizes if s > 1),
        "largest_story": max(sizes),
        "near_copy_pairs": len(near),
        "near_copy_pairs_across_outlets": sum(1 for a, b, _ in near if outlets[a] != outlets[b]),
        "near_copy_pairs_split": len(split),
        "labels": {"all": len(labels), "tune": len(tune), "test": len(test)},
        "tune": tune_scores,
        "test": scores(test, story_of),
        "all_labels": scores(labels, story_of),
    }
    print(json.dumps(report, indent=2))
    errors = [(a, b, y, why) for a, b, y, why in test if (story_of[a] == story_of[b]) != y]
    for a, b, y, why in errors:
        print(f"test {'missed' if y else 'wrongly joined'}: {a} {b} ({why})", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
