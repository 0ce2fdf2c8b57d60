"""Footnotes: labels for cited passages, link paths to inputs, markers at the end of paragraphs.

notesmith, not the model, owns footnotes: the model names sources by id and quotes the passage,
notesmith numbers them (new article: in order of first use; update: existing labels kept, new
ones after the highest numeric label) and writes the definitions. A footnote is one anchored
passage (`[^3]: [x.txt, lines 12–18](../inbox/used/x.txt#L12-L18)`), or a whole input when the
passage was not found or the workspace cites by source (`citations = "source"`).
"""

from __future__ import annotations

import posixpath
import re
from typing import NamedTuple
from urllib.parse import unquote

from notesmith.pipeline.blocks import Anchor
from notesmith.text.article import Article
from notesmith.text.markdown import CODE_SPAN, FOOTNOTE_REF, line_anchor, local_target, scan

__all__ = [
    "PASSAGE", "SOURCE", "Footnote", "Labels", "anchor_fragment", "anchor_label", "cite_paragraph", "definition_line",
    "footnote_labels", "markers", "source_link", "strip_footnotes",
]

PASSAGE, SOURCE = "passage", "source"  # the `citations` setting: a footnote per passage, or per input

_NUMERIC = re.compile(r"[0-9]+")
_DEF_LINE = re.compile(r" {0,3}\[\^[^\]\s]+\]:")
_REF_OR_CODE = re.compile(r"(`+)(?:.+?)(?<!`)\1(?!`)|[ \t]*\[\^[^\]\s]+\]")
_TABLE_OR_HTML = re.compile(r"\s*(?:\||<(?![a-z][a-z0-9+.-]*:)[a-z/!])", re.I)
_URLISH = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)", re.I)


def source_link(input_id: str, article_rel: str, used_dir: str = "inbox/used") -> str:
    """The path from the article's folder to inbox/used/<input_id> (POSIX, workspace-relative inputs)."""
    folder = posixpath.dirname(posixpath.normpath(article_rel))
    target = posixpath.join(posixpath.normpath(used_dir.strip("/")), input_id)
    return posixpath.relpath(target, folder or ".")


def _url(path: str) -> str:
    for char, code in (("%", "%25"), (" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"),
                       ("#", "%23"), ("?", "%3F")):  # '#' and '?' would end the path: the anchor follows
        path = path.replace(char, code)
    return path


def _clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def anchor_label(anchor: Anchor) -> str:
    """How a footnote names a passage: `lines 12–18` (`line 12`), or its time range for timed inputs."""
    if anchor.times is not None:
        return f"{_clock(anchor.times[0])}–{_clock(anchor.times[1])}"
    first, last = anchor.lines
    return f"line {first}" if first == last else f"lines {first}–{last}"


def anchor_fragment(anchor: Anchor) -> str:
    """The link fragment for a passage's lines: `#L12-L18`, or `#L12` for one line."""
    first, last = anchor.lines
    return f"#L{first}" if first == last else f"#L{first}-L{last}"


def definition_line(label: str, input_id: str, link: str, description: str = "",
                    anchor: Anchor | None = None) -> str:
    """`[^label]: [input_id](link)` plus ` - description`; link is a plain path, encoded here.

    With an anchor the text names the passage and the link points at its lines:
    `[^3]: [x.txt, lines 12–18](../inbox/used/x.txt#L12-L18)`.
    """
    text = input_id.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    if anchor is not None:
        text, link = f"{text}, {anchor_label(anchor)}", _url(link) + anchor_fragment(anchor)
    else:
        link = _url(link)
    line = f"[^{label}]: [{text}]({link})"
    description = " ".join(description.split())
    return f"{line} - {description}" if description else line


def markers(labels: list[str]) -> str:
    """Footnote markers for labels, side by side: `[^3][^4]`."""
    return "".join(f"[^{label}]" for label in labels)


class Footnote(NamedTuple):
    """A footnote a run adds: its label, the input it cites and the passage (None: the whole input)."""

    label: str
    source: str
    anchor: Anchor | None = None


Key = tuple[str, "tuple[int, int] | None"]  # (input id, lines of the passage; None for the whole input)


class Labels:
    """Footnote labels for cited passages: reused for what is already cited, numbered for the rest.

    A label stands for one input and one passage of it (its lines), or for the whole input; with
    passages=False (`citations = "source"`) every citation of an input shares one whole-input label.
    """

    def __init__(self, existing: dict[Key, str] | None = None, next_number: int = 1, *, passages: bool = True):
        self._existing = dict(existing or {})
        self._next = next_number
        self._passages = passages
        self._new: list[Footnote] = []
        self._assigned: dict[Key, str] = {}

    @classmethod
    def for_new(cls, *, passages: bool = True) -> "Labels":
        """Labels for a new article: 1, 2, 3 ... in order of first use."""
        return cls(passages=passages)

    @classmethod
    def from_article(cls, article: Article, used_dir: str = "inbox/used", *, passages: bool = True) -> "Labels":
        """Labels for an update: what the article cites keeps its label, the rest follows the highest number."""
        found = article.scan
        used_parts = [p for p in posixpath.normpath(used_dir.strip("/")).split("/") if p not in ("", ".")]
        highest = 0
        existing: dict[Key, str] = {}
        for label in [d.label for d in found.defs] + [r.label for r in found.refs]:
            if _NUMERIC.fullmatch(label):
                highest = max(highest, int(label))
        for definition in found.defs:
            links = [link for link in found.links if definition.line <= link.line <= definition.end_line]
            if len(links) != 1 or links[0].image:
                continue
            path = local_target(links[0].target)
            if path is None or _URLISH.search(definition.text.replace(links[0].target, "")):
                continue
            parts = [p for p in posixpath.normpath(path).split("/") if p not in ("", ".")]
            if len(parts) <= len(used_parts) or parts[-1 - len(used_parts):-1] != used_parts:
                continue
            existing.setdefault((unquote(parts[-1]), line_anchor(links[0].target)), definition.label)
        return cls(existing, highest + 1, passages=passages)

    def label(self, input_id: str, anchor: Anchor | None = None) -> str:
        """The label for a passage of input_id (None: the whole input), allocating the next number when new."""
        if not self._passages:
            anchor = None
        key = (input_id, anchor.lines if anchor is not None else None)
        if key in self._existing:
            return self._existing[key]
        if key not in self._assigned:
            label = str(self._next)
            self._next += 1
            self._assigned[key] = label
            self._new.append(Footnote(label, input_id, anchor))
        return self._assigned[key]

    def new_labels(self) -> list[Footnote]:
        """Every footnote this allocation created, in order."""
        return list(self._new)


def footnote_labels(text: str) -> list[str]:
    """The labels of the footnote markers in text (outside code), in order, without repeats."""
    lines = text.split("\n")
    code = scan(lines, style=False).code_lines
    prose = "\n".join(CODE_SPAN.sub("", line) for n, line in enumerate(lines, 1) if n not in code)
    return list(dict.fromkeys(FOOTNOTE_REF.findall(prose)))


def strip_footnotes(text: str) -> str:
    """Text without footnote markers or definition lines the model wrote (code is left alone)."""
    lines = text.replace("\r\n", "\n").split("\n")
    code = scan(lines, style=False).code_lines
    out = []
    for number, line in enumerate(lines, 1):
        if number in code:
            out.append(line)
        elif not _DEF_LINE.match(line):
            out.append(_REF_OR_CODE.sub(lambda m: m.group(0) if m.group(1) else "", line))
    return "\n".join(out)


def cite_paragraph(text: str, labels: list[str]) -> str:
    """Text with a marker per label at its end (after final punctuation, a space after a URL).

    Labels already present in the text are not repeated. When the paragraph ends in code or a
    table, the markers go on the last prose line, else on a line of their own.
    """
    if not text.strip():
        return text
    lines = text.rstrip().split("\n")
    present = set(footnote_labels("\n".join(lines)))
    wanted = [label for label in dict.fromkeys(labels) if label not in present]
    if not wanted:
        return "\n".join(lines)
    code = scan(lines, style=False).code_lines
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index].rstrip()
        if index + 1 in code or not line.strip():
            continue
        if _TABLE_OR_HTML.match(line):
            break
        last_word = line.split()[-1]
        glue = " " if _URLISH.search(last_word) else ""
        lines[index] = line + glue + markers(wanted)
        return "\n".join(lines)
    return "\n".join(lines + ["", markers(wanted)])
