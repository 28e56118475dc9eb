"""The HTML report as a document: structure, alignment, escaping, self-containment."""

from __future__ import annotations

import base64
import hashlib
import re

import lxml.html
import pytest

from arabic_digest.views.report import anchor_ids, build_view, report_html
from tests.reportdata import ATTR, IMG, INJECT, corpus, ok_record


@pytest.fixture(scope="module")
def records():
    return corpus()


@pytest.fixture(scope="module")
def html(records) -> str:
    return report_html(records, "news.jsonl")


@pytest.fixture(scope="module")
def doc(html):
    return lxml.html.document_fromstring(html)


def text(el) -> str:
    return el.text_content()


def test_one_article_and_one_index_entry_per_record(doc, records) -> None:
    anchors = anchor_ids(records)
    assert [a.get("id") for a in doc.xpath("//main/article")] == anchors
    rows = doc.xpath("//ol[@id='index']/li")
    assert [r.get("data-target") for r in rows] == anchors
    assert [r.xpath("a")[0].get("href") for r in rows] == [f"#{a}" for a in anchors]
    ids = set(doc.xpath("//@id"))
    # Every in-page link lands somewhere.
    for href in doc.xpath("//a/@href"):
        assert href.startswith("#") and href[1:] in ids, href


def test_anchor_ids_are_unique_url_safe_and_stable(records) -> None:
    anchors = anchor_ids(records)
    assert len(set(anchors)) == len(anchors)
    assert all(re.fullmatch(r"a-[A-Za-z0-9_-]+", a) for a in anchors)
    assert anchors == anchor_ids(corpus())
    assert anchors[0] == "a-a-1"  # a plain id stays readable
    assert anchors[-1] == anchors[-2] + "-2"  # the duplicate id


def test_columns_are_marked_with_language_and_direction(doc) -> None:
    assert doc.get("lang") == "en"
    pairs = doc.xpath("//div[@class='pair']")
    assert pairs
    for pair in pairs:
        ar, en = pair.xpath("p")
        assert (ar.get("lang"), ar.get("dir")) == ("ar", "rtl")
        assert (en.get("lang"), en.get("dir")) == ("en", "ltr")


def test_sentences_align_and_paragraphs_show_exactly(doc, records) -> None:
    for rec, article in zip(records, doc.xpath("//main/article")):
        pairs = article.xpath(".//div[@class='pair']")
        if rec["status"] != "ok":
            assert not pairs
            continue
        paras, tr = rec["clean"]["paragraphs"], rec["translation"]
        assert len(pairs) == len(paras) == len(tr["paragraphs"])
        for i, pair in enumerate(pairs):
            ar, en = pair.xpath("p")
            assert text(ar) == paras[i]
            assert text(en) == tr["paragraphs"][i]
            want = [str(n) for n, s in enumerate(tr["segments"]) if s["paragraph"] == i]
            assert [s.get("data-s") for s in ar.xpath(".//span[contains(@class,'seg')]")] == want
            assert [s.get("data-s") for s in en.xpath(".//span[contains(@class,'seg')]")] == want
            for span in en.xpath("span"):
                n = int(span.get("data-s"))
                assert text(span) == tr["segments"][n]["target"]
                assert span.get("id") == f"{article.get('id')}-s{n}"
        total = len(article.xpath(".//p[@class='ar']//span[contains(@class,'seg')]"))
        assert total == len(tr["segments"])


def test_injected_markup_is_text_everywhere(html, doc) -> None:
    # The page's only script is its own, and no element gained an event handler.
    scripts = doc.xpath("//script")
    assert len(scripts) == 1 and "__pwned" not in scripts[0].text
    assert not doc.xpath("//img | //iframe | //object | //embed | //link | //base | //form")
    for el in doc.iter():
        assert not any(k.lower().startswith("on") for k in el.attrib), (el.tag, el.attrib)
        assert "window.__pwned" not in el.get("x", "")
    assert "<script>window" not in html and "<img src=x" not in html
    body = text(doc.xpath("//body")[0])
    for needle in (INJECT, IMG, ATTR.strip()):
        assert needle in body
    evil = doc.xpath("//main/article")[4]
    assert text(evil.xpath(".//h2")[0]).endswith(f"Title {INJECT}")
    assert INJECT in text(evil.xpath(".//p[@class='ar title-ar']")[0])
    assert f"Summary {INJECT} {IMG}" in text(evil.xpath(".//section[@class='summary']")[0])
    assert INJECT in evil.xpath(".//header/p[@class='meta']")[0].text_content()


def test_page_is_self_contained_and_only_its_own_script_may_run(doc) -> None:
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    script = doc.xpath("//script")[0].text
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp
    assert not doc.xpath("//*[@src]")
    assert not [h for h in doc.xpath("//@href") if not h.startswith("#")]
    assert "@import" not in doc.xpath("//style")[0].text
    assert "url(" not in doc.xpath("//style")[0].text


def test_removed_text_and_dateline_are_shown_apart(doc, records) -> None:
    first = doc.xpath("//main/article")[0]
    removed = first.xpath(".//aside[@class='removed']")[0]
    assert records[0]["clean"]["dateline"] in text(removed)
    assert "اقرأ أيضا: خبر آخر" in text(removed)
    # Removed text is not in the columns.
    assert "اقرأ أيضا" not in "".join(text(p) for p in first.xpath(".//div[@class='pair']"))


def test_errors_and_skipped_are_listed_with_reasons(doc) -> None:
    rows = doc.xpath("//section[@id='problems']//tbody/tr")
    assert [r.get("class") for r in rows] == ["s-error", "s-skipped"]
    assert "not valid JSON" in text(rows[0]) and "no text left after cleaning" in text(rows[1])
    assert "read: JSONDecodeError" in text(rows[0])
    assert doc.xpath("//main/article")[1].get("class") == "s-error"


def test_flags_and_lowest_confidence(doc, records) -> None:
    first = doc.xpath("//main/article")[0]
    flagged = first.xpath(".//span[contains(@class,'flagged')]")
    assert {s.get("data-s") for s in flagged} == {"1"} and len(flagged) == 2
    flags = first.xpath(".//ul[@class='flags']/li")
    assert "repetition" in text(flags[0]) and "sentence 2" in text(flags[0])
    assert "ngram: the the" in text(flags[0])
    assert "title" in text(flags[1])
    lowest = doc.xpath("//ol[@class='lowest']/li")
    # Ascending by score: -2.5 (a-1 sentence 2), then -0.9, -0.2, -0.1.
    assert [li.xpath("a")[0].get("href") for li in lowest][:2] == ["#a-a-1-s1", "#a-a-1-s2"]
    assert len(lowest) == 4
    assert "repetition" in text(doc.xpath("//section[@id='trust']")[0])
    # Index rows carry the flag kinds (the filter matches them).
    assert "repetition" in doc.xpath("//ol[@id='index']/li")[0].get("data-q")


def test_records_without_flags_scores_or_summary_render_plainly() -> None:
    doc = lxml.html.document_fromstring(report_html([ok_record("x", [["نص."]], summary=None)]))
    assert not doc.xpath("//section[@id='trust'] | //section[@id='problems']")
    assert not doc.xpath("//section[@class='summary'] | //section[@class='checks']")
    assert len(doc.xpath("//span[contains(@class,'seg')]")) == 2


@pytest.mark.parametrize("rec", [
    {},
    {"id": 5, "status": "ok", "translation": {"paragraphs": ["Only text."]},
     "clean": {"paragraphs": ["نص."]}},
    {"id": "odd", "status": "ok", "source": "not a dict", "clean": {"removed": ["x", 3]},
     "translation": {"segments": [{"paragraph": "zero", "source": "نص", "target": None}, 7],
                     "flags": ["loose", {"kind": "x", "segment": 99}]},
     "summary": {"text": "S", "chunks": 3, "passes": 2}},
])
def test_unexpected_record_shapes_still_render(rec) -> None:
    doc = lxml.html.document_fromstring(report_html([rec]))
    assert len(doc.xpath("//main/article")) == 1


def test_segment_not_found_verbatim_is_still_shown() -> None:
    rec = ok_record("x", [["أ.", "ب."]])
    rec["translation"]["segments"][1]["source"] = "مختلف"
    doc = lxml.html.document_fromstring(report_html([rec]))
    ar = doc.xpath("//p[@class='ar' and @dir='rtl']")[-1]
    assert [s.get("data-s") for s in ar.xpath("span")] == ["0", "1"]
    assert "مختلف" in text(ar)


def test_view_counts(records) -> None:
    view = build_view(records, "news.jsonl")
    assert view.counts == {"ok": 5, "error": 1, "skipped": 1}
    assert view.segments == sum(len((r.get("translation") or {}).get("segments") or [])
                                for r in records)
    assert view.flag_counts == sorted([("repetition", 1), (f"rep{INJECT}", 1), ("untranslated", 1)])


def news_record():
    """An article whose sentences carry the news checks' flags, as the pipeline writes them."""
    rec = ok_record("news-1", [["قتل 25 شخصا في عدن.", "زوروا https://example.org للمزيد."],
                               ["قالت الأمم المتحدة إن الأمم المتحدة سترسل مساعدات."]],
                    summary="The UN said 52 people were killed.")
    segs = rec["translation"]["segments"]
    segs[0]["target"] = "52 people were killed in Aden."
    segs[1]["target"] = "Visit the website for more."
    segs[2]["target"] = "The United Nations said the UN would send aid."
    rec["translation"]["paragraphs"] = [f"{segs[0]['target']} {segs[1]['target']}",
                                        segs[2]["target"]]
    rec["translation"]["flags"] = [
        {"kind": "numbers", "segment": 0, "missing": ["25"], "added": ["52"]},
        {"kind": "latin_lost", "segment": 1, "tokens": ["https://example.org"]},
        {"kind": "glossary", "segment": 1, "terms": [{"ar": "الأمم المتحدة", "en": "UN"}]},
    ]
    rec["translation"]["terms_inconsistent"] = [
        {"term": "الأمم المتحدة", "renderings": {"United Nations": 1, "UN": 1},
         "segments": [2]}]
    rec["summary"]["flags"] = [{"kind": "unsupported_number", "numbers": ["52"]}]
    return rec


def test_news_flags_are_marked_on_both_sides_and_filterable() -> None:
    recs = [news_record(), ok_record("plain", [["نص."]])]
    doc = lxml.html.document_fromstring(report_html(recs, "news.jsonl"))
    article = doc.xpath("//main/article")[0]
    ar = article.xpath(".//p[@class='ar']//span[@data-s='0']")[0]
    en = article.xpath(".//p[@class='en']/span[@data-s='0']")[0]
    assert [m.text for m in ar.xpath(".//mark[contains(@class,'k-numbers')]")] == ["25"]
    assert [m.text for m in en.xpath(".//mark[contains(@class,'k-numbers')]")] == ["52"]
    assert text(ar) == "قتل 25 شخصا في عدن."  # marks do not change the text
    url = article.xpath(".//span[@data-s='1']//mark[contains(@class,'k-latin_lost')]")
    assert [m.text for m in url] == ["https://example.org"]
    # The inconsistent term: source term and both renderings marked in sentence 3.
    term_en = article.xpath(".//p[@class='en']/span[@data-s='2']/mark/text()")
    assert term_en == ["United Nations", "UN"]
    assert "الأمم المتحدة" in text(article.xpath(".//ul[@class='terms']")[0])
    # The summary says what it states that the article does not.
    summary = article.xpath(".//section[@class='summary']")[0]
    assert summary.xpath(".//mark[contains(@class,'k-unsupported_number')]/text()") == ["52"]
    assert "does not give" in text(summary.xpath(".//ul[contains(@class,'summary-flags')]")[0])
    # The index carries the kinds; the select offers each one.
    rows = doc.xpath("//ol[@id='index']/li")
    assert rows[0].get("data-kinds").split() == ["glossary", "latin_lost", "numbers",
                                                 "terms_inconsistent", "unsupported_number"]
    assert rows[1].get("data-kinds") == ""
    options = doc.xpath("//select[@id='kind']/option/@value")
    assert options[2:] == rows[0].get("data-kinds").split()
    flags = text(article.xpath(".//ul[@class='flags']")[0])
    assert "missing: 25; added: 52" in flags and "الأمم المتحدة → UN" in flags


def test_mark_pieces_marks_whole_tokens_only() -> None:
    from arabic_digest.views.report import mark_pieces

    assert mark_pieces("In 2025, 25 died", [("25", "numbers")]) == [
        ("In 2025, ", None), ("25", "numbers"), (" died", None)]
    assert mark_pieces("قالت للأمم المتحدة", [("الأمم المتحدة", "term")]) == [
        ("قالت لل", None), ("أمم المتحدة", "term")]
    assert mark_pieces("", []) == [("", None)]
    assert mark_pieces("777Saturday 1,500.", [("777", "n"), ("1,500", "n"), ("500", "n")]) == [
        ("777", "n"), ("Saturday ", None), ("1,500", "n"), (".", None)]
