"""Model-free parts of summarizing: sentences, lead-N, prompt templates, lengths, chunk plans,
chat-answer clean-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from arabic_digest.summarize.chunking import plan_windows
from arabic_digest.summarize.families import strip_preamble
from arabic_digest.summarize.lead import LeadSummarizer
from arabic_digest.summarize.length import LengthError, resolve_length
from arabic_digest.summarize.loading import build_summarizer, is_lead
from arabic_digest.summarize.prompts import (
    PromptError,
    available_prompts,
    load_prompt,
    parse_prompt,
)
from arabic_digest.summarize.sentences import split_sentences
from arabic_digest.summarize.summarizer import SummarizerLoadError
from transformers import AutoTokenizer

# --------------------------------------------------------------------------- sentences

NEWS = ("Mr. Hatami said on Tuesday that U.S. forces must leave Iraq. \"The region will be "
        "safer,\" he told reporters in Tehran. Growth reached 3.5 percent in Jan. 2021! Why now? "
        "Officials did not say.\nA second paragraph follows. It has two sentences.")
NEWS_SENTENCES = [
    "Mr. Hatami said on Tuesday that U.S. forces must leave Iraq.",
    "\"The region will be safer,\" he told reporters in Tehran.",
    "Growth reached 3.5 percent in Jan. 2021!",
    "Why now?",
    "Officials did not say.",
    "A second paragraph follows.",
    "It has two sentences.",
]


def test_split_sentences_keeps_abbreviations_numbers_and_quotes() -> None:
    assert split_sentences(NEWS) == NEWS_SENTENCES


def test_split_sentences_loses_nothing_but_whitespace() -> None:
    text = (Path(__file__).resolve().parents[1].parent / "shared" / "data"
            / "ntrex-ar-en-dev.en").read_text("utf-8")
    sentences = split_sentences(text)
    assert "".join("".join(s.split()) for s in sentences) == "".join(text.split())
    assert len(sentences) >= len(text.splitlines())


def test_lead_3_is_exactly_the_first_three_sentences() -> None:
    [summary] = LeadSummarizer(3).summarize([NEWS])
    assert summary.text == " ".join(NEWS_SENTENCES[:3])
    assert (summary.chunks, summary.passes, summary.input_truncated) == (1, 1, False)
    # Fewer sentences than N: all of them; a paragraph without a full stop is a sentence.
    assert LeadSummarizer(3).summarize(["Headline without stop\nOne. Two."])[0].text == \
        "Headline without stop One. Two."
    assert LeadSummarizer(9).summarize([NEWS])[0].text == " ".join(NEWS_SENTENCES)


def test_lead_n_is_picked_by_name_and_rejects_model_options() -> None:
    assert is_lead("lead-3") and is_lead("lead-12")
    assert not is_lead("lead-0") and not is_lead("lead-x") and not is_lead("my-lead-3")
    assert build_summarizer("lead-5").sentences == 5
    with pytest.raises(SummarizerLoadError, match="do not apply"):
        build_summarizer("lead-3", length=resolve_length("short"))
    with pytest.raises(SummarizerLoadError, match="do not apply"):
        build_summarizer("lead-3", prompt="news-digest")


# --------------------------------------------------------------------------- prompts


def test_shipped_prompts_load_and_render_their_placeholders() -> None:
    assert {"t5-summarize", "news-digest", "headline"} <= set(available_prompts())
    t5 = load_prompt("t5-summarize")
    assert t5.system is None
    assert t5.render_plain(text="Body.", title="T", max_words=30) == "summarize: Body."
    digest = load_prompt("news-digest")
    assert digest.uses("title") and digest.uses("max_words") and not digest.uses("min_words")
    system, user = digest.render(text="The body.", title="The title", max_words=42)
    assert system and "news editor" in system and "{" not in system
    assert "at most 42 words" in user and "Title: The title" in user
    assert user.endswith("The body.")
    assert digest.record() == {"name": "news-digest", "sha256": digest.sha256}
    assert len(digest.sha256) == 64 and digest.manifest()["text"] == digest.text


def test_prompt_by_path_and_literal_braces(tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_text("Summarize in {{JSON}}: {text} ({min_words}-{max_words} words)\n", "utf-8")
    prompt = load_prompt(str(path))
    assert prompt.name == "mine"
    assert prompt.render_plain(text="x", max_words=9, min_words=3) == \
        "Summarize in {JSON}: x (3-9 words)"


@pytest.mark.parametrize(("text", "message"), [
    ("Summarize {txt}", "unknown placeholder {txt}"),
    ("Summarize {text} as {text.upper}", "unknown placeholder {text.upper}"),
    ("Summarize {text!r}", "no format spec"),
    ("Summarize {text:>10}", "no format spec"),
    ("Summarize { text", "literal braces"),
    ("Summarize {}", "unknown placeholder {(empty)}"),
    ("Summarize the title {title}", "must contain {text}"),
    ("[system]\nYou summarize {text}.", "[user] section is required"),
    ("Intro\n[user]\n{text}", "text before the first"),
    ("   \n", "empty"),
])
def test_broken_templates_are_rejected_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(PromptError, match=message.replace("{", r"\{").replace("(", r"\(")
                       .replace("[", r"\[").replace(")", r"\)").replace("}", r"\}")):
        parse_prompt(text, "broken")


def test_missing_prompt_names_the_shipped_ones(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="unknown prompt 'nope'.*news-digest"):
        load_prompt("nope")
    with pytest.raises(PromptError, match="not found"):
        load_prompt(str(tmp_path / "missing.txt"))


def test_prompt_folder_is_packaged() -> None:
    """The templates ship with an installed package (pyproject.toml package data)."""
    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parents[1]
    cfg = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    assert "arabic_digest.prompts" in cfg["packages"]
    assert cfg["package-dir"]["arabic_digest.prompts"] == "prompts"
    assert "*.txt" in cfg["package-data"]["arabic_digest.prompts"]


# --------------------------------------------------------------------------- lengths


def test_length_presets_and_overrides() -> None:
    assert resolve_length() == resolve_length(None, None, None)
    assert (resolve_length().min_tokens, resolve_length().max_tokens) == (None, None)
    short = resolve_length("short")
    assert (short.min_tokens, short.max_tokens, short.preset) == (10, 60, "short")
    assert resolve_length("long", max_tokens=100).max_tokens == 100
    assert resolve_length("medium", min_tokens=5).min_tokens == 5
    assert resolve_length("short", max_tokens=4).min_tokens == 4  # the preset's min follows
    with pytest.raises(LengthError, match="larger than"):
        resolve_length(None, 50, 10)
    with pytest.raises(LengthError, match="one of short, medium, long"):
        resolve_length("tiny")


# --------------------------------------------------------------------------- chat answers


@pytest.mark.parametrize(("answer", "expected"), [
    ("Sure! Here is a summary of the article:\n\nIran's minister spoke.", "Iran's minister spoke."),
    ("Here's a concise summary in 50 words:\nIran's minister spoke.", "Iran's minister spoke."),
    ("**Summary:** Iran's minister spoke.", "Iran's minister spoke."),
    ("Summary (40 words): Iran's minister spoke.", "Iran's minister spoke."),
    ("<think>The user wants...</think>\nIran's minister spoke.", "Iran's minister spoke."),
    ("\"Iran's minister spoke.\"", "Iran's minister spoke."),
    # no preamble: left alone
    ("Okay, the talks failed.", "Okay, the talks failed."),
    ("The minister said: troops will leave.", "The minister said: troops will leave."),
    ("Here, in Baghdad, talks began.", "Here, in Baghdad, talks began."),
])
def test_strip_preamble(answer: str, expected: str) -> None:
    assert strip_preamble(answer) == expected


# --------------------------------------------------------------------------- chunk plans


def long_article(paragraphs: int = 60) -> list[str]:
    """Real English news, grouped into paragraphs of a few sentences each."""
    data = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    lines = (data / "ntrex-ar-en-dev.en").read_text("utf-8").splitlines()
    return [" ".join(lines[i:i + 4]) for i in range(0, 4 * paragraphs, 4)]


def check_coverage(paragraphs: list[str], windows, count, window: int) -> None:
    """Every paragraph in exactly one window, in order, unless it alone is over the window;
    then its parts, in order, in consecutive windows, rebuild it."""
    seen: dict[int, list] = {}
    for w in windows:
        assert count(w.text) <= window
        for piece in w.pieces:
            seen.setdefault(piece.paragraph, []).append(piece)
    assert sorted(seen) == list(range(len(paragraphs)))
    order = [p.paragraph for w in windows for p in w.pieces]
    assert order == sorted(order)
    for i, para in enumerate(paragraphs):
        pieces = seen[i]
        if count(para) <= window:
            assert [p.text for p in pieces] == [para]
            assert sum(piece in w.pieces for w in windows for piece in pieces) == 1
        else:
            assert [p.part for p in pieces] == list(range(len(pieces))) and len(pieces) > 1
            assert " ".join(p.text for p in pieces).split() == para.split()


def test_windows_cover_every_paragraph_exactly_once(bart_dir: Path) -> None:
    tok = AutoTokenizer.from_pretrained(bart_dir)

    def count(text: str) -> int:
        return len(tok(text, add_special_tokens=False, verbose=False)["input_ids"])

    paragraphs = long_article()
    text = "\n".join(paragraphs)
    assert count(text) > 3000
    windows = plan_windows(text, count, 1022)
    assert len(windows) >= 3
    check_coverage(paragraphs, windows, count, 1022)
    # The window text is the paragraphs themselves, one per line.
    assert "\n".join(w.text for w in windows) == text


def test_a_paragraph_over_the_window_is_split_at_sentences(bart_dir: Path) -> None:
    tok = AutoTokenizer.from_pretrained(bart_dir)

    def count(text: str) -> int:
        return len(tok(text, add_special_tokens=False, verbose=False)["input_ids"])

    paragraphs = long_article(12)
    paragraphs[3] = " ".join(paragraphs[3:9])  # one paragraph of ~24 sentences
    del paragraphs[4:9]
    window = 300
    assert count(paragraphs[3]) > window
    windows = plan_windows("\n".join(paragraphs), count, window)
    check_coverage(paragraphs, windows, count, window)
    parts = [p.text for w in windows for p in w.pieces if p.paragraph == 3]
    sentences = split_sentences(paragraphs[3])
    assert set(parts) <= set(sentences)  # cut at sentence boundaries, never inside one
    # A sentence longer than the window itself falls back to whole words.
    words = " ".join(["word"] * 400)
    windows = plan_windows(words, count, 100)
    assert all(count(w.text) <= 100 for w in windows)
    assert " ".join(w.text for w in windows) == words


def test_prompt_records_are_json(tmp_path: Path) -> None:
    assert json.loads(json.dumps(load_prompt("news-digest").manifest()))["name"] == "news-digest"
