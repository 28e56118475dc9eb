"""NTREX-128 dev (1005 human-translated news sentences, ar -> en) as the calibration scripts
read it: line-aligned on "\\n", the Arabic side normalised as a run normalises it
(translate/cleaning/normalize.py), since flags compare cleaned segments with their translations.
"""

from __future__ import annotations

from pathlib import Path

from arabic_digest.translate.cleaning.normalize import normalize_line

# The default DATA_DIR: ../shared/data beside the repository.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def read_lines(path: Path) -> list[str]:
    # split("\n"), not splitlines(): the files are line-aligned on \n only.
    return path.read_text(encoding="utf-8").removesuffix("\n").split("\n")


def dev_pairs(data: Path, normalized: bool = True) -> tuple[list[str], list[str]]:
    """The Arabic lines (normalised unless `normalized` is False) and their English lines."""
    ar = read_lines(data / "ntrex-ar-en-dev.ar")
    if normalized:
        ar = [normalize_line(line) for line in ar]
    en = read_lines(data / "ntrex-ar-en-dev.en")
    if len(ar) != len(en):
        raise SystemExit(f"not line-aligned: {len(ar)} Arabic vs {len(en)} English lines")
    return ar, en
