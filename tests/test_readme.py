"""The README's commands, run as written (tiny models in place of the Hub defaults), so the
README cannot drift from the CLI; and its shape: short, install and first run up front."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.test_run import ROOT, cli

README = ROOT / "README.md"
HUB_TRANSLATION = "Helsinki-NLP/opus-mt-ar-en"
HUB_SUMMARIZATION = "sshleifer/distilbart-cnn-12-6"
FIRST_SCREEN = 60  # lines a reader sees before scrolling much


def readme_commands(text: str) -> list[list[str]]:
    """`arabic-digest ...` lines of the ```bash and ```console blocks, as argv lists."""
    commands = []
    for block in re.findall(r"```(?:bash|console)\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():  # join continued lines
            line = line.strip().removeprefix("$ ")
            if line.startswith("arabic-digest "):
                commands.append(shlex.split(line, comments=True))
    return commands


def with_tiny_models(argv: list[str], marian: Path, bart: Path) -> list[str]:
    """The same command on the test models: Hub ids replaced, defaults made explicit."""
    swap = {HUB_TRANSLATION: str(marian), HUB_SUMMARIZATION: str(bart)}
    argv = [swap.get(a, a) for a in argv]
    if argv[1] == "run":
        if "--translation-model" not in argv:
            argv += ["--translation-model", str(marian)]
        if "--summarization-model" not in argv:
            argv += ["--summarization-model", str(bart)]
        argv += ["--beams", "1", "--quiet"]
    return argv


def test_readme_is_short_and_starts_with_what_a_newcomer_needs() -> None:
    text = README.read_text("utf-8")
    lines = text.splitlines()
    assert len(lines) < 300
    first = "\n".join(lines[:FIRST_SCREEN])
    for needed in ("## Install", "pip install", "arabic-digest run", "arabic-digest report",
                   "arabic-digest digest", "docs/report.png"):
        assert needed in first, needed
    # What .ci/run and a contributor rely on.
    assert "python -m pytest" in text and "../shared/data" in text
    for link in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (ROOT / link).exists(), link


def test_readme_commands_run(tmp_path: Path, shared_data: Path, marian_dir: Path,
                             bart_dir: Path) -> None:
    # The README's paths are relative to a checkout with ../shared/data beside it.
    work = tmp_path / "checkout"
    work.mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(shared_data)
    commands = readme_commands(README.read_text("utf-8"))
    assert [c[1] for c in commands][:3] == ["run", "report", "digest"]
    for argv in commands:
        if argv[1] == "models":  # would reach for the Hub
            continue
        proc = cli(*with_tiny_models(argv, marian_dir, bart_dir)[1:], cwd=work)
        assert proc.returncode == 0, (argv, proc.stderr)
    for made in ("news-articles.jsonl", "news-articles.run.json", "news-articles.report.html",
                 "news-articles.digest.md"):
        assert (work / "outputs" / made).is_file(), made


@pytest.mark.parametrize("doc", sorted((ROOT / "docs").glob("*.md")), ids=lambda p: p.name)
def test_docs_commands_name_real_options(doc: Path) -> None:
    """Every --option a docs command line uses exists in that command's help."""
    helps: dict[tuple[str, ...], str] = {}
    for argv in readme_commands(doc.read_text("utf-8")):
        words = [a for a in argv[1:3] if not a.startswith("-") and "/" not in a and "." not in a]
        key = tuple(words[:2] if words[:1] == ["models"] else words[:1])
        if key not in helps:
            helps[key] = cli(*key, "--help", env={"COLUMNS": "200"}).stdout
        for option in (a.split("=")[0] for a in argv if a.startswith("--")):
            assert option in helps[key], (doc.name, key, option)
