"""Decoding input bytes: BOMs, strict UTF-8, then charset-normalizer biased to Arabic codepages.

Strategy (in this order, first match wins):

1. ``--encoding NAME`` given: use it, nothing is guessed.
2. A byte-order mark: UTF-32 LE/BE, UTF-8 (``utf-8-sig``), UTF-16 LE/BE.
3. Strict UTF-8. A file that is UTF-8 except for a few bad bytes (at most 1 in 100 of its
   non-ASCII characters, or 8 bytes) stays UTF-8: the bad bytes are damage, not another codec.
4. charset-normalizer restricted to the Arabic single-byte codepages (Windows-1256,
   ISO-8859-6). Unrestricted, it takes short Arabic text in those codepages for Greek,
   Cyrillic or Hebrew codepages now and then; restricted, it picked the right one for every
   article of the shared corpus re-encoded (tests/test_robust_encodings.py).
5. charset-normalizer unrestricted; failing that, UTF-8.

Bytes the chosen codec cannot decode never raise: they become U+DC80..U+DCFF (like
``surrogateescape``) and their byte offsets are recorded, so a reader can turn exactly the
article that holds them into an error record naming file, offset and encoding.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

ARABIC_CODEPAGES = ("cp1256", "iso8859_6")
# (BOM, name recorded in source.meta, codec for the bytes after the BOM); longest first:
# the UTF-32 LE BOM starts with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)
BOM_OF = {name: (bom, codec) for bom, name, codec in BOMS}
# Characters that stand for undecodable bytes (U+DC00 + the byte, like surrogateescape).
BAD_BYTE = re.compile("[\udc00-\udcff]")

_HANDLER = "arabic_digest_mark"
_marks: list[int] = []  # byte offsets of bad bytes met by the current decode call


def _mark(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    _marks.extend(range(exc.start, exc.end))
    return "".join(chr(0xDC00 + b) for b in bad), exc.end


codecs.register_error(_HANDLER, _mark)


class UnknownEncoding(ValueError):
    """--encoding names a codec Python does not know."""


def normalize_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UnknownEncoding(f"unknown encoding {name!r} (try utf-8, utf-16, cp1256, "
                              "iso-8859-6)") from None


def given_name(name: str) -> str:
    """The codec for a --encoding value; utf-8-sig/utf-16-le style names are kept as given."""
    low = name.lower().replace("_", "-")
    return low if low in BOM_OF else normalize_name(name)


@dataclass
class Decoded:
    text: str
    encoding: str  # Python codec name, as recorded in source.meta["encoding"]
    bad_offsets: list[int] = field(default_factory=list)  # byte offsets of undecodable bytes
    how: str = "given"  # given | bom | utf-8 | detected

    @property
    def ok(self) -> bool:
        return not self.bad_offsets


def decode_marking(data: bytes, encoding: str) -> Decoded:
    """Decode with `encoding`, turning bad bytes into marks instead of raising.

    For the BOM names (utf-8-sig, utf-16-le...) a leading BOM is skipped and offsets still
    count from the first byte of `data`.
    """
    codec, skip = encoding, 0
    if encoding in BOM_OF:
        bom, codec = BOM_OF[encoding]
        skip = len(bom) if data.startswith(bom) else 0
    elif encoding in ("utf-16", "utf-32"):  # BOM-sniffing codecs: say which order was used
        for bom, name, inner in BOMS:
            if name.startswith(encoding) and data.startswith(bom):
                codec, skip, encoding = inner, len(bom), name
                break
    _marks.clear()
    text = data[skip:].decode(codec, errors=_HANDLER)
    offsets = [skip + off for off in _marks]
    _marks.clear()
    return Decoded(text, encoding, offsets)


def _mostly_utf8(data: bytes) -> Decoded | None:
    try:
        return Decoded(data.decode("utf-8"), "utf-8", [])
    except UnicodeDecodeError:
        pass
    # Counted at C speed first: the marking handler runs once per bad byte, and a
    # megabyte in another codepage is a million of them (1.3 s for 1.4 MB).
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", "ignore")) - bad
    if bad <= max(8, non_ascii // 100) and non_ascii >= bad:
        return decode_marking(data, "utf-8")
    return None


def sniff(data: bytes) -> tuple[str, str]:
    """The codec for these bytes and how it was chosen (bom, utf-8, detected)."""
    for bom, name, _ in BOMS:
        if data.startswith(bom):
            return name, "bom"
    if _mostly_utf8(data) is not None:
        return "utf-8", "utf-8"
    from charset_normalizer import from_bytes

    best = None
    if b"\x00" not in data:  # NULs mean a wide encoding; the Arabic codepages cannot be it
        best = from_bytes(data, cp_isolation=list(ARABIC_CODEPAGES)).best()
    if best is None:
        best = from_bytes(data).best()
    if best is None:
        return "utf-8", "utf-8"
    return normalize_name(best.encoding), "detected"


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode a whole file's bytes (see the module docstring for the strategy)."""
    if encoding:
        name, how = given_name(encoding), "given"
    else:
        name, how = sniff(data)
    dec = decode_marking(data, name)
    dec.how = how
    return dec
