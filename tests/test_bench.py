"""The benchmark scripts run end to end on tiny models (--quick, gpu.sh --dry-run), so they
cannot rot, and their reports hold the rows RESULTS.md is read for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def _rows(text: str, first: tuple[str, ...]) -> list[list[str]]:
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in text.splitlines()
            if line.startswith("| ")]
    return [r for r in rows if r[0] in first]


def _section(text: str, title: str) -> str:
    return text.split(title, 1)[1].split("\n## ", 1)[0]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workdir for both scripts: the tiny models are built and converted once."""
    return tmp_path_factory.mktemp("bench-work")


@pytest.mark.slow
def test_quick_benchmark_writes_every_table(tmp_path: Path, shared_data: Path,
                                            workdir: Path) -> None:
    results = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--in-process",
         "--workdir", str(workdir), "--results", str(results), "--paragraphs", "2"],
        env=ENV, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = results.read_text("utf-8")
    assert text == proc.stdout
    contenders = _section(text, "## Contenders")
    bench = _rows(contenders, ("translate", "summarize"))
    order = [("translate", c) for c in ("B0", "B1", "B2", "B3", "B4")] + [
        ("summarize", c) for c in ("B0", "B1", "B2", "B3")]
    assert [(r[0], r[1]) for r in bench[:9]] == order
    for r in bench[:9]:
        assert float(r[2]) > 0 and float(r[5]) > 0  # tokens/s, the contender's own peak RSS
    assert all(r[4] == "1.00" for r in bench if r[1] == "B0")  # ratios are against B0
    # B4, raw CTranslate2 as an expert calls it, gave the tool's outputs; then B3 replayed the
    # tool's engine calls (no score_batch call: scores come with the search) and got the same
    limit, *replay = bench[9:]
    assert limit[0] == "translate" and float(limit[3]) > 0 and limit[4] == "yes"
    assert [r[0] for r in replay] == ["translate", "summarize"]
    assert all(int(r[1]) >= 1 and float(r[5]) > 0 and r[6] == "yes" for r in replay)
    assert replay[0][2] == "0"
    budgets = _rows(_section(text, "## Memory"), ("8192", "2048"))
    assert len(budgets) == 2 and all(float(r[2]) > 0 for r in budgets)
    runs = _rows(_section(text, "## Whole run"), ("converts", "cached"))
    assert [r[0] for r in runs] == ["converts", "cached"] and all(r[1] == "1" for r in runs)
    assert "at realistic lengths" in text
    day = _rows(_section(text, "### One day of news"), ("fast", "default", "best"))
    assert [r[0] for r in day] == ["fast", "default", "best"]
    assert "893 articles" in text
    presets = _rows(_section(text, "## Presets"), ("fast", "default", "best"))
    assert [(r[0], r[2]) for r in presets] == [("fast", "1"), ("default", "4"), ("best", "4")]
    assert all(float(r[3]) > 0 and float(r[6]) > 0 for r in presets)
    assert "cores" in text
    # --engine-limit: the translation rows alone, quickly
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--engine-limit",
         "--in-process", "--workdir", str(workdir), "--paragraphs", "1"],
        env=ENV, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = _rows(proc.stdout, ("translate",))
    assert len(rows) == 2 and rows[0][4] == "yes" and rows[1][6] == "yes"


@pytest.mark.slow
def test_gpu_script_dry_run_on_cpu(tmp_path: Path, shared_data: Path, workdir: Path) -> None:
    results = tmp_path / "RESULTS-gpu.md"
    # gpu.sh runs `python`: this interpreter's, even when its venv is not activated
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    proc = subprocess.run(["bash", str(ROOT / "benchmarks" / "gpu.sh"), "--dry-run",
                           str(results), "--workdir", str(workdir), "--paragraphs", "2",
                           "--in-process"],
                          env={**ENV, "PATH": path}, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = results.read_text("utf-8")
    rows = _rows(text, ("translate", "summarize"))
    assert [(r[0], r[1]) for r in rows] == [(t, c) for t in ("translate", "summarize")
                                            for c in ("B0", "B2", "B2")]
    assert [r[2] for r in rows if r[1] == "B2"] == ["float32 (for float16)",
                                                    "int8_float32 (for int8_float16)"] * 2
    assert "CPU (dry run)" in text and "Whole `arabic-digest run --device cpu`" in text


def test_search_worst_case_benchmark_runs_tiny(tmp_path: Path) -> None:
    """benchmarks/search_worst.py at a tiny size: every hostile query answers, under its limit."""
    rows = tmp_path / "rows.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "search_worst.py"), "--words", "2000",
         "--articles", "30", "--repeat", "1", "--limit", "30", "--json", str(rows)],
        env={**ENV, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "slowest query" in proc.stdout
    got = json.loads(rows.read_text("utf-8"))
    assert len(got) > 10 and {r["status"] for r in got} == {200}
