"""docs/python.md's code, run as written with the tiny models in place of the presets' Hub
models (as tests/test_readme.py runs the README's commands), so the doc cannot drift."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.test_run import ROOT

DOC = ROOT / "docs" / "python.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def with_tiny_models(code: str) -> str:
    """Every preset=... call also gets the tiny models (TINY, in the block's namespace)."""
    swapped, n = re.subn(r'preset="(fast|default|best)"', r'preset="\1", **TINY', code)
    assert n, f"a recipe that loads no models by preset: {code[:80]!r}"
    return swapped


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_data: Path) -> Path:
    """A folder with day.jsonl (the shared corpus's first articles and a near-copy, so one
    story has two articles)."""
    lines = (shared_data / "news-articles.jsonl").read_text("utf-8").splitlines()[:4]
    copy = json.dumps({**json.loads(lines[0]), "id": "copy"}, ensure_ascii=False)
    (tmp_path / "day.jsonl").write_text("\n".join([*lines, copy]) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_doc_names_every_public_name() -> None:
    import arabic_digest as ad

    text = DOC.read_text("utf-8")
    for name in ad.__all__:
        assert f"`{name}" in text, name


@pytest.mark.parametrize("index", range(len(python_blocks(DOC.read_text("utf-8")))))
def test_python_md_code_runs(index: int, workdir: Path, fast_marian: Path,
                             bart_dir: Path) -> None:
    code = python_blocks(DOC.read_text("utf-8"))[index]
    scope = {"__name__": f"python_md_{index}", "TINY": {
        "translation_model": str(fast_marian), "summarization_model": str(bart_dir),
        "beams": 1}}
    exec(compile(with_tiny_models(code), f"docs/python.md block {index}", "exec"), scope)
    # What each recipe promises, checked on what it left behind.
    if "df[\"en\"]" in code:
        df = scope["df"]
        assert len(df["en"]) == 2 and all(isinstance(t, str) and t for t in df["en"])
    if "Dataset.from_dict" in code:
        ds = scope["ds"]
        assert ds.column_names[-3:] == ["en", "summary", "status"]
        assert all(ds["en"]) and all(ds["summary"]) and ds["status"] == ["ok", "ok"]
    if "groupby(\"story\")" in code:
        stories = scope["stories"]
        assert stories["articles"].tolist()[0] == 2 and stories["articles"].sum() == 5
        assert len(scope["segments"]) > 5
    if "fetch_articles" in code:
        out = [json.loads(line) for line in (workdir / "english.jsonl").open(encoding="utf-8")]
        assert [r["id"] for r in out] == ["n1", "n2"]
        assert out[0]["source"]["meta"]["url"] == "https://example.com/n1"
