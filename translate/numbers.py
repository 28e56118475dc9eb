"""Numbers in Arabic news text and in its English translation, as comparable values.

Pure functions over cleaned text (the cleaning has already turned Arabic-Indic and Persian
digits into ASCII, `٫` into `.` and `٬` into `,`). A number is kept with every value a faithful
rendering could show, so "55 ألف" matches "55,000" and "55 thousand", "125 مليون" matches
"£125m", and "1.500" matches "1,500". The check errs towards accepting: a flag must be worth a
reader's time (calibrated on human translations, see benchmarks/calibrate_checks.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Num", "arabic_word_values", "digit_numbers", "english_word_values"]

# Digits with inner separators: "380,000", "7.5", "1.500.000", "192.168.1.1"; or a time "04:00".
_NUM_RE = re.compile(r"\d{1,2}:\d\d(?!\d)|\d+(?:[.,]\d+)*")
# "1950-53": the second year written with two digits.
_SHORT_YEAR_RE = re.compile(r"(?<!\d)(1\d|20)\d\d\s?[-–/]\s?$")
# Scale words right after a number (Arabic source / English target).
_AR_SCALES = {
    "ألف": 10**3, "الف": 10**3, "آلاف": 10**3, "الاف": 10**3, "ألفا": 10**3, "ألفًا": 10**3,
    "مليون": 10**6, "ملايين": 10**6, "مليونا": 10**6,
    "مليار": 10**9, "مليارات": 10**9, "بليون": 10**9, "مليارا": 10**9,
    "تريليون": 10**12, "ترليون": 10**12,
}
_EN_SCALES = {
    "thousand": 10**3, "k": 10**3, "million": 10**6, "m": 10**6, "mn": 10**6, "mln": 10**6,
    "billion": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12,
}
_AR_SCALE_RE = re.compile(r"\s*(" + "|".join(sorted(map(re.escape, _AR_SCALES), key=len,
                                                     reverse=True)) + r")(?![\w])")
_EN_SCALE_RE = re.compile(r"\s?(" + "|".join(sorted(_EN_SCALES, key=len, reverse=True))
                          + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Num:
    """A number as written (`text`, its place `start`) and every value it may stand for."""

    text: str
    start: int
    values: frozenset[Decimal]


def _readings(text: str) -> set[Decimal]:
    """Values of one digit group: separators read as thousands and/or decimal point."""
    if ":" in text:  # a time: 04:00 is 4 (o'clock), 7:55 is also 7.55
        hours, minutes = text.split(":")
        values = {Decimal(hours), Decimal(f"{hours}.{minutes}")}
        return values | ({Decimal(minutes)} if int(minutes) else set())
    seps = re.findall(r"[.,]", text)
    groups = re.split(r"[.,]", text)
    values: set[Decimal] = set()
    if not seps:
        values.add(Decimal(text))
        return values
    if len(set(seps)) == 1 and all(len(g) == 3 for g in groups[1:]):
        values.add(Decimal("".join(groups)))  # thousands: 380,000 / 1.500.000
    if len(seps) == 1:
        values.add(Decimal(f"{groups[0]}.{groups[1]}"))  # decimal: 7.5 / 1,5
        if len(groups[1]) == 2:  # a time such as 7.55 may come out as 7:55
            values.update(Decimal(g) for g in groups)
    if not values:  # dates, versions, addresses: each part on its own
        values.update(Decimal(g) for g in groups)
    return values


def digit_numbers(text: str, lang: str) -> list[Num]:
    """Numbers written in digits, each with its readings and, after a scale word, the scaled
    values too ("55 ألف" -> {55, 55000}; "£2.8bn" -> {2.8, 2800000000})."""
    scale_re, scales = (_AR_SCALE_RE, _AR_SCALES) if lang == "ar" else (_EN_SCALE_RE, _EN_SCALES)
    out: list[Num] = []
    for m in _NUM_RE.finditer(text):
        values = _readings(m.group())
        century = _SHORT_YEAR_RE.search(text, max(0, m.start() - 8), m.start())
        if century and len(m.group()) == 2:
            values.add(Decimal(century.group(1) + m.group()))
        scale = scale_re.match(text, m.end())
        if scale:
            factor = scales[scale.group(1).lower()]
            values |= {v * factor for v in values}
        out.append(Num(m.group(), m.start(), frozenset(v.normalize() for v in values)))
    return out


# ---------------------------------------------------------------------------- number words

_EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
             "seventeen", "eighteen", "nineteen"]
_EN_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_EN_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth",
                "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"]
_EN_WORDS: dict[str, Decimal] = {
    **{w: Decimal(i) for i, w in enumerate(_EN_UNITS)},
    **{w: Decimal(20 + 10 * i) for i, w in enumerate(_EN_TENS)},
    **{w[:-1] + "ieth": Decimal(20 + 10 * i) for i, w in enumerate(_EN_TENS)},
    **{w: Decimal(i + 1) for i, w in enumerate(_EN_ORDINALS)},
    # Words that state a count without being a numeral ("dozens", "hundreds" are not counts).
    "once": Decimal(1), "single": Decimal(1), "twice": Decimal(2), "both": Decimal(2),
    "double": Decimal(2), "pair": Decimal(2), "couple": Decimal(2), "thrice": Decimal(3),
    "triple": Decimal(3), "dozen": Decimal(12), "half": Decimal("0.5"),
    "quarter": Decimal("0.25"), "third": Decimal(3),
    "hundred": Decimal(100), "hundredth": Decimal(100),
    "thousand": Decimal(1000), "million": Decimal(10**6), "billion": Decimal(10**9),
    "trillion": Decimal(10**12),
}
_EN_MULT = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9,
            "trillion": 10**12}
_EN_WORD_RE = re.compile(r"[a-z]+")


def _compose(tokens: Iterable[tuple[Decimal | None, bool, bool]]) -> set[Decimal]:
    """Values of word numbers: each word alone and runs composed ("twenty five" -> 25,
    "three hundred" -> 300, "خمسة وعشرين" -> 25, "مليون ونصف" -> 1500000).

    Tokens are (value or None, is a scale word, joined by "and"/و to the previous one).
    """
    values: set[Decimal] = set()
    run: Decimal | None = None
    for value, is_scale, joined in tokens:
        if value is None:
            run = None
            continue
        values.add(value)
        if run is None:
            run = value
        elif is_scale:
            run = run * value if run < value else run + value
        elif value == Decimal("0.5") and joined:  # "مليون ونصف": one and a half million
            run = run + run * value if run >= 1000 else run + value
        elif run < value or (run % 10 and value % 10):  # "five and twenty" / 5 then 20
            run = run + value if run < 10 or value < 10 else value
        else:
            run = run + value
        values.add(run)
    return values


def english_word_values(text: str) -> set[Decimal]:
    """Values of English number words ("three", "twenty-five", "two million", "first")."""
    tokens: list[tuple[Decimal | None, bool, bool]] = []
    for m in _EN_WORD_RE.finditer(text.lower()):
        word = m.group()
        if word == "and" and tokens and tokens[-1][0] is not None:
            continue
        value = _EN_WORDS.get(word)
        tokens.append((value, word in _EN_MULT, False))
    return _compose(tokens)


# Arabic number words, cardinal and ordinal, masculine and feminine (after cleaning: no
# diacritics). Clitics (و ف ب ل ك ال) are stripped before the lookup.
_AR_WORDS_LIST: list[tuple[int | str, str]] = [
    (1, "واحد واحدة أحد إحدى احد احدى أول اول أولى اولى حادي حادية"),
    (2, "اثنان اثنين اثنتان اثنتين اثنا اثنتا إثنين ثاني ثانية مرتين مرتان كلا كلتا زوج"),
    (3, "ثلاث ثلاثة ثالث ثالثة ثلاثا"), (4, "أربع أربعة اربع اربعة رابع رابعة"),
    (5, "خمس خمسة خامس خامسة"), (6, "ست ستة سادس سادسة"), (7, "سبع سبعة سابع سابعة"),
    (8, "ثمان ثماني ثمانية ثامن ثامنة"), (9, "تسع تسعة تاسع تاسعة"),
    (10, "عشر عشرة عاشر عاشرة"), (12, "دزينة"),
    (20, "عشرون عشرين"), (30, "ثلاثون ثلاثين"), (40, "أربعون أربعين اربعين"),
    (50, "خمسون خمسين"), (60, "ستون ستين"), (70, "سبعون سبعين"), (80, "ثمانون ثمانين"),
    (90, "تسعون تسعين"),
    (100, "مائة مئة مئات"), (200, "مائتان مائتين مئتان مئتين"),
    (300, "ثلاثمائة ثلاثمئة"), (400, "أربعمائة أربعمئة"), (500, "خمسمائة خمسمئة"),
    (600, "ستمائة ستمئة"), (700, "سبعمائة سبعمئة"), (800, "ثمانمائة ثمانمئة"),
    (900, "تسعمائة تسعمئة"),
    (1000, "ألف الف آلاف الاف"), (2000, "ألفان ألفين الفين"),
    (10**6, "مليون ملايين"), (2 * 10**6, "مليونان مليونين"),
    (10**9, "مليار مليارات بليون"), (2 * 10**9, "ملياران مليارين"),
    (10**12, "تريليون ترليون"),
    ("0.5", "نصف"), ("0.25", "ربع"), ("0.75", "ثلاثة أرباع"),
]
_AR_WORDS: dict[str, Decimal] = {w: Decimal(v) for v, words in _AR_WORDS_LIST
                                 for w in words.split()}
# Decades ("التسعينيات" / "تسعينيات القرن"): the English writes "the 1990s" or "the '90s".
_AR_DECADES = {"عشرينيات": 20, "ثلاثينيات": 30, "أربعينيات": 40, "اربعينيات": 40,
               "خمسينيات": 50, "ستينيات": 60, "سبعينيات": 70, "ثمانينيات": 80,
               "تسعينيات": 90}
_AR_SCALE_WORDS = {w for w, v in _AR_WORDS.items() if v >= 1000 and v in (10**3, 10**6,
                                                                           10**9, 10**12)}
_PREFIXES = ("وبال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")


def _ar_lookup(word: str) -> tuple[Decimal | None, bool]:
    """(value, joined by و) of one Arabic token, trying it with its clitics stripped."""
    for cand in (word, *(word[len(p):] for p in _PREFIXES if word.startswith(p))):
        for form in (cand, cand.removesuffix("ا"), cand.removesuffix("ين") + "ون"):
            if form in _AR_WORDS:
                return _AR_WORDS[form], word.startswith(("و", "ف")) and form != word
            for decade, v in _AR_DECADES.items():
                if form.startswith(decade):
                    return Decimal(v), False
    return None, False


def arabic_word_values(text: str) -> set[Decimal]:
    """Values that Arabic number words in `text` state (for numbers the English adds in
    digits: "اثنين" -> 2, "الثالثة" -> 3, "خمسة وعشرين" -> 25, "مليون ونصف" -> 1500000,
    "التسعينيات" -> 90, 1990). Digits written in the text join runs ("3 ملايين" -> 3000000)."""
    tokens: list[tuple[Decimal | None, bool, bool]] = []
    decades: set[Decimal] = set()
    for m in re.finditer(r"\d+(?:\.\d+)?|[\u0621-\u064a]+", text):
        tok = m.group()
        if tok[0].isdigit():
            tokens.append((Decimal(tok), False, False))
            continue
        value, joined = _ar_lookup(tok)
        if value is not None and any(tok.endswith(d) or d in tok for d in _AR_DECADES):
            decades.update({value, value + 1900, value + 2000})
        stem = tok
        for p in _PREFIXES:
            if tok.startswith(p) and tok[len(p):] in _AR_WORDS:
                stem = tok[len(p):]
                break
        tokens.append((value, stem in _AR_SCALE_WORDS, joined))
    values = _compose(tokens) | decades
    # "النصف" may come out as "50 percent", "ربع" as "25%".
    return values | {v * 100 for v in values if 0 < v < 1}
