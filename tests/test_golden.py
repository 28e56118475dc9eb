"""Behaviour kept across refactors: the records of one tiny-model run over a mixed input
(JSONL rows, a bad line, a repeated id, a text file, two saved pages, a gzip stream) equal the
records committed in tests/golden/, but for timings and the machine's paths.

Regenerate (only when a change of behaviour is meant, and say so in the commit):
``ARABIC_DIGEST_GOLDEN_WRITE=1 python -m pytest tests/test_golden.py -n 0``."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from tests import pagefixtures
from tests.test_run import cli

GOLDEN = Path(__file__).parent / "golden"


def _inputs(folder: Path, shared: Path) -> list[Path]:
    rows = (shared / "news-articles.jsonl").read_text("utf-8").splitlines()
    (folder / "news.jsonl").write_text(
        "\n".join(rows[:4] + ['{"id": "broken", "text": ', rows[1]]) + "\n", "utf-8")
    (folder / "more.jsonl.gz").write_bytes(gzip.compress((rows[5] + "\n").encode()))
    (folder / "seed.txt").write_text((shared / "seed-article.txt").read_text("utf-8"), "utf-8")
    pages = folder / "pages"
    pages.mkdir()
    for page in pagefixtures.evaluation_set(per_style=1)[:3]:  # three styles are enough
        (pages / f"{page.name}.html").write_bytes(page.data)
    return [folder / "news.jsonl", folder / "more.jsonl.gz", folder / "seed.txt", pages]


_VARYING = {"timing_s"}


def _stable(value: object, root: str, model: str) -> object:
    """Timings dropped, the temporary folders named by placeholders."""
    if isinstance(value, dict):
        return {k: _stable(v, root, model) for k, v in value.items()
                if k not in _VARYING}
    if isinstance(value, list):
        return [_stable(v, root, model) for v in value]
    if isinstance(value, str):
        return value.replace(root, "<tmp>").replace(model, "<marian>")
    return value


def test_records_equal_the_committed_golden_run(tmp_path: Path, shared_data: Path,
                                               marian_dir: Path) -> None:
    inputs = _inputs(tmp_path, shared_data)
    out = tmp_path / "out.jsonl"
    proc = cli("run", *map(str, inputs), "-o", str(out), "--translation-model", str(marian_dir),
               "--summarization-model", "lead-3", "--beams", "1", "--quiet")
    assert proc.returncode == 1, proc.stderr  # two error records: the bad line, the repeated id
    got = [_stable(json.loads(line), str(tmp_path), str(marian_dir))
           for line in out.read_text("utf-8").splitlines()]
    golden = GOLDEN / "records.jsonl"
    if os.environ.get("ARABIC_DIGEST_GOLDEN_WRITE"):
        golden.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"
                                  for r in got), "utf-8")
    want = [json.loads(line) for line in golden.read_text("utf-8").splitlines()]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g == w, g.get("id")
