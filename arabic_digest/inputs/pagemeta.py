"""A page's metadata (title, url, date, author, site) and its encoding, as a browser decides it.

Structured data comes first: JSON-LD (`NewsArticle` and its kin, inside `@graph` or lists),
then Open Graph / `article:*` meta tags, microdata (`itemprop`), `<time datetime>`, and last
the page's visible text (a date written out in digits or with a month name).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html as lhtml

from arabic_digest.inputs import encodings

ARTICLE_TYPES = {"newsarticle", "article", "reportagenews", "blogposting", "liveblogposting",
                 "analysisnewsarticle", "opinionnewsarticle", "backgroundnewsarticle",
                 "reviewnewsarticle", "webpage", "socialmediaposting"}

# --- encodings ----------------------------------------------------------------------------

# The WHATWG prescan: a <meta charset> or http-equiv Content-Type within the first 1024
# bytes; we look a little further (4096) because saved pages often put a long <head> first.
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-:.]+)", re.I)
# WHATWG maps these labels to other decoders than Python's of the same name
_WHATWG = {"iso-8859-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252",
           "iso-8859-6": "iso8859_6", "arabic": "iso8859_6", "windows-1256": "cp1256",
           "x-user-defined": "cp1252", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8"}


def declared_charset(data: bytes) -> str | None:
    """The codec a <meta charset> / http-equiv Content-Type names in the page's head."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    label = m.group(1).decode("ascii", "replace").strip().lower()
    label = _WHATWG.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # a page cannot declare itself UTF-16 in ASCII bytes (the spec reads it as UTF-8)
    return "utf-8" if name.startswith("utf-16") else name


def decode_html(data: bytes, given: str | None = None, http_charset: str | None = None
                ) -> encodings.Decoded:
    """Decode a page: --encoding, BOM, the HTTP charset (a WARC's), the page's own <meta>
    declaration, then detection (encodings.sniff)."""
    if given:
        return encodings.decode(data, given)
    for bom, name, _ in encodings.BOMS:
        if data.startswith(bom):
            return encodings.decode(data, name)
    for label in (http_charset, None):
        name = None
        if label:
            try:
                name = codecs.lookup(_WHATWG.get(label.lower(), label)).name
            except LookupError:
                name = None
        else:
            name = declared_charset(data)
        if name:
            dec = encodings.decode_marking(data, name)
            if dec.ok or name != "utf-8":
                dec.how = "declared"
                return dec
    return encodings.decode(data)


# --- structured data ----------------------------------------------------------------------

def _walk_ld(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk_ld(item)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if isinstance(node.get(key), (list, dict)):
                yield from _walk_ld(node[key])


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def json_ld(doc: Any) -> dict[str, Any]:
    """The page's article object from its JSON-LD (the first of an article type), or {}."""
    best: dict[str, Any] = {}
    for script in doc.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"),'
                            ' "ld+json")]'):
        raw = (script.text or "").strip().rstrip(";")
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for obj in _walk_ld(data):
            kinds = _types(obj)
            if kinds & ARTICLE_TYPES and (obj.get("headline") or obj.get("articleBody")):
                if "webpage" in kinds and best:
                    continue
                if not best or "webpage" in _types(best):
                    best = obj
    return best


def _name(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _name(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names) or None
    return None


def _text(el: Any) -> str:
    return " ".join(el.text_content().split())


def _meta(doc: Any, *names: str) -> str | None:
    for name in names:
        for el in doc.xpath(f'//meta[@property="{name}" or @name="{name}" or @itemprop="{name}"]'):
            value = (el.get("content") or "").strip()
            if value:
                return value
    return None


# --- title ----------------------------------------------------------------------------------

_SEP = re.compile(r"\s+[|\-–—:«»·•]\s+|\s*[|–—«»·•]\s*|\s+::\s+")


def _norm(s: str) -> str:
    return re.sub(r"\W+", "", s.casefold())


def strip_site(title: str, sites: Iterable[str]) -> str:
    """The title less a leading or trailing part that names the site (`Headline | Site`)."""
    keys = {_norm(s) for s in sites if s and _norm(s)}
    for site in sorted({s.strip() for s in sites if s and s.strip()}, key=len, reverse=True):
        # "Site: Headline", "Headline | Site" with the site's name as written
        head = re.match(rf"\s*{re.escape(site)}\s*[:|\-–—«»·•]+\s*", title, re.I)
        if head and title[head.end():].strip():
            return strip_site(title[head.end():], [])
        tail = re.search(rf"\s*[:|\-–—«»·•]+\s*{re.escape(site)}\s*$", title, re.I)
        if tail and title[:tail.start()].strip():
            return strip_site(title[:tail.start()], [])
    parts = [p for p in _SEP.split(title) if p.strip()]
    if len(parts) < 2:
        return title.strip()
    seps = _SEP.findall(title)

    def is_site(part: str) -> bool:
        n = _norm(part)
        # the name itself, a part of it, or it with a word or two around ("موقع X")
        near = len(part.split()) <= 2 + max((len(k) for k in keys), default=0) // 4
        return bool(n) and any(n == k or (len(n) >= 3 and (n in k or (k in n and near)))
                               for k in keys)

    lo, hi = 0, len(parts)
    while hi - lo > 1 and is_site(parts[hi - 1]):
        hi -= 1
    while hi - lo > 1 and is_site(parts[lo]):
        lo += 1
    if (lo, hi) == (0, len(parts)):
        # no known site name: a short last part after " | " is the site's name by its shape
        last = parts[-1].split()
        if len(last) <= 3 and len(parts[0].split()) >= 3 and "|" in seps[-1]:
            hi -= 1
        else:
            return title.strip()
    kept = parts[lo]
    for i in range(lo + 1, hi):
        kept += seps[i - 1] + parts[i]
    return kept.strip()


def shown_part(title: str, shown: set[str]) -> str:
    """The longest run of the title's parts that the page shows as a block of its own (the
    headline); the title itself when none is."""
    parts = _SEP.split(title)
    seps = _SEP.findall(title)
    if len(parts) < 2 or " ".join(title.split()) in shown:
        return title
    best = None
    for i in range(len(parts)):
        for j in range(i + 1, len(parts) + 1):
            run = parts[i] + "".join(seps[k] + parts[k + 1] for k in range(i, j - 1))
            run = " ".join(run.split())
            if run in shown and (best is None or len(run) > len(best)):
                best = run
    return best or title


def page_title(doc: Any, ld: dict[str, Any], sites: list[str]) -> str | None:
    """The headline without the site's name: JSON-LD headline, an <h1> that the page's own
    titles contain, og:title or <title> less their site part, else the first <h1>."""
    titles = [t for t in (_name(ld.get("headline")), _meta(doc, "og:title", "twitter:title"),
                          " ".join((doc.findtext(".//title") or "").split())) if t]
    keys = {_norm(s) for s in sites if s}
    h1s = [t for t in (_text(h) for h in doc.iter("h1")) if t and _norm(t) not in keys]
    if ld.get("headline") and _name(ld.get("headline")):
        return strip_site(_name(ld["headline"]) or "", sites)
    for h in h1s:
        if any(_norm(h) and _norm(h) in _norm(t) for t in titles):
            return h
    for t in titles:
        stripped = strip_site(t, sites)
        if stripped and _norm(stripped) not in keys:
            return stripped
    return h1s[0] if h1s else None


# --- dates ------------------------------------------------------------------------------------

MONTHS = {
    "يناير": 1, "كانون الثاني": 1, "فبراير": 2, "شباط": 2, "مارس": 3, "آذار": 3, "أبريل": 4,
    "ابريل": 4, "إبريل": 4, "نيسان": 4, "مايو": 5, "أيار": 5, "يونيو": 6, "حزيران": 6,
    "يوليو": 7, "تموز": 7, "أغسطس": 8, "اغسطس": 8, "آب": 8, "سبتمبر": 9, "أيلول": 9,
    "أكتوبر": 10, "اكتوبر": 10, "تشرين الأول": 10, "نوفمبر": 11, "تشرين الثاني": 11,
    "ديسمبر": 12, "كانون الأول": 12,
}
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_MONTH_RE = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_TEXT_DATES = (
    (re.compile(r"\b(20\d\d|19\d\d)-(\d\d)-(\d\d)(?:[T ](\d\d:\d\d(?::\d\d)?))?"), "ymd"),
    (re.compile(rf"\b(\d{{1,2}})\s*(?:من\s+)?({_MONTH_RE})(?:\s*/\s*\S+)?\s*،?\s*(\d{{4}})"),
     "dmy-name"),
    (re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b"), "dmy"),
)


def iso_date(value: str) -> str | None:
    """A machine date as ISO 8601 (kept as precise as given), or None."""
    value = value.strip().translate(_DIGITS)
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        m = re.match(r"(\d{4})[-/](\d\d)[-/](\d\d)", value)
        if not m:
            return None
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    if len(value) <= 10:
        return dt.date().isoformat()
    return dt.isoformat()


def text_date(text: str) -> str | None:
    """The first date written in the page's text (digits or an Arabic month name)."""
    text = text.translate(_DIGITS)
    found: list[tuple[int, str]] = []
    for pattern, shape in _TEXT_DATES:
        m = pattern.search(text)
        if not m:
            continue
        try:
            if shape == "ymd":
                day = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                iso = day.date().isoformat() + (f"T{m.group(4)}" if m.group(4) else "")
            elif shape == "dmy-name":
                iso = datetime(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1))
                               ).date().isoformat()
            else:
                iso = datetime(int(m.group(3)), int(m.group(2)), int(m.group(1))
                               ).date().isoformat()
        except ValueError:
            continue
        found.append((m.start(), iso))
    return min(found)[1] if found else None


_WEEKDAYS = ("الأحد", "الاحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الاربعاء", "الخميس",
             "الجمعة", "السبت")
_DATE_WORDS = re.compile("|".join(sorted(map(re.escape, (*MONTHS, *_WEEKDAYS)), key=len,
                                         reverse=True)) + r"|\d+|[ap]m|ص|م\b")


def is_date_line(text: str) -> bool:
    """A block that is a date with at most a short label ("تاريخ النشر: 9 أغسطس 2015")."""
    if not text_date(text):
        return False
    rest = re.findall(r"\w+", _DATE_WORDS.sub(" ", text.translate(_DIGITS)))
    return len(rest) <= 3


def page_date(doc: Any, ld: dict[str, Any], body_text: str, url: str | None = None
              ) -> str | None:
    for value in (ld.get("datePublished"), ld.get("dateCreated"),
                  _meta(doc, "article:published_time", "datePublished", "pubdate",
                        "publishdate", "date", "dc.date", "DC.date.issued", "og:published_time",
                        "sailthru.date", "parsely-pub-date")):
        if isinstance(value, str) and iso_date(value):
            return iso_date(value)
    for el in doc.xpath('//*[@itemprop="datePublished"] | //time[@datetime]'):
        value = el.get("datetime") or el.get("content") or _text(el)
        if value and iso_date(value):
            return iso_date(value)
    for el in doc.xpath("//time"):
        found = text_date(_text(el))
        if found:
            return found
    found = text_date(body_text)
    if found:
        return found
    m = re.search(r"/((?:19|20)\d\d)[/-](\d\d)[/-](\d\d)(?:/|$)", url or "")  # /2015/08/09/
    return iso_date(f"{m.group(1)}-{m.group(2)}-{m.group(3)}") if m else None


# --- everything -------------------------------------------------------------------------------

def host_of(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


# what browsers write at the top of a saved page ("Save as": the address it came from)
SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)


def saved_from(html: str) -> str | None:
    m = SAVED_FROM.search(html[:2048])
    return m.group(1) if m else None


def page_meta(doc: Any, url: str | None) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(meta without the date, the JSON-LD article, the site's names for title stripping).
    `url`: where the page was fetched from, if known (else a saved page's own note, or its
    <base href>)."""
    ld = json_ld(doc)
    meta: dict[str, Any] = {}
    base = next((el.get("href") for el in doc.xpath("//base[@href]")), None)
    url = url or (base if base and urlsplit(base).hostname else None)
    canonical = next((el.get("href") for el in doc.xpath('//link[@rel="canonical"]')
                      if el.get("href")), None) or _meta(doc, "og:url")
    if canonical and (urlsplit(canonical).scheme or url):
        canonical = urljoin(url or "", canonical)
    if canonical or url:
        meta["url"] = canonical or url
    site = (_meta(doc, "og:site_name", "application-name")
            or _name((ld.get("publisher") or {}) if isinstance(ld.get("publisher"), dict)
                     else None))
    host = host_of(meta.get("url"))
    # the site's name as its pages link home (a logo in an <h1> is not the headline)
    home = [t for t in (_text(a) for a in doc.xpath("//a[@href]")
                        if urlsplit(a.get("href")).path in ("", "/", "/index.html")
                        and not urlsplit(a.get("href")).query
                        and host_of(urljoin(meta.get("url") or "", a.get("href"))) == host)
            if t and len(t.split()) <= 5][:3]
    site = site or (home[0] if home else None)
    if site:
        meta["site"] = site
    elif host:
        meta["site"] = host
    author = _name(ld.get("author")) or _meta(doc, "author", "article:author", "dc.creator")
    if not author:
        byline = doc.xpath('//*[@rel="author" or @itemprop="author"]')
        author = _text(byline[0]) if byline else None
    if author and not author.startswith("http"):
        meta["author"] = author
    sites = [s for s in (site, *home, _name(ld.get("publisher")), host,
                         (host or "").split(".")[0]) if s]
    return meta, ld, sites


def parse(text: str) -> Any:
    """The page's tree (lxml, as lenient as a browser); bytes-declared encodings are ignored."""
    text = re.sub(r"\A\s*<\?xml[^>]*>", "", text)
    try:
        return lhtml.document_fromstring(text or "<html></html>")
    except (ValueError, lhtml.etree.ParserError):
        return lhtml.document_fromstring("<html><body></body></html>")
