"""The YAML frontmatter block: find it, parse it without surprises, edit it line by line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader that keeps dates as the strings they were written as."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}

_FENCE = re.compile(r"---[ \t]*$")
_CLOSE = re.compile(r"(---|\.\.\.)[ \t]*$")
_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")


@dataclass(frozen=True)
class Block:
    """Where the frontmatter is: lines[start] is the opening '---', lines[end] the closing one (0-based)."""

    start: int
    end: int | None  # None when the block is never closed
    data: Any = None
    error: str | None = None
    error_line: int | None = None  # 1-based line in the file


def parse_yaml(text: str) -> Any:
    """Parse YAML with dates kept as strings; raises yaml.YAMLError."""
    return yaml.load(text, Loader=_Loader)


def find_block(lines: list[str]) -> Block | None:
    """Locate and parse the frontmatter at the top of lines (line endings already removed)."""
    if not lines or not _FENCE.match(lines[0]):
        return None
    for i in range(1, len(lines)):
        if _CLOSE.match(lines[i]):
            break
    else:
        return Block(0, None, error="frontmatter is never closed", error_line=1)
    source = "\n".join(lines[1:i])
    try:
        data = parse_yaml(source) if source.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return Block(0, i, error=f"YAML syntax error: {problem}", error_line=line)
    return Block(0, i, data=data)


def key_lines(lines: list[str], block: Block) -> dict[str, tuple[int, int]]:
    """Top-level keys → (first, last) 0-based line span of their value, for line-level edits."""
    spans: dict[str, tuple[int, int]] = {}
    end = block.end if block.end is not None else len(lines)
    current = None
    for i in range(block.start + 1, end):
        match = _KEY.match(lines[i])
        if match:
            current = match.group(1)
            spans[current] = (i, i)
        elif current and (lines[i][:1] in (" ", "\t", "-") or not lines[i].strip()):
            if lines[i].strip():
                spans[current] = (spans[current][0], i)
        else:
            current = None
    return spans


def render_value(value: Any) -> str:
    """A value as one line of YAML, in the style articles use (flow lists, quoted titles)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return yaml.safe_dump(value).splitlines()[0]
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    if re.fullmatch(r"[a-z0-9][a-z0-9._-]*", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def set_key(lines: list[str], block: Block, key: str, value: Any) -> list[str]:
    """lines with one top-level key set to value; other lines untouched, a new key goes last."""
    spans = key_lines(lines, block)
    new = f"{key}: {render_value(value)}"
    if key in spans:
        first, last = spans[key]
        if first == last and lines[first] == new:
            return lines
        return lines[:first] + [new] + lines[last + 1:]
    end = block.end if block.end is not None else len(lines)
    return lines[:end] + [new] + lines[end:]
