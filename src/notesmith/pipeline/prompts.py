"""Prompt templates: text files with {{named}} placeholders; a workspace's prompts/ overrides ours."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from notesmith.errors import ConfigError
from notesmith.inputs import Input

PACKAGED = Path(__file__).resolve().parent.parent / "prompts"
NAMES = ("system", "route", "draft", "update", "quotes", "synopsis", "style")
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")

LANGUAGES = {
    "en": "English", "ru": "Russian", "uk": "Ukrainian", "de": "German", "fr": "French",
    "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "pl": "Polish",
    "tr": "Turkish", "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "be": "Belarusian",
}


def language_name(code: str) -> str:
    """A language's English name from its ISO 639-1 code (the code itself when unknown)."""
    return LANGUAGES.get(code.lower(), code)


class Prompts:
    """The templates a workspace uses: its own prompts/ file by file, else the packaged ones."""

    def __init__(self, folder: Path | None = None, style_file: Path | None = None):
        self.folder = folder
        self.style_file = style_file
        self._cache: dict[str, str] = {}

    def template(self, name: str) -> str:
        if name not in self._cache:
            candidates = []
            if name == "style" and self.style_file is not None:
                candidates.append(self.style_file)
            if self.folder is not None:
                candidates.append(self.folder / f"{name}.md")
            candidates.append(PACKAGED / f"{name}.md")
            for path in candidates:
                if path.is_file():
                    try:
                        self._cache[name] = path.read_text(encoding="utf-8")
                    except (OSError, UnicodeDecodeError) as exc:
                        raise ConfigError(f"cannot read prompt template ({exc}); fix or remove it",
                                          path=path) from None
                    break
            else:
                raise ConfigError(f"no prompt template named {name!r}")
        return self._cache[name]

    def render(self, name: str, **values: str) -> str:
        """A template with its placeholders filled; an unknown placeholder is an error."""
        template = self.template(name)

        def fill(match: re.Match) -> str:
            key = match.group(1)
            if key not in values:
                raise ConfigError(f"prompt template {name}.md uses {{{{{key}}}}}, which notesmith does not "
                                  f"provide; known: {', '.join(sorted(values))}")
            return str(values[key])

        return _PLACEHOLDER.sub(fill, template)

    def system(self, language: str) -> str:
        """The system prompt with the house style and the workspace's language."""
        return self.render("system", style=self.template("style").strip(),
                           language_name=language_name(language))


def source_aliases(group: Sequence[Input]) -> dict[str, Input]:
    """Short ids for the prompt (S1, S2, …) mapped to inputs."""
    return {f"S{i + 1}": item for i, item in enumerate(group)}


def describe_source(alias: str, item: Input, limit: int | None = None) -> str:
    """A source as the model sees it: id, kind, time, author, then its text (cut at limit)."""
    when = item.time.strftime("%Y-%m-%d %H:%M %Z").strip()
    head = f"[{alias}] {item.kind}, {when}" + (f", by {item.author}" if item.author else "")
    text = item.text.strip()
    if limit is not None and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + f" … ({len(item.text) - limit} more characters)"
    return f"{head}\n{text}"
