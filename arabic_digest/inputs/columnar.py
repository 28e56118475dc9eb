"""Columnar inputs: Parquet, Arrow/Feather files and Hugging Face datasets saved to disk.

Rows become articles exactly as JSONL objects do (`article_from_mapping`: the same field
detection, --text-field and the rest, the same HTML handling and limits), so the same rows give
the same records in either format. Files are read a record batch at a time (Parquet: row group
by row group), never whole. A dataset folder (`Dataset.save_to_disk`) is read from its Arrow
files in `state.json` order; a `DatasetDict` folder split by split, in its own order. Origins
number rows from 1 across the whole input, like lines of a JSONL file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from arabic_digest.inputs.articles import Article, Fields, ReadOptions, article_from_mapping
from arabic_digest.inputs.readers import Source

BATCH_ROWS = 1024  # rows converted to Python at a time


def _plain(value: Any) -> Any:
    """A value JSON can hold (Arrow gives datetimes, dates, decimals and bytes too)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)  # Decimal, timedelta...


def _batches_of_file(path: Path) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    if path.suffix.lower() == ".parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS)
        return
    source = pa.memory_map(str(path), "r")  # Arrow files map: nothing is copied
    try:
        reader: Any = ipc.open_file(source)  # Feather v2 / Arrow file format
        for i in range(reader.num_record_batches):
            yield reader.get_batch(i)
    except pa.ArrowInvalid:  # the streaming format (what `datasets` writes)
        source.seek(0)
        yield from ipc.open_stream(source)


def _dataset_files(folder: Path) -> list[Path]:
    """The Arrow files of a saved dataset (or each split of a saved DatasetDict), in order."""
    if (folder / "dataset_dict.json").is_file():
        splits = json.loads((folder / "dataset_dict.json").read_text("utf-8")).get("splits", [])
        return [f for split in splits for f in _dataset_files(folder / split)]
    state = json.loads((folder / "state.json").read_text("utf-8"))
    return [folder / f["filename"] for f in state.get("_data_files", [])]


def read_columnar(src: Source, fields: Fields, opts: ReadOptions) -> Iterator[Article]:
    files = _dataset_files(src.path) if src.path.is_dir() else [src.path]
    number = 0
    for path in files:
        for batch in _batches_of_file(path):
            for row in batch.to_pylist():
                number += 1
                # A null is a column this row does not have (a schema is a union of rows).
                obj = {str(k): _plain(v) for k, v in row.items() if v is not None}
                # Arrow strings are UTF-8 by definition.
                yield article_from_mapping(obj, f"{src.label}:{number}", fields, opts, "utf-8")
