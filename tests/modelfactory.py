"""Build small (or full-shape) local models with the real classes and tokenizer files.

The Hugging Face Hub is unreachable where this project is tested, so tests and benchmarks build
their models here: the same model classes, tokenizer classes, tokenizer files and config flags as
the published checkpoints, with random weights. Every builder writes a folder that loads back with
``from_pretrained(path)`` and returns its path. Shapes (the models of the ``--preset``s):

- ``build_marian(shape="opus-mt")``: Helsinki-NLP/opus-mt-ar-en (transformer-base, ``</s>`` 0);
- ``build_marian(shape="tc-big")``: Helsinki-NLP/opus-mt-tc-big-ar-en (transformer-big, relu,
  1024 positions, ``</s>`` in the middle of the shared vocabulary, ``<pad>`` last);
- ``build_bart(shape="12-6")``: sshleifer/distilbart-cnn-12-6;
- ``build_bart(shape="6-6")``: sshleifer/distilbart-cnn-6-6 (half the encoder layers).

``size="tiny"`` keeps tiny dimensions with the shape's flags and special ids; ``size="full"`` has
the published dimensions and vocabulary sizes.

Tokenizers are trained on the real text in ``<repo root>/../shared/data`` (never copied into the
repository); the published shapes and generation settings are read from ``tests/model-configs``
(the preset models) and ``<repo root>/../shared/model-configs`` (the defaults). Set
``ARABIC_DIGEST_SHARED`` to point elsewhere for the shared folder.

No pytest in here: benchmarks import this module too. Nothing is cached globally; callers pass a
fresh directory. Everything is deterministic given ``seed``.

Random weights almost never emit ``</s>``: always bound ``max_new_tokens`` when generating.
"""

from __future__ import annotations

import io
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "BART_SHAPES",
    "BART_SIZES",
    "CHAT_SPECIAL_TOKENS",
    "CHAT_TEMPLATE",
    "MARIAN_SHAPES",
    "MARIAN_SIZES",
    "bart_config",
    "build_bart",
    "build_chat_lm",
    "build_marian",
    "build_t5",
    "biased_copy",
    "marian_config",
    "published_config",
    "published_generation_config",
    "shared_dir",
    "shared_data_dir",
]

# Published vocabulary sizes (model embedding rows).
OPUS_VOCAB_SIZE = 62834
TC_BIG_VOCAB_SIZE = 61109
DISTILBART_VOCAB_SIZE = 50264

# shape -> the published model whose configs (``<name>.config.json``...) give its flags.
MARIAN_SHAPES: dict[str, str] = {"opus-mt": "opus-mt-ar-en", "tc-big": "opus-mt-tc-big-ar-en"}
BART_SHAPES: dict[str, str] = {"12-6": "distilbart-cnn-12-6", "6-6": "distilbart-cnn-6-6"}
# What ``size`` changes: the rest of a config is the published one's.
_DIM_KEYS = ("d_model", "encoder_layers", "decoder_layers", "encoder_ffn_dim", "decoder_ffn_dim",
             "encoder_attention_heads", "decoder_attention_heads")
# Tiny BART layers (encoder, decoder): 6-6 halves 12-6's encoder, as the published ones do.
_TINY_BART_LAYERS = {"12-6": (2, 1), "6-6": (1, 1)}

MARIAN_SIZES: dict[str, dict[str, int]] = {
    "tiny": dict(
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        max_position_embeddings=512,
    ),
    # exactly the published opus-mt-ar-en dims
    "full": dict(
        d_model=512,
        encoder_layers=6,
        decoder_layers=6,
        encoder_ffn_dim=2048,
        decoder_ffn_dim=2048,
        encoder_attention_heads=8,
        decoder_attention_heads=8,
        max_position_embeddings=512,
    ),
}

BART_SIZES: dict[str, dict[str, int]] = {
    "tiny": dict(
        d_model=32,
        encoder_layers=2,
        decoder_layers=1,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        max_position_embeddings=1024,  # the real window: tests need long-input behaviour
    ),
    # exactly the published distilbart-cnn-12-6 dims
    "full": dict(
        d_model=1024,
        encoder_layers=12,
        decoder_layers=6,
        encoder_ffn_dim=4096,
        decoder_ffn_dim=4096,
        encoder_attention_heads=16,
        decoder_attention_heads=16,
        max_position_embeddings=1024,
    ),
}

# SentencePiece vocab sizes asked for, (Arabic source, English target). hard_vocab_limit=False:
# "full" gets all the text allows (~7k / ~4k). Unigram training on this text is faster with
# bigger vocabularies (fewer pruning rounds), hence not smaller for "tiny".
_SPM_VOCAB = {"tiny": (4000, 2000), "full": (32000, 32000)}
# Byte-level BPE merges budget for the BART tokenizer before padding.
_BPE_VOCAB = {"tiny": 1000, "full": 8000}

CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{%- if message['role'] not in ['system', 'user', 'assistant'] %}"
    "{{- raise_exception('Unknown role: ' + message['role']) }}"
    "{%- endif %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] | trim + '<|im_end|>\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{%- endif %}"
)


# --------------------------------------------------------------------------- shared files


def shared_dir() -> Path:
    """``<repo root>/../shared`` (or ``$ARABIC_DIGEST_SHARED``)."""
    env = os.environ.get("ARABIC_DIGEST_SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def shared_data_dir() -> Path:
    return shared_dir() / "data"


def repo_configs_dir() -> Path:
    """``tests/model-configs``: the published shapes kept in the repository (see its README)."""
    return Path(__file__).resolve().parent / "model-configs"


def _config_file(filename: str) -> Path:
    """The repository's copy first, then the shared folder's."""
    for folder in (repo_configs_dir(), shared_dir() / "model-configs"):
        if (folder / filename).is_file():
            return folder / filename
    raise FileNotFoundError(f"no published {filename} in {repo_configs_dir()} or "
                            f"{shared_dir() / 'model-configs'}")


def published_config(name: str) -> dict[str, Any]:
    """``name``: ``"opus-mt-ar-en"``, ``"opus-mt-tc-big-ar-en"``, ``"distilbart-cnn-12-6"`` or
    ``"distilbart-cnn-6-6"`` (the values of MARIAN_SHAPES and BART_SHAPES)."""
    return json.loads(_config_file(f"{name}.config.json").read_text(encoding="utf-8"))


def published_generation_config(name: str) -> dict[str, Any]:
    path = _config_file(f"{name}.generation_config.json")
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def _read_lines(name: str) -> tuple[str, ...]:
    """Training text (read-only, small; cached per process as immutable tuples)."""
    data = shared_data_dir()
    if name == "ar":
        lines = (data / "ntrex-ar-en-dev.ar").read_text(encoding="utf-8").splitlines()
        # news articles carry the noise the pipeline sees (diacritics, tatweel, bidi marks...)
        with open(data / "news-articles.jsonl", encoding="utf-8") as fh:
            for raw in fh:
                if not raw.strip():
                    continue
                art = json.loads(raw)
                lines.append(art.get("title") or "")
                lines.extend((art.get("text") or "").split("\n"))
    elif name == "en":
        lines = (data / "ntrex-ar-en-dev.en").read_text(encoding="utf-8").splitlines()
    else:  # pragma: no cover
        raise ValueError(name)
    return tuple(line.strip() for line in lines if line.strip())


# --------------------------------------------------------------------------- helpers


def _seed_all(seed: int) -> None:
    import random

    import torch

    random.seed(seed)
    torch.manual_seed(seed)


def _train_spm(lines: tuple[str, ...], vocab_size: int, seed: int, **extra: Any) -> bytes:
    """Train a unigram SentencePiece model in memory; returns the serialized model proto.

    Default ``nmt_nfkc`` normalisation, ``hard_vocab_limit=False`` (small text), one thread
    for determinism.
    """
    import sentencepiece as spm

    spm.set_random_generator_seed(seed)
    buf = io.BytesIO()
    kwargs: dict[str, Any] = dict(
        model_type="unigram",
        vocab_size=vocab_size,
        character_coverage=1.0,
        hard_vocab_limit=False,
        normalization_rule_name="nmt_nfkc",
        num_threads=1,
        minloglevel=2,
    )
    kwargs.update(extra)
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=buf, **kwargs)
    return buf.getvalue()


def _spm_pieces(proto: bytes) -> list[tuple[str, float, str]]:
    """(piece, score, kind) of a serialized SentencePiece model; kind is "normal", "unknown",
    "control" or "unused"."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=proto)
    out = []
    for i in range(sp.get_piece_size()):
        if sp.is_unknown(i):
            kind = "unknown"
        elif sp.is_control(i):
            kind = "control"
        elif sp.is_unused(i):
            kind = "unused"
        else:
            kind = "normal"
        out.append((sp.id_to_piece(i), sp.get_score(i), kind))
    return out


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _proto_fields(buf: bytes):
    """Minimal protobuf wire-format reader: yields (field number, wire type, value)."""
    pos = 0
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        field, wtype = key >> 3, key & 7
        if wtype == 0:
            value, pos = _read_varint(buf, pos)
        elif wtype == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wtype == 2:
            n, pos = _read_varint(buf, pos)
            value, pos = buf[pos : pos + n], pos + n
        elif wtype == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:  # pragma: no cover
            raise ValueError(f"unsupported wire type {wtype}")
        yield field, wtype, value


def _spm_charsmap(proto: bytes) -> bytes:
    """``normalizer_spec.precompiled_charsmap`` of a SentencePiece model (no protobuf package
    needed: ModelProto field 3 is normalizer_spec, NormalizerSpec field 2 the charsmap)."""
    for field, wtype, value in _proto_fields(proto):
        if field == 3 and wtype == 2:
            for f2, w2, v2 in _proto_fields(value):
                if f2 == 2 and w2 == 2:
                    return bytes(v2)
    return b""


def _dummy_tokens(n: int, prefix: str) -> list[str]:
    return [f"<{prefix}_{i:05d}>" for i in range(n)]


def _patch_json(path: Path, **updates: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(updates)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _save_model(model: Any, out_dir: Path) -> None:
    model.eval()
    model.save_pretrained(out_dir)


def biased_copy(src: Path, out_dir: Path, delta: float, token: str | None = None) -> Path:
    """A copy of the model at `src` whose output logit for `token` (default: its `</s>`) is
    moved by `delta`: +30 makes it stop at once, -1e4 never (a fixed amount of work)."""
    import shutil

    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    if out_dir != src:
        shutil.copytree(src, out_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(out_dir)
    tid = (model.config.eos_token_id if token is None
           else AutoTokenizer.from_pretrained(out_dir).convert_tokens_to_ids(token))
    with torch.no_grad():
        model.final_logits_bias[0, tid] += delta
    _save_model(model, out_dir)
    return out_dir


# --------------------------------------------------------------------------- Marian


def _check(name: str, value: str, allowed: dict[str, Any]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, not {value!r}")


def _marian_dims(size: str, published: dict[str, Any]) -> dict[str, int]:
    """Dimensions: the published ones for "full"; tiny ones, with the published number of
    positions (a flag of the shape, not a size), for "tiny"."""
    if size == "full":
        return {k: published[k] for k in (*_DIM_KEYS, "max_position_embeddings")}
    return {**MARIAN_SIZES["tiny"], "max_position_embeddings": published["max_position_embeddings"]}


def marian_config(size: str = "tiny", vocab_size: int = OPUS_VOCAB_SIZE, *,
                  shape: str = "opus-mt", eos_token_id: int = 0):
    """A ``MarianConfig`` with the published flags of ``shape`` and the dims of ``size``.

    pad / decoder_start are the last id (``vocab_size - 1``); eos / forced_eos are
    ``eos_token_id`` (0 for opus-mt; tc-big's ``</s>`` is in the middle of its vocabulary);
    bos is 0 as published (Marian never generates it). One vocabulary for both sides.
    """
    from transformers import MarianConfig

    _check("size", size, MARIAN_SIZES)
    _check("shape", shape, MARIAN_SHAPES)
    published = published_config(MARIAN_SHAPES[shape])
    cfg = dict(published)
    cfg.pop("model_type", None)
    pad = vocab_size - 1
    cfg.update(_marian_dims(size, published))
    cfg.update(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=eos_token_id,
        bos_token_id=0,
        forced_eos_token_id=eos_token_id,
    )
    return MarianConfig(**cfg)


def _marian_generation_config(vocab_size: int, shape: str = "opus-mt", eos_token_id: int = 0):
    from transformers import GenerationConfig

    gen = published_generation_config(MARIAN_SHAPES[shape])
    pad = vocab_size - 1
    gen.update(
        pad_token_id=pad,
        decoder_start_token_id=pad,
        bad_words_ids=[[pad]],
        eos_token_id=eos_token_id,
        forced_eos_token_id=eos_token_id,
        bos_token_id=0,
    )
    return GenerationConfig(**gen)


def _marian_vocab(pieces: list[str], size: str, shape: str) -> dict[str, int]:
    """The shared vocab.json: ``<pad>`` last always (CTranslate2's converter drops that row).

    opus-mt: ``</s>`` 0, ``<unk>`` 1, the pieces. tc-big: the pieces with ``</s>`` in the
    middle, at the published fraction of the vocabulary (exactly id 25894 of 61109 for "full"),
    and ``<unk>`` later in the middle (its published id is unknown). "full" pads with
    never-produced dummy entries up to the published size.
    """
    target = {"opus-mt": OPUS_VOCAB_SIZE, "tc-big": TC_BIG_VOCAB_SIZE}[shape]
    order = list(pieces)
    if size == "full":
        n_dummy = target - 3 - len(order)
        if n_dummy < 0:  # pragma: no cover
            raise RuntimeError(f"trained vocab too large: {len(order)}")
        order += _dummy_tokens(n_dummy, "marian_dummy")
    if shape == "opus-mt":
        order = ["</s>", "<unk>", *order]
    else:
        published = published_config(MARIAN_SHAPES[shape])
        total = len(order) + 3
        eos_at = round(published["eos_token_id"] * (total - 1) / published["pad_token_id"])
        order.insert(eos_at, "</s>")
        order.insert((eos_at + total - 1) // 2, "<unk>")
    order.append("<pad>")
    return {tok: i for i, tok in enumerate(order)}


def build_marian(
    out_dir: Path, *, size: str = "tiny", seed: int = 0, weights: bool = True,
    shape: str = "opus-mt",
) -> Path:
    """A MarianMTModel + MarianTokenizer shaped like Helsinki-NLP/opus-mt-ar-en
    (``shape="opus-mt"``) or Helsinki-NLP/opus-mt-tc-big-ar-en (``shape="tc-big"``).

    Files: ``source.spm`` (Arabic), ``target.spm`` (English), one shared ``vocab.json`` with
    ``<pad>`` last (see ``_marian_vocab`` for where ``</s>`` and ``<unk>`` go),
    ``tokenizer_config.json``, ``config.json``, ``generation_config.json`` and the weights.
    ``size="full"`` has the published dims and vocabulary size (62834 / 61109; vocab.json padded
    with never-produced dummy entries). ``weights=False`` writes everything but the weights
    (cheap shape checks).
    """
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    _check("size", size, MARIAN_SIZES)
    _check("shape", shape, MARIAN_SHAPES)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    src_vocab, tgt_vocab = _SPM_VOCAB[size]
    src_proto = _train_spm(_read_lines("ar"), src_vocab, seed)
    tgt_proto = _train_spm(_read_lines("en"), tgt_vocab, seed)
    (out_dir / "source.spm").write_bytes(src_proto)
    (out_dir / "target.spm").write_bytes(tgt_proto)

    # One vocabulary for both sides (separate_vocabs=False, as both published models have it).
    pieces: dict[str, None] = {}
    for proto in (src_proto, tgt_proto):
        for piece, _score, kind in _spm_pieces(proto):
            if kind == "normal":
                pieces.setdefault(piece)
    vocab = _marian_vocab(list(pieces), size, shape)
    vocab_size, eos = len(vocab), vocab["</s>"]
    (out_dir / "vocab.json").write_text(
        json.dumps(vocab, ensure_ascii=False, indent=2), encoding="utf-8"
    )

    tok = MarianTokenizer(
        source_spm=str(out_dir / "source.spm"),
        target_spm=str(out_dir / "target.spm"),
        vocab=str(out_dir / "vocab.json"),
        source_lang="ar",
        target_lang="en",
        model_max_length=512,
        separate_vocabs=False,
    )
    tok.save_pretrained(out_dir)

    config = marian_config(size, vocab_size, shape=shape, eos_token_id=eos)
    config.save_pretrained(out_dir)
    gen = _marian_generation_config(vocab_size, shape, eos)
    gen.save_pretrained(out_dir)
    if weights:
        _seed_all(seed)
        with torch.no_grad():
            model = MarianMTModel(config)
        model.generation_config = gen
        _save_model(model, out_dir)
    return out_dir


# --------------------------------------------------------------------------- BART


def bart_config(size: str = "tiny", vocab_size: int = DISTILBART_VOCAB_SIZE, *,
                shape: str = "12-6"):
    """A ``BartConfig`` with the published flags of distilbart-cnn-``shape`` and the dims of
    ``size`` (tiny: 2 encoder / 1 decoder layers for 12-6, 1 / 1 for 6-6).

    ``normalize_before=False`` is set explicitly: transformers 5's BartConfig no longer defines
    it and CTranslate2's BART converter reads it.
    """
    from transformers import BartConfig

    _check("size", size, BART_SIZES)
    _check("shape", shape, BART_SHAPES)
    published = published_config(BART_SHAPES[shape])
    cfg = dict(published)
    cfg.pop("model_type", None)
    cfg.update(BART_SIZES[size])
    if size == "full":
        cfg.update({k: published[k] for k in _DIM_KEYS})
    else:
        cfg.update(zip(("encoder_layers", "decoder_layers"), _TINY_BART_LAYERS[shape]))
    cfg.update(vocab_size=vocab_size, normalize_before=False)
    return BartConfig(**cfg)


def _bart_generation_config(config: Any, shape: str = "12-6"):
    from transformers import GenerationConfig

    gen = published_generation_config(BART_SHAPES[shape])
    gen.update(
        bos_token_id=config.bos_token_id,
        eos_token_id=config.eos_token_id,
        pad_token_id=config.pad_token_id,
        decoder_start_token_id=config.decoder_start_token_id,
    )
    return GenerationConfig(**gen)


def _train_byte_bpe(
    lines: tuple[str, ...], vocab_size: int, special_tokens: list[str]
) -> tuple[dict[str, int], list[str]]:
    """Byte-level BPE (GPT-2 / RoBERTa style); returns (vocab, merges as 'a b' lines)."""
    from tokenizers import ByteLevelBPETokenizer

    bpe = ByteLevelBPETokenizer(add_prefix_space=False)
    bpe.train_from_iterator(
        list(lines),
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=special_tokens,
        show_progress=False,
    )
    spec = json.loads(bpe._tokenizer.to_str())
    vocab = spec["model"]["vocab"]
    merges = [m if isinstance(m, str) else " ".join(m) for m in spec["model"]["merges"]]
    return dict(sorted(vocab.items(), key=lambda kv: kv[1])), merges


def _write_bpe_files(out_dir: Path, vocab: dict[str, int], merges: list[str]) -> None:
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (out_dir / "merges.txt").write_text(
        "#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8"
    )


def build_bart(
    out_dir: Path, *, size: str = "tiny", seed: int = 0, weights: bool = True,
    shape: str = "12-6",
) -> Path:
    """A BartForConditionalGeneration + byte-level BPE BartTokenizer like distilbart-cnn-12-6
    (``shape="12-6"``) or distilbart-cnn-6-6 (``shape="6-6"``: the same but for the encoder).

    Special tokens as in BART: ``<s>`` 0, ``<pad>`` 1, ``</s>`` 2, ``<unk>`` 3, and ``<mask>``
    as the last vocab.json entry. As published, ``<mask>`` lies one past the model's
    ``vocab_size`` (distilbart-cnn: vocab.json 50265 entries, vocab_size 50264), so
    ``len(tokenizer) == config.vocab_size + 1``. ``size="full"`` has the published dims and
    vocab size (dummy tokens pad vocab.json before ``<mask>``). ``weights=False`` skips weights.
    """
    import torch
    from transformers import BartForConditionalGeneration, BartTokenizer

    _check("size", size, BART_SIZES)
    _check("shape", shape, BART_SHAPES)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    _seed_all(seed)
    vocab, merges = _train_byte_bpe(
        _read_lines("en"), _BPE_VOCAB[size], ["<s>", "<pad>", "</s>", "<unk>"]
    )
    if size == "full":
        n_dummy = DISTILBART_VOCAB_SIZE - len(vocab)
        if n_dummy < 0:  # pragma: no cover
            raise RuntimeError(f"trained vocab too large: {len(vocab)}")
        for tok in _dummy_tokens(n_dummy, "bart_dummy"):
            vocab[tok] = len(vocab)
    model_vocab_size = len(vocab)
    vocab["<mask>"] = len(vocab)
    _write_bpe_files(out_dir, vocab, merges)

    # transformers 5: vocab= / merges= take the file paths (vocab_file= is silently ignored).
    tok = BartTokenizer(
        vocab=str(out_dir / "vocab.json"),
        merges=str(out_dir / "merges.txt"),
        model_max_length=1024,
    )
    probe = "Welsh AMs worried"
    ids = tok(probe)["input_ids"]
    if len(ids) <= 2 or tok.decode(ids, skip_special_tokens=True) != probe:  # pragma: no cover
        raise RuntimeError(f"BART tokenizer does not round-trip: {ids}")
    tok.save_pretrained(out_dir)
    # BartTokenizer is an alias of RobertaTokenizer in transformers 5, so save_pretrained writes
    # "RobertaTokenizer"; the published checkpoint names BartTokenizer (both load the same).
    _patch_json(out_dir / "tokenizer_config.json", tokenizer_class="BartTokenizer")

    config = bart_config(size, model_vocab_size, shape=shape)
    config.save_pretrained(out_dir)
    gen = _bart_generation_config(config, shape)
    gen.save_pretrained(out_dir)
    if weights:
        _seed_all(seed)
        with torch.no_grad():
            model = BartForConditionalGeneration(config)
        model.generation_config = gen
        _save_model(model, out_dir)
    return out_dir


# --------------------------------------------------------------------------- T5

T5_SUMMARIZATION_PARAMS: dict[str, Any] = {
    # as t5-small publishes them in config.task_specific_params
    "early_stopping": True,
    "length_penalty": 2.0,
    "max_length": 200,
    "min_length": 30,
    "no_repeat_ngram_size": 3,
    "num_beams": 4,
    "prefix": "summarize: ",
}


def build_t5(out_dir: Path, *, seed: int = 0, extra_ids: int = 100) -> Path:
    """A tiny T5ForConditionalGeneration + SentencePiece-unigram T5Tokenizer (prompt-prefix
    summarizers: ``config.task_specific_params["summarization"]["prefix"] == "summarize: "``).

    Vocab as in T5: ``<pad>`` 0, ``</s>`` 1, ``<unk>`` 2, the pieces, then ``<extra_id_N>``
    sentinels in reverse (``<extra_id_0>`` last). ``spiece.model`` is written alongside
    ``tokenizer.json``; the tokenizer is built with ``T5Tokenizer(vocab=[(piece, score), ...])``
    plus the model's nmt_nfkc charsmap.
    """
    import torch
    from transformers import GenerationConfig, T5Config, T5ForConditionalGeneration, T5Tokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    proto = _train_spm(
        _read_lines("en"), 2000, seed, pad_id=0, eos_id=1, unk_id=2, bos_id=-1
    )
    (out_dir / "spiece.model").write_bytes(proto)
    pieces = _spm_pieces(proto)
    vocab = [(piece, score if kind == "normal" else 0.0) for piece, score, kind in pieces]
    if [p for p, _ in vocab[:3]] != ["<pad>", "</s>", "<unk>"]:  # pragma: no cover
        raise RuntimeError(f"unexpected T5 special pieces: {vocab[:3]}")
    vocab += [(f"<extra_id_{i}>", 0.0) for i in range(extra_ids - 1, -1, -1)]

    tok = T5Tokenizer(
        vocab=vocab,
        extra_ids=extra_ids,
        _spm_precompiled_charsmap=_spm_charsmap(proto),
        model_max_length=512,
    )
    tok.save_pretrained(out_dir)

    config = T5Config(
        vocab_size=len(vocab),
        d_model=32,
        d_kv=8,
        d_ff=64,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        relative_attention_num_buckets=32,
        relative_attention_max_distance=128,
        dropout_rate=0.1,
        feed_forward_proj="relu",
        tie_word_embeddings=True,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        n_positions=512,
        architectures=["T5ForConditionalGeneration"],
        task_specific_params={"summarization": dict(T5_SUMMARIZATION_PARAMS)},
    )
    config.save_pretrained(out_dir)
    gen = GenerationConfig(pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)
    gen.save_pretrained(out_dir)
    _seed_all(seed)
    with torch.no_grad():
        model = T5ForConditionalGeneration(config)
    model.generation_config = gen
    _save_model(model, out_dir)
    return out_dir


# --------------------------------------------------------------------------- chat LM

CHAT_SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def build_chat_lm(out_dir: Path, *, seed: int = 0) -> Path:
    """A tiny Qwen2ForCausalLM + Qwen2Tokenizer (byte-level BPE trained on the English and
    Arabic text) with a ChatML ``chat_template`` (system / user / assistant roles,
    ``add_generation_prompt``), like an instruction-tuned Qwen2.5.

    ``<|endoftext|>`` 0 (pad), ``<|im_start|>`` 1, ``<|im_end|>`` 2 (eos; generation stops on
    either ``<|im_end|>`` or ``<|endoftext|>``). Greedy by default (``do_sample=False``).
    """
    import torch
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM, Qwen2Tokenizer
    from transformers.models.qwen2.tokenization_qwen2 import PRETOKENIZE_REGEX

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    # Train with the same normaliser / pre-tokenizer Qwen2Tokenizer builds around vocab+merges.
    bpe = Tokenizer(models.BPE())
    bpe.normalizer = normalizers.NFC()
    bpe.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(PRETOKENIZE_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1500,
        min_frequency=2,
        special_tokens=CHAT_SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(list(_read_lines("en")) + list(_read_lines("ar")), trainer=trainer)
    spec = json.loads(bpe.to_str())
    vocab = dict(sorted(spec["model"]["vocab"].items(), key=lambda kv: kv[1]))
    merges = [m if isinstance(m, str) else " ".join(m) for m in spec["model"]["merges"]]
    _write_bpe_files(out_dir, vocab, merges)

    tok = Qwen2Tokenizer(
        vocab=str(out_dir / "vocab.json"),
        merges=str(out_dir / "merges.txt"),
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        bos_token=None,
        additional_special_tokens=["<|im_start|>"],
        chat_template=CHAT_TEMPLATE,
        model_max_length=2048,
    )
    tok.save_pretrained(out_dir)

    ids = {t: tok.convert_tokens_to_ids(t) for t in CHAT_SPECIAL_TOKENS}
    config = Qwen2Config(
        vocab_size=len(tok),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
        architectures=["Qwen2ForCausalLM"],
    )
    config.save_pretrained(out_dir)
    gen = GenerationConfig(
        eos_token_id=[ids["<|im_end|>"], ids["<|endoftext|>"]],
        pad_token_id=ids["<|endoftext|>"],
        do_sample=False,
    )
    gen.save_pretrained(out_dir)
    _seed_all(seed)
    with torch.no_grad():
        model = Qwen2ForCausalLM(config)
    model.generation_config = gen
    _save_model(model, out_dir)
    return out_dir
