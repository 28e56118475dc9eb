"""`arabic-digest export` (#23): TMX 1.4 valid against its DTD, Parquet read back in pandas
with the same rows, CSV, flagged pairs left out on request, from a run or from an archive."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from arabic_digest import archive
from arabic_digest.views.export import export, read_pairs
from tests.reportdata import corpus
from tests.test_archive import COUNCIL, ELECTION, MINISTRY, pair_record, write
from tests.test_run import cli

DTD = Path(__file__).parent / "fixtures" / "tmx14.dtd"


@pytest.fixture()
def run(tmp_path: Path) -> Path:
    records = corpus()[:-1]  # hostile text, an error, a skipped record, flags
    records += [pair_record("c-1", COUNCIL, date="2024-03-01 09:00:00", story="s-1"),
                pair_record("m-1", MINISTRY, flags=[{"kind": "numbers", "segment": 1}]),
                pair_record("e-1", ELECTION)]
    # Characters XML 1.0 cannot hold, as scraped text can carry them.
    records[-1]["translation"]["segments"][0]["target"] = "Municipal\x0b elections\x1c held."
    return write(tmp_path / "day.jsonl", records)


def expected_pairs(path: Path) -> list[tuple[str, int, str, str]]:
    from arabic_digest.records import iter_records

    return [(r["id"], n, s["source"], s["target"]) for r in iter_records(path)
            for n, s in enumerate((r.get("translation") or {}).get("segments") or [])]


def test_tmx_is_valid_tmx_1_4(run: Path, tmp_path: Path) -> None:
    out, written, left_out = export(run, "tmx", tmp_path / "day.tmx")
    want = expected_pairs(run)
    assert written == len(want) and left_out == 0
    tree = etree.parse(str(out))
    dtd = etree.DTD(str(DTD))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    assert tree.docinfo.doctype == '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
    header = tree.find("header")
    assert header.get("srclang") == "ar" and header.get("segtype") == "sentence"
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    units = tree.findall("body/tu")
    got = [(tu.findtext("prop[@type='x-article']"), int(tu.get("tuid").rsplit("#", 1)[1]),
            tu.findtext(f"tuv[@{lang}='ar']/seg"), tu.findtext(f"tuv[@{lang}='en']/seg"))
           for tu in units]
    # Every pair, the markup in the hostile record as text; what XML cannot hold is U+FFFD.
    assert got == [(a, n, s, t.replace("\x0b", "\ufffd").replace("\x1c", "\ufffd"))
                   for a, n, s, t in want]
    assert any("<script>" in (seg or "") for _, _, seg, _ in got)
    flagged = [tu for tu in units if tu.findtext("prop[@type='x-flags']")]
    assert [tu.findtext("prop[@type='x-flags']") for tu in flagged] == \
        ["repetition", "rep<script>window.__pwned=1</script>", "numbers"]


def test_tmx_leaves_flagged_pairs_out_on_request(run: Path, tmp_path: Path) -> None:
    _, written, left_out = export(run, "tmx", tmp_path / "ok.tmx", skip_flagged=True)
    assert left_out == 3 and written == len(expected_pairs(run)) - 3
    tree = etree.parse(str(tmp_path / "ok.tmx"))
    assert etree.DTD(str(DTD)).validate(tree)
    assert not tree.findall("body/tu/prop[@type='x-flags']")


def test_parquet_reads_back_in_pandas_with_the_same_rows(run: Path, tmp_path: Path) -> None:
    out, written, _ = export(run, "parquet", tmp_path / "day.parquet")
    frame = pd.read_parquet(out)
    want = expected_pairs(run)
    assert len(frame) == written == len(want)
    assert list(zip(frame["article"], frame["n"], frame["source"], frame["target"])) == want
    assert frame.loc[frame["article"] == "m-1", "flagged"].tolist() == [False, True]
    assert frame.loc[frame["article"] == "c-1", "story"].tolist() == ["s-1", "s-1"]
    assert frame.loc[frame["article"] == "c-1", "date"].tolist() == ["2024-03-01T09:00:00Z"] * 2


def test_csv_and_the_archive_give_the_same_pairs(run: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    archive.index_outputs(db, [run])
    from_run = [(p.article, p.n, p.source, p.target) for p in read_pairs(run)]
    from_db = [(p.article, p.n, p.source, p.target) for p in read_pairs(db)]
    assert from_db == from_run == expected_pairs(run)
    out, written, _ = export(db, "csv", tmp_path / "day.csv")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == written == len(from_run)
    assert [(r["article"], int(r["n"]), r["source"], r["target"]) for r in rows] == from_run


def test_cli_export(run: Path, tmp_path: Path) -> None:
    proc = cli("export", str(run), "--to", "tmx", "--skip-flagged")
    assert proc.returncode == 0, proc.stderr
    assert f"(3 flagged or empty left out) -> {run.with_suffix('.tmx')}" in proc.stderr
    proc = cli("export", str(run), "--to", "xml")
    assert proc.returncode == 2
    proc = cli("export", str(tmp_path / "none.jsonl"), "--to", "csv")
    assert proc.returncode == 2 and "no such file" in proc.stderr
