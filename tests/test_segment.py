"""Tests for translate.segment: sentence splitting and budgeted segments."""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path

import pytest
from arabic_digest.translate.cleaning.clean import clean_article
from arabic_digest.translate.segment import (
    Segment,
    estimate_tokens,
    segment_paragraph,
    split_sentences,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ARTICLES = DATA / "news-articles.jsonl"
needs_data = pytest.mark.skipif(not ARTICLES.exists(), reason="../shared/data not present")

N = int(os.environ.get("CLEAN_FUZZ", "150"))
FAST = settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def words(s: str) -> int:
    return len(s.split())


def chars(s: str) -> int:
    return len(s)


def eos_counter(s: str) -> int:
    """Like a real tokenizer: a fixed overhead (</s>) plus roughly one token per 3 chars."""
    return 1 + len(s) // 3


def rejoin(segs: list[Segment]) -> str:
    return "".join(s.text + s.sep for s in segs)


@cache
def real_paragraphs() -> list[str]:
    out = []
    with ARTICLES.open(encoding="utf-8") as f:
        for a in map(json.loads, f):
            out += clean_article(a["text"], title=a["title"]).paragraphs
    return out


def real_paragraph(start: str) -> str:
    (p,) = [p for p in real_paragraphs() if p.startswith(start)]
    return p


# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------


@needs_data
def test_real_question_marks() -> None:
    p = real_paragraph('"مقالك مقال جميل جدا')
    sents = split_sentences(p)
    assert sents[0].endswith("ولم يجد في العيد مساحة للفرح؟")
    assert sents[1] == 'واسأل الطفل البريء -إذا لم يجد "عيدية-:ما موقفه من العيد؟'
    assert sents[2].startswith("ولأنكم ذكرتموني")
    # a quoted question closing the paragraph stays one sentence: ...إعلامهم؟".
    p = real_paragraph('وتابع: "وليد إنسان مسالم')
    assert split_sentences(p) == [p]
    assert p.endswith('في وسائل إعلامهم؟".')


@needs_data
def test_real_quote_closing_after_stop() -> None:
    p = real_paragraph("وقال المطلق إن")
    assert split_sentences(p) == [
        'وقال المطلق إن "أكثر من 90 في المئة من المسلمات الملتزمات في العالم الإسلامي لا '
        "يرتدين العباءة.",
        'لذا لا يجب أن نرغم على ارتداء العباءات".',
    ]
    p = real_paragraph("جاء ذلك في سلسلة من التغريدات")
    sents = split_sentences(p)
    assert sents[0].endswith("اعادة الإعمار وبناء البنية التحتية.")
    assert sents[1].endswith('من قبل ميليشيا الحوثي المدعومة من إيران."')
    assert len(sents) == 2


@needs_data
def test_real_decimals_and_times() -> None:
    p = real_paragraph("ونظم السباق في مدينة كونا")
    sents = split_sentences(p)
    assert len(sents) == 3
    assert sents[0].endswith("إذ قطع مسافة 8.6 كيلومترا في زمن بلغ 00:39:49.")
    assert sents[1] == (
        "وبالنسبة إلى ركوب الدراجات، فاستطاع إنهاء مسافة 180.2 كيلومترا خلال 04:40:22."
    )
    p = real_paragraph("يذكر أن برنامج حساب المواطن")
    assert split_sentences(p) == [p]  # 11.98 3.49 8.49


@needs_data
def test_real_dates_and_numbers() -> None:
    p = real_paragraph("وأشارت الناقلة الوطنية")
    sents = split_sentences(p)
    assert "من يوم 17 مارس وحتى 13 أفريل 2017 على أن يكون يوم 28 أفريل 2017" in sents[2]
    assert sents[-1] == "من تونس ومن الخارج على الرقمين: 70.103.700) 216+ (70.101.300) 216+ ("
    assert len(sents) == 6


@pytest.mark.parametrize(
    "paragraph, expected",
    [
        ("وصل الوفد في 13.04.2021 إلى جدة. وبدأ المحادثات", 2),
        ("انتهى الاجتماع الساعة 10:30 مساء. ثم غادر الوفد", 2),
        ("وقع ذلك عام 1990 م. ثم انسحبت القوات", 1),  # م. is an abbreviation
        ("وقع ذلك في 25 شوال 1436 هـ. ثم", 1),
        ("الكتب والمجلات والصحف إلخ. وغيرها", 1),
        ("راسلونا على ص.ب. 1234 الرياض", 1),
        ("قال د. محمد العلي إن العلاج متوفر.", 1),
        ("وصرح م. أحمد سعيد بأن المشروع انتهى.", 1),
        ("قالت وكالة أ.ف.ب. إن الحادث وقع ليلا.", 1),
        ("J. K. Rowling visited U.S. officials in Washington. Then she left.", 2),
        ("1. إذا قدم المشترك الشكوى. 2. إذا لم يقدمها", 2),
        ("قال الوزير، في بيان، إن الاتفاق نهائي، وإن التنفيذ سيبدأ قريبا", 1),
        ("هل صدام حسين السبب؟ الجواب لا!! وقال آخرون...", 3),
        ("انسحاب القوة الجوية من المواجهة.. هل صدام حسين السبب؟", 2),
        ("داخل الحدود السعودية (؟؟)، كما سيساعد هذا", 1),
        ("نتورك . / سبوتنيك", 2),
        ("نهاية الجملة۔ بداية أخرى", 2),
        ("قال: (انتهى الأمر.) ثم خرج", 2),
        ("البريد musaned@mol.gov.sa والموقع www.musaned.gov.sa متاحان", 1),
    ],
)
def test_sentence_cases(paragraph: str, expected: int) -> None:
    sents = split_sentences(paragraph)
    assert len(sents) == expected, sents
    assert re.sub(r"\s+", "", "".join(sents)) == re.sub(r"\s+", "", paragraph)


def test_split_sentences_edges() -> None:
    assert split_sentences("") == []
    assert split_sentences("   \n ") == []
    assert split_sentences("  جملة واحدة.  ") == ["جملة واحدة."]
    assert split_sentences('قال: "نعم." وذهب') == ['قال: "نعم."', "وذهب"]


# ---------------------------------------------------------------------------
# Segments
# ---------------------------------------------------------------------------


def test_short_sentences_are_segments() -> None:
    p = "  جملة أولى. جملة ثانية؟\nجملة ثالثة!  "
    segs = segment_paragraph(p)
    assert [s.text for s in segs] == ["جملة أولى.", "جملة ثانية؟", "جملة ثالثة!"]
    assert [s.sep for s in segs] == [" ", "\n", ""]
    assert not any(s.split for s in segs)
    assert rejoin(segs) == p.strip()
    assert segment_paragraph("") == []


def test_split_prefers_semicolon_then_comma_then_waw() -> None:
    a = "الجزء الأول من الجملة الطويلة هنا، مع تفاصيل"
    b = "الجزء الثاني من الجملة الطويلة هنا، مع تفاصيل أخرى"
    segs = segment_paragraph(f"{a}؛ {b}.", count_tokens=words, budget=10)
    assert [s.text for s in segs] == [a + "؛", b + "."]
    assert segs[0].split and segs[1].split and segs[0].split_at == "؛"

    segs = segment_paragraph("أ ب ج، د ه و، ز ح ط، ي ك ل.", count_tokens=words, budget=7)
    assert [s.text for s in segs] == ["أ ب ج، د ه و،", "ز ح ط، ي ك ل."]  # the ، nearest the middle
    assert segs[0].split_at == "،"

    segs = segment_paragraph("قال الوزير إن البلاد تواجه أزمة وأضاف أن الحكومة تعمل", words, 6)
    assert [s.text for s in segs] == ["قال الوزير إن البلاد تواجه أزمة", "وأضاف أن الحكومة تعمل"]
    assert segs[0].split_at == "و" and segs[0].sep == " "


def test_decimal_comma_is_not_a_split_point() -> None:
    segs = segment_paragraph("زيادة بنسبة 5،5 في المئة في أسعار الوقود هذا العام", words, 5)
    assert all("5،5" in s.text or "،" not in s.text for s in segs)
    assert rejoin(segs) == "زيادة بنسبة 5،5 في المئة في أسعار الوقود هذا العام"


def _no_punct_paragraph(n: int, with_waw: bool) -> str:
    pool = [
        w for p in (real_paragraphs() if ARTICLES.exists() else ["كلمة عربية طويلة"])
        for w in re.findall(r"[\u0621-\u064a]+", p)
        if with_waw or not w.startswith("و")
    ]
    return " ".join(pool[i % len(pool)] for i in range(n))


@pytest.mark.parametrize("with_waw", [False, True])
def test_600_token_paragraph_without_punctuation_whitespace_counter(with_waw: bool) -> None:
    p = _no_punct_paragraph(600, with_waw)
    segs = segment_paragraph(p, count_tokens=words, budget=200)
    assert rejoin(segs) == p
    assert all(words(s.text) <= 200 for s in segs)
    assert all(s.split for s in segs)
    if not with_waw:  # hard cap only: greedy packing, 200 + 200 + 200
        assert [words(s.text) for s in segs] == [200, 200, 200]
        assert [s.split_at for s in segs] == ["space", "space", None]


def test_600_token_paragraph_character_counter() -> None:
    p = _no_punct_paragraph(600, with_waw=False)
    segs = segment_paragraph(p, count_tokens=chars, budget=500)
    assert rejoin(segs) == p
    assert all(len(s.text) <= 500 for s in segs)
    assert len(segs) >= len(p) // 500


def test_single_word_over_budget_is_cut_by_characters() -> None:
    word = "مخصصات" * 30  # 180 characters, no space
    p = f"قال {word} انتهى"
    segs = segment_paragraph(p, count_tokens=chars, budget=50)
    assert rejoin(segs) == p
    assert all(0 < len(s.text) <= 50 for s in segs)
    assert any(s.split_at == "char" and s.sep == "" for s in segs)


def test_default_counter_is_the_estimate() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("في الأردن") == 1 + 2
    p = _no_punct_paragraph(600, with_waw=False)
    segs = segment_paragraph(p)
    assert rejoin(segs) == p
    assert all(estimate_tokens(s.text) <= 200 for s in segs)


@needs_data
@pytest.mark.parametrize("counter, budget", [(words, 12), (chars, 80), (None, 25)])
def test_real_paragraphs_within_budget(counter, budget: int) -> None:
    count = counter or estimate_tokens
    for p in real_paragraphs():
        segs = segment_paragraph(p, count_tokens=counter, budget=budget)
        assert rejoin(segs) == p
        for s in segs:
            assert s.text and s.text == s.text.strip()
            assert count(s.text) <= budget, s.text
        assert segs[-1].sep == ""


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

_ALPHA = "ابتجدهوزحطيكلمنسعفصقرشثخذضظغةىءأإآ" + "0123456789" + ".!?؟۔…،؛:\"'”»)(«" + "  \n\t"
paragraphs = st.text(alphabet=_ALPHA, max_size=400)


@FAST
@given(
    paragraphs,
    st.integers(min_value=1, max_value=40),
    st.sampled_from([words, chars, eos_counter, None]),
)
def test_segments_rejoin_and_fit(paragraph: str, budget: int, counter) -> None:
    segs = segment_paragraph(paragraph, count_tokens=counter, budget=budget)
    count = counter or estimate_tokens
    assert rejoin(segs) == paragraph.strip()
    for s in segs:
        assert s.text and s.text == s.text.strip()
        assert count(s.text) <= budget
        assert s.sep.strip() == ""
    if segs:
        assert segs[-1].sep == ""


@FAST
@given(paragraphs)
def test_sentences_cover_the_paragraph(paragraph: str) -> None:
    sents = split_sentences(paragraph)
    assert re.sub(r"\s+", "", "".join(sents)) == re.sub(r"\s+", "", paragraph)
    assert all(s and s == s.strip() for s in sents)
    segs = segment_paragraph(paragraph, budget=10**9)
    assert [s.text for s in segs] == sents
