"""Hostile input, round three (#36): what a hostile user probed, run as a user would (CLI
subprocesses, real HTTP to a real `serve` process), on fixtures written here."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq

from tests.test_archive import COUNCIL, pair_record, write
from tests.test_run import cli

SURROGATE_ID = "sur-\\ud800-x"  # as some scrapers write it: escaped in the JSON


def test_a_lone_surrogate_in_an_id_is_fixed_once_at_the_reader(tmp_path: Path,
                                                              fast_marian: Path) -> None:
    text = "قال الوزير إن الحكومة ستبني مدرسة جديدة في المدينة هذا العام."
    src = tmp_path / "s.jsonl"
    src.write_text(f'{{"id": "{SURROGATE_ID}", "text": "{text}", "outlet": "o\\udc80"}}\n'
                   f'{{"id": "plain", "text": "{text}"}}\n', "utf-8")
    out = tmp_path / "s-out.jsonl"
    proc = cli("run", str(src), "-o", str(out), "--translation-model", str(fast_marian),
               "--no-summary", "--quiet", "--beams", "1")
    assert proc.returncode == 0, proc.stderr  # same text: stories hash the ids
    recs = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in recs] == ["sur-\ufffd-x", "plain"]
    assert recs[0]["source"]["escaped"]["id"] == SURROGATE_ID  # the original, kept escaped
    assert recs[0]["source"]["meta"]["outlet"] == "o\ufffd"
    assert recs[0]["source"]["escaped"]["meta"]["outlet"] == "o\\udc80"
    assert recs[0]["story"]["id"] == recs[1]["story"]["id"]
    db = tmp_path / "a.sqlite"
    proc = cli("index", str(out), "--db", str(db))
    assert proc.returncode == 0 and "2 added" in proc.stderr, proc.stderr
    for to in ("csv", "parquet", "tmx"):
        proc = cli("export", str(db), "--to", to, "-o", str(tmp_path / f"p.{to}"))
        assert proc.returncode == 0, proc.stderr
    with (tmp_path / "p.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert "sur-\ufffd-x" in {row["article"] for row in csv.DictReader(fh)}
    assert "sur-\ufffd-x" in pq.read_table(tmp_path / "p.parquet")["article"].to_pylist()


def test_csv_export_neutralises_formula_cells(tmp_path: Path) -> None:
    rec = pair_record("=cmd|' /C calc'!A0", [("قال الوزير.", "+1 said the minister."),
                                             ("وأضاف.", "-2 he added.")], outlet="@SUM(1+1)")
    out = write(tmp_path / "f.jsonl", [rec])
    proc = cli("export", str(out), "--to", "csv", "-o", str(tmp_path / "f.csv"))
    assert proc.returncode == 0, proc.stderr
    with (tmp_path / "f.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["target"] for r in rows] == ["'+1 said the minister.", "'-2 he added."]
    assert rows[0]["article"] == "'=cmd|' /C calc'!A0" and rows[0]["outlet"] == "'@SUM(1+1)"
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    # For pipelines: as they are.
    proc = cli("export", str(out), "--to", "csv", "-o", str(tmp_path / "raw.csv"),
               "--csv-formulas")
    with (tmp_path / "raw.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert next(csv.DictReader(fh))["outlet"] == "@SUM(1+1)"


TITLE_ESC = "\x1b]0;pwned\x07"  # sets the terminal's title
CLEAR = "\x1b[2J"  # clears the screen
RLO = "\u202e"  # right-to-left override: reorders what follows on the line


def _raw_controls(text: str) -> bool:
    return any(c in text for c in ("\x1b", "\x07", RLO))


def test_run_prints_ids_terminal_safe(tmp_path: Path, fast_marian: Path) -> None:
    src = tmp_path / "t.jsonl"
    rows = [{"id": TITLE_ESC + "a", "body_missing": 1}, {"id": CLEAR + "b" * 5000, "x": 1}]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    proc = cli("run", str(src), "-o", str(tmp_path / "t-out.jsonl"), "--translation-model",
               str(fast_marian), "--no-summary", "--quiet")
    assert proc.returncode == 1, proc.stderr  # two error records
    assert not _raw_controls(proc.stderr) and not _raw_controls(proc.stdout)
    assert "\\x1b]0;pwned\\x07a" in proc.stderr and "\\x1b[2Jbbb" in proc.stderr
    assert "b" * 200 not in proc.stderr and "…" in proc.stderr  # the long id is cut


def test_search_prints_data_terminal_safe(tmp_path: Path) -> None:
    rec = pair_record(TITLE_ESC, COUNCIL, outlet=CLEAR + RLO + "Daily", date="2024-03-01")
    db = tmp_path / "a.sqlite"
    assert cli("index", str(write(tmp_path / "o.jsonl", [rec])), "--db",
               str(db)).returncode == 0
    proc = cli("search", str(db), "council")
    assert proc.returncode == 0, proc.stderr
    assert not _raw_controls(proc.stdout + proc.stderr)
    assert "\\x1b[2J\\u202eDaily" in proc.stdout and "\\x1b]0;pwned\\x07" in proc.stdout
    # An undecodable byte in an argument (a lone surrogate in argv) is one more character.
    proc = cli("search", str(db), "council", "--outlet", "Daily\udcff")
    assert proc.returncode == 0, proc.stderr
    assert "0 articles match" in proc.stderr
