"""Tests for translate.clean: normalisation, boilerplate removal, accountability."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from translate.clean import CleanOptions, clean_article, normalize

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEED = DATA / "seed-article.txt"
ARTICLES = DATA / "news-articles.jsonl"

needs_data = pytest.mark.skipif(not ARTICLES.exists(), reason="../shared/data not present")


def _articles() -> dict[str, dict]:
    with ARTICLES.open(encoding="utf-8") as f:
        return {a["id"]: a for a in map(json.loads, f)}


@needs_data
def test_seed_article() -> None:
    text = SEED.read_text(encoding="utf-8")
    title = text.split("\n", 1)[0]
    c = clean_article(text, title=title)
    kinds = [r["kind"] for r in c.removed]
    assert kinds.count("title") == 2
    assert {"kind": "marker", "text": "(تستمر)"} in c.removed
    assert {"kind": "prompt", "text": "أفكارك وتعليقاتك"} in c.removed
    assert c.dateline == "(أردو بوينت نتورك . / سبوتنيك - 13 أبريل 2021ء)"
    assert len(c.paragraphs) == 12
    assert c.paragraphs[0].startswith("أكد وزير الدفاع الإيراني، العميد أمير حاتمي")
    assert c.paragraphs[-1].startswith("كما أكد الوزير العراقي")


def test_signature_default() -> None:
    assert CleanOptions().signature() == "clean:v1|nfkc|dediac|digits:ascii|punct:moses|boiler"


def test_normalize_smoke() -> None:
    assert normalize("مُحَمَّد ـــ ٢٠١٨\u200f") == "محمد - 2018"
