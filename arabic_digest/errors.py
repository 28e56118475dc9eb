"""The base of every error the library raises (`ad.ArabicDigestError`).

Its message is the one line the CLI prints after `arabic-digest: error:`; the CLI maps the
kinds to its exit codes (commands.py). No imports here: every module may subclass it.
"""

from __future__ import annotations


class ArabicDigestError(Exception):
    """Base of every error `arabic_digest` raises; `str(exc)` is the CLI's one-line message.

    Example::

        try:
            ad.Pipeline(translation_model="./no-such-folder")
        except ad.ArabicDigestError as exc:
            print(exc)  # no such folder: ./no-such-folder
    """


class ModelError(ArabicDigestError):
    """A model that cannot be loaded: missing, offline without a cached copy, not a model."""


class FileError(ArabicDigestError):
    """A file that cannot be read or written (the message names it and says why)."""
