"""What the readers yield: `Article` (or an error Article in its place), the `Fields` that hold
its text, title and id, the `ReadOptions` that bound it, and the turning of one JSON object,
CSV row or whole document into an Article.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from arabic_digest.errors import ArabicDigestError
from arabic_digest.inputs.htmltext import looks_like_html
from arabic_digest.inputs.pages import extract_page
from arabic_digest.text import escape_surrogates, has_surrogate, scalar

# html/raw last: scraped corpora keep the raw page there (it goes through the page extractor)
TEXT_FIELDS = ("text", "body", "content", "article", "html", "raw_html", "raw")
TITLE_FIELDS = ("title", "headline")
ID_FIELDS = ("id",)
DEFAULT_MAX_ARTICLE_CHARS = 200_000


class InputError(ArabicDigestError):
    """An input that cannot be read at all (missing file, unknown format)."""


@dataclass
class Article:
    id: str
    text: str | None
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    origin: str = ""  # "<file>:<line>", for messages
    error: dict[str, str] | None = None  # set when the input itself was bad
    # Set when the item is not an article at all (a crawl's request, redirect, image...): why.
    # Readers yield these so that they can be counted; `read_inputs` never passes them on.
    passed_over: str | None = None
    # The fields that held lone surrogates, as read, each surrogate written `\\udXXX`
    # (the record's source.escaped); the fields themselves hold U+FFFD instead.
    escaped: dict[str, Any] | None = None
    # what the page extractor dropped ({"kind": "page", "reason", "text"}): clean.removed
    removed: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Fields:
    """Which fields hold the text, title and id; None means detect."""

    text: str | None = None
    title: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class ReadOptions:
    """How to decode and bound inputs (see encodings.py)."""

    encoding: str | None = None  # None: detect per file
    max_article_chars: int | None = DEFAULT_MAX_ARTICLE_CHARS  # None: no limit


def too_long(art_id: str, origin: str, n: int, opts: ReadOptions, meta: dict,
              title: str | None = None, at_least: bool = False) -> Article:
    meta = {**meta, "text_chars": n}
    size = f"at least {n}" if at_least else str(n)
    msg = (f"{origin}: article of {size} characters is over --max-article-chars "
           f"{opts.max_article_chars}; raise the limit to process it")
    return Article(art_id, None, title, meta, origin, read_error("ArticleTooLong", msg))


def set_encoding(meta: dict[str, Any], encoding: str) -> None:
    # Never overwrite an input field that happens to be called "encoding".
    meta["input_encoding" if "encoding" in meta else "encoding"] = encoding


def pick(keys: Iterable[str], wanted: str | None, candidates: tuple[str, ...]) -> str | None:
    keys = list(keys)
    if wanted is not None:
        return wanted if wanted in keys else None
    lowered = {k.lower(): k for k in keys}
    for name in candidates:
        if name in lowered:
            return lowered[name]
    return None


def article_from_mapping(obj: Any, origin: str, fields: Fields,
                         opts: ReadOptions | None = None, encoding: str | None = None) -> Article:
    """Turn one JSON object / CSV row into an Article (or an error Article)."""
    art = _from_mapping(obj, origin, fields)
    if encoding:
        set_encoding(art.meta, encoding)
    if art.error or art.text is None:
        return art
    opts = opts or ReadOptions()
    limit = opts.max_article_chars
    if looks_like_html(art.text):
        if limit is not None and len(art.text) > 4 * limit:  # far over even after stripping
            return too_long(art.id, origin, len(art.text), opts, art.meta, art.title)
        url = next((art.meta[k] for k in ("url", "link", "source_url")
                    if isinstance(art.meta.get(k), str)), None)
        page = extract_page(art.text, url)
        art.text = page.text
        art.meta["converted_from"] = "html"
        for key, value in page.meta.items():  # the row's own fields win
            art.meta.setdefault(key, value)
        art.title = art.title or page.title
        art.removed = page.removed
    if limit is not None and len(art.text) > limit:
        return too_long(art.id, origin, len(art.text), opts, art.meta, art.title)
    return art


def _from_mapping(obj: Any, origin: str, fields: Fields) -> Article:
    if not isinstance(obj, dict):
        got = type(obj).__name__
        return bad_article(origin, "ValueError", f"expected a JSON object, got {got}")
    id_key = pick(obj, fields.id, ID_FIELDS)
    text_key = pick(obj, fields.text, TEXT_FIELDS)
    title_key = pick(obj, fields.title, TITLE_FIELDS)
    raw_id = obj.get(id_key) if id_key else None
    art_id = str(raw_id) if raw_id not in (None, "") else origin
    meta = {k: v for k, v in obj.items() if k not in {id_key, text_key, title_key}}
    title = obj.get(title_key) if title_key else None
    if title is not None and not isinstance(title, str):
        title = str(title)
    if text_key is None:
        wanted = fields.text or "|".join(TEXT_FIELDS)
        message = f"{origin}: no text field ({wanted})"
        return Article(art_id, None, title, meta, origin, read_error("KeyError", message))
    text = obj[text_key]
    if not isinstance(text, str):
        got = type(text).__name__
        msg = f"{origin}: field {text_key!r} is {got}, not a string"
        return Article(art_id, None, title, meta, origin, read_error("TypeError", msg))
    return Article(art_id, text, title, meta, origin)


def read_error(kind: str, message: str) -> dict[str, str]:
    return {"stage": "read", "type": kind, "message": message}


def bad_article(origin: str, kind: str, message: str) -> Article:
    return Article(origin, None, None, {}, origin, read_error(kind, f"{origin}: {message}"))



def one_page(art_id: str, origin: str, text: str, title: str | None, encoding: str,
              opts: ReadOptions, meta: dict[str, Any]) -> Article:
    """A whole document (a file, a crawled page) as one article, within the length limit."""
    set_encoding(meta, encoding)
    if opts.max_article_chars is not None and len(text) > opts.max_article_chars:
        return too_long(art_id, origin, len(text), opts, meta, title)
    return Article(art_id, text, title, meta, origin)



def scalar_article(art: Article) -> Article:
    """The article with every string valid Unicode: a lone surrogate (a JSON "\\ud800"
    escape, a file name's undecodable byte) becomes U+FFFD here, once, so no later stage
    (story hashes, SQLite, CSV, Parquet, the terminal) meets one; what the fields held is kept
    in `escaped`."""
    escaped: dict[str, Any] = {}
    for name in ("id", "title", "text"):
        value = getattr(art, name)
        if isinstance(value, str) and has_surrogate(value):
            escaped[name] = escape_surrogates(value)
            setattr(art, name, scalar(value))
    art.origin = scalar(art.origin)
    if art.error:
        art.error = {k: scalar(v) for k, v in art.error.items()}
    try:  # keys and nested values alike
        raw = json.dumps(art.meta, ensure_ascii=False, default=str)
    except (RecursionError, ValueError):
        raw = ""
    if has_surrogate(raw):
        art.meta = json.loads(scalar(raw))
        # Written `\\udXXX` inside the JSON text, so it reads back as those six characters.
        escaped["meta"] = json.loads(re.sub("[\ud800-\udfff]",
                                            lambda m: f"\\\\u{ord(m.group()):04x}", raw))
    if escaped:
        art.escaped = escaped
    return art
