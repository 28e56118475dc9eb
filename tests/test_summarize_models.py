"""The summarizer families on tiny real models: BART (no prompt), T5 (prompt prefix) and a
decoder-only chat model (chat template); map-reduce over a long article; length control."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from arabic_digest.summarize.chunking import ChunkedSummarizer
from arabic_digest.summarize.families import CHAT, ENCODER_DECODER, TEXT_TO_TEXT
from arabic_digest.summarize.length import resolve_length
from arabic_digest.summarize.loading import build_summarizer
from arabic_digest.summarize.prompts import PromptError, load_prompt
from arabic_digest.summarize.summarizer import SummarizerLoadError, TransformersSummarizer

from tests.test_summarize_units import check_coverage, long_article

SHORT = ["The minister said the troops will leave Iraq. The government agreed on Tuesday.",
         "A court in Cairo sentenced two men. Their lawyers will appeal."]


def untied_chat_lm(src: Path, dst: Path) -> Path:
    """The factory's chat LM with untied output embeddings, re-initialised: its tied tiny
    weights only ever echo the last prompt token ("\\n"), so every answer would be blank."""
    import torch
    from transformers import AutoConfig, GenerationConfig, Qwen2ForCausalLM

    shutil.copytree(src, dst)
    config = AutoConfig.from_pretrained(dst)
    config.tie_word_embeddings = False
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig.from_pretrained(dst)
    model.save_pretrained(dst)
    return dst


@pytest.fixture(scope="session")
def chat_dir(tmp_path_factory: pytest.TempPathFactory, chat_lm_dir: Path) -> Path:
    return untied_chat_lm(chat_lm_dir, tmp_path_factory.mktemp("chat") / "untied")


def test_bart_family_takes_no_prompt_and_honours_lengths(bart_dir: Path) -> None:
    s = TransformersSummarizer(str(bart_dir), device="cpu", min_length=3, max_length=6)
    assert s.family == ENCODER_DECODER and s.prompt is None
    assert s.window == 1024 - 2  # <s> and </s>
    settings = s.settings()
    assert (settings["min_new_tokens"], settings["max_new_tokens"]) == (3, 6)
    assert settings["num_beams"] == 4  # the model's own generation config otherwise
    out = s.summarize(SHORT)
    assert [o.prompt for o in out] == [None, None]
    for o in out:
        n = len(s.tokenizer(o.text, add_special_tokens=False)["input_ids"])
        assert 1 <= n <= 6
    with pytest.raises(SummarizerLoadError, match="takes no prompt"):
        TransformersSummarizer(str(bart_dir), device="cpu", prompt="news-digest")


def test_bart_defaults_to_its_generation_config(bart_dir: Path) -> None:
    s = TransformersSummarizer(str(bart_dir), device="cpu")
    assert (s.min_new_tokens(), s.max_new_tokens()) == (55, 141)  # distilbart's 56/142
    low = TransformersSummarizer(str(bart_dir), device="cpu", max_length=20)
    assert (low.min_new_tokens(), low.max_new_tokens()) == (20, 20)  # min follows a low max


def test_t5_family_uses_the_prompt_prefix(t5_dir: Path) -> None:
    s = TransformersSummarizer(str(t5_dir), device="cpu", max_length=5)
    assert s.family == TEXT_TO_TEXT
    assert s.prompt.name == "t5-summarize"
    assert s._render("Body text.", None) == "summarize: Body text."
    # task_specific_params["summarization"] decoding, as the transformers pipeline applies it
    assert s.generation_config.num_beams == 4 and s.generation_config.no_repeat_ngram_size == 3
    prefix = len(s._encode("summarize: ")) - 1  # without </s>
    assert s.window == 512 - prefix - 1
    out = s.summarize(SHORT)
    assert all(o.prompt == load_prompt("t5-summarize").record() for o in out)
    assert all(o.text for o in out)


def test_chat_family_renders_system_and_user_messages(chat_dir: Path) -> None:
    s = TransformersSummarizer(str(chat_dir), device="cpu", max_length=6)
    assert s.family == CHAT and s.prompt.name == "news-digest"
    assert s.generation_config.do_sample is False
    rendered = s._render("Body text.", "A title")
    assert rendered.startswith("<|im_start|>system\nYou are a news editor")
    assert "<|im_start|>user\nSummarize this news article in at most 4 words." in rendered
    assert "Title: A title" in rendered and rendered.endswith("<|im_start|>assistant\n")
    # the answer shares the positions with the prompt: the window leaves room for both
    assert s.window == 2048 - len(s._encode(s._render("", None))) - 48 - 6
    out = s.summarize(SHORT, titles=["Troops", None])
    assert all(o.text and "<|im" not in o.text and "assistant" not in o.text for o in out)
    # batching with left padding gives what each text gets alone
    assert [o.text for o in out] == [s.summarize([t], titles=[ti])[0].text
                                     for t, ti in zip(SHORT, ["Troops", None])]


def test_chat_model_without_template_is_refused(tmp_path: Path, chat_lm_dir: Path) -> None:
    plain = tmp_path / "plain-lm"
    shutil.copytree(chat_lm_dir, plain)
    cfg_path = plain / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text("utf-8"))
    cfg.pop("chat_template", None)
    cfg_path.write_text(json.dumps(cfg), "utf-8")
    (plain / "chat_template.jinja").unlink(missing_ok=True)
    with pytest.raises(SummarizerLoadError, match="without a chat template"):
        TransformersSummarizer(str(plain), device="cpu")


def test_broken_prompt_fails_before_the_model_is_read(tmp_path: Path, t5_dir: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("summarize: {article}", "utf-8")
    # A folder with only the config: reading weights would fail with SummarizerLoadError.
    config_only = tmp_path / "config-only"
    config_only.mkdir()
    shutil.copy(t5_dir / "config.json", config_only)
    with pytest.raises(PromptError, match="unknown placeholder"):
        TransformersSummarizer(str(config_only), device="cpu", prompt=str(bad))
    with pytest.raises(SummarizerLoadError):  # the same folder with a good prompt
        TransformersSummarizer(str(config_only), device="cpu", prompt="t5-summarize")


def test_long_article_is_summarized_map_reduce(bart_dir: Path) -> None:
    """More than 3000 tokens: several windows, every paragraph in exactly one, then reduce."""
    summarizer = build_summarizer(str(bart_dir), device="cpu", length=resolve_length(None, 2, 6))
    assert isinstance(summarizer, ChunkedSummarizer)
    inner = summarizer.inner
    inner.generation_config.num_beams = 1  # quicker; beams do not change the plumbing
    paragraphs = long_article(60)
    text = "\n".join(paragraphs)
    assert summarizer.count_tokens(text) > 3000
    windows = summarizer.plan(text)
    assert len(windows) > 1
    check_coverage(paragraphs, windows, inner.count_tokens, inner.window)
    long_summary, short_summary = summarizer.summarize([text, SHORT[0]])
    assert long_summary.text and long_summary.chunks == len(windows)
    assert long_summary.passes == 2 and long_summary.input_truncated is False
    assert (short_summary.chunks, short_summary.passes) == (1, 1)
    record = long_summary.to_record()
    assert record["chunks"] == len(windows) and record["passes"] == 2
    # Without the wrapper the same text would be cut, and says so.
    assert inner.summarize([text])[0].input_truncated is True


def test_reduce_passes_repeat_until_one_summary_fits(t5_dir: Path) -> None:
    """A small window forces more than one reduce pass; the count is recorded."""
    inner = TransformersSummarizer(str(t5_dir), device="cpu", min_length=4, max_length=4)
    inner.generation_config.num_beams = 1
    inner.window = 40  # a pretend small model: 4-token summaries, 40-token windows
    summarizer = ChunkedSummarizer(inner)
    text = "\n".join(long_article(12))
    [summary] = summarizer.summarize([text])
    assert summary.chunks == len(summarizer.plan(text)) > 10
    assert summary.passes >= 3


def test_reduce_that_cannot_shrink_still_gives_a_summary_marked_truncated(t5_dir: Path) -> None:
    """Summaries as long as the window never shrink: the article still gets a summary, made
    from the first window of the partial summaries, and the record says input was cut."""
    inner = TransformersSummarizer(str(t5_dir), device="cpu", min_length=30, max_length=30)
    inner.generation_config.num_beams = 1
    inner.window = 40  # each 30-token partial summary needs a window of its own
    summarizer = ChunkedSummarizer(inner)
    [summary] = summarizer.summarize(["\n".join(long_article(6))])
    assert summary.text and summary.chunks > 1
    assert summary.input_truncated is True and summary.passes == 2
