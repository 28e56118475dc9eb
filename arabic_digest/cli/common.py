"""What the commands share: messages, checks that raise UsageProblem, the option declarations
(once, for every command that takes them) and the help's formatting.

Commands print their messages one line each, prefixed `arabic-digest:`, and return the exit
code of what they did: 0 all good, 1 done with error records or problems. A failure is an
ArabicDigestError carrying its own exit code (arabic_digest/errors.py), caught once in
`cli.main`.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import click
import typer
from typer.core import TyperCommand, TyperGroup

from arabic_digest.errors import ArabicDigestError, FileError, UsageProblem, os_problem
from arabic_digest.inputs.readers import Fields
from arabic_digest.pipeline.presets import PRESETS
from arabic_digest.summarize.length import (
    LENGTH_PRESETS,
)
from arabic_digest.text import terminal_safe

EXIT_OK, EXIT_SOME_ERRORS = 0, 1


# --- messages and failures -------------------------------------------------------------------

def say(message: str) -> None:
    # Messages carry input (ids, paths, outlets): shown terminal-safe, line by line.
    safe = "\n".join(terminal_safe(line, None) for line in message.split("\n"))
    print(f"arabic-digest: {safe}", file=sys.stderr, flush=True)


def say_error(exc: ArabicDigestError) -> None:
    """A failure as the CLI tells it: `arabic-digest: error: <message>`."""
    say(f"error: {exc}")


@contextmanager
def failures(*kinds: type[BaseException], output: Path | None = None) -> Iterator[None]:
    """The failures a command expects of the code it calls, as ArabicDigestError (exit 2):
    an OSError (when OSError is among `kinds`) as FileError with os_problem's line, any other
    of `kinds` with its own message. An ArabicDigestError passes as it is."""
    try:
        yield
    except ArabicDigestError:
        raise
    except kinds as exc:
        if isinstance(exc, OSError):
            raise FileError(os_problem(exc, output)) from exc
        raise ArabicDigestError(str(exc)) from exc


# --- checks before any work (UsageProblem) ----------------------------------------------------

def need_file(path: Path) -> None:
    if not path.is_file():
        raise UsageProblem(f"no such file: {path}")


def fields(text: str | None, title: str | None, id_: str | None) -> Fields:
    return Fields(text, title, id_)


# --- the help's formatting --------------------------------------------------------------------

class _PlainHelp:
    """-h/--help shows no `<bool>` type: it takes no value."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option


class Command(_PlainHelp, TyperCommand):
    pass


class Group(_PlainHelp, TyperGroup):
    pass


def unwrap_help(*apps: typer.Typer) -> None:
    """Docstrings wrap at 100 columns in the source; Rich keeps those line breaks in every
    paragraph after the first, which then break mid-sentence in the terminal. Join them."""
    for one in apps:
        for command in one.registered_commands:
            doc = command.help or (command.callback.__doc__ if command.callback else None)
            if doc:
                paragraphs = inspect.cleandoc(doc).split("\n\n")
                command.help = "\n\n".join(" ".join(p.split("\n")) for p in paragraphs)
            command.cls = Command


def choices(name: str, values: Iterable[str]) -> type[Enum]:
    """An Enum of the values the code defines (one list, so help and code cannot drift)."""
    return Enum(name, [(v, v) for v in values], type=str)  # type: ignore[return-value]


def flag(name: str, help_text: str, panel: str | None = None) -> typer.models.OptionInfo:
    """A plain on/off flag, without typer's --no-x twin, and without a `<bool>` metavar (a
    flag takes no value; an empty metavar leaves the type column blank)."""
    return typer.Option(name, help=help_text, rich_help_panel=panel, metavar="")


LengthPreset = choices("LengthPreset", LENGTH_PRESETS)
ModelPreset = choices("ModelPreset", PRESETS)
