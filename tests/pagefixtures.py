# ruff: noqa: E501  (the pages are HTML templates: their lines are as a site writes them)
"""Saved news pages in fourteen site styles that look unlike each other, around real article bodies
from the shared data (issue 35). Written by us; nothing here is copied from a real site.

`evaluation_set()` builds the benchmark's pages (10 per style) with their gold: the article's
paragraphs, its headline, date and author. Article bodies are read from ../shared/data at call
time; the chrome (menus, teasers, comments, bios, tickers...) is written here, and the other
stories' headlines and excerpts in it are real ones too, so they are perfect Arabic prose.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from tests.modelfactory import shared_data_dir


@dataclass
class Story:
    id: str
    title: str
    paragraphs: list[str]
    date: str  # ISO 8601
    author: str | None


@dataclass
class GoldPage:
    style: str
    name: str
    url: str
    data: bytes  # the saved page as a browser would have it on disk
    story: Story
    site: str


def stories() -> list[Story]:
    out = []
    path = shared_data_dir() / "saudinewsnet-2015-08-09.jsonl"
    for line in path.read_text("utf-8").split("\n"):
        if not line.strip():
            continue
        r = json.loads(line)
        paras = [" ".join(p.split()) for p in r["text"].split("\n") if p.strip()]
        words = sum(len(p.split()) for p in paras)
        if 3 <= len(paras) <= 10 and 80 <= words <= 700 and r["title"].strip():
            date = r["date"].replace(" ", "T")
            out.append(Story(r["id"], " ".join(r["title"].split()), paras, date, r["author"]))
    out.sort(key=lambda s: s.id)
    return out


def _ps(story: Story, tag: str = "p") -> str:
    return "\n".join(f"<{tag}>{escape(p)}</{tag}>" for p in story.paragraphs)


def _links(others: list[Story], host: str, item: str = "li", sep: str = "") -> str:
    return sep.join(f'<{item}><a href="https://{host}/n/{o.id}">{escape(o.title)}</a></{item}>'
                    for o in others)


ABOUT = ("موقع إخباري مستقل يقدم لقرائه آخر الأخبار المحلية والعربية والدولية على مدار الساعة، "
         "ويلتزم بالمهنية والدقة في نقل الخبر من مصادره الموثوقة")
COMMENT_POLICY = ("التعليقات المنشورة لا تعبر عن رأي الموقع وإنما تعبر عن رأي أصحابها، ويحتفظ "
                  "الموقع بحق حذف أي تعليق يتضمن إساءة أو خروجا عن موضوع الخبر")
COMMENTS = ("هذا خبر مهم جدا ونتمنى أن تستمر الجهود في هذا الاتجاه لخدمة المواطنين في كل مكان",
            "شكرا على هذا التقرير المفصل، لكن أين دور الجهات المختصة في متابعة ما جرى بعد ذلك",
            "للأسف تتكرر هذه المشكلة كل عام ولا نرى حلولا حقيقية على أرض الواقع حتى الآن")
NEWSLETTER = ("اشترك في نشرتنا البريدية اليومية لتصلك أهم الأخبار والتحليلات مباشرة إلى بريدك "
              "الإلكتروني كل صباح")
COOKIES = ("نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا، وباستمرارك في التصفح فإنك توافق "
           "على سياسة الخصوصية الخاصة بنا")
BIO = ("كاتب وصحفي متخصص في الشؤون الاقتصادية والسياسية، عمل في عدد من الصحف العربية وله مؤلفات "
       "في الإعلام والتحرير الصحفي")
SLOGAN = ("تابعوا آخر الأخبار والتقارير على موقعنا على مدار الساعة، ويمكنكم مراسلة هيئة التحرير "
          "بملاحظاتكم واقتراحاتكم عبر البريد الإلكتروني للموقع")
MENU = ["الرئيسية", "محليات", "اقتصاد", "رياضة", "ثقافة", "منوعات", "اتصل بنا"]


def _menu(host: str, item: str = "li", sep: str = "") -> str:
    return sep.join(f'<{item}><a href="https://{host}/c/{i}">{m}</a></{item}>'
                    for i, m in enumerate(MENU))


def _teaser(o: Story, host: str, cls: str) -> str:
    excerpt = escape(" ".join(o.paragraphs[0].split()[:25]))
    return (f'<div class="{cls}"><a href="https://{host}/n/{o.id}"><h3>{escape(o.title)}</h3>'
            f'</a><p>{excerpt}</p><span>{o.date[:10]}</span></div>')


def wordpress(s: Story, others: list[Story], host: str, site: str) -> str:
    """A CMS theme: sidebar widgets, related posts with excerpts, share bar, reader comments."""
    comments = "".join(
        f'<li class="comment"><div class="comment-author">قارئ {i}</div>'
        f'<div class="comment-date">{s.date[:10]}</div><p>{c}</p></li>'
        for i, c in enumerate(COMMENTS))
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{escape(s.title)} | {site}</title>
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{s.date}+03:00">
<link rel="canonical" href="https://{host}/{s.id}/"></head>
<body class="post-template-default single has-sidebar">
<header id="masthead"><div class="site-title">{site}</div><nav><ul>{_menu(host)}</ul></nav></header>
<div id="content" class="site-content"><div id="primary"><main id="main">
<article class="post type-post"><header class="entry-header"><h1 class="entry-title">{escape(s.title)}</h1>
<div class="entry-meta"><time datetime="{s.date}+03:00">{s.date[:10]}</time> بواسطة
<a rel="author" href="https://{host}/author/x">{escape(s.author or "المحرر")}</a></div></header>
<div class="entry-content">{_ps(s)}
<div class="sharedaddy"><h3>شارك هذا:</h3><ul><li><a href="#">فيسبوك</a></li><li><a href="#">تويتر</a></li><li><a href="#">واتساب</a></li></ul></div>
</div></article>
<div class="related-posts"><h3>مقالات ذات صلة</h3>{"".join(_teaser(o, host, "rel") for o in others[:3])}</div>
<div id="comments" class="comments-area"><h2>3 تعليقات</h2><ol class="comment-list">{comments}</ol>
<p class="policy">{COMMENT_POLICY}</p></div>
</main></div>
<aside id="secondary" class="widget-area"><section class="widget"><h2>الأكثر قراءة</h2><ul>{_links(others[3:8], host)}</ul></section>
<section class="widget widget_text"><h2>عن الموقع</h2><div class="textwidget"><p>{ABOUT}</p></div></section></aside></div>
<footer id="colophon"><p>جميع الحقوق محفوظة © 2015 {site}</p></footer></body></html>"""


def table_portal(s: Story, others: list[Story], host: str, site: str) -> str:
    """An old portal: table layout, <br> paragraphs, no classes, windows-1256 (encoded later)."""
    body = "<br><br>\n".join(escape(p) for p in s.paragraphs)
    day = s.date[:10].split("-")
    months = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
              "أكتوبر", "نوفمبر", "ديسمبر"]
    written = f"{int(day[2])} {months[int(day[1]) - 1]} {day[0]}"
    url = f"http://{host}/news/{s.id}"  # as the browser notes a saved page's address
    return f"""<!-- saved from url=({len(url):04d}){url} -->
<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=windows-1256">
<TITLE>{site} - {escape(s.title)}</TITLE></HEAD><BODY BGCOLOR="#FFFFFF">
<TABLE WIDTH="100%"><TR><TD COLSPAN="3"><FONT SIZE="5">{site}</FONT></TD></TR>
<TR><TD WIDTH="20%" VALIGN="top">{_menu(host, "font", "<br>")}<br><br><b>الأكثر قراءة</b><br>{_links(others[:5], host, "font", "<br>")}</TD>
<TD WIDTH="60%" VALIGN="top"><FONT SIZE="4"><B>{escape(s.title)}</B></FONT><br>
<FONT SIZE="2">تاريخ النشر: {written}</FONT><br><br>
{body}<br><br>
{SLOGAN}<br><br><a href="javascript:print()">طباعة</a> | <a href="mailto:x@{host}">أرسل لصديق</a></TD>
<TD WIDTH="20%" VALIGN="top"><b>أخبار ذات صلة</b><br>{_links(others[5:8], host, "font", "<br>")}</TD></TR>
<TR><TD COLSPAN="3" ALIGN="center">{_menu(host, "font", " | ")}<br>جميع الحقوق محفوظة {site} 2015</TD></TR>
</TABLE></BODY></HTML>"""


def amp(s: Story, others: list[Story], host: str, site: str) -> str:
    """AMP: JSON-LD without articleBody, amp-* elements, ad slots with labels."""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": s.title,
          "datePublished": s.date + "+03:00", "author": {"@type": "Person", "name": s.author or site},
          "publisher": {"@type": "Organization", "name": site}}
    paras = [f"<p>{escape(p)}</p>" for p in s.paragraphs]
    paras.insert(2, '<div class="amp-ad-container"><span>إعلان</span><amp-ad width="300" '
                    'height="250" type="doubleclick"></amp-ad></div>')
    return f"""<!doctype html><html ⚡ lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{escape(s.title)} – {site}</title><link rel="canonical" href="https://{host}/news/{s.id}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
<style amp-custom>body{{font-family:sans-serif}}</style></head><body>
<amp-sidebar id="sb" layout="nodisplay"><ul>{_menu(host)}</ul></amp-sidebar>
<header class="top"><a href="/">{site}</a></header>
<main><h1>{escape(s.title)}</h1><div class="byline">{escape(s.author or "")} · {s.date[:10]}</div>
<amp-img src="a.jpg" width="600" height="400" layout="responsive"></amp-img>
<div class="body">{"".join(paras)}</div>
<amp-social-share type="twitter"></amp-social-share><amp-social-share type="facebook"></amp-social-share>
<section class="more"><h2>اقرأ المزيد</h2>{"".join(_teaser(o, host, "card") for o in others[:4])}</section></main>
<footer><p>© {site} 2015</p></footer></body></html>"""


def nextjs(s: Story, others: list[Story], host: str, site: str) -> str:
    """React/Next: hashed classes, JSON-LD with articleBody, an embedded post, ad labels."""
    ld = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": site, "url": f"https://{host}"},
        {"@type": "NewsArticle", "headline": s.title, "articleBody": "\n".join(s.paragraphs),
         "datePublished": s.date + "Z", "author": [{"@type": "Person", "name": s.author or site}]}]}
    paras = [f'<p class="sc-1x2y3z">{escape(p)}</p>' for p in s.paragraphs]
    paras.insert(1, '<div class="sc-a1b2c3"><span>إعلان</span></div>')
    paras.insert(3, '<blockquote class="sc-q9w8e7"><p>' + escape(others[0].paragraphs[0])
                 + '</p>— حساب رسمي <a href="https://twitter.com/x/status/1">August 9, 2015</a>'
                 "</blockquote>")
    cards = "".join(f'<div class="sc-card77"><a href="/n/{o.id}"><span>{escape(o.title)}</span>'
                    f'</a><p>{escape(" ".join(o.paragraphs[0].split()[:20]))}</p></div>'
                    for o in others[1:5])
    return f"""<!DOCTYPE html><html lang="ar"><head><meta charSet="utf-8"/>
<title>{escape(s.title)} - {site}</title><meta property="og:title" content="{escape(s.title)} - {site}"/>
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head>
<body><div id="__next"><div class="sc-nav11">{"".join(f'<a href="/c/{i}">{m}</a>' for i, m in enumerate(MENU))}</div>
<div class="sc-page22"><div class="sc-head33"><h1>{escape(s.title)}</h1></div>
<div class="sc-body44">{"".join(paras)}</div><div class="sc-grid55">{cards}</div></div></div>
<script id="__NEXT_DATA__" type="application/json">{{"props":{{"pageProps":{{"id":"{s.id}"}}}}}}</script>
</body></html>"""


def wire(s: Story, others: list[Story], host: str, site: str) -> str:
    """An agency wire: bare markup, 'Agency: headline' title, a latest-news ticker, keywords."""
    ticker = "".join(f'<li><span>{10 + i}:0{i}</span> <a href="/n/{o.id}">{escape(o.title)}</a></li>'
                     for i, o in enumerate(others[:6]))
    return f"""<html><head><meta charset="utf-8"><title>{site}: {escape(s.title)}</title>
<meta name="date" content="{s.date[:10]}"><meta name="author" content="{escape(s.author or site)}"></head>
<body><div id="top">{site} | <a href="/ar">عربي</a> | <a href="/en">English</a> | <a href="/fr">Français</a></div>
<div id="latest"><h4>آخر الأخبار</h4><ul>{ticker}</ul></div>
<div id="story"><h1>{escape(s.title)}</h1>{_ps(s)}
<div id="keywords">كلمات: <a href="/k/1">السعودية</a> <a href="/k/2">أخبار</a></div></div>
<div id="bottom">{site} © 2015 — جميع الحقوق محفوظة</div></body></html>"""


def magazine(s: Story, others: list[Story], host: str, site: str) -> str:
    """A magazine: microdata articleBody with "read also" boxes between paragraphs and an
    author card at its end."""
    paras = [f"<p>{escape(p)}</p>" for p in s.paragraphs]
    for k, o in zip((1, 3), others[:2]):
        if k < len(paras):
            paras.insert(k + (k > 1), f'<div class="inline-box"><strong>اقرأ أيضاً:</strong> '
                                      f'<a href="/n/{o.id}">{escape(o.title)}</a></div>')
    return f"""<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8">
<title>{escape(s.title)} « {site}</title>
<meta property="og:title" content="{escape(s.title)}"><meta property="og:site_name" content="{site}"></head>
<body><div class="masthead"><span class="logo">{site}</span><ul class="sections">{_menu(host)}</ul></div>
<div class="layout"><div class="story" itemscope itemtype="https://schema.org/Article">
<h1 itemprop="headline">{escape(s.title)}</h1>
<p class="dek">بقلم <span itemprop="author">{escape(s.author or "المحرر")}</span> —
<time itemprop="datePublished" datetime="{s.date[:10]}">{s.date[:10]}</time></p>
<div itemprop="articleBody">{"".join(paras)}
<div class="author-card"><img src="a.jpg"><h4>{escape(s.author or "المحرر")}</h4><p>{BIO}</p></div></div></div>
<div class="rail"><h3>الأكثر مشاهدة</h3><ol>{_links(others[2:7], host)}</ol>
<div class="signup"><p>{NEWSLETTER}</p><input type="email"><button>اشترك</button></div></div></div>
<div id="consent-bar"><p>{COOKIES}</p><a href="#">موافق</a></div></body></html>"""


def liveblog(s: Story, others: list[Story], host: str, site: str) -> str:
    """A liveblog: each paragraph an update with its time, LiveBlogPosting JSON-LD."""
    ld = {"@context": "https://schema.org", "@type": "LiveBlogPosting", "headline": s.title,
          "datePublished": s.date, "coverageStartTime": s.date}
    entries = "".join(f'<div class="update"><div class="stamp">{12 - i % 12}:{15 + i:02d}</div>'
                      f"<p>{escape(p)}</p></div>" for i, p in enumerate(s.paragraphs))
    return f"""<html lang="ar"><head><meta charset="utf-8"><title>مباشر | {escape(s.title)} | {site}</title>
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head><body>
<div class="bar">{"".join(f'<a href="/c/{i}">{m}</a> ' for i, m in enumerate(MENU))}</div>
<h1>{escape(s.title)}</h1><div class="live">تغطية مباشرة</div><div class="updates">{entries}</div>
<div class="feed"><h2>تغطيات أخرى</h2>{"".join(_teaser(o, host, "item") for o in others[:3])}</div>
<p class="copy">{SLOGAN}</p></body></html>"""


def _tagged(p: str, host: str) -> str:
    """A paragraph whose names link to tag pages, as portals do (every fourth word, up to a
    third of a short paragraph's words inside links)."""
    words = p.split()
    return " ".join(f'<a href="https://{host}/tag/{i}">{escape(w)}</a>' if i % 4 == 1
                    else escape(w) for i, w in enumerate(words))


def portal(s: Story, others: list[Story], host: str, site: str) -> str:
    """A big portal: breaking ticker, cookie notice, newsletter, tags, comments section,
    names linked to tag pages inside the paragraphs."""
    text = "\n".join(f"<p>{_tagged(p, host) if i % 2 else escape(p)}</p>"
                     for i, p in enumerate(s.paragraphs))
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta http-equiv="content-type" content="text/html; charset=UTF-8">
<title>{escape(s.title)} - {site}</title><meta property="og:site_name" content="{site}">
<meta property="og:url" content="https://{host}/article/{s.id}"></head><body>
<div id="cookie-notice">{COOKIES} <a href="#">قبول</a></div>
<div class="breaking-news"><b>عاجل</b> {_links(others[:3], host, "span", " • ")}</div>
<nav class="mega">{_menu(host, "div")}</nav>
<div class="container"><div class="col-main"><article>
<h1>{escape(s.title)}</h1><div class="info"><span>{escape(s.author or "")}</span>
<time datetime="{s.date}">{s.date[:10]}</time></div>
<ul class="share-tools"><li><a href="#">فيسبوك</a></li><li><a href="#">تويتر</a></li><li><a href="#">طباعة</a></li></ul>
<div class="text">{text}</div>
<div class="article-tags"><a href="/t/1">محليات</a><a href="/t/2">السعودية</a></div></article>
<section id="reader-comments"><h3>تعليقات القراء</h3><p>{COMMENT_POLICY}</p>
{"".join(f"<div class='c'><b>زائر</b><p>{c}</p></div>" for c in COMMENTS[:2])}</section>
<div class="newsletter-box"><p>{NEWSLETTER}</p></div></div>
<div class="col-side"><h3>الأكثر قراءة</h3>{"".join(_teaser(o, host, "mini") for o in others[3:6])}</div></div>
<footer><p>{ABOUT}</p><p>© 2015 {site}</p></footer></body></html>"""


def html4(s: Story, others: list[Story], host: str, site: str) -> str:
    """A 2013-style HTML 4 page: editions list, a most-read box, comment policy, footer links."""
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{site} - {escape(s.title)}</title></head><body>
<div id="editions">الطبعات: <a href="/ar">العربية</a> <a href="/en">الإنجليزية</a> <a href="/fr">الفرنسية</a></div>
<div id="col1"><h2><a href="/">{site}</a></h2>
<div id="col1a"><h1>{escape(s.title)}</h1><div class="date">آخر تحديث: {s.date[:10]}</div>{_ps(s)}</div>
<div id="mostread"><h3>الأكثر قراءة</h3><ol>{_links(others[:5], host)}</ol></div>
<div id="policy"><p>{COMMENT_POLICY}</p></div></div>
<div id="links">{_links(others[5:7], host, "p")}<p><a href="/about">من نحن</a> | <a href="/privacy">الخصوصية</a></p>
<p>حقوق النشر © 2013 {site}</p></div></body></html>"""


def blogger(s: Story, others: list[Story], host: str, site: str) -> str:
    """A hosted blog: definition-list reader replies under a class no widget list names,
    a most-read table, labels; the date only as text in the post's header."""
    # each page's replies differ (a site's template cannot give them away)
    replies = "".join(f"<dt>زائر {i}</dt><dd><p>{c}، وهذا يذكرني بخبر {escape(o.title)}</p></dd>"
                      for i, (c, o) in enumerate(zip(COMMENTS, others[5:])))
    rows = "".join(f'<tr><td>{i + 1}</td><td><a href="/p/{o.id}.html">{escape(o.title)}</a></td></tr>'
                   for i, o in enumerate(others[:5]))
    return f"""<html dir="rtl"><head><meta content="text/html; charset=UTF-8" http-equiv="Content-Type">
<title>{site}: {escape(s.title)}</title><link href="https://{host}/2015/08/{s.id}.html" rel="canonical"></head>
<body><div class="outer"><div class="header-inner"><h1 class="title"><a href="/">{site}</a></h1>
<p class="description">{ABOUT}</p></div>
<div class="main-inner"><h2 class="date-header"><span>الأحد، 9 أغسطس 2015</span></h2>
<div class="post hentry"><h3 class="post-title">{escape(s.title)}</h3>
<div class="post-body">{"<br /><br />".join(escape(p) for p in s.paragraphs)}</div>
<div class="post-footer">التسميات: <a href="/l/1">أخبار</a>، <a href="/l/2">محليات</a></div></div>
<div class="replies-zone"><h4>{len(COMMENTS)} آراء</h4><dl>{replies}</dl></div></div>
<div class="column-right"><h2>المشاركات الشائعة</h2><table>{rows}</table></div></div></body></html>"""


def ministry(s: Story, others: list[Story], host: str, site: str) -> str:
    """A ministry's press page: nested tables, related news as bare <p>s of link + excerpt."""
    related = "".join(f'<p><a href="/n/{o.id}">{escape(o.title)}</a><br>'
                      f'{escape(" ".join(o.paragraphs[0].split()[:30]))}</p>' for o in others[:3])
    return f"""<html lang="ar"><head><meta charset="utf-8"><title>{escape(s.title)}</title>
<meta name="pubdate" content="{s.date[:10]}"><meta property="og:url" content="https://{host}/press/{s.id}"></head>
<body><table><tr><td>{_menu(host, "span", " ")}</td></tr><tr><td><table><tr>
<td><h2>{escape(s.title)}</h2>{_ps(s)}</td></tr><tr><td><h3>أخبار ذات علاقة</h3>{related}</td></tr></table></td></tr>
<tr><td>{site} — الموقع الرسمي<br>{_menu(host, "span", " | ")}</td></tr></table></body></html>"""


# Three styles written after the extractor and the eleven above, to show recall differences
# (issue 35): the article is not in tidy <p>s of one container. Each is modelled on features
# of real Arabic news sites that are known to cost extractors words; none is copied from one.

def _quote(p: str) -> bool:
    return "«" in p or '"' in p


def _figure(caption: str) -> str:
    return f'<figure class="media"><img src="/img/main.jpg" alt=""><figcaption>{caption}</figcaption></figure>'


def standfirst(s: Story, others: list[Story], host: str, site: str) -> str:
    """A broadsheet's site (as pan-Arab dailies and channels' sites lay out a story): the
    first paragraph is the standfirst in the header block beside the <h1>, above the byline
    and the photo; the rest of the body is in a separate <div> that an inline "read also"
    box splits in two; a short paragraph is set as an <h3> subheading and a paragraph that
    quotes an official as a <blockquote>. Breadcrumbs, share bar, tags, "more from" teasers,
    a most-read rail, newsletter and a footer with the site's blurb. At most one subheading
    (as sites set one line, without its full stop) and one blockquote (a paragraph that
    quotes someone's words) a page."""
    # a dateline of a few words is no standfirst: it sits above the first paragraph
    k = next((i for i, p in enumerate(s.paragraphs) if len(p.split()) > 6), 0)
    dateline = "".join(f'<p class="dateline">{escape(p)}</p>' for p in s.paragraphs[:k])
    lead, rest = s.paragraphs[k], s.paragraphs[k + 1:]
    cut = max(1, len(rest) // 2)
    quoted = next((i for i, p in enumerate(rest) if i and _quote(p)), None)
    # a subheading opens the paragraphs after it (not a sign-off)
    sub = next((i for i, p in enumerate(rest[:-1]) if i and i != quoted and len(p.split()) <= 20
                and len(rest[i + 1].split()) > 20), None)

    def block(i: int, p: str) -> str:
        if i == sub:
            return f'<h3 class="sub">{escape(p.rstrip(" ."))}</h3>'
        if i == quoted:
            return f'<blockquote class="quote"><p>{escape(p)}</p></blockquote>'
        return f"<p>{escape(p)}</p>"

    first = "\n".join(block(i, p) for i, p in enumerate(rest[:cut]))
    second = "\n".join(block(i + cut, p) for i, p in enumerate(rest[cut:]))
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": s.title,
          "datePublished": s.date + "+03:00", "publisher": {"@type": "Organization", "name": site}}
    read_also = "".join(f'<li><a href="/article/{o.id}">{escape(o.title)}</a></li>' for o in others[:3])
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{escape(s.title)} | {site}</title><meta property="og:title" content="{escape(s.title)} | {site}">
<meta property="og:site_name" content="{site}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head>
<body class="node-article"><header class="site-header"><a class="logo" href="/">{site}</a>
<nav class="main-nav"><ul>{_menu(host)}</ul></nav><form class="search"><input placeholder="بحث"></form></header>
<main class="page"><ol class="breadcrumb"><li><a href="/">الرئيسية</a></li><li><a href="/c/1">محليات</a></li></ol>
<div class="article-header"><span class="kicker">محليات</span><h1 class="headline">{escape(s.title)}</h1>
{dateline}<p class="standfirst">{escape(lead)}</p>
<div class="byline"><span class="author">{escape(s.author or site)}</span> <time datetime="{s.date}+03:00">{s.date[:10]}</time></div></div>
{_figure("صورة أرشيفية")}
<ul class="share"><li><a href="#">فيسبوك</a></li><li><a href="#">تويتر</a></li><li><a href="#">نسخ الرابط</a></li></ul>
<div class="article-text">{first}</div>
<aside class="read-also"><h4>اقرأ أيضاً</h4><ul>{read_also}</ul></aside>
<div class="article-text">{second}</div>
<div class="topics"><a href="/topic/1">السعودية</a> <a href="/topic/2">الشرق الأوسط</a></div>
<section class="more-from"><h2>المزيد من محليات</h2>{"".join(_teaser(o, host, "card") for o in others[3:6])}</section></main>
<aside class="rail"><h2>الأكثر قراءة</h2><ol>{_links(others[6:8] + others[:3], host)}</ol>
<div class="nl"><p>{NEWSLETTER}</p><input type="email"><button>اشترك</button></div></aside>
<footer class="site-footer"><p>{ABOUT}</p><ul>{_menu(host)}</ul><p>© 2015 {site}</p></footer></body></html>"""


def _names_linked(p: str, host: str) -> str:
    """Names linked to tag pages as portals do: two-word runs, one in eight words (a quarter
    of the paragraph's words inside links)."""
    words = p.split()
    out = []
    for i, w in enumerate(words):
        t = escape(w)
        if i % 8 == 1:
            t = f'<a href="https://{host}/tags/{i}">' + t
        if i % 8 == 2 or (i % 8 == 1 and i == len(words) - 1):
            t += "</a>"
        out.append(t)
    return " ".join(out)


def divbody(s: Story, others: list[Story], host: str, site: str) -> str:
    """A busy portal's news page (as high-traffic Egyptian portals' CMSs write one): no <p>
    in the body; paragraphs are <div>s, then bare text split by <br>s, and two of them a <ul>
    of the points the story lists; names in the second paragraph link to tag pages (two-word
    names, a quarter of its words inside links); "read also" lines inside the body container; a
    one-sentence paragraph stays a paragraph. The writer as "كتب", the date as text, a
    photo caption, keyword tags, a comments plugin, related news with excerpts, a most-read
    column and a footer."""
    ps = s.paragraphs
    n = len(ps)
    listed = (n - 3, n - 2) if n >= 6 else ()
    bare = [i for i in (2, 3) if n >= 5 and i not in listed]
    parts: list[str] = []
    for i, p in enumerate(ps):
        if i == 1:
            parts.append(f"<div>{_names_linked(p, host)}</div>")
        elif i in bare:
            parts.append(escape(p) + ("<br><br>" if i != bare[-1] else "<br>"))
        elif i in listed:
            parts.append(("<ul>" if i == listed[0] else "") + f"<li>{escape(p)}</li>"
                         + ("</ul>" if i == listed[1] else ""))
        else:
            parts.append(f"<div>{escape(p)}</div>")
        if i == 1 and n > 3:
            o = others[0]
            parts.append(f'<div><strong>اقرأ أيضا..</strong> <a href="/story/{o.id}">{escape(o.title)}</a></div>')
    parts.append("<div>&nbsp;</div>")
    related = "".join(f'<div class="relatedItem"><a href="/story/{o.id}"><img src="t.jpg">'
                      f'<span>{escape(o.title)}</span></a><div class="brief">'
                      f'{escape(" ".join(o.paragraphs[0].split()[:22]))}...</div></div>'
                      for o in others[1:5])
    most = "".join(f'<div class="mItem"><span class="num">{i + 1}</span><a href="/story/{o.id}">'
                   f"{escape(o.title)}</a></div>" for i, o in enumerate(others[5:8]))
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{escape(s.title)} - {site}</title><meta property="og:title" content="{escape(s.title)}">
<meta property="article:published_time" content="{s.date}"></head><body>
<div id="header"><div class="logo"><a href="/">{site}</a></div><div class="todayDate">الأحد 9 أغسطس 2015</div>
<div class="mainMenu">{_menu(host, "div")}</div></div>
<div class="urgent"><span>عاجل</span> {_links(others[2:4], host, "span", " | ")}</div>
<div class="container"><div class="rightCol"><div class="newsPage">
<div class="secName"><a href="/section/3">أخبار عربية</a></div>
<h1 class="newsTitle">{escape(s.title)}</h1>
<div class="newsWriter">كتب {escape(s.author or "محرر الموقع")}</div><div class="newsDate">{s.date[:10]} {s.date[11:16]}</div>
<div class="newsImg"><img src="m.jpg"><span class="imgCaption">صورة من الحدث</span></div>
<div id="newsStory" class="newsStory">{"".join(parts)}</div>
<div class="newsTags">الكلمات المتعلقة: <a href="/tags/a">أخبار</a> <a href="/tags/b">عربية</a> <a href="/tags/c">اليوم</a></div>
<div class="fbComments"><div class="fb-comments" data-href="https://{host}/story/{s.id}"></div><p>{COMMENT_POLICY}</p></div></div>
<div class="relatedNews"><div class="blockTitle">أخبار متعلقة</div>{related}</div></div>
<div class="leftCol"><div class="blockTitle">الأكثر قراءة</div>{most}<div class="adv">إعلان</div></div></div>
<div id="footer"><div class="fMenu">{_menu(host, "span", " - ")}</div><div>{ABOUT}</div>
<div>جميع الحقوق محفوظة لـ {site} 2015</div></div></body></html>"""


def live_entries(s: Story, others: list[Story], host: str, site: str) -> str:
    """A channel's live coverage page (as pan-Arab channels' "مباشر" pages are built): each
    update is its own <article> with a time and a share footer, oldest first as the page's
    toggle allows; the first update is pinned in a separate block above the feed; a "key
    events" list repeats the start of some updates as links to them; ad slots between
    updates, a load-more button, other live pages, and a footer. A line of a few words (a
    dateline, a sign-off) is no update of its own: it goes with the next paragraph's."""
    def entry(i: int, ps: list[str]) -> str:
        return (f'<article class="live-entry" id="u{i}"><header><time datetime="{s.date}">'
                f'{s.date[11:13]}:{10 + 5 * i:02d}</time></header><div class="entry-body">'
                + "".join(f"<p>{escape(p)}</p>" for p in ps)
                + '</div><footer><button class="share">مشاركة</button> '
                f'<a href="#u{i}">رابط التحديث</a></footer></article>')

    updates: list[list[str]] = []
    pending: list[str] = []
    for p in s.paragraphs:
        pending.append(p)
        if len(p.split()) > 6:
            updates.append(pending)
            pending = []
    if pending and updates:
        updates[-1] += pending
    elif pending:
        updates.append(pending)
    feed: list[str] = []
    for i, ps in enumerate(updates[1:], 1):
        feed.append(entry(i, ps))
        if i % 3 == 0:
            feed.append('<div class="ad-slot"><span>إعلان</span></div>')
    keys = "".join(f'<li><a href="#u{i}">{escape(" ".join(ps[-1].split()[:8]))}...</a></li>'
                   for i, ps in enumerate(updates) if i % 2 == 0)
    ld = {"@context": "https://schema.org", "@type": "LiveBlogPosting", "headline": s.title,
          "datePublished": s.date + "+03:00", "coverageStartTime": s.date + "+03:00"}
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>مباشر: {escape(s.title)} | {site}</title>
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head><body>
<header class="top"><a href="/">{site}</a><nav>{_menu(host, "span", " ")}</nav><a class="watch" href="/live">البث المباشر</a></header>
<main><div class="live-head"><span class="badge">مباشر</span><h1>{escape(s.title)}</h1>
<div class="updated">آخر تحديث {s.date[:10]}</div></div>
<section class="key-events"><h2>أبرز الأحداث</h2><ul>{keys}</ul></section>
<div class="pinned"><span class="pin">مثبت</span>{entry(0, updates[0])}</div>
<div class="live-feed">{"".join(feed)}</div><button class="load-more">تحميل المزيد</button></main>
<aside class="other-live"><h2>تغطيات مباشرة أخرى</h2>{"".join(_teaser(o, host, "t") for o in others[:3])}</aside>
<footer><p>{SLOGAN}</p><p>© 2015 {site}</p></footer></body></html>"""


Style = Callable[[Story, list[Story], str, str], str]
STYLES: dict[str, tuple[Style, str, str, str]] = {  # style: (builder, host, site, encoding)
    "wordpress": (wordpress, "akhbar-alyawm.example", "أخبار اليوم", "utf-8"),
    "table": (table_portal, "www.albawaba-qadima.example", "البوابة", "cp1256"),
    "amp": (amp, "amp.sahifa.example", "صحيفة الصباح", "utf-8"),
    "nextjs": (nextjs, "www.alan-news.example", "الآن نيوز", "utf-8"),
    "wire": (wire, "wire.wakala.example", "وكالة الأنباء", "utf-8"),
    "magazine": (magazine, "majalla.example", "المجلة الأسبوعية", "utf-8"),
    "liveblog": (liveblog, "live.qanat.example", "قناة الخبر", "utf-8"),
    "portal": (portal, "www.bawaba-kubra.example", "البوابة الكبرى", "utf-8"),
    "html4": (html4, "www.almasdar2013.example", "المصدر", "utf-8"),
    # two styles written after the extractor, with none of its widget words in their classes
    "blogger": (blogger, "akhbar-madinati.blogspot.example", "أخبار مدينتي", "utf-8"),
    "ministry": (ministry, "www.wizara.example", "وزارة الإعلام", "utf-8"),
    # three styles written after the extractor for recall: the body not in one container's <p>s
    "standfirst": (standfirst, "www.alyawmiya.example", "اليومية", "utf-8"),
    "divbody": (divbody, "www.masdar-alakhbar.example", "مصدر الأخبار", "utf-8"),
    "live_entries": (live_entries, "www.qanat-alhadath.example", "قناة الحدث", "utf-8"),
}
PER_STYLE = 10


def evaluation_set(per_style: int = PER_STYLE) -> list[GoldPage]:
    """per_style pages in each style; the stories differ across all pages."""
    pool = stories()
    pages = []
    for k, (style, (build, host, site, enc)) in enumerate(STYLES.items()):
        for j in range(per_style):
            idx = (k * per_style + j) * 11 % len(pool)
            story = pool[idx]
            others = [pool[(idx + 3 + 5 * m) % len(pool)] for m in range(8)]
            url = f"https://{host}/news/{story.id}"
            html = build(story, others, host, site)
            data = html.encode(enc, errors="xmlcharrefreplace")
            pages.append(GoldPage(style, f"{style}-{j}", url, data, story, site))
    return pages


def write_set(folder: Path, per_style: int = PER_STYLE) -> list[GoldPage]:
    """Write the pages as folder/<style>/<name>.html and their gold as
    folder/gold/<style>/<name>.json (apart, so a style's folder holds only pages)."""
    pages = evaluation_set(per_style)
    for p in pages:
        d, g = folder / p.style, folder / "gold" / p.style
        d.mkdir(parents=True, exist_ok=True)
        g.mkdir(parents=True, exist_ok=True)
        (d / f"{p.name}.html").write_bytes(p.data)
        gold = {"url": p.url, "title": p.story.title, "date": p.story.date,
                "author": p.story.author, "site": p.site, "text": "\n\n".join(p.story.paragraphs)}
        (g / f"{p.name}.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1), "utf-8")
    return pages


def english_page(title: str, paragraphs: list[str], k: int) -> str:
    """A page in English (with an Arabic edition link, as bilingual sites have), for the cheap
    look that passes over pages that are not Arabic."""
    ps = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    menu = "".join(f'<li><a href="/s/{i}">{m}</a></li>' for i, m in enumerate(
        ["World", "Business", "Sport", "Culture", "Opinion"]))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | The Daily {k}</title>
<script>var config = {{"section": "world", "ads": true}};</script></head><body>
<header><nav><ul>{menu}</ul></nav><a href="/ar">العربية</a></header>
<main><article><h1>{escape(title)}</h1><time datetime="2019-01-01">1 January 2019</time>{ps}</article>
<aside><h2>Most read</h2><ul>{menu}</ul></aside></main><footer>© The Daily</footer></body></html>"""
