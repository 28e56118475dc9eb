"""Does the Ray driver's memory grow with the corpus? Peak RSS of `run --engine ray` over the
shared corpus and over a synthetic corpus N times its size (tiny Marian, lead-2 summaries).

    python benchmarks/ray_memory.py [--times 10] [--workdir benchmarks/.work/ray-memory]

Each run is a fresh process; its own peak RSS comes from `os.wait4` (the driver alone: Ray's
workers are other processes). Prints one line per run and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import modelfactory  # noqa: E402


def corpus(path: Path, times: int) -> int:
    """The shared articles `times` over, each copy with its own ids."""
    rows = [json.loads(line) for line in
            (modelfactory.shared_data_dir() / "news-articles.jsonl").open(encoding="utf-8")]
    with path.open("w", encoding="utf-8") as fh:
        for k in range(times):
            for row in rows:
                fh.write(json.dumps({**row, "id": f"{row['id']}#{k}"}, ensure_ascii=False) + "\n")
    return times * len(rows)


def peak_rss_mb(args: list[str]) -> tuple[float, float, int]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "arabic_digest", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"run failed ({proc.returncode}): {err[-2000:]}")
    return usage.ru_maxrss / 1024, time.perf_counter() - start, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--times", type=int, default=10)
    ap.add_argument("--workdir", type=Path, default=ROOT / "benchmarks/.work/ray-memory")
    args = ap.parse_args()
    work = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    marian = modelfactory.build_marian(work / "marian", size="tiny", seed=0)
    gen = json.loads((marian / "generation_config.json").read_text())
    gen["max_length"] = 8  # quick batches: the driver's memory is what is measured
    (marian / "generation_config.json").write_text(json.dumps(gen))
    results = []
    for times in (1, args.times):
        src = work / f"corpus-{times}x.jsonl"
        n = corpus(src, times)
        rss, secs, code = peak_rss_mb([
            "run", str(src), "-o", str(work / f"out-{times}x.jsonl"), "--engine", "ray",
            "--translation-model", str(marian), "--summarization-model", "lead-2",
            "--beams", "1", "--quiet", "--overwrite"])
        results.append(rss)
        print(f"{times:>3}x: {n} articles, driver peak RSS {rss:.0f} MB, {secs:.0f} s, exit {code}")
    print(f"ratio {args.times}x / 1x: {results[1] / results[0]:.3f}")


if __name__ == "__main__":
    main()
