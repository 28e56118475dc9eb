"""`run` -> `index` -> `serve` on a sample of the shared day, read in the system Chromium (#23).

The sample: the two shortest cross-outlet near-copy pairs of the day (each a story of two
outlets), the three shortest other articles, and a hostile one; a tiny-model run, then
`index`, then the real server on a free local port in a subprocess. The reader's path:
the briefing, an Arabic search spelt another way, an English search, an article, its story,
the concordance. Screenshots go to the test's folder, and to $ARABIC_DIGEST_SCREENSHOTS
when it is set (docs/archive-*.png were made so).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from arabic_digest.translate.cleaning.clean import clean_article
from arabic_digest.translate.cleaning.options import CleanOptions

from arabic_digest.archive import fold_arabic
from tests.test_report_browser import HOSTILE, browser_page, chromium
from tests.test_run import ROOT, cli, records
from tests.test_stories import DAY, near_copies

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory, shared_data: Path, fast_marian: Path, bart_dir: Path):
    work = tmp_path_factory.mktemp("archive-run")
    rows = [json.loads(line) for line in (shared_data / DAY).read_text("utf-8").splitlines()]
    for r in rows:
        r["paragraphs"] = clean_article(r["text"], r["title"], CleanOptions()).paragraphs
    by_id = {r["id"]: r for r in rows}
    pairs = sorted(((a, b) for a, b in near_copies(rows)
                    if by_id[a]["outlet"] != by_id[b]["outlet"]),
                   key=lambda p: len(by_id[p[0]]["text"]) + len(by_id[p[1]]["text"]))[:2]
    chosen = {i for p in pairs for i in p}
    others = sorted((r for r in rows if r["id"] not in chosen and len(r["text"]) > 200),
                    key=lambda r: len(r["text"]))[:3]
    chosen |= {r["id"] for r in others}
    sample = [{k: v for k, v in r.items() if k != "paragraphs"} for r in rows
              if r["id"] in chosen]
    hostile = {**HOSTILE, "date": "2015-08-09 12:00:00"}
    corpus = work / "day.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                              for r in [*sample, hostile]), encoding="utf-8")
    out = work / "out" / "day.jsonl"
    proc = cli("run", str(corpus), "-o", str(out), "--translation-model", str(fast_marian),
               "--summarization-model", str(bart_dir), "--beams", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    db = work / "archive.sqlite"
    proc = cli("index", str(out), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert "8 added" in proc.stderr
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "arabic_digest", "serve", str(db), "--port", str(port)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/api/search?q=x", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the server did not start: {server.communicate()}")
            time.sleep(0.2)
    try:
        yield url, records(out), pairs, db
    finally:
        server.terminate()
        server.wait(timeout=10)


def variant(word: str) -> str:
    """The word as a writer who skips hamzas and dots teh marbuta would spell it."""
    return word.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا").replace("ة", "ه") \
        .replace("ى", "ي")


def test_a_reader_uses_the_archive_in_chromium(served, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    exe = chromium()
    url, recs, pairs, db = served
    keep = os.environ.get("ARABIC_DIGEST_SCREENSHOTS")
    shots = Path(keep) if keep else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    by_id = {r["id"]: r for r in recs}

    # An Arabic word of a story's lead with a letter the variant spelling changes.
    lead = by_id[pairs[0][0]]
    words = re.findall(r"[\u0621-\u064a]+", " ".join(s["source"] for s in
                                                       lead["translation"]["segments"]))
    word = next(w for w in words if len(w) > 4 and variant(w) != w)
    spelt = variant(word)
    want_ar = {r["id"] for r in recs if r.get("translation") and any(
        re.search(rf"(?<!\w){re.escape(fold_arabic(word))}(?!\w)", fold_arabic(s["source"]))
        for s in r["translation"]["segments"])}
    # An English word of the translations, titles and summaries (the tiny random models
    # write few; the commonest).
    english = {r["id"]: " ".join([r["translation"]["title"] or "", r["summary"]["text"],
                                  *(s["target"] for s in r["translation"]["segments"])])
               for r in recs if r.get("translation") and r.get("summary")}
    latin = [w.lower() for text in english.values() for w in re.findall(r"[A-Za-z]{3,}", text)]
    en_word = max(sorted(set(latin)), key=latin.count)
    want_en = {i for i, text in english.items()
               if re.search(rf"(?<![A-Za-z]){en_word}(?![A-Za-z])", text, re.IGNORECASE)}

    with browser_page(tmp_path, exe) as (page, seen, problems):
        # The briefing: the day, its stories, the two-outlet stories first.
        page.goto(url + "/")
        expect(page.locator("h1")).to_have_text("Briefing of 2015-08-09")
        entries = page.locator("li.story-entry")
        stories = {(r.get("story") or {}).get("id") or r["id"] for r in recs}
        assert entries.count() == len(stories) <= 6  # the two pairs are a story each
        expect(entries.first.locator(".meta")).to_contain_text("2 articles")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        page.screenshot(path=str(shots / "archive-briefing.png"))

        # Arabic, spelt without hamza or teh marbuta: found, marked as the text spells it.
        page.fill("header input[name=q]", spelt)
        page.select_option("header select[name=lang]", "ar")
        page.click("header button[type=submit]")
        expect(page.locator("#count")).to_contain_text(
            f"{len(want_ar)} article{'s' if len(want_ar) != 1 else ''} match")
        hits = page.locator("ol.hits > li")
        assert set(hits.locator("p.meta code").all_inner_texts()) == want_ar
        marks = hits.locator("p.snippet mark").all_inner_texts()
        assert marks and all(fold_arabic(m) == fold_arabic(word) for m in marks)
        assert word in marks  # the spelling of the text, not of the query
        snippet = hits.first.locator("p.snippet")
        assert snippet.evaluate("e => getComputedStyle(e).direction") == "rtl"
        page.screenshot(path=str(shots / "archive-search.png"))

        # English search, stemmed: every article with the word among the hits.
        page.fill("header input[name=q]", en_word)
        page.select_option("header select[name=lang]", "en")
        page.click("header button[type=submit]")
        found = set(page.locator("ol.hits > li p.meta code").all_inner_texts())
        assert want_en and want_en <= found
        expect(page.locator("ol.hits mark").first).to_have_text(
            re.compile(re.escape(en_word[:3]), re.IGNORECASE))

        # The article: Arabic on the right, right to left; hover lights the counterpart.
        page.goto(url + "/search?lang=ar&q=" + spelt)
        page.locator("ol.hits > li h2 a").first.click()
        expect(page.locator("h1")).to_be_visible()
        ar = page.locator(".pair p.ar").first
        en = page.locator(".pair p.en").first
        assert ar.evaluate("e => getComputedStyle(e).direction") == "rtl"
        assert en.evaluate("e => getComputedStyle(e).direction") == "ltr"
        assert ar.bounding_box()["x"] > en.bounding_box()["x"]
        page.locator('.pair p.ar .seg[data-s="0"]').hover()
        assert "hl" in page.locator('.pair p.en .seg[data-s="0"]').get_attribute("class")
        assert page.locator(".seg.flagged").count() > 0  # the tiny model's flags, marked
        page.screenshot(path=str(shots / "archive-article.png"))

        # Its story: both outlets.
        page.goto(url + "/articles/" + urllib.parse.quote(pairs[0][0], safe=""))
        page.locator("p.story a").first.click()
        rows = page.locator("ol.rows > li")
        assert rows.count() == 2
        outlets = {by_id[i]["source"]["meta"]["outlet"] for i in pairs[0]}
        text = " ".join(rows.all_inner_texts())
        assert all(o in text for o in outlets)
        page.screenshot(path=str(shots / "archive-story.png"))

        # The concordance of the word: every sentence, the word marked.
        page.goto(url + "/concordance?q=" + spelt)
        lines = page.locator("table.kwic tbody tr")
        assert lines.count() >= len(want_ar)
        for mark in lines.locator("td.ar mark").all_inner_texts():
            assert fold_arabic(mark) == fold_arabic(word)
        page.screenshot(path=str(shots / "archive-concordance.png"))

        # The hostile article shows its markup as text.
        page.goto(url + "/search?q=pwned")
        page.goto(url + "/articles/hostile-1")
        expect(page.locator("p.title-ar")).to_contain_text("<script>window.__pwned=1</script>")
        assert page.evaluate("typeof window.__pwned") == "undefined"

        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert all(u.startswith(url) for u in seen), [u for u in seen if not u.startswith(url)]
    assert problems == [], problems
    for name in ("briefing", "search", "article", "story", "concordance"):
        assert (shots / f"archive-{name}.png").stat().st_size > 10_000


def test_the_server_only_reads(served) -> None:
    import hashlib

    url, recs, _, db = served
    before = hashlib.sha1(db.read_bytes()).hexdigest()
    for path in ("/", "/search?q=the", "/concordance?q=" + urllib.parse.quote("في"),
                 "/api/search?q=x&lang=ar"):
        with urllib.request.urlopen(url + path) as r:
            assert r.status == 200
    request = urllib.request.Request(url + "/api/search?q=x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 405
    assert hashlib.sha1(db.read_bytes()).hexdigest() == before
