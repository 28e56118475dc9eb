"""Compressed inputs: `.gz`, `.bz2`, `.xz` and `.zst` around any text format, streamed.

A corpus dump is usually compressed (`day.jsonl.gz`, `news.csv.zst`). The format is the suffix
under the compression suffix; the bytes are decompressed as they are read, never held whole.
A stream that breaks (truncated, corrupt) raises `CorruptStream`, an `OSError` that names the
file and the compressed byte offset where it broke; what was read before it stands.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from pathlib import Path
from typing import Any, BinaryIO

COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst")


def split_suffix(path: Path) -> tuple[str, str | None]:
    """(format suffix, compression suffix or None), lower case: `a.JSONL.gz` -> (.jsonl, .gz)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSIONS:
        return (suffixes[-2] if len(suffixes) > 1 else ""), suffixes[-1]
    return (suffixes[-1] if suffixes else ""), None


class CorruptStream(OSError):
    """A compressed stream that cannot be read on (truncated or corrupt data)."""

    def __init__(self, path: Path, offset: int, why: str) -> None:
        super().__init__(f"corrupt or truncated {path.suffix} stream in {path} near compressed "
                         f"byte offset {offset} ({why}); the articles before it are kept")
        self.strerror = str(self.args[0])


class _Guarded(io.RawIOBase):
    """A decompressing stream whose failures become `CorruptStream` with the byte offset."""

    def __init__(self, inner: BinaryIO, raw: BinaryIO, path: Path) -> None:
        self.inner, self.raw, self.path = inner, raw, path

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        try:
            data = self.inner.read(len(b))
        except (EOFError, OSError, zlib.error, lzma.LZMAError, ValueError) as exc:
            raise CorruptStream(self.path, self.raw.tell(), f"{type(exc).__name__}: {exc}"
                                ) from exc
        except Exception as exc:  # zstandard.ZstdError and the like
            if type(exc).__name__ != "ZstdError":
                raise
            raise CorruptStream(self.path, self.raw.tell(), str(exc)) from exc
        b[:len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            self.raw.close()
            super().close()


def _zstd_reader(raw: BinaryIO) -> BinaryIO:
    try:
        import zstandard
    except ImportError as exc:  # a dependency; only a broken install lacks it
        raise OSError("reading .zst needs the zstandard package (pip install zstandard)"
                      ) from exc
    # read_across_frames: files written by `zstd` in several frames read whole.
    return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, decompressed as they are read when its suffix says so."""
    _, compression = split_suffix(path)
    if compression is None:
        return path.open("rb")
    raw = path.open("rb")
    try:
        inner: BinaryIO
        if compression == ".gz":
            inner = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
        elif compression == ".bz2":
            inner = bz2.BZ2File(raw, "rb")  # type: ignore[assignment]
        elif compression == ".xz":
            inner = lzma.LZMAFile(raw, "rb")  # type: ignore[assignment]
        else:
            inner = _zstd_reader(raw)
    except BaseException:
        raw.close()
        raise
    return io.BufferedReader(_Guarded(inner, raw, path), 1 << 16)  # type: ignore[return-value]


def read_all(path: Path, limit: int | None = None) -> bytes:
    """The whole (decompressed) file; past `limit` bytes, only `limit + 1` of them."""
    with open_binary(path) as fh:
        return fh.read() if limit is None else fh.read(limit + 1)
