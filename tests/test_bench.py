"""The benchmark script's --quick mode runs end to end on tiny models, so it cannot rot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_writes_the_table(tmp_path: Path, shared_data: Path) -> None:
    results = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--workdir",
         str(tmp_path / "work"), "--results", str(results), "--paragraphs", "3",
         "--articles", "1", "--run-articles", "1"],
        env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = results.read_text("utf-8")
    assert text == proc.stdout
    rows = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| ")]
    bench = [[c.strip() for c in r] for r in rows if r[0].strip() in ("translate", "summarize")]
    assert [(r[0], r[1]) for r in bench] == [(t, c) for t in ("translate", "summarize")
                                             for c in ("B0", "B1", "B2")]
    for r in bench:
        assert float(r[2]) > 0 and float(r[5]) > 0  # tokens/s, peak RSS
    assert all(r[4] == "1.00" for r in bench if r[1] == "B0")  # ratios are against B0
    runs = [[c.strip() for c in r] for r in rows if r[0].strip() in ("on", "off")]
    assert [r[0] for r in runs] == ["on", "off"] and all(r[1] == "1" for r in runs)
    assert "AMD" in text or "Intel" in text or "cores" in text
