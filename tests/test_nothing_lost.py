"""Nothing lost, round two: corpora shaped like scraped archives, through the real CLI.

One test per way a record used to be lost, mixed or wedged (line separators in text, ids that
collide across folders, resume with other settings, merge of unfinished shards, an unreadable
file in a folder, output cut at the decoder bound, Ctrl-C, post-processing on the wrong file),
then a property test over the whole CLI with generated corpora and a SIGKILL.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from arabic_digest.translate.cleaning.options import CLEANING_VERSION
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arabic_digest.records import DuplicateRecord, RecordFile, scan_output
from tests.cliserver import run_cli

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
       "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
ENV.pop("ARABIC_DIGEST_CRASH_AT", None)
SEPARATORS = "\u2028\u2029\u0085\x1c\x1d\x1e\x0b\x0c"


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return run_cli(list(args), cwd=ROOT, env=ENV, timeout=timeout)


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "arabic_digest", *args], env=ENV, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def records(path: Path) -> list[dict]:
    """Records as a careful reader splits them: on b"\\n" only."""
    return [json.loads(line) for line in path.read_bytes().split(b"\n") if line.strip()]


def manifest(out: Path) -> dict:
    return json.loads(out.with_name(out.name.removesuffix(".jsonl") + ".run.json").read_text())


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr and "unexpected error" not in proc.stderr, proc.stderr


def run_args(inputs: list[Path | str], out: Path, marian: Path, *extra: str,
             beams: str = "1", summarizer: str = "lead-2") -> list[str]:
    return ["run", *map(str, inputs), "-o", str(out), "--translation-model", str(marian),
            "--summarization-model", summarizer, "--beams", beams, "--quiet", *extra]


def shared_rows(shared_data: Path, n: int) -> list[dict]:
    with (shared_data / "news-articles.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for _, line in zip(range(n), fh)]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # ensure_ascii=False: the separators are written raw, as scrapers write them.
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


# --- 1. line separators inside text ------------------------------------------------------------

@pytest.mark.slow
def test_line_separators_in_text_title_and_meta_round_trip_and_resume(
        shared_data: Path, fast_marian: Path, tmp_path: Path) -> None:
    rows = shared_rows(shared_data, 3)
    for k, row in enumerate(rows):
        sep = SEPARATORS[k * 3 % len(SEPARATORS)]
        row["text"] = row["text"][:300] + sep + "\n" + row["text"][300:600] + SEPARATORS
        row["title"] = row["title"] + "\u2028" + "عنوان"
        row["note"] = "meta\u2029field\u0085"
    src = write_jsonl(tmp_path / "scraped.jsonl", rows)
    out = tmp_path / "out.jsonl"
    first = cli(*run_args([src], out, fast_marian, "--limit", "2"))
    assert first.returncode == 0, first.stderr
    second = cli(*run_args([src], out, fast_marian))
    assert second.returncode == 0, second.stderr
    assert "2 already done" in second.stderr
    retry = cli(*run_args([src], out, fast_marian, "--retry-errors"))
    assert retry.returncode == 0, retry.stderr
    recs = records(out)
    assert [r["id"] for r in recs] == [r["id"] for r in rows]
    for rec, row in zip(recs, rows):
        assert rec["source"]["text"] == row["text"]  # byte for byte, separators included
        assert rec["source"]["title"] == row["title"]
        assert rec["source"]["meta"]["note"] == row["note"]
    assert manifest(out)["status"] == "finished"
    for cmd in (["report", str(out)], ["digest", str(out)]):
        proc = cli(*cmd)
        assert proc.returncode == 0, proc.stderr
        no_traceback(proc)


# --- 2. ids across folders -----------------------------------------------------------------------

def _dated_corpus(root: Path, shared_data: Path) -> int:
    """2020/news.jsonl and 2021/news.jsonl without ids, a/index.html and b/index.html."""
    rows = [{"title": r["title"], "text": r["text"][:400]} for r in shared_rows(shared_data, 4)]
    write_jsonl(root / "2020" / "news.jsonl", rows[:2])
    write_jsonl(root / "2021" / "news.jsonl", rows[2:])
    for folder, row in zip("ab", rows):
        page = root / folder / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<html><head><title>{row['title']}</title></head><body><p>"
                        f"{row['text']}</p></body></html>", "utf-8")
    return 6


@pytest.mark.slow
def test_ids_from_paths_relative_to_the_input_never_collide(
        shared_data: Path, fast_marian: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    n = _dated_corpus(corpus, shared_data)
    out = tmp_path / "out.jsonl"
    # Interrupted (a short --limit), resumed, errors retried: every article once.
    assert cli(*run_args([corpus], out, fast_marian, "--limit", "3")).returncode == 0
    proc = cli(*run_args([corpus], out, fast_marian))
    assert proc.returncode == 0, proc.stderr
    assert cli(*run_args([corpus], out, fast_marian, "--retry-errors")).returncode == 0
    ids = [r["id"] for r in records(out)]
    assert ids == ["2020/news.jsonl:1", "2020/news.jsonl:2", "2021/news.jsonl:1",
                   "2021/news.jsonl:2", "a/index", "b/index"]
    assert all(r["status"] == "ok" for r in records(out)) and len(ids) == n
    # Two file arguments of the same name: their labels take as much of the path as needed.
    out2 = tmp_path / "two.jsonl"
    proc = cli(*run_args([corpus / "2020" / "news.jsonl", corpus / "2021" / "news.jsonl"],
                         out2, fast_marian))
    assert proc.returncode == 0, proc.stderr
    assert [r["id"] for r in records(out2)] == [
        "2020/news.jsonl:1", "2020/news.jsonl:2", "2021/news.jsonl:1", "2021/news.jsonl:2"]
    # Shards of it merge back to the same records.
    for k in range(2):
        shard = cli(*run_args([corpus], tmp_path / "s.jsonl", fast_marian, "--shard", f"{k}/2",
                              "-o", str(tmp_path / f"s.shard-{k}-of-2.jsonl")))
        assert shard.returncode == 0, shard.stderr
    merged = cli("merge", str(tmp_path / "s.shard-0-of-2.jsonl"),
                 str(tmp_path / "s.shard-1-of-2.jsonl"), "-o", str(tmp_path / "m.jsonl"))
    assert merged.returncode == 0, merged.stderr
    assert [r["id"] for r in records(tmp_path / "m.jsonl")] == ids


@pytest.mark.slow
def test_a_repeated_id_gets_an_error_record_whose_id_is_unique_too(
        fast_marian: Path, tmp_path: Path) -> None:
    # "x.jsonl:2" is both an id field and the origin of the repeated id: still unique.
    src = write_jsonl(tmp_path / "x.jsonl", [{"id": "x.jsonl:2", "text": "خبر أول"},
                                             {"id": "x.jsonl:2", "text": "خبر ثان"},
                                             {"text": "خبر ثالث"}])
    out = tmp_path / "out.jsonl"
    proc = cli(*run_args([src], out, fast_marian, "--no-language-check"))
    assert proc.returncode == 1, proc.stderr
    recs = records(out)
    assert len(recs) == 3 and len({r["id"] for r in recs}) == 3
    assert recs[1]["error"]["type"] == "DuplicateId"


def test_the_record_file_refuses_a_second_record_for_an_id(tmp_path: Path) -> None:
    out = RecordFile(tmp_path / "out.jsonl")
    rec = {"schema_version": 1, "id": "a", "status": "ok"}
    out.append([rec])
    with pytest.raises(DuplicateRecord, match="already holds a record for id 'a'"):
        out.append([{**rec, "status": "error"}])
    with pytest.raises(DuplicateRecord):
        out.append([{**rec, "id": "b"}, {**rec, "id": "b"}])
    out.close()
    assert [ln.record["id"] for ln in scan_output(tmp_path / "out.jsonl")] == ["a"]


# --- 3. resume with other settings -----------------------------------------------------------

@pytest.mark.parametrize("change, named", [
    ({"beams": "2"}, "--beams"),
    ({"extra": ["--segment-tokens", "100"]}, "--segment-tokens"),
    ({"extra": ["--keep-digits"]}, "cleaning options"),
    ({"summarizer": "lead-3"}, "--summarization-model"),
    ({"extra": ["--no-retry"]}, "--no-retry"),
    ({"more_inputs": True}, "the inputs"),
])
@pytest.mark.slow
def test_resume_with_other_settings_is_refused(change: dict, named: str, shared_data: Path,
                                               fast_marian: Path, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", shared_rows(shared_data, 3))
    out = tmp_path / "out.jsonl"
    assert cli(*run_args([src], out, fast_marian, "--limit", "1")).returncode == 0
    before = out.read_bytes(), manifest(out)
    inputs = [src, shared_data / "seed-article.txt"] if change.get("more_inputs") else [src]
    proc = cli(*run_args(inputs, out, fast_marian, *change.get("extra", []),
                         beams=change.get("beams", "1"),
                         summarizer=change.get("summarizer", "lead-2")))
    assert proc.returncode == 2, proc.stderr
    assert named in proc.stderr and "--overwrite" in proc.stderr and "-o" in proc.stderr
    no_traceback(proc)
    assert (out.read_bytes(), manifest(out)) == before  # nothing touched


@pytest.mark.slow
def test_an_output_of_the_previous_cleaning_version_is_not_resumed(
        shared_data: Path, fast_marian: Path, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", shared_rows(shared_data, 3))
    out = tmp_path / "out.jsonl"
    assert cli(*run_args([src], out, fast_marian, "--limit", "1")).returncode == 0
    # what the clean:v3 release wrote (before pages were extracted by measurement, issue 35):
    # the same manifest, one version older
    run_json = out.with_name("out.run.json")
    assert f"clean:{CLEANING_VERSION}|" in run_json.read_text("utf-8")
    run_json.write_text(run_json.read_text("utf-8").replace(f"clean:{CLEANING_VERSION}|",
                                                            "clean:v3|"), "utf-8")
    before = out.read_bytes()
    proc = cli(*run_args([src], out, fast_marian))
    assert proc.returncode == 2, proc.stderr
    line = next(ln for ln in proc.stderr.splitlines() if "clean" in ln)
    assert "clean:v3" in line and f"clean:{CLEANING_VERSION}" in proc.stderr, proc.stderr
    assert "--overwrite" in proc.stderr
    no_traceback(proc)
    assert out.read_bytes() == before


@pytest.mark.slow
def test_settings_that_cannot_change_a_record_may_change_on_resume(
        shared_data: Path, fast_marian: Path, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", shared_rows(shared_data, 3))
    out = tmp_path / "out.jsonl"
    assert cli(*run_args([src], out, fast_marian, "--limit", "1")).returncode == 0
    proc = cli(*run_args([src], out, fast_marian, "--batch-tokens", "128", "--no-dedupe",
                         "--device", "cpu"))
    assert proc.returncode == 0, proc.stderr
    assert len(records(out)) == 3
    m = manifest(out)
    assert m["signature"].startswith("in:") and "|mt:" in m["signature"]
    assert m["identity"]["translation"]["num_beams"] == 1


@pytest.mark.slow
def test_an_output_without_its_manifest_is_not_resumed_blindly(
        shared_data: Path, fast_marian: Path, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", shared_rows(shared_data, 2))
    out = tmp_path / "out.jsonl"
    assert cli(*run_args([src], out, fast_marian, "--limit", "1")).returncode == 0
    out.with_name("out.run.json").unlink()
    proc = cli(*run_args([src], out, fast_marian))
    assert proc.returncode == 2 and "no manifest" in proc.stderr
    assert cli(*run_args([src], out, fast_marian, "--overwrite")).returncode == 0


# --- 4. merge checks what it copies -------------------------------------------------------------

@pytest.fixture()
def two_shards(shared_data: Path, fast_marian: Path, tmp_path: Path) -> list[Path]:
    src = write_jsonl(tmp_path / "in.jsonl", shared_rows(shared_data, 6))
    outs = []
    for k in range(2):
        out = tmp_path / f"in.shard-{k}-of-2.jsonl"
        proc = cli(*run_args([src], out, fast_marian, "--shard", f"{k}/2"))
        assert proc.returncode == 0, proc.stderr
        outs.append(out)
    return outs


def _merge_refused(shards: list[Path], *parts: str) -> None:
    out = shards[0].with_name("merged.jsonl")
    proc = cli("merge", *map(str, shards), "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    for part in parts:
        assert part in proc.stderr
    no_traceback(proc)
    assert not out.exists()


@pytest.mark.slow
def test_merge_refuses_an_unfinished_shard(two_shards: list[Path]) -> None:
    mpath = two_shards[1].with_name("in.shard-1-of-2.run.json")
    m = json.loads(mpath.read_text())
    mpath.write_text(json.dumps({**m, "status": "interrupted"}))
    _merge_refused(two_shards, str(two_shards[1]), "interrupted, not finished")


@pytest.mark.slow
def test_merge_refuses_a_shard_a_run_still_writes(two_shards: list[Path]) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from arabic_digest.guard import OutputLock; OutputLock(Path(sys.argv[1])).acquire(); "
         "print('locked', flush=True); time.sleep(120)", str(two_shards[0])],
        env=ENV, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        _merge_refused(two_shards, str(two_shards[0]), "still writing it")
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_merge_names_a_malformed_record(two_shards: list[Path]) -> None:
    lines = two_shards[0].read_bytes().split(b"\n")
    rec = json.loads(lines[1])
    del rec["status"]
    lines[1] = json.dumps(rec, ensure_ascii=False).encode()
    two_shards[0].write_bytes(b"\n".join(lines))
    _merge_refused(two_shards, f"{two_shards[0]}:2", "no schema_version or status")


# --- 5. an unreadable file in a folder -----------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_an_unreadable_file_in_a_folder_is_one_error_record(
        shared_data: Path, fast_marian: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "a.jsonl", shared_rows(shared_data, 2))
    # Reading /proc/self/mem from offset 0 fails with EIO, even for root (chmod would not).
    os.symlink("/proc/self/mem", corpus / "b.jsonl")
    write_jsonl(corpus / "c.jsonl", shared_rows(shared_data, 3)[2:])
    out = tmp_path / "out.jsonl"
    proc = cli(*run_args([corpus], out, fast_marian))
    assert proc.returncode == 1, proc.stderr
    recs = records(out)
    assert [r["status"] for r in recs] == ["ok", "ok", "error", "ok"]
    assert recs[2]["id"] == "b.jsonl" and recs[2]["error"]["stage"] == "read"
    assert "cannot read" in recs[2]["error"]["message"]
    assert manifest(out)["status"] == "finished"


# --- 6. output cut at the bound, empty output, wrong counts -----------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_output_cut_at_the_bound_is_flagged(backend: str, shared_data: Path,
                                            fast_marian: Path, tmp_path: Path) -> None:
    # Random weights never say </s>: every segment runs to its bound (8 tokens here).
    src = write_jsonl(tmp_path / "in.jsonl", shared_rows(shared_data, 1))
    out = tmp_path / "out.jsonl"
    proc = cli(*run_args([src], out, fast_marian, "--backend", backend, "--no-retry"))
    assert proc.returncode == 0, proc.stderr
    flags = records(out)[0]["translation"]["flags"]
    segments = records(out)[0]["translation"]["segments"]
    cut = {f["segment"] for f in flags if f["kind"] == "length_limit" and not f.get("title")}
    assert cut == set(range(len(segments))) and segments


@pytest.mark.slow
def test_an_empty_translation_of_a_non_empty_source_is_flagged(
        shared_data: Path, marian_dir: Path, tmp_path: Path) -> None:
    # A model that must say </s> at once: one new token, forced to be </s>.
    model = tmp_path / "mute"
    shutil.copytree(marian_dir, model)
    gen = json.loads((model / "generation_config.json").read_text())
    gen.update(max_length=2, forced_eos_token_id=gen["eos_token_id"])
    (model / "generation_config.json").write_text(json.dumps(gen))
    src = write_jsonl(tmp_path / "in.jsonl", shared_rows(shared_data, 1))
    out = tmp_path / "out.jsonl"
    proc = cli(*run_args([src], out, model, "--backend", "transformers", "--no-retry"))
    assert proc.returncode == 0, proc.stderr
    tr = records(out)[0]["translation"]
    assert all(s["target"] == "" for s in tr["segments"])
    empty = {f["segment"] for f in tr["flags"] if f["kind"] == "empty" and not f.get("title")}
    assert empty == set(range(len(tr["segments"])))


def test_a_translator_that_returns_too_few_translations_fails_the_article(
        marian_dir: Path) -> None:
    from arabic_digest.translate.translator import TransformersTranslator

    from arabic_digest.inputs.readers import Article
    from arabic_digest.pipeline.article import BatchSettings, Prepared, prepare, translate_prepared

    class DropsOne(TransformersTranslator):  # a real model whose wrapper breaks the contract
        def translate_scored(self, segments, overrides=None):
            return super().translate_scored(segments, overrides)[:-1]

    tr = DropsOne(str(marian_dir), device="cpu", beams=1)
    items = [prepare(Article(f"a{k}", "جملة أولى. جملة ثانية."), tr.count_tokens,
                     BatchSettings()) for k in range(2)]
    assert all(isinstance(p, Prepared) for p in items)
    translate_prepared(items, tr)
    for p in items:
        assert p.record["status"] == "error" and p.record["error"]["stage"] == "translate"
        assert "translations for" in p.record["error"]["message"]


# --- 7. Ctrl-C ---------------------------------------------------------------------------------

def _wait_running(proc: subprocess.Popen, out: Path, timeout: float = 120) -> None:
    """Until the run has begun (its manifest says running): the models are loaded."""
    end = time.monotonic() + timeout
    mpath = out.with_name(out.name.removesuffix(".jsonl") + ".run.json")
    while time.monotonic() < end and proc.poll() is None:
        try:
            if json.loads(mpath.read_text())["status"] == "running":
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.02)


def _slow_run(shared_data: Path, marian_dir: Path, out: Path) -> list[str]:
    # One pool holds the whole corpus (a large token budget); a short segment budget makes
    # many translation batches in it: the stop must come between them, not at the pool's end.
    return ["run", str(shared_data / "news-articles.jsonl"), "-o", str(out),
            "--translation-model", str(marian_dir), "--no-summary", "--backend", "transformers",
            "--beams", "1", "--segment-tokens", "24", "--batch-tokens", "100000", "--quiet"]


@pytest.mark.slow
def test_first_sigint_stops_after_the_current_batch(shared_data: Path, marian_dir: Path,
                                                    tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = start(*_slow_run(shared_data, marian_dir, out))
    _wait_running(proc, out)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    m = manifest(out)
    assert m["status"] == "interrupted" and m["signal"] == "SIGINT"
    assert "To resume, run the same command again" in err
    assert len(records(out)) < 31  # it did not run to the end


@pytest.mark.slow
def test_second_sigint_stops_at_once_and_says_so(shared_data: Path, marian_dir: Path,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = start(*_slow_run(shared_data, marian_dir, out))
    _wait_running(proc, out)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "stopped" in err
    assert manifest(out)["status"] == "interrupted"


# --- 8. post-processing on the wrong file ------------------------------------------------------

@pytest.mark.slow
def test_post_processing_commands_refuse_what_is_not_an_output(
        shared_data: Path, fast_marian: Path, tmp_path: Path) -> None:
    raw = shared_data / "news-articles.jsonl"
    for cmd in (["report", str(raw), "-o", str(tmp_path / "r.html")],
                ["digest", str(raw), "-o", str(tmp_path / "d.md")],
                ["summarize", str(raw), "-o", str(tmp_path / "s.jsonl"),
                 "--summarization-model", "lead-2"]):
        proc = cli(*cmd)
        assert proc.returncode == 2, (cmd, proc.stderr)
        assert "is not an arabic-digest output" in proc.stderr
        no_traceback(proc)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    proc = cli("digest", str(empty))
    assert proc.returncode == 2 and "empty" in proc.stderr
    # All errors, and a `clean` output: records, but nothing translated to digest.
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"id": "x", "body": 3}])
    errors = tmp_path / "errors.jsonl"
    assert cli(*run_args([bad], errors, fast_marian)).returncode == 1
    cleaned = tmp_path / "cleaned.jsonl"
    assert cli("clean", str(raw), "-o", str(cleaned)).returncode == 0
    for path in (errors, cleaned):
        proc = cli("digest", str(path), "-o", str(tmp_path / "d.md"))
        assert proc.returncode == 2 and "no translated articles in" in proc.stderr, proc.stderr
        no_traceback(proc)


# --- the whole CLI on generated corpora ---------------------------------------------------------

_WEIRD = st.sampled_from(list(SEPARATORS) + ["\u200f", "\u202e", "\u2066", "\x00", "\ufeff",
                                              "\t", "\r", "\\", '"'])
_ARABIC = st.sampled_from(["خبر", "اليوم", "الحكومة", "في", "قال", "مدينة", "١٢٣", "."])
_TEXT = st.lists(st.one_of(_ARABIC, _WEIRD, st.characters(exclude_characters="<>&")),
                 min_size=0, max_size=60).map(" ".join)
_ROW = st.fixed_dictionaries({"text": _TEXT}, optional={
    "id": st.sampled_from(["a", "b", "a", "x.jsonl:1", ""]), "title": _TEXT,
    "surrogate": st.just(True)})


def _write_generated(root: Path, files: list[tuple[str, list[dict]]]) -> list[str]:
    """Writes the corpus; returns each article's text as the reader will see it."""
    texts = []
    for name, rows in sorted(files, key=lambda f: Path(f[0])):  # the order run reads them in
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = []
        for row in rows:
            row = dict(row)
            line = json.dumps({k: v for k, v in row.items() if k != "surrogate"},
                              ensure_ascii=False)
            if row.get("surrogate"):  # a lone surrogate, as a JSON escape
                line = line[:-1] + ', "note": "\\ud800 lone"}'
            lines.append(line)
            texts.append(row["text"])
        # A very long line, over --max-article-chars: an error record, not a wedge.
        lines.append(json.dumps({"text": "خبر " * 400}, ensure_ascii=False))
        texts.append(None)
        path.write_text("\n".join(lines) + "\n", "utf-8", errors="surrogatepass")
    return texts


@pytest.mark.slow
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=st.lists(st.tuples(st.sampled_from(["news.jsonl", "2020/news.jsonl",
                                                 "2021/news.jsonl", "a/b/news.jsonl"]),
                                st.lists(_ROW, min_size=1, max_size=4)),
                      min_size=1, max_size=3, unique_by=lambda f: f[0]),
       kill_after=st.floats(0.3, 3.0))  # the run is killed early, midway or not at all
def test_generated_corpora_survive_run_kill_resume_report_digest(
        files, kill_after: float, fast_marian: Path, tmp_path_factory) -> None:
    root = tmp_path_factory.mktemp("gen")
    corpus = root / "corpus"
    texts = _write_generated(corpus, files)
    out = root / "out.jsonl"
    args = run_args([corpus], out, fast_marian, "--max-article-chars", "1000",
                    "--batch-tokens", "64")
    proc = start(*args)
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    done = cli(*args)
    assert done.returncode in (0, 1), done.stderr
    no_traceback(done)
    recs = records(out)
    assert len(recs) == len(texts) and len({r["id"] for r in recs}) == len(recs)
    read_ok = [(r, t) for r, t in zip(recs, texts)
               if t is not None and (r["error"] or {}).get("stage") != "read"]
    assert all(r["source"]["text"] == t for r, t in read_ok)
    for cmd in (["report", str(out)], ["digest", str(out)]):
        proc = cli(*cmd)
        assert proc.returncode in (0, 2), proc.stderr
        no_traceback(proc)
