"""Trust flags on crafted outputs, and never on real human translations (NTREX references)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from translate.flags import (
    LENGTH_RATIO_BAND,
    LENGTH_RATIO_MEAN,
    check_segment,
    copied,
    length_ratio,
    repetition,
    severity,
    untranslated,
)

ROOT = Path(__file__).resolve().parents[1]


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").removesuffix("\n").split("\n")


@pytest.fixture(scope="module")
def ntrex(shared_data: Path) -> list[tuple[str, str]]:
    return list(zip(read_lines(shared_data / "ntrex-ar-en-dev.ar"),
                    read_lines(shared_data / "ntrex-ar-en-dev.en")))


@pytest.mark.parametrize("text, ngram, times", [
    ("The Ministry of Defense, the Ministry of Defense, the Ministry of Defense said",
     "the ministry of defense", 3),
    ("He said that that that that was all.", "that", 4),
    ("of the of the of the of the of the", "of the", 5),
    # a long unit twice in a row is a loop too
    ("The president met the prime minister The president met the prime minister",
     "the president met the prime minister", 2),
])
def test_repetition_finds_loops(text: str, ngram: str, times: int) -> None:
    found = repetition(text)
    assert found is not None and found["ngram"] == ngram and found["times"] == times


@pytest.mark.parametrize("text", [
    "Very, very good.", "I said no, no and no again.", "He ran and ran.",
    "New York, New York is a song.",
])
def test_repetition_leaves_ordinary_repeats_alone(text: str) -> None:
    assert repetition(text) is None


def test_length_ratio_flags_short_and_long_outputs() -> None:
    src = "قال الرئيس إن الحكومة ستعلن عن خطة جديدة للاقتصاد الأسبوع المقبل"  # 55 letters
    good = "The president said the government will announce a new economic plan next week."
    assert length_ratio(src, good) is None
    short = length_ratio(src, "The president said.")
    assert short is not None and short["direction"] == "short"
    long = length_ratio(src, good + " " + good)
    assert long is not None and long["direction"] == "long"
    assert long["ratio"] > LENGTH_RATIO_BAND[1]
    # Too short a source to judge.
    assert length_ratio("نعم", "Yes, of course, certainly, definitely.") is None


def test_untranslated_finds_arabic_left_in_english() -> None:
    found = untranslated("The minister of الدفاع said on Tuesday (الدفاع)")
    assert found is not None and found["spans"] == ["الدفاع"]
    assert untranslated("The minister said ، on Tuesday") is None  # punctuation only


def test_copied_finds_the_source_passed_through() -> None:
    src = "قال الرئيس إن الحكومة ستعلن عن خطة جديدة"
    assert copied(src, src)["similarity"] == 1.0
    assert copied(src, "President: " + src[:30]) is not None
    # A Latin or numeric segment is rightly copied.
    assert copied("COVID-19", "COVID-19") is None
    assert copied(src, "The president said the government will announce a new plan") is None


def test_check_segment_reports_copied_instead_of_untranslated_and_split() -> None:
    src = "قال الرئيس إن الحكومة ستعلن عن خطة جديدة"
    kinds = [f["kind"] for f in check_segment(src, src, split=True, split_at="،")]
    assert kinds == ["copied", "split"]
    flags = check_segment(src, "The president الحكومة said the government will announce a plan")
    assert [f["kind"] for f in flags] == ["untranslated"]
    assert severity([{"kind": "split"}]) == 0 < severity(flags)


def test_no_flag_fires_on_real_human_translations(ntrex: list[tuple[str, str]]) -> None:
    """All 1005 NTREX references as "clean output": no loop, no Arabic, no copy, and the
    length band lets through all but the 1% it was calibrated to leave out."""
    kinds = [f["kind"] for ar, en in ntrex for f in check_segment(ar, en)]
    assert set(kinds) <= {"length_ratio"}
    assert kinds.count("length_ratio") <= 0.01 * len(ntrex)


def test_calibration_script_reproduces_the_constants(shared_data: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks/calibrate_length_ratio.py"),
                           str(shared_data)], capture_output=True, text=True, check=True)
    import json

    result = json.loads(proc.stdout)
    assert result["pairs"] == 1005
    assert (result["low"], result["high"]) == LENGTH_RATIO_BAND
    assert result["mean"] == LENGTH_RATIO_MEAN
