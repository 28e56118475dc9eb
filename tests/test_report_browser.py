"""The report and digest of a real (tiny-model) run, through the CLI, opened in headless Chromium.

The browser is Debian's `chromium` driven by Playwright (`.ci/run` installs both). Without
them these tests skip, unless ARABIC_DIGEST_REQUIRE_BROWSER is set (as CI sets it), when they
fail instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from markdown_it import MarkdownIt

from arabic_digest.views.digest import CONTROL_CHARS
from arabic_digest.views.report import anchor_ids, parse_date
from tests.test_run import cli

HOSTILE = {
    "id": "hostile-1",
    "title": "<script>window.__pwned=1</script> عنوان",
    "text": ("قال المتحدث <script>window.__pwned=2</script> إن الاجتماع انتهى. وأضاف أن الوفد "
             "غادر.\n\n<img src=x onerror=\"window.__pwned=3\"> فقرة ثانية عن الطقس."),
    "date": "2019-03-04 10:00:00",
    "outlet": "<b onmouseover=\"window.__pwned=4\">outlet</b>",
}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def small_run(tmp_path_factory, shared_data: Path, marian_dir: Path, bart_dir: Path):
    """Three shared articles, a hostile one and the seed article, run with tiny models;
    then `report` and `digest` with their default outputs."""
    work = tmp_path_factory.mktemp("report-run")
    lines = (shared_data / "news-articles.jsonl").read_text("utf-8").splitlines()
    # The three shortest articles (in file order) keep the run quick; they carry three
    # different date formats.
    shortest = sorted(range(len(lines)), key=lambda i: len(json.loads(lines[i])["text"]))[:3]
    lines = [lines[i] for i in sorted(shortest)]
    corpus = work / "corpus.jsonl"
    corpus.write_text("\n".join([*lines, json.dumps(HOSTILE, ensure_ascii=False)]) + "\n",
                      encoding="utf-8")
    out = work / "out" / "news.jsonl"
    proc = cli("run", str(corpus), str(shared_data / "seed-article.txt"), "-o", str(out),
               "--translation-model", str(marian_dir), "--summarization-model", str(bart_dir),
               "--beams", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    report = cli("report", str(out))
    digest = cli("digest", str(out))
    return out, report, digest


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.mark.slow
def test_cli_writes_both_beside_the_run(small_run) -> None:
    out, report, digest = small_run
    assert report.returncode == 0, report.stderr
    assert digest.returncode == 0, digest.stderr
    html_path = out.with_name("news.report.html")
    md_path = out.with_name("news.digest.md")
    assert f"report of 5 articles (5 ok, 0 error, 0 skipped) -> {html_path}" in report.stderr
    assert f"digest of 5 articles in 5 stories -> {md_path}" in digest.stderr
    doc = lxml.html.document_fromstring(html_path.read_text("utf-8"))
    assert len(doc.xpath("//main/article")) == 5
    # The sentence alignment on the page is the record's.
    for rec, art in zip(records(out), doc.xpath("//main/article")):
        n = len(rec["translation"]["segments"])
        assert len(art.xpath(".//p[@dir='rtl']/span[contains(@class,'seg')]")) == n
        assert len(art.xpath(".//p[@dir='ltr']/span[contains(@class,'seg')]")) == n


@pytest.mark.slow
def test_cli_html_digest_and_errors(small_run, tmp_path: Path) -> None:
    out, _, _ = small_run
    proc = cli("digest", str(out), "-o", str(tmp_path / "d.html"), "--order", "date")
    assert proc.returncode == 0, proc.stderr
    doc = lxml.html.document_fromstring((tmp_path / "d.html").read_text("utf-8"))
    ids = [a.xpath(".//code")[-1].text for a in doc.xpath("//article")]
    # Oldest first; the seed article has no date and comes last.
    dated = sorted((parse_date(r["source"]["meta"]["date"]), r["id"]) for r in records(out)
                   if "date" in r["source"]["meta"])
    assert ids == [i for _, i in dated] + ["seed-article"]
    link = doc.xpath("//article//h2/a/@href")[0]
    assert link.startswith(os.path.relpath(out.with_name("news.report.html"), tmp_path))
    missing = cli("report", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad = cli("digest", str(out), "--order", "title")
    assert bad.returncode == 2 and "'title' is not one of 'input', 'date'" in " ".join(
        re.sub("[│╭╮╰╯─]", " ", bad.stderr).split())


@pytest.mark.slow
def test_digest_lists_every_ok_article_once_with_its_summary(small_run) -> None:
    out, _, _ = small_run
    recs = records(out)
    md = out.with_name("news.digest.md").read_text("utf-8")
    doc = lxml.html.fragment_fromstring(MarkdownIt("commonmark").render(md), create_parent="div")
    headings = doc.xpath("h2")
    ok = [(r, a) for r, a in zip(recs, anchor_ids(recs)) if r["status"] == "ok"]
    assert len(headings) == len(ok) == 5
    for (rec, anchor), h2 in zip(ok, headings):
        assert h2.xpath("a/@href") == [f"news.report.html#{anchor}"]
        assert h2.text_content() == " ".join(rec["translation"]["title"].split())
        meta, summary = h2.xpath("following-sibling::p[position() <= 2]")
        assert rec["id"] in meta.text_content()
        expected = CONTROL_CHARS.sub("", rec["summary"]["text"])
        assert summary.text_content() == " ".join(expected.split())
        assert summary.text_content()


def chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = ""
    if not path or not Path(path).exists():
        message = "needs Debian's chromium and playwright (see .ci/run)"
        if os.environ.get("ARABIC_DIGEST_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.mark.slow
def test_report_in_a_real_browser(small_run, tmp_path: Path) -> None:
    exe = chromium()
    out, _, _ = small_run
    check_in_browser(out.with_name("news.report.html"), tmp_path, exe)


@contextmanager
def browser_page(tmp_path: Path, exe: str) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page of headless Chromium, with every URL it requests and every error it logs (both
    lists stay readable after the browser closes)."""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=exe, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        try:
            page = ctx.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            yield page, requests, problems
        finally:
            ctx.close()


def check_in_browser(report: Path, tmp_path: Path, exe: str) -> None:
    """Open `report` (of the run above) in Chromium and use it as a reader would."""
    from playwright.sync_api import expect

    url = report.resolve().as_uri()
    with browser_page(tmp_path, exe) as (page, requests, problems):
        page.goto(url)

        # The injected markup did not run and shows as text.
        assert page.evaluate("typeof window.__pwned") == "undefined"
        hostile = page.locator("article").nth(3)
        hostile.scroll_into_view_if_needed()  # off-screen articles are not laid out
        title = hostile.locator(".title-ar")
        expect(title).to_be_visible()
        expect(title).to_contain_text("<script>window.__pwned=1</script>",
                                      use_inner_text=True)
        # The cleaner drops the markup in the text; the report shows what it dropped.
        removed = hostile.locator("aside.removed")
        expect(removed).to_contain_text('<img src=x onerror="window.__pwned=3">')
        expect(removed).to_contain_text("<script>window.__pwned=2</script>")
        expect(hostile.locator("header .meta")).to_contain_text(
            '<b onmouseover="window.__pwned=4">')

        # The Arabic column is right-to-left Arabic, the English one left-to-right.
        article = page.locator("main > article").filter(
            has=page.locator('.seg[data-s="1"]')).first
        ar = article.locator(".pair p.ar").first
        en = article.locator(".pair p.en").first
        assert ar.evaluate("e => getComputedStyle(e).direction") == "rtl"
        assert ar.get_attribute("lang") == "ar"
        assert en.evaluate("e => getComputedStyle(e).direction") == "ltr"

        # Hovering a sentence highlights its counterpart, and only that.
        article.locator('.pair p.ar .seg[data-s="1"]').hover()
        target = article.locator('.pair p.en .seg[data-s="1"]')
        assert "hl" in target.get_attribute("class")
        bg = target.evaluate("e => getComputedStyle(e).backgroundColor")
        assert bg not in ("rgba(0, 0, 0, 0)", "transparent")
        assert page.locator(".seg.hl").count() == 2
        page.screenshot(path=str(tmp_path / "report-hover.png"))
        page.mouse.move(5, 5)
        assert page.locator(".seg.hl").count() == 0
        # Keyboard focus does the same.
        article.locator('.pair p.en .seg[data-s="0"]').focus()
        assert "hl" in article.locator('.pair p.ar .seg[data-s="0"]').get_attribute("class")
        assert page.locator(".seg.hl").count() == 2

        # The filter narrows the index and hides the other articles.
        rows = page.locator("#index > li")
        assert rows.count() == 5
        page.fill("#filter", "seed")
        expect(page.locator("#shown")).to_have_text("1 of 5")
        assert page.locator("#index > li:not([hidden])").count() == 1
        assert page.locator("main > article:not([hidden])").count() == 1
        assert page.locator("main > article:not([hidden])").get_attribute("id") == \
            "a-seed-article"
        page.fill("#filter", "")
        expect(page.locator("#shown")).to_have_text("5 of 5")
        # The flag select keeps the articles with a flag of the chosen kind.
        kinds = [set((li.get_attribute("data-kinds") or "").split()) for li in rows.all()]
        values = page.locator("#kind option").evaluate_all("os => os.map(o => o.value)")
        assert values[:2] == ["", "*"] and len(values) > 2
        for value in values:
            page.select_option("#kind", value)
            want = sum(1 for k in kinds if not value or (bool(k) if value == "*"
                                                            else value in k))
            expect(page.locator("#shown")).to_have_text(f"{want} of 5")
            assert page.locator("main > article:not([hidden])").count() == want
        page.select_option("#kind", "")
        expect(page.locator("#shown")).to_have_text("5 of 5")

        page.screenshot(path=str(tmp_path / "report.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(tmp_path / "report-phone.png"))
        assert page.evaluate("typeof window.__pwned") == "undefined"
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert (tmp_path / "report-phone.png").stat().st_size > 10_000
    # One file, nothing fetched; no script refused by the page's policy, no script error.
    assert requests == [url], requests
    assert problems == [], problems
