"""Real-world inputs: encodings, undecodable bytes, HTML, hostile text (readers + cleaner)."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from arabic_digest.translate.cleaning.clean import clean_article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arabic_digest.inputs.htmltext import html_to_text, looks_like_html
from arabic_digest.inputs.language import identify
from arabic_digest.inputs.readers import ReadOptions, read_inputs
from arabic_digest.pipeline.article import BatchSettings, Prepared, prepare
from arabic_digest.records import dumps

ROOT = Path(__file__).resolve().parents[1]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "cp1256", "iso8859-6"]
BOM = {"utf-8-sig": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}


def corpus(shared_data: Path) -> list[tuple[str, str, str]]:
    rows = [json.loads(line) for line in (shared_data / "news-articles.jsonl").open()]
    seed = (shared_data / "seed-article.txt").read_text("utf-8")
    return [(r["id"], r["title"], r["text"]) for r in rows] + [("seed", "", seed)]


def representable(text: str, encoding: str) -> str:
    """What a file in `encoding` can hold: the single-byte Arabic codepages have no
    Arabic-Indic digits, bidi marks or Persian letters, so real files in them lack them too."""
    return text.encode(encoding, errors="ignore").decode(encoding)


def encode(text: str, encoding: str) -> bytes:
    return BOM.get(encoding, b"") + text.encode(encoding)


def write_all_formats(folder: Path, arts: list[tuple[str, str, str]], encoding: str) -> None:
    folder.mkdir(parents=True)
    jsonl = "".join(json.dumps({"id": i, "title": t, "text": x}, ensure_ascii=False) + "\n"
                    for i, t, x in arts)
    (folder / "a.jsonl").write_bytes(encode(jsonl, encoding))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["id", "title", "text"])
    writer.writerows(arts)
    (folder / "b.csv").write_bytes(encode(buf.getvalue(), encoding))
    for i, _, text in arts:
        (folder / "txt" / f"{i}.txt").parent.mkdir(exist_ok=True)
        (folder / "txt" / f"{i}.txt").write_bytes(encode(text, encoding))


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_reencoded_corpus_cleans_like_the_utf8_original(encoding: str, shared_data: Path,
                                                        tmp_path: Path) -> None:
    arts = [(i, representable(t, encoding), representable(x, encoding))
            for i, t, x in corpus(shared_data)]
    write_all_formats(tmp_path / "utf8", arts, "utf-8")
    write_all_formats(tmp_path / "enc", arts, encoding)
    original = list(read_inputs([str(tmp_path / "utf8")]))
    reencoded = list(read_inputs([str(tmp_path / "enc")]))
    assert len(original) == len(reencoded) == 3 * len(arts)
    expected_name = codecs.lookup(encoding).name if encoding not in BOM else encoding
    for a, b in zip(original, reencoded):
        assert b.error is None, b.error
        assert (a.id, a.title, a.text) == (b.id, b.title, b.text)
        assert b.meta["encoding"] == expected_name
        ca, cb = clean_article(a.text, a.title), clean_article(b.text, b.title)
        assert ca.paragraphs == cb.paragraphs and ca.paragraphs


def test_given_encoding_overrides_detection(tmp_path: Path) -> None:
    text = "قال الوزير إن المحادثات ستستأنف الأسبوع المقبل في القاهرة."
    (tmp_path / "x.txt").write_bytes(text.encode("iso8859-6"))
    (art,) = read_inputs([str(tmp_path / "x.txt")], opts=ReadOptions(encoding="iso-8859-6"))
    assert art.text == text and art.meta["encoding"] == "iso8859-6"
    # Told the wrong codec, the text still reads (cp1256 maps every byte) but differently.
    (wrong,) = read_inputs([str(tmp_path / "x.txt")], opts=ReadOptions(encoding="cp1256"))
    assert wrong.text != text and wrong.meta["encoding"] == "cp1256"


def test_undecodable_bytes_make_only_their_article_an_error(tmp_path: Path) -> None:
    good = [json.dumps({"id": f"g{i}", "text": "نص عربي سليم."}, ensure_ascii=False)
            for i in range(3)]
    lines = [line.encode("utf-8") + b"\n" for line in good]
    lines.insert(1, b'{"id": "bad", "text": "\xd9\x86\xff\xfe"}\n')
    data = b"".join(lines)
    (tmp_path / "m.jsonl").write_bytes(data)
    arts = list(read_inputs([str(tmp_path / "m.jsonl")]))
    assert [a.id for a in arts] == ["g0", "m.jsonl:2", "g1", "g2"]
    err = arts[1].error
    offset = data.index(b"\xff")
    assert err["type"] == "UnicodeDecodeError"
    assert f"byte offset {offset}" in err["message"] and "utf-8" in err["message"]
    assert "m.jsonl" in err["message"]
    # A .txt file with bad bytes: the file is one error record naming the offset.
    (tmp_path / "t.txt").write_bytes("سطر أول\n\n".encode() + b"\xc3\x28 x")
    (art,) = read_inputs([str(tmp_path / "t.txt")])
    assert art.error and f"byte offset {len('سطر أول'.encode()) + 2}" in art.error["message"]
    # A CSV row with bad bytes, among good rows.
    rows = "id,text\na,نص أول\nb,".encode() + b"\xff\xfe" + "\nc,نص ثالث\n".encode()
    (tmp_path / "c.csv").write_bytes(rows)
    arts = list(read_inputs([str(tmp_path / "c.csv")]))
    assert [a.error is None for a in arts] == [True, False, True]
    bad_at = rows.index(b"\xff")
    assert f"byte offset {bad_at}" in arts[1].error["message"]


def test_html_page_and_html_text_field(tmp_path: Path) -> None:
    page = ("<!DOCTYPE html><html><head><title>عنوان الخبر</title><style>p{color:red}</style>"
            "<script>alert('x')</script></head><body><h1>عنوان الخبر</h1><p>الفقرة "
            "الأولى &amp; بقية.</p><div>الفقرة الثانية هنا<br>والثالثة بعدها هنا</div>"
            "</body></html>")
    (tmp_path / "p.html").write_text(page, "utf-8")
    (tmp_path / "f.jsonl").write_text(json.dumps({"id": "h", "text": page}) + "\n", "utf-8")
    for art in read_inputs([str(tmp_path / "p.html"), str(tmp_path / "f.jsonl")]):
        assert art.title == "عنوان الخبر" and art.meta["converted_from"] == "html"
        # the <h1> is the title now (pages.py), no longer repeated as the first paragraph
        assert art.text.split("\n\n") == ["الفقرة الأولى & بقية.", "الفقرة الثانية هنا",
                                          "والثالثة بعدها هنا"]
        assert "alert" not in art.text and "color" not in art.text
    # Text that merely holds an entity or a stray tag is not an HTML document.
    assert not looks_like_html("قال &amp; أكد <b>اليوم</b>")
    assert looks_like_html("<p>نص</p>") and html_to_text("<p>نص</p>") == (None, "نص")


def test_oversize_article_rejected_with_reason(tmp_path: Path) -> None:
    big = "كلمة " * 5000  # 25,000 characters
    (tmp_path / "big.jsonl").write_text(
        json.dumps({"id": "big", "text": big}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "small", "text": "نص قصير."}, ensure_ascii=False) + "\n", "utf-8")
    (tmp_path / "big.txt").write_text(big, "utf-8")
    opts = ReadOptions(max_article_chars=1000)
    arts = list(read_inputs([str(tmp_path / "big.jsonl"), str(tmp_path / "big.txt")],
                            opts=opts))
    assert [a.id for a in arts] == ["big", "small", "big"]
    for a in (arts[0], arts[2]):
        assert a.error["type"] == "ArticleTooLong" and "--max-article-chars 1000" in \
            a.error["message"] and a.text is None
    assert arts[1].error is None
    # Unlimited: the same article reads whole.
    (full, _) = read_inputs([str(tmp_path / "big.jsonl")], opts=ReadOptions(None, None))
    assert full.text == big


def test_language_identification_on_real_text(shared_data: Path) -> None:
    arts = corpus(shared_data)
    assert all(identify(text).language == "ar" for _, _, text in arts)
    english = (shared_data / "ntrex-ar-en-dev.en").read_text("utf-8").splitlines()
    assert identify(" ".join(english[:10])).language == "en"
    assert identify("Le gouvernement a annoncé mardi un nouveau plan pour relancer "
                    "l'économie du pays.").language == "fr"
    assert identify("در این گزارش آمده است که دولت ایران برنامه‌های جدیدی برای اقتصاد "
                    "کشور اعلام کرده است.").language == "fa"
    assert identify("وزیر اعظم نے کہا کہ حکومت ملک کی معیشت کو بہتر بنانے کے لیے نئے "
                    "اقدامات کرے گی۔").language == "ur"
    assert identify("١٢٣ ٤٥٦").language is None  # too little to judge: kept


def test_lone_surrogates_and_controls_through_pipeline_and_writer(tmp_path: Path) -> None:
    line = '{"id": "s", "text": "نص \\ud800 عربي\\u0000\\u0007 هنا\\u000cوهنا"}\n'
    (tmp_path / "s.jsonl").write_text(line, "utf-8")
    (art,) = read_inputs([str(tmp_path / "s.jsonl")])
    # The reader replaces a lone surrogate once (U+FFFD) and keeps the original escaped.
    assert "\ud800" not in art.text and "\ufffd" in art.text
    assert art.escaped == {"text": "نص \\ud800 عربي\x00\x07 هنا\x0cوهنا"}
    rec = prepare(art, None, BatchSettings())
    rec = rec.record if isinstance(rec, Prepared) else rec
    assert rec["clean"]["paragraphs"] == ["نص \ufffd عربي هنا", "وهنا"]
    assert {"kind": "control", "text": "\\u0000\\u0007"} in rec["clean"]["removed"]
    out = dumps(rec)
    out.encode("utf-8")  # the writer's own encoding must not fail
    assert json.loads(out)["source"]["text"] == art.text
    assert json.loads(out)["source"]["escaped"]["text"] == art.escaped["text"]


# --- fuzz ------------------------------------------------------------------------------

SUFFIXES = [".jsonl", ".json", ".csv", ".tsv", ".txt", ".html"]
HOSTILE = st.text(alphabet=st.one_of(
    st.characters(codec=None, exclude_categories=()),  # anything, lone surrogates included
    st.sampled_from("\u200f\u200e\u202b\u202e\u2066\u2069\u061c\ufeff\u0651\u064b\u0300"
                    "\u0640\x00\x1c\u2028\n\r\t\"\\,<>&"),
    st.characters(min_codepoint=0x600, max_codepoint=0x6FF)), max_size=200)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read_all(path: Path) -> list:
    arts = list(read_inputs([str(path)]))
    for art in arts:
        dumps({"id": art.id, "text": art.text, "title": art.title, "meta": art.meta,
               "error": art.error}).encode("utf-8")
    return arts


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_never_crash_a_reader(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"r{suffix}"
    path.write_bytes(data)
    arts = _read_all(path)
    if suffix in (".txt", ".html"):
        assert len(arts) == 1
    if suffix == ".jsonl" and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        # one record per non-blank line
        text_lines = [ln for ln in data.split(b"\n")]
        assert len(arts) <= len(text_lines)


@FUZZ
@given(rows=st.lists(st.one_of(
    st.dictionaries(st.sampled_from(["id", "text", "title", "body", "x"]),
                    st.one_of(HOSTILE, st.integers(), st.none(), st.lists(st.integers()))),
    st.integers(), st.text(max_size=5), st.none()), max_size=8))
def test_random_json_one_record_per_line(tmp_path: Path, rows: list) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")  # ASCII escapes
    arts = _read_all(path)
    assert len(arts) == len(rows)
    for art in arts:
        rec = prepare(art, None, BatchSettings(language_check=True))
        rec = rec.record if isinstance(rec, Prepared) else rec
        assert rec["status"] in ("ok", "error", "skipped")
        dumps(rec).encode("utf-8")


@FUZZ
@given(text=HOSTILE, title=st.one_of(st.none(), HOSTILE))
def test_random_unicode_through_cleaner_and_writer(text: str, title: str | None) -> None:
    from arabic_digest.inputs.readers import Article

    rec = prepare(Article("u", text, title, {}, "u:1"), len, BatchSettings(language_check=True))
    rec = rec.record if isinstance(rec, Prepared) else rec
    assert rec["status"] in ("ok", "skipped")
    assert json.loads(dumps(rec))["source"]["text"] == text


# --- check ------------------------------------------------------------------------------

def check_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "arabic_digest", "check", *args], env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_check_reports_without_a_model(shared_data: Path, tmp_path: Path) -> None:
    ok = check_cli(str(shared_data / "news-articles.jsonl"), str(shared_data / "seed-article.txt"))
    assert ok.returncode == 0, ok.stderr
    assert "31 articles" in ok.stdout and "language: ar (31)" in ok.stdout
    assert "fields: text=text, title=title, id=id" in ok.stdout
    assert "32 articles in 2 files; 0 problems" in ok.stdout

    arabic = corpus(shared_data)[0][2]
    rows = [{"id": "a", "text": representable(arabic, "cp1256")},
            {"id": "a", "text": representable(arabic, "cp1256")},
            {"id": "e", "text": "   "},
            {"id": "en", "text": "The minister said on Tuesday that the talks would resume "
                                 "next week in Cairo."}]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("cp1256")
    (tmp_path / "w.jsonl").write_bytes(data + b"{broken\n")
    bad = check_cli(str(tmp_path / "w.jsonl"), "--json")
    assert bad.returncode == 1, bad.stderr
    (rep,) = json.loads(bad.stdout)
    assert rep["articles"] == 5 and rep["encodings"] == {"cp1256": 4}
    assert rep["problems"] == {"DuplicateId": 1, "EmptyText": 1, "NotArabic": 1,
                               "JSONDecodeError": 1}
    assert rep["languages"] == {"ar": 2, "en": 1}
    missing = check_cli(str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
