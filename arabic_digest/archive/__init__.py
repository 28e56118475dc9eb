"""The archive: finished runs' records in one SQLite database, searchable in both languages.

This package's modules, by concern: `fold` (how search sees text: Arabic folding, safe FTS5
queries, marks), `store` (the schema, connections, verification, query budgets), `row` (one
article, indexed and read back), `index` (adding output files), `query` (every read: search,
an article by its record id, briefing, story, concordance, counts). This façade re-exports
what the rest of arabic-digest uses: `from arabic_digest import archive; archive.search(...)`.
"""

from __future__ import annotations

from arabic_digest.archive.fold import (
    MAX_PREFIX_TERMS,
    MAX_TERMS,
    QueryTooLong,
    around_first_mark,
    en_words,
    fold_arabic,
    fold_query,
    fold_with_map,
    fts_query,
    mark_words,
    query_words,
)
from arabic_digest.archive.index import BATCH, IndexCounts, index_output, index_outputs
from arabic_digest.archive.query import (
    Concordance,
    ConcordanceLine,
    Filters,
    SearchResult,
    StoryDay,
    article_by_id,
    articles,
    articles_by_id,
    briefing,
    concordance,
    iter_archive_records,
    latest_day,
    recent_days,
    runs_named,
    search,
    stats,
    story,
)
from arabic_digest.archive.row import ArticleRow
from arabic_digest.archive.store import (
    SCHEMA_VERSION,
    ArchiveError,
    Busy,
    budget,
    connect,
    load_record,
    verify,
)

__all__ = [
    "BATCH", "MAX_PREFIX_TERMS", "MAX_TERMS", "SCHEMA_VERSION", "ArchiveError", "ArticleRow",
    "Busy", "Concordance", "ConcordanceLine", "Filters", "IndexCounts", "QueryTooLong",
    "SearchResult", "StoryDay", "around_first_mark", "article_by_id", "articles",
    "articles_by_id", "briefing", "budget", "concordance", "connect", "en_words", "fold_arabic",
    "fold_query", "fold_with_map", "fts_query", "index_output", "index_outputs",
    "iter_archive_records", "latest_day", "load_record", "mark_words", "query_words",
    "recent_days", "runs_named", "search", "stats", "story", "verify",
]
