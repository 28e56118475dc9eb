"""Articles of outlets the rules were not written from (tests/fixtures/outlets/*.toml).

Each template is rendered `articles` times around real paragraphs of the shared corpus, read at
test time (never copied here). Every rendered article knows its spans, labelled "news" or
"boilerplate", for tests and for benchmarks/clean_quality.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import tomllib
from arabic_digest.translate.cleaning.clean import clean_article
from arabic_digest.translate.cleaning.normalize import normalize_line

from tests.modelfactory import shared_data_dir

FIXTURES = Path(__file__).parent / "fixtures" / "outlets"
POOL_FILE = "saudinewsnet-2015-08-09.jsonl"
_MARK = re.compile(r"⟦(.*?)⟧|⟪(.*?)⟫|\{(p[1-3])\}", re.DOTALL)


@dataclass(frozen=True)
class Span:
    label: str  # "news" or "boilerplate"
    text: str


@dataclass
class FixtureArticle:
    id: str
    outlet: str
    url: str
    title: str
    text: str
    spans: list[Span]

    def row(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "text": self.text, "outlet": self.outlet,
                "url": self.url}


@cache
def paragraph_pool() -> tuple[str, ...]:
    """Real news paragraphs (15-60 words, one sentence or more) that cleaning keeps as they are."""
    pool = []
    with (shared_data_dir() / POOL_FILE).open(encoding="utf-8") as f:
        for line in f:
            for para in json.loads(line)["text"].split("\n"):
                para = para.strip()
                if not 15 <= len(para.split()) <= 60 or not para.endswith("."):
                    continue
                c = clean_article(para)
                if c.paragraphs == [normalize_line(para)] and not c.removed:
                    pool.append(para)
    return tuple(pool)


def templates() -> list[Path]:
    return sorted(FIXTURES.glob("*.toml"))


def render(path: Path, index: int) -> list[FixtureArticle]:
    """The articles of one template; `index` (its place among templates) picks paragraphs."""
    spec = tomllib.loads(path.read_text("utf-8"))
    pool = paragraph_pool()
    out = []
    for i in range(1, spec["articles"] + 1):
        template = spec["template"].strip("\n")
        if "footer" in spec and (i - 1) % spec.get("footer_every", 1) == 0:
            template += "\n\n" + spec["footer"].strip("\n")  # on some articles only
        template = template.replace("{i}", str(i))
        spans: list[Span] = []
        parts: list[str] = []
        pos = 0
        for m in _MARK.finditer(template):
            gap = template[pos:m.start()]
            assert not gap.strip(), f"{path.name}: unmarked text {gap!r}"
            parts.append(gap)
            if m.group(1) is not None:
                spans.append(Span("boilerplate", m.group(1)))
            elif m.group(2) is not None:
                # "⟪a ‖ b ‖ c⟫": news written for the fixture differs between articles, as
                # news does (a sentence verbatim at one end of every article is template)
                variants = [v.strip() for v in m.group(2).split("‖")]
                spans.append(Span("news", variants[(i - 1) % len(variants)]))
            else:
                slot = int(m.group(3)[1])
                n = ((index * 50 + (i - 1) * 3 + slot) * 7) % len(pool)
                spans.append(Span("news", pool[n]))
            parts.append(spans[-1].text)
            pos = m.end()
        assert not template[pos:].strip(), f"{path.name}: unmarked text at the end"
        out.append(FixtureArticle(
            f"{path.stem}-{i}", spec["outlet"], spec["url"].replace("{i}", str(i)),
            spec["title"].replace("{i}", str(i)), "".join(parts), spans))
    return out


def all_articles() -> list[FixtureArticle]:
    return [a for k, path in enumerate(templates()) for a in render(path, k)]


def write_jsonl(path: Path, articles: list[FixtureArticle]) -> Path:
    path.write_text("".join(json.dumps(a.row(), ensure_ascii=False) + "\n" for a in articles),
                    "utf-8")
    return path


# --- judging a cleaned article against its spans ------------------------------------------


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", text) if len(w) > 1]


def judge(article: FixtureArticle, paragraphs: list[str], dateline: str | None) -> dict:
    """Which news spans survived intact, which boilerplate spans left something behind.

    A news span survives when its normalised text stands in a paragraph (or the dateline).
    What is left once the surviving news is taken out is leftover boilerplate: a boilerplate
    span is removed when none of its words is in that leftover.
    """
    kept = "\n".join(paragraphs + ([dateline] if dateline else []))
    news = [s for s in article.spans if s.label == "news"]
    lost = [s.text for s in news if normalize_line(s.text) not in kept]
    leftover = kept
    for s in sorted(news, key=lambda s: -len(s.text)):
        leftover = leftover.replace(normalize_line(s.text), " ")
    left_words = set(_words(leftover))
    left = [s.text for s in article.spans
            if s.label == "boilerplate" and left_words & set(_words(normalize_line(s.text)))]
    return {"news": len(news), "lost": lost,
            "boilerplate": sum(s.label == "boilerplate" for s in article.spans),
            "left": left, "leftover": " ".join(_words(leftover))}
