"""A run's identity: every setting that can change a record, and one check that compares two.

Resume and merge both use `differences`: a resumed run appends to records made by an earlier
one, and merge joins records made by several, so in both cases the records must come from the
same settings. What cannot change a record (progress, --quiet, --batch-tokens, --limit, the
device, the engine, the segment cache) is left out, so it may change freely.

The manifest keeps the identity as a dict (to name each setting that differs) and as a short
signature in the style of sacreBLEU's, for people: `in:3f2a1c|ids:error|clean:v1|...`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from arabic_digest.errors import ArabicDigestError
from arabic_digest.manifest import read_manifest
from arabic_digest.records import iter_records

# Model settings that cannot change what the model writes.
_FREE_MODEL_KEYS = {"device", "threads", "converted", "batch_tokens", "dedupe",
                    "backend_fallback", "window"}

# What a spec knows before its models load: everything but the models' resolved settings.
PRELOAD_KEYS = {"inputs", "fields", "read_options", "ids", "cleaning", "segment_tokens",
                "language_check", "retry_doubtful", "shard", "summary_length", "prompt",
                "glossary", "stories", "translate", "translation", "summarization"}


class IdentityMismatch(ArabicDigestError):
    """An output (or a shard) was made with other settings than this run's."""


def model_identity(info: dict[str, Any] | None) -> dict[str, Any] | None:
    """What of a model's manifest entry can change a record."""
    if info is None:
        return None
    return {k: v for k, v in info.items() if k not in _FREE_MODEL_KEYS}


def run_identity(settings: dict[str, Any], models: dict[str, dict[str, Any] | None]
                 ) -> dict[str, Any]:
    """The identity from a run's record-changing settings and its models' manifest entries."""
    return {**settings, **{role: model_identity(info) for role, info in models.items()}}


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."


def differences(before: dict[str, Any], now: dict[str, Any], only: set[str] | None = None,
                names: dict[str, str] | None = None) -> list[str]:
    """One line per setting that differs: `--beams: 4 before, 1 now`.

    `only`, when given, limits the comparison to those top-level keys and, inside a model,
    to its `id` (what is known before the models load). `names`: the option behind each
    dotted key (a run's are `pipeline.options.IDENTITY_NAMES`).
    """
    names = names or {}
    a, b = _flat(before), _flat(now)
    lines = []
    for key in sorted(set(a) | set(b)):
        top = key.split(".")[0]
        if only is not None and (top not in only or ("." in key and not key.endswith(".id"))):
            continue
        if a.get(key) != b.get(key):
            name = names.get(key) or names.get(top, key)
            lines.append(f"{name} ({key}): {_short(a.get(key))} before, {_short(b.get(key))} now")
    return lines


def signature(identity: dict[str, Any]) -> str:
    """A short, readable summary of the identity (sacreBLEU-style `key:value|...`)."""
    def digest(value: Any) -> str:
        raw = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha1(raw).hexdigest()[:8]

    def model(info: dict[str, Any] | None) -> str:
        if not info:
            return "none"
        rev = str(info.get("revision") or "?")[:8]
        beams = info.get("num_beams")
        return (f"{info.get('id')}@{rev}/{info.get('backend', '-')}"
                f"{'.' + str(info['compute_type']) if info.get('compute_type') else ''}"
                f"{'/b' + str(beams) if beams else ''}")

    i = identity
    parts = [f"in:{digest([i.get('inputs'), i.get('fields'), i.get('read_options')])}",
             f"ids:{i.get('ids')}",
             f"clean:{str(i.get('cleaning')).removeprefix('clean:').replace('|', '+')}",
             f"seg:{i.get('segment_tokens')}", f"lang:{'yes' if i.get('language_check') else 'no'}",
             f"retry:{'yes' if i.get('retry_doubtful') else 'no'}",
             f"mt:{model(i.get('translation'))}", f"sum:{model(i.get('summarization'))}",
             f"len:{digest([i.get('summary_length'), i.get('prompt')])}"]
    if i.get("shard"):
        parts.append(f"shard:{i['shard']}")
    return "|".join(parts)


def check_same_run(output: Path, before: dict[str, Any] | None, now: dict[str, Any],
                   only: set[str] | None = None, names: dict[str, str] | None = None) -> None:
    """Refuse to add records to `output` when the run that made it had other settings."""
    if before is None:
        raise IdentityMismatch(
            f"{output} holds records, but no manifest beside it says which settings made them "
            "(it was deleted, or an older arabic-digest wrote it); rerun with --overwrite to "
            "start afresh, or choose another output with -o")
    diff = differences(before, now, only, names)
    if diff:
        raise IdentityMismatch(
            f"{output} was made with other settings, and resuming would mix records of two "
            "runs. What differs:\n  " + "\n  ".join(diff) + "\nRerun with the settings it was "
            "made with to resume it, or with --overwrite to start afresh, or choose another "
            "output with -o")


def output_identity(output: Path) -> tuple[bool, dict[str, Any] | None]:
    """Whether `output` holds a record, and the identity its manifest records (if any)."""
    if not output.is_file() or next(iter_records(output), None) is None:
        return False, None
    identity = (read_manifest(output) or {}).get("identity")
    return True, identity if isinstance(identity, dict) else None


def check_resumable(output: Path, identity: dict[str, Any], only: set[str] | None = None,
                    names: dict[str, str] | None = None) -> None:
    """Refuse (IdentityMismatch) to resume an output made with other settings."""
    has_records, before = output_identity(output)
    if has_records:
        check_same_run(output, before, identity, only, names)
