"""Records for the report and digest tests, built the way the pipeline builds them.

Hostile text goes everywhere a record carries text, so a single missed escape shows up.
"""

from __future__ import annotations

import copy
from typing import Any

INJECT = '<script>window.__pwned=1</script>'
IMG = '<img src=x onerror="window.__pwned=2">'
ATTR = '" onmouseover="window.__pwned=3" x="'


def ok_record(id_: str, sentences: list[list[str]], *, title: str = "عنوان الخبر",
              summary: str | None = "An English summary.", date: str | None = None,
              flags: list[dict[str, Any]] | None = None,
              scores: list[float] | None = None) -> dict[str, Any]:
    """An ok record whose paragraphs are `sentences` (Arabic) joined by spaces; the English
    of sentence j of paragraph i is `EN i.j`."""
    paragraphs = [" ".join(p) for p in sentences]
    segments = []
    for i, para in enumerate(sentences):
        for j, sent in enumerate(para):
            segments.append({"paragraph": i, "source": sent, "target": f"EN {i}.{j}.",
                             "split": False})
    if scores is not None:
        for seg, score in zip(segments, scores):
            seg["score"] = score
    return {
        "schema_version": 1, "id": id_, "status": "ok", "error": None,
        "source": {"title": title, "text": "\n\n".join(paragraphs),
                   "meta": {"outlet": "Outlet", **({"date": date} if date else {})}},
        "clean": {"title": title, "dateline": "(سبوتنيك - 13 أبريل 2021)",
                  "paragraphs": paragraphs,
                  "removed": [{"kind": "read_also", "text": "اقرأ أيضا: خبر آخر"}],
                  "signature": "clean:v1"},
        "translation": {
            "title": f"Title of {id_}",
            "paragraphs": [" ".join(f"EN {i}.{j}." for j in range(len(p)))
                           for i, p in enumerate(sentences)],
            "segments": segments,
            "flags": flags or [],
        },
        "summary": None if summary is None else {"text": summary, "prompt": None},
        "models": {"translation": "tiny-marian", "summarization": "tiny-bart"},
        "timing_s": {},
    }


def error_record(id_: str, message: str = "line 7: not valid JSON") -> dict[str, Any]:
    return {"schema_version": 1, "id": id_, "status": "error",
            "error": {"stage": "read", "type": "JSONDecodeError", "message": message},
            "source": {"title": None, "text": None, "meta": {}}, "clean": None,
            "translation": None, "summary": None, "models": {}, "timing_s": {}}


def skipped_record(id_: str) -> dict[str, Any]:
    return {"schema_version": 1, "id": id_, "status": "skipped",
            "error": {"stage": "clean", "type": "EmptyArticle",
                      "message": "x.txt: no text left after cleaning"},
            "source": {"title": "فارغ", "text": "(يتبع)", "meta": {}},
            "clean": {"title": "فارغ", "dateline": None, "paragraphs": [],
                      "removed": [{"kind": "marker", "text": "(يتبع)"}], "signature": "v1"},
            "translation": None, "summary": None, "models": {}, "timing_s": {}}


def hostile_record() -> dict[str, Any]:
    """Markup in every text field: id, titles, sentences, removed text, summary, flags, meta."""
    rec = ok_record(
        f"evil{INJECT}{ATTR}",
        [[f"قال {INJECT} المتحدث.", f"ثم {IMG} غادر."], [f"فقرة {ATTR} ثانية."]],
        title=f"عنوان {INJECT}", summary=f"Summary {INJECT} {IMG}",
        flags=[{"kind": f"rep{INJECT}", "segment": 0, "detail": ATTR}],
    )
    rec["translation"]["title"] = f"Title {INJECT}"
    rec["translation"]["segments"][1]["target"] = f"EN {IMG}"
    rec["translation"]["paragraphs"][0] = f"EN 0.0. EN {IMG}"
    rec["clean"]["removed"].append({"kind": ATTR, "text": INJECT})
    rec["clean"]["dateline"] = IMG
    rec["source"]["meta"]["outlet"] = INJECT
    return rec


def corpus() -> list[dict[str, Any]]:
    """A small run's output: ok articles (one flagged and scored), an error, a skipped one,
    a hostile one, and two records with the same awkward id."""
    records = [
        ok_record("a-1", [["الجملة الأولى.", "الجملة الثانية."], ["فقرة ثانية."]],
                  date="Wed, 02 May 2018 18:01:55 GMT",
                  scores=[-0.2, -2.5, -0.9],
                  flags=[{"kind": "repetition", "segment": 1, "ngram": "the the"},
                         {"kind": "untranslated", "segment": None, "title": True}]),
        error_record("broken:7"),
        ok_record("b 2/خبر", [["جملة واحدة فقط."]], date="2015-08-04 18:09:28",
                  scores=[-0.1]),
        skipped_record("empty"),
        hostile_record(),
        ok_record("dup", [["نص."]], summary=None),
    ]
    records.append(copy.deepcopy(records[-1]))
    return records
