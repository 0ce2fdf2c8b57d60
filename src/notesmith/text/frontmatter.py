"""The YAML frontmatter block: find it, parse it without surprises, edit it line by line."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

_LOADER = None


def _loader():
    """A safe loader (libyaml's when present) that keeps dates as the strings they were written as.

    yaml is imported on first use: most frontmatter never needs it (see _simple_mapping).
    """
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        _LOADER = type("DatesAsStrings", (base,), {})
        _LOADER.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in base.yaml_implicit_resolvers.items()
        }
    return _LOADER


_FENCE = re.compile(r"---[ \t]*$")
_CLOSE = re.compile(r"(---|\.\.\.)[ \t]*$")
_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")


class Block(NamedTuple):
    """Where the frontmatter is: lines[start] is the opening '---', lines[end] the closing one (0-based)."""

    start: int
    end: int | None  # None when the block is never closed
    data: Any = None
    error: str | None = None
    error_line: int | None = None  # 1-based line in the file


def parse_yaml(text: str) -> Any:
    """Parse YAML with dates kept as strings; raises yaml.YAMLError."""
    import yaml

    return yaml.load(text, Loader=_loader())


_SIMPLE_LINE = re.compile(r"([A-Za-z_][\w-]*):(?: +(.*?))? *$")
_PLAIN_STR = re.compile(r"[A-Za-z][A-Za-z0-9_ ./+-]*|\d{4}-\d{2}-\d{2}")
_DOUBLE = re.compile(r'"([^"\\\x00-\x08\x0b-\x1f\x7f]*)"')
_SINGLE = re.compile(r"'([^']*)'")
_FLOW_LIST = re.compile(r"\[([A-Za-z0-9_ ,./+-]*)\]")
_NOT_STR = frozenset("null Null NULL true True TRUE false False FALSE yes Yes YES no No NO on On ON off Off OFF".split())


def _plain(text: str) -> str | None:
    text = text.strip()
    return text if _PLAIN_STR.fullmatch(text) and text not in _NOT_STR else None


def _simple_mapping(lines: list[str]) -> dict | None:
    """The common frontmatter shapes (key: string, date or flow list of words) without YAML; None otherwise.

    Anything this does not recognise goes to the YAML parser, so a mapping is always what YAML makes of it.
    """
    data: dict = {}
    for line in lines:
        if not line or line.startswith("#"):
            continue
        match = _SIMPLE_LINE.fullmatch(line)
        if match is None or match.group(1) in _NOT_STR:
            return None
        value = match.group(2)
        if not value:
            data[match.group(1)] = None
            continue
        quoted = _DOUBLE.fullmatch(value) or _SINGLE.fullmatch(value)
        if quoted:
            data[match.group(1)] = quoted.group(1)
            continue
        flow = _FLOW_LIST.fullmatch(value)
        if flow:
            items = [_plain(item) for item in flow.group(1).split(",")] if flow.group(1).strip() else []
            if None in items:
                return None
            data[match.group(1)] = items
            continue
        plain = _plain(value)
        if plain is None:
            return None
        data[match.group(1)] = plain
    return data


class Split(NamedTuple):
    """A text cut at its frontmatter: the YAML between the fences, and the body after them."""

    yaml: str | None  # None when the text has no frontmatter (or it is never closed)
    end: int | None  # 0-based line of the closing fence; None when there is none
    body: str
    body_line: int  # 1-based line where the body starts
    opened: bool = False  # the text starts with a '---' line


def split(text: str) -> Split:
    """Find the frontmatter at the top of text: the one place notesmith decides where it ends.

    Only the lines up to the closing fence are looked at, so a 50 MB transcript costs nothing more.
    """
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if not _FENCE.match(first.rstrip("\r")):
        return Split(None, None, text, 1)
    pos, number = first_end + 1, 1
    while 0 < pos <= len(text):
        newline = text.find("\n", pos)
        stop = len(text) if newline < 0 else newline
        if _CLOSE.match(text[pos:stop].rstrip("\r")):
            body_start = len(text) if newline < 0 else newline + 1
            return Split(text[first_end + 1:pos], number, text[body_start:], number + 2, opened=True)
        if newline < 0:
            break
        pos, number = newline + 1, number + 1
    return Split(None, None, text, 1, opened=True)


def parse_block(text: str) -> Block | None:
    """Locate and parse the frontmatter at the top of text; None when the text has none."""
    found = split(text)
    if not found.opened:
        return None
    if found.end is None:
        return Block(0, None, error="frontmatter is never closed", error_line=1)
    return parse(found.yaml or "", found.end)


def parse(source: str, end: int) -> Block:
    """The frontmatter YAML (the lines between the fences) parsed; `end` is the closing fence's line."""
    lines = [line[:-1] if line.endswith("\r") else line for line in source.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    data = _simple_mapping(lines)
    if data is not None:
        return Block(0, end, data=data)
    import yaml

    source = "\n".join(lines)
    try:
        data = parse_yaml(source) if source.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        opened = getattr(exc, "context_mark", None)
        if opened is not None and source[opened.index:opened.index + 1] in ("[", "{", '"', "'"):
            mark = opened  # an unclosed [, { or quote: the error is where it opened
        line = min(mark.line + 2, max(end, 2)) if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return Block(0, end, error=f"YAML syntax error: {problem}", error_line=line)
    return Block(0, end, data=data)


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
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    if re.fullmatch(r"[a-z0-9][a-z0-9._-]*", text) and _plain(text) == text:
        return text  # a bare word YAML reads back as this string (not a number, boolean or null)
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


HEAD_BYTES = 64 * 1024  # frontmatter longer than this is not worth reading for a summary


def mapping_of(head: bytes | str) -> dict | None:
    """The frontmatter mapping at the start of a file's first bytes (HEAD_BYTES are enough); None when
    there is none, or it is broken."""
    text = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
    block = parse_block(text.lstrip("\ufeff"))
    return block.data if block is not None and not block.error and isinstance(block.data, dict) else None
