"""A newcomer's first ten minutes (#15): help, messages and progress, as a user sees them.

Every case runs the CLI in a real subprocess and checks the text and the exit code.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from arabic_digest.cli.outputs import LARGE_REPORT_MB
from tests import reportdata
from tests.test_ct2 import no_normalize_before
from tests.test_robust_runs import read_only_dir  # noqa: F401 - a fixture
from tests.test_run import cli

COMMANDS = [["run"], ["clean"], ["summarize"], ["check"], ["report"], ["digest"], ["eval"],
            ["merge"], ["models"], ["models", "download"], ["models", "convert"],
            ["models", "list"], []]
NARROW = {"COLUMNS": "80", "TERMINAL_WIDTH": ""}


def _two_articles(tmp_path: Path, shared_data: Path) -> Path:
    path = tmp_path / "two.jsonl"
    lines = (shared_data / "news-articles.jsonl").read_text("utf-8").splitlines()[:2]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _prose(help_text: str) -> str:
    """Help text without Rich's box lines, whitespace collapsed: wrapped phrases read whole."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", help_text).split())


def _no_traceback(proc) -> None:
    assert "Traceback" not in proc.stderr and "[Errno" not in proc.stderr, proc.stderr


# --- help ------------------------------------------------------------------------------------

def test_version() -> None:
    proc = cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("arabic-digest "), proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "top")
def test_help_at_80_columns_shows_no_bool_and_cuts_nothing(command: list[str]) -> None:
    proc = cli(*command, "--help", env=NARROW)
    assert proc.returncode == 0, proc.stderr
    assert "<bool>" not in proc.stdout  # flags take no value
    assert "…" not in proc.stdout  # nothing (a default, a path) cut at 80 columns


def test_run_help_names_full_defaults_and_panels() -> None:
    out = cli("run", "-h", env=NARROW).stdout
    assert "Helsinki-NLP/opus-mt-ar-en" in out and "sshleifer/distilbart-cnn-12-6" in out
    for panel in ("Input", "Cleaning", "Models", "Translation", "Summary", "Run", "Scale out"):
        assert f"─ {panel} ─" in out
    assert "arabic-digest[ray]" in out
    # A paragraph of the docstring is not broken where the source wraps it.
    assert "SIGINT/SIGTERM stop after the current batch" in _prose(out)


@pytest.mark.slow
def test_segment_and_batch_options_have_help_and_eval_explains_its_modes() -> None:
    clean = _prose(cli("clean", "-h", env=NARROW).stdout)
    assert "Longest segment sent to the translator" in clean
    ev = _prose(cli("eval", "-h", env=NARROW).stdout)
    assert "Longest segment sent to the translator" in ev
    assert "Token budget of one translation batch" in ev
    for mode in ("--reference-field F", "--source AR.txt --reference EN.txt",
                 "--compare A.json B.json"):
        assert mode in ev


# --- messages --------------------------------------------------------------------------------

def test_check_counts_in_english_and_says_what_it_skipped(tmp_path: Path,
                                                          shared_data: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(shared_data / "seed-article.txt", folder)
    (folder / "notes.pdf").write_bytes(b"%PDF")
    proc = cli("check", str(folder))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 article in 1 file; 0 problems" in proc.stdout
    assert "skipped 1 file" in proc.stdout and "notes.pdf" in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("command", ["clean", "report", "digest"])
def test_output_that_is_a_folder_is_one_line_and_leaves_nothing(
        command: str, tmp_path: Path, shared_data: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    if command == "clean":
        given = _two_articles(tmp_path, shared_data)
    else:  # report and digest read an output; a clean output is one
        given = tmp_path / "c.jsonl"
        assert cli("clean", str(_two_articles(tmp_path, shared_data)), "-o",
                   str(given)).returncode == 0
    proc = cli(command, str(given), "-o", str(folder))
    assert proc.returncode == 2, proc.stderr
    assert f"cannot write {folder}: Is a directory (choose another with -o)" in proc.stderr
    _no_traceback(proc)
    assert not list(tmp_path.glob("*.tmp")) and not list(folder.iterdir())


def test_output_under_a_file_is_one_line(tmp_path: Path, shared_data: Path) -> None:
    given = _two_articles(tmp_path, shared_data)
    bad = given / "out.jsonl"  # a folder that is a file
    proc = cli("clean", str(given), "-o", str(bad))
    assert proc.returncode == 2, proc.stderr
    assert f"cannot write {bad}: {given} is a file, not a folder" in proc.stderr
    assert "(choose another with -o)" in proc.stderr
    assert "learned boilerplate" not in proc.stderr  # refused before any work
    _no_traceback(proc)


@pytest.mark.slow
def test_clean_refuses_to_overwrite_without_overwrite(tmp_path: Path, shared_data: Path) -> None:
    given, out = _two_articles(tmp_path, shared_data), tmp_path / "c.jsonl"
    assert cli("clean", str(given), "-o", str(out)).returncode == 0
    out.write_text("mine\n", "utf-8")
    again = cli("clean", str(given), "-o", str(out))
    assert again.returncode == 2 and "pass --overwrite" in again.stderr, again.stderr
    assert out.read_text("utf-8") == "mine\n"
    forced = cli("clean", str(given), "-o", str(out), "--overwrite")
    assert forced.returncode == 0, forced.stderr
    assert len(out.read_text("utf-8").splitlines()) == 2


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_empty_input_is_refused_before_any_model_loads(kind: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    if kind == "file":
        empty = empty.with_suffix(".jsonl")
        empty.write_text("", "utf-8")
    else:
        empty.mkdir()
    # The Hub defaults cannot load here (offline): getting past them would say so instead.
    proc = cli("run", str(empty), "-o", str(tmp_path / "o.jsonl"))
    assert proc.returncode == 2, proc.stderr
    assert f"no articles found in {empty}" in proc.stderr
    assert "could not load" not in proc.stderr and not (tmp_path / "o.jsonl").exists()


def test_missing_model_folder_says_no_such_folder(tmp_path: Path, shared_data: Path) -> None:
    proc = cli("run", str(shared_data / "seed-article.txt"), "-o", str(tmp_path / "o.jsonl"),
               "--translation-model", "./opus-mt-ar-en", "--summarization-model", "lead-2",
               cwd=tmp_path)
    assert proc.returncode == 2 and "no such folder: ./opus-mt-ar-en" in proc.stderr
    assert "Repo id" not in proc.stderr and "download" not in proc.stderr, proc.stderr


@pytest.mark.slow
def test_hub_model_offline_hint_names_hf_download(tmp_path: Path, shared_data: Path) -> None:
    proc = cli("run", str(shared_data / "seed-article.txt"), "-o", str(tmp_path / "o.jsonl"),
               "--translation-model", "nobody/no-such-model", "--summarization-model",
               "lead-2", "--backend", "transformers")
    assert proc.returncode == 2, proc.stderr
    assert "hf download nobody/no-such-model" in proc.stderr
    assert "huggingface-cli" not in proc.stderr


@pytest.mark.slow
def test_a_run_of_errors_shows_them_and_no_rate(tmp_path: Path, shared_data: Path,
                                                marian_dir: Path) -> None:
    given = _two_articles(tmp_path, shared_data)
    proc = cli("run", str(given), "-o", str(tmp_path / "o.jsonl"), "--quiet",
               "--translation-model", str(marian_dir), "--summarization-model", "lead-2",
               "--max-article-chars", "10")
    assert proc.returncode == 1, proc.stderr
    assert "2 articles: 0 ok, 2 error, 0 skipped; 0 segments" in proc.stderr
    assert "articles/min" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("arabic-digest: error in ")]
    assert len(errors) == 2 and all("over --max-article-chars 10" in e for e in errors)


@pytest.mark.slow
def test_models_convert_goes_on_and_a_failure_is_said_once(
        tmp_path: Path, shared_data: Path, marian_dir: Path, bart_dir: Path) -> None:
    bad = no_normalize_before(bart_dir, tmp_path / "bart5")
    env = {"ARABIC_DIGEST_CACHE": str(tmp_path / "cache")}
    proc = cli("models", "convert", str(bad), str(marian_dir), env=env)
    assert proc.returncode == 1, proc.stderr
    assert "cannot convert" in proc.stderr and "1 model not converted" in proc.stderr
    assert proc.stdout.startswith(f"{marian_dir}\t") and "\tconverted\t" in proc.stdout
    # Remembered per revision: a run falls back without trying (or saying it) again.
    run = ["run", str(shared_data / "seed-article.txt"), "--quiet", "--beams", "1",
           "--translation-model", str(marian_dir), "--summarization-model", str(bad)]
    first = cli(*run, "-o", str(tmp_path / "a.jsonl"), env=env)
    assert first.returncode == 0, first.stderr
    assert "cannot convert" not in first.stderr and "converting" not in first.stderr
    manifest = json.loads((tmp_path / "a.run.json").read_text("utf-8"))
    assert "normalize_before" in manifest["models"]["summarization"]["backend_fallback"]


@pytest.mark.slow
def test_progress_moves_by_segments_without_loading_bars(
        tmp_path: Path, shared_data: Path, marian_dir: Path) -> None:
    out = tmp_path / "o.jsonl"
    proc = cli("run", str(_two_articles(tmp_path, shared_data)), "-o", str(out), "--beams", "1",
               "--translation-model", str(marian_dir), "--summarization-model", "lead-2",
               "--batch-tokens", "64")
    assert proc.returncode == 0, proc.stderr
    assert "Loading weights" not in proc.stderr
    assert "segment/s" in proc.stderr and "2/2 articles" in proc.stderr
    # With small batches the bar shows counts between 0 and its total: it moves per batch,
    # not once per pool of articles.
    counts = [(int(n), int(t)) for n, t in re.findall(r"(\d+)/(\d+) \[", proc.stderr)]
    assert len({n for n, t in counts if 0 < n < t}) >= 2, proc.stderr


@pytest.mark.slow
def test_report_renders_flag_details_as_text(tmp_path: Path, shared_data: Path,
                                             marian_dir: Path) -> None:
    out = tmp_path / "o.jsonl"
    assert cli("run", str(_two_articles(tmp_path, shared_data)), "-o", str(out), "--quiet",
               "--beams", "1", "--translation-model", str(marian_dir),
               "--summarization-model", "lead-2").returncode == 0
    # A flag with nested details, as a later check might write them.
    recs = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    recs[0]["translation"]["flags"].append(
        {"kind": "glossary", "segment": 0, "terms": [{"ar": "وزير", "en": "minister"}],
         "renderings": {"minister": ["secretary", "minister"]}, "ratio": 0.5})
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), "utf-8")
    proc = cli("report", str(out))
    assert proc.returncode == 0 and "report of 2 articles" in proc.stderr, proc.stderr
    html = out.with_name("o.report.html").read_text("utf-8")
    assert "spans: " in html  # random weights repeat themselves: flags with spans
    assert "terms: وزير → minister" in html
    assert "renderings: minister: secretary, minister; ratio: 0.5" in html
    for python in ("[&#x27;", "['", "{&#x27;", "{'"):
        assert python not in html


@pytest.mark.slow
@pytest.mark.parametrize("command", ["clean", "report", "digest"])
def test_unwritable_folder_is_one_line_in_every_command(
        command: str, read_only_dir: Path, tmp_path: Path,  # noqa: F811
        shared_data: Path,
        marian_dir: Path) -> None:
    given = _two_articles(tmp_path, shared_data)
    if command != "clean":  # report and digest want a translated output
        given = tmp_path / "o.jsonl"
        assert cli("run", str(_two_articles(tmp_path, shared_data)), "-o", str(given),
                   "--quiet", "--beams", "1", "--translation-model", str(marian_dir),
                   "--summarization-model", "lead-2").returncode == 0
    out = read_only_dir / "out"
    proc = cli(command, str(given), "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    # Permission denied, or Operation not permitted for root on an immutable folder.
    assert f"cannot write {out}: " in proc.stderr and "(choose another with -o)" in proc.stderr
    _no_traceback(proc)


@pytest.mark.slow
def test_report_says_its_size_and_points_a_large_run_to_the_archive(tmp_path: Path) -> None:
    words = "وقال الوزير إن الخطة تشمل المدن والقرى في كل المناطق "
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    # the page's size is what counts, not the number of articles: two long ones will do
    for path, repeat in ((small, 100), (large, 120_000)):
        recs = [reportdata.ok_record(f"a{i}", [[words * repeat + "."]]) for i in range(2)]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), "utf-8")
    proc = cli("report", str(small))
    size = small.with_name("small.report.html").stat().st_size / 1e6
    assert proc.returncode == 0 and f"({size:.1f} MB)" in proc.stderr, proc.stderr
    assert "serve" not in proc.stderr
    proc = cli("report", str(large))
    assert large.with_name("large.report.html").stat().st_size / 1e6 > LARGE_REPORT_MB
    assert proc.returncode == 0, proc.stderr
    assert f"arabic-digest index {large} --db archive.sqlite" in proc.stderr, proc.stderr
