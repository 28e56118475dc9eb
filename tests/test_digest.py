"""The English digest: contents, order, Markdown and HTML escaping, links into the report."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from markdown_it import MarkdownIt

from arabic_digest.views.digest import (
    Raw,
    build_digest,
    md_escape,
    output_format,
    render_digest,
    report_href,
    write_digest,
)
from arabic_digest.views.report import anchor_ids, parse_date
from tests.reportdata import IMG, INJECT, corpus, ok_record


def md_tokens(text: str):
    """CommonMark tokens, inline children flattened."""
    out = []
    for tok in MarkdownIt("commonmark").parse(text):
        out.append(tok)
        out.extend(tok.children or [])
    return out


@pytest.fixture(scope="module")
def records():
    return corpus()


def ok_ids(records) -> list[str]:
    return [r["id"] for r in records if r["status"] == "ok"]


def test_markdown_lists_every_ok_article_once_with_its_summary(records) -> None:
    digest = build_digest(records, "news.report.html", source_name="news.jsonl")
    md = render_digest(digest, "md")
    tokens = md_tokens(md)
    links = [t.attrGet("href") for t in tokens if t.type == "link_open"]
    anchors = [a for r, a in zip(records, anchor_ids(records)) if r["status"] == "ok"]
    assert links == [f"news.report.html#{a}" for a in anchors]
    headings = [t for t in tokens if t.type == "heading_open" and t.tag == "h2"]
    assert len(headings) == len(ok_ids(records)) == 5
    rendered = MarkdownIt("commonmark").render(md)
    assert rendered.count("An English summary.") == 2  # a-1 and b 2/خبر
    assert rendered.count("Summary &lt;script&gt;") == 1  # the hostile one's, as text
    assert "Title of a-1" in rendered and "Title of b 2/خبر" in rendered
    # Without a summary, the start of the translation stands in, labelled as such.
    assert "Opening (no summary in this run): EN 0.0." in rendered
    # Error and skipped records are named at the end, not digested.
    assert "Not in this digest: 2 articles" in rendered
    assert "broken:7: error" in rendered and "empty: skipped" in rendered


def test_markdown_escapes_untrusted_text(records) -> None:
    md = render_digest(build_digest(records, "r.html"), "md")
    tokens = md_tokens(md)
    assert not [t for t in tokens if t.type in ("html_inline", "html_block")]
    assert not [t for t in tokens if t.type == "image"]
    rendered = MarkdownIt("commonmark").render(md)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in rendered
    assert "<script>" not in rendered and "<img" not in rendered


@pytest.mark.parametrize("text", [
    "# not a heading", "1. not a list", "- not a list", "[link](javascript:alert(1))",
    "**bold** _em_ `code`", "a | table | row", "&lt; entity", "> quote", "<b>tag</b>",
    "back\\slash", "![img](x.png)", "+ plus", "=== setext",
])
def test_md_escape_shows_the_text_literally(text: str) -> None:
    rendered = MarkdownIt("commonmark").render(f"Before\n\n{md_escape(text)}\n")
    para = rendered.split("<p>")[-1].split("</p>")[0]
    assert lxml.html.fragment_fromstring(f"<p>{para}</p>").text_content() == text


def test_raw_text_is_left_alone() -> None:
    assert md_escape(Raw("a_b#c")) == "a_b#c"
    assert md_escape(None) == ""
    assert md_escape("two\n lines") == "two lines"


def test_order_by_date_oldest_first_undated_last() -> None:
    recs = [ok_record("none-1", [["أ."]]),
            ok_record("2018", [["أ."]], date="Wed, 02 May 2018 18:01:55 GMT"),
            ok_record("2015", [["أ."]], date="2015-08-04 18:09:28"),
            ok_record("none-2", [["أ."]]),
            ok_record("2015-tz", [["أ."]], date="2015-08-04T20:00:00+03:00")]
    by_date = build_digest(recs, "r.html", order="date")
    assert [i.id for i in by_date.items] == ["2015-tz", "2015", "2018", "none-1", "none-2"]
    assert by_date.undated == 2
    assert [i.id for i in build_digest(recs, "r.html").items] == [r["id"] for r in recs]
    assert [i.number for i in by_date.items] == [5, 3, 2, 1, 4]  # numbers as in the report
    with pytest.raises(ValueError):
        build_digest(recs, "r.html", order="title")


def test_parse_date_forms() -> None:
    assert parse_date("Wed, 02 May 2018 18:01:55 GMT").isoformat() == "2018-05-02T18:01:55+00:00"
    assert parse_date("2015-08-04 18:09:28").isoformat() == "2015-08-04T18:09:28+00:00"
    assert parse_date("2015-08-04T20:00:00+03:00").hour == 17
    assert parse_date("2021-04-13Z").day == 13
    assert parse_date("13 أبريل 2021") is None


def test_html_digest_is_escaped_and_links_to_the_report(records) -> None:
    html = render_digest(build_digest(records, "../out/news.report.html"), "html")
    doc = lxml.html.document_fromstring(html)
    assert not doc.xpath("//script | //img | //iframe | //link")
    for el in doc.iter():
        assert not any(k.lower().startswith("on") for k in el.attrib)
    arts = doc.xpath("//article")
    assert len(arts) == 5
    hrefs = [a.xpath(".//h2/a")[0].get("href") for a in arts]
    assert all(h.startswith("../out/news.report.html#a-") for h in hrefs)
    hostile = arts[2]
    assert f"Title {INJECT}" in hostile.text_content()
    assert f"Summary {INJECT} {IMG}" in hostile.text_content()
    assert "default-src 'none'" in doc.xpath("//meta[@http-equiv]/@content")[0]


def test_format_from_option_or_suffix() -> None:
    assert output_format(None, None) == "md"
    assert output_format(Path("d.HTML"), None) == "html"
    assert output_format(Path("d.md"), "html") == "html"
    assert output_format(Path("d.txt"), None) == "md"
    with pytest.raises(ValueError):
        output_format(None, "pdf")


def test_report_href_is_relative_and_quoted(tmp_path: Path) -> None:
    assert report_href(tmp_path / "a" / "my run.report.html",
                       tmp_path / "b" / "d.md") == "../a/my%20run.report.html"
    assert report_href(tmp_path / "r.html", tmp_path / "d.md") == "r.html"


def test_write_digest_defaults_beside_the_input(tmp_path: Path) -> None:
    import json

    src = tmp_path / "news-articles.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in corpus())
                   + "{torn", encoding="utf-8")
    out, digest = write_digest(src)
    assert out == tmp_path / "news-articles.digest.md" and len(digest.items) == 5
    assert "(news-articles.report.html#a-a-1)" in out.read_text("utf-8")
    out, _ = write_digest(src, fmt="html")
    assert out == tmp_path / "news-articles.digest.html"


def test_a_summary_with_an_unsupported_number_is_marked() -> None:
    from tests.test_report import news_record

    recs = [news_record(), ok_record("plain", [["نص."]])]
    digest = build_digest(recs, "r.html")
    assert digest.items[0].warnings == [
        "a number the article's translation does not give: 52"]
    assert digest.items[1].warnings == []
    rendered = MarkdownIt("commonmark").render(render_digest(digest, "md"))
    assert rendered.count("Check the summary:") == 1
    assert "does not give: 52" in rendered
    doc = lxml.html.document_fromstring(render_digest(digest, "html"))
    arts = doc.xpath("//article")
    assert arts[0].get("class") == "flagged" and arts[1].get("class") is None
    assert "does not give: 52" in arts[0].xpath(".//p[@class='warn']")[0].text_content()
