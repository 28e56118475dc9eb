"""The input as every engine and merge see it: (record id, article or error record), in order.

Ids are unique by construction: an id seen before becomes an error record (`DuplicateId`)
whose id is its origin, made unique in turn; with `dedupe_ids` it is processed as `ID~2`...
A shard keeps only its ids.

A run passes over its input several times (boilerplate learning, stories, the progress bar's
count, the run itself), but reads it once: `InputPass` reads (decompresses, parses crawls,
extracts pages) on the first pass and keeps every article, in memory or past a budget in a
temporary spill file, for the later passes to replay. Extraction is the costly step with pages
and crawls; replaying is a pickle load.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import replace
from itertools import islice
from typing import IO, Any

from arabic_digest.inputs.readers import Article, read_inputs
from arabic_digest.inputs.screening import dedupe_id
from arabic_digest.pipeline.spec import RunSpec
from arabic_digest.records import error_record


class InputPass:
    """The inputs of one run, read once: every pass (`articles()`) replays what earlier ones
    read, then goes on reading where they stopped (a pass may stop early: the check that the
    input is not empty reads one article). Articles are kept pickled (each replay gets fresh
    objects): in memory up to MEMORY_BYTES, then in a temporary spill file. If the spill cannot
    be written (a full disk, a file-size limit), later passes read the inputs again, as before,
    and the run goes on. `passed_over` counts what the read met that is not an article;
    `reads` counts the articles read from the inputs themselves."""

    MEMORY_BYTES = 64 << 20

    def __init__(self, spec: RunSpec) -> None:
        self.spec = spec
        self.passed_over: Counter[str] = Counter()
        self.reads = 0
        self._live = read_inputs(spec.inputs, spec.fields, spec.read_options, self.passed_over)
        self._done = False  # the inputs are read to their end
        self._memory: list[bytes] = []
        self._held = 0  # bytes in memory
        self._spill: IO[bytes] | None = None
        self._path: str | None = None
        self._kept = 0  # articles kept (memory, then spill)
        self._broken = False  # the spill failed: later passes read the inputs again

    def articles(self) -> Iterator[Article]:
        """Every article of the inputs, in order."""
        if self._broken:
            yield from read_inputs(self.spec.inputs, self.spec.fields, self.spec.read_options)
            return
        n = 0
        replay: IO[bytes] | None = None
        try:
            while True:
                if n < self._kept:  # read by an earlier pass: replay it
                    if n < len(self._memory):
                        article = pickle.loads(self._memory[n])
                    else:
                        if replay is None:
                            assert self._path is not None
                            replay = open(self._path, "rb")  # noqa: SIM115 - closed below
                        article = pickle.load(replay)
                elif self._done:
                    return
                else:
                    try:
                        article = next(self._live)
                    except StopIteration:
                        self._done = True
                        return
                    self.reads += 1
                    self._keep(article)
                n += 1
                yield article
        finally:
            if replay is not None:
                replay.close()

    def _keep(self, article: Article) -> None:
        if self._broken:
            return
        blob = pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            if self._spill is None and self._held + len(blob) <= self.MEMORY_BYTES:
                self._memory.append(blob)
                self._held += len(blob)
            else:
                if self._spill is None:
                    fd, self._path = tempfile.mkstemp(prefix="arabic-digest-input-",
                                                      suffix=".pickle")
                    self._spill = os.fdopen(fd, "wb")
                self._spill.write(blob)
                self._spill.flush()  # a later pass replays it from the file
        except OSError:  # no room to keep it: the passes after this one read the inputs
            self._broken = True
            self._memory.clear()
            self.close()
            return
        self._kept += 1

    def close(self) -> None:
        if self._spill is not None:
            try:
                self._spill.close()
            except OSError:
                pass
        if self._path is not None:
            try:
                os.unlink(self._path)
            except OSError:
                pass
        self._spill, self._path = None, None

    def __enter__(self) -> InputPass:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def input_items(spec: RunSpec, passed_over: Counter[str] | None = None,
                articles: Iterable[Article] | None = None
                ) -> Iterator[tuple[str, Article | dict[str, Any]]]:
    """`passed_over` counts, by reason, what the inputs hold that is not an article (a
    crawl's requests, redirects, images...). `articles`: the inputs as already read (an
    `InputPass`), else they are read here."""
    if articles is None:
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


def count_articles(spec: RunSpec, articles: Iterable[Article] | None = None) -> int | None:
    """The progress bar's total (none on stdin: counting it would hold the run back until
    stdin ends)."""
    if "-" in spec.inputs:
        return None
    return sum(1 for _ in input_items(spec, articles=articles))
