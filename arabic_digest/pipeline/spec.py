"""The run spec: a frozen, typed description of a run, and the choices it is made of.

Choices are Enums, so the CLI lists them in `--help` and Typer validates them. The shard
(`--shard K/N`) is part of the spec too: a stable slice of the input by sha1 of the id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from arabic_digest.identity import run_identity, signature
from arabic_digest.inputs.readers import Fields, ReadOptions
from arabic_digest.pipeline.article import BatchSettings
from arabic_digest.pipeline.presets import DEFAULT_PRESET, overridden
from arabic_digest.pipeline.stories import StoryOptions
from arabic_digest.summarize.length import SummaryLength
from arabic_digest.summarize.summarizer import DEFAULT_SUMMARIZATION_MODEL
from arabic_digest.translate.cleaning.options import CleanOptions
from arabic_digest.translate.glossary import Glossary
from arabic_digest.translate.translator import DEFAULT_TRANSLATION_MODEL


class Device(str, Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


class Backend(str, Enum):
    """auto: CTranslate2 where the model converts (once, cached), else transformers."""

    auto = "auto"
    ctranslate2 = "ctranslate2"
    transformers = "transformers"


class Engine(str, Enum):
    local = "local"
    ray = "ray"


class Translate(str, Enum):
    """all articles, or only each story's lead (members get skipped records)."""

    all = "all"
    leads = "leads"


@dataclass(frozen=True)
class Shard:
    index: int  # K, 0-based
    count: int  # N

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`K/N` with 0 <= K < N, e.g. `0/3`, `1/3`, `2/3`."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not match:
            raise ValueError(f"--shard must look like K/N (e.g. 0/3), not {text!r}")
        index, count = int(match[1]), int(match[2])
        if count < 1 or index >= count:
            raise ValueError(f"--shard {text}: need N >= 1 and 0 <= K < N (K is 0-based)")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def contains(self, article_id: str) -> bool:
        return shard_of(article_id, self.count) == self.index

    def suffix(self) -> str:
        return f".shard-{self.index}-of-{self.count}"

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "count": self.count, "key": "sha1(id) mod count"}


def shard_of(article_id: str, count: int) -> int:
    """Stable across machines and processes (unlike `hash()`): first 8 bytes of sha1."""
    digest = hashlib.sha1(article_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


def shard_output(output: Path, shard: Shard) -> Path:
    """outputs/news.jsonl -> outputs/news.shard-0-of-3.jsonl, so shards never collide."""
    return output.with_name(output.name.removesuffix(".jsonl") + shard.suffix() + ".jsonl")


@dataclass(frozen=True)
class RunSpec:
    """A frozen, typed description of one run: what `arabic-digest run` was asked to do.

    The CLI builds exactly one; everything downstream reads it. `record_settings` and
    `requested_identity` say which of it can change a record (see identity.py).
    """

    inputs: tuple[str, ...]
    output: Path | None = None
    translation_model: str = DEFAULT_TRANSLATION_MODEL
    summarization_model: str | None = DEFAULT_SUMMARIZATION_MODEL  # None: no summary
    summary_length: SummaryLength = field(default_factory=SummaryLength)
    prompt: str | None = None  # name in prompts/ or path; None: the model family's default
    fields: Fields = field(default_factory=Fields)
    device: Device = Device.auto
    beams: int | None = None
    batch_tokens: int = 4096
    backend: Backend = Backend.auto
    dedupe: bool = True  # translate identical segments once per run
    segment_tokens: int = 200
    limit: int | None = None
    overwrite: bool = False
    retry_errors: bool = False
    quiet: bool = False
    retry_doubtful: bool = True  # retry flagged segments once with safer decoding
    clean_options: CleanOptions = field(default_factory=CleanOptions)
    read_options: ReadOptions = field(default_factory=ReadOptions)
    language_check: bool = True  # skip articles that are not Arabic
    dedupe_ids: bool = False  # repeated ids become ID~2, ID~3... instead of error records
    # Articles are pooled until their segments fill this many batches of batch_tokens.
    pool_batches: int = 8
    max_pool_articles: int = 64
    shard: Shard | None = None  # only the articles of this shard (see Shard)
    glossary: Glossary | None = None  # --glossary: terms checked in every segment (trust.py)
    engine: Engine = Engine.local  # where batches run; never what a record holds
    stories: bool = True  # group articles of the same story (a first pass, stories.py)
    translate: Translate = Translate.all
    # --preset: only a name for the models and beams above (already resolved), so it is in the
    # manifest but not in the identity: a resume compares what it resolved to (presets.py).
    preset: str = DEFAULT_PRESET

    def output_path(self) -> Path:
        if self.output:
            return self.output
        out = default_output(self.inputs)
        return shard_output(out, self.shard) if self.shard else out

    def batch_settings(self) -> BatchSettings:
        return BatchSettings(self.clean_options, self.segment_tokens, self.language_check)

    def record_settings(self) -> dict[str, Any]:
        """The settings other than the models' that can change a record (see identity.py)."""
        f, r = self.fields, self.read_options
        return {"inputs": list(self.inputs),
                "fields": {"text": f.text, "title": f.title, "id": f.id},
                "read_options": {"encoding": r.encoding,
                                 "max_article_chars": r.max_article_chars},
                "ids": "dedupe" if self.dedupe_ids else "error",
                "cleaning": self.clean_options.signature(),
                "segment_tokens": self.segment_tokens,
                "language_check": self.language_check,
                "retry_doubtful": self.retry_doubtful,
                "shard": str(self.shard) if self.shard else None,
                "summary_length": self.summary_length.record(),
                "prompt": self.prompt,
                "glossary": self.glossary.signature() if self.glossary else None,
                "stories": StoryOptions().signature() if self.stories else None,
                "translate": self.translate.value}

    def preset_record(self) -> dict[str, Any]:
        """The manifest's `preset`: its name and the options that replaced its values."""
        return {"name": self.preset,
                "overridden": overridden(self.preset, self.translation_model,
                                         self.summarization_model, self.beams)}

    def signature(self) -> str:
        """The short signature of what this spec asks for (models by id; the manifest's adds
        their revisions and resolved settings once loaded)."""
        return signature(self.requested_identity())

    def requested_models(self) -> dict[str, dict[str, Any] | None]:
        """The models as far as they are known before they load: by id."""
        summarizer = ({"id": self.summarization_model}
                      if self.summarization_model is not None else None)
        return {"translation": {"id": self.translation_model}, "summarization": summarizer}

    def requested_identity(self) -> dict[str, Any]:
        """The identity as far as it is known before any model loads (model ids only)."""
        return run_identity(self.record_settings(), self.requested_models())


def default_output(inputs: tuple[str, ...] | list[str]) -> Path:
    first = inputs[0] if inputs else "-"
    stem = "stdin" if first == "-" else Path(first.rstrip("/")).stem
    return Path("outputs") / f"{stem}.jsonl"
