"""How well cleaning removes boilerplate and keeps news, and what it costs (issue 14).

    python benchmarks/clean_quality.py                  # quality on the labelled sets + timing
    python benchmarks/clean_quality.py --no-timing
    python benchmarks/clean_quality.py --leave-one-out  # each outlet held out in turn (issue 22)

Labelled sets (a span is "news" or "boilerplate"):

* fixtures  -- tests/fixtures/outlets: 12 invented outlets (5 or 12 articles each) around
               real shared paragraphs; spans marked in the templates.
* shared    -- news-articles.jsonl + seed-article.txt (32 articles): boilerplate spans labelled by
               review (tests/data/clean-labels-shared.txt), every other sentence kept by
               cleaning v1 labelled news (tests/data/clean-v1-sentences.txt).
* heldout   -- benchmarks/heldout: 3 outlets x 5 articles written after the rules and the
               fixtures (reported apart). Its first scoring removed 0 of 65 boilerplate spans
               (page lines glued by single newlines, tool bars, stamps); the rules were then
               generalised (line-level learning, tool bars, stamps, join/watch cues), not
               fitted to its strings, and it is no longer untouched.

Removal precision = boilerplate spans removed whole / (those + news spans lost or changed);
recall = boilerplate spans removed whole / all boilerplate spans. Each set is cleaned the way
`arabic-digest clean` cleans one input file: boilerplate is learned over the set first.

Leave one outlet out: the learner's two thresholds (the share of a source's articles that a
word n-gram must open or close, `edge_share`, and that a sentence-like unit must end,
`end_share`) are chosen on a grid from the labels of the other outlets (no news piece lost,
then the best recall, then the point nearest the defaults), and the held-out outlet is scored
with them on its labels (benchmarks/clean_day_labels.py scoring). What is learned from the
held-out outlet is only what the learner counts, unsupervised, in its own articles, as a user's
run would. First table: the 7 outlets of the shared day, chosen on the other six; second: every
labelled outlet (day, fixtures, held-out), chosen on all the others. "first / last / any
sentence changed": the share of all the outlet's articles whose first sentence, last sentence
or any sentence differs after cleaning (dateline kept in place).

Timing: learning pass + cleaning of every shared article (925), per article, against the
translation cost per segment measured in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from arabic_digest.translate.cleaning.boilerplate import (  # noqa: E402
    EDGE_SHARE,
    END_SHARE,
    BoilerplateLearner,
    Learned,
)
from arabic_digest.translate.cleaning.clean import clean_article  # noqa: E402
from arabic_digest.translate.cleaning.normalize import normalize_line  # noqa: E402
from arabic_digest.translate.cleaning.options import CleanedArticle, CleanOptions  # noqa: E402
from arabic_digest.translate.segment import segment_paragraph  # noqa: E402

from arabic_digest.inputs.readers import Article, Fields, ReadOptions, read_inputs  # noqa: E402
from arabic_digest.pipeline.boilerplate_pass import count_boilerplate, learn_boilerplate  # noqa: E402
from arabic_digest.pipeline.preparation import source_key  # noqa: E402
from benchmarks import clean_day_labels as day_labels  # noqa: E402
from tests import cleanbaseline, outletfixtures  # noqa: E402
from tests.modelfactory import shared_data_dir  # noqa: E402

LABELS = ROOT / "tests" / "data" / "clean-labels-shared.txt"
HELDOUT = ROOT / "benchmarks" / "heldout"
# benchmarks/RESULTS.md, whole `arabic-digest run` with the full-size models on CTranslate2
# int8 (the fastest backend): 0.3 segments/s on a loaded 2-core machine.
TRANSLATE_S_PER_SEGMENT = 1 / 0.3


class Score:
    def __init__(self) -> None:
        self.tp = self.fn = self.fp = self.tn = 0
        self.misses: list[str] = []

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fn += other.fn
        self.fp += other.fp
        self.tn += other.tn

    def line(self, name: str, articles: int) -> str:
        p = self.tp / max(self.tp + self.fp, 1)
        r = self.tp / max(self.tp + self.fn, 1)
        return (f"| {name} | {articles} | {self.tp + self.fn} | {self.tp} | {self.fp + self.tn} "
                f"| {self.fp} | {p:.3f} | {r:.3f} |")


def count_templates(articles: list[outletfixtures.FixtureArticle]) -> BoilerplateLearner:
    """Fixture articles counted as `arabic-digest clean` counts one input file."""
    learner = BoilerplateLearner()
    for a in articles:
        learner.add_article(a.outlet, clean_article(a.text, a.title))
    return learner


def _verdicts(articles: list[outletfixtures.FixtureArticle], learned: Learned
              ) -> Iterator[tuple[outletfixtures.FixtureArticle, CleanedArticle, dict]]:
    options = CleanOptions(learned=learned)
    for a in articles:
        c = clean_article(a.text, a.title, options, source=a.outlet)
        yield a, c, outletfixtures.judge(a, c.paragraphs, c.dateline)


def score_templates(articles: list[outletfixtures.FixtureArticle]) -> Score:
    score = Score()
    for a, _c, verdict in _verdicts(articles, count_templates(articles).freeze()):
        score.fn += len(verdict["left"])
        score.tp += verdict["boilerplate"] - len(verdict["left"])
        score.fp += len(verdict["lost"])
        score.tn += verdict["news"] - len(verdict["lost"])
        score.misses += [f"{a.id}: boilerplate left: {t[:70]}" for t in verdict["left"]]
        score.misses += [f"{a.id}: news lost: {t[:70]}" for t in verdict["lost"]]
    return score


def _hash(text: str) -> str:
    return hashlib.sha1(normalize_line(" ".join(text.split("\n"))).encode()).hexdigest()[:8]


def _run_options(data: Path) -> dict[str, CleanOptions]:
    return {name: learn_boilerplate([str(data / name)], Fields(), ReadOptions(), CleanOptions())
            for name in cleanbaseline.FILES}


def _cleaned(data: Path, options: dict[str, CleanOptions]):  # type: ignore[no-untyped-def]
    import json

    meta: dict[tuple[str, str], dict] = {}
    for name in cleanbaseline.FILES[:2]:
        for line in (data / name).open(encoding="utf-8"):
            row = json.loads(line)
            meta[name, row["id"]] = {k: v for k, v in row.items()
                                     if k not in ("id", "text", "title")}
    for name, aid, text, title in cleanbaseline.shared_articles():
        art = Article(aid, text, title, meta.get((name, aid), {}), f"{data / name}:1")
        yield name, aid, clean_article(text, title, options[name], source=source_key(art))


def score_shared(data: Path, options: dict[str, CleanOptions]) -> tuple[Score, Score, int]:
    """(reviewed news-articles + seed, saudinewsnet news kept, reviewed article count)."""
    boiler: dict[tuple[str, str], set[str]] = {}
    for line in LABELS.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            name, aid, h, _kind = line.split(" ")
            boiler.setdefault((name, aid), set()).add(h)
    news = cleanbaseline.read()
    reviewed, day = Score(), Score()
    n = 0
    for name, aid, c in _cleaned(data, options):
        kept = set(cleanbaseline.sentence_hashes(c.paragraphs))
        lost = [h for h in news[name, aid] if h not in kept]
        score = day if name.startswith("saudinewsnet") else reviewed
        score.fp += len(lost)
        score.tn += len(news[name, aid]) - len(lost)
        if lost:
            score.misses.append(f"{aid}: {len(lost)} v1 sentence(s) gone; removed now: "
                                + "; ".join(f"{r['kind']}: {r['text'][:40]!r}" for r in c.removed
                                            if r["kind"] == "learned"))
        if score is reviewed:
            n += 1
            removed = {_hash(r["text"]) for r in c.removed}
            labelled = boiler.get((name, aid), set())
            score.tp += len(labelled & removed)
            score.fn += len(labelled - removed)
    return reviewed, day, n


def timing(data: Path) -> str:
    arts = list(cleanbaseline.shared_articles())
    t0 = time.perf_counter()
    options = _run_options(data)  # the learning pass: every article cleaned once more
    t1 = time.perf_counter()
    segments = 0
    for _, _, c in _cleaned(data, options):
        segments += sum(len(segment_paragraph(p, None, 200)) for p in c.paragraphs)
    t2 = time.perf_counter()
    day = [a for a in read_inputs([str(data / day_labels.DAY)], Fields(), ReadOptions())
           if a.text.strip()]
    t3 = time.perf_counter()
    day_options = learn_boilerplate([str(data / day_labels.DAY)], Fields(), ReadOptions(),
                                    CleanOptions())
    for a in day:
        clean_article(a.text, a.title, day_options, source=source_key(a))
    day_ms = (time.perf_counter() - t3) / len(day) * 1000
    per_article = (t2 - t0) / len(arts)
    translate = segments / len(arts) * TRANSLATE_S_PER_SEGMENT
    return (f"{len(arts)} shared articles, {segments} segments: learning pass {t1 - t0:.2f} s, "
            f"clean + segment {t2 - t1:.2f} s; {per_article * 1000:.1f} ms per article in all, "
            f"against {translate:.1f} s of translation per article "
            f"({segments / len(arts):.1f} segments x {TRANSLATE_S_PER_SEGMENT:.2f} s, "
            f"RESULTS.md): {per_article / translate:.4%} of translation time "
            f"({per_article / translate * 20:.3%} even if translation ran 20x faster)\n"
            f"the shared day alone ({len(day)} articles, learned (one read) and cleaned as "
            f"`arabic-digest clean` does): {day_ms:.1f} ms per article")


GRID = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)  # edge_share x end_share tried
Point = tuple[float, float]


class LabelledSet:
    """Labelled articles of some outlets, counted once by the learner; thresholds apply only
    when the counts are frozen, so each point of the grid costs a freeze and a cleaning."""

    def __init__(self, counted: BoilerplateLearner,
                 articles: list[tuple[str, str, str | None]],  # outlet, text, title
                 score: Callable[[Learned], dict[str, day_labels.Counts]]) -> None:
        self.counted, self.articles, self._score = counted, articles, score
        self._learned: dict[Point, Learned] = {}
        self._scores: dict[Point, dict[str, day_labels.Counts]] = {}

    def learned(self, point: Point) -> Learned:
        if point not in self._learned:
            self._learned[point] = replace(self.counted, edge_share=point[0],
                                           end_share=point[1]).freeze()
        return self._learned[point]

    def score(self, point: Point) -> dict[str, day_labels.Counts]:
        if point not in self._scores:  # both tables score the day's grid
            self._scores[point] = self._score(self.learned(point))
        return self._scores[point]

    def changed(self, outlet: str, point: Point) -> tuple[int, int, int, int]:
        """(articles, first sentence changed, last changed, any text changed) for one outlet."""
        options = CleanOptions(learned=self.learned(point))
        out = [0, 0, 0, 0]
        for o, text, title in self.articles:
            if o != outlet:
                continue
            c = clean_article(text, title, options, source=o)
            before = _sentences(text)
            after = _sentences("\n".join([c.dateline or ""] + c.paragraphs))
            out[0] += 1
            out[1] += before[:1] != after[:1]
            out[2] += before[-1:] != after[-1:]
            out[3] += before != after
        return out[0], out[1], out[2], out[3]


def _sentences(text: str) -> list[str]:
    pieces = (day_labels.words(m.group(0)) for m in day_labels.PIECES.finditer(text))
    return [w for w in pieces if w]


def day_set(data: Path) -> LabelledSet:
    articles, labels = day_labels.labelled()
    counted = count_boilerplate([str(data / day_labels.DAY)], Fields(), ReadOptions(),
                                CleanOptions())
    texts = [(source_key(a), a.text, a.title) for a in articles.values() if a.text.strip()]
    return LabelledSet(counted, texts, lambda learned: day_labels.score(
        articles, labels, CleanOptions(learned=learned)))


def fixture_set(articles: list[outletfixtures.FixtureArticle]) -> LabelledSet:
    def score(learned: Learned) -> dict[str, day_labels.Counts]:
        out: dict[str, day_labels.Counts] = {}
        for a, _c, v in _verdicts(articles, learned):
            left, lost = len(v["left"]), len(v["lost"])
            row = [v["boilerplate"] - left, left, lost, v["news"], 1]
            out[a.outlet] = day_labels.total([out.get(a.outlet, [0] * 5), row])
        return out

    return LabelledSet(count_templates(articles), [(a.outlet, a.text, a.title)
                                                   for a in articles], score)


def choose(rest: list[dict[Point, day_labels.Counts]]) -> tuple[Point, list[Point]]:
    """Thresholds for an outlet not seen, from the counts of the others: the points that lose
    no news piece (else the fewest) and reach the best recall there are the region the data
    allows; of those, the one nearest the defaults. Returns it and the region."""
    by_point = {p: day_labels.total([r[p] for r in rest]) for p in rest[0]}
    least = min(c[2] for c in by_point.values())
    safe = {p: day_labels.precision_recall(c)[1] or 0.0
            for p, c in by_point.items() if c[2] == least}
    best = max(safe.values())
    region = sorted(p for p, r in safe.items() if r == best)
    near = min(region, key=lambda p: (abs(p[0] - EDGE_SHARE) + abs(p[1] - END_SHARE), p))
    return near, region


def _region(points: list[Point]) -> str:
    ends = {e: [n for e2, n in points if e2 == e] for e, _ in points}
    return "; ".join(f"edge {e}: end {min(ns)}-{max(ns)}" for e, ns in sorted(ends.items()))


def leave_one_out(sets: dict[str, LabelledSet], pool: list[str]) -> None:
    """Each outlet of `sets` held out in turn; thresholds chosen on the outlets of `pool`
    (other than the held-out one), learned parts counted on the held-out outlet's own file."""
    grid = [(e, n) for e in GRID for n in GRID]
    scores = {name: {p: ls.score(p) for p in grid} for name, ls in sets.items()}
    per = {(name, o): {p: scores[name][p][o] for p in grid}
           for name in sets for o in scores[name][grid[0]]}
    print("| held out | thresholds (edge, end) | articles | boilerplate spans | removed "
          "| news pieces | news lost | precision | recall | first / last / any sentence "
          "changed |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    rows = []
    for (name, outlet), counts in sorted(per.items()):
        rest = [c for (n2, o2), c in per.items() if o2 in pool and (n2, o2) != (name, outlet)]
        point, _ = choose(rest)
        row = counts[point]
        rows.append(row)
        n, first, last, any_ = sets[name].changed(outlet, point)
        p, r = day_labels.precision_recall(row)
        print(f"| {outlet} | {point[0]}, {point[1]} | {row[4]} | {row[0] + row[1]} | {row[0]} "
              f"| {row[3]} | {row[2]} | {day_labels.fmt(p)} | {day_labels.fmt(r)} "
              f"| {first / n:.0%} / {last / n:.0%} / {any_ / n:.0%} of {n} |")
    allrow = day_labels.total(rows)
    p, r = day_labels.precision_recall(allrow)
    whole, region = choose(list(per.values()))
    print(f"| **all held out** | - | {allrow[4]} | {allrow[0] + allrow[1]} | {allrow[0]} "
          f"| {allrow[3]} | {allrow[2]} | {day_labels.fmt(p)} | {day_labels.fmt(r)} | |")
    print(f"\nOn every outlet here, nothing lost and the best recall for: {_region(region)} "
          f"(the defaults, {EDGE_SHARE} and {END_SHARE}, "
          f"{'are' if (EDGE_SHARE, END_SHARE) in region else 'are NOT'} inside)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--misses", action="store_true", help="list every miss")
    ap.add_argument("--leave-one-out", action="store_true",
                    help="hold each outlet out, choose thresholds on the others, score it")
    args = ap.parse_args()
    data = shared_data_dir()
    fixtures = outletfixtures.all_articles()
    heldout = [a for k, p in enumerate(sorted(HELDOUT.glob("*.toml")))
               for a in outletfixtures.render(p, 100 + k)]
    if args.leave_one_out:
        day = day_set(data)
        day_outlets = sorted(day.score((EDGE_SHARE, END_SHARE)))
        print("### The shared day, each outlet held out, thresholds chosen on the other six\n")
        leave_one_out({"day": day}, day_outlets)
        sets = {"day": day, "fixtures": fixture_set(fixtures), "heldout": fixture_set(heldout)}
        every = sorted({a.outlet for a in fixtures + heldout} | set(day_outlets))
        print("\n### Every labelled outlet (day, fixtures, held-out) held out, thresholds "
              "chosen on all the others\n")
        leave_one_out(sets, every)
        return
    fx = score_templates(fixtures)
    options = _run_options(data)
    reviewed, day, n_reviewed = score_shared(data, options)
    both = Score()
    both.add(fx)
    both.add(reviewed)
    ho = score_templates(heldout)
    print("| set | articles | boilerplate spans | removed whole | news spans | news lost "
          "| precision | recall |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(fx.line(f"fixtures ({len({a.outlet for a in fixtures})} outlets)", len(fixtures)))
    print(reviewed.line("shared, reviewed (news-articles + seed)", n_reviewed))
    print(both.line("**labelled set (both)**", len(fixtures) + n_reviewed))
    print(ho.line("held-out (3 outlets; first scored 0/65 removed)", len(heldout)))
    print(f"\nsaudinewsnet day (893 articles): {day.tn} of {day.tn + day.fp} sentences that v1 "
          f"kept are kept; {day.fp} changed or removed (learned units, credits, bylines: "
          f"boilerplate in the day's hand labels; --misses lists them)")
    ntrex = (data / "ntrex-ar-en-dev.ar").read_text("utf-8").splitlines()
    touched = sum(bool(clean_article(line).removed) for line in ntrex)
    print(f"NTREX-128 Arabic news sentences: {touched} of {len(ntrex)} lose anything to cleaning")
    if args.misses:
        for name, s in (("fixtures", fx), ("shared", reviewed), ("day", day), ("heldout", ho)):
            for m in s.misses:
                print(f"  {name}: {m}")
    if not args.no_timing:
        print("\n" + timing(data))


if __name__ == "__main__":
    main()
