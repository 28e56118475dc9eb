"""Prompt templates: plain-text files in the top-level `prompts/` folder, `{name}` placeholders.

A template is one file per purpose (`prompts/t5-summarize.txt`, `prompts/news-digest.txt`).
It may be split into a system and a user message with `[system]` and `[user]` header lines;
without headers the whole file is the user message. Chat models get both messages through
their chat template; text-to-text models (T5) get the system part, a blank line, then the user
part.

Why `str.format` placeholders and not Jinja2: the templates hold no logic, only a few named
slots; `string.Formatter().parse` lists every placeholder of a file statically, so an unknown
or malformed one is rejected when the file is loaded, before any model, and attribute or index
access (`{text.__class__}`) is refused. Literal braces are written `{{` and `}}`.
"""

from __future__ import annotations

import hashlib
import os
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The placeholders a template may use, and what they hold.
PLACEHOLDERS = {
    "text": "the English text to summarize (required)",
    "title": "the English title of the article ('' when it has none)",
    "max_words": "the longest summary asked for, in words (about 3/4 of the token limit)",
    "min_words": "the shortest summary asked for, in words (0 when there is no minimum)",
}
_SECTIONS = ("[system]", "[user]")
ENV_VAR = "ARABIC_DIGEST_PROMPTS"


class PromptError(ValueError):
    """A prompt template that is missing or malformed."""


def prompts_dir() -> Path:
    """The shipped templates: `prompts/` beside the `summarize` package, in a checkout and in
    an installed distribution alike (pyproject.toml ships the folder as package data)."""
    return Path(__file__).resolve().parents[1] / "prompts"


def available_prompts() -> list[str]:
    d = prompts_dir()
    return sorted(p.stem for p in d.glob("*.txt")) if d.is_dir() else []


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    text: str  # the file's full text, as stored in the run manifest
    system: str | None
    user: str
    source: str = ""  # where it was read from

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def record(self) -> dict[str, str]:
        """What each output record stores: the name and a hash of the text."""
        return {"name": self.name, "sha256": self.sha256}

    def manifest(self) -> dict[str, str]:
        return {**self.record(), "text": self.text, "source": self.source}

    def uses(self, placeholder: str) -> bool:
        return placeholder in _fields(self.system or "") | _fields(self.user)

    def render(self, text: str, title: str | None = None, max_words: int | None = None,
               min_words: int | None = None) -> tuple[str | None, str]:
        """(system message or None, user message)."""
        values: dict[str, Any] = {"text": text, "title": title or "",
                                  "max_words": max_words if max_words is not None else "",
                                  "min_words": min_words or 0}
        system = self.system.format(**values) if self.system is not None else None
        return system, self.user.format(**values)

    def render_plain(self, **kwargs: Any) -> str:
        """One string, for models without a chat template."""
        system, user = self.render(**kwargs)
        return f"{system}\n\n{user}" if system else user


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}


def _check(template: str, where: str) -> None:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise PromptError(f"{where}: {exc} (write {{{{ and }}}} for literal braces)") from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            shown = field or "(empty)"
            raise PromptError(f"{where}: unknown placeholder {{{shown}}}; known: {known}")
        if spec or conversion:
            raise PromptError(f"{where}: placeholder {{{field}}} takes no format spec or "
                              "conversion")


def parse_prompt(text: str, name: str, source: str = "") -> PromptTemplate:
    """Validate a template's text; raises PromptError naming the file and the problem."""
    where = f"prompt {name!r}" + (f" ({source})" if source else "")
    sections: dict[str, list[str]] = {}
    current: str | None = None
    preamble: list[str] = []
    for line in text.splitlines():
        header = line.strip().lower()
        if header in _SECTIONS:
            current = header.strip("[]")
            if current in sections:
                raise PromptError(f"{where}: {line.strip()} appears twice")
            sections[current] = []
        elif current is None:
            preamble.append(line)
        else:
            sections[current].append(line)
    if sections and "\n".join(preamble).strip():
        raise PromptError(f"{where}: text before the first [system]/[user] header")
    if not sections:
        sections["user"] = preamble
    if "user" not in sections:
        raise PromptError(f"{where}: a [user] section is required")
    system = "\n".join(sections["system"]).strip() if "system" in sections else None
    user = "\n".join(sections["user"]).strip("\n")
    if not text.strip():
        raise PromptError(f"{where}: the template is empty")
    for part in (system or "", user):
        _check(part, where)
    if "text" not in _fields(user) | _fields(system or ""):
        raise PromptError(f"{where}: the template must contain {{text}}")
    return PromptTemplate(name=name, text=text, system=system, user=user, source=source)


def load_prompt(name_or_path: str) -> PromptTemplate:
    """A shipped template by name (`news-digest`), or any file by path (`./my-prompt.txt`).

    `$ARABIC_DIGEST_PROMPTS` names one more folder searched first for names.
    """
    path = Path(name_or_path)
    looks_like_path = path.suffix == ".txt" or "/" in name_or_path or "\\" in name_or_path
    if looks_like_path:
        if not path.is_file():
            raise PromptError(f"prompt file not found: {name_or_path}")
        name = path.stem
    else:
        folders = [Path(os.environ[ENV_VAR])] if os.environ.get(ENV_VAR) else []
        folders.append(prompts_dir())
        found = [f / f"{name_or_path}.txt" for f in folders]
        found = [f for f in found if f.is_file()]
        if not found:
            known = ", ".join(available_prompts()) or "none found"
            raise PromptError(f"unknown prompt {name_or_path!r}: no {name_or_path}.txt in "
                              f"{', '.join(str(f) for f in folders)} (shipped: {known}); "
                              "or pass a path to a .txt file")
        path, name = found[0], name_or_path
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(f"cannot read prompt {path}: {exc}") from None
    return parse_prompt(text, name, str(path))
