"""Screening articles before the models see them: language, duplicate ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from arabic_digest.inputs.language import NAMES, identify, other_script


@dataclass(frozen=True)
class LanguageVerdict:
    """What the language check says of an article's cleaned paragraphs."""

    code: str | None
    confidence: float
    paragraphs: list[str]  # what is left to translate
    untranslated: list[dict[str, Any]] = field(default_factory=list)  # set apart, by index
    skip: dict[str, Any] | None = None  # the record's error when the article is not Arabic

    def language(self) -> dict[str, Any]:
        return {"code": self.code, "confidence": self.confidence}


def judge_language(paragraphs: list[str], title: str | None, origin: str) -> LanguageVerdict:
    """Judge the cleaned text's language (run and check both ask here).

    Paragraphs in another script (English, French...) are set apart (`untranslated`, with
    their language); the Arabic-script rest is judged as a whole (Arabic, or Persian/Urdu,
    which Opus-MT ar-en would turn into fluent nonsense); not Arabic: `skip` says why.
    """
    foreign = [i for i, p in enumerate(paragraphs) if other_script(p)]
    arabic = [p for i, p in enumerate(paragraphs) if i not in foreign]
    judged = arabic if arabic else paragraphs
    verdict = identify("\n".join(([title] if title else []) + judged))
    if verdict.arabic and arabic:
        untranslated = []
        for i in foreign:
            v = identify(paragraphs[i])
            untranslated.append({"index": i, "language": v.language,
                                 "confidence": v.confidence, "text": paragraphs[i]})
        return LanguageVerdict(verdict.language, verdict.confidence, arabic, untranslated)
    name = NAMES.get(verdict.language or "", verdict.language)
    skip = {"stage": "language", "type": "NotArabic",
            "message": f"{origin}: the text is {name} ({verdict.language}, confidence "
                       f"{verdict.confidence}), not Arabic; Opus-MT ar-en would "
                       "mistranslate it (--no-language-check to process it anyway)"}
    return LanguageVerdict(verdict.language, verdict.confidence, paragraphs, skip=skip)


def dedupe_id(article_id: str, seen: dict[str, Any]) -> str:
    """The first free `ID~2`, `ID~3`... for a repeated id."""
    n = 2
    while f"{article_id}~{n}" in seen:
        n += 1
    return f"{article_id}~{n}"
