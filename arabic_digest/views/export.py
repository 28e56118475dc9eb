"""Aligned sentence pairs out of a run or an archive: TMX 1.4 for CAT tools, Parquet, CSV.

One row per aligned sentence (`translation.segments`) of every record, in order, with the
article's id, run, outlet, date, story and the flags on that sentence. TMX is written with
lxml (streamed, one <tu> at a time), Parquet with pyarrow, CSV with the standard library.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

from arabic_digest.inputs.dates import record_date
from arabic_digest.records import iter_records, replacing

FORMATS = ("tmx", "parquet", "csv")
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Pair:
    run: str  # the run's signature (archive) or the output file's name
    article: str  # record id
    n: int  # index in translation.segments
    paragraph: int | None
    source: str
    target: str
    flagged: bool
    flags: str  # kinds, space-separated
    outlet: str | None
    date: str | None  # ISO 8601 UTC
    story: str | None


def record_pairs(rec: dict[str, Any], run: str) -> Iterator[Pair]:
    tr = rec.get("translation") if isinstance(rec.get("translation"), dict) else {}
    if not tr:
        return
    meta = (rec.get("source") or {}).get("meta") or {}
    story = rec.get("story") if isinstance(rec.get("story"), dict) else {}
    kinds: dict[int, set[str]] = {}
    for f in tr.get("flags") or []:
        if isinstance(f, dict) and isinstance(f.get("segment"), int):
            kinds.setdefault(f["segment"], set()).add(str(f.get("kind") or "flag"))
    dt = record_date(rec)
    segs = [s for s in tr.get("segments") or [] if isinstance(s, dict)]
    for n, seg in enumerate(segs):
        para = seg.get("paragraph")
        yield Pair(run=run, article=str(rec.get("id")), n=n,
                   paragraph=para if isinstance(para, int) else None,
                   source=str(seg.get("source") or ""), target=str(seg.get("target") or ""),
                   flagged=n in kinds, flags=" ".join(sorted(kinds.get(n, ()))),
                   outlet=str(meta.get("outlet") or meta.get("source") or "") or None
                   if isinstance(meta, dict) else None,
                   date=dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None,
                   story=str(story.get("id")) if story.get("id") else None)


def is_archive(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) == SQLITE_MAGIC


def read_pairs(path: Path) -> Iterator[Pair]:
    """The pairs of a run's output (read with records.iter_records) or of an archive."""
    if is_archive(path):
        from arabic_digest.archive import connect, iter_archive_records

        conn = connect(path, readonly=True)
        try:
            for sig, rec in iter_archive_records(conn):
                yield from record_pairs(rec, sig)
        finally:
            conn.close()
    else:
        for rec in iter_records(path):
            yield from record_pairs(rec, path.name)


# XML 1.0 cannot hold C0 controls (but tab, newline, return), lone surrogates or U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text XML can carry: a character it cannot becomes U+FFFD (counted by the caller)."""
    return _NOT_XML.sub("\ufffd", text)


def write_tmx(pairs: Iterable[Pair], out: Path, skip_flagged: bool = False) -> tuple[int, int]:
    """TMX 1.4 of the pairs (srclang ar, English target); returns (written, left out)."""
    from lxml import etree

    written = left_out = 0
    now = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    with etree.xmlfile(str(out), encoding="UTF-8") as xf:
        xf.write_declaration()
        xf.write_doctype('<!DOCTYPE tmx SYSTEM "tmx14.dtd">')
        with xf.element("tmx", version="1.4"):
            xf.write(etree.Element("header", {
                "creationtool": "arabic-digest", "creationtoolversion": version("arabic-digest"),
                "segtype": "sentence", "o-tmf": "arabic-digest JSONL", "adminlang": "en",
                "srclang": "ar", "datatype": "plaintext", "creationdate": now}))
            with xf.element("body"):
                for p in pairs:
                    if skip_flagged and p.flagged or not p.source.strip() \
                            or not p.target.strip():
                        left_out += 1
                        continue
                    tu = etree.Element("tu", tuid=xml_text(f"{p.article}#{p.n}"))
                    for kind, value in (("x-article", p.article), ("x-run", p.run),
                                        ("x-outlet", p.outlet), ("x-date", p.date),
                                        ("x-story", p.story), ("x-flags", p.flags)):
                        if value:
                            etree.SubElement(tu, "prop", type=kind).text = xml_text(value)
                    for lang, text in (("ar", p.source), ("en", p.target)):
                        tuv = etree.SubElement(tu, "tuv", {xml_lang: lang})
                        etree.SubElement(tuv, "seg").text = xml_text(text)
                    xf.write(tu)
                    written += 1
    return written, left_out


COLUMNS = [f for f in Pair.__dataclass_fields__]


def write_parquet(pairs: Iterable[Pair], out: Path, skip_flagged: bool = False,
                  batch: int = 50_000) -> tuple[int, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("run", pa.string()), ("article", pa.string()), ("n", pa.int32()),
                        ("paragraph", pa.int32()), ("source", pa.string()),
                        ("target", pa.string()), ("flagged", pa.bool_()), ("flags", pa.string()),
                        ("outlet", pa.string()), ("date", pa.string()), ("story", pa.string())])
    written = left_out = 0
    rows: list[dict[str, Any]] = []
    with pq.ParquetWriter(str(out), schema, compression="zstd") as writer:
        for p in pairs:
            if skip_flagged and p.flagged:
                left_out += 1
                continue
            rows.append(asdict(p))
            if len(rows) >= batch:
                writer.write_table(pa.Table.from_pylist(rows, schema))
                written += len(rows)
                rows = []
        if rows or not written:
            writer.write_table(pa.Table.from_pylist(rows, schema))
            written += len(rows)
    return written, left_out


# A spreadsheet runs a cell that starts with one of these as a formula (=cmd|' /C calc'!A0,
# @SUM(...)); OWASP's advice is a leading ' so it shows the text instead.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """A text cell a spreadsheet shows as text: `'` before a formula's first character."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def write_csv(pairs: Iterable[Pair], out: Path, skip_flagged: bool = False,
              formulas: bool = False) -> tuple[int, int]:
    """CSV of the pairs; text cells that would start a formula get a leading `'` unless
    `formulas` (for pipelines that read the file as data, not in a spreadsheet)."""
    written = left_out = 0
    # utf-8-sig: spreadsheets (Excel) read the Arabic as UTF-8 only with the BOM.
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        for p in pairs:
            if skip_flagged and p.flagged:
                left_out += 1
                continue
            row = asdict(p)
            writer.writerow(row if formulas else {k: neutralise_formula(v)
                                                  for k, v in row.items()})
            written += 1
    return written, left_out


def export(source: Path, to: str, out: Path | None = None, skip_flagged: bool = False,
           csv_formulas: bool = False) -> tuple[Path, int, int]:
    """Write `source`'s pairs as `to`; returns (file, pairs written, pairs left out).
    `csv_formulas` writes CSV cells that start a formula as they are."""
    if to not in FORMATS:
        raise ValueError(f"--to must be one of {', '.join(FORMATS)}, not {to!r}")
    out = out or source.with_name(f"{source.name.rsplit('.', 1)[0]}.{to}")
    writer = {"tmx": write_tmx, "parquet": write_parquet,
              "csv": partial(write_csv, formulas=csv_formulas)}[to]
    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(out) as tmp:
        written, left_out = writer(read_pairs(source), tmp, skip_flagged)
    return out, written, left_out

