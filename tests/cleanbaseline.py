"""Fingerprints of the sentences cleaning keeps, to check a new cleaning version loses none.

`tests/data/clean-v1-sentences.txt` was written by `python -m tests.cleanbaseline` with the v1
rules (commit 88e0881): one line per shared article, `<file> <id> <hash> <hash> ...`, where each
hash is the first 8 hex digits of the SHA-1 of one kept sentence. Hashes, not text: the shared
data is never copied into the repository.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.modelfactory import shared_data_dir

BASELINE = Path(__file__).parent / "data" / "clean-v1-sentences.txt"
FILES = ("news-articles.jsonl", "saudinewsnet-2015-08-09.jsonl", "seed-article.txt")
_SENT_END = re.compile(r"(?<=[.!?؟])\s+")


def sentence_hashes(paragraphs: list[str]) -> list[str]:
    return [hashlib.sha1(s.encode()).hexdigest()[:8]
            for p in paragraphs for s in _SENT_END.split(p) if s.strip()]


def shared_articles() -> Iterator[tuple[str, str, str, str | None]]:
    """(file, id, text, title) of every shared article, in file order."""
    data = shared_data_dir()
    for name in FILES:
        path = data / name
        if name.endswith(".txt"):
            text = path.read_text("utf-8")
            yield name, "seed-article", text, text.split("\n", 1)[0]
            continue
        with path.open(encoding="utf-8") as f:
            for line in f:
                a = json.loads(line)
                yield name, a["id"], a["text"], a.get("title")


def write(clean: Callable[[str, str | None], list[str]]) -> None:
    with BASELINE.open("w", encoding="utf-8") as out:
        for name, aid, text, title in shared_articles():
            out.write(" ".join([name, aid, *sentence_hashes(clean(text, title))]) + "\n")


def read() -> dict[tuple[str, str], list[str]]:
    rows = {}
    for line in BASELINE.read_text("utf-8").splitlines():
        name, aid, *hashes = line.split(" ")
        rows[name, aid] = hashes
    return rows


if __name__ == "__main__":
    from arabic_digest.translate.cleaning.clean import clean_article

    write(lambda text, title: clean_article(text, title).paragraphs)
