"""The lines of an input file, decoded (and decompressed) as they stream, each with its byte
offset and the offset of its first undecodable byte, for the line-based readers (JSONL, CSV)
and `check`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from arabic_digest.inputs import encodings
from arabic_digest.inputs.articles import ReadOptions, read_error
from arabic_digest.inputs.compressed import open_binary

SNIFF_BYTES = 1 << 18  # the head of a streamed file that picks its encoding


@dataclass
class Line:
    number: int  # 1-based
    start: int  # byte offset of its first byte in the file
    text: str  # decoded; undecodable bytes are U+DC00+byte marks
    bad: int | None  # byte offset of its first undecodable byte, if any


def _ascii_compatible(encoding: str) -> bool:
    return not encoding.startswith(("utf-16", "utf-32", "utf16", "utf32"))


def binary_lines(fh: BinaryIO, encoding: str, first: bytes = b"",
                  max_line: int | None = None) -> Iterator[Line | tuple[int, int, bytes]]:
    """Decode a byte stream line by line (ASCII-compatible codecs: b"\\n" is always a newline).

    A line longer than `max_line` bytes is not held in memory: it is yielded as
    (number, start, first 64 KiB) after being skipped.
    """
    buf = io.BufferedReader(_Prefixed(first, fh)) if first else fh
    start = 0
    number = 0
    while True:
        raw = buf.readline(max_line + 1) if max_line else buf.readline()
        if not raw:
            return
        number += 1
        if max_line and len(raw) > max_line and not raw.endswith(b"\n"):
            head, size = raw[:1 << 16], len(raw)
            while not raw.endswith(b"\n"):
                raw = buf.readline(1 << 20)
                if not raw:
                    break
                size += len(raw)
            yield number, start, head
            start += size
            continue
        codec = encoding
        if number == 1 and encoding in ("utf-8", "utf-8-sig") and raw.startswith(b"\xef\xbb\xbf"):
            codec = "utf-8-sig"
        dec = encodings.decode_marking(raw, codec)
        bad = start + dec.bad_offsets[0] if dec.bad_offsets else None
        yield Line(number, start, dec.text, bad)
        start += len(raw)


class _Prefixed(io.RawIOBase):
    """A binary stream that first returns `head`, then the rest of `fh`."""

    def __init__(self, head: bytes, fh: BinaryIO) -> None:
        self.head, self.fh = head, fh

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self.head:
            n = min(len(b), len(self.head))
            b[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.fh.read(len(b))
        b[:len(data)] = data
        return len(data)


def _text_lines(dec: encodings.Decoded) -> Iterator[Line]:
    """Lines of an already decoded file; the k-th mark in the text is its k-th bad byte."""
    marks_before = 0
    # Split at "\n" only, as the binary reader does (str.splitlines also splits at \x1c...).
    for number, text in enumerate(re.findall(r"[^\n]*\n|[^\n]+$", dec.text), 1):
        n_marks = len(encodings.BAD_BYTE.findall(text))
        bad = dec.bad_offsets[marks_before] if n_marks else None
        marks_before += n_marks
        yield Line(number, -1, text, bad)


def open_lines(path: Path, opts: ReadOptions,
                max_line: int | None = None) -> tuple[str, Iterator[Line | tuple]]:
    """The file's encoding and its lines, streamed (and decompressed) where the codec allows
    it."""
    fh = open_binary(path)
    head = fh.read(SNIFF_BYTES)
    if opts.encoding:
        encoding = encodings.given_name(opts.encoding)
    else:
        encoding, _ = encodings.sniff(head)
    if not _ascii_compatible(encoding):
        data = head + fh.read()
        fh.close()
        return encoding, _text_lines(encodings.decode_marking(data, encoding))

    def lines() -> Iterator[Line | tuple]:
        with fh:
            yield from binary_lines(fh, encoding, head, max_line)

    return encoding, lines()


def bad_bytes(origin: str, offset: int, encoding: str, path: Path | str) -> dict[str, str]:
    return read_error("UnicodeDecodeError",
                f"{origin}: bytes that are not valid {encoding} at byte offset {offset} of "
                f"{path} (give the right one with --encoding)")
