"""Screening articles before the models see them: language, duplicate ids."""

from __future__ import annotations

from typing import Any

from arabic_digest.inputs.language import NAMES, identify, other_script


def check_language(rec: dict[str, Any], cleaned: Any, origin: str) -> bool:
    """Judge the cleaned text's language; mark the record skipped (True) when it is not Arabic.

    Paragraphs in another script (English, French...) are taken out of clean.paragraphs into
    clean.untranslated with their language; the Arabic-script rest is judged as a whole
    (Arabic, or Persian/Urdu, which Opus-MT ar-en would turn into fluent nonsense).
    """
    paragraphs: list[str] = rec["clean"]["paragraphs"]
    foreign = [i for i, p in enumerate(paragraphs) if other_script(p)]
    arabic = [p for i, p in enumerate(paragraphs) if i not in foreign]
    judged = arabic if arabic else paragraphs
    verdict = identify("\n".join(([cleaned.title] if cleaned.title else []) + judged))
    rec["clean"]["language"] = {"code": verdict.language, "confidence": verdict.confidence}
    if verdict.arabic and arabic:
        if foreign:
            untranslated = []
            for i in foreign:
                v = identify(paragraphs[i])
                untranslated.append({"index": i, "language": v.language,
                                     "confidence": v.confidence, "text": paragraphs[i]})
            rec["clean"]["untranslated"] = untranslated
            rec["clean"]["paragraphs"] = arabic
        return False
    name = NAMES.get(verdict.language or "", verdict.language)
    rec["status"] = "skipped"
    rec["error"] = {"stage": "language", "type": "NotArabic",
                    "message": f"{origin}: the text is {name} ({verdict.language}, confidence "
                               f"{verdict.confidence}), not Arabic; Opus-MT ar-en would "
                               "mistranslate it (--no-language-check to process it anyway)"}
    return True


def dedupe_id(article_id: str, seen: dict[str, Any]) -> str:
    """The first free `ID~2`, `ID~3`... for a repeated id."""
    n = 2
    while f"{article_id}~{n}" in seen:
        n += 1
    return f"{article_id}~{n}"
