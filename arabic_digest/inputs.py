"""The input as every engine and merge see it: (record id, article or error record), in order.

Ids are unique by construction: an id seen before becomes an error record (`DuplicateId`)
whose id is its origin, made unique in turn; with `dedupe_ids` it is processed as `ID~2`...
A shard keeps only its ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import replace
from itertools import islice
from typing import Any

from .readers import Article, read_inputs
from .records import error_record
from .screening import dedupe_id
from .spec import RunSpec


def input_items(spec: RunSpec, passed_over: Counter[str] | None = None
                ) -> Iterator[tuple[str, Article | dict[str, Any]]]:
    """`passed_over` counts, by reason, what the inputs hold that is not an article (a
    crawl's requests, redirects, images...)."""
    articles = read_inputs(spec.inputs, spec.fields, spec.read_options, passed_over)
    if spec.limit is not None:
        articles = islice(articles, spec.limit)
    for article_id, item in unique_items(articles, spec.dedupe_ids, {}):
        if spec.shard is None or spec.shard.contains(article_id):
            yield article_id, item


def unique_items(articles: Iterable[Article], dedupe_ids: bool, seen: MutableMapping[str, str]
                 ) -> Iterator[tuple[str, Article | dict[str, Any]]]:
    """(id, article or error record) with unique ids: a repeated id is a DuplicateId error
    record, or with `dedupe_ids` the article as ID~2... `seen` maps every id given out so far
    to where (`run` and `Pipeline.process` both come through here)."""
    for article in articles:
        item: Article | dict[str, Any] = article
        if article.id in seen and dedupe_ids:
            article.meta["original_id"] = article.id
            article = item = replace(article, id=dedupe_id(article.id, seen))
        elif article.id in seen:
            first = seen[article.id]
            new_id = article.origin if article.origin not in seen else dedupe_id(
                article.origin, seen)
            article = replace(article, id=new_id)
            item = error_record(article, "read", "DuplicateId",
                                f"{article.origin}: id already used at {first}")
        seen[article.id] = article.origin
        yield article.id, item


def count_articles(spec: RunSpec) -> int | None:
    """A cheap first pass for the progress bar's total (not possible on stdin)."""
    if "-" in spec.inputs:
        return None
    return sum(1 for _ in input_items(spec))
