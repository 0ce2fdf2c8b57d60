"""A line scanner for the Markdown notesmith cares about: headings, footnotes, links, images, style.

It is not a full CommonMark parser: it knows fenced code, inline code and HTML comments well
enough not to look inside them, and reports everything with 1-based line and column numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_DEF = re.compile(r" {0,3}\[\^([^\]\s]+)\]:[ \t]?(.*)$")
FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
# The link patterns, in one place: an inline link or image [text](target "title") with escapes, one
# level of nested brackets in the text, <...> or balanced-parenthesis targets; a URL scheme.
LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:\\.|[^\[\]\\]|\[(?:\\.|[^\[\]\\])*\])*)\]"
    r"\(\s*(?P<target><[^>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))*)"
    r"(?:\s+(?:\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|\((?:\\.|[^)\\])*\)))?\s*\)"
)
SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_HTML_SRC = re.compile(r"<(?:img|source|video|audio)\b[^>]*?\ssrc\s*=\s*[\"']([^\"']+)[\"']", re.I)
CODE_SPAN = re.compile(r"(`+)(?:.+?)(?<!`)\1(?!`)")
_AUTOLINK = re.compile(r"<[a-z][a-z0-9+.-]*:[^>\s]*>|https?://\S+", re.I)
_HR = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_BOLD = re.compile(r"\*\*(?=[^\s*])(.+?)(?<=[^\s*])\*\*|(?<!\w)__(?=[^\s_])(.+?)(?<=[^\s_])__(?!\w)")
_ITALIC = re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*]+?)(?<=[^\s*\\])\*(?![\w*])|(?<![\w\\])_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?!\w)")
_FENCE_START = frozenset(" `~")
_SPECIAL_START = frozenset(" \t#`~-*_+=[<>|!0123456789")
_SPECIAL = re.compile(r"[\[<*_`]")
_SETEXT_EQ = re.compile(r" {0,3}=+[ \t]*$")
_URL_START = re.compile(r"(?:https?://|www\.)", re.I)


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str


@dataclass(frozen=True)
class FootnoteRef:
    line: int
    col: int
    label: str
    glued: bool  # directly after a bare URL, e.g. https://x.org/a[^3]


@dataclass(frozen=True)
class FootnoteDef:
    line: int
    label: str
    text: str  # the definition's text, continuation lines joined with "\n"
    end_line: int


@dataclass(frozen=True)
class Link:
    line: int
    col: int
    target: str
    image: bool
    in_definition: str | None = None  # label of the footnote definition holding it


@dataclass(frozen=True)
class StyleIssue:
    line: int
    col: int
    kind: str  # "emphasis" | "rule" | "adjacent-code"
    text: str


@dataclass
class Scan:
    """Everything found in a Markdown body, positions relative to the whole file."""

    headings: list[Heading] = field(default_factory=list)
    refs: list[FootnoteRef] = field(default_factory=list)
    defs: list[FootnoteDef] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    style: list[StyleIssue] = field(default_factory=list)
    code_lines: set[int] = field(default_factory=set)


def _blank_code_spans(line: str) -> str:
    if "`" not in line:
        return line
    return CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def _glued(line: str, col: int) -> bool:
    """True when the footnote marker starting at col (0-based) touches a bare URL."""
    start = col
    while start > 0 and not line[start - 1].isspace() and line[start - 1] not in "(<\"'":
        start -= 1
    chunk = line[start:col]
    # A closed link or autolink ("](url).", "<url>") ends before the marker; a bare URL runs into it.
    return bool(_URL_START.match(chunk)) and not any(c in chunk for c in ")]>")


def scan(lines: list[str], first_line: int = 1, *, style: bool = True) -> Scan:
    """Scan body lines (without line endings); first_line is the file line number of lines[0]."""
    result = Scan()
    fence: tuple[str, int] | None = None
    in_comment = False
    prev_text = False
    last_fence_close: int | None = None  # file line of the last closing fence
    current_def: list | None = None  # [line, label, parts, last line with text]
    for index, raw in enumerate(lines):
        number = first_line + index
        if fence is not None:
            result.code_lines.add(number)
            stripped = raw.strip()
            if stripped.startswith(fence[0][0] * fence[1]) and set(stripped) <= {fence[0][0]}:
                fence = None
                last_fence_close = number
            continue
        opened = _FENCE_OPEN.match(raw) if raw[:1] in _FENCE_START else None
        if opened and not ("`" in opened.group(2) and opened.group(1)[0] == "`"):
            if style and last_fence_close is not None and all(
                not lines[j].strip() for j in range(last_fence_close - first_line + 1, index)
            ):
                result.style.append(StyleIssue(number, 1, "adjacent-code", "code block directly after another"))
            fence = (opened.group(1), len(opened.group(1)))
            result.code_lines.add(number)
            current_def = _close_def(result, current_def, number - 1)
            prev_text = False
            continue
        line = raw
        if current_def is None and not in_comment and raw and raw[0] not in _SPECIAL_START \
                and not _SPECIAL.search(raw):
            prev_text = True  # plain prose: nothing to find on this line
            continue
        if in_comment or "<!--" in line:
            line, in_comment = _blank_comments(line, in_comment)
        stripped = line.lstrip()
        if not stripped:
            prev_text = False
            continue
        first = stripped[0]
        if current_def is not None:
            if raw[:1] in (" ", "\t") and not _DEF.match(raw):
                current_def[2].append(raw.strip())
                current_def[3] = number
            else:
                current_def = _close_def(result, current_def, number - 1)
        heading = _HEADING.match(line) if first == "#" else None
        if heading:
            result.headings.append(Heading(number, len(heading.group(1)), (heading.group(2) or "").strip()))
            prev_text = False
            continue
        if style and first in "-*_" and _HR.match(line):
            if not (prev_text and set(line.strip()) == {"-"}):  # else a setext heading's underline
                result.style.append(StyleIssue(number, 1, "rule", "horizontal rule"))
            prev_text = False
            continue
        if prev_text and first == "=" and _SETEXT_EQ.match(line):
            prev_text = False
            continue
        text = _blank_code_spans(line)
        definition = _DEF.match(text) if first == "[" else None
        def_label = None
        if definition:
            current_def = _close_def(result, current_def, number - 1)
            current_def = [number, definition.group(1), [definition.group(2).strip()], number]
            def_label = definition.group(1)
            body_start = definition.start(2)
        else:
            body_start = 0
        if "[" in text:
            url = "://" in text or "ww." in text or "WW." in text  # cheap test before _glued
            for match in FOOTNOTE_REF.finditer(text, body_start):
                col = match.start()
                result.refs.append(FootnoteRef(number, col + 1, match.group(1), url and _glued(text, col)))
            if "](" in text:
                for match in LINK.finditer(text, body_start):
                    target = match["target"].strip("<>")
                    result.links.append(Link(number, match.start() + 1, target, match["bang"] == "!", def_label))
        if "<" in text and "src" in text:
            for match in _HTML_SRC.finditer(text):
                result.links.append(Link(number, match.start(1) + 1, match.group(1), True, def_label))
        if style and not definition and ("*" in text or "_" in text):
            plain = _AUTOLINK.sub(lambda m: " " * len(m.group(0)), text)
            plain = LINK.sub(lambda m: "[" + m["text"] + "]" + " " * (len(m.group(0)) - len(m["text"]) - 2), plain)
            plain = re.sub(r"^(\s*)[*+-](?=\s)", lambda m: m.group(1) + " ", plain)
            for rx in (_BOLD, _ITALIC):
                for match in rx.finditer(plain):
                    result.style.append(StyleIssue(number, match.start() + 1, "emphasis", match.group(0)))
                    break
        prev_text = not definition
    _close_def(result, current_def, first_line + len(lines) - 1)
    result.style.sort(key=lambda s: (s.line, s.col))
    return result


def _close_def(result: Scan, current: list | None, end_line: int) -> None:
    if current is not None:
        line, label, parts, last = current
        result.defs.append(FootnoteDef(line, label, "\n".join(parts), min(max(line, end_line), last)))
    return None


def _blank_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """Blank out the HTML comment parts of a line, tracking comments that span lines."""
    out = []
    pos = 0
    while pos < len(line):
        if in_comment:
            end = line.find("-->", pos)
            if end < 0:
                out.append(" " * (len(line) - pos))
                return "".join(out), True
            out.append(" " * (end + 3 - pos))
            pos = end + 3
            in_comment = False
        else:
            start = line.find("<!--", pos)
            if start < 0:
                out.append(line[pos:])
                break
            out.append(line[pos:start])
            pos = start
            in_comment = True
    return "".join(out), in_comment


def local_target(target: str) -> str | None:
    """The path part of a link target when it points into the file system, else None."""
    if not target or target.startswith(("#", "//")) or SCHEME.match(target):
        return None
    path = target.split("#", 1)[0].split("?", 1)[0]
    return unquote(path) if path else None
