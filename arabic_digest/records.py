"""Output records (schema_version 1) and their JSONL file: append, fsync, resume, repair."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .guard import crash_point
from .readers import Article

SCHEMA_VERSION = 1


def base_record(article: Article) -> dict[str, Any]:
    """The parts every record has, whatever its status."""
    return {
        "schema_version": SCHEMA_VERSION,
        "id": article.id,
        "status": "ok",
        "error": None,
        "source": {"title": article.title, "text": article.text, "meta": article.meta},
        "clean": None,
        "translation": None,
        "summary": None,
        "models": {},
        "timing_s": {},
    }


def error_record(article: Article, stage: str, exc_type: str, message: str) -> dict[str, Any]:
    rec = base_record(article)
    rec["status"] = "error"
    rec["error"] = {"stage": stage, "type": exc_type, "message": message}
    return rec


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(record: dict[str, Any]) -> str:
    # ensure_ascii=False keeps Arabic readable in the file; one record, one line.
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    # A lone surrogate (JSON input "\ud800") cannot be written as UTF-8; inside a JSON string
    # its \\uXXXX escape is valid JSON that reads back as the very same string.
    if _LONE_SURROGATE.search(text):
        text = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text + "\n"


class OutputWriteError(OSError):
    """Records could not be appended; the file was cut back to its last complete record."""


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    """Read a finished output file (complete lines only)."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.endswith("\n") and line.strip():
                yield json.loads(line)


def _atomic_write_lines(path: Path, lines: Iterable[str], crash: str = "") -> None:
    """Write a new version beside the file, then rename it over: old or new, never half."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.writelines(lines)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    if crash:
        crash_point(crash)
    os.replace(tmp, path)


def write_json_atomic(path: Path, data: Any) -> None:
    _atomic_write_lines(path, [json.dumps(data, ensure_ascii=False, indent=2) + "\n"],
                        crash="manifest")


class RecordFile:
    """An output JSONL file that is only ever appended to in whole lines.

    Opening it repairs a torn last line (a crash mid-write) and reports which ids are done,
    so a rerun of the same command resumes where the last one stopped.
    """

    def __init__(self, path: Path, *, overwrite: bool = False, retry_errors: bool = False) -> None:
        self.path = path
        self.repaired = 0  # lines dropped because they were torn or invalid
        self.retried = 0  # error records dropped to be redone
        self.done: dict[str, str] = {}  # id -> status of records already in the file
        path.parent.mkdir(parents=True, exist_ok=True)
        if overwrite or not path.exists():
            _atomic_write_lines(path, [])
        else:
            self._load(retry_errors)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        self.good = os.fstat(self._fd).st_size  # end of the last complete record

    def _load(self, retry_errors: bool) -> None:
        data = self.path.read_bytes()
        keep: list[str] = []
        for raw in data.splitlines(keepends=True):
            try:
                rec = json.loads(raw)
                if not raw.endswith(b"\n") or not isinstance(rec, dict) or "id" not in rec:
                    raise ValueError("torn or foreign line")
            except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                self.repaired += 1
                continue
            if retry_errors and rec.get("status") == "error":
                self.retried += 1
                continue
            self.done[rec["id"]] = rec.get("status", "ok")
            keep.append(raw.decode("utf-8"))
        if self.repaired or self.retried:
            _atomic_write_lines(self.path, keep, crash="repair")

    def append(self, records: list[dict[str, Any]]) -> None:
        """Write whole records, then fsync: a crash loses at most this batch.

        A failed write (disk full, file size limit, I/O error) cuts the file back to the end
        of the last complete record before raising, so it never ends in a partial line.
        """
        if not records:
            return
        data = "".join(dumps(r) for r in records).encode("utf-8")
        crash_point("append", lambda: os.write(self._fd, data[: len(data) // 2]))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]
            crash_point("fsync")
            os.fsync(self._fd)
        except OSError as exc:
            try:
                os.ftruncate(self._fd, self.good)
            except OSError:
                pass  # the next open repairs a torn last line anyway
            raise OutputWriteError(exc.errno, f"cannot write {self.path}: {exc.strerror}; "
                                   f"it holds {len(self.done)} complete records") from exc
        self.good += len(data)
        for r in records:
            self.done[r["id"]] = r["status"]

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def reorder(self, order: list[str]) -> bool:
        """Rewrite the file in input order if resuming or retrying left it out of order."""
        position = {id_: i for i, id_ in enumerate(order)}
        lines = self.path.read_text(encoding="utf-8").splitlines(keepends=True)
        keys = [position.get(json.loads(line)["id"], len(order)) for line in lines]
        if keys == sorted(keys):
            return False
        ordered = [line for _, line in sorted(zip(keys, lines), key=lambda kv: kv[0])]
        _atomic_write_lines(self.path, ordered, crash="reorder")
        return True
