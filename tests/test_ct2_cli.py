"""`run --backend ...` and `models ...` through the CLI, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_ct2 import no_normalize_before
from tests.test_run import cli, records


def _manifest(out: Path) -> dict:
    return json.loads(out.with_name(out.stem + ".run.json").read_text("utf-8"))


@pytest.mark.slow
def test_run_on_ctranslate2_then_starts_from_the_cache(
        tmp_path: Path, shared_data: Path, fast_marian: Path, bart_dir: Path) -> None:
    out = tmp_path / "ct2.jsonl"
    cache = tmp_path / "cache"
    args = ["run", str(shared_data / "news-articles.jsonl"), "-o", str(out), "--limit", "2",
            "--beams", "1", "--translation-model", str(fast_marian),
            "--summarization-model", str(bart_dir),
            "--backend", "ctranslate2", "--overwrite"]
    proc = cli(*args, env={"ARABIC_DIGEST_CACHE": str(cache)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("converting") == 2  # both models, once
    recs = records(out)
    assert len(recs) == 2 and all(r["status"] == "ok" for r in recs)
    for rec in recs:
        tr = rec["translation"]
        assert len(tr["paragraphs"]) == len(rec["clean"]["paragraphs"])
        assert all(s["target"] for s in tr["segments"]) and rec["summary"]["text"]
    m = _manifest(out)["models"]
    for role in ("translation", "summarization"):
        assert m[role]["backend"] == "ctranslate2" and m[role]["compute_type"] == "int8"
        assert Path(m[role]["converted"]).is_relative_to(cache)
        assert m[role]["revision"].startswith("local-")
    # Second run: converted models come from the cache; same records.
    again = cli(*args, env={"ARABIC_DIGEST_CACHE": str(cache)})
    assert again.returncode == 0, again.stderr
    assert "converting" not in again.stderr
    strip = [{k: v for k, v in r.items() if k != "timing_s"} for r in records(out)]
    assert strip == [{k: v for k, v in r.items() if k != "timing_s"} for r in recs]


@pytest.mark.slow
def test_auto_falls_back_to_transformers_and_says_so(
        tmp_path: Path, shared_data: Path, marian_dir: Path, bart_dir: Path) -> None:
    bart5 = no_normalize_before(bart_dir, tmp_path / "bart5")
    out = tmp_path / "auto.jsonl"
    base = ["run", str(shared_data / "seed-article.txt"), "-o", str(out), "--beams", "1",
            "--translation-model", str(marian_dir), "--summarization-model", str(bart5),
            "--quiet"]
    proc = cli(*base)  # --backend auto is the default
    assert proc.returncode == 0, proc.stderr
    assert "cannot convert" in proc.stderr and "using the transformers backend" in proc.stderr
    m = _manifest(out)["models"]
    assert m["translation"]["backend"] == "ctranslate2"
    assert m["summarization"]["backend"] == "transformers"
    assert "normalize_before" in m["summarization"]["backend_fallback"]
    assert "backend_fallback" not in m["translation"]
    assert records(out)[0]["summary"]["text"]
    # Asked for CTranslate2 explicitly: an error, not a silent fallback.
    strict = cli(*base, "--backend", "ctranslate2", "--overwrite")
    assert strict.returncode == 2 and "cannot convert" in strict.stderr
    assert "Traceback" not in strict.stderr
    # The transformers backend never converts.
    plain = cli(*base, "--backend", "transformers", "--overwrite", "--no-summary",
                env={"ARABIC_DIGEST_CACHE": str(tmp_path / "unused")})
    assert plain.returncode == 0, plain.stderr
    assert not (tmp_path / "unused").exists()
    assert _manifest(out)["models"]["translation"]["backend"] == "transformers"


@pytest.mark.slow
def test_models_convert_and_list(tmp_path: Path, marian_dir: Path) -> None:
    env = {"ARABIC_DIGEST_CACHE": str(tmp_path / "cache"), "HF_HOME": str(tmp_path / "hf")}
    proc = cli("models", "convert", str(marian_dir), "--quantization", "float32", env=env)
    assert proc.returncode == 0, proc.stderr
    name, quant, state, _size, path = proc.stdout.strip().split("\t")
    assert (name, quant, state) == (str(marian_dir), "float32", "converted")
    assert (Path(path) / "model.bin").is_file()
    again = cli("models", "convert", str(marian_dir), "--quantization", "float32", env=env)
    assert again.stdout.split("\t")[2] == "cached"
    listing = cli("models", "list", env=env)
    assert listing.returncode == 0, listing.stderr
    assert f"{marian_dir}\tfloat32" in listing.stdout and path in listing.stdout
    assert "downloaded (Hugging Face cache):\n  (none)" in listing.stdout


def test_models_download_offline_names_the_model(tmp_path: Path) -> None:
    proc = cli("models", "download", "Helsinki-NLP/opus-mt-ar-en",
               env={"HF_HOME": str(tmp_path / "hf")})
    assert proc.returncode == 2
    assert "could not download 'Helsinki-NLP/opus-mt-ar-en'" in proc.stderr
    assert "Traceback" not in proc.stderr
