"""The CTranslate2 backend against the transformers backend on the tiny real models.

Models are converted in the tests into the session's temporary cache (ARABIC_DIGEST_CACHE,
set in conftest). In float32 with greedy decoding both backends must give the same tokens.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import torch
from arabic_digest.summarize.ct2 import CT2Summarizer
from arabic_digest.summarize.summarizer import TransformersSummarizer
from arabic_digest.translate.ct2 import CT2Translator, decoding_bounds, mean_log_prob
from arabic_digest.translate.translator import TransformersTranslator, max_new_tokens_for
from transformers import AutoModelForSeq2SeqLM

from arabic_digest.pipeline import models
from tests.modelfactory import biased_copy


@pytest.fixture(scope="module")
def sentences(shared_data: Path) -> list[str]:
    return (shared_data / "ntrex-ar-en-dev.ar").read_text("utf-8").splitlines()[:40]


@pytest.fixture(scope="module")
def english(shared_data: Path) -> list[str]:
    """Short English 'articles': consecutive NTREX reference lines joined."""
    lines = (shared_data / "ntrex-ar-en-dev.en").read_text("utf-8").splitlines()
    return [" ".join(lines[i:i + 1 + i % 4]) for i in range(0, 60, 5)]


@pytest.fixture(scope="module")
def marian_f32(marian_dir: Path) -> Path:
    return models.convert(str(marian_dir), "float32").path


@pytest.fixture(scope="module")
def marian_int8(marian_dir: Path) -> Path:
    return models.convert(str(marian_dir), "int8").path


@pytest.fixture(scope="module")
def bart_f32(bart_dir: Path) -> Path:
    return models.convert(str(bart_dir), "float32").path


def test_greedy_float32_gives_the_transformers_tokens_in_order(
        marian_dir: Path, marian_f32: Path, sentences: list[str]) -> None:
    texts = sentences[::-1]  # any order: outputs must follow the input order
    ref = TransformersTranslator(str(marian_dir), device="cpu", beams=1, batch_tokens=1200)
    ct2 = CT2Translator(str(marian_dir), marian_f32, compute_type="float32", beams=1,
                        batch_tokens=1200)
    assert ct2.translate(texts) == ref.translate(texts)
    assert len(set(ref.translate(texts))) > 1  # the model really produced different outputs


@pytest.mark.parametrize("compute_type", ["float32", "int8"])
def test_batched_equals_alone(marian_dir: Path, marian_f32: Path, marian_int8: Path,
                              sentences: list[str], compute_type: str) -> None:
    folder = marian_f32 if compute_type == "float32" else marian_int8
    ct2 = CT2Translator(str(marian_dir), folder, compute_type=compute_type, beams=4,
                        batch_tokens=900)
    texts = sentences[:16]
    batched = ct2.translate_scored(texts)
    alone = [ct2.translate_scored([t])[0] for t in texts]
    assert [h.text for h in batched] == [h.text for h in alone]
    for b, a in zip(batched, alone):
        assert b.score == pytest.approx(a.score, abs=1e-3)
    # Batches of another shape give the same translations too.
    wide = CT2Translator(str(marian_dir), folder, compute_type=compute_type, beams=4,
                         batch_tokens=100_000)
    assert wide.translate(texts) == [h.text for h in batched]


def test_scores_are_mean_log_probs_and_overrides_apply(
        marian_dir: Path, marian_f32: Path, sentences: list[str]) -> None:
    ct2 = CT2Translator(str(marian_dir), marian_f32, compute_type="float32", beams=4)
    text = sentences[3]
    hyp = ct2.translate_scored([text])[0]
    # The same search by hand, then its tokens re-scored: the mean log-prob per token.
    tok = ct2.tokenizer
    src = tok.convert_ids_to_tokens(tok(text)["input_ids"])
    bound = max_new_tokens_for(len(src), ct2.ratio, ct2.offset, ct2.limit)
    tokens = ct2.model.translate_batch([src], beam_size=4, max_decoding_length=bound - 1,
                                       max_batch_size=0)[0].hypotheses[0]
    assert tok.decode(tok.convert_tokens_to_ids(tokens), skip_special_tokens=True) == hyp.text
    log_probs = ct2.model.score_batch([src], [tokens])[0].log_probs[:len(tokens)]
    assert hyp.score == pytest.approx(sum(log_probs) / len(log_probs), abs=0.02)

    # Overrides change this call only.
    greedy = CT2Translator(str(marian_dir), marian_f32, compute_type="float32", beams=1)
    assert ct2.translate_scored(sentences[:6], {"num_beams": 1}) == greedy.translate_scored(
        sentences[:6])
    no_repeat = ct2.translate_scored([text], {"no_repeat_ngram_size": 1})[0]
    words, plain = no_repeat.text.split(), hyp.text.split()
    assert len(set(plain)) < len(plain) / 2  # without the override the random model repeats
    assert no_repeat.text != hyp.text and len(set(words)) > len(words) * 0.9
    assert ct2.translate_scored([text])[0] == hyp


def teacher_forced(marian_dir: Path, source: str, target_tokens: list[str],
                   with_eos: bool) -> float:
    """transformers' own mean log-probability of `target_tokens` (and </s>) for `source`."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(marian_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(marian_dir).eval()
    ids = tok.convert_tokens_to_ids(target_tokens) + ([model.config.eos_token_id]
                                                      if with_eos else [])
    labels = torch.tensor([ids])
    start = torch.tensor([[model.config.decoder_start_token_id] + ids[:-1]])
    with torch.inference_mode():
        loss = model(**tok([source], return_tensors="pt"), decoder_input_ids=start,
                     labels=labels).loss
    return -float(loss)


def test_greedy_scores_equal_the_transformers_teacher_forced_scores(
        marian_dir: Path, marian_f32: Path, sentences: list[str]) -> None:
    """--beams 1, float32: same tokens and the same score on both backends, first try (from
    the search) and a retry with safer decoding (re-scored, score_batch on CTranslate2) alike."""
    texts = sentences[:6]
    ref = TransformersTranslator(str(marian_dir), device="cpu", beams=1)
    ct2 = CT2Translator(str(marian_dir), marian_f32, compute_type="float32", beams=1)
    want, got = ref.translate_scored(texts), ct2.translate_scored(texts)
    assert [h.text for h in got] == [h.text for h in want]
    for g, w in zip(got, want):
        assert g.score == pytest.approx(w.score, abs=1e-3)
    retry = {"no_repeat_ngram_size": 3, "repetition_penalty": 1.2}
    tok, options = ct2.tokenizer, ct2._ct2_options(ct2._config(retry))
    for text, hyp in zip(texts[:3], ct2.translate_scored(texts[:3], retry)):
        src = tok.convert_ids_to_tokens(tok(text)["input_ids"])
        bound = max_new_tokens_for(len(src), ct2.ratio, ct2.offset, ct2.limit)
        _, max_len, _ = decoding_bounds(ct2.generation_config, bound + 1, 0)
        tokens = ct2.model.translate_batch([src], max_decoding_length=max_len,
                                           **options)[0].hypotheses[0]
        assert tok.decode(tok.convert_tokens_to_ids(tokens), skip_special_tokens=True) == hyp.text
        # The retry's output scored by transformers, teacher-forced: the same number, not the
        # penalised score the decoder searched with (a </s> forced at the bound not counted).
        assert hyp.score == pytest.approx(
            teacher_forced(marian_dir, text, tokens, not hyp.hit_limit), abs=2e-3)


@pytest.mark.parametrize("length_penalty", [1.0, 0.6])
def test_mean_log_prob_undoes_ctranslate2_normalisation_for_greedy_too(
        marian_dir: Path, marian_f32: Path, sentences: list[str], length_penalty: float) -> None:
    ct2 = CT2Translator(str(marian_dir), marian_f32, compute_type="float32", beams=1)
    tok = ct2.tokenizer
    text = sentences[2]
    src = tok.convert_ids_to_tokens(tok(text)["input_ids"])
    result = ct2.model.translate_batch([src], beam_size=1, max_decoding_length=30,
                                       length_penalty=length_penalty, return_scores=True)[0]
    tokens = result.hypotheses[0]
    # The random model never ends by itself: 30 tokens and no </s>.
    assert len(tokens) == 30
    assert mean_log_prob(result.scores[0], len(tokens), length_penalty) == pytest.approx(
        teacher_forced(marian_dir, text, tokens, False), abs=1e-3)


@pytest.mark.parametrize("beams", [1])
def test_bart_summaries_equal_transformers_greedy_float32(
        bart_dir: Path, bart_f32: Path, english: list[str], beams: int) -> None:
    ref = TransformersSummarizer(str(bart_dir), device="cpu", min_length=20, max_length=60)
    ref.generation_config.num_beams = beams
    ct2 = CT2Summarizer(str(bart_dir), bart_f32, compute_type="float32", beams=beams,
                        min_length=20, max_length=60)
    got = ct2.summarize(english)
    want = ref.summarize(english)
    assert [s.text for s in got] == [s.text for s in want]
    assert [s.input_truncated for s in got] == [s.input_truncated for s in want]
    assert ct2.window == ref.window
    assert ct2.settings()["max_new_tokens"] == ref.settings()["max_new_tokens"] == 60
    assert ct2.settings()["min_new_tokens"] == ref.settings()["min_new_tokens"] == 20
    assert ct2.settings()["backend"] == "ctranslate2"


def test_bart_min_length_and_forced_tokens_match(bart_dir: Path, tmp_path: Path,
                                                english: list[str]) -> None:
    """A model that wants </s> at once: only min_length keeps it going, on both backends."""
    folder = biased_copy(bart_dir, tmp_path / "eager-bart", 30.0)
    converted = models.convert(str(folder), "float32").path
    ref = TransformersSummarizer(str(folder), device="cpu", min_length=11)
    ref.generation_config.num_beams = 1
    ct2 = CT2Summarizer(str(folder), converted, compute_type="float32", beams=1, min_length=11)
    texts = english[:4]
    want = ref.summarize(texts)
    assert [s.text for s in ct2.summarize(texts)] == [s.text for s in want]
    # Without min_length the model stops at once: min_length is what made the text.
    assert all(s.text for s in want)
    eager = CT2Summarizer(str(folder), converted, compute_type="float32", beams=1, min_length=0)
    assert all(s.text == "" for s in eager.summarize(texts))


def test_conversion_is_cached_keyed_by_revision_and_atomic(tmp_path: Path, marian_dir: Path,
                                                           monkeypatch) -> None:
    monkeypatch.setenv("ARABIC_DIGEST_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "m"
    shutil.copytree(marian_dir, folder)
    first = models.convert(str(folder), "int8")
    assert first.converted_now and (first.path / "model.bin").is_file()
    assert first.path.is_relative_to(tmp_path / "cache" / "ct2")
    again = models.convert(str(folder), "int8")
    assert not again.converted_now and again.path == first.path
    # A killed conversion leaves only a dot-folder beside the entries: never listed or used.
    (first.path.parent / ".half-written").mkdir()
    (first.path.parent / ".half-written" / "model.bin").write_bytes(b"partial")
    assert [r["path"] for r in models.list_converted()] == [str(first.path)]
    # Changed weights: a new revision, converted afresh.
    weights = folder / "model.safetensors"
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))
    changed = models.convert(str(folder), "int8")
    assert changed.converted_now and changed.path != first.path
    assert {r["quantization"] for r in models.list_converted()} == {"int8"}
    info = json.loads((changed.path / models.SOURCE_FILE).read_text("utf-8"))
    assert info["model"] == str(folder) and info["revision"] == changed.revision


def test_unconvertible_model_raises_conversion_error(tmp_path: Path, bart_dir: Path,
                                                     monkeypatch) -> None:
    monkeypatch.setenv("ARABIC_DIGEST_CACHE", str(tmp_path / "cache"))
    folder = no_normalize_before(bart_dir, tmp_path / "bart5")
    with pytest.raises(models.ConversionError, match="normalize_before") as first:
        models.convert(str(folder), "int8")
    assert not first.value.remembered
    # Nothing half-written is left in the cache: only the note that it failed.
    left = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert [p.name for p in left] == [f"{left[0].name.split('.')[0]}.failed.json"]
    # The next try does not convert again (or say so): the failure is remembered.
    with pytest.raises(models.ConversionError, match="normalize_before") as again:
        models.convert(str(folder), "int8", log=pytest.fail)
    assert again.value.remembered


def no_normalize_before(bart_dir: Path, folder: Path) -> Path:
    """A BART folder as transformers 5 saves one: CTranslate2's converter cannot read it."""
    shutil.copytree(bart_dir, folder)
    config = json.loads((folder / "config.json").read_text("utf-8"))
    config.pop("normalize_before", None)
    (folder / "config.json").write_text(json.dumps(config), "utf-8")
    return folder


# --- the preset models' shapes --------------------------------------------------------------

def test_tc_big_shape_converts_and_both_backends_agree_on_its_special_ids(
        tc_big_dir: Path, tmp_path: Path, sentences: list[str]) -> None:
    """opus-mt-tc-big-ar-en (`--preset best`) keeps </s> mid-vocabulary: greedy float32 gives
    the same tokens, stops and scores on both backends, and a model that wants </s> at once
    stops at once on both (a wrong eos or decoder start id would not)."""
    converted = models.convert(str(tc_big_dir), "float32").path
    texts = sentences[:6]
    ref = TransformersTranslator(str(tc_big_dir), device="cpu", beams=1)
    ct2 = CT2Translator(str(tc_big_dir), converted, compute_type="float32", beams=1)
    want, got = ref.translate_scored(texts), ct2.translate_scored(texts)
    assert [(h.text, h.hit_limit) for h in got] == [(h.text, h.hit_limit) for h in want]
    assert all(h.text for h in want)
    for g, w in zip(got, want):
        assert g.score == pytest.approx(w.score, abs=1e-3)

    eager = biased_copy(tc_big_dir, tmp_path / "eager-tc-big", 30.0)
    ref = TransformersTranslator(str(eager), device="cpu", beams=1)
    ct2 = CT2Translator(str(eager), models.convert(str(eager), "float32").path,
                        compute_type="float32", beams=1)
    want, got = ref.translate_scored(texts[:3]), ct2.translate_scored(texts[:3])
    assert [(h.text, h.hit_limit) for h in want] == [("", False)] * 3
    assert [(h.text, h.hit_limit) for h in got] == [("", False)] * 3
    for g, w in zip(got, want):
        assert g.score == pytest.approx(w.score, abs=1e-3)


def test_bart_6_6_shape_converts_and_summarizes(bart66_dir: Path, english: list[str]) -> None:
    """distilbart-cnn-6-6 (`--preset fast`): converts, and summarizes as transformers does."""
    converted = models.convert(str(bart66_dir), "float32").path
    ref = TransformersSummarizer(str(bart66_dir), device="cpu", min_length=5, max_length=20)
    ref.generation_config.num_beams = 1
    ct2 = CT2Summarizer(str(bart66_dir), converted, compute_type="float32", beams=1,
                        min_length=5, max_length=20)
    texts = english[:3]
    got = [s.text for s in ct2.summarize(texts)]
    assert got == [s.text for s in ref.summarize(texts)]
    assert all(got)


# --------------------------------------------------------------------------- one pass (#37)


class CountingEngine:
    """The real ctranslate2.Translator, counting the rows each score_batch call scores."""

    def __init__(self, engine: object) -> None:
        self.engine, self.scored = engine, []

    def translate_batch(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return self.engine.translate_batch(*args, **kwargs)

    def score_batch(self, source, target, **kwargs):  # noqa: ANN001, ANN003, ANN201
        self.scored.append(len(source))
        return self.engine.score_batch(source, target, **kwargs)


@pytest.fixture(scope="module")
def ending_marian(marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model with </s> a little likelier: it stops by itself, at varied lengths."""
    return biased_copy(marian_dir, tmp_path_factory.mktemp("ending") / "m", 0.3)


@pytest.mark.parametrize("which", ["ending", "looping"])
def test_default_settings_score_from_the_search_and_rank_as_a_second_pass_would(
        marian_dir: Path, ending_marian: Path, sentences: list[str], which: str) -> None:
    """Default decoding (beam 4, int8, no penalties): no score_batch call at all, and the
    search's scores are the teacher-forced ones (so the lowest-confidence ranking is too)."""
    model = ending_marian if which == "ending" else marian_dir
    ct2 = CT2Translator(str(model), models.convert(str(model), "int8").path, beams=4)
    ct2.model = engine = CountingEngine(ct2.model)
    texts = sentences[:24]
    hyps = ct2.translate_scored(texts)
    assert engine.scored == [] and ct2.settings()["scores"] == "search"
    if which == "ending":  # some stop by themselves (</s> scored), some at the bound
        assert any(h.hit_limit for h in hyps) and sum(not h.hit_limit for h in hyps) >= 3
    again = ct2.rescore(texts, hyps)  # the second pass the run no longer makes
    assert sum(engine.scored) == len(texts)
    assert [h.text for h in again] == [h.text for h in hyps]
    for a, h in zip(again, hyps):
        assert h.score == pytest.approx(a.score, abs=2e-3)
    assert len({round(h.score, 3) for h in hyps}) > 3  # the ranking below means something

    def ranking(hs: list) -> list[int]:  # as the manifest's lowest list ranks (4 decimals)
        return sorted(range(len(hs)), key=lambda i: (round(hs[i].score, 2), i))

    assert ranking(hyps) == ranking(again)


def test_only_retried_segments_are_rescored_and_both_tries_compare(
        marian_dir: Path, marian_f32: Path, sentences: list[str]) -> None:
    """The run's path (cache, review, retry): score_batch scores each retried segment's two
    tries and nothing else; both scores are transformers' teacher-forced ones."""
    from arabic_digest.translate.segment import Segment
    from arabic_digest.translate.translator import CachedTranslator

    from arabic_digest.pipeline import trust

    ct2 = CT2Translator(str(marian_dir), marian_f32, compute_type="float32", beams=1)
    ct2.model = engine = CountingEngine(ct2.model)
    tr = CachedTranslator(ct2)
    # The looping model's outputs are all flagged: let every one be retried.
    segs = [Segment(t, "") for t in sentences[:6]]
    reviews = trust.review(segs, tr.translate_scored([s.text for s in segs]), tr,
                           max_share=1.0)
    retried = [(s, r) for s, r in zip(segs, reviews) if r.retry and "kept" in r.retry]
    assert retried, "the tiny model's loops must be retried"
    assert sum(engine.scored) == 2 * len(retried)  # the retry and its first try, no more
    tok, eos = ct2.tokenizer, ct2.generation_config.eos_token_id
    for seg, r in retried[:2]:
        first = tr.translate_scored([seg.text])[0]  # from the cache, with its ids
        second = ct2.translate_scored([seg.text], trust.retry_overrides(1))[0]
        got = {"first": first.text, "retry": second.text}
        kept = r.retry["kept"]
        scores = {kept: r.hyp.score, ("first" if kept == "retry" else "retry"): r.retry["score"]}
        assert {kept: r.hyp.text, **{k: got[k] for k in got if k != kept}} == got
        for name, hyp in (("first", first), ("retry", second)):
            ids = [t for t in hyp.ids if t != eos]
            want = teacher_forced(marian_dir, seg.text, tok.convert_ids_to_tokens(ids),
                                  not hyp.hit_limit)
            assert scores[name] == pytest.approx(want, abs=2e-3)
