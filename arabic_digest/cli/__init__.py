"""The command line, one module per command or family (spaCy's layout): each declares its
options in a thin Typer command over a plain, importable function that raises
ArabicDigestError (common.py: what they share). Here: the app, the commands in the order
`-h` lists them, and `main`, which catches every error once and exits with its code."""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer

from arabic_digest.cli import archive, inputs, models, outputs, run
from arabic_digest.cli.common import Group, say, say_error, unwrap_help
from arabic_digest.errors import ArabicDigestError

EXIT_BUG = 70

app = typer.Typer(
    cls=Group,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help="Batch-translate Arabic news to English with Opus-MT and condense it into digests.",
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"arabic-digest {version('arabic-digest')}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, metavar="",
        help="Show the version and exit.")]
        = False) -> None:
    """Batch-translate Arabic news to English with Opus-MT and condense it into digests."""


for name, command in (
        ("run", run.run_cli), ("clean", inputs.clean_cli), ("summarize", outputs.summarize_cli),
        ("check", inputs.check_cli), ("report", outputs.report_cli),
        ("digest", outputs.digest_cli), ("index", archive.index_cli),
        ("search", archive.search_cli), ("serve", archive.serve_cli),
        ("export", archive.export_cli), ("eval", outputs.eval_cli),
        ("merge", outputs.merge_cli)):
    app.command(name)(command)
app.add_typer(models.app, name="models")
unwrap_help(app, models.app)


def log_to_stderr() -> None:
    """The library's messages (the `arabic_digest` logger) as the CLI's own lines on stderr."""
    logger = logging.getLogger("arabic_digest")
    if not any(getattr(h, "arabic_digest_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("arabic-digest: %(message)s"))
        handler.arabic_digest_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def main() -> None:
    """`arabic-digest`: a failure (ArabicDigestError) is one line and its exit code; anything
    else is a bug: one line, exit 70, the traceback with ARABIC_DIGEST_DEBUG=1."""
    log_to_stderr()
    try:
        app(prog_name="arabic-digest")
    except ArabicDigestError as exc:
        say_error(exc)
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - a bug: one line, the traceback on request
        if os.environ.get("ARABIC_DIGEST_DEBUG"):
            raise
        say(f"unexpected error: {type(exc).__name__}: {exc} (this is a bug; rerun "
            "with ARABIC_DIGEST_DEBUG=1 to see the traceback and report it)")
        sys.exit(EXIT_BUG)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
