"""`arabic-digest eval`: score translations and summaries against references.

Every number comes from a library: BLEU, chrF and TER from sacreBLEU (with its signatures),
ROUGE-1/2/L from Google's `rouge-score`. This module only lines texts up, calls them, and
writes a table and a JSON file that two runs can be compared with.

Two ways in:
- an output file of `arabic-digest run`, with references in `source.meta` (`--reference-field`
  for translations, `--summary-reference-field` for summaries);
- a pair of line-aligned files (`--source`, `--reference`): the source lines are run through the
  same pipeline as `run` (cleaning, segmentation, translation, flags and retries) into a JSONL
  beside the JSON, then scored as above.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

from arabic_digest.inputs.readers import Article
from arabic_digest.manifest import manifest_path
from arabic_digest.pipeline.article import BatchSettings, Prepared, prepare, translate_prepared
from arabic_digest.pipeline.backends import load_translator
from arabic_digest.pipeline.runner import run as run_pipeline
from arabic_digest.pipeline.spec import RunSpec
from arabic_digest.records import read_records, write_json_atomic

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")
ROUGE_NAMES = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L"}
_ARABIC_RE = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")


class EvalError(Exception):
    """Inputs that cannot be evaluated (no references, misaligned files)."""


def read_lines(path: Path) -> list[str]:
    """Lines as sacreBLEU's command line reads them: split on \\n only, trailing space cut."""
    with open(path, encoding="utf-8", newline="\n") as fh:
        return [line.rstrip() for line in fh]


def one_line(text: str) -> str:
    return " ".join(text.split())


def translation_metrics(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, Any]:
    """Corpus BLEU, chrF and TER (sacreBLEU defaults), each with its signature."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    out: dict[str, Any] = {}
    for key, metric in (("bleu", BLEU()), ("chrf", CHRF()), ("ter", TER())):
        result = metric.corpus_score(list(hypotheses), [list(references)])
        out[key] = {"score": result.score, "signature": str(metric.get_signature()),
                    "text": result.format(width=4)}
    return out


def summary_metrics(summaries: Sequence[str], references: Sequence[str]) -> dict[str, Any]:
    """Mean precision, recall and F1 of ROUGE-1/2/L over the pairs (rouge-score, stemming on)."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    per_doc = [scorer.score(ref, hyp) for hyp, ref in zip(summaries, references)]
    n = max(len(per_doc), 1)
    out: dict[str, Any] = {
        "signature": f"rouge-score:{metadata.version('rouge-score')}|stem:yes|"
                     "tok:default|agg:mean"}
    for t in ROUGE_TYPES:
        out[t] = {k: 100 * sum(getattr(d[t], attr) for d in per_doc) / n
                  for k, attr in (("precision", "precision"), ("recall", "recall"),
                                  ("f1", "fmeasure"))}
    return out


def run_settings(output: Path, records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Model, backend, decoding settings and cleaning signature behind an output file."""
    mpath = manifest_path(output)
    if mpath.exists():
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        return {"manifest": str(mpath), "models": manifest.get("models"),
                "cleaning": manifest.get("cleaning"),
                "segment_tokens": manifest.get("segment_tokens"),
                "retry_settings": (manifest.get("trust") or {}).get("retry_settings")}
    ok = next((r for r in records if r.get("status") == "ok"), {})
    return {"manifest": None, "models": {k: {"id": v} for k, v in ok.get("models", {}).items()},
            "cleaning": (ok.get("clean") or {}).get("signature")}


def _translate_texts(texts: list[str], cfg: RunSpec, translator: Any) -> list[str]:
    """Translate whole texts through the run's pipeline (cleaning, segments, flags, retry)."""
    settings = BatchSettings(cfg.clean_options, cfg.segment_tokens)
    prepared = [prepare(Article(id=str(i), text=t, origin=f"reference:{i}"),
                        translator.count_tokens, settings) for i, t in enumerate(texts)]
    todo = [p for p in prepared if isinstance(p, Prepared)]
    translate_prepared(todo, translator, cfg.retry_doubtful)
    return [" ".join(p.record["translation"]["paragraphs"])
            if isinstance(p, Prepared) and p.record["status"] == "ok" else "" for p in prepared]


def evaluate_output(output: Path, reference_field: str | None = None,
                    summary_reference_field: str | None = None,
                    cfg: RunSpec | None = None,
                    hypotheses_path: Path | None = None,
                    translation_model: str | None = None) -> dict[str, Any]:
    """Score an output file of `arabic-digest run` against references in `source.meta`.

    Translation: each record's paragraphs joined into one line against `meta[reference_field]`;
    records without the field are skipped and counted; error records score as empty output.
    Summaries: `summary.text` against `meta[summary_reference_field]`; a reference in Arabic
    script is first translated (model: `translation_model`, else the one named in the output;
    other settings from `cfg`), since ROUGE compares words of one language.
    """
    if not reference_field and not summary_reference_field:
        raise EvalError("nothing to score: give --reference-field and/or "
                        "--summary-reference-field (or --source and --reference)")
    records, _ = read_records(output)
    result: dict[str, Any] = {"output": str(output), "records": len(records),
                              **run_settings(output, records)}
    if reference_field:
        hyps, refs, skipped = [], [], 0
        for rec in records:
            ref = ((rec.get("source") or {}).get("meta") or {}).get(reference_field)
            if not isinstance(ref, str) or not ref.strip():
                skipped += 1
                continue
            tr = rec.get("translation") if rec.get("status") == "ok" else None
            hyps.append(one_line(" ".join(tr["paragraphs"])) if tr else "")
            refs.append(one_line(ref))
        if not hyps:
            raise EvalError(f"no record of {output} has a {reference_field!r} reference")
        if hypotheses_path is not None:
            hypotheses_path.write_text("".join(h + "\n" for h in hyps), encoding="utf-8")
            result["hypotheses_file"] = str(hypotheses_path)
        result["translation"] = {"reference_field": reference_field, "scored": len(hyps),
                                 "skipped_no_reference": skipped,
                                 "errors_scored_empty": sum(1 for h in hyps if not h),
                                 **translation_metrics(hyps, refs)}
    if summary_reference_field:
        model = translation_model or (
            ((result.get("models") or {}).get("translation") or {}).get("id"))
        cfg = cfg or RunSpec(inputs=())
        cfg = replace(cfg, translation_model=model) if model else cfg
        result["summary"] = _summary_part(records, summary_reference_field, cfg)
    return result


def _summary_part(records: list[dict[str, Any]], field: str,
                  cfg: RunSpec) -> dict[str, Any]:
    pairs, skipped, no_summary = [], 0, 0
    for rec in records:
        ref = ((rec.get("source") or {}).get("meta") or {}).get(field)
        if not isinstance(ref, str) or not ref.strip():
            skipped += 1
            continue
        text = ((rec.get("summary") or {}).get("text") or "") if rec.get("status") == "ok" else ""
        no_summary += not text
        pairs.append((text, ref))
    if not pairs:
        raise EvalError(f"no record has a {field!r} summary reference")
    arabic = [i for i, (_, ref) in enumerate(pairs) if _ARABIC_RE.search(ref)]
    part: dict[str, Any] = {"reference_field": field, "scored": len(pairs),
                            "skipped_no_reference": skipped, "missing_summary": no_summary,
                            "references_translated": len(arabic)}
    if arabic:
        translated = _translate_texts([pairs[i][1] for i in arabic], cfg, load_translator(cfg))
        for i, text in zip(arabic, translated):
            pairs[i] = (pairs[i][0], text)
        part["reference_translation_model"] = cfg.translation_model
        part["translated_references"] = translated
    part.update(summary_metrics([p[0] for p in pairs], [p[1] for p in pairs]))
    return part


def evaluate_files(source: Path, reference: Path, cfg: RunSpec, json_path: Path,
                   translator: Any = None) -> dict[str, Any]:
    """Translate `source` line by line with the run's pipeline, then score against `reference`.

    Writes `<json stem>.translations.jsonl` (and its manifest) and `<json stem>.hyp.txt` (one
    hypothesis per line, for sacreBLEU's own command line) beside the JSON.
    """
    src, ref = read_lines(source), read_lines(reference)
    if len(src) != len(ref):
        raise EvalError(f"{source} has {len(src)} lines but {reference} has {len(ref)}")
    stem = json_path.name.removesuffix(".json")
    out = json_path.with_name(stem + ".translations.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "lines.jsonl"
        with corpus.open("w", encoding="utf-8") as fh:
            for i, (s, r) in enumerate(zip(src, ref), 1):
                fh.write(json.dumps({"id": f"line-{i}", "text": s, "reference": r},
                                    ensure_ascii=False) + "\n")
        cfg = replace(cfg, inputs=(str(corpus),), output=out, summarization_model=None,
                      overwrite=True)
        run_pipeline(cfg, translator=translator)
    result = evaluate_output(out, "reference", None, cfg,
                             json_path.with_name(stem + ".hyp.txt"))
    result.update(source=str(source), reference=str(reference))
    return result


def write_result(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, result)


def _model_line(result: dict[str, Any]) -> str:
    tr = (result.get("models") or {}).get("translation") or {}
    keys = ("id", "backend", "num_beams", "device")
    return ", ".join(f"{k}={tr[k]}" for k in keys if tr.get(k) is not None)


def rows(result: dict[str, Any]) -> list[tuple[str, float | None, str]]:
    """(metric, score, signature) rows of one result."""
    out: list[tuple[str, float | None, str]] = []
    tr = result.get("translation")
    if tr:
        for key, name in (("bleu", "BLEU"), ("chrf", "chrF"), ("ter", "TER")):
            out.append((name, tr[key]["score"], tr[key]["signature"]))
    sm = result.get("summary")
    if sm:
        for t in ROUGE_TYPES:
            out.append((ROUGE_NAMES[t], sm[t]["f1"], sm["signature"]))
    return out


def render_table(result: dict[str, Any]) -> str:
    lines = [f"model: {_model_line(result)}", f"cleaning: {result.get('cleaning')}"]
    tr, sm = result.get("translation"), result.get("summary")
    if tr:
        lines.append(f"translation: {tr['scored']} scored against {tr['reference_field']!r}, "
                     f"{tr['skipped_no_reference']} without a reference skipped")
    if sm:
        note = (f", {sm['references_translated']} Arabic references translated with "
                f"{sm.get('reference_translation_model')}" if sm["references_translated"] else "")
        lines.append(f"summary: {sm['scored']} scored against {sm['reference_field']!r}, "
                     f"{sm['skipped_no_reference']} without a reference skipped{note}")
    lines.append(f"{'metric':<9} {'score':>7}  signature")
    lines += [f"{name:<9} {score:>7.2f}  {sig}" for name, score, sig in rows(result)]
    return "\n".join(lines)


def render_compare(a: dict[str, Any], b: dict[str, Any], names: tuple[str, str]) -> str:
    """Two results side by side, with B - A; differing settings are listed under the table."""
    ra = {name: (score, sig) for name, score, sig in rows(a)}
    rb = {name: (score, sig) for name, score, sig in rows(b)}
    order = list(ra) + [n for n in rb if n not in ra]
    lines = [f"A: {names[0]}  ({_model_line(a)})", f"B: {names[1]}  ({_model_line(b)})",
             f"{'metric':<9} {'A':>7} {'B':>7} {'B-A':>7}"]
    for name in order:
        sa, sb = ra.get(name, (None, ""))[0], rb.get(name, (None, ""))[0]
        fa = f"{sa:7.2f}" if sa is not None else f"{'-':>7}"
        fb = f"{sb:7.2f}" if sb is not None else f"{'-':>7}"
        diff = f"{sb - sa:+7.2f}" if sa is not None and sb is not None else f"{'':>7}"
        same = ra.get(name, (0, ""))[1] == rb.get(name, (0, ""))[1]
        mark = "" if same else "  (signatures differ)"
        lines.append(f"{name:<9} {fa} {fb} {diff}{mark}")
    for key in ("cleaning", "segment_tokens", "retry_settings"):
        if a.get(key) != b.get(key):
            lines.append(f"{key}: A={a.get(key)} B={b.get(key)}")
    return "\n".join(lines)
