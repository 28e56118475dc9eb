"""`arabic-digest eval` gives exactly sacreBLEU's and rouge-score's numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rouge_score import rouge_scorer

from arabic_digest.pipeline.evaluate import summary_metrics
from tests.test_run import cli, records
from tests.test_trust import subset  # noqa: F401 - a fixture


def head(src: Path, dst: Path, n: int) -> Path:
    dst.write_text("\n".join(src.read_text("utf-8").split("\n")[:n]) + "\n", encoding="utf-8")
    return dst


@pytest.mark.slow
def test_eval_of_line_files_matches_the_sacrebleu_command_line(
        tmp_path: Path, shared_data: Path, marian_dir: Path) -> None:
    src = head(shared_data / "ntrex-ar-en-dev.ar", tmp_path / "dev50.ar", 50)
    ref = head(shared_data / "ntrex-ar-en-dev.en", tmp_path / "dev50.en", 50)
    result_path = tmp_path / "eval" / "tiny.json"
    proc = cli("eval", "--source", str(src), "--reference", str(ref), "--translation-model",
               str(marian_dir), "--beams", "1", "--no-retry", "-o", str(result_path), "-q")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(result_path.read_text("utf-8"))
    hyp = tmp_path / "eval" / "tiny.hyp.txt"
    # The hypotheses are the pipeline's translations, one line per source line.
    translated = records(tmp_path / "eval" / "tiny.translations.jsonl")
    assert hyp.read_text("utf-8").split("\n")[:-1] == [
        " ".join(r["translation"]["paragraphs"]) for r in translated]
    assert len(translated) == 50
    sb = subprocess.run([str(Path(sys.executable).with_name("sacrebleu")), str(ref), "-i",
                         str(hyp), "-m", "bleu", "chrf", "ter", "-w", "4"],
                        capture_output=True, text=True, check=True)
    cli_scores = {x["name"]: x for x in json.loads(sb.stdout)}
    tr = result["translation"]
    assert round(tr["bleu"]["score"], 4) == cli_scores["BLEU"]["score"]
    assert tr["bleu"]["text"].endswith(cli_scores["BLEU"]["verbose_score"])
    assert round(tr["chrf"]["score"], 4) == cli_scores["chrF2"]["score"] > 0
    assert round(tr["ter"]["score"], 4) == cli_scores["TER"]["score"] > 0
    for key, name in (("bleu", "BLEU"), ("chrf", "chrF2"), ("ter", "TER")):
        assert tr[key]["signature"] == cli_scores[name]["signature"]
    # Settings travel with the scores.
    assert result["models"]["translation"]["id"] == str(marian_dir)
    assert result["models"]["translation"]["num_beams"] == 1
    assert result["cleaning"].startswith("clean:v4")
    assert "BLEU" in proc.stdout and "signature" in proc.stdout


@pytest.mark.slow
def test_rouge_runs_on_articles_with_a_reference_summary_and_counts_the_rest(
        tmp_path: Path, subset: Path, marian_dir: Path, bart_dir: Path) -> None:  # noqa: F811
    out = tmp_path / "six.jsonl"
    proc = cli("run", str(subset), "-o", str(out), "--translation-model", str(marian_dir),
               "--summarization-model", str(bart_dir), "--beams", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    recs = records(out)
    with_ref = [r for r in recs if r["source"]["meta"].get("reference_summary")]
    assert 0 < len(with_ref) < len(recs)
    result_path = tmp_path / "six.eval.json"
    proc = cli("eval", str(out), "--summary-reference-field", "reference_summary",
               "--no-retry", "-o", str(result_path), "-q")
    assert proc.returncode == 0, proc.stderr
    sm = json.loads(result_path.read_text("utf-8"))["summary"]
    assert sm["scored"] == len(with_ref)
    assert sm["skipped_no_reference"] == len(recs) - len(with_ref)
    # The references are Arabic: translated with the output's model before ROUGE.
    assert sm["references_translated"] == len(with_ref)
    assert sm["reference_translation_model"] == str(marian_dir)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    per_doc = [scorer.score(ref, r["summary"]["text"])
               for r, ref in zip(with_ref, sm["translated_references"])]
    for t in ("rouge1", "rouge2", "rougeL"):
        expected = 100 * sum(d[t].fmeasure for d in per_doc) / len(per_doc)
        assert sm[t]["f1"] == pytest.approx(expected)
    assert f"{sm['skipped_no_reference']} without a reference skipped" in proc.stdout


def test_compare_prints_two_results_side_by_side(tmp_path: Path) -> None:
    def result(bleu: float, beams: int) -> dict:
        metric = {"score": bleu, "signature": "nrefs:1|tok:13a"}
        return {"models": {"translation": {"id": "m", "num_beams": beams}},
                "cleaning": "clean:v1", "translation": {"bleu": metric, "chrf": metric,
                                                        "ter": metric}}
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(result(20.0, 1)))
    b.write_text(json.dumps(result(22.5, 4)))
    proc = cli("eval", "--compare", str(a), str(b))
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("BLEU"))
    assert line.split() == ["BLEU", "20.00", "22.50", "+2.50"]
    assert "num_beams=1" in proc.stdout and "num_beams=4" in proc.stdout


def test_summary_metrics_are_rouge_score_means(shared_data: Path) -> None:
    refs = (shared_data / "ntrex-ar-en-dev.en").read_text("utf-8").split("\n")[:4]
    hyps = [" ".join(r.split()[: len(r.split()) // 2]) for r in refs]  # half of each
    result = summary_metrics(hyps, refs)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    docs = [scorer.score(r, h) for h, r in zip(hyps, refs)]
    for t in ("rouge1", "rouge2", "rougeL"):
        assert result[t]["precision"] == pytest.approx(100.0)
        assert result[t]["recall"] == pytest.approx(100 * sum(d[t].recall for d in docs) / 4)
        assert 30 < result[t]["f1"] < 90
