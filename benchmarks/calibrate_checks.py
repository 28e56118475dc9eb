"""False-positive rate of the `numbers` and `latin_lost` checks on human translations.

    python benchmarks/calibrate_checks.py [DATA_DIR] [--show]

Every NTREX-128 dev pair (1005 human-translated news sentences, ar -> en) is taken as a correct
translation, so every flag there is a false positive. The Arabic side goes through the
pipeline's line normalisation first (benchmarks/ntrex.py), as in a run. Prints the
count and rate of flagged pairs per check (target: at most 2% each; tests/test_flags.py holds
it); --show also lists the flagged pairs. As a check that the checks still see something,
`caught` is the share of pairs with a number (or Latin token) whose corrupted reference is
flagged: the first number in the English changed (digits shifted by one, "7" -> "8"), or the
first Latin token of the Arabic dropped from the English.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arabic_digest.translate.flags import latin_lost, numbers  # noqa: E402
from arabic_digest.translate.latin import latin_tokens  # noqa: E402

from benchmarks.ntrex import SHARED_DATA, dev_pairs  # noqa: E402

CHECKS = {"numbers": numbers, "latin_lost": latin_lost}


def measure(data: Path) -> dict:
    ar, en = dev_pairs(data)
    result: dict = {"pairs": len(ar)}
    for name, check in CHECKS.items():
        fired = [(i, d) for i, (a, e) in enumerate(zip(ar, en)) if (d := check(a, e))]
        result[name] = {"flagged": len(fired), "rate": round(len(fired) / len(ar), 4),
                        "lines": [i + 1 for i, _ in fired], "details": [d for _, d in fired]}
    result["numbers"]["caught"] = _caught(ar, en, "numbers")
    result["latin_lost"]["caught"] = _caught(ar, en, "latin_lost")
    return result


def _bump(match: re.Match[str]) -> str:
    return "".join(str((int(c) + 1) % 10) if c.isdigit() else c for c in match.group())


def _caught(ar: list[str], en: list[str], name: str) -> dict:
    """Corrupt each clean pair that has something to check and count how often it is flagged."""
    tried = caught = 0
    for a, e in zip(ar, en):
        if CHECKS[name](a, e):
            continue
        if name == "numbers":
            if not re.search(r"\d", a):
                continue
            bad = re.sub(r"\d+(?:[.,]\d+)*", _bump, e, count=1)
        else:
            tokens = latin_tokens(a)
            if not tokens:
                continue
            bad = re.sub(re.escape(tokens[0].text), "", e, flags=re.IGNORECASE)
        tried += 1
        caught += CHECKS[name](a, bad) is not None
    return {"corrupted": tried, "flagged": caught, "rate": round(caught / max(tried, 1), 4)}


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--show"]
    data = Path(args[0]) if args else SHARED_DATA
    result = measure(data)
    if "--show" in sys.argv:
        ar, en = dev_pairs(data, normalized=False)
        for name in CHECKS:
            for line, detail in zip(result[name]["lines"], result[name]["details"]):
                print(f"{name} line {line}: {detail}\n  ar: {ar[line - 1]}\n  en: {en[line - 1]}",
                      file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
