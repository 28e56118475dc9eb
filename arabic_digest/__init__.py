"""arabic-digest as a Python library: `import arabic_digest as ad` (docs/python.md).

    pipe = ad.Pipeline(preset="fast")
    pipe.translate("نص عربي")
    for rec in pipe.process(articles):
        rec.id, rec.status, rec.translation.paragraphs, rec.summary.text, rec.flags

The names below are the whole public surface; everything else may change. They load on first
use, so `import arabic_digest` stays cheap (no torch, no transformers until a model loads).
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from arabic_digest.errors import ArabicDigestError

if TYPE_CHECKING:
    from arabic_digest.api import Pipeline, clean, read_articles, run
    from arabic_digest.inputs.readers import Article
    from arabic_digest.pipeline.runner import RunStats, RunStopped
    from arabic_digest.results import (
        Cleaned,
        Record,
        Summary,
        Translation,
        load_records,
        to_dataframe,
    )

__all__ = [
    "ArabicDigestError",
    "Article",
    "Cleaned",
    "Pipeline",
    "Record",
    "RunStats",
    "RunStopped",
    "Summary",
    "Translation",
    "clean",
    "load_records",
    "read_articles",
    "run",
    "to_dataframe",
]

_HOMES = {"Pipeline": "api", "clean": "api", "read_articles": "api", "run": "api",
          "Article": "inputs.readers", "Cleaned": "results", "Record": "results",
          "Summary": "results", "Translation": "results", "load_records": "results",
          "to_dataframe": "results", "RunStats": "pipeline.runner", "RunStopped": "pipeline.runner"}

# A library's messages go to logging; without the user's own configuration they are not shown
# (the CLI prints them on stderr, cli.log_to_stderr).
logging.getLogger("arabic_digest").addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'arabic_digest' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
