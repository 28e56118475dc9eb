"""The base of every error the library raises (`ad.ArabicDigestError`), with its exit code.

Its message is the one line the CLI prints after `arabic-digest: error:`; its `exit_code` is
the status the CLI exits with (`cli.main` catches every one, once). A subclass that means
another status sets its own `exit_code` (RunStopped sets one per stop). Nothing of the
package is imported here: every module may subclass it.

Exit codes: 0 all good, 1 done with error records or problems (a command's result, not an
error), 2 nothing done (bad options or inputs, refused: the default of every error here),
3 a write failed midway and 130/143 interrupted (RunStopped), 70 a bug (cli.main).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

EXIT_NOTHING_DONE = 2


class ArabicDigestError(Exception):
    """Base of every error `arabic_digest` raises; `str(exc)` is the CLI's one-line message,
    `exit_code` the CLI's exit status for it (2: nothing was done).

    Example::

        try:
            ad.Pipeline(translation_model="./no-such-folder")
        except ad.ArabicDigestError as exc:
            print(exc)  # no such folder: ./no-such-folder
    """

    exit_code: int = EXIT_NOTHING_DONE


class UsageProblem(ArabicDigestError):
    """Options or inputs that cannot be used: exit 2 before anything is done."""

    exit_code = EXIT_NOTHING_DONE


class ModelError(ArabicDigestError):
    """A model that cannot be loaded: missing, offline without a cached copy, not a model."""


class FileError(ArabicDigestError):
    """A file that cannot be read or written (the message names it and says why)."""


def os_problem(exc: OSError, output: Path | None = None) -> str:
    """One line for a failed file operation, naming the file the user chose, not our .tmp.

    A failure on the output (or its temporary twin, or its folder) says how to get out of it.
    """
    if exc.filename is None:  # our own OSErrors carry a whole sentence
        return exc.strerror or str(exc)
    name = str(exc.filename).removesuffix(".tmp")
    reason = exc.strerror or os.strerror(exc.errno or errno.EIO)
    blocking = file_in_the_way(Path(name))
    if exc.errno in (errno.EEXIST, errno.ENOTDIR) and blocking is not None:
        reason = f"{blocking} is a file, not a folder"  # mkdir's "File exists" misleads
    if output is not None and Path(name) in (output, output.parent):
        return f"cannot write {output}: {reason} (choose another with -o)"
    return f"{name}: {reason}"


def file_in_the_way(path: Path) -> Path | None:
    """`path` or the parent of it that is a file, where a folder was wanted."""
    return next((p for p in (path, *path.parents) if p.is_file()), None)
