"""Footnotes: labels for sources, link paths to inputs, markers at the end of paragraphs.

notesmith, not the model, owns footnotes: the model names sources by id, notesmith numbers them
(new article: in order of first use; update: existing labels kept, new sources after the highest
numeric label) and writes the definitions.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

from notesmith.text.article import Article
from notesmith.text.markdown import CODE_SPAN, FOOTNOTE_REF, local_target, scan

__all__ = [
    "Labels", "cite_paragraph", "definition_line", "footnote_labels", "markers", "source_link", "strip_footnotes",
]

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
    for char, code in (("%", "%25"), (" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
        path = path.replace(char, code)
    return path


def definition_line(label: str, input_id: str, link: str, description: str = "") -> str:
    """`[^label]: [input_id](link)` plus ` - description`; link is a plain path, encoded here."""
    text = input_id.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    line = f"[^{label}]: [{text}]({_url(link)})"
    description = " ".join(description.split())
    return f"{line} - {description}" if description else line


def markers(labels: list[str]) -> str:
    """Footnote markers for labels, side by side: `[^3][^4]`."""
    return "".join(f"[^{label}]" for label in labels)


class Labels:
    """Footnote labels for sources: reused for sources already cited, numbered for new ones."""

    def __init__(self, existing: dict[str, str] | None = None, next_number: int = 1):
        self._existing = dict(existing or {})
        self._next = next_number
        self._new: list[tuple[str, str]] = []
        self._assigned: dict[str, str] = {}

    @classmethod
    def for_new(cls) -> "Labels":
        """Labels for a new article: 1, 2, 3 ... in order of first use."""
        return cls()

    @classmethod
    def from_article(cls, article: Article, used_dir: str = "inbox/used") -> "Labels":
        """Labels for an update: sources the article cites keep their label, new ones follow the highest number."""
        found = article.scan
        used_parts = [p for p in posixpath.normpath(used_dir.strip("/")).split("/") if p not in ("", ".")]
        highest = 0
        existing: dict[str, str] = {}
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
            existing.setdefault(unquote(parts[-1]), definition.label)
        return cls(existing, highest + 1)

    def label(self, input_id: str) -> str:
        """The label for input_id, allocating the next number for a source not seen yet."""
        if input_id in self._existing:
            return self._existing[input_id]
        if input_id not in self._assigned:
            label = str(self._next)
            self._next += 1
            self._assigned[input_id] = label
            self._new.append((label, input_id))
        return self._assigned[input_id]

    def new_labels(self) -> list[tuple[str, str]]:
        """(label, input_id) for every label this allocation created, in order."""
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
