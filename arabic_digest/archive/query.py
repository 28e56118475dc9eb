"""Reading the archive: search (SQLite FTS5, English with the Porter stemmer, Arabic folded as
`fold.fold_arabic` folds it; bm25, with snippets), an article by its record id and run, the
briefing of a day, a story, the concordance, counts; and the JSON shape of a search result
that the web API and `search --json` share. Every query the views make is here, parameterised.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from arabic_digest.archive.fold import (
    EN_WORD,
    MAX_TERMS,
    STOP_WORDS,
    QueryTooLong,
    any_of,
    around_first_mark,
    en_words,
    fts_query,
    mark_words,
    query_words,
)
from arabic_digest.archive.row import (
    ARTICLE_COLUMNS,
    FROM_ARTICLES,
    OUTLET_CHARS,
    ArticleRow,
    run_id,
)
from arabic_digest.archive.store import budget, load_record
from arabic_digest.text import cut, cut_at

CONCORDANCE_SAMPLE = 2000  # sentence pairs the English association is counted on


@dataclass
class Filters:
    outlet: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None
    story: str | None = None
    flag: str | None = None  # a flag kind, or "*" for any flag
    status: str | None = None

    def sql(self) -> tuple[str, list[Any]]:
        flag = f" {self.flag} " if self.flag and self.flag != "*" else None
        given = [("a.outlet = ?", self.outlet), ("a.day >= ?", self.date_from),
                 ("a.day <= ?", self.date_to), ("a.story = ?", self.story),
                 ("instr(a.kinds, ?) > 0", flag), ("a.status = ?", self.status)]
        where = [w for w, value in given if value]
        args: list[Any] = [value for _, value in given if value]
        if self.flag == "*":
            where.append("a.flags > 0")
        return "".join(f" AND {w}" for w in where), args


@dataclass
class SearchResult:
    query: str
    lang: str
    total: int
    offset: int
    hits: list[ArticleRow]

    def to_json(self) -> dict[str, Any]:
        """A search result as JSON: the one shape of `/api/search` and `search --json`."""
        return {"query": self.query, "lang": self.lang, "total": self.total,
                "offset": self.offset, "hits": [h.to_json() for h in self.hits]}


SNIPPET_TOKENS = 24
# A snippet is cut from one matching sentence, at most this long, never from the whole
# article: FTS5's snippet() over a 100k-word article took seconds per query term (#36).
SNIPPET_WINDOW = 2000
SNIPPET_CHARS = 300  # what is shown of the Arabic window around its first mark
CONCORDANCE_CHARS = 600  # what a concordance line shows of each side
_EN_OPEN, _EN_CLOSE = "\x02", "\x03"  # snippet() markers; the window keeps no control char
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_scratch = threading.local()


def _snippet_pieces(text: str) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{_EN_OPEN}{_EN_CLOSE}]", text)):
        if part:
            pieces.append((part, i % 2 == 1))
    return pieces


def search(conn: sqlite3.Connection, query: str, lang: str = "en",
           filters: Filters | None = None, limit: int = 20, offset: int = 0,
           budget_s: float | None = None, stop: threading.Event | None = None
           ) -> SearchResult:
    """Articles matching `query` in English or Arabic, best first (bm25), with a snippet.

    QueryTooLong over the term caps; Busy past `budget_s` seconds or once `stop` is set."""
    if lang not in ("en", "ar"):
        raise ValueError(f"lang must be 'en' or 'ar', not {lang!r}")
    expr = fts_query(query, lang)
    if not expr:
        return SearchResult(query, lang, 0, offset, [])
    with budget(conn, budget_s, stop):
        return _search(conn, query, expr, lang, filters, limit, offset)


def _search(conn: sqlite3.Connection, query: str, expr: str, lang: str,
            filters: Filters | None, limit: int, offset: int) -> SearchResult:
    where, args = (filters or Filters()).sql()
    table = "art_en" if lang == "en" else "art_ar"
    # Title matches count more than the body's (bm25 weights per column).
    weights = "10.0, 3.0, 1.0" if lang == "en" else "10.0, 1.0"
    # The FTS table counts and ranks, the articles table (by key, FTS first: CROSS JOIN keeps
    # that order) only when a filter needs it; the page's rows are fetched afterwards.
    source = f"{table} f CROSS JOIN articles a ON a.key = f.rowid" if where else f"{table} f"
    total = conn.execute(f"SELECT count(*) FROM {source} WHERE {table} MATCH ?{where}",
                         [expr, *args]).fetchone()[0]
    keys = [r[0] for r in conn.execute(
        f"SELECT f.rowid FROM {source} WHERE {table} MATCH ?{where} "
        f"ORDER BY bm25({table}, {weights}) LIMIT ? OFFSET ?", [expr, *args, limit, offset])]
    rows = {r[0]: ArticleRow.of(r) for r in conn.execute(
        f"SELECT {ARTICLE_COLUMNS} {FROM_ARTICLES} "
        f"WHERE a.key IN ({','.join('?' * len(keys))})", keys)} if keys else {}
    hits = []
    words = query_words(query, lang)
    for key in keys:
        hit = rows[key]
        if lang == "en":
            hit.snippet = _english_snippet(conn, hit, expr)
        else:
            hit.snippet = _arabic_snippet(conn, hit, expr, words)
            hit.snippet_lang = "ar"
        hits.append(hit)
    return SearchResult(query, lang, total, offset, hits)


def _first_sentence(conn: sqlite3.Connection, table: str, hit: ArticleRow,
                    expr: str) -> str:
    """The article's first sentence holding any term of the query ("" when none does)."""
    if hit.first_sentence is None:
        return ""
    found = conn.execute(
        f"SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid BETWEEN ? AND ? LIMIT 1",
        (any_of(expr), hit.first_sentence, hit.last_sentence)).fetchone()
    if not found:
        return ""
    return conn.execute(f"SELECT {'en' if table == 'sent_en' else 'ar'} FROM sentences "
                        "WHERE key=?", found).fetchone()[0]


def _scratch_table() -> sqlite3.Connection:
    """A one-row FTS5 table in memory, per thread, tokenised as art_en: snippet() there marks
    the terms exactly as the search matched them, on a window of bounded size."""
    scratch = getattr(_scratch, "conn", None)
    if scratch is None:
        scratch = _scratch.conn = sqlite3.connect(":memory:", check_same_thread=False)
        scratch.execute("CREATE VIRTUAL TABLE w USING fts5(t, tokenize = "
                        "'porter unicode61 remove_diacritics 2')")
    return scratch


def _english_snippet(conn: sqlite3.Connection, hit: ArticleRow,
                     expr: str) -> list[tuple[str, bool]]:
    window = _first_sentence(conn, "sent_en", hit, expr) or \
        " … ".join(t for t in (hit.title_en, hit.summary) if t)
    window = _CONTROLS.sub(" ", window[:SNIPPET_WINDOW])
    scratch = _scratch_table()
    with scratch:
        scratch.execute("DELETE FROM w")
        scratch.execute("INSERT INTO w VALUES (?)", (window,))
        row = scratch.execute(
            f"SELECT snippet(w, 0, '{_EN_OPEN}', '{_EN_CLOSE}', ' … ', {SNIPPET_TOKENS}) "
            "FROM w WHERE w MATCH ?", (any_of(expr),)).fetchone()
    return _snippet_pieces(row[0]) if row else [(cut(window, SNIPPET_CHARS), False)]


def _arabic_snippet(conn: sqlite3.Connection, hit: ArticleRow, expr: str,
                    words: list[str]) -> list[tuple[str, bool]]:
    """The article's first sentence that matches, in its own spelling, the match marked."""
    text = (_first_sentence(conn, "sent_ar", hit, expr) or hit.title_ar)[:SNIPPET_WINDOW]
    return around_first_mark(mark_words(text, words, "ar"), SNIPPET_CHARS)


def iter_archive_records(conn: sqlite3.Connection) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every record in the archive with its run's signature, in index order."""
    for blob, sig in conn.execute("SELECT a.record, r.signature FROM articles a "
                                  "JOIN runs r ON r.key = a.run ORDER BY a.key"):
        yield sig, json.loads(zlib.decompress(blob))


def articles(conn: sqlite3.Connection, filters: Filters | None = None, limit: int = 50,
             offset: int = 0, order: str = "a.day DESC, a.story, a.key") -> list[ArticleRow]:
    where, args = (filters or Filters()).sql()
    rows = conn.execute(f"SELECT {ARTICLE_COLUMNS} {FROM_ARTICLES} "
                        f"WHERE 1{where} ORDER BY {order} LIMIT ? OFFSET ?",
                        [*args, limit, offset]).fetchall()
    return [ArticleRow.of(r) for r in rows]


def articles_by_id(conn: sqlite3.Connection, rid: str) -> list[ArticleRow]:
    """Every article with this record id, one per run that has it."""
    rows = conn.execute(f"SELECT {ARTICLE_COLUMNS} {FROM_ARTICLES} "
                        "WHERE a.rid = ? ORDER BY a.key", (rid,)).fetchall()
    return [ArticleRow.of(r) for r in rows]


RUN_PREFIX = 8  # the fewest characters of a run id that `?run=` takes for the whole


def runs_named(conn: sqlite3.Connection, name: str) -> list[int]:
    """The runs (their keys) that `name` names: a run id (row.run_id, as ArticleRow.run_id
    and the API's `run_id` give it), at least RUN_PREFIX characters from the
    start of one, or an output file indexed from the run, by its name or its path."""
    name = name.strip()
    if not name:
        return []
    found = {key for key, digest in conn.execute("SELECT key, identity_hash FROM runs")
             if run_id(digest) == name or digest == name
             or (len(name) >= RUN_PREFIX and run_id(digest).startswith(name))}
    found |= {run for path, run in conn.execute("SELECT path, run FROM files")
              if path == name or PurePath(path).name == name}
    return sorted(found)


def article_by_id(conn: sqlite3.Connection, rid: str, run: str | None = None
                  ) -> tuple[ArticleRow, dict[str, Any]] | None:
    """The article whose record id is `rid`, with its record: the version of the run indexed
    last (of those that hold it), or with `run` the version of the run it names (runs_named).
    None when there is none."""
    where, args = "a.rid = ?", [rid]
    if run is not None:
        runs = runs_named(conn, run)
        if not runs:
            return None
        where += f" AND a.run IN ({','.join('?' * len(runs))})"
        args += runs
    row = conn.execute(f"SELECT {ARTICLE_COLUMNS} {FROM_ARTICLES} WHERE {where} "
                       "ORDER BY a.run DESC LIMIT 1", args).fetchone()
    if row is None:
        return None
    found = ArticleRow.of(row)
    return found, load_record(conn, found.key)


@dataclass
class StoryDay:
    story: str
    day: str | None
    articles: list[ArticleRow]  # the first BRIEFING_ARTICLES of them
    size: int = 0  # how many articles the story has that day
    outlets: list[str] = field(default_factory=list)

    @property
    def lead(self) -> ArticleRow:
        return next((a for a in self.articles if a.story_role == "lead"), self.articles[0])

    def to_json(self) -> dict[str, Any]:
        return {"story": None if self.story.startswith("article:") else self.story,
                "day": self.day, "size": self.size, "outlets": self.outlets,
                "articles": [a.to_json() for a in self.articles]}


BRIEFING_ARTICLES = 8  # per story on the briefing; the story page lists them all


def latest_day(conn: sqlite3.Connection) -> str | None:
    return conn.execute("SELECT max(day) FROM articles").fetchone()[0]


def recent_days(conn: sqlite3.Connection, most: int = 14) -> list[str]:
    """The latest `most` days that have articles, the latest first."""
    return [r[0] for r in conn.execute("SELECT DISTINCT day FROM articles WHERE day IS NOT NULL "
                                       "ORDER BY day DESC LIMIT ?", (most,))]


def briefing(conn: sqlite3.Connection, day: str | None, limit: int = 50,
             offset: int = 0) -> tuple[int, list[StoryDay]]:
    """The stories of one day, the most reported first: (how many stories, this page)."""
    cond, args = ("a.day = ?", [day]) if day else ("a.day IS NULL", [])
    key = "coalesce(a.story, 'article:' || a.key)"
    total = conn.execute(f"SELECT count(DISTINCT {key}) FROM articles a WHERE {cond}",
                         args).fetchone()[0]
    page = conn.execute(
        f"SELECT {key} AS s, count(*) AS n, min(a.key), group_concat(DISTINCT a.outlet) "
        f"FROM articles a WHERE {cond} GROUP BY s ORDER BY n DESC, min(a.key) LIMIT ? OFFSET ?",
        [*args, limit, offset]).fetchall()
    out = []
    for story_key, n, first, outlets in page:
        if story_key.startswith("article:"):
            rows = articles_where(conn, "a.key = ?", [first])
        else:
            # The lead first, then the others in date order.
            rows = articles_where(conn, f"a.story = ? AND {cond}", [story_key, *args],
                                  limit=BRIEFING_ARTICLES,
                                  order="a.story_role = 'lead' DESC, a.date, a.key")
        out.append(StoryDay(story_key, day, rows, n, sorted((outlets or "").split(",")) if
                            outlets else []))
    return total, out


def articles_where(conn: sqlite3.Connection, where: str, args: list[Any], limit: int = 1000,
                   order: str = "a.day, a.date, a.key") -> list[ArticleRow]:
    rows = conn.execute(f"SELECT {ARTICLE_COLUMNS} {FROM_ARTICLES} "
                        f"WHERE {where} ORDER BY {order} LIMIT ?",
                        [*args, limit]).fetchall()
    return [ArticleRow.of(r) for r in rows]


def story(conn: sqlite3.Connection, story_id: str, limit: int = 200,
          offset: int = 0) -> tuple[int, list[ArticleRow]]:
    """Every article of a story, every outlet and every day, oldest first."""
    total = conn.execute("SELECT count(*) FROM articles WHERE story = ?",
                         (story_id,)).fetchone()[0]
    rows = conn.execute(f"SELECT {ARTICLE_COLUMNS} {FROM_ARTICLES} "
                        "WHERE a.story = ? ORDER BY a.day, a.date, a.key LIMIT ? OFFSET ?",
                        (story_id, limit, offset)).fetchall()
    return total, [ArticleRow.of(r) for r in rows]


def stats(conn: sqlite3.Connection) -> dict[str, Any]:
    one = conn.execute
    return {"articles": one("SELECT count(*) FROM articles").fetchone()[0],
            "sentences": one("SELECT count(*) FROM sentences").fetchone()[0],
            "runs": one("SELECT count(*) FROM runs").fetchone()[0],
            "outlets": [r[0] for r in one("SELECT DISTINCT outlet FROM articles "
                                          "WHERE outlet IS NOT NULL ORDER BY outlet")],
            "days": one("SELECT min(day), max(day) FROM articles").fetchone()}


# --------------------------------------------------------------------------- concordance


@dataclass
class ConcordanceLine:
    article: int
    article_id: str
    run: str
    run_id: str
    outlet: str | None
    day: str | None
    n: int
    ar: list[tuple[str, bool]]
    en: list[tuple[str, bool]]
    flagged: bool


@dataclass
class Concordance:
    phrase: str
    total: int
    offset: int
    lines: list[ConcordanceLine]
    renderings: list[tuple[str, int, float]]  # English word, pairs with it, Dice

    def to_json(self) -> dict[str, Any]:
        return {"query": self.phrase, "total": self.total, "offset": self.offset,
                "renderings": [{"word": w, "pairs": n, "dice": round(d, 3)}
                               for w, n, d in self.renderings],
                "lines": [{"article": ln.article, "id": ln.article_id, "run": ln.run,
                           "run_id": ln.run_id, "sentence": ln.n,
                           "ar": "".join(t for t, _ in ln.ar),
                           "en": "".join(t for t, _ in ln.en),
                           "en_marked": [t for t, m in ln.en if m]} for ln in self.lines]}


def _renderings(conn: sqlite3.Connection, n_ar: int, sample: list[str]
                ) -> list[tuple[str, int, float]]:
    """English words associated with the Arabic term across the corpus, by the Dice
    coefficient over sentence pairs: 2·|pairs with both| / (|with the term| + |with the word|).

    |with the term| is exact (the FTS count); |with the word| is exact (en_words, kept at
    indexing); |with both| is counted on a sample of the term's pairs (all of them up to
    CONCORDANCE_SAMPLE) and scaled to the whole."""
    if not sample:
        return []
    freq: Counter[str] = Counter()
    for en in sample:
        freq.update(en_words(en))
    candidates = freq.most_common(40)
    got = dict(conn.execute(
        f"SELECT word, sentences FROM en_words WHERE word IN ({','.join('?' * len(candidates))})",
        [w for w, _ in candidates]).fetchall()) if candidates else {}
    scale = n_ar / len(sample)
    out = []
    for word, in_sample in candidates:
        both = round(in_sample * scale)
        dice = 2 * both / (n_ar + got.get(word, both))
        out.append((word, both, dice))
    out.sort(key=lambda t: (-t[2], -t[1], t[0]))
    # Kept: the words clearly tied to the term (a word in every sentence of a one-pair
    # concordance is no evidence, so a lone pair marks nothing but shared numbers).
    return [t for t in out if t[2] >= 0.2 and t[1] >= 2][:5]


def concordance(conn: sqlite3.Connection, phrase: str, filters: Filters | None = None,
                limit: int = 50, offset: int = 0, budget_s: float | None = None,
                stop: threading.Event | None = None) -> Concordance:
    """Every aligned sentence whose Arabic holds `phrase` (folded, as search), beside its
    English, the English words that render it marked where they can be found.

    QueryTooLong over MAX_TERMS words; Busy past `budget_s` seconds or once `stop` is set."""
    words = query_words(phrase, "ar")
    if not words:
        return Concordance(phrase, 0, offset, [], [])
    if len(words) > MAX_TERMS:
        raise QueryTooLong(f"a concordance phrase takes at most {MAX_TERMS} words; this one "
                           f"has {len(words)}")
    with budget(conn, budget_s, stop):
        return _concordance(conn, phrase, words, filters, limit, offset)


def _concordance(conn: sqlite3.Connection, phrase: str, words: list[str],
                 filters: Filters | None, limit: int, offset: int) -> Concordance:
    expr = '"' + " ".join(words) + '"'
    where, args = (filters or Filters()).sql()
    base = ("FROM sent_ar f CROSS JOIN sentences s ON s.key = f.rowid "
            "CROSS JOIN articles a ON a.key = s.article CROSS JOIN runs r ON r.key = a.run "
            f"WHERE sent_ar MATCH ?{where}")
    n_ar = conn.execute("SELECT count(*) FROM sent_ar WHERE sent_ar MATCH ?",
                        (expr,)).fetchone()[0]
    total = conn.execute(f"SELECT count(*) {base}", [expr, *args]).fetchone()[0] if where \
        else n_ar
    # The sample: every n-th matching sentence, so it spans the corpus, not its first runs.
    step = max(1, n_ar // CONCORDANCE_SAMPLE)
    sample = [r[0] for r in conn.execute(
        "SELECT s.en FROM (SELECT rowid, row_number() OVER (ORDER BY rowid) AS i FROM sent_ar "
        "WHERE sent_ar MATCH ?) f JOIN sentences s ON s.key = f.rowid WHERE f.i % ? = 0 "
        "LIMIT ?", (expr, step, CONCORDANCE_SAMPLE))]
    renderings = _renderings(conn, n_ar, sample)
    rendered = [w for w, _, _ in renderings]
    rows = conn.execute(
        "SELECT s.article, a.rid, r.signature, r.identity_hash, a.outlet, a.day, s.n, s.ar, "
        f"s.en, s.flagged {base} ORDER BY s.key LIMIT ? OFFSET ?",
        [expr, *args, limit, offset]).fetchall()
    phrase_folded = " ".join(words)
    lines = []
    for art, rid, run, run_hash, outlet, day, n, ar, en, flagged in rows:
        # Numbers and Latin tokens the Arabic carries as they are mark themselves too.
        same = [t for t in EN_WORD.findall(ar[:SNIPPET_WINDOW]) if t.lower() not in STOP_WORDS]
        # Each side is shown around its first mark, so a page of very long sentences stays
        # small (the article page has them whole).
        lines.append(ConcordanceLine(
            art, rid, run, run_id(run_hash), cut(outlet, OUTLET_CHARS) if outlet else outlet,
            day, n,
            around_first_mark(mark_words(ar[:SNIPPET_WINDOW], [phrase_folded], "ar"),
                              CONCORDANCE_CHARS),
            around_first_mark(_mark_en(en[:SNIPPET_WINDOW], rendered + same),
                              CONCORDANCE_CHARS), bool(flagged)))
    return Concordance(phrase, total, offset, lines, renderings)


def _mark_en(text: str, words: list[str]) -> list[tuple[str, bool]]:
    # A rendering is marked with its inflections ("ministry" in "ministries'"): the word's
    # stem-like prefix, then letters.
    forms = []
    for w in words:
        if w and w[0].isalpha() and len(w) > 3:
            forms.append(w[:-1] if w.endswith(("y", "e")) else w)
        elif w:
            forms.append(w)
    if not forms:
        return [(text, False)]
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(f) for f in
                                                   sorted(set(forms), key=len, reverse=True))
                         + r")[a-z'’]*(?![\w])", re.IGNORECASE)
    return cut_at(text, ((m.start(), m.end(), True) for m in pattern.finditer(text)), False)
