"""Sharded runs: a stable slice of the input per worker, and merging the slices back.

`--shard K/N` keeps the articles whose sha1(id) mod N is K. The hash is of the record id
(after duplicate ids are renamed to `<file>:<line>`), so every shard of every rerun sees the
same articles, on any machine and Python version (Python's own `hash()` is salted per
process). `merge` re-reads the inputs named in the shard manifests to know the input order,
so records keep schema v1 unchanged and the merged file is byte-for-byte what one run writes
(but `timing_s`).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from arabic_digest.guard import held_by
from arabic_digest.identity import differences, signature
from arabic_digest.inputs.readers import DEFAULT_MAX_ARTICLE_CHARS, Fields, ReadOptions
from arabic_digest.manifest import manifest_path
from arabic_digest.pipeline.onepass import input_items
from arabic_digest.pipeline.options import IDENTITY_NAMES
from arabic_digest.pipeline.spec import RunSpec, Shard, shard_of, shard_output
from arabic_digest.records import replacing, scan_output, write_json_atomic
from arabic_digest.text import plural

__all__ = ["MergeError", "MergeResult", "Shard", "merge_shards", "shard_of", "shard_output",
           "unsharded_output"]

_SHARD_NAME = re.compile(r"\.shard-\d+-of-\d+$")


class MergeError(Exception):
    """Shard outputs that cannot be merged into one complete output (nothing is written)."""


def unsharded_output(path: Path) -> Path:
    """outputs/news.shard-0-of-3.jsonl -> outputs/news.jsonl (merge's default output)."""
    stem = _SHARD_NAME.sub("", path.name.removesuffix(".jsonl"))
    return path.with_name(stem + ".jsonl")


@dataclass
class MergeResult:
    output: Path
    counts: Counter

    @property
    def has_errors(self) -> bool:
        return bool(self.counts.get("error"))

    def closing_line(self) -> str:
        c = self.counts
        return (f"merged {plural(c['articles'], 'article')}: {c['ok']} ok, {c['error']} error, "
                f"{c['skipped']} skipped -> {self.output}")


def _load_manifest(out: Path) -> dict[str, Any] | None:
    path = manifest_path(out)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text("utf-8"))
    except ValueError as exc:
        raise MergeError(f"{path}: not a readable manifest ({exc})") from None


def _selection(manifests: list[tuple[Path, dict[str, Any] | None]],
               inputs: Sequence[str] | None, fields: Fields | None, limit: int | None
               ) -> RunSpec:
    """Which inputs (and fields, limit, read options) the shards were cut from, as a config
    for `input_items`; the shard manifests are checked to agree."""

    known = [(p, m) for p, m in manifests if m is not None]
    if inputs is None and len(known) < len(manifests):
        missing = ", ".join(str(p) for p, m in manifests if m is None)
        raise MergeError(f"no manifest (.run.json) beside {missing}: name the inputs with "
                         "--inputs to know their order")
    first = known[0][1] if known else {}
    for path, m in known:
        if m.get("status") != "finished":
            raise MergeError(f"{path}: its shard run is {m.get('status') or 'unknown'}, not "
                             "finished; rerun that shard's command to finish it, then merge")
        if not isinstance(m.get("identity"), dict):
            raise MergeError(f"{path}: its manifest records no run identity (an older "
                             "arabic-digest made it); rerun that shard")
        # Shards of one run differ in their shard only; the rest is compared as resume does.
        diff = differences({**first["identity"], "shard": None}, {**m["identity"], "shard": None},
                           names=IDENTITY_NAMES)
        if diff:
            raise MergeError(f"{path}: its shard run differs from {known[0][0]}'s, so their "
                             "records would not match:\n  " + "\n  ".join(diff))
    shards = [m.get("shard") for _, m in known]
    if known and all(shards):
        counts = {s["count"] for s in shards}
        if len(counts) > 1:
            raise MergeError(f"the shard outputs come from different splits (N = "
                             f"{sorted(counts)}); merge the shards of one split")
    if inputs is None:
        cwd = Path(first.get("cwd") or ".")
        # Relative inputs are relative to where the shard ran (if that folder exists here).
        inputs = [i if i == "-" or Path(i).is_absolute() or not cwd.is_dir() else str(cwd / i)
                  for i in first["inputs"]]
    if "-" in inputs:
        raise MergeError("the shards read stdin: name the same input again with --inputs FILE")
    if fields is None:
        f = first.get("fields") or {}
        fields = Fields(f.get("text"), f.get("title"), f.get("id"))
    read = first.get("read_options") or {}
    return RunSpec(
        inputs=tuple(inputs), fields=fields,
        limit=limit if limit is not None else first.get("limit"),
        read_options=ReadOptions(read.get("encoding"),
                                 read.get("max_article_chars", DEFAULT_MAX_ARTICLE_CHARS)),
        dedupe_ids=bool(first.get("dedupe_ids")))


def _index(paths: Sequence[Path]) -> dict[str, list[tuple[int, int, int, str]]]:
    """id -> [(file number, byte offset, line number, status)] over every shard output."""
    where: dict[str, list[tuple[int, int, int, str]]] = {}
    for n, path in enumerate(paths):
        for line in scan_output(path):
            if line.record is None:
                raise MergeError(
                    f"{path}:{line.number}: not a whole record ({line.problem}; a shard "
                    "killed mid-write? rerun that shard to repair it)")
            where.setdefault(line.record["id"], []).append(
                (n, line.offset, line.number, line.record["status"]))
    return where


def _examples(items: list[str], limit: int = 5) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def merge_shards(shard_outputs: Sequence[Path], output: Path | None = None,
                 inputs: Sequence[str] | None = None, fields: Fields | None = None,
                 limit: int | None = None) -> MergeResult:
    """Write one output (and manifest) in input order from the outputs of shard runs.

    The inputs, fields and limit come from the shard manifests unless given.

    Every input id must have exactly one record among the shard outputs, and every record an
    input id; otherwise MergeError says which, and nothing is written.
    """
    paths = [Path(p) for p in shard_outputs]
    if not paths:
        raise MergeError("name the shard outputs to merge")
    for p in paths:
        if not p.is_file():
            raise MergeError(f"{p}: no such shard output")
        holder = held_by(p)
        if holder:
            raise MergeError(f"{p}: a run is still writing it ({holder}); merge once it ends")
    if len({p.resolve() for p in paths}) < len(paths):
        raise MergeError("a shard output is named twice")
    output = output or unsharded_output(paths[0])
    if output.resolve() in {p.resolve() for p in paths}:
        raise MergeError(f"{output}: the merged output would overwrite a shard output; use -o")
    manifests = [(p, _load_manifest(p)) for p in paths]
    selection = _selection(manifests, inputs, fields, limit)

    where = _index(paths)
    order: list[str] = []
    shard_count = next((m["shard"]["count"] for _, m in manifests if m and m.get("shard")), None)
    missing: list[str] = []
    for article_id, _ in input_items(selection):
        order.append(article_id)
        if article_id not in where:
            hint = f" (shard {shard_of(article_id, shard_count)}/{shard_count})" \
                if shard_count else ""
            missing.append(f"{article_id!r}{hint}")
    dupes = [f"{i!r} in " + " and ".join(f"{paths[n]}:{line}" for n, _, line, _ in places)
             for i, places in where.items() if len(places) > 1]
    known = set(order)
    extra = [f"{i!r} ({paths[places[0][0]]}:{places[0][2]})"
             for i, places in where.items() if i not in known]
    problems = []
    if missing:
        problems.append(f"{len(missing)} of {len(order)} input ids have no record: "
                        f"{_examples(missing)}; finish those shards (rerunning a shard's "
                        "command resumes it) and merge again")
    if dupes:
        problems.append(f"{plural(len(dupes), 'id')} with more than one record: {_examples(dupes)}")
    if extra:
        problems.append(f"{plural(len(extra), 'record')} not in the inputs {selection.inputs}: "
                        f"{_examples(extra)}")
    if problems:
        raise MergeError("; ".join(problems))

    counts: Counter = Counter({"ok": 0, "error": 0, "skipped": 0})
    handles = [p.open("rb") for p in paths]
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        with replacing(output) as tmp, tmp.open("wb") as fh:
            for article_id in order:
                n, offset, lineno, status = where[article_id][0]
                handles[n].seek(offset)
                raw = handles[n].readline()
                if json.loads(raw).get("id") != article_id:  # changed since it was indexed
                    raise MergeError(f"{paths[n]}:{lineno}: changed while merging; merge again")
                fh.write(raw)
                counts[status] += 1
            fh.flush()
            os.fsync(fh.fileno())
    finally:
        for h in handles:
            h.close()
    counts["articles"] = len(order)
    write_json_atomic(manifest_path(output),
                      _merged_manifest(manifests, output, selection.inputs, counts))
    return MergeResult(output, counts)


def _merged_manifest(manifests: list[tuple[Path, dict[str, Any] | None]], output: Path,
                     inputs: list[str], counts: Counter) -> dict[str, Any]:
    """The first shard's manifest with summed counts, the merge's command and every shard's."""
    known = [m for _, m in manifests if m]
    merged: dict[str, Any] = dict(known[0]) if known else {"schema_version": 1}
    summed: Counter = Counter()
    for m in known:
        summed.update({k: v for k, v in (m.get("counts") or {}).items()
                       if isinstance(v, (int, float))})
    # Status counts describe the merged file; the rest add up what the shard runs did.
    for key in ("articles", "ok", "error", "skipped"):
        summed[key] = counts[key]
    merged.update({
        "status": "merged",
        "command": sys.argv,
        "inputs": inputs,
        "output": str(output),
        "shard": None,
        # The merged file is what one unsharded run of the same settings writes.
        "identity": {**merged.get("identity", {}), "shard": None},
        "counts": dict(summed),
        "started_at": min((m["started_at"] for m in known if m.get("started_at")), default=None),
        "ended_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        # Shards run in parallel: their seconds add up to worker time, not wall time.
        "elapsed_s": round(sum(m.get("elapsed_s") or 0 for m in known), 3),
        "shards": [{"output": str(p), "manifest": str(manifest_path(p)) if m else None,
                    "shard": m.get("shard") if m else None,
                    "status": m.get("status") if m else None,
                    "counts": m.get("counts") if m else None,
                    "started_at": m.get("started_at") if m else None,
                    "ended_at": m.get("ended_at") if m else None,
                    "elapsed_s": m.get("elapsed_s") if m else None}
                   for p, m in manifests],
    })
    merged["signature"] = signature(merged["identity"])
    merged.pop("throughput", None)
    return merged
