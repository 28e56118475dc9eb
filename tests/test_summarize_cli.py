"""Summaries end to end through the CLI: a corpus run with each model family, re-summarizing a
finished run, and option errors that stop before any model loads."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from arabic_digest.summarize.prompts import load_prompt

from tests.test_run import cli, expected_ids, records
from tests.test_summarize_models import untied_chat_lm

MAX = "6"  # random weights rarely stop by themselves: keep summaries short


@pytest.fixture(scope="module")
def short_marian(tmp_path_factory, marian_dir: Path) -> Path:
    """The tiny Marian with generation max_length 12: its random translations stay short, so
    articles are hundreds to a few thousand summarizer tokens, as real ones are."""
    out = tmp_path_factory.mktemp("marian") / "short"
    shutil.copytree(marian_dir, out)
    path = out / "generation_config.json"
    gen = json.loads(path.read_text("utf-8"))
    gen["max_length"] = 12
    path.write_text(json.dumps(gen), "utf-8")
    return out


@pytest.fixture(scope="module")
def bart_run(tmp_path_factory, shared_data: Path, short_marian: Path, bart_dir: Path):
    out = tmp_path_factory.mktemp("summ") / "news.jsonl"
    proc = cli("run", str(shared_data / "news-articles.jsonl"),
               str(shared_data / "seed-article.txt"), "-o", str(out),
               "--translation-model", str(short_marian), "--summarization-model", str(bart_dir),
               "--summary-max-tokens", MAX, "--beams", "1", "--quiet")
    return proc, out


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(out: Path) -> dict:
    return json.loads(out.with_name(out.stem + ".run.json").read_text("utf-8"))


@pytest.mark.slow
def test_run_with_bart_summarizes_every_article_long_ones_in_windows(bart_run, shared_data):
    proc, out = bart_run
    assert proc.returncode == 0, proc.stderr
    recs = records(out)
    assert [r["id"] for r in recs] == expected_ids(shared_data)
    for rec in recs:
        s = rec["summary"]
        assert rec["status"] == "ok" and s["text"]
        assert s["prompt"] is None and s["input_truncated"] is False
        assert s["chunks"] >= 1 and s["passes"] == (1 if s["chunks"] == 1 else 2)
    assert any(r["summary"]["chunks"] > 1 for r in recs)  # long articles were windowed
    assert manifest(out)["summary_length"] == {"preset": None, "min_tokens": None,
                                               "max_tokens": int(MAX)}
    info = manifest(out)["models"]["summarization"]
    assert info["family"] == "encoder-decoder" and info["max_new_tokens"] == int(MAX)
    assert info["window"] == 1022 and info["prompt"] is None


def resummarize(run, model: str, *extra: str, out: Path | None = None):
    _, source = run
    before = sha(source)
    args = ["summarize", str(source), "--summarization-model", model, "--quiet", *extra]
    if out is not None:
        args += ["-o", str(out)]
    proc = cli(*args)
    assert sha(source) == before  # the finished run is never touched
    return proc


def check_resummarized(source: Path, out: Path) -> list[dict]:
    old, new = records(source), records(out)
    assert [r["id"] for r in new] == [r["id"] for r in old]
    for a, b in zip(old, new):
        assert b["translation"] == a["translation"] and b["source"] == a["source"]
        assert b["status"] == "ok" and b["summary"]["text"]
    return new


@pytest.mark.slow
def test_summarize_with_t5_uses_its_prompt_prefix(bart_run, tmp_path: Path, t5_dir: Path):
    out = tmp_path / "t5.jsonl"
    proc = resummarize(bart_run, str(t5_dir), "--summary-max-tokens", MAX, out=out)
    assert proc.returncode == 0, proc.stderr
    recs = check_resummarized(bart_run[1], out)
    prompt = load_prompt("t5-summarize")
    assert all(r["summary"]["prompt"] == prompt.record() for r in recs)
    assert all(r["models"]["summarization"] == str(t5_dir) for r in recs)
    assert any(r["summary"]["chunks"] > 1 for r in recs)  # T5's window is 512
    info = manifest(out)
    assert info["summarized_from"] == str(bart_run[1])
    assert info["models"]["summarization"]["family"] == "text-to-text"
    assert info["models"]["summarization"]["prompt"]["text"] == prompt.text
    assert info["counts"]["summarized"] == len(recs)


@pytest.mark.slow
def test_summarize_with_a_chat_model_and_a_length_preset(bart_run, tmp_path: Path,
                                                         chat_lm_dir: Path):
    chat = untied_chat_lm(chat_lm_dir, tmp_path / "chat")
    out = tmp_path / "chat.jsonl"
    proc = resummarize(bart_run, str(chat), "--summary-length", "short",
                       "--summary-max-tokens", MAX, out=out)
    assert proc.returncode == 0, proc.stderr
    recs = check_resummarized(bart_run[1], out)
    assert all(r["summary"]["prompt"]["name"] == "news-digest" for r in recs)
    info = manifest(out)
    assert info["length"] == {"preset": "short", "min_tokens": int(MAX), "max_tokens": int(MAX)}
    model = info["models"]["summarization"]
    assert model["family"] == "chat" and model["max_new_tokens"] == int(MAX)
    assert "{max_words}" in model["prompt"]["text"]


def test_summarize_lead_3_default_name_and_no_overwrite(bart_run):
    _, source = bart_run
    proc = resummarize(bart_run, "lead-3")
    assert proc.returncode == 0, proc.stderr
    out = source.with_name("news.summary-lead-3.jsonl")
    assert str(out) in proc.stderr.splitlines()[-1]
    recs = check_resummarized(source, out)
    assert all(r["models"]["summarization"] == "lead-3" for r in recs)
    # Again: the output exists, so it is refused unless --overwrite; the input never.
    again = resummarize(bart_run, "lead-3")
    assert again.returncode == 2 and "--overwrite" in again.stderr
    assert resummarize(bart_run, "lead-3", "--overwrite").returncode == 0
    same = resummarize(bart_run, "lead-3", "--overwrite", out=source)
    assert same.returncode == 2 and "overwrite the input" in same.stderr


@pytest.mark.parametrize("command", ["run", "summarize"])
def test_broken_prompt_exits_2_before_any_model_loads(tmp_path: Path, shared_data: Path,
                                                      command: str) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("[user]\nSummarize {article} in {max_words} words.\n", "utf-8")
    missing = str(tmp_path / "no-such-model")  # loading it would fail differently
    source = tmp_path / "done.jsonl"
    source.write_text("", "utf-8")
    first = ([command, str(shared_data / "seed-article.txt"), "--translation-model", missing]
             if command == "run" else [command, str(source)])
    proc = cli(*first, "-o", str(tmp_path / "out.jsonl"), "--summarization-model", missing,
               "--prompt", str(bad))
    assert proc.returncode == 2
    assert "unknown placeholder {article}" in proc.stderr and "no-such-model" not in proc.stderr
    proc = cli(*first, "-o", str(tmp_path / "out.jsonl"), "--summarization-model", missing,
               "--prompt", "no-such-prompt")
    assert proc.returncode == 2 and "unknown prompt 'no-such-prompt'" in proc.stderr
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--summary-min-tokens", "50", "--summary-max-tokens", "10"], "larger than"),
    (["--summary-length", "tiny"], "'tiny' is not one of 'short', 'medium', 'long'"),
    (["--summarization-model", "lead-3", "--summary-length", "short"], "do not apply"),
])
def test_length_option_errors_exit_2(tmp_path: Path, shared_data: Path, marian_dir: Path,
                                     args: list[str], message: str) -> None:
    proc = cli("run", str(shared_data / "seed-article.txt"), "-o", str(tmp_path / "o.jsonl"),
               "--translation-model", str(marian_dir), *args)
    # Usage errors come in a box drawn by Typer: read them without it.
    unboxed = " ".join(re.sub("[│╭╮╰╯─]", " ", proc.stderr).split())
    assert proc.returncode == 2 and message in unboxed


def test_summarize_and_clean_write_under_the_output_lock(tmp_path: Path,
                                                         shared_data: Path) -> None:
    """Every command that writes an output takes its lock, as run does: a second writer is
    refused instead of interleaving lines."""
    from arabic_digest.translate.cleaning.options import CleanOptions

    from arabic_digest.guard import LockedError, OutputLock
    from arabic_digest.inputs.readers import Fields
    from arabic_digest.pipeline.clean_only import clean_corpus
    from arabic_digest.pipeline.resummarize import ResummarizeConfig, resummarize

    seed = str(shared_data / "seed-article.txt")
    cleaned = tmp_path / "seed.clean.jsonl"
    with OutputLock(cleaned), pytest.raises(LockedError):
        clean_corpus([seed], cleaned, Fields(), CleanOptions())
    path, counts = clean_corpus([seed], cleaned, Fields(), CleanOptions())
    assert counts["ok"] == 1
    again = tmp_path / "again.jsonl"
    cfg = ResummarizeConfig(path, again, "lead-3", quiet=True)
    with OutputLock(again), pytest.raises(LockedError):
        resummarize(cfg)
    stats = resummarize(cfg)  # the lock released, the same call writes
    assert stats.copied == 1 and records(again)[0]["id"] == records(path)[0]["id"]
