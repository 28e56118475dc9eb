"""Does the Ray driver's memory grow with the corpus? Peak RSS of `run --engine ray` over the
shared corpus and over a synthetic corpus N times its size (tiny Marian, lead-2 summaries).

    python benchmarks/ray_memory.py [--times 10] [--workdir benchmarks/.work/ray-memory]

Each run is a fresh process; its own peak RSS is its VmHWM (the high-water mark since its
exec, read from /proc while it runs: `wait4`'s ru_maxrss would carry this script's own peak
over fork and exec). Ray's workers are other processes. Prints one line per run and the ratio.
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

from benchmarks.bench import peak_rss_mb  # noqa: E402
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


def status_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_measured(args: list[str]) -> tuple[float, float, float, int]:
    """(peak RSS, peak private anonymous memory, seconds, exit code) of one run."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "arabic_digest", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = anon = 0.0
    while True:
        pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, peak_rss_mb(proc.pid))  # it only grows; read until the end
        # RSS also counts the pages of Ray's shared-memory object store that the driver has
        # touched; RssAnon is the driver's own (private) memory, sampled.
        anon = max(anon, status_mb(proc.pid, "RssAnon"))
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"run failed ({proc.returncode}): {err[-2000:]}")
    return peak, anon, time.perf_counter() - start, proc.returncode


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
        rss, anon, secs, code = run_measured([
            "run", str(src), "-o", str(work / f"out-{times}x.jsonl"), "--engine", "ray",
            "--translation-model", str(marian), "--summarization-model", "lead-2",
            "--beams", "1", "--quiet", "--overwrite"])
        results.append((rss, anon))
        print(f"{times:>3}x: {n} articles, driver peak RSS {rss:.0f} MB, peak private "
              f"(RssAnon) {anon:.0f} MB, {secs:.0f} s, exit {code}")
    print(f"ratio {args.times}x / 1x: RSS {results[1][0] / results[0][0]:.3f}, "
          f"private {results[1][1] / results[0][1]:.3f}")


if __name__ == "__main__":
    main()
