"""`arabic-digest serve`: the archive as a local web app (Starlette, served by uvicorn).

Pages: the latest day's briefing by story, search, an article with its Arabic and English
side by side (the report's layout, reused), a story across outlets and days, a concordance;
and the same data as JSON under /api/. The database is opened read-only (`mode=ro`), every
query is parameterised (archive.py), and pages go through Jinja2's autoescaping with a
Content-Security-Policy that lets nothing but the page's own script run and nothing be fetched.
Every list is paginated, so a page stays small whatever the archive's size.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from . import archive
from .archive import Filters
from .report import _csp, _resource, article_view, environment

PAGE = 20  # search hits, stories and concordance lines per page
STORY_PAGE = 100
ARTICLE_SEGMENTS = 400  # sentences of one article per page (a very long article pages too)


class Archive:
    """One read-only connection per server thread (sqlite3 connections are not shared)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        archive.connect(db, readonly=True).close()  # fails now if it is not an archive
        self._local = threading.local()

    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = archive.connect(self.db, readonly=True)
        return conn


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


def create_app(db: Path) -> Starlette:
    store = Archive(db)
    env = environment()
    env.globals["query_with"] = _query_with
    css = Markup(_resource(env, "report.css") + _resource(env, "archive.css"))
    script = _resource(env, "report.js")
    csp = _csp(script).replace("form-action 'none'", "form-action 'self'") \
        + "; frame-ancestors 'none'"
    headers = {"Content-Security-Policy": csp, "Referrer-Policy": "no-referrer",
               "X-Content-Type-Options": "nosniff"}

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(css=css, script=Markup(script), csp=csp,
                                             **context)
        return HTMLResponse(html, status_code=status, headers=headers)

    def not_found(what: str) -> HTMLResponse:
        return page("archive_missing.html.j2", status=404, title="Not found", what=what)

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
        result = archive.search(conn, q, lang, filters, PAGE, (n - 1) * PAGE)
        return page("archive_search.html.j2", title=f"Search: {q}" if q else "Search", q=q,
                    lang=lang, result=result, filters=filters, page=n,
                    pages=pages(result.total, PAGE), outlets=archive.stats(conn)["outlets"],
                    params=request.query_params)

    def article(request: Request) -> Response:
        conn = store.conn()
        found = archive.article(conn, _int(request.path_params["key"], 0, 0))
        if found is None:
            return not_found("article")
        row, rec = found
        view = article_view(rec, f"a-{row.key}", row.key)
        # A very long article pages by paragraph, ARTICLE_SEGMENTS sentences at most a page.
        chunks: list[list[Any]] = [[]]
        count = 0
        for para in view.paragraphs:
            if chunks[-1] and count + len(para.targets) > ARTICLE_SEGMENTS:
                chunks.append([])
                count = 0
            chunks[-1].append(para)
            count += len(para.targets)
        n = _int(request.query_params.get("page"), 1, high=len(chunks))
        view.paragraphs = chunks[n - 1]
        others = [a for a in archive.articles_by_id(conn, row.id) if a.key != row.key]
        peers = archive.story(conn, row.story, 50)[1] if row.story else []
        return page("archive_article.html.j2", title=row.title_en or row.title_ar or row.id,
                    row=row, a=view, page=n, pages=len(chunks), others=others,
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
        result = archive.concordance(conn, q, filters, PAGE * 2, (n - 1) * PAGE * 2)
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
        result = archive.search(conn, q, lang, _filters(request.query_params), limit, offset)
        return JSONResponse({"query": q, "lang": lang, "total": result.total,
                             "offset": offset, "hits": [h.to_json() for h in result.hits]})

    def api_article(request: Request) -> Response:
        found = archive.article(store.conn(), _int(request.path_params["key"], 0, 0))
        if found is None:
            return JSONResponse({"error": "no such article"}, status_code=404)
        row, rec = found
        return JSONResponse({**row.to_json(), "record": rec})

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
                                _filters(request.query_params), PAGE * 2, offset)
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
        Route("/articles/{key:int}", article), Route("/stories/{story:path}", story),
        Route("/concordance", concordance),
        Route("/api/search", api_search), Route("/api/articles/{key:int}", api_article),
        Route("/api/stories/{story:path}", api_story), Route("/api/concordance", api_concordance),
    ]
    return Starlette(routes=routes)


def serve(db: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    import uvicorn

    app = create_app(db)
    print(f"arabic-digest: serving {db} on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
