"""Article text from saved pages: word precision/recall per site style, title and date
accuracy, pages per second (issue 35).

    PYTHONPATH=. python benchmarks/web_extraction.py            # leave one style out + speed
    PYTHONPATH=. python benchmarks/web_extraction.py --dump DIR # also write pages, gold, output

The evaluation set is tests/pagefixtures.py: 14 site styles x 10 pages, written by us around
real article bodies of ../shared/data (the gold is the article's paragraphs, headline, date).

Leave one style out: the extractor's thresholds (arabic_digest.inputs.pages.Params: a prose block's
least words and most link density, the cost of non-prose words to a container, the link
density a paragraph beside the article's may have) are chosen on a grid from the other thirteen
styles (best micro F1, ties to the defaults) and the held-out style is scored with them.
trafilatura 2.x with its defaults (`extract(data)`) runs on the same bytes in the same run.
Rows: "tool (page alone)": each page by itself, extraction only; "tool+clean": that text
cleaned as `arabic-digest clean page.html` cleans it (no learning; gold cleaned the same
way); "tool+site": the site's pages learned first (pages.SiteTemplate); "tool+run": as
`run`/`clean` read a folder of one site's pages (the extracted text, boilerplate learned per
host by translate.boilerplate, cleaned with it; gold cleaned the same way without learning);
"trafilatura" and "trafilatura+clean": its text as it comes, and cleaned as "tool+clean" is.

Word P/R: multisets of word tokens (\\w+) of the output against the gold paragraphs.
Speed on one core: read + decode + extract + clean (translate.clean.clean_article) of the
Arabic pages, as written and grown to ~150 KB with scripts, styles and menus as saved pages
are; the cheap look (pages.is_probably_arabic_page) on English pages (NTREX English
documents), as written and grown; trafilatura's extract alone for comparison.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from arabic_digest.translate.cleaning.boilerplate import BoilerplateLearner
from arabic_digest.translate.cleaning.clean import clean_article
from arabic_digest.translate.cleaning.options import CleanOptions

from arabic_digest.inputs.pagemeta import decode_html
from arabic_digest.inputs.pages import (
    Params,
    SiteTemplate,
    analyse,
    is_probably_arabic_page,
    select,
)
from tests.modelfactory import shared_data_dir
from tests.pagefixtures import STYLES, GoldPage, english_page, evaluation_set

GRID = {"min_words": (3, 5, 8, 12), "max_link_density": (0.2, 0.3, 0.5),
        "noise_weight": (0.25, 0.5, 1.0), "sibling_link_density": (0.2, 0.35, 0.5)}
_W = re.compile(r"\w+")


def tokens(text: str) -> Counter:
    return Counter(_W.findall(text or ""))


def pr(out: str, gold: str) -> tuple[int, int, int]:
    o, g = tokens(out), tokens(gold)
    return sum((o & g).values()), sum(o.values()), sum(g.values())


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def f1(hit: int, n_out: int, n_gold: int) -> float:
    p, r = ratio(hit, n_out), ratio(hit, n_gold)
    return 2 * p * r / (p + r) if p + r else 0.0


def gold_text(p: GoldPage) -> str:
    return "\n\n".join(p.story.paragraphs)


def same_title(a: str | None, b: str) -> bool:
    return a is not None and " ".join(a.split()) == " ".join(b.split())


def leave_one_out(pages: list[GoldPage], analyses: dict[str, object]) -> dict[str, Params]:
    """Held-out style -> the Params chosen on the other styles."""
    combos = [Params(**dict(zip(GRID, values))) for values in itertools.product(*GRID.values())]
    # per style and combo: (hit, out, gold) summed
    sums: dict[tuple[str, Params], tuple[int, int, int]] = {}
    for params in combos:
        for p in pages:
            page = select(analyses[p.name], params)
            h, o, g = pr(page.text, gold_text(p))
            a = sums.get((p.style, params), (0, 0, 0))
            sums[(p.style, params)] = (a[0] + h, a[1] + o, a[2] + g)
    chosen = {}
    default = Params()
    for held in STYLES:
        def score(params: Params, held: str = held) -> tuple[float, bool]:
            tot = [sum(sums[(s, params)][k] for s in STYLES if s != held) for k in range(3)]
            return round(f1(*tot), 4), params == default
        chosen[held] = max(combos, key=score)
    return chosen


def english_pages() -> list[bytes]:
    """English pages (NTREX English documents as bodies)."""
    data = shared_data_dir()
    lines = (data / "ntrex-ar-en-dev.en").read_text("utf-8").split("\n")
    ids = (data / "ntrex-ar-en-dev.docids").read_text("utf-8").split("\n")
    docs: dict[str, list[str]] = {}
    for doc, line in zip(ids, lines):
        if line.strip():
            docs.setdefault(doc, []).append(line.strip())
    return [english_page(paras[0], paras[1:8], k).encode("utf-8")
            for k, paras in enumerate(list(docs.values())[:20])]


HEAVY_HEAD = (b"<style>" + b".c{color:#333;margin:0 auto;padding:4px}" * 1500 + b"</style>"
              + b"<script>" + b"window.dataLayer=window.dataLayer||[];function g(){}" * 1500
              + b"</script>")
HEAVY_BODY = (b"<div class='mega-menu'>" + b"".join(
    b'<a href="/section/%d">\xd9\x82\xd8\xb3\xd9\x85 %d</a>' % (i, i) for i in range(600))
    + b"</div><svg>" + b"<path d='M0 0L10 10'/>" * 1500 + b"</svg>")


def _per_page(paths: list[Path], work: Callable[[Path], Any]) -> tuple[float, list[Any]]:
    """Seconds per page of `work` over `paths` (each read from disk), and its results."""
    t = time.perf_counter()
    results = [work(path) for path in paths]
    return (time.perf_counter() - t) / len(paths), results


def _read_extract_clean(path: Path) -> None:
    page = select(analyse(decode_html(path.read_bytes()).text))
    clean_article(page.text, page.title)


def _passed_over(path: Path) -> bool:
    """The cheap look says the page is not Arabic."""
    return not is_probably_arabic_page(decode_html(path.read_bytes()).text)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def speed(pages: list[GoldPage], folder: Path) -> dict[str, float]:
    paths = [_write(folder, f"{p.name}.html", p.data) for p in pages]
    arabic_s, _ = _per_page(paths, _read_extract_clean)
    # saved pages are mostly scripts, styles and menus: the same pages grown to about 200 KB
    heavy = [_write(folder, f"{p.name}.heavy.html",
                    p.data.replace(b"</head>", HEAVY_HEAD + b"</head>", 1)
                    .replace(b"</body>", HEAVY_BODY + b"</body>", 1))
             for p in pages[:: max(1, len(pages) // 20)]]  # across the styles
    heavy_s, _ = _per_page(heavy, _read_extract_clean)
    heavy_kb = sum(p.stat().st_size for p in heavy) / len(heavy) / 1024
    eng_paths = [_write(folder, f"en-{i}.html", data) for i, data in enumerate(english_pages())]
    look_s, passed = _per_page(eng_paths, _passed_over)
    for path in eng_paths:  # grown like the Arabic ones (their scripts and styles)
        path.write_bytes(path.read_bytes().replace(b"</head>", HEAVY_HEAD + b"</head>", 1))
    heavy_look_s, passed_heavy = _per_page(eng_paths, _passed_over)
    arabic_seen = sum(is_probably_arabic_page(decode_html(p.data).text) for p in pages)
    import trafilatura

    traf_s, _ = _per_page(paths, lambda path: trafilatura.extract(path.read_bytes()))
    # hostile pages: one article beside n links, n teasers or n reader comments; the time
    # must grow as n does (each grew as n squared: dropped blocks joined one by one, every
    # teaser counting its siblings, every comment heading marking all that follow it)
    shapes = {"links": "<li><a href='/x'>رابط إلى خبر آخر في الموقع</a></li>",
              "teasers": "<div class='item'><a href='/x'>عنوان خبر آخر في الموقع</a>"
                         "<p>مقتطف قصير من الخبر الآخر</p></div>",
              "comments": "<h4>تعليق</h4><p>رأي القارئ في الخبر</p>"}
    hostile: dict[str, dict[int, float]] = {}
    for shape, item in shapes.items():
        for n in (10_000, 100_000):
            path = _write(folder, f"{shape}-{n}.html", (
                f"<html><body><h1>عنوان الخبر</h1><p>{escape(pages[0].story.paragraphs[0])}"
                f"</p><div class='list'>{item * n}</div></body></html>").encode())
            hostile.setdefault(shape, {})[n], _ = _per_page([path], _read_extract_clean)
    return {"hostile_page_s": hostile, "arabic_pages_per_s": 1 / arabic_s,
            "heavy_pages_per_s": 1 / heavy_s,
            "heavy_page_kb": heavy_kb, "english_pages_per_s": 1 / look_s,
            "english_heavy_pages_per_s": 1 / heavy_look_s,
            "english_passed_over": sum(passed) + sum(passed_heavy),
            "english_pages": 2 * len(eng_paths),
            "arabic_looked_arabic": arabic_seen, "arabic_pages": len(pages),
            "trafilatura_pages_per_s": 1 / traf_s}


def trafilatura_outputs(pages: list[GoldPage]) -> dict[str, tuple[str, str | None, str | None]]:
    import trafilatura

    out = {}
    for p in pages:
        text = trafilatura.extract(p.data) or ""
        doc = trafilatura.bare_extraction(p.data, with_metadata=True)
        title = getattr(doc, "title", None) if doc is not None else None
        date = getattr(doc, "date", None) if doc is not None else None
        out[p.name] = (text, title, date)
    return out


def cleaned_run(outs: list[tuple[GoldPage, str, str | None]]) -> dict[str, tuple[str, str]]:
    """One site's pages as `run` treats them: extracted, boilerplate learned over them under
    the site's host, cleaned with it. Name -> (cleaned output, gold cleaned without learning)."""
    learner = BoilerplateLearner()
    for p, text, title in outs:
        learner.add_article(p.url.split("/")[2], clean_article(text, title))
    options = CleanOptions(learned=learner.freeze())
    res = {}
    for p, text, title in outs:
        got = clean_article(text, title, options, source=p.url.split("/")[2])
        gold = clean_article(gold_text(p), p.story.title)
        res[p.name] = ("\n\n".join(got.paragraphs), "\n\n".join(gold.paragraphs))
    return res


def _pr(sums: list[int], low: float) -> dict[str, float]:
    return {"precision": ratio(sums[0], sums[1]), "recall": ratio(sums[0], sums[2]),
            "lowest_page_precision": low}


def row(name: str, sums: tuple[int, int, int], minp: float) -> str:
    return (f"{name:<17} P {ratio(sums[0], sums[1]):.3f}  R {ratio(sums[0], sums[2]):.3f}"
            f"  (lowest page P {minp:.3f})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dump", type=Path, help="write pages, gold and outputs here")
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the figures here, as JSON")
    args = ap.parse_args()
    pages = evaluation_set()
    analyses = {p.name: analyse(decode_html(p.data).text, p.url) for p in pages}
    chosen = leave_one_out(pages, analyses)
    templates = {s: SiteTemplate.learn(decode_html(p.data).text for p in pages if p.style == s)
                 for s in STYLES}
    traf = trafilatura_outputs(pages)
    kinds = (("tool", "tool (page alone)"), ("clean", "tool+clean"), ("folder", "tool+site"),
             ("run", "tool+run"), ("traf", "trafilatura"), ("traf_clean", "trafilatura+clean"))
    totals: dict[str, list[int]] = {k: [0, 0, 0] for k, _ in kinds}
    lows: dict[str, float] = {k: 1.0 for k in totals}
    titles = dates = traf_titles = traf_dates = 0
    print(f"{len(pages)} pages, {len(STYLES)} styles; each style held out, Params chosen on "
          f"the other {len(STYLES) - 1}\n")
    figures: dict[str, object] = {"pages": len(pages), "styles": {}}
    for style in STYLES:
        params = chosen[style]
        print(f"[{style}] held out; chosen {params}")
        style_sums = {k: [0, 0, 0] for k in totals}
        style_low = {k: 1.0 for k in totals}
        mine = [q for q in pages if q.style == style]
        alones = {q.name: select(analyse(decode_html(q.data).text, q.url), params) for q in mine}
        run = cleaned_run([(q, alones[q.name].text, alones[q.name].title) for q in mine])
        for p in mine:
            fresh = analyse(decode_html(p.data).text, p.url)  # select may not mutate, but be safe
            alone = select(fresh, params)
            folder = select(fresh, params, templates[style])
            gold = run[p.name][1]  # the gold cleaned without learning, as cleaned_run made it
            outs = {"tool": (alone.text, gold_text(p)),
                    "clean": ("\n\n".join(clean_article(alone.text, alone.title).paragraphs),
                              gold),
                    "folder": (folder.text, gold_text(p)), "run": run[p.name],
                    "traf": (traf[p.name][0], gold_text(p)),
                    "traf_clean": ("\n\n".join(clean_article(
                        traf[p.name][0], traf[p.name][1]).paragraphs), gold)}
            for k, (text, gold) in outs.items():
                h, o, g = pr(text, gold)
                for i, v in enumerate((h, o, g)):
                    style_sums[k][i] += v
                    totals[k][i] += v
                style_low[k] = min(style_low[k], ratio(h, o))
                lows[k] = min(lows[k], ratio(h, o))
            titles += same_title(alone.title, p.story.title)
            dates += (alone.meta.get("date") or "")[:10] == p.story.date[:10]
            traf_titles += same_title(traf[p.name][1], p.story.title)
            traf_dates += (traf[p.name][2] or "")[:10] == p.story.date[:10]
            if args.dump:
                d = args.dump / style
                d.mkdir(parents=True, exist_ok=True)
                (d / f"{p.name}.html").write_bytes(p.data)
                (d / f"{p.name}.out.json").write_text(json.dumps(
                    {"gold": gold_text(p), "tool": alone.__dict__, "trafilatura": traf[p.name]},
                    ensure_ascii=False, indent=1), "utf-8")
        for k, label in kinds:
            print("  " + row(label, tuple(style_sums[k]), style_low[k]))
        figures["styles"][style] = {k: _pr(style_sums[k], style_low[k]) for k, _ in kinds}
    figures["overall"] = {k: _pr(totals[k], lows[k]) for k, _ in kinds}
    print("\nOverall, every style held out in turn:")
    for k, label in kinds:
        print("  " + row(label, tuple(totals[k]), lows[k]))
    n = len(pages)
    print(f"\nTitle without the site name right: tool {titles}/{n} ({titles / n:.1%}), "
          f"trafilatura {traf_titles}/{n}")
    print(f"Publication date right (day):      tool {dates}/{n} ({dates / n:.1%}), "
          f"trafilatura {traf_dates}/{n}")
    figures.update(titles=titles / n, dates=dates / n, traf_titles=traf_titles / n,
                   traf_dates=traf_dates / n)
    if not args.no_timing:
        with tempfile.TemporaryDirectory() as tmp:
            sp = speed(pages, Path(tmp))
        figures["speed"] = sp
        print(f"\nOne core: read + decode + extract + clean {sp['arabic_pages_per_s']:.1f} "
              f"Arabic pages/s ({sp['heavy_pages_per_s']:.1f} pages/s grown to "
              f"{sp['heavy_page_kb']:.0f} KB with scripts, styles, menus); "
              f"cheap look on English pages {sp['english_pages_per_s']:.0f} "
              f"pages/s ({sp['english_pages_per_s'] / sp['arabic_pages_per_s']:.0f}x; grown: "
              f"{sp['english_heavy_pages_per_s']:.0f} pages/s, "
              f"{sp['english_heavy_pages_per_s'] / sp['heavy_pages_per_s']:.0f}x), "
              f"{sp['english_passed_over']}/{sp['english_pages']} passed over, "
              f"{sp['arabic_looked_arabic']}/{sp['arabic_pages']} Arabic pages kept; "
              f"trafilatura extract alone {sp['trafilatura_pages_per_s']:.1f} pages/s")
        for shape, (small, big) in ((k, v.values()) for k, v in sp["hostile_page_s"].items()):
            print(f"The article beside 10,000 {shape}: {small:.2f} s; beside 100,000: "
                  f"{big:.2f} s ({big / small:.1f}x for 10x)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
