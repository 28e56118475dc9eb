"""`arabic-digest clean` on the shared corpus: no model, no listed noise left, nothing lost."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.test_run import cli, records

# Noise that must not survive in clean.paragraphs (DESIGN.md, issue 3).
NOISE = {
    "diacritics": re.compile("[\u064b-\u0652\u0670]"),
    "tatweel": re.compile("\u0640"),
    "controls": re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\u2060\u00ad]"),
    "odd spaces": re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]"),
    "eastern digits": re.compile("[\u0660-\u0669\u06f0-\u06f9]"),
    "html entity": re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);"),
    "markers": re.compile(r"\((يتبع|تستمر)\)|//\s*انتهى\s*//"),
    "prompts": re.compile(r"أفكارك وتعليقاتك|اكتب رأيك"),
    "read also": re.compile(r"^\s*اقرأ (أيضا|أيضاً|المزيد)"),
    "only links": re.compile(r"^\s*((https?://|www\.)\S+|[@#]\w+)(\s+((https?://|www\.)\S+|[@#]\w+))*\s*$"),
    "html tags": re.compile(r"</?(div|span|p|br|script|style|img|a)\b[^>]*>", re.I),
}


@pytest.mark.slow
def test_clean_command_on_shared_corpus(tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "clean.jsonl"
    proc = cli("clean", str(shared_data / "news-articles.jsonl"),
               str(shared_data / "seed-article.txt"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    recs = records(out)
    assert len(recs) == 32 and all(r["status"] == "ok" for r in recs)
    for rec in recs:
        assert rec["translation"] is None and rec["clean"]["signature"].startswith("clean:v4")
        assert len(rec["clean"]["segments"]) == len(rec["clean"]["paragraphs"])
        for para in rec["clean"]["paragraphs"]:
            for kind, pattern in NOISE.items():
                assert not pattern.search(para), f"{rec['id']}: {kind} left in {para[:80]!r}"
    seed = recs[-1]
    removed = {(r["kind"], r["text"].strip()) for r in seed["clean"]["removed"]}
    title = seed["source"]["title"]
    assert ("title", title) in removed
    assert any("(تستمر)" in text for _, text in removed)
    assert any("أفكارك وتعليقاتك" in text for _, text in removed)
    assert "سبوتنيك - 13 أبريل 2021" in seed["clean"]["dateline"]
    # Every news paragraph of the seed is kept (its body has 12 of them).
    assert len(seed["clean"]["paragraphs"]) == 12


def test_clean_rules_can_be_switched_off(tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "keep.jsonl"
    proc = cli("clean", str(shared_data / "seed-article.txt"), "-o", str(out),
               "--keep-boilerplate", "--keep-digits")
    assert proc.returncode == 0, proc.stderr
    (rec,) = records(out)
    assert "boiler:keep" in rec["clean"]["signature"] and "digits:keep" in rec["clean"]["signature"]
    assert any("أفكارك وتعليقاتك" in p for p in rec["clean"]["paragraphs"])
    json.dumps(rec)  # still a plain JSON record


@pytest.mark.slow
def test_clean_command_shows_what_it_learned_per_outlet(tmp_path: Path, shared_data: Path) -> None:
    """The whole SaudiNewsNet day: learned per outlet, printed and kept in the manifest."""
    out = tmp_path / "day.clean.jsonl"
    proc = cli("clean", str(shared_data / "saudinewsnet-2015-08-09.jsonl"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    for outlet in ("3alyoum", "aawsat", "aleqtisadiya", "aljazirah", "alwatan", "alweeam",
                   "alyaum"):
        assert f"  {outlet} (" in proc.stderr
    assert "'...المزيد' x5" in proc.stderr and "(news: a quoted saying or verse)" in proc.stderr
    manifest = json.loads(out.with_name("day.clean.run.json").read_text("utf-8"))
    aawsat = manifest["boilerplate"]["sources"]["aawsat"]
    assert [u["text"] for u in aawsat["boilerplate"]] == ["...المزيد"]
    recs = records(out)
    learned = [r for rec in recs for r in rec["clean"]["removed"] if r["kind"] == "learned"]
    assert learned and all("المزيد" in r["text"] for r in learned)
    assert all(rec["clean"]["source"] for rec in recs if rec["status"] == "ok")
    assert all("learned:" in rec["clean"]["signature"] for rec in recs if rec["clean"])
