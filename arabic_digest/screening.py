"""Screening articles before the models see them: language, duplicate ids."""

from __future__ import annotations

from typing import Any

from .language import NAMES, identify


def check_language(rec: dict[str, Any], cleaned: Any, origin: str) -> bool:
    """Mark the record skipped (and return True) when its cleaned text is not Arabic."""
    text = "\n".join(([cleaned.title] if cleaned.title else []) + cleaned.paragraphs)
    verdict = identify(text)
    rec["clean"]["language"] = {"code": verdict.language, "confidence": verdict.confidence}
    if verdict.arabic:
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
