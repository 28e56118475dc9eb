"""`arabic-digest clean`: cleaning and segmentation alone, no model, for tuning the rules."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from arabic_digest.guard import OutputLock
from arabic_digest.inputs.readers import Fields, ReadOptions, check_inputs, read_inputs
from arabic_digest.manifest import new_manifest, write_manifest
from arabic_digest.pipeline.article import BatchSettings, Prepared, prepare
from arabic_digest.pipeline.boilerplate_pass import boilerplate_manifest, learn_boilerplate
from arabic_digest.pipeline.spec import default_output
from arabic_digest.records import RecordFile
from arabic_digest.translate.cleaning.options import CleanOptions
from arabic_digest.translate.hub import offline_hint
from arabic_digest.translate.translator import ModelLoadError


def tokenizer_counter(name: str) -> Callable[[str], int]:
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(name)
    except Exception as exc:  # noqa: BLE001
        raise ModelLoadError(f"{offline_hint(name)} ({type(exc).__name__}: {exc})") from exc
    return lambda text: len(tok(text)["input_ids"])


def clean_output(inputs: list[str], output: Path | None) -> Path:
    return output or default_output(inputs).with_suffix(".clean.jsonl")


def clean_corpus(inputs: list[str], output: Path | None, fields: Fields, options: CleanOptions,
                 tokenizer: str | None = None, segment_tokens: int = 200) -> tuple[Path, Counter]:
    """Write records with `source` and `clean` (plus each paragraph's segments).

    Boilerplate is learned from all inputs first; what was learned is printed to stderr and
    kept in the manifest beside the output (`<name>.run.json`, key "boilerplate").
    """
    check_inputs(inputs)
    path = clean_output(inputs, output)
    count = tokenizer_counter(tokenizer) if tokenizer else None
    started = datetime.now(timezone.utc)
    options = learn_boilerplate(inputs, fields, ReadOptions(), options)
    if options.learned is not None:
        print(options.learned.describe(), file=sys.stderr)
    settings = BatchSettings(options, segment_tokens)
    counts: Counter = Counter()
    with OutputLock(path):  # as run: one writer per output
        out = RecordFile(path, overwrite=True)
        try:
            for article in read_inputs(inputs, fields):
                item = prepare(article, count, settings)
                if isinstance(item, Prepared):
                    item.record["clean"]["segments"] = [[s.text for s in segs]
                                                        for segs in item.paragraph_segments]
                    item = item.record
                out.append([item])
                counts[item["status"]] += 1
        finally:
            out.close()
        write_manifest(path, new_manifest(
            "finished", path, started, inputs=inputs, cleaning=options.signature(),
            boilerplate=boilerplate_manifest(options), counts=dict(counts)))
    return path, counts
