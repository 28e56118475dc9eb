"""`arabic-digest serve`: the archive as a local web app (Starlette, served by uvicorn).

Pages: the latest day's briefing by story, search, an article with its Arabic and English side
by side (the report's layout, reused), a story across outlets and days, a concordance. Each
view is one function answering data (`Answer`): the page renders it with a template, and the
same route under /api/ answers it as JSON, so the two never disagree. An article is addressed
by its record id, URL-encoded (`/articles/{id}`), the latest run's version unless `?run=`
names another (a run id, its prefix, or an output file's name). The database is opened
read-only (`mode=ro`) after a quick_check, every query is parameterised (the archive's query
module), and pages go through Jinja2's autoescaping with a Content-Security-Policy that lets
nothing but the page's own script run and nothing be fetched. Every list is paginated, and a
long article pages by sentences, so a page stays small whatever the archive or the article.

Hostile requests (#36): a Host header other than the server's own is refused (DNS rebinding),
every response carries the security headers, a search has capped terms and a time budget (503
past it, and shutdown interrupts it), a route id over ID_CHARS characters is a 404 without a
lookup, and a database that goes bad while serving answers 503 with a message."""

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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes, urlencode

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
from arabic_digest.views.report import Para, article_view, environment, page_csp, resource

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
                                 else params.items()) if k not in ("page", "offset") and v]
    return urlencode([*items, ("page", str(page))])


def _lang(value: str | None) -> str:
    """A search's language: en (the default) or ar; anything else is a 400, on the page and
    the API alike."""
    if value in (None, "", "en", "ar"):
        return value or "en"
    raise Problem(400, "Unknown language", "lang must be en or ar")


ID_CHARS = 1_000  # a route's record id longer than this is a 404 without a lookup
RUN_CHARS = 200  # and so is a `run` parameter longer than this


def article_url(rec_id: str, run_id: str | None = None, api: bool = False) -> str:
    """The address of an article (its page, or with `api` its JSON): its record id,
    URL-encoded whole (an id may hold `/`, `?`, `#`, spaces, Arabic), and `?run=` the run
    whose version it is (without it, the latest run's)."""
    url = ("/api/articles/" if api else "/articles/") + quote(rec_id, safe="")
    return url + "?" + urlencode({"run": run_id}) if run_id else url


def route_id(request: Request) -> str:
    """The record id of an article's route, decoded once from the path as the client sent it
    (an id may hold `%`: the decoded path cannot tell `%2F` in an id from `/`)."""
    raw = request.scope.get("raw_path")
    prefix = b"/api/articles/" if request.url.path.startswith("/api/") else b"/articles/"
    if isinstance(raw, bytes) and raw.startswith(prefix):
        return unquote_to_bytes(raw[len(prefix):]).decode("utf-8", "replace")
    return str(request.path_params["id"])


class Problem(Exception):
    """A request the archive cannot answer: the status, a title for the page, the message
    (the API's `error`); `missing` names what a 404 did not find."""

    def __init__(self, status: int, title: str, message: str, missing: str = "") -> None:
        super().__init__(message)
        self.status, self.title, self.message, self.missing = status, title, message, missing


def _missing(what: str) -> Problem:
    return Problem(404, "Not found", f"no such {what}", missing=what)


@dataclass
class Answer:
    """What a view answers, one function for both: `data` is the JSON answer (its objects'
    to_json()), and the HTML page renders `template` with `page`, which holds what the data
    does plus what only the page needs (its pager, its form's choices)."""

    data: Any
    template: str
    title: str
    page: dict[str, Any] = field(default_factory=dict)


def jsonable(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def _window(q: Any, per: int, most: int = 100) -> tuple[int, int, int]:
    """(limit, offset, page) of a list: `limit` and `offset` when given (the API's), else
    `page` (the pages'), `per` to a page."""
    limit = _int(q.get("limit"), per, 1, max(per, most))
    page = _int(q.get("page"), 1)
    offset = _int(q.get("offset"), (page - 1) * limit, 0) if q.get("offset") else \
        (page - 1) * limit
    return limit, offset, offset // limit + 1


def _pages(total: int, per: int) -> int:
    return max(1, math.ceil(total / per))


class Views:
    """The archive's views: each reads the request's parameters, asks the archive (its query
    module holds every SQL statement) and answers an Answer, served as a page or, under
    /api/, as JSON."""

    def __init__(self, store: Archive, search_budget: float) -> None:
        self.store, self.search_budget = store, search_budget

    def briefing(self, request: Request) -> Answer:
        conn, q = self.store.conn(), request.query_params
        day = q.get("day") or archive.latest_day(conn)
        limit, offset, n = _window(q, PAGE)
        total, stories = archive.briefing(conn, day, limit, offset)
        days, stats = archive.recent_days(conn), archive.stats(conn)
        data = {"day": day, "total": total, "offset": offset, "stories": stories,
                "days": days, "stats": stats}
        return Answer(data, "archive_briefing.html.j2", f"Briefing {day or ''}".strip(),
                      {**data, "page": n, "pages": _pages(total, limit)})

    def search(self, request: Request) -> Answer:
        conn, q = self.store.conn(), request.query_params
        text, lang = q.get("q", ""), _lang(q.get("lang"))
        limit, offset, n = _window(q, PAGE)
        filters = _filters(q)
        result = archive.search(conn, text, lang, filters, limit, offset, self.search_budget,
                                self.store.stop)
        return Answer(result, "archive_search.html.j2", f"Search: {text}" if text else "Search",
                      {"q": text, "lang": lang, "result": result, "filters": filters,
                       "page": n, "pages": _pages(result.total, limit),
                       "outlets": archive.stats(conn)["outlets"], "params": q})

    def article(self, request: Request) -> Answer:
        conn, q = self.store.conn(), request.query_params
        rid, run = route_id(request), q.get("run")
        if len(rid) > ID_CHARS or (run is not None and len(run) > RUN_CHARS):
            raise _missing("article")
        found = archive.article_by_id(conn, rid, run)
        if found is None:
            raise _missing("article")
        row, rec = found
        view = article_view(rec, f"a-{row.key}", row.key)
        # A very long article pages by sentences, a paragraph cut between them if need be.
        chunks = article_pages(view.paragraphs)
        n = _int(q.get("page"), 1, high=len(chunks))
        if len(json.dumps(rec, ensure_ascii=False).encode()) <= RECORD_BYTES:
            data = {**row.to_json(), "record": rec, "page": 1, "pages": 1}
        else:  # too big for one answer: the sentences by pages, as the HTML pages them
            segs = [s.n for p in chunks[n - 1] for s in p.targets]
            window = range(min(segs), max(segs) + 1) if segs else range(0)
            data = {**row.to_json(), "record": _bounded_record(rec, window), "page": n,
                    "pages": len(chunks)}
        view.paragraphs = chunks[n - 1]
        for name in ("title_en", "title_ar", "summary", "source_text", "error", "dateline"):
            setattr(view, name, cut(getattr(view, name), FIELD_CHARS))
        view.removed = [(k, cut(t, FIELD_CHARS // 10)) for k, t in view.removed[:50]]
        if len(view.summary) >= FIELD_CHARS:
            view.summary_pieces = [(view.summary, None)]
        others = [a for a in archive.articles_by_id(conn, row.id) if a.key != row.key]
        peers = archive.story(conn, row.story, 50)[1] if row.story else []
        return Answer(data, "archive_article.html.j2",
                      cut(row.title_en or row.title_ar or row.id, 200),
                      {"row": row, "a": view, "page": n, "pages": len(chunks),
                       "others": others[:20], "peers": [p for p in peers if p.key != row.key],
                       "params": {"run": run} if run else {}})

    def story(self, request: Request) -> Answer:
        conn, q = self.store.conn(), request.query_params
        sid = request.path_params["story"]
        limit, offset, n = _window(q, STORY_PAGE)
        total, rows = archive.story(conn, sid, limit, offset)
        if not total:
            raise _missing("story")
        lead = next((r for r in rows if r.story_role == "lead"), rows[0]) if rows else None
        data = {"story": sid, "total": total, "offset": offset, "articles": rows}
        return Answer(data, "archive_story.html.j2",
                      (lead.title_en or lead.title_ar) if lead else sid,
                      {"story": sid, "rows": rows, "total": total, "page": n,
                       "pages": _pages(total, limit),
                       "outlets": sorted({r.outlet for r in rows if r.outlet}),
                       "days": sorted({r.day for r in rows if r.day})})

    def concordance(self, request: Request) -> Answer:
        conn, q = self.store.conn(), request.query_params
        text = q.get("q", "")
        limit, offset, n = _window(q, PAGE * 2)
        result = archive.concordance(conn, text, _filters(q), limit, offset,
                                     self.search_budget, self.store.stop)
        return Answer(result, "archive_concordance.html.j2",
                      f"Concordance: {text}" if text else "Concordance",
                      {"q": text, "result": result, "page": n,
                       "pages": _pages(result.total, limit), "params": q})


def create_app(db: Path, host: str = "127.0.0.1",
               search_budget: float = SEARCH_BUDGET_S) -> Guard:
    """The web app over the archive `db`, answering requests addressed to `host` (the address
    it is bound to) or localhost."""
    store = Archive(db)
    views = Views(store, search_budget)
    env = environment()
    env.globals["query_with"] = _query_with
    env.globals["article_url"] = article_url
    env.finalize = shown_bidi
    css = Markup(resource(env, "report.css") + resource(env, "archive.css"))
    script = resource(env, "report.js")
    csp = page_csp(script, form_action="'self'") + "; frame-ancestors 'none'"
    headers = {**SECURITY_HEADERS, "Content-Security-Policy": csp}

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(css=css, script=Markup(script), csp=csp,
                                             **context)
        return HTMLResponse(html, status_code=status, headers=headers)

    def problem(request: Request, status: int, title: str, message: str,
                missing: str = "") -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        if missing:
            return page("archive_missing.html.j2", status=status, title=title, what=missing)
        return page("archive_problem.html.j2", status=status, title=title, message=message)

    def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem(request, exc.status, exc.title, exc.message, exc.missing)

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

    def as_page(view: Callable[[Request], Answer]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            answer = view(request)
            return page(answer.template, title=answer.title, **answer.page)
        return endpoint

    def as_json(view: Callable[[Request], Answer]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            return JSONResponse(jsonable(view(request).data))
        return endpoint

    routes = []
    for path, view in (("/", views.briefing), ("/search", views.search),
                       ("/articles/{id:path}", views.article),
                       ("/stories/{story:path}", views.story),
                       ("/concordance", views.concordance)):
        api = "/api/briefing" if path == "/" else "/api" + path
        routes += [Route(path, as_page(view)), Route(api, as_json(view))]
    app = Starlette(routes=routes, exception_handlers={
        Problem: refused, archive.QueryTooLong: too_long, archive.Busy: busy,
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
