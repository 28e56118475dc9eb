"""One article as every pass of a run sees it: its text and title made safe, its source
(the site or outlet, which boilerplate is learned and applied per), cleaned.

The boilerplate pass, the story pass, the run itself (article.py), `check` and `ad.clean`
all prepare an article here, so they judge the same text.
"""

from __future__ import annotations

from pathlib import PurePath
from urllib.parse import urlsplit

from arabic_digest.inputs.articles import Article
from arabic_digest.text import removed_entry, sanitize
from arabic_digest.translate.cleaning.clean import clean_article
from arabic_digest.translate.cleaning.options import CleanedArticle, CleanOptions

SOURCE_FIELDS = ("outlet", "site", "publisher", "source_name", "newspaper", "domain")
URL_FIELDS = ("url", "link", "source_url", "href")


def source_key(article: Article) -> str:
    """Which site an article comes from: an outlet field, else its URL's host, else its file
    (a folder of .txt files is one source). For a web page the URL's host comes first."""
    meta = article.meta
    # a web page's source is its site's host (its "site" field is the site's display name)
    names = (URL_FIELDS + SOURCE_FIELDS if meta.get("converted_from") == "html"
             else SOURCE_FIELDS + URL_FIELDS)
    for name in names:
        value = meta.get(name)
        if not isinstance(value, str) or not value.strip():
            continue
        if name in SOURCE_FIELDS:
            return value.strip()
        host = urlsplit(value.strip()).hostname
        if host:
            return host.removeprefix("www.")
    path = meta.get("path")
    if isinstance(path, str) and path:
        return str(PurePath(path).parent)
    return article.origin.rsplit(":", 1)[0] or "-"




def clean_text(text: str, title: str | None, options: CleanOptions,
               source: str | None = None) -> CleanedArticle:
    """One article's text and title made safe (textsafety) and cleaned; what was taken out
    is in `removed`. The one cleaning of `run`, `Pipeline` and `ad.clean`."""
    text, taken = sanitize(text)
    title, taken_title = sanitize(title) if title else (None, [])
    cleaned = clean_article(text, title, options, source=source)
    if taken or taken_title:
        cleaned.removed.append(removed_entry(taken_title + taken))
    return cleaned


def prepare_text(article: Article, options: CleanOptions) -> tuple[str, CleanedArticle]:
    """The article's source key and its cleaned text, with what its source's pages share
    (options.learned) taken out when something was learned."""
    key = source_key(article)
    source = key if options.learned is not None else None
    return key, clean_text(article.text or "", article.title, options, source)
