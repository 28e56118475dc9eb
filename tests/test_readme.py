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


def _table(text: str, heading: str) -> dict[str, list[str]]:
    """The first table after `heading`, by its first cell."""
    lines = text.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| "))
    rows: dict[str, list[str]] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.split("|")[1:-1]]
        rows.setdefault(cells[0], cells[1:])  # the header and the |---| line come first
    return rows


def test_readme_speed_figures_are_those_of_results_md() -> None:
    """The README's speed section quotes benchmarks/RESULTS.md (written by
    `python benchmarks/bench.py`), figure by figure."""
    readme = README.read_text("utf-8").split("## Speed and memory", 1)[1].split("\n## ", 1)[0]
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text("utf-8")
    contenders = [line.split("|")[1:-1] for line in results.splitlines()
                  if line.startswith("| translate |") or line.startswith("| summarize |")]
    x_b0 = {(t.strip(), c.strip()): r[2].strip() for t, c, *r in contenders}
    engine = _table(results, "The engine limit:")  # B4: raw CTranslate2 as an expert calls it
    replay = _table(results, "The replay (B3")
    runs = _table(results, "## Whole run")
    day = _table(results, "### One day of news")
    minutes = re.search(r"whole script: ([\d.]+) min", results).group(1)
    realistic = re.search(r"at realistic lengths \(estimate below\): ([\d.]+)", results).group(1)
    expected = [
        f"{minutes} min",
        f"{x_b0['translate', 'B2']}x translation, {x_b0['summarize', 'B2']}x summarization",
        f"| {engine['translate'][2]}x, outputs equal",
        f"{replay['translate'][4]}x translation, {replay['summarize'][4]}x summarization",
        f"{runs['cached'][5]} MB with models cached; {runs['converts'][5]} MB",
        f"| {runs['cached'][4]} s |",
        f"{runs['cached'][2]} articles/min, against {realistic} estimated",
        ", ".join(f"`{p}` {day[p][2].split(' (')[0]}" for p in ("fast", "default", "best")),
        " / ".join(day[p][3].removesuffix(" min") for p in ("fast", "default", "best")),
    ]
    presets = _table(results, "## Presets")
    for name, row in presets.items():
        if name in ("fast", "default", "best"):
            expected.append(f"| `{name}` |")
            expected.append(f"| {row[2]}, {row[3]} MB | {row[5]}, {row[6]} MB |")
    assert [e for e in expected if e not in readme] == []


@pytest.mark.slow
def test_readme_commands_run(tmp_path: Path, shared_data: Path, fast_marian: Path,
                             bart_dir: Path) -> None:
    # fast_marian: the tiny Marian bounded at 8 tokens; random weights never stop on their own.
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
        proc = cli(*with_tiny_models(argv, fast_marian, bart_dir)[1:], cwd=work)
        assert proc.returncode == 0, (argv, proc.stderr)
    for made in ("news-articles.jsonl", "news-articles.run.json", "news-articles.report.html",
                 "news-articles.digest.md"):
        assert (work / "outputs" / made).is_file(), made


@pytest.mark.slow
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
