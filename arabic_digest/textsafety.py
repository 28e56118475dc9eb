"""Characters no model should see: lone surrogates and control characters.

`source.text` keeps the text exactly as read; what goes to the cleaner has lone surrogates
(from JSON "\\ud800" escapes, or undecodable-byte marks) replaced by U+FFFD and C0/C1 control
characters other than tab, newline and carriage return removed (form feed, vertical tab and
the Unicode line/paragraph separators become newlines). What was taken out is listed in
`clean.removed` with kind "control".
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_NEWLINE_LIKE = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def sanitize(text: str) -> tuple[str, list[str]]:
    """(safe text, the characters taken out or replaced)."""
    taken = _SURROGATE.findall(text) + _CONTROL.findall(text)
    text = _SURROGATE.sub("\ufffd", text)
    text = _NEWLINE_LIKE.sub("\n", text)
    text = _CONTROL.sub("", text)
    return text, taken


def removed_entry(taken: list[str]) -> dict[str, str]:
    # Escaped, so the record shows which characters they were.
    return {"kind": "control", "text": "".join(f"\\u{ord(c):04x}" for c in taken)}
