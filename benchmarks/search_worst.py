"""The search's worst case (#36): an archive holding one pathological article (one word and its
inflections repeated, 200,000 English words in one paragraph) among 10,000 normal ones, and
every hostile query a reader may send up to the term caps, timed through the running server.

    python benchmarks/search_worst.py                       # 200,000 words, 10,000 articles
    python benchmarks/search_worst.py --words 2000 --articles 50   # a smoke run (the tests')

The archive is built through the archive's own indexing (archive.index_outputs) from records
written here, with no model: what is timed is the search, not a run. Each query is fetched
once cold, then --repeat times; the worst of all is what must stay under --limit seconds (the
script exits 1 when one does not).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from archive_scale import fetch, served  # benchmarks/, this script's folder

from arabic_digest import archive
from arabic_digest.records import dumps

SENTENCE_WORDS = 500  # words per sentence of the pathological article (one paragraph)
EN_WORDS = ("suffer", "suffering", "sufferers", "suffered")
AR_WORDS = ("يعاني", "معاناة", "المعاناة", "يعانون")
NORMAL = [("اجتمع مجلس الأمن الدولي في نيويورك أمس لمناقشة الأزمة.",
           "The Security Council met in New York yesterday to discuss the crisis."),
          ("وقالت الوزارة إن الحملة تبدأ الأحد في كل المدن.",
           "The ministry said the campaign starts on Sunday in every city."),
          ("وأضاف أن السكان يعانون من نقص المياه منذ أسابيع.",
           "He added that residents have suffered from water shortages for weeks.")]


def record(rid: str, pairs: list[tuple[str, str]], day: int) -> dict:
    """An ok record of one paragraph of (Arabic, English) sentence pairs."""
    return {"schema_version": 1, "id": rid, "status": "ok", "error": None,
            "source": {"title": pairs[0][0][:80], "text": " ".join(a for a, _ in pairs),
                       "meta": {"outlet": f"Outlet {day % 7}",
                                "date": f"2024-03-{1 + day % 28:02d} 09:00:00"}},
            "clean": {"title": pairs[0][0][:80], "paragraphs": [" ".join(a for a, _ in pairs)],
                      "removed": []},
            "translation": {"title": pairs[0][1][:80],
                            "paragraphs": [" ".join(e for _, e in pairs)],
                            "segments": [{"paragraph": 0, "source": a, "target": e}
                                         for a, e in pairs], "flags": []},
            "summary": {"text": pairs[0][1], "prompt": None}, "models": {}, "timing_s": {}}


def pathological(words: int) -> dict:
    pairs = []
    for start in range(0, words, SENTENCE_WORDS):
        n = min(SENTENCE_WORDS, words - start)
        pairs.append((" ".join(AR_WORDS[i % 4] for i in range(n)) + ".",
                      " ".join(EN_WORDS[i % 4] for i in range(n)) + "."))
    return record("pathological", pairs, 0)


def build(db: Path, words: int, articles: int) -> float:
    jsonl = db.with_suffix(".jsonl")
    with jsonl.open("w", encoding="utf-8") as fh:
        fh.write(dumps(pathological(words)))
        for i in range(articles):
            fh.write(dumps(record(f"n-{i}", NORMAL[i % 3:] + NORMAL[:i % 3], i)))
    t0 = time.perf_counter()
    archive.index_outputs(db, [jsonl])
    return time.perf_counter() - t0


def queries() -> list[tuple[str, str]]:
    """(lang, query): prefixes and words up to the caps, one-letter prefixes, phrases; "concordance"
    for the concordance's queries."""
    cap, prefixes = archive.MAX_TERMS, archive.MAX_PREFIX_TERMS
    out = []
    for lang, word in (("en", "suffer"), ("ar", "يعاني")):
        short = word[:1]
        out += [(lang, " ".join([f"{word}*"] * k)) for k in (1, 2, prefixes)]
        out += [(lang, " ".join([f"{short}*"] * prefixes))]
        out += [(lang, " ".join([f"{word}*"] * prefixes + [word] * (cap - prefixes)))]
        out += [(lang, " ".join([word] * cap))]
        out += [(lang, '"' + " ".join([word] * cap) + '"')]
    out += [("en", "security council"), ("ar", "مجلس الأمن"),
            ("en", " ".join(["s*", "c*", "m*", "w*"] + ["the"] * (cap - prefixes)))]
    # The concordance (an Arabic phrase, every aligned sentence that holds it).
    out += [("concordance", "يعاني"), ("concordance", " ".join(AR_WORDS * 3))]
    return out


def measure(db: Path, repeat: int) -> list[tuple[str, str, int, float, float, int]]:
    rows = []
    # The budget off (a large one): what is timed is the query itself, never a 503.
    with served(db, "--search-budget", "600") as (_, url):
        for lang, q in queries():
            endpoint = "/api/concordance?" if lang == "concordance" else "/api/search?"
            path = endpoint + urllib.parse.urlencode({"q": q, "lang": lang})
            cold, status, size = fetch(url + path)
            warm = [fetch(url + path)[0] for _ in range(repeat)]
            rows.append((lang, q, status, cold, max([cold, *warm]), size))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=200_000,
                        help="English words of the pathological article")
    parser.add_argument("--articles", type=int, default=10_000, help="normal articles beside it")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=1.0, help="seconds any query may take")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "worst.sqlite"
        index_s = build(db, args.words, args.articles)
        print(f"archive: 1 article of {args.words} words + {args.articles} articles, indexed "
              f"in {index_s:.1f} s, {db.stat().st_size / 1e6:.1f} MB")
        rows = measure(db, args.repeat)
    print(f"{'lang':<4} {'status':>6} {'cold ms':>8} {'worst ms':>9} {'kB':>6}  query")
    for lang, q, status, cold, worst, size in rows:
        print(f"{lang[:4]:<4} {status:>6} {cold * 1000:8.1f} {worst * 1000:9.1f} "
              f"{size / 1000:6.1f}  {q[:60]}")
    slowest = max(r[4] for r in rows)
    print(f"slowest query: {slowest * 1000:.1f} ms (limit {args.limit * 1000:.0f} ms)")
    if args.json:
        args.json.write_text(json.dumps([dict(zip(("lang", "query", "status", "cold_s",
                                                   "worst_s", "bytes"), r)) for r in rows],
                                        ensure_ascii=False, indent=1), "utf-8")
    bad = [r for r in rows if r[2] != 200 or r[4] > args.limit]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
