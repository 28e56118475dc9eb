"""The archive's commands (#23): `index`, `search`, `serve` and `export`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from arabic_digest.cli.common import EXIT_OK, choices, failures, flag, need_file, say
from arabic_digest.pipeline.options import refuse_folder_output
from arabic_digest.text import plural, scalar, terminal_safe

ArchiveDb = Annotated[Path, typer.Argument(metavar="ARCHIVE.sqlite",
                                           help="An archive built by `arabic-digest index`.")]
SearchLang = choices("SearchLang", ("en", "ar"))
ExportFormat = choices("ExportFormat", ("tmx", "parquet", "csv"))


# --- the plain commands ----------------------------------------------------------------------

def index(outputs: Sequence[Path], db: Path) -> int:
    """Add finished runs' records to the archive."""
    from arabic_digest.archive import ArchiveError, index_outputs

    for path in outputs:
        need_file(path)
    with failures(ArchiveError, OSError, output=db):
        counts = index_outputs(db, outputs)
    bad = f"; {plural(counts.unreadable, 'unreadable line')} skipped" if counts.unreadable else ""
    replaced = f", {counts.replaced} replaced" if counts.replaced else ""
    say(f"indexed {plural(counts.files, 'file')} of {plural(len(counts.runs), 'run')}: "
        f"{counts.added} added{replaced}, {counts.unchanged} already there{bad} -> {db}")
    return EXIT_OK


def search(db: Path, query: str, lang: str, as_json: bool, limit: int, filters: Any) -> int:
    """Ranked articles for a query, with snippets."""
    from arabic_digest.archive import ArchiveError, QueryTooLong, connect, verify
    from arabic_digest.archive import search as run_search
    # Arguments are input too: an undecodable byte in one arrives as a lone surrogate.
    query = scalar(query)
    filters = replace(filters, **{k: scalar(v) for k, v in vars(filters).items()
                                  if isinstance(v, str)})
    with failures(ArchiveError):
        verify(db)
        conn = connect(db, readonly=True)
    try:
        with failures(QueryTooLong):
            result = run_search(conn, query, lang, filters, limit=limit)
    finally:
        conn.close()
    if as_json:
        # The API's shape (SearchResult.to_json); JSON escapes every C0 control itself.
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return EXIT_OK
    for h in result.hits:
        title = terminal_safe(h.title_en or h.title_ar or h.id)
        where = " · ".join(terminal_safe(x, 80) for x in (h.day, h.outlet, h.id) if x)
        snippet = "".join(f"[{t}]" if m else t for t, m in h.snippet)
        print(f"{h.key}\t{title}\n\t{where}\n\t{terminal_safe(' '.join(snippet.split()), 400)}")
    say(f"{plural(result.total, 'article')} match {terminal_safe(repr(query), 100)} ({lang}); "
        f"{len(result.hits)} shown")
    return EXIT_OK


def export(source: Path, to: str, output: Path | None, skip_flagged: bool,
           csv_formulas: bool = False) -> int:
    """Aligned sentence pairs as TMX, Parquet or CSV."""
    import sqlite3

    from arabic_digest.archive import ArchiveError
    from arabic_digest.views.export import export as run_export

    need_file(source)
    refuse_folder_output(output)
    with failures(ArchiveError, sqlite3.DatabaseError, ValueError, OSError, output=output):
        path, written, left_out = run_export(source, to, output, skip_flagged, csv_formulas)
    left = f" ({left_out} flagged or empty left out)" if left_out else ""
    say(f"exported {plural(written, 'sentence pair')}{left} -> {path}")
    return EXIT_OK


def serve(db: Path, host: str, port: int, search_budget: float = 2.0) -> int:
    """The archive as a local web app, until stopped."""
    from arabic_digest.archive import ArchiveError
    from arabic_digest.views.serve import serve as run_server

    with failures(ArchiveError):
        run_server(db, host, port, search_budget)
    return EXIT_OK


# --- the commands' options -------------------------------------------------------------------

def index_cli(
    outputs: Annotated[list[Path], typer.Argument(
        metavar="OUTPUT.jsonl...", help="Finished runs' outputs (their .run.json beside them).")],
    db: Annotated[Path, typer.Option(
        "--db", help="The archive (created when missing).")] = Path("archive.sqlite"),
) -> None:
    """Add runs' records to one searchable SQLite archive: incremental, idempotent, crash-safe.

    Records are keyed by run identity and id: indexing the same output twice adds nothing, a
    longer (resumed) output adds only its new records, and the same id from a run with other
    settings is kept apart.
    """
    raise typer.Exit(index(outputs, db))


def search_cli(
    db: ArchiveDb,
    query: Annotated[str, typer.Argument(
        help='Words (all must match); "a phrase" in quotes; word* for a prefix.')],
    lang: Annotated[SearchLang, typer.Option(
        help="Search the English translation (stemmed) or the Arabic (alef, yeh, teh marbuta, "
             "diacritics and tatweel folded).")] = SearchLang.en,
    as_json: Annotated[bool, flag("--json", "Print the results as JSON.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many results.")] = 20,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
    since: Annotated[str | None, typer.Option(help="From this day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Until this day (YYYY-MM-DD).")] = None,
    story: Annotated[str | None, typer.Option(help="Only this story id.")] = None,
    flag: Annotated[str | None, typer.Option(
        help="Only articles with a flag of this kind (* for any).")] = None,
    status: Annotated[str | None, typer.Option(help="ok, error or skipped.")] = None,
) -> None:
    """Search the archive from the terminal: ranked (bm25), with the matches in brackets."""
    from arabic_digest.archive import Filters

    raise typer.Exit(search(db, query, lang.value, as_json, limit,
                            Filters(outlet, since, until, story, flag, status)))


def serve_cli(
    db: ArchiveDb,
    host: Annotated[str, typer.Option(
        help="Address to listen on (localhost only by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port.")] = 8000,
    search_budget: Annotated[float, typer.Option(
        min=0.0, help="Seconds a search or concordance may run before it answers 503.")] = 2.0,
) -> None:
    """The archive as a local web app: briefing, search, articles side by side, stories,
    concordance, and a JSON API under /api/. Read-only. Requests must name the address it
    serves on (or localhost) as their Host."""
    raise typer.Exit(serve(db, host, port, search_budget))


def export_cli(
    source: Annotated[Path, typer.Argument(
        metavar="OUTPUT.jsonl|ARCHIVE.sqlite", help="A run's output or an archive.")],
    to: Annotated[ExportFormat, typer.Option(
        "--to", help="TMX 1.4 (CAT tools), Parquet (pandas, Polars, DuckDB, Spark) or CSV.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="The file (default: beside the source, its suffix --to).")] = None,
    skip_flagged: Annotated[bool, flag(
        "--skip-flagged", "Leave out sentence pairs a trust check flagged.")] = False,
    csv_formulas: Annotated[bool, flag(
        "--csv-formulas", "Write CSV cells that start with = + - @ as they are (for pipelines "
        "that read the CSV as data); by default they get a leading ' so a spreadsheet shows "
        "them as text instead of running them.")] = False,
) -> None:
    """The aligned sentence pairs of a run or an archive, one row (or TMX unit) per sentence."""
    raise typer.Exit(export(source, to.value, output, skip_flagged, csv_formulas))
