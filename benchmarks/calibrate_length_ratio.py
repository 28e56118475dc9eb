"""Calibrate the `length_ratio` flag on human translations (NTREX-128 dev, ar -> en).

    python benchmarks/calibrate_length_ratio.py [DATA_DIR]

DATA_DIR defaults to ../shared/data. The Arabic side goes through the same line normalisation
as the pipeline (translate.clean.normalize_line), since flags compare cleaned segments with their
translations. Prints the mean, median and the 0.5-99.5 percentile band of English/Arabic
non-space character ratios, the constants in translate/flags.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arabic_digest.translate.cleaning.normalize import normalize_line  # noqa: E402
from arabic_digest.translate.flags import calibrate_length_ratio  # noqa: E402


def read_lines(path: Path) -> list[str]:
    # split("\n"), not splitlines(): the files are line-aligned on \n only.
    return path.read_text(encoding="utf-8").removesuffix("\n").split("\n")


def calibrate(data: Path) -> dict:
    ar = [normalize_line(line) for line in read_lines(data / "ntrex-ar-en-dev.ar")]
    en = read_lines(data / "ntrex-ar-en-dev.en")
    if len(ar) != len(en):
        raise SystemExit(f"not line-aligned: {len(ar)} Arabic vs {len(en)} English lines")
    return calibrate_length_ratio(ar, en)


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "data"
    result = calibrate(data)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                      for k, v in result.items()}, indent=2))


if __name__ == "__main__":
    main()
