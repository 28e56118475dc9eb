"""Scores and retries on a tiny real Marian model, and the trust signals of a real run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
import torch
from arabic_digest.translate.segment import Segment
from arabic_digest.translate.translator import (
    CachedTranslator,
    Hypothesis,
    TransformersTranslator,
    max_new_tokens_for,
)
from markdown_it import MarkdownIt
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from arabic_digest.pipeline.trust import Review, retry_is_better, review
from tests.modelfactory import biased_copy
from tests.test_run import cli, records


@pytest.fixture(scope="module")
def sentences(shared_data: Path) -> list[str]:
    return (shared_data / "ntrex-ar-en-dev.ar").read_text("utf-8").split("\n")[:12]


@pytest.mark.parametrize("beams", [1, 4])
def test_scores_are_the_same_batched_and_alone(marian_dir: Path, sentences: list[str],
                                               beams: int) -> None:
    tr = TransformersTranslator(str(marian_dir), device="cpu", beams=beams, batch_tokens=1200)
    texts = sentences[::-1]
    batched = tr.translate_scored(texts)
    alone = [tr.translate_scored([t])[0] for t in texts]
    assert [h.text for h in batched] == [h.text for h in alone]
    for b, a in zip(batched, alone):
        # From the search: a padded batch's float32 logits differ from a row alone's in
        # the fourth decimal.
        assert b.score is not None and b.score == pytest.approx(a.score, abs=1e-3)
    assert len({round(h.score, 4) for h in batched}) > 1  # scores tell segments apart


@pytest.mark.parametrize("beams", [1, 4])
def test_score_is_the_models_mean_token_log_probability(marian_dir: Path, sentences: list[str],
                                                        beams: int) -> None:
    """The same number as transformers' own cross-entropy loss on the generated ids (taken
    from the search itself, not a second pass)."""
    tr = TransformersTranslator(str(marian_dir), device="cpu", beams=beams)
    text = sentences[3]
    hyp = tr.translate_scored([text])[0]
    model = AutoModelForSeq2SeqLM.from_pretrained(marian_dir).eval()
    tok = AutoTokenizer.from_pretrained(marian_dir)
    inputs = tok([text], return_tensors="pt")
    bound = max_new_tokens_for(tr.count_tokens(text), tr.ratio, tr.offset, tr.limit)
    with torch.inference_mode():
        ids = model.generate(**inputs, generation_config=tr.generation_config,
                             max_new_tokens=bound, max_length=None)
        assert tok.decode(ids[0], skip_special_tokens=True).strip() == hyp.text
        labels = ids[:, 1:].clone()
        eos = (labels[0] == 0).nonzero()
        if len(eos):  # nothing after the first </s> counts
            labels[0, int(eos[0]) + 1:] = -100
        if hyp.hit_limit:  # a </s> forced into the last slot is not the model's choice
            assert int(labels[0, -1]) == 0
            labels[0, -1] = -100
        loss = model(**inputs, decoder_input_ids=ids[:, :-1], labels=labels).loss
    assert hyp.score == pytest.approx(-float(loss), abs=1e-4)


def test_cached_translator_keeps_scores(marian_dir: Path, sentences: list[str]) -> None:
    tr = CachedTranslator(TransformersTranslator(str(marian_dir), device="cpu", beams=1))
    first = tr.translate_scored(sentences[:3])
    again = tr.translate_scored(sentences[:3])
    assert [h.score for h in again] == [h.score for h in first]


def test_flagged_segments_are_retried_and_the_better_try_kept(
        marian_dir: Path, sentences: list[str]) -> None:
    """The tiny model loops on every sentence ("X X X ..."); the retry's repetition penalty
    breaks the loops, so the retry has fewer flags and is kept."""
    tr = TransformersTranslator(str(marian_dir), device="cpu", beams=1)
    segs = [Segment(t, "") for t in sentences[:6]]
    first = tr.translate_scored([s.text for s in segs])
    reviews = review(segs, first, tr, max_share=1.0)
    assert all(r.retry for r in reviews)  # every first try was flagged
    kept = [(i, r) for i, r in enumerate(reviews) if r.retry["kept"] == "retry"]
    assert kept, [r.retry for r in reviews]
    for i, r in kept:
        # the record keeps the first try and its flags; the kept retry has no loop
        assert r.retry["target"] == first[i].text and "repetition" in r.retry["flags"]
        assert "repetition" not in [f["kind"] for f in r.flags]
        assert r.hyp.text != first[i].text and r.hyp.score is not None


def test_no_retry_when_most_segments_are_flagged(marian_dir: Path,
                                                 sentences: list[str]) -> None:
    tr = TransformersTranslator(str(marian_dir), device="cpu", beams=1)
    segs = [Segment(t, "") for t in sentences[:4]]
    reviews = review(segs, tr.translate_scored([s.text for s in segs]), tr)
    assert all(r.flags and r.retry == {"skipped": True} for r in reviews)


def test_keep_rule_prefers_fewer_flags_then_higher_score() -> None:
    loop = [{"kind": "repetition"}]
    arabic = [{"kind": "untranslated"}]
    assert retry_is_better(Review(Hypothesis("a", -1.0), loop), Review(Hypothesis("b", -3.0),
                                                                      arabic))
    assert not retry_is_better(Review(Hypothesis("a", -3.0), arabic),
                               Review(Hypothesis("b", -1.0), loop))
    assert retry_is_better(Review(Hypothesis("a", -2.0), arabic),
                           Review(Hypothesis("b", -1.0), arabic))
    assert not retry_is_better(Review(Hypothesis("a", -1.0), arabic),
                               Review(Hypothesis("b", -2.0), arabic))
    assert not retry_is_better(Review(Hypothesis("a", None), arabic),
                               Review(Hypothesis("b", None), arabic))


@pytest.fixture(scope="module")
def subset(tmp_path_factory, shared_data: Path) -> Path:
    """Six short real articles: three with a reference summary, three without."""
    lines = (shared_data / "news-articles.jsonl").read_text("utf-8").splitlines()
    path = tmp_path_factory.mktemp("subset") / "six.jsonl"
    path.write_text("\n".join(lines[18:24]) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_run_records_scores_flags_and_lowest_confidence(tmp_path: Path, subset: Path,
                                                        marian_dir: Path) -> None:
    out = tmp_path / "six-out.jsonl"
    proc = cli("run", str(subset), "-o", str(out), "--translation-model", str(marian_dir),
               "--no-summary", "--beams", "1", "--segment-tokens", "24", "--quiet")
    assert proc.returncode == 0, proc.stderr
    recs = records(out)
    low: list[tuple[float, str, int]] = []
    for rec in recs:
        tr = rec["translation"]
        segs = tr["segments"]
        assert all(isinstance(s["score"], float) and s["score"] < 0 for s in segs)
        assert tr["score"] == pytest.approx(sum(s["score"] for s in segs) / len(segs), abs=1e-3)
        for f in tr["flags"]:
            assert f["segment"] is None or 0 <= f["segment"] < len(segs)
        # Every split segment has a split flag and no other segment does.
        assert {f["segment"] for f in tr["flags"] if f["kind"] == "split"} == {
            i for i, s in enumerate(segs) if s["split"]}
        # The untrained model's output is flagged everywhere: a systematic failure, not retried.
        assert all(not s["retried"] and "retry" not in s for s in segs)
        assert tr["retry_skipped"] == len({f["segment"] for f in tr["flags"]
                                           if f["kind"] != "split" and f["segment"] is not None})
        low += [(s["score"], rec["id"], i) for i, s in enumerate(segs)]
    assert any(s["split"] for rec in recs for s in rec["translation"]["segments"])
    low.sort()
    last = proc.stderr.strip().splitlines()[-1]
    score, rid, i = low[0]
    assert f"lowest confidence: {rid}#{i} ({score:.2f})" in last
    assert "untranslated" in last and "not retried" in last
    manifest = json.loads(out.with_name("six-out.run.json").read_text("utf-8"))
    lowest = manifest["trust"]["lowest_confidence"]
    assert [(x["score"], x["id"], x["segment"]) for x in lowest] == low[:5]
    assert manifest["trust"]["retry_settings"]["no_repeat_ngram_size"] == 3


# ----------------------------------------------------------------- news checks, end to end

NEWS = {
    "id": "trust-news-1",
    "title": "الأمم المتحدة: 987654 نازحا",
    # A number, a URL and a handle the random model cannot reproduce, and a glossary term.
    "text": ("قالت الأمم المتحدة إن 987654 شخصا نزحوا من عدن. وتابعوا التحديثات على "
             "https://example.org/aden-update و @UNNews_Aden.\n\n"
             "وأضافت الأمم المتحدة أن المساعدات وصلت."),
}
GLOSSARY_TSV = "# Arabic\tEnglish\tvariants\nالأمم المتحدة\tUnited Nations\n"


@pytest.fixture(scope="module")
def news_input(tmp_path_factory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("news")
    (work / "news.jsonl").write_text(json.dumps(NEWS, ensure_ascii=False) + "\n", "utf-8")
    (work / "terms.tsv").write_text(GLOSSARY_TSV, "utf-8")
    return work / "news.jsonl", work / "terms.tsv"


@pytest.fixture(scope="module")
def number_bart(tmp_path_factory, bart_dir: Path) -> Path:
    """The tiny BART made to open every summary with "777": a real model that states a
    number no article gave."""
    return biased_copy(bart_dir, tmp_path_factory.mktemp("number-bart") / "bart", 40.0, "7")


@pytest.fixture(scope="module")
def lead_run(tmp_path_factory, news_input, shared_data: Path, marian_dir: Path):
    """The crafted article and the shared corpus, lead-3 summaries, with a glossary."""
    news, terms = news_input
    out = tmp_path_factory.mktemp("lead-run") / "lead.jsonl"
    proc = cli("run", str(news), str(shared_data / "news-articles.jsonl"), "-o", str(out),
               "--translation-model", str(marian_dir), "--summarization-model", "lead-3",
               "--beams", "1", "--glossary", str(terms), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert cli("report", str(out)).returncode == 0
    assert cli("digest", str(out)).returncode == 0
    return proc, out


@pytest.mark.slow
def test_news_flags_in_record_closing_line_and_manifest(lead_run) -> None:
    proc, out = lead_run
    rec = records(out)[0]
    assert rec["id"] == "trust-news-1"
    flags = rec["translation"]["flags"]
    by_kind: dict[str, list[dict]] = {}
    for f in flags:
        by_kind.setdefault(f["kind"], []).append(f)
    assert any("987654" in f["missing"] for f in by_kind["numbers"])
    assert any(f.get("title") and "987654" in f["missing"] for f in by_kind["numbers"])
    lost = [t for f in by_kind["latin_lost"] for t in f["tokens"]]
    assert "https://example.org/aden-update" in lost and "@UNNews_Aden" in lost
    assert {f["segment"] for f in by_kind["glossary"]} >= {0, 2}
    assert all(f["terms"] == [{"ar": "الأمم المتحدة", "en": "United Nations"}]
               for f in by_kind["glossary"])
    last = proc.stderr.strip().splitlines()[-1]
    for kind in ("numbers", "latin_lost", "glossary"):
        assert f" {kind}" in last, last
    manifest = json.loads(out.with_name("lead.run.json").read_text("utf-8"))
    assert manifest["trust"]["glossary"]["terms"] == 1
    assert manifest["trust"]["flags"]["numbers"] >= 2


@pytest.mark.slow
def test_lead_summaries_are_never_flagged(lead_run, shared_data: Path) -> None:
    """lead-3 only copies sentences of the translation: every summary flag would be false."""
    proc, out = lead_run
    recs = records(out)
    summaries = [r["summary"] for r in recs if r["status"] == "ok"]
    assert len(summaries) == len(recs) == 32
    assert all(s["text"] and s["flags"] == [] for s in summaries)
    assert "summary flags" not in proc.stderr.strip().splitlines()[-1]
    digest = out.with_name("lead.digest.md").read_text("utf-8")
    assert "Check the summary" not in digest


@pytest.mark.slow
def test_news_flags_marked_and_filterable_in_the_report(lead_run) -> None:
    _, out = lead_run
    doc = lxml.html.document_fromstring(out.with_name("lead.report.html").read_text("utf-8"))
    article = doc.xpath("//main/article")[0]
    marked = article.xpath(".//p[@class='ar']//mark[contains(@class,'k-numbers')]/text()")
    assert "987654" in marked
    lost = article.xpath(".//p[@class='ar']//mark[contains(@class,'k-latin_lost')]/text()")
    assert {"https://example.org/aden-update", "@UNNews_Aden"} <= set(lost)
    terms = article.xpath(".//p[@class='ar']//mark[contains(@class,'k-glossary')]/text()")
    assert "الأمم المتحدة" in terms
    options = set(doc.xpath("//select[@id='kind']/option/@value"))
    assert {"numbers", "latin_lost", "glossary"} <= options
    row = doc.xpath("//ol[@id='index']/li")[0]
    assert {"numbers", "latin_lost", "glossary"} <= set(row.get("data-kinds").split())


@pytest.mark.slow
def test_a_summary_stating_a_number_is_flagged_everywhere(tmp_path: Path, news_input,
                                                          marian_dir: Path,
                                                          number_bart: Path) -> None:
    news, _ = news_input
    out = tmp_path / "bart.jsonl"
    proc = cli("run", str(news), "-o", str(out), "--translation-model", str(marian_dir),
               "--summarization-model", str(number_bart), "--beams", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    rec = records(out)[0]
    summary, article = rec["summary"], "\n".join(rec["translation"]["paragraphs"])
    assert summary["text"].startswith("777")
    first = re.match(r"\d+", summary["text"]).group()
    assert first not in article
    numbers = [f for f in summary["flags"] if f["kind"] == "unsupported_number"]
    assert numbers and first in numbers[0]["numbers"]
    assert "unsupported_number" in proc.stderr.strip().splitlines()[-1]
    assert cli("report", str(out)).returncode == 0
    assert cli("digest", str(out)).returncode == 0
    doc = lxml.html.document_fromstring(out.with_name("bart.report.html").read_text("utf-8"))
    section = doc.xpath("//section[@class='summary']")[0]
    assert first in section.xpath(".//mark[contains(@class,'k-unsupported_number')]/text()")
    assert "does not give" in section.text_content()
    digest = MarkdownIt("commonmark").render(
        out.with_name("bart.digest.md").read_text("utf-8"))
    assert "Check the summary:" in digest and first in digest.split("Check the summary:")[1]


def test_terms_inconsistent_and_summary_flags_in_the_record() -> None:
    from arabic_digest.translate.glossary import parse_glossary

    from arabic_digest.pipeline.trust import _retryable, flag_summary, terms_inconsistent

    terms = parse_glossary("الأمم المتحدة\tUnited Nations\tUN\nعدن\tAden\n")
    segments = [{"source": "قالت الأمم المتحدة", "target": "The United Nations said"},
                {"source": "وأضافت الأمم المتحدة", "target": "The UN added"},
                {"source": "في عدن", "target": "in Aden"},
                {"source": "وفي عدن", "target": "and in Aden"}]
    assert terms_inconsistent(segments, terms) == [
        {"term": "الأمم المتحدة", "renderings": {"United Nations": 1, "UN": 1},
         "segments": [0, 1]}]
    assert terms_inconsistent(segments, None) == []
    record = {"translation": {"title": "Aden: 40 dead", "paragraphs": ["The UN said 40 died."]},
              "summary": {"text": "The UN said 40 died in Aden, Yemen; 41 were hurt."}}
    flag_summary(record)
    assert record["summary"]["flags"] == [
        {"kind": "unsupported_number", "numbers": ["41"]},
        {"kind": "unsupported_name", "names": ["Yemen"]}]
    # A glossary flag alone does not cause a retry; a number does.
    assert not _retryable([{"kind": "glossary"}, {"kind": "split"}])
    assert _retryable([{"kind": "numbers"}])
