"""Only `arabic_digest` lands at the top of site-packages: the repo's translate/, summarize/
and prompts/ install as arabic_digest.translate, .summarize and .prompts, so a package that is
itself called `translate` (PyPI has a popular one) keeps its name and both work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_holds_only_arabic_digest(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("arabic_digest-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"arabic_digest"}
    for shipped in ("arabic_digest/translate/cleaning/clean.py",
                    "arabic_digest/summarize/chunking.py", "arabic_digest/prompts/news-digest.txt",
                    "arabic_digest/templates/report.html.j2", "arabic_digest/py.typed"):
        assert shipped in names


@pytest.mark.slow
def test_a_package_named_translate_beside_it(tmp_path: Path, shared_data: Path,
                                             marian_dir: Path) -> None:
    # Another distribution's top-level `translate` (as PyPI's `translate` installs one).
    other = tmp_path / "site" / "translate"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("WHO = 'the other translate package'\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": str(tmp_path / "site")}
    who = subprocess.run([sys.executable, "-c", "import translate; print(translate.WHO)"],
                         env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert who.stdout.strip() == "the other translate package"
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "arabic_digest", "run", str(shared_data / "seed-article.txt"),
         "-o", str(out), "--translation-model", str(marian_dir), "--summarization-model",
         "lead-1", "--beams", "1", "--quiet"], env=env, cwd=tmp_path, capture_output=True,
        text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text("utf-8"))["status"] == "ok"
