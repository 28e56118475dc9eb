"""The Python library (`import arabic_digest as ad`, issue #34) with the tiny real models: the
issue's snippet as written, `Pipeline.process` against `arabic-digest run`, a library's
manners (silent stdout, errors not exits) and memory over an endless stream."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

import arabic_digest as ad
from tests.test_run import ROOT, cli

SENTENCES = ["قال الوزير إن المحادثات ستستأنف يوم الاثنين في العاصمة.",
             "وأضاف أن الحكومة تدرس مقترحات جديدة لخفض الأسعار.",
             "وأعلنت الشركة عن أرباح قياسية في الربع الثالث من العام."]


def tiny(marian: Path, bart: Path | None = None) -> dict:
    """The options that put the tiny models in place of a preset's Hub models."""
    return {"translation_model": str(marian), "beams": 1,
            "summarization_model": str(bart) if bart else "lead-3"}


def day_input(tmp_path: Path, shared_data: Path, n: int = 6) -> Path:
    """A small day: the shared corpus's first articles, a copy of the first under another id
    (a story of two), a repeated id and a bad line."""
    lines = (shared_data / "news-articles.jsonl").read_text("utf-8").splitlines()[:n]
    copy = json.dumps({**json.loads(lines[0]), "id": "copy"}, ensure_ascii=False)
    path = tmp_path / "day.jsonl"
    path.write_text("\n".join([*lines, copy, lines[0], "{not json", json.dumps(
        {"id": "short", "title": "عنوان", "text": " ".join(SENTENCES)}, ensure_ascii=False)])
        + "\n", encoding="utf-8")
    return path


def test_import_is_cheap_and_public_names_are_all() -> None:
    code = ("import sys, arabic_digest as ad; "
            "assert not {'torch', 'transformers', 'ctranslate2'} & set(sys.modules), "
            "sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers')); "
            "print(sorted(ad.__all__))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    names = set(eval(proc.stdout))
    assert {"Pipeline", "clean", "read_articles", "load_records", "to_dataframe", "run",
            "ArabicDigestError", "Record", "Cleaned"} <= names
    for name in names:  # every public name resolves, is documented with an example
        obj = getattr(ad, name)
        assert obj.__doc__ and "Example" in obj.__doc__ or name in {
            "Article", "RunStats", "RunStopped", "Translation", "Summary"}, name
    assert (ROOT / "arabic_digest" / "py.typed").is_file()


def test_issue_snippet_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       shared_data: Path, fast_marian: Path,
                                       bart_dir: Path) -> None:
    """The issue's snippet, line by line, with the tiny models given as options."""
    monkeypatch.chdir(tmp_path)
    day_input(tmp_path, shared_data, n=3)
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "one.txt").write_text(SENTENCES[0], encoding="utf-8")
    models = tiny(fast_marian, bart_dir)
    articles = [SENTENCES[0], {"id": "a2", "title": "عنوان", "text": SENTENCES[1]}]

    pipe = ad.Pipeline(preset="default", **models)
    assert isinstance(pipe.translate("نص عربي"), str)
    out = pipe.translate(["قال الوزير.", "", SENTENCES[2]])
    assert isinstance(out, list) and len(out) == 3 and out[1] == "" and out[0] and out[2]
    assert isinstance(pipe.summarize("English text. It is short."), str)
    assert len(pipe.summarize(["One text.", "Another text."])) == 2
    seen = []
    for rec in pipe.process(articles):
        _ = rec.id, rec.status, rec.translation.paragraphs, rec.summary.text, rec.flags
        assert rec.to_dict()["id"] == rec.id
        seen.append(rec.id)
    assert seen == ["item-1", "a2"]
    cleaned = ad.clean("(يتبع)\n" + SENTENCES[0])
    assert cleaned.paragraphs == [SENTENCES[0]] and cleaned.removed[0]["kind"] == "marker"
    read = list(ad.read_articles(["day.jsonl", "pages/"]))
    assert [a.id for a in read][-1].endswith("one.txt") or read[-1].meta.get("path")
    stats = ad.run(["day.jsonl"], output="outputs/day.jsonl", preset="fast", **models)
    assert stats.processed == len(read) - 1 and Path("outputs/day.run.json").is_file()
    recs = list(ad.load_records("outputs/day.jsonl"))
    assert [r.id for r in recs][:3] == [a.id for a in read][:3]
    df = ad.to_dataframe("outputs/day.jsonl", level="article")
    assert list(df["id"]) == [r.id for r in recs]
    segments = ad.to_dataframe("outputs/day.jsonl", level="segment")
    assert len(segments) == sum(len(r.translation.segments) for r in recs if r.translation)
    assert issubclass(ad.RunStopped, ad.ArabicDigestError)
    import pandas as pd  # a whole DataFrame is its rows, not its column names

    frame = pd.DataFrame({"id": ["d1", "d2"], "text": SENTENCES[:2]})
    assert [r.id for r in pipe.process(frame)] == ["d1", "d2"]
    with pipe:
        pass
    with pytest.raises(ad.ArabicDigestError, match="closed"):
        pipe.translate("نص")


def test_process_gives_the_records_run_writes(tmp_path: Path, shared_data: Path,
                                              fast_marian: Path, bart_dir: Path) -> None:
    """Same input, same settings: `arabic-digest run` (a real subprocess) and
    `Pipeline.process` give equal records, timings aside; ok, error and skipped alike."""
    day = day_input(tmp_path, shared_data)
    out = tmp_path / "run.jsonl"
    proc = cli("run", str(day), "-o", str(out), "--translation-model", str(fast_marian),
               "--summarization-model", str(bart_dir), "--beams", "1", "--quiet")
    assert proc.returncode == 1, proc.stderr  # the bad line and the repeated id are errors
    written = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    with ad.Pipeline(**tiny(fast_marian, bart_dir)) as pipe:
        got = [r.to_dict() for r in pipe.process(list(ad.read_articles(day)))]
    for rec in written + got:
        rec.pop("timing_s")
    assert {r["status"] for r in got} == {"ok", "error"}
    assert any(r.get("story", {}).get("size", 1) > 1 for r in got)  # the repeated article
    assert [r["id"] for r in got] == [r["id"] for r in written]
    for a, b in zip(got, written):
        assert a == b, a["id"]


def test_process_streams_in_input_order_from_a_generator(fast_marian: Path) -> None:
    """A generator is pulled lazily: the first record comes before the generator is
    exhausted, and records keep input order across batches."""
    pulled = []

    def articles():
        for n in itertools.count():
            pulled.append(n)
            yield {"id": f"n{n}", "text": SENTENCES[n % 3] + f" رقم {n}"}

    with ad.Pipeline(summary=False, max_pool_articles=3, **tiny(fast_marian)) as pipe:
        records = pipe.process(articles())
        first = next(records)
        assert first.id == "n0" and len(pulled) <= 4
        rest = [next(records).id for _ in range(7)]
    assert rest == [f"n{n}" for n in range(1, 8)]
    assert first.story and first.story["size"] == 1  # grouped within its batch


def test_a_pipeline_session_prints_nothing(capfd: pytest.CaptureFixture, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch, fast_marian: Path,
                                           bart_dir: Path) -> None:
    """Nothing on stdout, no progress bar on stderr, from loading (with a first conversion
    to CTranslate2, into an empty cache) to closing."""
    monkeypatch.setenv("ARABIC_DIGEST_CACHE", str(tmp_path / "cache"))
    with ad.Pipeline(**tiny(fast_marian, bart_dir)) as pipe:
        assert pipe.models["translation"]["backend"] == "ctranslate2"
        pipe.translate(SENTENCES)
        pipe.summarize("A text. Another sentence.")
        records = list(pipe.process([" ".join(SENTENCES), 5]))
    assert [r.status for r in records] == ["ok", "error"]
    assert (tmp_path / "cache" / "ct2").is_dir()
    captured = capfd.readouterr()
    assert captured.out == ""
    assert "translating" not in captured.err and "%|" not in captured.err


def test_errors_are_arabic_digest_errors_with_the_cli_message(tmp_path: Path,
                                                              marian_dir: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ad.ArabicDigestError, match="no such folder"):
        ad.Pipeline(translation_model=str(missing))
    with pytest.raises(ad.ArabicDigestError) as hub:  # a Hub id, offline: the load fails
        ad.Pipeline(translation_model="nobody/no-such-model", summary=False)
    assert "nobody/no-such-model" in str(hub.value)
    with pytest.raises(ad.ArabicDigestError, match="unknown option 'colour'"):
        ad.Pipeline(colour="red")
    with pytest.raises(ad.ArabicDigestError, match="unknown preset"):
        ad.Pipeline(preset="fastest")
    with pytest.raises(ad.ArabicDigestError, match="beams must be at least 1, not 0"):
        ad.Pipeline(**{**tiny(marian_dir), "beams": 0})
    with pytest.raises(ad.ArabicDigestError, match="segment_tokens must be from 8 to 500"):
        ad.Pipeline(segment_tokens=1000, **tiny(marian_dir))
    with pytest.raises(ad.ArabicDigestError, match="device must be one of"):
        ad.Pipeline(device="tpu", **tiny(marian_dir))
    with pytest.raises(ad.ArabicDigestError, match="no such file"):
        list(ad.load_records(tmp_path / "none.jsonl"))
    (tmp_path / "raw.jsonl").write_text('{"id": "1", "text": "x"}\n', encoding="utf-8")
    with pytest.raises(ad.ArabicDigestError, match="not an arabic-digest output"):
        list(ad.load_records(tmp_path / "raw.jsonl"))
    # The same one line as the CLI prints, for an unreadable input.
    gone = str(tmp_path / "gone.jsonl")
    with pytest.raises(ad.ArabicDigestError) as lib:
        ad.run([gone], output=tmp_path / "o.jsonl", **tiny(marian_dir))
    proc = cli("run", gone, "-o", str(tmp_path / "o.jsonl"), "--translation-model",
               str(marian_dir))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"arabic-digest: error: {lib.value}"
    with pytest.raises(ad.ArabicDigestError):
        list(ad.read_articles(gone))


def test_process_memory_is_flat_over_an_endless_generator(fast_marian: Path) -> None:
    """Over 10x the articles of a batch (4 per batch), what Python holds does not grow with
    the articles read: records, articles and cleaned text are not kept. Each article is about
    12 KB of text, so keeping them would add megabytes."""
    body = " ".join(SENTENCES * 40)

    def endless():
        for n in itertools.count():
            yield {"id": f"a{n}", "text": body}

    batch = 4
    with ad.Pipeline(summary=False, max_pool_articles=batch, **tiny(fast_marian)) as pipe:
        records = pipe.process(endless())
        for _ in range(2 * batch):  # warm: caches, first conversions
            next(records)
        tracemalloc.start()
        try:
            # Both points hold one batch in flight (traced), so only what is kept counts.
            for _ in range(2 * batch):
                next(records)
            base = tracemalloc.get_traced_memory()[0]
            for _ in range(10 * batch):
                rec = next(records)
            grown = tracemalloc.get_traced_memory()[0] - base
        finally:
            tracemalloc.stop()
    assert rec.status == "ok"
    fed = 10 * batch * len(body.encode("utf-8"))
    assert grown < 0.1 * fed, (grown, fed)


def test_run_stops_on_sigint_and_gives_the_handlers_back(tmp_path: Path, shared_data: Path,
                                                         fast_marian: Path) -> None:
    """ad.run installs the CLI's stop-after-this-batch handlers for its own duration only: a
    SIGINT stops it with RunStopped (an ArabicDigestError, not SystemExit or
    KeyboardInterrupt), and the caller's handler is back afterwards."""
    import os
    import signal
    import threading

    before = signal.getsignal(signal.SIGINT)
    out = tmp_path / "day.jsonl"
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(ad.RunStopped) as stopped:
            ad.run(shared_data / "news-articles.jsonl", output=out, max_pool_articles=1,
                   **tiny(fast_marian))
    finally:
        timer.cancel()
    assert isinstance(stopped.value, ad.ArabicDigestError)
    assert stopped.value.exit_code == 130
    assert signal.getsignal(signal.SIGINT) is before
    written = list(ad.load_records(out)) if out.exists() and out.stat().st_size else []
    assert len(written) < 31  # stopped before the end; a rerun resumes
    stats = ad.run(shared_data / "news-articles.jsonl", output=out, **tiny(fast_marian))
    assert stats.resumed == len(written) and stats.processed + stats.resumed == 31
