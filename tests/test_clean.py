"""Tests for translate.clean: normalisation, boilerplate removal, accountability.

Real articles come from ../shared/data (beside the repository), never copied here.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from arabic_digest.translate.cleaning.clean import clean_article
from arabic_digest.translate.cleaning.normalize import _unescape, normalize, normalize_line
from arabic_digest.translate.cleaning.options import CleanOptions
from arabic_digest.translate.cleaning.rules import RULES
from hypothesis import HealthCheck, given, settings
from hypothesis import example as hypothesis_example
from hypothesis import strategies as st

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEED = DATA / "seed-article.txt"
ARTICLES = DATA / "news-articles.jsonl"

needs_data = pytest.mark.skipif(not ARTICLES.exists(), reason="../shared/data not present")
# CLEAN_FUZZ=5000 for a longer fuzzing run
N = int(os.environ.get("CLEAN_FUZZ", "150"))
FAST = settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def articles() -> dict[str, dict]:
    with ARTICLES.open(encoding="utf-8") as f:
        return {a["id"]: a for a in map(json.loads, f)}


def cleaned(article_id: str):
    a = articles()[article_id]
    return clean_article(a["text"], title=a["title"])


def removed_of(c, kind: str) -> list[str]:
    return [r["text"] for r in c.removed if r["kind"] == kind]


# ---------------------------------------------------------------------------
# The accountability checker
# ---------------------------------------------------------------------------
# fold() keeps what cleaning must never lose or change: letters, digits and
# symbols.  It applies only the listed normalisations (entity unescaping, NFKC,
# digits to ASCII, ک->ك, ی/ى/ي compared as one letter) and drops what cleaning
# may delete or rewrite (listed diacritics, tatweel, zero-width and bidi controls,
# whitespace, punctuation, modifier symbols such as ` and ´).

_DROP = set("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0640")
_CONTROLS = set(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\u061c\ufeff\u2060\u00ad"
)
_LETTER_MAP = {"\u06a9": "\u0643", "\u06cc": "\u064a", "\u0649": "\u064a"}


def nfkc(text: str) -> str:
    """Entity unescaping and NFKC as cleaning does them (NFKC again once controls are gone)."""
    text = unicodedata.normalize("NFKC", _unescape(text))
    text = "".join(c for c in text if c not in _CONTROLS)
    return unicodedata.normalize("NFKC", text)


def fold(text: str) -> str:
    text = nfkc(text)
    out = []
    for c in text:
        cat = unicodedata.category(c)
        if c in _DROP or cat[0] in "PZ" or cat in ("Cc", "Sk"):
            continue
        if cat == "Nd":
            c = str(unicodedata.digit(c))
        out.append(_LETTER_MAP.get(c, c))
    return "".join(out)


def is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(c in it for c in small)


def assert_accounted(source: str, result) -> None:
    """Every letter/digit/symbol of ``source`` is in exactly one output piece."""
    pieces = list(result.paragraphs) + [r["text"] for r in result.removed]
    if result.dateline:
        pieces.append(result.dateline)
    src = fold(source)
    assert Counter(src) == Counter("".join(fold(p) for p in pieces))
    for p in pieces:
        assert is_subsequence(fold(p), src), p


# ---------------------------------------------------------------------------
# Normalisation: unit cases
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("مُحَمَّدٌ", "محمد"),  # harakat
        ("قرآنٰ", "قرآن"),  # dagger alef U+0670
        ("تقســــيطها", "تقسيطها"),  # tatweel inside a word
        ("الفقرة (40 ــ 1)", "الفقرة (40 - 1)"),  # free-standing tatweel is a dash
        ("قال\u200f: \u200f\u200f(\u200fأيام)", "قال: (أيام)"),  # RLM deleted, not spaced
        ("كلمة\u200cكلمة", "كلمةكلمة"),  # ZWNJ deleted, not a space
        ("في\u00a0مارس", "في مارس"),  # NBSP
        ("أ\u2009ب\u3000ج\tد", "أ ب ج د"),  # other spaces
        ("الطائف &#8211; الباحة", "الطائف - الباحة"),  # entity, then Moses dash
        ("&amp;#8220;العلوم&amp;#8221;", '"العلوم"'),  # double-escaped entities
        ("a=1&para=2", "a=1&para=2"),  # no entity without ';'
        ("وکان", "وكان"),  # keheh
        ("الإثنین", "الإثنين"),  # Farsi yeh inside a word
        ("النبی الأکرم", "النبى الأكرم"),  # Farsi yeh word-finally -> alef maqsura
        ("تحریک", "تحريك"),
        ("نتورك ۔ / سبوتنيك", "نتورك . / سبوتنيك"),  # Urdu full stop
        ("عام ٢٠١٨ و۱۳۹۷", "عام 2018 و1397"),  # Arabic-Indic and Persian digits
        ("٣٫٥ و١٬٠٠٠", "3.5 و1,000"),  # Arabic decimal/thousands separators
        ("ﻻ ﻷ كاﻷشباح", "لا لأ كالأشباح"),  # presentation forms (NFKC)
        ("“المخدرات” «فرحة» ‘x’", '"المخدرات" "فرحة" \'x\''),  # Moses quotes
        ("أ — ب … ج", "أ - ب ... ج"),  # Moses dash, NFKC ellipsis
        ("قال ، ثم ؛ لماذا ؟", "قال ، ثم ؛ لماذا ؟"),  # Arabic punctuation untouched
        ("(الناتو)، و(وام).", "(الناتو)، و (وام)."),  # no space before ، after ')'
        ("إلى مستشفى الولادة", "إلى مستشفى الولادة"),  # never ى->ي or ة->ه
        ("أإآاٱءؤئ", "أإآاٱءؤئ"),  # never alef/hamza unification
        ("see https://w.org/wiki/A_(b) now", "see https://w.org/wiki/A_(b) now"),  # URL intact
        ("x\u2028y", "x\ny"),  # every line break becomes \n
    ],
)
def test_normalize_cases(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_keeps_lines() -> None:
    assert normalize("سطر أول\n\n  سطر\u00a0ثان \r\nثالث") == "سطر أول\n\nسطر ثان\nثالث"


def test_unknown_characters_are_kept() -> None:
    for s in ["الچنرال", "🇮🇶🦅", "ہ ھ ۓ", "ॐ", "\u0653\u0654", "∑ ¥ €"]:
        assert fold(normalize(s)) == fold(s)
    assert "چ" in normalize("الچنرال")


def test_options_and_signature() -> None:
    s = "مُحَمَّد ٢٠١٨ “قال” یک"
    assert normalize(s, CleanOptions(keep_diacritics=True)).startswith("مُحَمَّد")
    assert "٢٠١٨" in normalize(s, CleanOptions(keep_digits=True))
    assert "“قال”" in normalize(s, CleanOptions(keep_punctuation=True))
    assert normalize(s, CleanOptions(keep_letters=True)).endswith("یک")
    assert CleanOptions().signature() == "clean:v4|nfkc|dediac|digits:ascii|punct:moses|boiler"
    assert CleanOptions(
        keep_diacritics=True, keep_digits=True, keep_punctuation=True, keep_boilerplate=True,
        keep_letters=True,
    ).signature() == "clean:v4|nfkc|diac:keep|digits:keep|punct:keep|boiler:keep|letters:keep"
    assert CleanOptions(keep_kinds=frozenset({"tags", "read_also"})).signature() == (
        "clean:v4|nfkc|dediac|digits:ascii|punct:moses|boiler:-read_also,-tags"
    )
    # every single switch gives a different signature
    sigs = {
        CleanOptions(**{name: True}).signature()
        for name in ("keep_diacritics", "keep_digits", "keep_punctuation", "keep_boilerplate",
                     "keep_letters")
    }
    assert len(sigs) == 5 and CleanOptions().signature() not in sigs


def test_keep_boilerplate_and_keep_kinds() -> None:
    text = "العنوان\n\n(رويترز) - قال مسؤول إن الاجتماع انتهى.\n\n(يتبع)"
    c = clean_article(text, title="العنوان", options=CleanOptions(keep_boilerplate=True))
    assert c.paragraphs == ["العنوان", "(رويترز) - قال مسؤول إن الاجتماع انتهى.", "(يتبع)"]
    assert c.removed == [] and c.dateline is None
    c = clean_article(text, title="العنوان", options=CleanOptions(keep_kinds=frozenset({"marker"})))
    assert c.paragraphs == ["قال مسؤول إن الاجتماع انتهى.", "(يتبع)"]
    assert c.dateline == "(رويترز)"


# ---------------------------------------------------------------------------
# Normalisation: properties
# ---------------------------------------------------------------------------

_ALPHABET = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويىةءأإآؤئٱ"  # Arabic letters
    "کیۍچپژگ۔"  # Persian/Urdu
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0653\u0654\u0640"  # marks, tatweel
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2066\u2069\u061c\ufeff\u2060\u00ad"  # controls
    " \u00a0\u2009\u3000\t"  # spaces
    "0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬"  # digits
    ".,،؛؟!?:;\"'«»“”‘’–—…()[]{}-/%`´&#@_<>*|+"  # punctuation and symbols
    "abcXYZ"
    "ﻻﻷﷲﹰ"  # presentation forms
    "🇮🦅👈"
)
_SNIPPETS = ["&amp;", "&#1575;", "&#8211;", "&nbsp;", "&#x200f;", "http://a.b/c_(d)", "x@y.com",
             "''", "``", "\n", "\r\n", "\u2028", "ی ", "(CNN)--", " ــ "]
texts = st.lists(
    st.one_of(st.text(alphabet=_ALPHABET, max_size=12), st.sampled_from(_SNIPPETS)), max_size=12
).map("".join)


@FAST
@given(texts)
# An e-mail's domain pattern once swallowed the scheme of the URL after it.
@hypothesis_example("x@y.com&#8211;http://a.b/c_(d)")
def test_normalize_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@FAST
@given(texts)
def test_normalize_loses_no_letter(text: str) -> None:
    out = normalize(text)
    assert fold(out) == fold(text)
    # ى is never turned into ي; ة never into ه; hamza/alef forms never unified
    src = nfkc(text)
    assert out.count("ى") >= src.count("ى")
    for ch in "ةأإآاٱءؤئ":
        assert out.count(ch) == src.count(ch), ch


@FAST
@given(texts)
def test_normalize_keeps_line_count(text: str) -> None:
    assert normalize(text).count("\n") == len(normalize(text).split("\n")) - 1
    assert len(normalize(text).split("\n")) == len(normalize(normalize(text)).split("\n"))


# ---------------------------------------------------------------------------
# Article cleaning: properties (real lines mixed with boilerplate and noise)
# ---------------------------------------------------------------------------


@cache
def _real_lines() -> list[str]:
    if not ARTICLES.exists():
        return ["قال المتحدث إن الاجتماع كان مثمرا.", "وأضاف أن الحكومة ستدرس الاقتراح."]
    lines = [line for a in articles().values() for line in a["text"].split("\n") if line.strip()]
    return lines[::7]


_BOILER = [r.example.split(" | ")[0] for r in RULES] + [
    "(يتبع)", "// انتهى //", "اقرأ أيضا:", "شارك", "تابعونا على تويتر", "#وسم_فقط",
    "https://example.com/x", "<div class=\"ad\">", "var x = 1;", "المصدر: وكالات",
    # inline kinds (v2), glued to whatever line hypothesis puts beside them
    ".box { padding: 0; }", "$(function(){ $('.a').hide(); });", "{\"id\": 1, \"x\": [2]}",
    "شارك تويتر فيسبوك واتساب", "اقرأ أيضا: عنوان آخر", "(تصوير: سامي علي)",
    "نستخدم ملفات تعريف الارتباط لتحسين تجربتك. موافق", "للتواصل مع الكاتب: a@b.com",
    "ثم الرسالة", "737221 - Zain", "اشترك في نشرتنا البريدية ليصلك الجديد.",
]

_plain_lines = st.one_of(
    st.sampled_from(_real_lines()),
    st.sampled_from(_BOILER),
    texts,
)
# scraped text is flat: boilerplate glued inside a line, between two others
lines_st = st.one_of(
    _plain_lines,
    st.tuples(_plain_lines, st.sampled_from(_BOILER), _plain_lines,
              st.sampled_from([" ", ""])).map(lambda t: t[3].join(t[:3])),
)
articles_st = st.tuples(
    st.lists(st.tuples(lines_st, st.sampled_from(["\n", "\n\n", "\n \u00a0\n"])), max_size=8),
    st.one_of(st.none(), lines_st),
)


def _join(parts: list[tuple[str, str]]) -> str:
    return "".join(line + sep for line, sep in parts)


@pytest.mark.slow
@FAST
@given(articles_st)
def test_clean_article_accounts_for_every_character(case) -> None:
    parts, title = case
    text = _join(parts)
    result = clean_article(text, title=title)
    assert_accounted(text, result)
    assert all(p and p == p.strip() and "\n" not in p for p in result.paragraphs)
    assert all(set(r) == {"kind", "text", "reason"} and r["reason"] for r in result.removed)


@FAST
@given(articles_st)
def test_clean_article_idempotent(case) -> None:
    parts, title = case
    first = clean_article(_join(parts), title=title)
    again = clean_article("\n\n".join(first.paragraphs), title=title)
    assert again.paragraphs == first.paragraphs
    assert all(normalize_line(p) == p for p in first.paragraphs)


# ---------------------------------------------------------------------------
# Golden cases from the real data
# ---------------------------------------------------------------------------


@needs_data
def test_seed_article() -> None:
    text = SEED.read_text(encoding="utf-8")
    title = text.split("\n", 1)[0]
    c = clean_article(text, title=title)
    assert removed_of(c, "title") == [title, title]
    assert removed_of(c, "marker") == ["(تستمر)"]
    assert removed_of(c, "prompt") == ["أفكارك وتعليقاتك"]
    assert len(c.removed) == 4
    assert c.dateline == "(أردو بوينت نتورك . / سبوتنيك - 13 أبريل 2021ء)"
    assert c.title == title
    news = [p for p in text.split("\n\n")[2:] if p.strip() not in ("(تستمر)", "أفكارك وتعليقاتك")]
    assert len(c.paragraphs) == len(news) == 12
    assert c.paragraphs[0].startswith("أكد وزير الدفاع الإيراني، العميد أمير حاتمي، اليوم الثلاثاء")
    for got, want in zip(c.paragraphs[1:], news[1:], strict=True):
        assert got == normalize(want)
    assert_accounted(text, c)


@needs_data
def test_all_articles_accounted_and_no_news_lost() -> None:
    checked = 0
    for aid, a in articles().items():
        c = clean_article(a["text"], title=a["title"])
        assert_accounted(a["text"], c)
        # nothing of substance goes as boilerplate: at most a few lines per article
        assert len(c.removed) <= 8, aid
        assert c.paragraphs, aid
        # raw_text without blank lines (one paragraph per line) cleans to the same paragraphs
        if "\n\n" not in normalize(a["raw_text"]).strip():
            raw = clean_article(a["raw_text"], title=a["title"])
            assert raw.paragraphs == c.paragraphs, aid
            checked += 1
    assert checked >= 25


@needs_data
@pytest.mark.parametrize(
    "article_id, dateline, first_words",
    [
        ("ant-CN-sport-394-20180910", "دبي، الإمارات العربية المتحدة (CNN)", "بعد وصول عمر"),
        ("ant-CN-middleEast-1380-20181002", "دبي، الإمارات العربية المتحدة (CNN)",
         '"شراكات جديدة"..'),
        ("ant-CN-sport-462-20181014", "دبي، الإمارات العربية المتحدة (CNN)", "بعد تصميمه"),
        ("ant-CN-middleEast-255-20180313", "دبي، الإمارات العربية المتحدة (CNN)", "قال البيت"),
        ("ant-CN-internationalNews-292-20180430", "كابول، أفغانستان (CNN)", "أعلنت السلطات"),
        ("ant-CN-middleEast-413-20180329", "دبي، الإمارات العربية المتحدة (CNN)", "قال سفير"),
        ("ant-BB-middleEast-556-20180531", None, "أصدرت محكمة إماراتية"),
    ],
)
def test_real_datelines(article_id: str, dateline: str | None, first_words: str) -> None:
    c = cleaned(article_id)
    assert c.dateline == dateline
    assert c.paragraphs[0].startswith(first_words)


@pytest.mark.parametrize(
    "line, dateline, rest",
    [
        ("(CNN) -- قال مسؤول أمريكي", "(CNN)", "قال مسؤول أمريكي"),
        ("القاهرة (رويترز) - قال مسؤول", "القاهرة (رويترز)", "قال مسؤول"),
        ("(رويترز)", "(رويترز)", None),
        ("الرياض - سبق - أعلنت الوزارة", "الرياض - سبق", "أعلنت الوزارة"),
        ("- سبق - أعلنت الوزارة", "سبق", "أعلنت الوزارة"),
        ("موسكو (سبوتنيك - 13 أبريل 2021) أعلن الكرملين", "موسكو (سبوتنيك - 13 أبريل 2021)",
         "أعلن الكرملين"),
        ("بكين 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس أعلنت الصين",
         "بكين 25 شوال 1436 ه الموافق 10 اغسطس 2015 م واس", "أعلنت الصين"),
        ("( أردو بوینت نتورك ۔ / سبوتنيك - 13 أبريل 2021ء) أكد الوزير",
         "(أردو بوينت نتورك . / سبوتنيك - 13 أبريل 2021ء)", "أكد الوزير"),
    ],
)
def test_dateline_forms(line: str, dateline: str, rest: str | None) -> None:
    c = clean_article(line + "\n\nوأضاف أن الاجتماع كان مثمرا.")
    assert c.dateline == dateline
    expected = ([rest] if rest else []) + ["وأضاف أن الاجتماع كان مثمرا."]
    assert c.paragraphs == expected


def test_dateline_only_at_the_start() -> None:
    text = "قال الوزير إن الاتفاق نهائي.\n\nالقاهرة (رويترز) - ونقلت الوكالة الخبر."
    c = clean_article(text)
    assert c.dateline is None
    assert c.paragraphs[1] == "القاهرة (رويترز) - ونقلت الوكالة الخبر."


@needs_data
def test_read_also_block() -> None:
    c = cleaned("ant-BB-middleEast-439-20180502")
    assert removed_of(c, "read_also") == [
        "اقرأ أيضاً:",
        '"عروس": القرية السياحية السودانية التي أدارها الموساد الاسرائيلي',
        "اتهامات للموساد باغتيال #البطش",
        "نتنياهو: الرئيس الفلسطيني معاد للسامية",
        'واينستين "استخدم عملاء سابقين في الموساد للتجسس" على ضحاياه',
        "نبذة عن مئير داغان مدير الموساد السابق",
    ]
    # the news paragraph right after the list stays
    assert any(p.startswith("هاجر إيلي كوهين") for p in c.paragraphs)
    # a list announced by the article itself ("فيما يلي أبرزها:") stays
    assert any(p.startswith("قام الموساد الذي كان يترأسه") for p in c.paragraphs)


@needs_data
def test_read_more_line() -> None:
    c = cleaned("ant-CN-middleEast-255-20180313")
    assert removed_of(c, "read_also") == [
        "اقرأ المزيد...\u00a0انفوجرافيك.. أبرز ما تمخضت عنه زيارة ولي عهد السعودية لبريطانيا"
    ]
    assert c.paragraphs[-1].startswith("والتقى محمد بن سلمان")


@needs_data
def test_social_embeds() -> None:
    c = cleaned("ant-CN-sport-394-20180910")
    embeds = removed_of(c, "embed")
    assert len(embeds) == 3 and all("https://youtu.be/" in e for e in embeds)
    assert not any("youtu.be" in p for p in c.paragraphs)
    # the reporting around the embeds stays
    assert any(p.startswith("وتداول مستخدمون") for p in c.paragraphs)
    assert any(p.startswith("وتحدث مراسل قناة أبوظبي") for p in c.paragraphs)

    c = cleaned("ant-CN-sport-462-20181014")
    assert removed_of(c, "embed") == [
        "عاجل : #ناصر_بن_حمد بطلاً للعالم بعد تحقيقه للمركز الأول في بطولة العالم للرجل "
        "الحديدي المقامة في كونا 🥇🇧🇭 #الذهب_فقط | #مبروك_يابوحمد",
        "A post shared by Nasser Bin Hamad Al-khalifa (@nbh_mo) on Oct 13, 2018 at 7:51pm PDT",
    ]
    # a paragraph with an inline hashtag is news, and stays
    assert any("بهاشتاغ" in p for p in c.paragraphs)

    c = cleaned("snn-alyaum-2015-08-03-964")
    (tweet,) = removed_of(c, "embed")
    assert tweet.startswith("اجتماع مثمر وبناء لـ #مجلس_التعاون")
    assert tweet.endswith("(@AdelAljubeir) أغسطس 3, 2015")
    assert c.paragraphs == [normalize(c.paragraphs[0])]
    assert c.paragraphs[0].endswith("وعودة فورية للعقوبات حال انتهاكه .")


@needs_data
def test_source_link_tags_contacts_bylines() -> None:
    c = cleaned("snn-alweeam-2015-07-21-1880")
    assert removed_of(c, "source_link") == [
        "رابط الخبر بصحيفة الوئام: بالصور..أربع اصابات في حادث على طريق الطائف – الباحة"
    ]
    assert c.paragraphs[0].endswith("نقل مع احد اقاربه بسيارة اخرى للمستشفى.")

    c = cleaned("snn-3alyoum-2015-07-25-4")
    assert removed_of(c, "byline") == ["هيفاء عبدالله – عين اليوم"]
    assert removed_of(c, "tags") == ["سمات لندن"]
    assert c.paragraphs[-1].endswith("الجانب السيء لبعض الخليجيين في لندن.")

    c = cleaned("snn-3alyoum-2015-07-24-210")
    assert removed_of(c, "byline") == ["أحمد العرفج"]
    assert removed_of(c, "contact") == ["تويتر: Arfaj1@", "إيميل: Arfaj555@yahoo.com"]
    assert removed_of(c, "tags") == ["سمات أحمد العرفج احتفال العيد"]
    assert "يا عيد عدت ولم تعد أفراحي" in c.paragraphs  # the poem stays, line by line

    c = cleaned("snn-aljazirah-2015-07-23-374")
    (more,) = removed_of(c, "read_also")
    assert more.startswith("مقالات أخرى للكاتبمن يكون")
    assert c.paragraphs[0].endswith("وكل عام وأنتم ومن تحبون بخير وصحة وأمان.")


@needs_data
def test_inline_urls_emails_numbers_stay() -> None:
    text = "\n".join(cleaned("snn-aawsat-2015-08-04-181").paragraphs)
    assert "reservations.abudhabi@ritzcarlton.com" in text
    assert "+971 2 818 8181" in text
    text = "\n".join(cleaned("ant-AL-economy-215-20180311").paragraphs)
    assert "http://ca.gov.sa." in text and "11.98 مليون" in text
    text = "\n".join(cleaned("snn-aleqtisadiya-2015-08-08-283").paragraphs)
    assert "(musaned@mol.gov.sa)" in text and "(www.musaned.gov.sa)" in text
    text = "\n".join(cleaned("ant-JA-localNews-2948-20170317").paragraphs)
    assert "81 10 77 77" in text and "www.tunisair.com" in text


@needs_data
def test_news_lines_that_look_like_boilerplate_stay() -> None:
    # related-story headlines without a "read also" header are left alone (not guessed)
    c = cleaned("ant-BB-middleEast-559-20180601")
    assert "#الإضراب يشعل مواقع التواصل في الأردن" in c.paragraphs
    assert c.removed == []
    # list items, bullets and sub-headings stay
    c = cleaned("ant-AL-economy-922-20180629")
    assert c.removed == []
    assert any(p.startswith("- إذا ثبت أن العداد") for p in c.paragraphs)
    c = cleaned("snn-aawsat-2015-08-04-181")
    assert c.removed == []
    assert c.paragraphs[0] == "* سحر الطبيعة في لوزان يجذب الزوار من كل مكان"


@needs_data
def test_real_normalisation_in_context() -> None:
    c = cleaned("ant-JA-internationalNews-1121-20170611")
    assert "قائد الثورة الاسلامية في ايران" in c.paragraphs[1]
    assert "ی" not in "".join(c.paragraphs)
    c = cleaned("ant-AL-internationalNews-1636-20180615")
    assert "و كان" not in c.paragraphs[1] and "وكان الجيش الأميركي" in c.paragraphs[1]
    assert any("زعيم طالبان تحريك طالبان" in p for p in c.paragraphs)
    c = cleaned("snn-alweeam-2015-07-21-1659")
    assert c.title == '"العلوم والتقنية" تصدر كتيبا بعنوان "المخدرات"'
    c = cleaned("ant-CN-middleEast-255-20180313")
    assert c.title == "ولي العهد السعودي يلتقي ترامب في 20 مارس بواشنطن"
    assert "بلغت قيمتها 100 مليار دولار" in c.paragraphs[2]


@pytest.mark.parametrize(
    "line, kind",
    [
        ("(يتبع)", "marker"),
        ("// انتهى //", "marker"),
        ("/انتهى/ 15:12 ت م 12:12 جمت", "marker"),
        ("أفكارك وتعليقاتك", "prompt"),
        ("شارك", "prompt"),
        ("شارك الخبر على فيسبوك", "prompt"),
        ("اكتب رأيك", "prompt"),
        ("تابعونا على تويتر @agency", "prompt"),
        ("اقرأ أيضا: الحكومة تعلن الموازنة", "read_also"),
        ("اقرأ المزيد", "read_also"),
        ("(الصورة: رويترز)", "image_credit"),
        ("صورة أرشيفية", "image_credit"),
        ("Getty Images", "image_credit"),
        ("https://t.co/abc123", "links"),
        ("#السعودية #العيد", "links"),
        ("@user1 @user2", "links"),
        ("pic.twitter.com/AbC123", "embed"),
        ("<div class=\"ad-slot\"></div>", "markup"),
        ("googletag.cmd.push(function() { googletag.display('ad'); });", "markup"),
        (".ad-banner { display: none; }", "markup"),
        ("var _gaq = _gaq || [];", "markup"),
    ],
)
def test_boilerplate_lines(line: str, kind: str) -> None:
    body = "قال الوزير إن الاجتماع كان مثمرا."
    c = clean_article(f"{body}\n\n{line}\n\nوأضاف أن الحكومة ستدرس الاقتراح.")
    assert _kt(c.removed) == [{"kind": kind, "text": line}]
    assert c.paragraphs == [body, "وأضاف أن الحكومة ستدرس الاقتراح."]


@pytest.mark.parametrize(
    "line",
    [
        "شارك في السباق أكثر من مئة متسابق من عشرين دولة.",
        "تابعونا نحن أيضا نتابع هذه القضية منذ سنوات طويلة، وقال إن ذلك مهم.",
        "اقرأ المادة الثالثة من الدستور تجد أن الحق مكفول للجميع.",
        "وزار الموقع الرسمي للوزارة www.moh.gov.sa أكثر من مليون شخص.",
        "صورة قاتمة للاقتصاد العالمي في العام المقبل",
        "المصدر الذي طلب عدم ذكر اسمه قال إن المحادثات مستمرة.",
        "سمات القيادة الناجحة كثيرة، أهمها الصبر.",
        "var هو اسم قرية في فرنسا.",
        "1- إذا قدم المشترك الشكوى قبل فصل الخدمة؛ فإن مقدم الخدمة لا يفصل التيار.",
    ],
)
def test_news_lines_kept(line: str) -> None:
    c = clean_article(f"قال الوزير إن الاجتماع كان مثمرا.\n\n{line}")
    assert c.removed == []
    assert c.paragraphs[1] == normalize(line)


def test_inline_markup_and_tail_markers() -> None:
    c = clean_article("قال الوزير<br/> إن الاجتماع كان مثمرا. (يتبع)")
    assert c.paragraphs == ["قال الوزير إن الاجتماع كان مثمرا."]
    assert sorted(_kt(c.removed), key=str) == [
        {"kind": "marker", "text": "(يتبع)"}, {"kind": "markup", "text": "<br/>"}
    ]
    c = clean_article("وأضاف أن البلدين اتفقا. //انتهى// 15:12 ت م")
    assert c.paragraphs == ["وأضاف أن البلدين اتفقا."]
    assert _kt(c.removed) == [{"kind": "marker", "text": "//انتهى// 15:12 ت م"}]


def test_paragraph_structure() -> None:
    # blank lines separate paragraphs; single newlines inside one become spaces
    c = clean_article("سطر أول\nمن فقرة واحدة.\n\nفقرة ثانية.")
    assert c.paragraphs == ["سطر أول من فقرة واحدة.", "فقرة ثانية."]
    # no blank line at all: each line is a paragraph (leading/trailing blanks don't count)
    c = clean_article("\nسطر أول.\nسطر ثان.\n")
    assert c.paragraphs == ["سطر أول.", "سطر ثان."]
    # a line of only NBSP/zero-width characters is blank
    c = clean_article("فقرة.\n\u00a0\u200f\nفقرة أخرى.")
    assert c.paragraphs == ["فقرة.", "فقرة أخرى."]
    # a title repeated in a hard-wrapped body paragraph
    c = clean_article("العنوان\nالطويل\n\nنص الخبر.", title="العنوان الطويل")
    assert c.paragraphs == ["نص الخبر."]
    assert _kt(c.removed) == [{"kind": "title", "text": "العنوان\nالطويل"}]
    assert clean_article("", title=None).paragraphs == []


def test_every_rule_example_matches_its_own_pattern() -> None:
    checked = 0
    for rule in RULES:
        if rule.pattern is None:
            continue
        regex = re.compile(rule.pattern, re.DOTALL)
        for example in rule.example.split(" | "):
            if "..." in example:
                continue  # elided real example (tested on the article itself above)
            text = normalize_line(example)
            if rule.scope == "head":
                ok = regex.match(text)
            elif rule.scope in ("tail", "span"):
                ok = regex.search(text)
            else:
                ok = regex.fullmatch(text)
            assert ok, (rule.kind, rule.scope, example)
            checked += 1
    assert checked >= 30


def _kt(removed: list[dict]) -> list[dict]:
    """The kind and text of each removal (its reason is checked elsewhere)."""
    return [{"kind": r["kind"], "text": r["text"]} for r in removed]
