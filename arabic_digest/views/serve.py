"""`arabic-digest serve`: the archive as a local web app (Starlette, served by uvicorn).

Pages: the latest day's briefing by story, search, an article with its Arabic and English
side by side (the report's layout, reused), a story across outlets and days, a concordance;
and the same data as JSON under /api/. The database is opened read-only (`mode=ro`) after a
quick_check, every query is parameterised (archive.py), and pages go through Jinja2's
autoescaping with a Content-Security-Policy that lets nothing but the page's own script run and
nothing be fetched. Every list is paginated, and a long article pages by sentences, so a page
stays small whatever the archive or the article.

Hostile requests (#36): a Host header other than the server's own is refused (DNS rebinding),
every response carries the security headers, a search has capped terms and a time budget (503
past it, and shutdown interrupts it), a route id that is not a plain integer is a 404, and a
database that goes bad while serving answers 503 with a message.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
import socket
import sqlite3
import sys
import threading
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from arabic_digest import archive
from arabic_digest.archive import Filters
from arabic_digest.text import cut
from arabic_digest.views.report import Para, _csp, _resource, article_view, environment

PAGE = 20  # search hits, stories and concordance lines per page
STORY_PAGE = 100
ARTICLE_SEGMENTS = 400  # sentences of one article per page (a very long article pages too)
# The text of one article page, in UTF-8 bytes (each sentence counted with its markup): with
# the page's CSS and header it stays under 250 kB however long a paragraph or a sentence is.
PAGE_TEXT_BYTES = 120_000
FIELD_CHARS = 5_000  # a title, summary, removed text or source text shown on a page
RECORD_BYTES = 200_000  # a JSON record over this is paged by sentences, its bulk left out
SEARCH_BUDGET_S = 2.0  # a search or concordance running longer answers 503
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
# On every response, JSON and error pages included; pages set their own (stricter) CSP.
SECURITY_HEADERS = {"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
                    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                    "X-Frame-Options": "DENY", "Cross-Origin-Resource-Policy": "same-origin"}


class Archive:
    """One read-only connection per server thread (sqlite3 connections are not shared)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        archive.verify(db)  # fails now if it is corrupt or not an archive
        self._local = threading.local()
        self.stop = threading.Event()  # set on shutdown: running queries stop

    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = archive.connect(self.db, readonly=True)
        return conn


# Embeddings, overrides and isolates reorder what follows them (an outlet named with U+202E
# shows its letters, and the rest of the line, reversed); marks such as RLM only nudge.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def shown_bidi(value: Any) -> Any:
    """Every value a template prints: a bidi control is shown as its escape, not obeyed."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _BIDI_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    return value


def host_name(header: str) -> str:
    """The name in a Host header, lower-cased, without its port ("" when there is none)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[:header.find("]") + 1]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def allowed_hosts(host: str) -> frozenset[str]:
    """The Host names a request may carry: the address the server is bound to, localhost, and
    for a wildcard bind this machine's own name and addresses."""
    bound = f"[{host}]" if ":" in host and not host.startswith("[") else host
    names = {*LOOPBACK_NAMES, bound.lower()}
    if host in ("0.0.0.0", "::", ""):
        try:
            name = socket.gethostname()
            names |= {name.lower(), socket.getfqdn().lower(),
                      *socket.gethostbyname_ex(name)[2]}
        except OSError:
            pass
    return frozenset(names)


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Guard:
    """Outermost layer: refuses (400) a request whose Host is not this server (a page on any
    site could otherwise read the archive by DNS rebinding), and puts the security headers on
    every response, Starlette's own 404, 405 and 500 included."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str], stop: threading.Event) -> None:
        self.app, self.hosts = app, hosts
        self.stop = stop  # set on shutdown (serve): running queries stop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        host = Headers(scope=scope).get("host", "")
        if host_name(host) not in self.hosts:
            refused = PlainTextResponse(
                f"Host {host[:100]!r} is not this server; use http://localhost or the address "
                "it serves on\n", status_code=400)
            await refused(scope, receive, secured)
            return
        await self.app(scope, receive, secured)


def _key(request: Request) -> int | None:
    """A route's article key: a plain integer of at most 18 digits, else None (404)."""
    value = request.path_params["key"]
    return int(value) if re.fullmatch(r"[0-9]{1,18}", value) else None


def article_pages(paragraphs: list[Para], budget: int = PAGE_TEXT_BYTES,
                  most: int = ARTICLE_SEGMENTS) -> list[list[Para]]:
    """The paragraphs cut into pages of at most `most` sentences and about `budget` bytes:
    a paragraph that does not fit is cut between its sentences, and a sentence that alone is
    over the budget has a page of its own with its text cut (FIELD_CHARS each side)."""
    pages: list[list[Para]] = [[]]
    size = count = 0

    def room(cost: int) -> None:
        nonlocal size, count
        if pages[-1] and (size + cost > budget or count + 1 > most):
            pages.append([])
            size = count = 0

    for para in paragraphs:
        if not para.targets:  # no alignment: one block of text, cut to size
            text = (para.target_text or "")[:FIELD_CHARS]
            parts = [(t[:FIELD_CHARS], None) for t, _ in para.source_parts]
            cost = sum(len(t.encode()) for t, _ in parts) + len(text.encode()) + 200
            room(cost)
            pages[-1].append(Para(parts, [], text))
            size += cost
            continue
        piece: Para | None = None
        for text, seg in para.source_parts:
            if seg is None:
                cost = len(text[:FIELD_CHARS].encode())
                seg_part: tuple[str, Any] = (text[:FIELD_CHARS], None)
            else:
                if len(seg.source) > FIELD_CHARS or len(seg.target) > FIELD_CHARS:
                    seg = replace(seg, source=seg.source[:FIELD_CHARS] + "…",
                                  target=seg.target[:FIELD_CHARS] + "…", marks={})
                cost = len(seg.source.encode()) + len(seg.target.encode()) + 600  # markup
                seg_part = (text, seg)
                before = len(pages)
                room(cost)
                count += 1
                if len(pages) != before:
                    piece = None
            if piece is None:
                piece = Para([], [])
                pages[-1].append(piece)
            piece.source_parts.append(seg_part)
            if seg_part[1] is not None:
                piece.targets.append(seg_part[1])
            size += cost
    return pages


def _bounded(value: Any) -> Any:
    """`value` with every string cut to FIELD_CHARS and every list to ARTICLE_SEGMENTS items."""
    if isinstance(value, str):
        return cut(value, FIELD_CHARS)
    if isinstance(value, list):
        return [_bounded(v) for v in value[:ARTICLE_SEGMENTS]]
    if isinstance(value, dict):
        return {k: _bounded(v) for k, v in value.items()}
    return value


def _bounded_record(rec: dict[str, Any], segments: range) -> dict[str, Any]:
    """A record too big for one answer, for the JSON API: only the page's sentences, the
    whole-article texts (source, cleaned and translated paragraphs) left out, and every other
    string and list cut; `left_out` names what is missing (the run's output file has it all)."""
    rec = dict(rec)
    left_out = []
    parts = {}
    for name in ("source", "clean", "translation"):
        parts[name] = rec[name] = dict(rec[name]) if isinstance(rec.get(name), dict) else {}
    for part, key in (("source", "text"), ("source", "escaped"), ("clean", "paragraphs"),
                      ("clean", "removed"), ("translation", "paragraphs")):
        if parts[part].get(key) is not None:
            parts[part][key] = None
            left_out.append(f"{part}.{key}")
    segs = parts["translation"].get("segments")
    if isinstance(segs, list):
        parts["translation"]["segments"] = segs[segments.start:segments.stop]
    try:
        rec = _bounded(rec)
    except RecursionError:  # metadata nested beyond reason
        parts["source"]["meta"] = None
        left_out.append("source.meta")
        rec = _bounded(rec)
    if len(json.dumps(rec, ensure_ascii=False).encode()) > RECORD_BYTES:
        rec["source"]["meta"] = None  # thousands of metadata fields
        left_out.append("source.meta")
    rec["left_out"] = left_out
    return rec


def _int(value: str | None, default: int, low: int = 1, high: int = 10**6) -> int:
    try:
        return min(max(int(value or default), low), high)
    except ValueError:
        return default


def _filters(q: Any) -> Filters:
    def get(name: str) -> str | None:
        value = (q.get(name) or "").strip()
        return value or None
    return Filters(outlet=get("outlet"), date_from=get("from"), date_to=get("to"),
                   story=get("story"), flag=get("flag"), status=get("status"))


def _query_with(params: Any, page: int) -> str:
    """The query string of `params` with another page (autoescaped where it is used)."""
    items = [(k, v) for k, v in (params.multi_items() if hasattr(params, "multi_items")
                                 else params.items()) if k != "page" and v]
    return urlencode([*items, ("page", str(page))])


def _lang(value: str | None) -> str:
    return "ar" if value == "ar" else "en"


def create_app(db: Path, host: str = "127.0.0.1",
               search_budget: float = SEARCH_BUDGET_S) -> Guard:
    """The web app over the archive `db`, answering requests addressed to `host` (the address
    it is bound to) or localhost."""
    store = Archive(db)
    env = environment()
    env.globals["query_with"] = _query_with
    env.finalize = shown_bidi
    css = Markup(_resource(env, "report.css") + _resource(env, "archive.css"))
    script = _resource(env, "report.js")
    csp = _csp(script).replace("form-action 'none'", "form-action 'self'") \
        + "; frame-ancestors 'none'"
    headers = {**SECURITY_HEADERS, "Content-Security-Policy": csp}

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(css=css, script=Markup(script), csp=csp,
                                             **context)
        return HTMLResponse(html, status_code=status, headers=headers)

    def not_found(what: str) -> HTMLResponse:
        return page("archive_missing.html.j2", status=404, title="Not found", what=what)

    def problem(request: Request, status: int, title: str, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        return page("archive_problem.html.j2", status=status, title=title, message=message)

    def too_long(request: Request, exc: Exception) -> Response:
        return problem(request, 400, "Query too long", str(exc))

    def busy(request: Request, exc: Exception) -> Response:
        return problem(request, 503, "Search stopped", str(exc))

    def unreadable(request: Request, exc: Exception) -> Response:
        # A database damaged (or truncated) while serving: a message, never a traceback.
        print(f"arabic-digest: error: {db} cannot be read: {type(exc).__name__}: {exc}",
              file=sys.stderr, flush=True)
        return problem(request, 503, "Archive unreadable",
                       "The archive cannot be read right now (its file is damaged or being "
                       "replaced); check it with `arabic-digest search`, or index the runs "
                       "again into a new archive.")

    def pages(total: int, per: int) -> int:
        return max(1, math.ceil(total / per))

    def briefing(request: Request) -> Response:
        conn = store.conn()
        day = request.query_params.get("day") or archive.latest_day(conn)
        n = _int(request.query_params.get("page"), 1)
        total, stories = archive.briefing(conn, day, PAGE, (n - 1) * PAGE)
        days = [r[0] for r in conn.execute(
            "SELECT DISTINCT day FROM articles WHERE day IS NOT NULL ORDER BY day DESC LIMIT 14")]
        return page("archive_briefing.html.j2", title=f"Briefing {day or ''}".strip(), day=day,
                    stories=stories, total=total, page=n, pages=pages(total, PAGE), days=days,
                    stats=archive.stats(conn))

    def search(request: Request) -> Response:
        conn = store.conn()
        q = request.query_params.get("q", "")
        lang = _lang(request.query_params.get("lang"))
        n = _int(request.query_params.get("page"), 1)
        filters = _filters(request.query_params)
        result = archive.search(conn, q, lang, filters, PAGE, (n - 1) * PAGE,
                                search_budget, store.stop)
        return page("archive_search.html.j2", title=f"Search: {q}" if q else "Search", q=q,
                    lang=lang, result=result, filters=filters, page=n,
                    pages=pages(result.total, PAGE), outlets=archive.stats(conn)["outlets"],
                    params=request.query_params)

    def article(request: Request) -> Response:
        conn = store.conn()
        key = _key(request)
        found = archive.article(conn, key) if key is not None else None
        if found is None:
            return not_found("article")
        row, rec = found
        view = article_view(rec, f"a-{row.key}", row.key)
        # A very long article pages by sentences, a paragraph cut between them if need be.
        chunks = article_pages(view.paragraphs)
        n = _int(request.query_params.get("page"), 1, high=len(chunks))
        view.paragraphs = chunks[n - 1]
        for name in ("title_en", "title_ar", "summary", "source_text", "error", "dateline"):
            setattr(view, name, cut(getattr(view, name), FIELD_CHARS))
        view.removed = [(k, cut(t, FIELD_CHARS // 10)) for k, t in view.removed[:50]]
        if len(view.summary) >= FIELD_CHARS:
            view.summary_pieces = [(view.summary, None)]
        others = [a for a in archive.articles_by_id(conn, row.id) if a.key != row.key]
        peers = archive.story(conn, row.story, 50)[1] if row.story else []
        return page("archive_article.html.j2",
                    title=cut(row.title_en or row.title_ar or row.id, 200),
                    row=row, a=view, page=n, pages=len(chunks), others=others[:20],
                    peers=[p for p in peers if p.key != row.key])

    def story(request: Request) -> Response:
        conn = store.conn()
        sid = request.path_params["story"]
        n = _int(request.query_params.get("page"), 1)
        total, rows = archive.story(conn, sid, STORY_PAGE, (n - 1) * STORY_PAGE)
        if not total:
            return not_found("story")
        lead = next((r for r in rows if r.story_role == "lead"), rows[0])
        return page("archive_story.html.j2", title=lead.title_en or lead.title_ar or sid,
                    story=sid, rows=rows, total=total, page=n, pages=pages(total, STORY_PAGE),
                    outlets=sorted({r.outlet for r in rows if r.outlet}),
                    days=sorted({r.day for r in rows if r.day}))

    def concordance(request: Request) -> Response:
        conn = store.conn()
        q = request.query_params.get("q", "")
        n = _int(request.query_params.get("page"), 1)
        filters = _filters(request.query_params)
        result = archive.concordance(conn, q, filters, PAGE * 2, (n - 1) * PAGE * 2,
                                     search_budget, store.stop)
        return page("archive_concordance.html.j2", title=f"Concordance: {q}" if q
                    else "Concordance", q=q, result=result, page=n,
                    pages=pages(result.total, PAGE * 2), params=request.query_params)

    # --- JSON ------------------------------------------------------------------------------

    def api_search(request: Request) -> Response:
        conn = store.conn()
        q = request.query_params.get("q", "")
        lang = request.query_params.get("lang", "en")
        if lang not in ("en", "ar"):
            return JSONResponse({"error": "lang must be en or ar"}, status_code=400)
        limit = _int(request.query_params.get("limit"), PAGE, 1, 100)
        offset = _int(request.query_params.get("offset"), 0, 0)
        result = archive.search(conn, q, lang, _filters(request.query_params), limit, offset,
                                search_budget, store.stop)
        return JSONResponse({"query": q, "lang": lang, "total": result.total,
                             "offset": offset, "hits": [h.to_json() for h in result.hits]})

    def api_article(request: Request) -> Response:
        key = _key(request)
        found = archive.article(store.conn(), key) if key is not None else None
        if found is None:
            return JSONResponse({"error": "no such article"}, status_code=404)
        row, rec = found
        if len(json.dumps(rec, ensure_ascii=False).encode()) <= RECORD_BYTES:
            return JSONResponse({**row.to_json(), "record": rec, "page": 1, "pages": 1})
        # Too big for one answer: the sentences by pages, as the article's HTML pages them.
        chunks = article_pages(article_view(rec, "a", row.key).paragraphs)
        n = _int(request.query_params.get("page"), 1, high=len(chunks))
        segs = [s.n for p in chunks[n - 1] for s in p.targets]
        window = range(min(segs), max(segs) + 1) if segs else range(0)
        return JSONResponse({**row.to_json(), "record": _bounded_record(rec, window),
                             "page": n, "pages": len(chunks)})

    def api_story(request: Request) -> Response:
        offset = _int(request.query_params.get("offset"), 0, 0)
        total, rows = archive.story(store.conn(), request.path_params["story"], STORY_PAGE,
                                    offset)
        if not total:
            return JSONResponse({"error": "no such story"}, status_code=404)
        return JSONResponse({"story": request.path_params["story"], "total": total,
                             "offset": offset, "articles": [r.to_json() for r in rows]})

    def api_concordance(request: Request) -> Response:
        offset = _int(request.query_params.get("offset"), 0, 0)
        c = archive.concordance(store.conn(), request.query_params.get("q", ""),
                                _filters(request.query_params), PAGE * 2, offset,
                                search_budget, store.stop)
        return JSONResponse({"query": c.phrase, "total": c.total, "offset": offset,
                             "renderings": [{"word": w, "pairs": n, "dice": round(d, 3)}
                                            for w, n, d in c.renderings],
                             "lines": [{"article": ln.article, "id": ln.article_id,
                                        "run": ln.run, "sentence": ln.n,
                                        "ar": "".join(t for t, _ in ln.ar),
                                        "en": "".join(t for t, _ in ln.en),
                                        "en_marked": [t for t, m in ln.en if m]}
                                       for ln in c.lines]})

    routes = [
        Route("/", briefing), Route("/search", search),
        Route("/articles/{key}", article), Route("/stories/{story:path}", story),
        Route("/concordance", concordance),
        Route("/api/search", api_search), Route("/api/articles/{key}", api_article),
        Route("/api/stories/{story:path}", api_story), Route("/api/concordance", api_concordance),
    ]
    app = Starlette(routes=routes, exception_handlers={
        archive.QueryTooLong: too_long, archive.Busy: busy,
        sqlite3.DatabaseError: unreadable, zlib.error: unreadable,
        archive.ArchiveError: unreadable})
    return Guard(app, allowed_hosts(host), store.stop)


def serve(db: Path, host: str = "127.0.0.1", port: int = 8000,
          search_budget: float = SEARCH_BUDGET_S) -> None:
    import uvicorn

    app = create_app(db, host, search_budget)
    stop = app.stop

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            stop.set()  # a query running in a worker thread stops now, not when it is done
            super().handle_exit(sig, frame)

    if not is_loopback(host):
        print(f"arabic-digest: warning: serving on {host}, not a loopback address: anyone who "
              "can reach this machine can read the archive (there is no login)",
              file=sys.stderr, flush=True)
    print(f"arabic-digest: serving {db} on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=5)
    Server(config).run()
