"""Character normalisation of Arabic news text for Opus-MT, line by line (newlines are kept).

Light and reversible in meaning: it never unifies alef/hamza forms, never maps ى to ي or ة
to ه, and never deletes a character it does not know.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

from arabic_digest.translate.cleaning.options import CleanOptions
from sacremoses import MosesPunctNormalizer

# Zero-width and bidi controls: deleted, not turned into spaces.
_CONTROLS = (
    "\u200b\u200c\u200d\u200e\u200f"  # ZWSP ZWNJ ZWJ LRM RLM
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u061c\ufeff\u2060\u00ad"  # ALM, BOM/ZWNBSP, WJ, soft hyphen
)
_CONTROL_RE = re.compile(f"[{_CONTROLS}]")
# Every other kind of space (after NFKC most are already U+0020) -> plain space.
_SPACE_RE = re.compile(r"[\t\u00a0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000]")
MULTISPACE_RE = re.compile(r" {2,}")
# Line breaks of every kind; normalize() turns them all into "\n".
_LINEBREAK_RE = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

DIACRITICS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
TATWEEL = "\u0640"
_DIAC_RE = re.compile(f"[{DIACRITICS}]")
_ARABIC_LETTER = "\u0620-\u063f\u0641-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06fa-\u06fc\u06ff"
# Tatweel touching a letter is decoration (deleted); a free-standing run is used as a dash.
_TATWEEL_ATTACHED_RE = re.compile(
    # the second only from a run's start: from inside a long run it would rescan the run
    f"(?<=[{_ARABIC_LETTER}{DIACRITICS}]){TATWEEL}+|(?<!{TATWEEL}){TATWEEL}+"
    f"(?=[{_ARABIC_LETTER}{DIACRITICS}])"
)
_TATWEEL_FREE_RE = re.compile(f"{TATWEEL}+")

# Persian/Urdu forms of Arabic letters.
_KEHEH_RE = re.compile("\u06a9")  # ک -> ك
# ی (Farsi yeh) inside a word -> ي ; word-final -> ى (its Arabic spelling there).
_FARSI_YEH_MEDIAL_RE = re.compile(
    f"\u06cc(?=[{DIACRITICS}{TATWEEL}]*[{_ARABIC_LETTER}])"
)
_FARSI_YEH_RE = re.compile("\u06cc")
_URDU_STOP_RE = re.compile("\u06d4")  # ۔ -> .

_DIGITS = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Eastern Arabic-Indic
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian
    }
)
_AR_DECIMAL_RE = re.compile(r"(?<=\d)\u066b(?=\d)")  # ٫ between digits -> .
_AR_THOUSANDS_RE = re.compile(r"(?<=\d)\u066c(?=\d)")  # ٬ between digits -> ,

# Only well-formed entities (with ';'), so "a=1&para=2" in a URL stays intact.
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# URLs and e-mails are shielded from punctuation normalisation. URLs are found first: an
# e-mail's domain pattern could otherwise swallow the scheme of a URL right after it
# ("x@y.com-http://...") and leave the rest of that URL to Moses on a second pass.
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»]+", re.IGNORECASE)
# tried only where a run of address characters starts: inside a long run with no "@" every
# start would scan to its end (the square of the run)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _moses_substitutions() -> list[tuple[re.Pattern[str], str]]:
    """Moses' punctuation table (sacremoses), checked against Arabic text.

    Used as shipped except:
    * ``norm_numbers`` is off: it turns "81 10" (NBSP) into "81.10" in phone numbers,
    * quote/comma swapping is off (English-only rule),
    * its ") ," spacing fix-up also covers the Arabic ، ؛ ؟ (otherwise Moses'
      ") " padding would leave "(الناتو) ،").
    It leaves ، ؛ ؟ themselves untouched.
    """
    moses = MosesPunctNormalizer(lang="ar", penn=True, norm_quote_commas=False, norm_numbers=False)
    subs = []
    for pattern, repl in moses.substitutions:
        if pattern == r"\) ([.!:?;,])":
            pattern = r"\) ([.!:?;,،؛؟])"
        subs.append((re.compile(pattern), repl))
    return subs


_MOSES = _moses_substitutions()


def _unescape(line: str) -> str:
    for _ in range(4):  # "&amp;#8211;" needs two rounds; stop at a fixpoint
        new = _ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), line)
        if new == line:
            break
        line = new
    return line


def _moses(text: str) -> str:
    # one Moses pass is not idempotent ("—:" -> " - :" -> " -:"): run to a fixpoint
    for _ in range(4):
        new = text
        for pattern, repl in _MOSES:
            new = pattern.sub(repl, new)
        if new == text:
            break
        text = new
    return text


def _shielded(text: str, pattern: re.Pattern[str], inner: Callable[[str], str]) -> str:
    """Apply `inner` to the text between matches of `pattern`, leaving the matches as they are."""
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(inner(text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(inner(text[pos:]))
    return "".join(out)


def _punct(line: str) -> str:
    return _shielded(line, _URL_RE, lambda part: _shielded(part, _EMAIL_RE, _moses))


def normalize_line(line: str, options: CleanOptions = CleanOptions()) -> str:
    """Normalise one line (no line breaks inside); result is stripped."""
    line = _unescape(line)
    line = unicodedata.normalize("NFKC", line)
    line = _CONTROL_RE.sub("", line)
    line = _LINEBREAK_RE.sub(" ", line)  # entities such as &#10; may create breaks
    # deleting controls can let a combining mark reach its base: compose again
    line = unicodedata.normalize("NFKC", line)
    line = _SPACE_RE.sub(" ", line)
    if not options.keep_diacritics:
        line = _DIAC_RE.sub("", line)
        line = _TATWEEL_ATTACHED_RE.sub("", line)
        line = _TATWEEL_FREE_RE.sub("-", line)
    if not options.keep_letters:
        line = _KEHEH_RE.sub("\u0643", line)
        line = _FARSI_YEH_MEDIAL_RE.sub("\u064a", line)
        line = _FARSI_YEH_RE.sub("\u0649", line)
        line = _URDU_STOP_RE.sub(".", line)
    if not options.keep_digits:
        line = line.translate(_DIGITS)
        line = _AR_DECIMAL_RE.sub(".", line)
        line = _AR_THOUSANDS_RE.sub(",", line)
    if not options.keep_punctuation:
        line = _punct(line)
    line = MULTISPACE_RE.sub(" ", line)
    return line.strip()


def split_lines(text: str) -> list[str]:
    return _LINEBREAK_RE.split(text)


def normalize(text: str, options: CleanOptions = CleanOptions()) -> str:
    """Normalise a text; line breaks are kept (all kinds become "\\n")."""
    return "\n".join(normalize_line(line, options) for line in split_lines(text))

