"""End to end through the CLI as a user runs it: real subprocesses, files and (tiny) models."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cliserver import run_cli

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, cwd: Path = ROOT, stdin: str | None = None,
        env: dict[str, str] | None = None, fresh: bool = False) -> subprocess.CompletedProcess:
    """``python -m arabic_digest ARGS`` in its own process (forked from a warm interpreter,
    tests/cliserver.py; ``fresh=True`` for a new interpreter, as a user's first start)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "PYTHONPATH": str(ROOT), **(env or {})}
    return run_cli(list(args), cwd=cwd, env=env, input=stdin, timeout=600, fresh=fresh)


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def expected_ids(shared_data: Path) -> list[str]:
    rows = [json.loads(line) for line in (shared_data / "news-articles.jsonl").open()]
    return [r["id"] for r in rows] + ["seed-article"]


def corpus_args(data: Path, out: Path, marian: Path, bart: Path) -> list[str]:
    """`run` over both shared files with the tiny models (greedy, to keep CI quick).

    Summaries are lead-3 here: the random Marian's translations run to ~30k BART tokens per
    article, and map-reduce over them with BART takes minutes (`bart` is kept for callers;
    tests/test_summarize_cli.py runs the corpus with BART, T5 and a chat model)."""
    del bart
    return ["run", str(data / "news-articles.jsonl"), str(data / "seed-article.txt"),
            "-o", str(out), "--translation-model", str(marian),
            "--summarization-model", "lead-3", "--beams", "1"]


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory, shared_data: Path, marian_dir: Path, bart_dir: Path):
    """One full run over both shared files; later tests read or resume from copies of it."""
    out = tmp_path_factory.mktemp("run") / "news.jsonl"
    proc = cli(*corpus_args(shared_data, out, marian_dir, bart_dir))
    return proc, out


@pytest.mark.slow
def test_full_run_one_record_per_article_in_order(corpus_run, shared_data: Path) -> None:
    proc, out = corpus_run
    assert proc.returncode == 0, proc.stderr
    recs = records(out)
    assert [r["id"] for r in recs] == expected_ids(shared_data)
    assert all(r["status"] == "ok" and r["schema_version"] == 1 for r in recs)
    # The closing line names the counts and the output path.
    last = proc.stderr.strip().splitlines()[-1]
    assert "32 articles: 32 ok, 0 error, 0 skipped" in last and str(out) in last


def test_source_text_is_exactly_what_was_read(corpus_run, shared_data: Path) -> None:
    _, out = corpus_run
    rows = [json.loads(line) for line in (shared_data / "news-articles.jsonl").open()]
    recs = records(out)
    for rec, row in zip(recs, rows):
        assert rec["source"]["text"] == row["text"]
        assert rec["source"]["title"] == row["title"]
        assert rec["source"]["meta"]["outlet"] == row["outlet"]
    assert recs[-1]["source"]["text"] == (shared_data / "seed-article.txt").read_text("utf-8")


def test_translation_is_aligned_with_clean_paragraphs(corpus_run) -> None:
    _, out = corpus_run
    for rec in records(out):
        paras, tr = rec["clean"]["paragraphs"], rec["translation"]
        assert len(tr["paragraphs"]) == len(paras) > 0
        assert tr["title"]
        for i, para in enumerate(paras):
            segs = [s for s in tr["segments"] if s["paragraph"] == i]
            assert segs, f"paragraph {i} of {rec['id']} has no segments"
            assert tr["paragraphs"][i] == " ".join(s["target"] for s in segs if s["target"])
            # Segments cover the paragraph: nothing dropped, only whitespace between them.
            assert "".join("".join(s["source"].split()) for s in segs) == "".join(para.split())
        assert rec["summary"]["text"] and rec["summary"]["input_truncated"] in (True, False)
        assert rec["models"]["translation"] and rec["models"]["summarization"]
        assert set(rec["timing_s"]) == {"clean", "translate", "summarize"}


def test_manifest_records_models_versions_and_counts(corpus_run, marian_dir: Path) -> None:
    _, out = corpus_run
    manifest = json.loads(out.with_name("news.run.json").read_text("utf-8"))
    assert manifest["status"] == "finished"
    assert manifest["counts"]["ok"] == 32 and manifest["counts"]["segments"] > 32
    assert manifest["models"]["translation"]["id"] == str(marian_dir)
    assert manifest["models"]["translation"]["num_beams"] == 1
    assert manifest["packages"]["transformers"] and manifest["cleaning"].startswith("clean:")
    assert manifest["started_at"] and manifest["ended_at"]


@pytest.mark.slow
def test_resume_after_lost_records_and_torn_line(corpus_run, tmp_path: Path, shared_data: Path,
                                                 marian_dir: Path, bart_dir: Path) -> None:
    _, full = corpus_run
    lines = full.read_text("utf-8").splitlines(keepends=True)
    out = tmp_path / "news.jsonl"
    # A crash mid-write: 25 whole records, then half of the 26th (the manifest says which
    # settings made them, so the resume may append to them).
    out.write_text("".join(lines[:25]) + lines[25][: len(lines[25]) // 2], "utf-8")
    shutil.copy(full.with_name(full.name.removesuffix(".jsonl") + ".run.json"),
                out.with_name("news.run.json"))
    proc = cli(*corpus_args(shared_data, out, marian_dir, bart_dir), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "7 articles: 7 ok" in proc.stderr and "25 already done" in proc.stderr
    recs = records(out)
    assert [r["id"] for r in recs] == expected_ids(shared_data)
    # Same models, same settings: the redone records match the first run's.
    for new, old in zip(recs, map(json.loads, lines)):
        new.pop("timing_s"), old.pop("timing_s")
        assert new == old
    manifest = json.loads(out.with_name("news.run.json").read_text("utf-8"))
    assert manifest["counts"]["repaired_lines"] == 1 and manifest["counts"]["resumed"] == 25


@pytest.mark.slow
def test_bad_lines_are_error_records_and_retry_errors_redoes_them(
        tmp_path: Path, marian_dir: Path) -> None:
    src = tmp_path / "mixed.jsonl"
    good = {"id": "g1", "title": "خبر", "text": "أعلنت الحكومة اليوم عن خطة جديدة."}
    src.write_text("\n".join([
        json.dumps(good, ensure_ascii=False),
        "{broken json",
        json.dumps({"id": "n1", "text": ["ليس", "نصا"]}),
        json.dumps({"id": "e1", "text": "   \n\n  "}),
        json.dumps({"id": "late", "text": None}),
    ]) + "\n", "utf-8")
    out = tmp_path / "mixed-out.jsonl"
    args = ["run", str(src), "-o", str(out), "--translation-model", str(marian_dir),
            "--no-summary", "--beams", "1", "--quiet"]
    proc = cli(*args)
    assert proc.returncode == 1, proc.stderr
    recs = records(out)
    assert [r["status"] for r in recs] == ["ok", "error", "error", "skipped", "error"]
    assert recs[1]["id"] == "mixed.jsonl:2" and recs[1]["error"]["stage"] == "read"
    assert "mixed.jsonl:2" in recs[1]["error"]["message"]
    assert recs[2]["error"]["type"] == "TypeError" and recs[4]["id"] == "late"
    assert "no text" in recs[3]["error"]["message"]
    assert recs[0]["summary"] is None
    assert "5 articles: 1 ok, 3 error, 1 skipped" in proc.stderr

    # Rerun without --retry-errors: nothing to do, the errors stay.
    assert cli(*args).returncode == 1 and records(out) == recs
    # Fix one article at the source, then retry the errors: it is redone in its place.
    fixed = src.read_text("utf-8").replace('"text": null', '"text": "وصل الوفد إلى بغداد."')
    src.write_text(fixed, "utf-8")
    proc = cli(*args, "--retry-errors")
    again = records(out)
    assert [r["id"] for r in again] == [r["id"] for r in recs]
    assert [r["status"] for r in again] == ["ok", "error", "error", "skipped", "ok"]
    assert again[0] == recs[0]
    assert proc.returncode == 1  # the broken lines are still broken


@pytest.mark.slow
def test_overwrite_starts_afresh(tmp_path: Path, marian_dir: Path) -> None:
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "قال الوزير إن الاجتماع ناجح."},
                              ensure_ascii=False) + "\n", "utf-8")
    out = tmp_path / "one-out.jsonl"
    out.write_text('{"id": "stale", "status": "ok"}\n', "utf-8")
    proc = cli("run", str(src), "-o", str(out), "--translation-model", str(marian_dir),
               "--no-summary", "--overwrite", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert [r["id"] for r in records(out)] == ["a"]


@pytest.mark.slow
def test_default_output_and_stdin(tmp_path: Path, marian_dir: Path) -> None:
    line = json.dumps({"id": "s", "text": "بدأت المحادثات في القاهرة."}, ensure_ascii=False)
    proc = cli("run", "-", "--translation-model", str(marian_dir), "--no-summary", "--quiet",
               cwd=tmp_path, stdin=line + "\n")
    assert proc.returncode == 0, proc.stderr
    assert [r["id"] for r in records(tmp_path / "outputs" / "stdin.jsonl")] == ["s"]
    assert (tmp_path / "outputs" / "stdin.run.json").exists()


@pytest.mark.parametrize("args, message", [
    (["run", "missing.jsonl"], "no such file"),
    (["run", "{data}/seed-article.txt", "--device", "tpu"], "--device"),
    (["run", "{data}/seed-article.txt", "--translation-model", "{tmp}/not-a-model"],
     "HF_HUB_OFFLINE"),
])
@pytest.mark.slow
def test_nothing_processed_exits_2(args, message, tmp_path: Path, shared_data: Path) -> None:
    args = [a.format(data=shared_data, tmp=tmp_path) for a in args]
    (tmp_path / "not-a-model").mkdir()
    proc = cli(*args, "-o", str(tmp_path / "o.jsonl"))
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_option_exits_2() -> None:
    proc = cli("run", "x.jsonl", "--beams", "0")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_a_model_failure_fails_only_its_article(tmp_path: Path, marian_dir: Path) -> None:
    """A model that cannot take one article's long sentence (only 48 positions): the pooled
    batch fails, each article is retried alone, and only the culprit becomes an error."""
    import shutil

    from transformers import MarianConfig, MarianMTModel

    small = tmp_path / "marian-48"
    shutil.copytree(marian_dir, small)
    config = MarianConfig.from_pretrained(small)
    config.max_position_embeddings = 48
    MarianMTModel(config).save_pretrained(small)
    long_sentence = " ".join(["وقال المتحدث باسم الحكومة إن الوزارة ستواصل العمل"] * 8)
    src = tmp_path / "three.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [
        {"id": "short1", "text": "وصل الوزير."},
        {"id": "long", "text": long_sentence},
        {"id": "short2", "text": "بدأ الاجتماع."},
    ]), "utf-8")
    out = tmp_path / "three-out.jsonl"
    proc = cli("run", str(src), "-o", str(out), "--translation-model", str(small),
               "--no-summary", "--beams", "1", "--quiet")
    assert proc.returncode == 1, proc.stderr
    recs = records(out)
    assert [(r["id"], r["status"]) for r in recs] == [
        ("short1", "ok"), ("long", "error"), ("short2", "ok")]
    assert recs[1]["error"]["stage"] == "translate"
    assert recs[0]["translation"]["paragraphs"][0]
