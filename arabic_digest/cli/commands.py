"""The old import path of what arabic_digest/api.py takes from the CLI, kept for api.py alone
(it lies outside the CLI's change of #33) until it imports UsageProblem from
arabic_digest.errors, build_spec from arabic_digest.cli.run, the rest from
arabic_digest.cli.common, and builds CleanOptions itself. Nothing in the CLI uses it; delete
it then."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from arabic_digest.cli.common import (
    clean_options,
    offline_for_local_models,
    os_problem,
    read_options,
)
from arabic_digest.cli.run import build_spec as _build_spec
from arabic_digest.errors import UsageProblem
from arabic_digest.pipeline.spec import RunSpec
from arabic_digest.translate.cleaning.clean import CleanOptions

__all__ = ["CleanFlags", "UsageProblem", "build_spec", "offline_for_local_models",
           "os_problem", "read_options"]


@dataclass(frozen=True)
class CleanFlags:
    """api.py's --keep-* keywords (`keep_kind` as the option is named), as it passes them."""

    keep_diacritics: bool = False
    keep_digits: bool = False
    keep_punctuation: bool = False
    keep_boilerplate: bool = False
    keep_letters: bool = False
    keep_kind: tuple[str, ...] = ()

    def options(self) -> CleanOptions:
        return clean_options(self.keep_diacritics, self.keep_digits, self.keep_punctuation,
                             self.keep_boilerplate, self.keep_letters, self.keep_kind)


def build_spec(inputs: Sequence[str], *, clean: CleanFlags | CleanOptions,
               **options: Any) -> RunSpec:
    """cli.run.build_spec, taking api.py's CleanFlags (build_spec checks the kinds, in the
    same place as ever)."""
    if isinstance(clean, CleanFlags):
        clean = CleanOptions(clean.keep_diacritics, clean.keep_digits, clean.keep_punctuation,
                             clean.keep_boilerplate, clean.keep_letters,
                             frozenset(clean.keep_kind))
    return _build_spec(inputs, clean=clean, **options)
