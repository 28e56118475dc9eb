"""Code inside a line: the v2 hand scanner, the v3 token scorer and Pygments' lexers, compared.

    python benchmarks/code_lexers.py

* v2        -- the scanner of cleaning v2 (translate/inline.py at commit a674641, from git):
               a start token, then balanced brackets and strings.
* v3-hand   -- translate/cleaning/codelex.py: the stretches between Arabic words, scored by a small
               hand-written token table.
* v3-pygments -- the same stretches, scored by Pygments' CssLexer / JavascriptLexer tokens
               (the JSON lexer adds nothing over JavaScript's for scoring).

Positives: tests/codesamples.py (17 CSS/JS/JSON blocks written for the tests) between Arabic
sentences, spaced and glued (68 paragraphs): a hit keeps the prose exactly and takes every
word of the code. Negatives: NTREX-128's 1005 Arabic news sentences, the Latin-in-prose
sentences of tests/codesamples.py and every paragraph of the shared SaudiNewsNet day: any
code span there is a false alarm. Timing: detection alone, ms per article of the shared day.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from arabic_digest.translate.cleaning import codelex  # noqa: E402
from arabic_digest.translate.cleaning.normalize import normalize_line  # noqa: E402

from tests.codesamples import CODE, LATIN_IN_PROSE, PROSE  # noqa: E402
from tests.modelfactory import shared_data_dir  # noqa: E402

V2_COMMIT = "a674641"


def v2_detector():  # type: ignore[no-untyped-def]
    src = subprocess.run(["git", "show", f"{V2_COMMIT}:translate/inline.py"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    import types

    mod = types.ModuleType("inline_v2")
    sys.modules["inline_v2"] = mod  # dataclasses look their module up
    exec(compile(src, "inline_v2.py", "exec"), mod.__dict__)  # noqa: S102 - ours, from git
    return lambda text: [(s.start, s.end) for s in mod.code_spans(text)]


@lru_cache(maxsize=1)
def _lexers():  # type: ignore[no-untyped-def]
    from pygments.lexers import CssLexer, JavascriptLexer

    return CssLexer(), JavascriptLexer()


def pygments_score(piece: str) -> int:
    """Points from Pygments tokens: distinct code token kinds, none if the lexer errs."""
    from pygments.token import Comment, Error, Keyword, Name, Number, Operator, Punctuation

    best = 0
    for lexer in _lexers():
        kinds: set[tuple[str, str]] = set()
        err = 0
        for tok, val in lexer.get_tokens(piece):
            v = val.strip()
            if tok in Error:
                err += len(val)
            elif tok in Keyword and v not in ("in", "of", "and", "or", "not", "only"):
                kinds.add(("kw", v))
            elif tok in Punctuation and v in ("{", "}", ";", "=>"):
                kinds.add(("p", v))
            elif tok in Operator and v in ("=>", "===", "!==", "==", "&&", "||", "=", "+="):
                kinds.add(("op", v))
            elif tok in Comment:
                kinds.add(("comment", ""))
            elif tok in Name.Builtin or tok in Name.Decorator or tok in Name.Variable:
                kinds.add(("name", tok.__repr__()))
            elif tok in Number and re.search(r"(?:px|em|rem|%|vh|vw|pt|ms)$", v):
                kinds.add(("unit", ""))
        if err / max(len(piece), 1) > 0.05:
            continue
        best = max(best, len(kinds))
    return best


def detectors():  # type: ignore[no-untyped-def]
    def hand(text: str) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in codelex.code_spans(text)]

    def pyg(text: str) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in codelex.code_spans(text, pygments_score)]

    return {"v2": v2_detector(), "v3-hand": hand, "v3-pygments": pyg}


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for s, e in sorted(spans):
        out.append(text[pos:s])
        pos = max(pos, e)
    out.append(text[pos:])
    return " ".join(" ".join(out).split())


def positives() -> list[tuple[str, str, str]]:
    """(paragraph, prose it must keep, code) -- normalised as cleaning sees them."""
    out = []
    for k, (_, code) in enumerate(CODE):
        a, b = PROSE[k % len(PROSE)], PROSE[(k + 1) % len(PROSE)]
        for text, keep in ((f"{a} {code} {b}", f"{a} {b}"), (f"{code} {b}", b),
                           (f"{a} {code}", a), (f"{a}{code}{b}", f"{a} {b}")):
            out.append((normalize_line(text), normalize_line(keep), normalize_line(code)))
    return out


def day_paragraphs() -> list[list[str]]:
    with (shared_data_dir() / "saudinewsnet-2015-08-09.jsonl").open(encoding="utf-8") as f:
        return [[normalize_line(p) for p in json.loads(line)["text"].split("\n") if p.strip()]
                for line in f]


def main() -> None:
    pos = positives()
    ntrex = [normalize_line(s) for s in
             (shared_data_dir() / "ntrex-ar-en-dev.ar").read_text("utf-8").splitlines()]
    latin = [normalize_line(f"{PROSE[0]} {s}") for s in LATIN_IN_PROSE]
    day = day_paragraphs()
    print(f"| detector | code paragraphs cleaned exactly (of {len(pos)}) | false alarms: NTREX "
          f"(1005) | Latin in prose ({len(latin)}) | shared day paragraphs "
          f"({sum(map(len, day))}) | ms per article (day) | ms per code paragraph |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, detect in detectors().items():
        exact = 0
        t0 = time.perf_counter()
        for text, keep, _code in pos:
            spans = detect(text)
            exact += _cut(text, spans) == " ".join(keep.split())
        ms_code = (time.perf_counter() - t0) / len(pos) * 1000
        fa_ntrex = sum(bool(detect(s)) for s in ntrex)
        fa_latin = sum(bool(detect(s)) for s in latin)
        t0 = time.perf_counter()
        fa_day = sum(bool(detect(p)) for art in day for p in art)
        ms = (time.perf_counter() - t0) / len(day) * 1000
        print(f"| {name} | {exact} | {fa_ntrex} | {fa_latin} | {fa_day} | {ms:.2f} "
              f"| {ms_code:.2f} |")


if __name__ == "__main__":
    main()
