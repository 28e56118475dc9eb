"""Calibrate the `length_ratio` flag on human translations (NTREX-128 dev, ar -> en).

    python benchmarks/calibrate_length_ratio.py [DATA_DIR]

DATA_DIR defaults to ../shared/data. The Arabic side goes through the same line normalisation
as the pipeline (benchmarks/ntrex.py), since flags compare cleaned segments with their
translations. Prints the mean, median and the 0.5-99.5 percentile band of English/Arabic
non-space character ratios, the constants in translate/flags.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arabic_digest.translate.flags import calibrate_length_ratio  # noqa: E402

from benchmarks.ntrex import SHARED_DATA, dev_pairs  # noqa: E402


def calibrate(data: Path) -> dict:
    return calibrate_length_ratio(*dev_pairs(data))


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED_DATA
    result = calibrate(data)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                      for k, v in result.items()}, indent=2))


if __name__ == "__main__":
    main()
