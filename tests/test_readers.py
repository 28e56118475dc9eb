"""Corpus readers on real files: formats, field detection, bad lines."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from arabic_digest.inputs.readers import Fields, InputError, check_inputs, read_inputs


def _write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_jsonl_fields_detected_and_meta_kept(shared_data: Path) -> None:
    arts = list(read_inputs([str(shared_data / "news-articles.jsonl")]))
    assert len(arts) == 31
    rows = [json.loads(line) for line in (shared_data / "news-articles.jsonl").open()]
    for art, row in zip(arts, rows):
        assert art.id == row["id"] and art.text == row["text"] and art.title == row["title"]
        assert art.meta["outlet"] == row["outlet"] and "text" not in art.meta
        assert art.error is None


def test_txt_title_is_first_line_when_blank_line_follows(shared_data: Path) -> None:
    (art,) = read_inputs([str(shared_data / "seed-article.txt")])
    raw = (shared_data / "seed-article.txt").read_text("utf-8")
    assert art.id == "seed-article" and art.text == raw
    assert art.title == raw.splitlines()[0].strip()


def test_csv_tsv_json_array_and_folder(tmp_path: Path) -> None:
    rows = [{"headline": "عنوان", "body": "نص الخبر.", "id": "a1", "lang": "ar"},
            {"headline": "عنوان ٢", "body": "نص آخر.", "id": "", "lang": "ar"}]
    for name, delim in (("x.csv", ","), ("x.tsv", "\t")):
        with (tmp_path / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delim)
            w.writeheader()
            w.writerows(rows)
    (tmp_path / "x.json").write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
    (tmp_path / "ignored.md").write_text("not an input")
    arts = list(read_inputs([str(tmp_path)]))
    # sorted: x.csv, x.json, x.tsv
    assert [a.id for a in arts] == ["a1", "x.csv:3", "a1", "x.json:2", "a1", "x.tsv:3"]
    assert all(a.title.startswith("عنوان") and a.meta == {"lang": "ar", "encoding": "utf-8"}
               for a in arts)


def test_given_fields_override_detection(tmp_path: Path) -> None:
    p = _write_jsonl(tmp_path / "c.jsonl", [{"doc": "d1", "txt": "نص", "hl": "ع", "text": "x"}])
    (art,) = read_inputs([str(p)], Fields(text="txt", title="hl", id="doc"))
    assert (art.id, art.text, art.title) == ("d1", "نص", "ع")
    assert art.meta == {"text": "x", "encoding": "utf-8"}


def test_bad_lines_become_error_articles_with_line_numbers(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": "ok", "text": "نص"}\n{not json\n\n{"id": "n", "text": 5}\n'
                 '{"id": "m", "title": "t"}\n[1, 2]\n', "utf-8")
    arts = list(read_inputs([str(p)]))
    assert [a.error is None for a in arts] == [True, False, False, False, False]
    assert "bad.jsonl:2" in arts[1].error["message"] and arts[1].error["stage"] == "read"
    assert arts[2].id == "n" and arts[2].error["type"] == "TypeError"
    assert arts[3].id == "m" and arts[3].error["type"] == "KeyError"
    assert arts[4].id == "bad.jsonl:6"


def test_unreadable_inputs_fail_up_front(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        check_inputs([str(tmp_path / "missing.jsonl")])
    (tmp_path / "x.docx").write_bytes(b"PK")
    with pytest.raises(InputError, match="unknown input format"):
        check_inputs([str(tmp_path / "x.docx")])


def test_stdin_is_jsonl(tmp_path: Path) -> None:
    code = ("import sys; from arabic_digest.inputs.readers import read_inputs;"
            "print([a.id for a in read_inputs(['-'])])")
    out = subprocess.run([sys.executable, "-c", code], input='{"id": "s1", "text": "نص"}\n',
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['s1']"
