"""The transformers translator on a tiny real Marian model: batching, bounds, de-duplication."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from arabic_digest.translate.translator import (
    CachedTranslator,
    ModelLoadError,
    TransformersTranslator,
    max_new_tokens_for,
    token_batches,
)
from hypothesis import given
from hypothesis import strategies as st
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer


@given(st.lists(st.integers(1, 300), max_size=60), st.integers(1, 2000))
def test_token_batches_cover_every_index_once_within_budget(lengths, budget) -> None:
    batches = token_batches(lengths, budget)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) == 1 or max(lengths[i] for i in b) * len(b) <= budget


def test_max_new_tokens_is_bounded_by_source_and_limit() -> None:
    assert max_new_tokens_for(10, 2.0, 10, 512) == 32
    assert max_new_tokens_for(400, 2.0, 10, 511) == 511
    assert max_new_tokens_for(1, 2.0, 10, 512) == 16


@pytest.fixture(scope="module")
def sentences(shared_data: Path) -> list[str]:
    lines = (shared_data / "ntrex-ar-en-dev.ar").read_text("utf-8").splitlines()
    return lines[:40]


def _alone(model, tok, base_cfg, text: str, translator: TransformersTranslator) -> str:
    """Translate one segment directly with the model, with the bound the translator uses."""
    bound = max_new_tokens_for(translator.count_tokens(text), translator.ratio,
                               translator.offset, translator.limit)
    inputs = tok([text], return_tensors="pt")
    with torch.inference_mode():
        ids = model.generate(**inputs, generation_config=base_cfg, max_new_tokens=bound,
                             max_length=None)
    assert ids.shape[1] <= bound + 1
    return tok.batch_decode(ids, skip_special_tokens=True)[0].strip()


@pytest.mark.slow
@pytest.mark.parametrize("beams, n", [(1, 16), (4, 8)])
def test_batched_translation_equals_translating_each_segment_alone(
        marian_dir: Path, sentences: list[str], beams: int, n: int) -> None:
    # A small token budget: a few segments still make several batches of mixed bounds.
    tr = TransformersTranslator(str(marian_dir), device="cpu", beams=beams, batch_tokens=300)
    # Shuffle the order so batches mix segments from everywhere.
    texts = sentences[:n][::-1]
    batches: list[int] = []
    tr.on_batch = batches.append
    batched = tr.translate(texts)
    assert len(batches) > 2  # several batches, each mixing segments from everywhere
    model = AutoModelForSeq2SeqLM.from_pretrained(marian_dir).eval()
    tok = AutoTokenizer.from_pretrained(marian_dir)
    alone = [_alone(model, tok, tr.generation_config, t, tr) for t in texts]
    assert batched == alone
    assert len(set(batched)) > 1  # the model really produced different outputs
    bounds = {max_new_tokens_for(tr.count_tokens(t), tr.ratio, tr.offset, tr.limit)
              for t in texts}
    assert len(bounds) > 1  # segments of different length bounds, batched apart


def test_cache_sends_each_distinct_segment_to_the_model_once(marian_dir: Path,
                                                             sentences: list[str]) -> None:
    rows: list[int] = []
    inner = TransformersTranslator(str(marian_dir), device="cpu", beams=1,
                                   on_batch=rows.append)
    tr = CachedTranslator(inner)
    texts = sentences[:5] + sentences[:3] + sentences[5:7]
    first = tr.translate(texts)
    assert sum(rows) == 7
    assert first[5:8] == first[:3]
    again = tr.translate(sentences[:7])
    assert sum(rows) == 7 and again == first[:5] + first[8:10]
    assert tr.hits == 3 + 7


def test_unloadable_model_names_it_and_how_to_work_offline(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="HF_HUB_OFFLINE") as info:
        TransformersTranslator(str(tmp_path), device="cpu")
    assert str(tmp_path) in str(info.value)
