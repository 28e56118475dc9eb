"""Shared fixtures: locally built models (the Hub is unreachable) and the shared test data."""

from __future__ import annotations

import os

# Any accidental Hub lookup must fail fast instead of waiting for a network timeout.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
# Models converted to CTranslate2 go to a fresh folder, never the user's cache (the CLI
# subprocesses of the tests inherit it). Each pytest-xdist worker gets its own, since the
# workers inherit the controller's environment and tests assert what a first run converts.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if "ARABIC_DIGEST_CACHE" not in os.environ or _WORKER:
    import tempfile

    os.environ["ARABIC_DIGEST_CACHE"] = tempfile.mkdtemp(
        prefix=f"arabic-digest-test-cache-{_WORKER or 'main'}-")
# Tiny models gain nothing from threads, and on a shared 2-core machine torch's thread pools
# oversubscribe badly (seen here: 10x slower). Subprocesses of the tests inherit this.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests import modelfactory  # noqa: E402


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``<repo root>/../shared/data`` (read-only real text; never copy it into the repo)."""
    path = modelfactory.shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared test data not found at {path}")
    return path


@pytest.fixture(scope="session")
def marian_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny MarianMTModel + MarianTokenizer shaped like Helsinki-NLP/opus-mt-ar-en."""
    return modelfactory.build_marian(tmp_path_factory.mktemp("marian"), size="tiny", seed=0)


@pytest.fixture(scope="session")
def bart_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny BartForConditionalGeneration + BartTokenizer shaped like distilbart-cnn-12-6."""
    return modelfactory.build_bart(tmp_path_factory.mktemp("bart"), size="tiny", seed=0)


@pytest.fixture(scope="session")
def tc_big_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny MarianMTModel shaped like Helsinki-NLP/opus-mt-tc-big-ar-en (the `best` preset):
    relu, 1024 positions, </s> in the middle of the vocabulary."""
    return modelfactory.build_marian(tmp_path_factory.mktemp("tc_big"), size="tiny",
                                     shape="tc-big", seed=0)


@pytest.fixture(scope="session")
def bart66_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny BART shaped like sshleifer/distilbart-cnn-6-6 (the `fast` preset's summarizer)."""
    return modelfactory.build_bart(tmp_path_factory.mktemp("bart66"), size="tiny", shape="6-6",
                                   seed=0)


@pytest.fixture(scope="session")
def t5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny T5ForConditionalGeneration + T5Tokenizer (prefix "summarize: ")."""
    return modelfactory.build_t5(tmp_path_factory.mktemp("t5"), seed=0)


@pytest.fixture(scope="session")
def chat_lm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny Qwen2ForCausalLM + Qwen2Tokenizer with a ChatML chat_template."""
    return modelfactory.build_chat_lm(tmp_path_factory.mktemp("chat_lm"), seed=0)


@pytest.fixture(scope="session")
def fast_marian(tmp_path_factory: pytest.TempPathFactory, marian_dir: Path) -> Path:
    """The tiny Marian with a generation limit of 8 tokens: runs (and kill tests) that need
    many quick batches."""
    import json
    import shutil

    path = tmp_path_factory.mktemp("fast") / "marian"
    shutil.copytree(marian_dir, path)
    gen = json.loads((path / "generation_config.json").read_text())
    gen["max_length"] = 8
    (path / "generation_config.json").write_text(json.dumps(gen))
    return path


# The modules that take longest, longest first (`--durations=0` per module, docs/testing.md).
# Under `--dist loadscope` a module runs whole on one worker, in collection order: a long
# module collected last leaves the other worker idle at the end, so they go first.
LONGEST_FIRST = ("test_nothing_lost", "test_bench", "test_robust_runs", "test_newcomer",
                 "test_stories", "test_scale", "test_run", "test_ct2_cli", "test_hostile",
                 "test_trust", "test_translate", "test_collected_inputs", "test_library")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.module.__name__.rsplit(".", 1)[-1]
                                         if item.module else "", len(rank)))
