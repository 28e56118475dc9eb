"""Web archives: WARC and ARC files (`.warc`, `.warc.gz`, `.arc.gz`), streamed with warcio.

Each HTML response (HTTP 200, an HTML content type) is one page, and one article: its id is
its target URI (stable, and unique wherever the same page is not captured twice). It goes
through the same extractor as a saved `.html` file (`pages.extract_page`), decoded as a
browser would (the HTTP charset among the rest). Everything else in a crawl is not an article
and is passed over, counted by reason (`readers.PASSED_OVER`): requests, metadata and warcinfo
records, revisits (deduplicated captures), redirects, HTTP errors, payloads that are not HTML,
and pages that are not in Arabic (a cheap look before any extraction,
`pages.is_probably_arabic_page`). A truncated or corrupt record ends its file with one error
record naming the byte offset; what was read before it is kept and the run goes on with the
next input. Records are read one at a time, so memory does not grow with the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from arabic_digest.inputs.articles import Article, Fields, ReadOptions, one_page, read_error
from arabic_digest.inputs.compressed import open_binary, split_suffix
from arabic_digest.inputs.pagemeta import decode_html
from arabic_digest.inputs.pages import extract_page, is_probably_arabic_page
from arabic_digest.inputs.readers import Source

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def _passed(src: Source, offset: int, reason: str) -> Article:
    return Article(f"{src.label}@{offset}", None, origin=f"{src.label}@{offset}",
                   passed_over=reason)


def _broken(src: Source, offset: int, why: str) -> Article:
    at = f"{src.label}@{offset}"
    return Article(at, None, None, {"path": str(src.path)}, at, read_error(
        "CorruptRecord", f"{src.label}: truncated or corrupt record at byte offset {offset} "
        f"({why}); the records before it are kept"))


def _kind(record: Any) -> str | None:
    """Why a record is not a page, or None for an HTML response."""
    rtype = record.rec_type
    if rtype in ("request", "metadata", "warcinfo", "revisit"):
        return rtype
    if rtype not in ("response", "resource"):
        return "other"
    status = record.http_headers.get_statuscode() if record.http_headers else "200"
    if status and status.startswith("3"):
        return "redirect"
    if status and status != "200":
        return "http_error"
    ctype = (record.http_headers.get_header("Content-Type") if record.http_headers
             else record.rec_headers.get_header("Content-Type")) or ""
    if ctype.lower().split(";")[0].strip() not in _HTML_TYPES:
        return "not_html"
    return None


def read_warc(src: Source, fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    from warcio.archiveiterator import ArchiveIterator

    limit = opts.max_article_chars
    most = None if limit is None else 16 * limit  # markup around the text, at most
    # warcio reads gzip member by member itself; other compressions are undone on the way.
    compressed = split_suffix(src.path)[1]
    raw = compressed in (None, ".gz")
    fh = src.path.open("rb") if raw else open_binary(src.path)
    size = src.path.stat().st_size if raw else None
    with fh:
        records = ArchiveIterator(fh, arc2warc=True)
        end = 0  # where the last whole record ends
        while True:
            try:
                record = next(records)
                why = _kind(record)
                body = None if why else record.content_stream().read(
                    most + 1 if most is not None else -1)
                # (warcio reads the record to its end to know where it starts: after the body)
                offset = records.get_record_offset()
                end = offset + records.member_info[1]
            except StopIteration:
                # warcio ends quietly at a member cut short: bytes left past the last whole
                # record are one.
                if size is not None and size - end > 4:
                    yield _broken(src, end, "the file ends inside a record")
                return
            except Exception as exc:  # noqa: BLE001 - a broken record ends this file only
                yield _broken(src, end, f"{type(exc).__name__}: {exc}")
                return
            if why:
                yield _passed(src, offset, why)
                continue
            yield _page(src, record, body or b"", offset, opts, most)


def _page(src: Source, record: Any, body: bytes, offset: int, opts: ReadOptions,
          most: int | None) -> Article:
    """One HTML response as an article (or an error, or passed over as not Arabic)."""
    url = record.rec_headers.get_header("WARC-Target-URI") or f"{src.label}@{offset}"
    origin = f"{src.label}@{offset}"
    meta = {"url": url, "crawled": record.rec_headers.get_header("WARC-Date"),
            "path": str(src.path)}
    if most is not None and len(body) > most:
        meta["text_chars"] = len(body)
        return Article(url, None, None, meta, origin, read_error(
            "ArticleTooLong", f"{origin}: a page of over {most} bytes is over "
            f"--max-article-chars {opts.max_article_chars}; raise the limit to process it"))
    ctype = record.http_headers.get_header("Content-Type") if record.http_headers else None
    m = _CHARSET.search(ctype or "")
    # as a browser decides: --encoding, BOM, the HTTP charset, the page's <meta>, detection
    dec = decode_html(body, opts.encoding, m.group(1) if m else None)
    if not is_probably_arabic_page(dec.text):
        return _passed(src, offset, "not_arabic")
    page = extract_page(dec.text, url)
    art = one_page(url, origin, page.text, page.title, dec.encoding, opts,
                    {**meta, "converted_from": "html", **page.meta, "url": url})
    art.removed = page.removed
    return art
