"""A line scanner for the Markdown notesmith cares about: headings, footnotes, links, images, style.

It is not a full CommonMark parser: it knows fenced code, inline code and HTML comments well
enough not to look inside them, and reports everything with 1-based line and column numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple
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
# A link's line anchor, as GitHub and GitLab write it: #L12 or #L12-L18 (1-based, inclusive).
LINE_ANCHOR = re.compile(r"L([1-9][0-9]*)(?:-L([1-9][0-9]*))?")


class Heading(NamedTuple):
    line: int
    level: int
    text: str


class FootnoteRef(NamedTuple):
    line: int
    col: int
    label: str
    glued: bool  # directly after a bare URL, e.g. https://x.org/a[^3]


class FootnoteDef(NamedTuple):
    line: int
    label: str
    text: str  # the definition's text, continuation lines joined with "\n"
    end_line: int


class Link(NamedTuple):
    line: int
    col: int
    target: str
    image: bool
    in_definition: str | None = None  # label of the footnote definition holding it


class StyleIssue(NamedTuple):
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
    return _Scanner(lines, first_line, style).run()


class _Scanner:
    """One pass over the lines: code fences, comments, footnote definitions, then what a line holds."""

    def __init__(self, lines: list[str], first_line: int, style: bool):
        self.lines = lines
        self.first_line = first_line
        self.style = style
        self.result = Scan()
        self.fence: tuple[str, int] | None = None
        self.in_comment = False
        self.prev_text = False  # the line before was a paragraph's (a setext underline may follow)
        self.last_fence_close: int | None = None  # file line of the last closing fence
        self.definition: list | None = None  # the open footnote definition: [line, label, parts, last line]

    def run(self) -> Scan:
        special, search = _SPECIAL_START, _SPECIAL.search
        for index, raw in enumerate(self.lines):
            number = self.first_line + index
            if self.fence is not None:
                self._inside_fence(raw, number)
            elif raw[:1] in _FENCE_START and self._opens_fence(raw, number, index):
                pass
            elif self.definition is None and not self.in_comment and raw and raw[0] not in special \
                    and not search(raw):
                self.prev_text = True  # plain prose: nothing to find on this line (the common case)
            else:
                self._line(raw, number)
        self._close_definition(self.first_line + len(self.lines) - 1)
        self.result.style.sort(key=lambda s: (s.line, s.col))
        return self.result

    # -- blocks ---------------------------------------------------------------------------

    def _inside_fence(self, raw: str, number: int) -> None:
        self.result.code_lines.add(number)
        stripped = raw.strip()
        marker, width = self.fence  # type: ignore[misc]
        if stripped.startswith(marker[0] * width) and set(stripped) <= {marker[0]}:
            self.fence = None
            self.last_fence_close = number

    def _opens_fence(self, raw: str, number: int, index: int) -> bool:
        opened = _FENCE_OPEN.match(raw)
        if not opened or ("`" in opened.group(2) and opened.group(1)[0] == "`"):
            return False
        if self.style and self.last_fence_close is not None and all(
            not self.lines[j].strip() for j in range(self.last_fence_close - self.first_line + 1, index)
        ):
            self.result.style.append(StyleIssue(number, 1, "adjacent-code", "code block directly after another"))
        self.fence = (opened.group(1), len(opened.group(1)))
        self.result.code_lines.add(number)
        self._close_definition(number - 1)
        self.prev_text = False
        return True

    def _line(self, raw: str, number: int) -> None:
        line = raw
        if self.in_comment or "<!--" in line:
            line, self.in_comment = _blank_comments(line, self.in_comment)
        stripped = line.lstrip()
        if not stripped:
            self.prev_text = False
            return
        if self.definition is not None:
            if raw[:1] in (" ", "\t") and not _DEF.match(raw):
                self.definition[2].append(raw.strip())
                self.definition[3] = number
            else:
                self._close_definition(number - 1)
        if self._block_line(line, stripped[0], number):
            self.prev_text = False
            return
        text = _blank_code_spans(line)
        definition = _DEF.match(text) if stripped[0] == "[" else None
        label = None
        if definition:
            self._close_definition(number - 1)
            self.definition = [number, definition.group(1), [definition.group(2).strip()], number]
            label = definition.group(1)
        self._inline(text, number, definition.start(2) if definition else 0, label)
        if self.style and not definition and ("*" in text or "_" in text):
            self._emphasis(text, number)
        self.prev_text = not definition

    def _block_line(self, line: str, first: str, number: int) -> bool:
        """A heading, a horizontal rule or a setext underline: recorded, nothing inline to find."""
        heading = _HEADING.match(line) if first == "#" else None
        if heading:
            self.result.headings.append(Heading(number, len(heading.group(1)), (heading.group(2) or "").strip()))
            return True
        if self.style and first in "-*_" and _HR.match(line):
            if not (self.prev_text and set(line.strip()) == {"-"}):  # else a setext heading's underline
                self.result.style.append(StyleIssue(number, 1, "rule", "horizontal rule"))
            return True
        return self.prev_text and first == "=" and bool(_SETEXT_EQ.match(line))

    def _close_definition(self, end_line: int) -> None:
        if self.definition is not None:
            line, label, parts, last = self.definition
            self.result.defs.append(FootnoteDef(line, label, "\n".join(parts), min(max(line, end_line), last)))
            self.definition = None

    # -- inline ---------------------------------------------------------------------------

    def _inline(self, text: str, number: int, start: int, label: str | None) -> None:
        """Footnote references, links and images (HTML sources too) from `start` on."""
        result = self.result
        if "[" in text:
            url = "://" in text or "ww." in text or "WW." in text  # cheap test before _glued
            for match in FOOTNOTE_REF.finditer(text, start):
                col = match.start()
                result.refs.append(FootnoteRef(number, col + 1, match.group(1), url and _glued(text, col)))
            if "](" in text:
                for match in LINK.finditer(text, start):
                    target = match["target"].strip("<>")
                    result.links.append(Link(number, match.start() + 1, target, match["bang"] == "!", label))
        if "<" in text and "src" in text:
            for match in _HTML_SRC.finditer(text):
                result.links.append(Link(number, match.start(1) + 1, match.group(1), True, label))

    def _emphasis(self, text: str, number: int) -> None:
        """The first bold and the first italic of a line (URLs, link targets and list bullets blanked)."""
        plain = _AUTOLINK.sub(lambda m: " " * len(m.group(0)), text)
        plain = LINK.sub(lambda m: "[" + m["text"] + "]" + " " * (len(m.group(0)) - len(m["text"]) - 2), plain)
        plain = re.sub(r"^(\s*)[*+-](?=\s)", lambda m: m.group(1) + " ", plain)
        for rx in (_BOLD, _ITALIC):
            for match in rx.finditer(plain):
                self.result.style.append(StyleIssue(number, match.start() + 1, "emphasis", match.group(0)))
                break


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


def line_anchor(target: str) -> tuple[int, int] | None:
    """The lines a link target's #L12-L18 (or #L12) anchor names, first and last; None without one."""
    _, sep, fragment = target.partition("#")
    found = LINE_ANCHOR.fullmatch(fragment) if sep else None
    if found is None:
        return None
    first = int(found.group(1))
    return first, int(found.group(2) or first)
