"""The test-model factory builds models that load, tokenize, generate and convert like the real
checkpoints."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
import torch
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    GenerationConfig,
)

from tests import modelfactory

AR_TEXT = "قدم رئيس الوزراء الاسرائيلي بنيامين نتنياهو، من مقر وزارة الدفاع في تل أبيب، وثائق سرية."
EN_TEXT = (
    "There is consternation among some AMs at a suggestion their title should change "
    "to MWPs (Member of the Welsh Parliament)."
)


def _norm(text: str) -> str:
    """What a SentencePiece nmt_nfkc round trip can be expected to keep."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _greedy(model, max_new_tokens: int) -> GenerationConfig:
    """Greedy settings from the model's own generation config, bounded to max_new_tokens.

    transformers 5 fills every None of a passed GenerationConfig from model.generation_config,
    so max_length=None does not unset the published max_length (and max_new_tokens next to it
    warns on every call); for encoder-decoders max_length counts the decoder start token.
    """
    gen = GenerationConfig.from_dict(model.generation_config.to_dict())
    gen.num_beams = 1
    gen.do_sample = False
    gen.min_length = 0
    gen.max_length = max_new_tokens + 1
    return gen


# --------------------------------------------------------------------------- Marian


def test_marian_files_and_vocab(marian_dir: Path):
    names = {p.name for p in marian_dir.iterdir()}
    assert {"source.spm", "target.spm", "vocab.json", "config.json",
            "generation_config.json", "tokenizer_config.json"} <= names
    vocab = json.loads((marian_dir / "vocab.json").read_text(encoding="utf-8"))
    assert vocab["</s>"] == 0
    assert vocab["<unk>"] == 1
    assert vocab["<pad>"] == len(vocab) - 1
    assert sorted(vocab.values()) == list(range(len(vocab)))
    tok_cfg = json.loads((marian_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert tok_cfg["separate_vocabs"] is False


def test_marian_loads_with_auto_classes(marian_dir: Path):
    tok = AutoTokenizer.from_pretrained(marian_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(marian_dir)
    assert type(tok).__name__ == "MarianTokenizer"
    assert type(model).__name__ == "MarianMTModel"
    pad = len(tok) - 1
    assert tok.eos_token_id == 0
    assert tok.unk_token_id == 1
    assert tok.pad_token_id == pad
    cfg = model.config
    published = modelfactory.published_config("opus-mt-ar-en")
    for key in ("activation_function", "scale_embedding", "static_position_embeddings",
                "share_encoder_decoder_embeddings", "normalize_embedding"):
        assert getattr(cfg, key) == published[key], key
    assert cfg.vocab_size == len(tok)
    assert cfg.pad_token_id == cfg.decoder_start_token_id == pad
    assert cfg.eos_token_id == 0
    assert cfg.max_position_embeddings == 512
    gen = model.generation_config
    assert gen.pad_token_id == gen.decoder_start_token_id == pad
    assert gen.bad_words_ids == [[pad]]
    assert gen.num_beams == 4
    assert gen.max_length == 512


def test_marian_tokenizer_round_trips(marian_dir: Path, shared_data: Path):
    tok = AutoTokenizer.from_pretrained(marian_dir)
    ids = tok(AR_TEXT)["input_ids"]
    assert ids[-1] == tok.eos_token_id
    assert tok.unk_token_id not in ids
    assert _norm(tok.decode(ids, skip_special_tokens=True)) == _norm(AR_TEXT)
    # real lines too, including the noisy news articles
    lines = (shared_data / "ntrex-ar-en-dev.ar").read_text(encoding="utf-8").splitlines()[:20]
    for line in lines:
        out = tok.decode(tok(line)["input_ids"], skip_special_tokens=True)
        assert _norm(out) == _norm(line)
    # English goes through the target SentencePiece model
    labels = tok(text_target=EN_TEXT)["input_ids"]
    assert labels[-1] == tok.eos_token_id
    assert _norm(tok.decode(labels, skip_special_tokens=True)) == _norm(EN_TEXT)


def test_marian_generates(marian_dir: Path):
    tok = AutoTokenizer.from_pretrained(marian_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(marian_dir).eval()
    batch = tok([AR_TEXT, "مرحبا"], return_tensors="pt", padding=True)
    with torch.no_grad():
        out = model.generate(**batch, generation_config=_greedy(model, 6))
    assert out.shape[0] == 2
    assert out.shape[1] <= 1 + 6
    assert (out[:, 0] == model.config.decoder_start_token_id).all()
    assert isinstance(tok.batch_decode(out, skip_special_tokens=True)[0], str)


def test_marian_is_deterministic(tmp_path: Path, marian_dir: Path):
    again = modelfactory.build_marian(tmp_path / "again", size="tiny", seed=0)
    for name in ("vocab.json", "source.spm", "target.spm", "config.json",
                 "generation_config.json"):
        assert (again / name).read_bytes() == (marian_dir / name).read_bytes(), name
    a = AutoModelForSeq2SeqLM.from_pretrained(marian_dir).state_dict()
    b = AutoModelForSeq2SeqLM.from_pretrained(again).state_dict()
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_marian_ctranslate2_matches_transformers_greedy(marian_dir: Path, tmp_path: Path):
    ctranslate2 = pytest.importorskip("ctranslate2")
    out_dir = tmp_path / "ct2-marian"
    ctranslate2.converters.TransformersConverter(str(marian_dir)).convert(
        str(out_dir), quantization=None
    )
    tok = AutoTokenizer.from_pretrained(marian_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(marian_dir).eval()
    translator = ctranslate2.Translator(str(out_dir), device="cpu", compute_type="float32")
    n = 12
    for text in (AR_TEXT, "مرحبا بالعالم"):
        ids = tok(text)["input_ids"]
        with torch.no_grad():
            hf = model.generate(torch.tensor([ids]), generation_config=_greedy(model, n))[0]
        hf_ids = [i for i in hf.tolist()[1:] if i not in (tok.eos_token_id, tok.pad_token_id)]
        # transformers forces </s> as the n-th token (forced_eos_token_id); CTranslate2 does not
        assert len(hf_ids) == n - 1
        res = translator.translate_batch(
            [tok.convert_ids_to_tokens(ids)], beam_size=1, max_decoding_length=n - 1
        )[0]
        assert tok.convert_tokens_to_ids(res.hypotheses[0]) == hf_ids


# --------------------------------------------------------------------------- BART


def test_bart_files_and_vocab(bart_dir: Path):
    names = {p.name for p in bart_dir.iterdir()}
    assert {"vocab.json", "merges.txt", "config.json", "generation_config.json",
            "tokenizer_config.json"} <= names
    vocab = json.loads((bart_dir / "vocab.json").read_text(encoding="utf-8"))
    assert [vocab[t] for t in ("<s>", "<pad>", "</s>", "<unk>")] == [0, 1, 2, 3]
    assert vocab["<mask>"] == len(vocab) - 1


def test_bart_loads_and_round_trips(bart_dir: Path, shared_data: Path):
    tok = AutoTokenizer.from_pretrained(bart_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(bart_dir)
    assert type(model).__name__ == "BartForConditionalGeneration"
    assert (tok.bos_token_id, tok.pad_token_id, tok.eos_token_id, tok.unk_token_id) == (0, 1, 2, 3)
    ids = tok(EN_TEXT)["input_ids"]
    # transformers 5 pitfall: a mis-built tokenizer encodes everything to just <s></s>
    assert len(ids) > 10
    assert ids[0] == 0 and ids[-1] == 2
    assert tok.unk_token_id not in ids
    assert tok.decode(ids, skip_special_tokens=True) == EN_TEXT
    lines = (shared_data / "ntrex-ar-en-dev.en").read_text(encoding="utf-8").splitlines()[:50]
    for line in lines:
        assert tok.decode(tok(line)["input_ids"], skip_special_tokens=True) == line
    # byte-level: even text unseen in training (Arabic) round-trips exactly
    assert tok.decode(tok(AR_TEXT)["input_ids"], skip_special_tokens=True) == AR_TEXT
    cfg = model.config
    assert cfg.normalize_before is False
    assert cfg.max_position_embeddings == 1024
    assert cfg.vocab_size == len(tok) - 1  # <mask> one past the embeddings, as published
    assert tok.model_max_length == 1024
    gen = model.generation_config
    published = modelfactory.published_generation_config("distilbart-cnn-12-6")
    for key, value in published.items():
        assert getattr(gen, key) == value, key


def test_bart_generates_and_handles_long_input(bart_dir: Path):
    tok = AutoTokenizer.from_pretrained(bart_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(bart_dir).eval()
    long_text = " ".join([EN_TEXT] * 80)
    batch = tok([long_text, EN_TEXT], return_tensors="pt", padding=True, truncation=True)
    assert batch["input_ids"].shape[1] == 1024
    with torch.no_grad():
        out = model.generate(**batch, generation_config=_greedy(model, 5))
    assert out.shape[0] == 2 and out.shape[1] <= 1 + 5
    assert (out[:, 0] == model.config.decoder_start_token_id).all()
    assert (out[:, 1] == 0).all()  # forced <s>


def test_bart_is_deterministic(tmp_path: Path, bart_dir: Path):
    again = modelfactory.build_bart(tmp_path / "again", size="tiny", seed=0)
    for name in ("vocab.json", "merges.txt", "config.json", "generation_config.json"):
        assert (again / name).read_bytes() == (bart_dir / name).read_bytes(), name
    a = AutoModelForSeq2SeqLM.from_pretrained(bart_dir).state_dict()
    b = AutoModelForSeq2SeqLM.from_pretrained(again).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_bart_ctranslate2_converts(bart_dir: Path, tmp_path: Path):
    ctranslate2 = pytest.importorskip("ctranslate2")
    out_dir = tmp_path / "ct2-bart"
    ctranslate2.converters.TransformersConverter(str(bart_dir)).convert(
        str(out_dir), quantization=None
    )
    tok = AutoTokenizer.from_pretrained(bart_dir)
    translator = ctranslate2.Translator(str(out_dir), device="cpu", compute_type="float32")
    tokens = tok.convert_ids_to_tokens(tok(EN_TEXT)["input_ids"])
    res = translator.translate_batch([tokens], beam_size=1, max_decoding_length=5)[0]
    assert 0 < len(res.hypotheses[0]) <= 5


# --------------------------------------------------------------------------- T5


def test_t5_loads_round_trips_and_generates(t5_dir: Path, shared_data: Path):
    tok = AutoTokenizer.from_pretrained(t5_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(t5_dir).eval()
    assert type(tok).__name__ == "T5Tokenizer"
    assert type(model).__name__ == "T5ForConditionalGeneration"
    assert (tok.pad_token_id, tok.eos_token_id, tok.unk_token_id) == (0, 1, 2)
    assert tok.convert_tokens_to_ids("<extra_id_0>") == len(tok) - 1
    assert model.config.vocab_size == len(tok)
    prefix = model.config.task_specific_params["summarization"]["prefix"]
    assert prefix == "summarize: "
    ids = tok(prefix + EN_TEXT)["input_ids"]
    assert ids[-1] == tok.eos_token_id
    assert tok.unk_token_id not in ids
    assert tok.decode(ids, skip_special_tokens=True) == prefix + EN_TEXT
    for line in (shared_data / "ntrex-ar-en-dev.en").read_text(encoding="utf-8").splitlines()[:30]:
        assert _norm(tok.decode(tok(line)["input_ids"], skip_special_tokens=True)) == _norm(line)
    batch = tok([prefix + EN_TEXT, prefix + "Short."], return_tensors="pt", padding=True)
    with torch.no_grad():
        out = model.generate(**batch, generation_config=_greedy(model, 5))
    assert out.shape[0] == 2 and out.shape[1] <= 1 + 5
    assert (out[:, 0] == 0).all()  # T5 starts decoding from <pad>


def test_t5_is_deterministic(tmp_path: Path, t5_dir: Path):
    again = modelfactory.build_t5(tmp_path / "again", seed=0)
    for name in ("spiece.model", "tokenizer.json", "config.json"):
        assert (again / name).read_bytes() == (t5_dir / name).read_bytes(), name
    a = AutoModelForSeq2SeqLM.from_pretrained(t5_dir).state_dict()
    b = AutoModelForSeq2SeqLM.from_pretrained(again).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


# --------------------------------------------------------------------------- chat LM

MESSAGES = [
    {"role": "system", "content": "You summarize news articles in one sentence."},
    {"role": "user", "content": "Summarize:\n" + EN_TEXT},
]


def test_chat_lm_template(chat_lm_dir: Path):
    tok = AutoTokenizer.from_pretrained(chat_lm_dir)
    assert tok.chat_template
    text = tok.apply_chat_template(MESSAGES, add_generation_prompt=True, tokenize=False)
    assert text == (
        "<|im_start|>system\nYou summarize news articles in one sentence.<|im_end|>\n"
        f"<|im_start|>user\nSummarize:\n{EN_TEXT}<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    no_prompt = tok.apply_chat_template(MESSAGES, add_generation_prompt=False, tokenize=False)
    assert not no_prompt.endswith("<|im_start|>assistant\n")
    with_answer = MESSAGES + [{"role": "assistant", "content": "AMs fret over a new title."}]
    assert tok.apply_chat_template(with_answer, tokenize=False).endswith(
        "<|im_start|>assistant\nAMs fret over a new title.<|im_end|>\n"
    )
    with pytest.raises(Exception, match="Unknown role"):
        tok.apply_chat_template([{"role": "tool", "content": "x"}], tokenize=False)


def test_chat_lm_loads_round_trips_and_generates(chat_lm_dir: Path):
    tok = AutoTokenizer.from_pretrained(chat_lm_dir)
    model = AutoModelForCausalLM.from_pretrained(chat_lm_dir).eval()
    assert type(model).__name__ == "Qwen2ForCausalLM"
    assert model.config.vocab_size == len(tok)
    assert tok.eos_token == "<|im_end|>"
    assert tok.pad_token == "<|endoftext|>"
    for text in (EN_TEXT, AR_TEXT):
        ids = tok(text)["input_ids"]
        assert len(ids) > 5
        assert tok.decode(ids) == text
    # special tokens are single ids, not split into pieces
    ids = tok("<|im_start|>user\nhi<|im_end|>")["input_ids"]
    assert ids[0] == tok.convert_tokens_to_ids("<|im_start|>")
    assert ids[-1] == tok.eos_token_id
    enc = tok.apply_chat_template(
        MESSAGES, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    n_in = enc["input_ids"].shape[1]
    gen = GenerationConfig.from_dict(model.generation_config.to_dict())
    gen.max_length = n_in + 6
    with torch.no_grad():
        out = model.generate(**enc, generation_config=gen)
    assert n_in < out.shape[1] <= n_in + 6
    assert torch.equal(out[0, :n_in], enc["input_ids"][0])
    # left padding for batches
    tok.padding_side = "left"
    prompts = [
        tok.apply_chat_template([m], add_generation_prompt=True, tokenize=False)
        for m in ({"role": "user", "content": "Hi"}, MESSAGES[1])
    ]
    batch = tok(prompts, return_tensors="pt", padding=True)
    gen.max_length = batch["input_ids"].shape[1] + 3
    with torch.no_grad():
        out = model.generate(**batch, generation_config=gen)
    assert out.shape[0] == 2


def test_chat_lm_is_deterministic(tmp_path: Path, chat_lm_dir: Path):
    again = modelfactory.build_chat_lm(tmp_path / "again", seed=0)
    for name in ("vocab.json", "merges.txt", "tokenizer.json", "config.json"):
        assert (again / name).read_bytes() == (chat_lm_dir / name).read_bytes(), name
    a = AutoModelForCausalLM.from_pretrained(chat_lm_dir).state_dict()
    b = AutoModelForCausalLM.from_pretrained(again).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


# --------------------------------------------------------------------------- preset shapes


def test_tc_big_special_ids_follow_the_published_config(tc_big_dir: Path):
    """tc-big keeps </s> in the middle of its one vocabulary (not at 0 as opus-mt does): the
    tokenizer, config and generation config must agree on it, on <pad> (last, the decoder
    start) and on the flags, or transformers translates gibberish."""
    name = modelfactory.MARIAN_SHAPES["tc-big"]
    published = modelfactory.published_config(name)
    published_gen = modelfactory.published_generation_config(name)
    tok = AutoTokenizer.from_pretrained(tc_big_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(tc_big_dir)
    cfg, gen = model.config, model.generation_config
    vocab = json.loads((tc_big_dir / "vocab.json").read_text(encoding="utf-8"))
    n, eos, pad = len(vocab), vocab["</s>"], vocab["<pad>"]
    assert pad == n - 1 and sorted(vocab.values()) == list(range(n))
    assert 0 < eos < pad and 0 < vocab["<unk>"] < pad and vocab["<unk>"] != eos
    # </s> at the published fraction of the vocabulary (25894 of 61108)
    assert eos / pad == pytest.approx(published["eos_token_id"] / published["pad_token_id"],
                                      abs=1 / n)
    assert tok.eos_token_id == cfg.eos_token_id == cfg.forced_eos_token_id == eos
    assert gen.eos_token_id == gen.forced_eos_token_id == eos
    assert tok.pad_token_id == cfg.pad_token_id == cfg.decoder_start_token_id == pad
    assert gen.pad_token_id == gen.decoder_start_token_id == pad
    assert gen.bad_words_ids == [[pad]]
    assert cfg.bos_token_id == gen.bos_token_id == published["bos_token_id"] == 0
    assert cfg.vocab_size == cfg.decoder_vocab_size == n == len(tok)
    for key in ("activation_function", "scale_embedding", "static_position_embeddings",
                "share_encoder_decoder_embeddings", "normalize_embedding",
                "max_position_embeddings"):
        assert getattr(cfg, key) == published[key], key
    assert (gen.num_beams, gen.max_length) == (published_gen["num_beams"],
                                               published_gen["max_length"])
    tok_cfg = json.loads((tc_big_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    stored = json.loads((modelfactory.repo_configs_dir() / f"{name}.tokenizer_config.json")
                        .read_text(encoding="utf-8"))
    for key in ("separate_vocabs", "model_max_length", "source_lang", "target_lang"):
        assert tok_cfg[key] == stored[key], key
    ids = tok(AR_TEXT)["input_ids"]
    assert ids[-1] == eos and tok.unk_token_id not in ids
    assert _norm(tok.decode(ids, skip_special_tokens=True)) == _norm(AR_TEXT)


def test_bart_6_6_has_half_the_encoder(bart66_dir: Path, bart_dir: Path):
    six, twelve = (AutoConfig.from_pretrained(d) for d in (bart66_dir, bart_dir))
    assert (six.encoder_layers, six.decoder_layers) == (1, 1)
    assert twelve.encoder_layers == 2 * six.encoder_layers
    for key in ("d_model", "vocab_size", "pad_token_id", "eos_token_id",
                "decoder_start_token_id", "normalize_before", "activation_function"):
        assert getattr(six, key) == getattr(twelve, key), key
    gen = GenerationConfig.from_pretrained(bart66_dir)
    for key, value in modelfactory.published_generation_config("distilbart-cnn-6-6").items():
        assert getattr(gen, key) == value, key


# --------------------------------------------------------------------------- full-size shapes


@pytest.mark.parametrize(
    ("builder", "shape", "name", "vocab_size"),
    [
        (modelfactory.build_marian, "opus-mt", "opus-mt-ar-en", 62834),
        (modelfactory.build_marian, "tc-big", "opus-mt-tc-big-ar-en", 61109),
        (modelfactory.build_bart, "12-6", "distilbart-cnn-12-6", 50264),
        (modelfactory.build_bart, "6-6", "distilbart-cnn-6-6", 50264),
    ],
)
def test_full_shapes_match_published(tmp_path: Path, builder, shape: str, name: str,
                                     vocab_size: int):
    out = builder(tmp_path / name, size="full", weights=False, shape=shape)
    assert not (out / "model.safetensors").exists()
    cfg = AutoConfig.from_pretrained(out)
    gen = GenerationConfig.from_pretrained(out)
    published = modelfactory.published_config(name)
    for key, value in published.items():
        # transformers 5 keeps generation-only keys (forced_bos_token_id) out of the model
        # config; they live in generation_config.json
        actual = getattr(cfg, key) if hasattr(cfg, key) else getattr(gen, key)
        assert actual == value, key
    for key, value in modelfactory.published_generation_config(name).items():
        assert getattr(gen, key) == value, key
    assert cfg.vocab_size == vocab_size
    vocab = json.loads((out / "vocab.json").read_text(encoding="utf-8"))
    if builder is modelfactory.build_marian:
        assert len(vocab) == vocab_size
        assert vocab["<pad>"] == vocab_size - 1
        assert vocab["</s>"] == published["eos_token_id"]  # 25894 for tc-big
    else:
        assert len(vocab) == vocab_size + 1
        assert vocab["<mask>"] == vocab_size
    tok = AutoTokenizer.from_pretrained(out)
    assert len(tok(EN_TEXT)["input_ids"]) > 5
