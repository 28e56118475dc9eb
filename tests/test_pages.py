"""Article text and metadata from saved web pages (issue 35): the extractor on pages in fourteen
site styles (tests/pagefixtures.py), encodings as a browser decides them, HTML inside a field,
and `arabic-digest clean` on pages and on a folder of one site's pages, end to end."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from arabic_digest.inputs.pagemeta import decode_html, strip_site
from arabic_digest.inputs.pages import SiteTemplate, extract_page, is_probably_arabic_page
from arabic_digest.inputs.readers import read_inputs
from arabic_digest.pipeline.preparation import source_key
from tests.pagefixtures import (
    ABOUT,
    BIO,
    COMMENT_POLICY,
    COMMENTS,
    COOKIES,
    NEWSLETTER,
    SLOGAN,
    GoldPage,
    english_page,
    evaluation_set,
    write_set,
)
from tests.test_run import cli, records

CHROME = (ABOUT, BIO, COMMENT_POLICY, COOKIES, NEWSLETTER, *COMMENTS)


@pytest.fixture(scope="module")
def pages() -> list[GoldPage]:
    return evaluation_set(per_style=2)


def words(text: str) -> Counter:
    return Counter(re.findall(r"\w+", text))


def precision_recall(out: str, gold: str) -> tuple[float, float]:
    o, g = words(out), words(gold)
    hit = sum((o & g).values())
    return hit / max(1, sum(o.values())), hit / max(1, sum(g.values()))


def test_every_style_keeps_the_article_and_drops_the_chrome(pages: list[GoldPage]) -> None:
    for p in pages:
        page = extract_page(decode_html(p.data).text, p.url)
        gold = "\n\n".join(p.story.paragraphs)
        prec, rec = precision_recall(page.text, gold)
        assert rec >= 0.98, (p.name, rec)
        for chrome in CHROME:
            assert chrome not in page.text, (p.name, chrome)
        for other in {s.title for s in (q.story for q in pages) if s is not p.story}:
            assert other not in page.text.split("\n\n"), (p.name, other)  # no teaser headlines
        if p.style != "table":  # its site slogan is learned across pages (next test)
            assert prec >= 0.95, (p.name, prec)
        # paragraph by paragraph (a subheading is set without its full stop)
        assert [words(x) for x in page.text.split("\n\n")] == [
            words(x) for x in p.story.paragraphs] or p.style == "table", p.name


def test_title_without_the_site_name_date_url_and_site(pages: list[GoldPage]) -> None:
    for p in pages:
        page = extract_page(decode_html(p.data).text, p.url)
        assert page.title == p.story.title, (p.name, page.title)
        assert page.meta["date"][:10] == p.story.date[:10], (p.name, page.meta)
        assert page.meta["url"].startswith("https://"), (p.name, page.meta)
        assert page.meta.get("site"), p.name


def test_what_was_dropped_is_kept_with_its_reason(pages: list[GoldPage]) -> None:
    wp = next(p for p in pages if p.style == "wordpress")
    page = extract_page(decode_html(wp.data).text, wp.url)
    assert all(r["kind"] == "page" and r["reason"] and r["text"] for r in page.removed)
    def reason(text: str) -> str:  # neighbours dropped for one reason share an entry
        return next(r["reason"] for r in page.removed if text in r["text"].split("\n"))

    assert "comment" in reason(COMMENTS[0]) or reason(COMMENTS[0]) == "outside the article"
    assert reason(ABOUT) and reason(COMMENT_POLICY)
    assert len(page.removed) < 20  # a menu is one entry, not one per item


def test_a_folder_of_one_site_learns_its_template(pages: list[GoldPage]) -> None:
    table = evaluation_set(per_style=4)
    table = [p for p in table if p.style == "table"]
    htmls = [decode_html(p.data).text for p in table]
    alone = extract_page(htmls[0], table[0].url)
    assert SLOGAN in alone.text  # a page alone cannot tell the site's slogan from news
    template = SiteTemplate.learn(htmls)
    learned = extract_page(htmls[0], table[0].url, template=template)
    assert SLOGAN not in learned.text
    assert learned.text.split("\n\n") == table[0].story.paragraphs
    assert any(r["reason"] == "recurs on the site's pages" for r in learned.removed)
    # a story repeated on two pages of the site is not its template
    twice = SiteTemplate.learn([htmls[0], htmls[0], htmls[1]])
    assert extract_page(htmls[0], template=twice).text.count("\n\n") >= 2


def test_windows_1256_page_decodes_by_its_meta_declaration(pages: list[GoldPage],
                                                           tmp_path: Path) -> None:
    table = next(p for p in pages if p.style == "table")
    assert b"windows-1256" in table.data[:300]
    with pytest.raises(UnicodeDecodeError):
        table.data.decode("utf-8")
    dec = decode_html(table.data)
    assert (dec.encoding, dec.how, dec.ok) == ("cp1256", "declared", True)
    path = tmp_path / "page.html"
    path.write_bytes(table.data)
    art = next(read_inputs([str(path)]))
    assert art.error is None and art.meta["encoding"] == "cp1256"
    assert art.title == table.story.title and art.text.startswith(table.story.paragraphs[0])
    assert art.meta["date"] == table.story.date[:10]


def test_bom_first_then_meta_then_detection() -> None:
    body = "<p>" + "خبر عن الاقتصاد والأسواق في المنطقة العربية اليوم " * 5 + "</p>"
    declared_wrong = f'<html><head><meta charset="windows-1256"></head><body>{body}</body></html>'
    dec = decode_html(b"\xef\xbb\xbf" + declared_wrong.encode("utf-8"))
    assert dec.encoding == "utf-8-sig" and "الاقتصاد" in dec.text
    undeclared = f"<html><body>{body}</body></html>".encode("cp1256")
    dec = decode_html(undeclared)
    assert dec.how == "detected" and "الاقتصاد" in dec.text
    http = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'
    assert "الاقتصاد" in decode_html(http.encode("cp1256"), http_charset="windows-1256").text


def test_the_cheap_look_passes_over_pages_that_are_not_arabic(pages: list[GoldPage]) -> None:
    assert all(is_probably_arabic_page(decode_html(p.data).text) for p in pages)
    english = english_page("Markets rally as oil prices climb", [
        "Stocks rose on Monday as oil prices climbed for a third day, traders said."] * 6, 1)
    assert not is_probably_arabic_page(english)
    # the cheap look is about the page's text: Arabic inside scripts and markup does not count
    assert not is_probably_arabic_page(english.replace(
        "</head>", f"<script>var t = '{COOKIES * 3}';</script></head>"))


def test_teasers_are_known_by_their_shape_not_their_class(pages: list[GoldPage]) -> None:
    story, others = pages[0].story, [p.story for p in pages[1:5]]
    items = "".join(f'<div class="x"><a href="/n/{o.id}">{o.title}</a><p>{o.paragraphs[0]}</p>'
                    f"</div>" for o in others)
    html = (f"<html><body><div class='main'><h1>{story.title}</h1>"
            + "".join(f"<p>{p}</p>" for p in story.paragraphs)
            + f"<div class='y'>{items}</div></div></body></html>")
    page = extract_page(html)
    assert page.text.split("\n\n") == story.paragraphs
    reasons = {line: r["reason"] for r in page.removed for line in r["text"].split("\n")}
    assert all(reasons[o.paragraphs[0]] == "teaser of another story" for o in others)
    assert all(reasons[o.title].startswith("links") for o in others)


def test_structured_article_body_when_the_markup_holds_no_text() -> None:
    body = "\n".join(["قال مسؤول في وزارة الاقتصاد إن النمو سيتسارع خلال العام المقبل."] * 6)
    ld = {"@type": "NewsArticle", "headline": "النمو يتسارع", "articleBody": body,
          "datePublished": "2015-08-09T10:00:00+03:00", "author": {"name": "سارة"}}
    html = (f'<html><head><title>النمو يتسارع | الموقع</title><script type="application/ld+json">'
            f'{json.dumps(ld, ensure_ascii=False)}</script></head><body><div id="root"></div>'
            f'<ul><li><a href="/1">خبر آخر عن الأسواق والبورصة اليوم</a></li></ul></body></html>')
    page = extract_page(html, "https://www.example.com/a")
    assert page.text.split("\n\n") == body.split("\n")
    assert page.meta == {"url": "https://www.example.com/a", "site": "example.com",
                         "author": "سارة", "date": "2015-08-09T10:00:00+03:00"}
    assert page.title == "النمو يتسارع"


def test_site_name_is_stripped_from_either_end() -> None:
    assert strip_site("عنوان الخبر هنا | الموقع", ["الموقع"]) == "عنوان الخبر هنا"
    assert strip_site("الموقع - عنوان الخبر هنا", ["الموقع"]) == "عنوان الخبر هنا"
    assert strip_site("وزير: الاقتصاد بخير", []) == "وزير: الاقتصاد بخير"


def test_html_in_a_jsonl_field_goes_through_the_extractor(pages: list[GoldPage],
                                                          tmp_path: Path) -> None:
    pages = [p for p in pages if p.style != "table"][:4]  # table: its slogan needs the site
    rows = [{"id": p.name, "html": decode_html(p.data).text, "url": p.url} for p in pages]
    src = tmp_path / "scraped.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    arts = list(read_inputs([str(src)]))
    assert len(arts) == 4
    for art, p in zip(arts, pages):
        assert art.text.split("\n\n") == p.story.paragraphs
        assert art.title == p.story.title and art.meta["url"] == p.url  # the row's url wins
        assert art.meta["date"][:10] == p.story.date[:10] and art.removed
        assert source_key(art) == p.url.split("/")[2].removeprefix("www.")


def test_clean_a_page_end_to_end(pages: list[GoldPage], tmp_path: Path) -> None:
    wp = next(p for p in pages if p.style == "wordpress")
    page = tmp_path / "story.html"
    page.write_bytes(wp.data)
    out = tmp_path / "out.jsonl"
    proc = cli("clean", str(page), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    (rec,) = records(out)
    assert rec["status"] == "ok" and rec["clean"]["signature"].startswith("clean:v4")
    kept = "\n".join(rec["clean"]["paragraphs"])
    assert not any(c in kept for c in CHROME)
    # the cleaner still takes the story's own byline and tag line
    assert len(rec["clean"]["paragraphs"]) >= len(wp.story.paragraphs) - 2
    meta = rec["source"]["meta"]
    assert meta["date"].startswith(wp.story.date[:10]) and meta["url"].endswith(f"{wp.story.id}/")
    assert meta["site"] == wp.site and rec["source"]["title"] == wp.story.title
    dropped = [r for r in rec["clean"]["removed"] if r["kind"] == "page"]
    assert any(COMMENTS[0] in r["text"].split("\n") and r["reason"] for r in dropped)


def test_clean_a_folder_of_one_sites_pages_learns_per_host(tmp_path: Path) -> None:
    write_set(tmp_path / "pages", per_style=4)
    folder = tmp_path / "pages" / "table"
    out = tmp_path / "out.jsonl"
    proc = cli("clean", str(folder), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    recs = records(out)
    assert len(recs) == 4 and all(r["status"] == "ok" for r in recs)
    for rec in recs:
        assert rec["source"]["meta"]["encoding"] == "cp1256"
        assert rec["clean"]["source"] == "albawaba-qadima.example"  # the host, not the folder
        assert not any(SLOGAN[:30] in p for p in rec["clean"]["paragraphs"]), rec["id"]
        name = rec["id"].split("/")[-1]
        gold = json.loads((tmp_path / "pages/gold/table" / f"{name}.json").read_text("utf-8"))
        assert rec["source"]["title"] == gold["title"]


def test_a_page_of_a_few_words_keeps_them() -> None:
    assert extract_page("<html><body><p>نص</p></body></html>").text == "نص"
    assert extract_page("").text == "" and extract_page("").title is None
    menu_only = "<html><body><ul><li><a href='/'>الرئيسية</a></li></ul></body></html>"
    assert extract_page(menu_only).text == ""


@pytest.mark.slow
def test_benchmark_meets_the_issue_figures(tmp_path: Path) -> None:
    """benchmarks/web_extraction.py, as the README quotes it: held-out styles, as `run` reads
    a folder of one site's pages, ahead of trafilatura; titles, dates; speed on one core."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "figures.json"
    proc = subprocess.run([sys.executable, "benchmarks/web_extraction.py", "--json", str(out)],
                          cwd=root, env={**__import__("os").environ, "PYTHONPATH": str(root)},
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    fig = json.loads(out.read_text("utf-8"))
    run, traf = fig["overall"]["run"], fig["overall"]["traf"]
    assert run["precision"] >= 0.95 and run["recall"] >= 0.98
    assert run["lowest_page_precision"] >= 0.90
    # trafilatura keeps everything here (recall 1.000): on recall the most is to match it;
    # what `run` loses is what the text learner takes from the stories' own recurring lines
    assert run["precision"] > traf["precision"] and run["recall"] >= traf["recall"] - 0.005
    alone = fig["overall"]["tool"]  # a page alone, no site learned
    assert alone["precision"] >= 0.95 and alone["recall"] >= traf["recall"]
    assert fig["titles"] >= 0.9 and fig["dates"] >= 0.9
    sp = fig["speed"]
    assert sp["heavy_pages_per_s"] >= 10
    assert sp["english_heavy_pages_per_s"] >= 10 * sp["heavy_pages_per_s"]
    assert sp["english_passed_over"] == sp["english_pages"]


def test_an_article_body_that_holds_only_the_lead_gives_way_to_the_page(
        pages: list[GoldPage]) -> None:
    p = next(q for q in pages if q.style == "wordpress")
    story = p.story
    lead = " ".join(" ".join(story.paragraphs).split()[:40]) + "…"
    ld = json.dumps({"@type": "NewsArticle", "headline": story.title, "articleBody": lead},
                    ensure_ascii=False)
    html = decode_html(p.data).text.replace(
        "</head>", f'<script type="application/ld+json">{ld}</script></head>')
    page = extract_page(html, p.url)
    assert page.text.split("\n\n") == story.paragraphs


def test_a_content_class_that_also_names_a_widget_is_still_the_article(
        pages: list[GoldPage]) -> None:
    p = next(q for q in pages if q.style == "wordpress")
    html = decode_html(p.data).text.replace('class="entry-content"',
                                            'class="entry-content share-enabled has-ads"')
    assert extract_page(html, p.url).text.split("\n\n") == p.story.paragraphs


def test_short_paragraphs_of_the_same_kind_stay_and_a_date_in_the_address_serves() -> None:
    paras = ["قال وزير المالية إن الميزانية الجديدة تركز على الصحة والتعليم هذا العام.",
             "وأضاف:", "نحن ملتزمون بخفض العجز خلال السنوات الثلاث المقبلة بشكل تدريجي.",
             "وتابع الوزير أن الإيرادات غير النفطية ارتفعت بنسبة كبيرة خلال الربع الأول."]
    html = ("<html><body><div class='story'>" + "".join(f"<div>{p}</div>" for p in paras)
            + "</div><div class='m'><a href='/a'>الرئيسية</a> <a href='/b'>اقتصاد</a></div>"
            "</body></html>")
    page = extract_page(html, "https://news.example/2015/08/09/budget/")
    assert page.text.split("\n\n") == paras
    assert page.meta["date"] == "2015-08-09"


def test_a_page_nested_past_the_parsers_depth_is_read_flat_not_lost() -> None:
    text = "نص عربي هنا للتجربة في الصفحة"
    deep = "<html><body>" + "<div>" * 5000 + text + "</div>" * 5000 + "</body></html>"
    assert extract_page(deep).text == text


def test_a_date_line_goes_but_a_short_sentence_with_a_date_stays() -> None:
    paras = ["أعلنت وزارة الصحة اليوم عن خطة جديدة لتطوير المستشفيات في جميع المناطق.",
             "وفي 9 أغسطس 2015 أعلن الوزير الخطة الجديدة.",
             "وأكدت الوزارة أن الخطة تشمل بناء عشرة مستشفيات خلال السنوات المقبلة."]
    html = ("<html><body><div><p>تاريخ النشر: 9 أغسطس 2015</p>"
            + "".join(f"<p>{p}</p>" for p in paras) + "</div></body></html>")
    page = extract_page(html)
    assert page.text.split("\n\n") == paras
    assert page.meta["date"] == "2015-08-09"
    assert any(r["reason"] == "date line" for r in page.removed)


# Pages written by hand for the principles that hold the article together when it is not one
# container's <p>s (the standfirst, a body split by a box, <br> paragraphs with linked names,
# subheadings, a pinned update); the sentences are made up for the tests.
BODY = ["افتتحت البلدية صباح اليوم الحديقة العامة الجديدة في الحي الشرقي بعد عامين من العمل.",
        "وتضم الحديقة ممرات للمشي وملاعب للأطفال ومكتبة صغيرة مفتوحة للزوار طوال أيام الأسبوع.",
        "وقال مدير المشروع إن الأشجار المزروعة فيها اختيرت لأنها تتحمل الحرارة وقلة المياه.",
        "ومن المنتظر أن تستقبل الحديقة آلاف الزوار في عطلة نهاية الأسبوع المقبلة مع بدء الفعاليات."]
HEADLINES = ["ارتفاع أسعار الخضار في الأسواق المركزية مع بداية الشهر",
             "المنتخب يستعد لمباراته الودية الثانية في العاصمة",
             "جامعة المدينة تفتح باب التسجيل في برامج الدراسات العليا"]
SIDE = ("<div class='side'><h3>الأكثر قراءة</h3><ul>"
        + "".join(f"<li><a href='/n/{i}'>{h}</a></li>" for i, h in enumerate(HEADLINES))
        + "</ul></div>")


def _page(title: str, body: str) -> str:
    return (f"<html><head><meta charset='utf-8'><title>{title} | جريدة المدينة</title></head>"
            f"<body><div class='top'><a href='/'>جريدة المدينة</a></div>{body}{SIDE}</body></html>")


def test_a_standfirst_beside_the_headline_is_kept_with_the_body() -> None:
    title = "افتتاح الحديقة العامة في الحي الشرقي"
    lead = ("بعد انتظار طويل، أصبح لسكان الحي الشرقي متنفس أخضر يجمع العائلات والرياضيين "
            "في مكان واحد قريب من بيوتهم.")
    html = _page(title, (
        "<p class='site-about'>جريدة المدينة صحيفة يومية مستقلة تصدر كل صباح وتغطي أخبار "
        "المدينة وضواحيها منذ ثلاثين عاما.</p>"
        f"<article><header><a href='/c/city'>المدينة</a><h1>{title}</h1>"
        f"<p>المدينة - خاص</p><p>{lead}</p><p>بقلم سلمى الراشد</p></header>"
        "<section class='story-body'>" + "".join(f"<p>{p}</p>" for p in BODY)
        + "</section></article>"))
    page = extract_page(html)
    # its dateline above it too; not the byline below it, nor the site's blurb above the
    # headline
    assert page.text.split("\n\n") == ["المدينة - خاص", lead, *BODY]


def test_a_body_split_by_a_related_box_is_kept_whole_and_the_box_is_not() -> None:
    title = "افتتاح الحديقة العامة في الحي الشرقي"
    box = ("<div class='box-rel'><b>مواضيع ذات صلة</b><ul>"
           + "".join(f"<li><a href='/n/{i}'>{h}</a></li>" for i, h in enumerate(HEADLINES))
           + "</ul></div>")
    half = "<div class='txt'><p>{}</p></div>"
    html = _page(title, f"<h1>{title}</h1>" + half.format(BODY[0]) + box
                 + half.format("</p><p>".join(BODY[1:])))
    page = extract_page(html)
    assert page.text.split("\n\n") == BODY
    assert not any(h in page.text for h in HEADLINES)
    # the longest paragraph alone in its half: its like after the box and the ad join it
    long = BODY[0] + " " + BODY[1]
    html = _page(title, f"<h1>{title}</h1>" + half.format(long) + box
                 + half.format(BODY[2]) + "<div class='ad'>إعلان</div>" + half.format(BODY[3]))
    assert extract_page(html).text.split("\n\n") == [long, BODY[2], BODY[3]]


def test_the_next_story_on_an_endless_page_is_not_the_body_split_in_two() -> None:
    title = "افتتاح الحديقة العامة في الحي الشرقي"
    other = ("وفي خبر آخر أعلنت إدارة المرور عن تحويلات مؤقتة في الطريق الدائري الشمالي "
             "بسبب أعمال الصيانة التي تستمر أسبوعا.")
    html = _page(title, f"<h1>{title}</h1><div class='txt'>"
                 + "".join(f"<p>{p}</p>" for p in BODY) + "</div>"
                 f"<h1>{HEADLINES[0]}</h1><div class='txt'><p>{other}</p></div>")
    assert extract_page(html).text.split("\n\n") == BODY


def test_br_paragraphs_whose_names_link_to_tag_pages_are_kept_and_link_lists_are_not() -> None:
    title = "افتتاح الحديقة العامة في الحي الشرقي"
    linked = ("وحضر الافتتاح <a href='/t/1'>محافظ المدينة</a> ورئيس <a href='/t/2'>المجلس "
              "البلدي</a> وعدد من سكان <a href='/t/3'>الحي الشرقي</a> الذين عبروا عن سعادتهم "
              "بالمشروع، كما شاركت <a href='/t/4'>جمعية البيئة</a> في زراعة مئة شجرة.")
    plain = re.sub(r"<[^>]+>", "", linked)
    read_also = ("اقرأ أيضا ما نشرناه أمس عن خطة البلدية الجديدة للحدائق: "
                 f"<a href='/n/9'>{HEADLINES[2]}</a>")  # a sentence, but its link a headline
    body = "<br><br>".join([BODY[0], linked, BODY[1], read_also, *BODY[2:]])
    html = _page(title, f"<h1>{title}</h1><div class='matn'>{body}</div>"
                 "<div class='kalimat'>الكلمات: <a href='/t/1'>محافظ المدينة</a> "
                 "<a href='/t/3'>الحي الشرقي</a> <a href='/t/5'>حدائق</a></div>"
                 "<div class='akhbar'>" + "<br>".join(
                     f"<a href='/n/{i}'>{h}</a>" for i, h in enumerate(HEADLINES)) + "</div>")
    page = extract_page(html)
    assert page.text.split("\n\n") == [BODY[0], plain, *BODY[1:]]
    assert "الكلمات" not in page.text and not any(h in page.text for h in HEADLINES)
    assert "اقرأ" not in page.text


def test_a_subheading_inside_the_body_stays_and_a_box_title_inside_it_goes() -> None:
    title = "افتتاح الحديقة العامة في الحي الشرقي"
    sub = "مكتبة في الهواء الطلق"
    html = _page(title, f"<h1>{title}</h1><div class='matn'><p>{BODY[0]}</p><p>{BODY[1]}</p>"
                 f"<h2>{sub}</h2><p>{BODY[2]}</p><h4>اقرأ أيضا</h4><ul>"
                 + "".join(f"<li><a href='/n/{i}'>{h}</a></li>" for i, h in enumerate(HEADLINES))
                 + f"</ul><p>{BODY[3]}</p></div>")
    page = extract_page(html)
    assert page.text.split("\n\n") == [BODY[0], BODY[1], sub, BODY[2], BODY[3]]


def test_an_update_pinned_above_a_live_pages_feed_is_kept() -> None:
    title = "تغطية مباشرة لافتتاح الحديقة العامة"
    pinned = " ".join(BODY[:2])  # the longest update, on its own above the feed
    posts = "".join(f"<div class='post'><span>10:{i}5</span><p>{p}</p></div>"
                    for i, p in enumerate(BODY[2:]))
    html = _page(title, f"<h1>{title}</h1><ul class='highlights'>"
                 + "".join(f"<li><a href='#p{i}'>{p[:30]}</a></li>" for i, p in enumerate(BODY))
                 + f"</ul><div class='sticky'><div class='post'><p>{pinned}</p></div></div>"
                 f"<div class='stream'>{posts}</div>")
    assert extract_page(html).text.split("\n\n") == [pinned, *BODY[2:]]


def test_a_camel_case_widget_class_is_a_widget() -> None:
    title = "افتتاح الحديقة العامة في الحي الشرقي"
    bio = ("سلمى الراشد صحفية تكتب عن شؤون المدينة والبيئة منذ عشر سنوات، وحصلت على "
           "جائزة الصحافة المحلية مرتين.")
    html = _page(title, f"<h1>{title}</h1><div class='newsText'>"
                 + "".join(f"<p>{p}</p>" for p in BODY)
                 + f"<div class='authorBio'><p>{bio}</p></div></div>")
    page = extract_page(html)
    assert page.text.split("\n\n") == BODY
    assert any(r["reason"] == "not the article: class or id 'author'" for r in page.removed)
