"""The boilerplate-learning pass of a run (translate/cleaning/boilerplate.py does the learning).

Before any article is processed, every input is read once, cleaned without a learned set and
counted per source; the frozen result rides in `CleanOptions.learned` to every engine and
shard. Learning always covers the whole input (no --limit, no shard), so batches, shards and
a resumed run (which reads the inputs again) learn exactly the same set.

The runner needs three lines (see the report of issue #14):

    cfg = replace(cfg, clean_options=learn_boilerplate(
        cfg.inputs, cfg.fields, cfg.read_options, cfg.clean_options))
    ...
    "boilerplate": boilerplate_manifest(self.cfg.clean_options),   # in Runner.manifest
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from arabic_digest.inputs.readers import Article, Fields, ReadOptions, read_inputs
from arabic_digest.pipeline.preparation import prepare_text
from arabic_digest.translate.cleaning.boilerplate import BoilerplateLearner
from arabic_digest.translate.cleaning.options import CleanOptions


def learns(options: CleanOptions, inputs: Sequence[str]) -> bool:
    # stdin cannot be read twice; --keep-boilerplate / --keep-kind learned switch it off
    return not (options.keep_boilerplate or "learned" in options.keep_kinds or "-" in inputs)


def learn_boilerplate(inputs: Sequence[str], fields: Fields, read_options: ReadOptions,
                      options: CleanOptions) -> CleanOptions:
    """`options` with what recurs across each source's articles learned (one pass)."""
    if not learns(options, inputs):
        return replace(options, learned=None)
    learner = count_boilerplate(inputs, fields, read_options, options)
    return replace(options, learned=learner.freeze())


def count_boilerplate(inputs: Sequence[str], fields: Fields, read_options: ReadOptions,
                      options: CleanOptions) -> BoilerplateLearner:
    """The counting pass: every readable article cleaned without a learned set and counted
    under its source. Thresholds apply only at `freeze()`, so one count serves many."""
    return count_learned(read_inputs(inputs, fields, read_options), options)


def learn_from_articles(articles: Iterable[Article], options: CleanOptions) -> CleanOptions:
    """`learn_boilerplate` over articles already read (`Pipeline.process` over a list)."""
    if not learns(options, ()):
        return replace(options, learned=None)
    return replace(options, learned=count_learned(articles, options).freeze())


def count_learned(articles: Iterable[Article], options: CleanOptions) -> BoilerplateLearner:
    plain = replace(options, learned=None)
    learner = BoilerplateLearner()
    for article in articles:
        if article.error or not article.text:
            continue
        learner.add_article(*prepare_text(article, plain))
    return learner


def boilerplate_manifest(options: CleanOptions) -> dict[str, Any] | None:
    """What was learned, for the run manifest (None: learning was off)."""
    return options.learned.to_json() if options.learned is not None else None
