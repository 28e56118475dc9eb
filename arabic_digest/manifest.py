"""The manifest beside an output (`<name>.run.json`): where it is, how every command builds it
(`new_manifest`) and writes it (`write_manifest`), and what it says of models."""

from __future__ import annotations

import json
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from arabic_digest.records import write_json_atomic

PACKAGES = ("arabic-digest", "torch", "transformers", "sentencepiece", "sacremoses", "tokenizers",
            "sacrebleu", "rouge-score", "ctranslate2")


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name.removesuffix(".jsonl") + ".run.json")


def new_manifest(status: str, output: Path, started: datetime, **fields: Any) -> dict[str, Any]:
    """A manifest as every command that writes an output makes it: what ran and where, the
    command's own `fields`, then the packages, the platform and when (`ended_at` once it is no
    longer running)."""
    ended = None if status == "running" else datetime.now(timezone.utc)
    return {"schema_version": 1, "status": status, "command": sys.argv, "output": str(output),
            **fields, "packages": package_versions(), "platform": platform.platform(),
            "started_at": started.isoformat(timespec="seconds"),
            "ended_at": ended.isoformat(timespec="seconds") if ended else None}


def write_manifest(output: Path, manifest: dict[str, Any]) -> None:
    """Beside `output`, replaced whole (a crash leaves the old one or the new one)."""
    write_json_atomic(manifest_path(output), manifest)


def read_manifest(output: Path) -> dict[str, Any] | None:
    """The manifest beside `output`, or None when there is none or it is not readable."""
    try:
        data = json.loads(manifest_path(output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def model_info(model: Any) -> dict[str, Any] | None:
    """A model's manifest entry: its id, revision and settings (see the Translator and
    Summarizer protocols; wrappers report their inner model's)."""
    if model is None:
        return None
    return {"id": model.name, "revision": model.revision, **model.settings()}
