"""Managed index tables in `_index.md` files: parse, render, insert and replace rows."""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADER = ("Title", "Status", "Last Updated", "Description")

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SEPARATOR_CELL = re.compile(r"^:?-+:?$")
_LINK = re.compile(
    r"\[(?P<text>(?:\\.|[^\]\\])*)\]"
    r"\(\s*(?P<target><[^>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))*)"
    r"(?:\s+(?:\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|\((?:\\.|[^)\\])*\)))?\s*\)"
)


@dataclass
class IndexRow:
    """One row of a managed table; `line` is 1-based, `target` the link target as written."""

    line: int
    title: str
    target: str | None
    status: str
    updated: str
    description: str
    raw: str


@dataclass
class IndexTable:
    """A managed table: header line, first line after the separator, last line (1-based)."""

    header_line: int
    first_row_line: int
    end_line: int
    rows: list[IndexRow]


def _split_lines(text: str) -> list[str]:
    """Lines with their endings kept; splits on "\\n" only (unlike str.splitlines)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _content(line: str) -> str:
    return line.rstrip("\r\n")


def _newline(lines: list[str], near: int) -> str:
    """The newline style of the file, taken from the line at index `near` when it has one."""
    for line in [lines[near]] + lines if 0 <= near < len(lines) else lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"


def split_cells(line: str) -> list[str] | None:
    """The stripped cells of a table row (escapes kept), or None when it has no unescaped pipe."""
    body = line.strip()
    if "\\" not in body:  # no escapes: the common case, split in C
        if "|" not in body:
            return None
        cells = body.split("|")
        if body.startswith("|"):
            cells = cells[1:]
        if body.endswith("|") and len(cells) > 1:
            cells = cells[:-1]
        return [cell.strip() for cell in cells]
    cells = []
    cell_start = i = 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if body[i] == "|":
            cells.append(body[cell_start:i])
            cell_start = i + 1
        i += 1
    if not cells:
        return None
    last = body[cell_start:]
    if last.strip() or not body.endswith("|"):
        cells.append(last)
    if body.startswith("|"):
        cells = cells[1:]
    return [cell.strip() for cell in cells]


def _is_header(cells: list[str] | None) -> bool:
    return cells is not None and tuple(" ".join(c.split()) for c in cells) == HEADER


def _is_separator(cells: list[str] | None) -> bool:
    return (
        cells is not None
        and len(cells) == len(HEADER)
        and all(_SEPARATOR_CELL.match(c.replace(" ", "")) for c in cells)
    )


def _unescape(cell: str) -> str:
    return cell.replace("\\|", "|")


def _parse_row(line_no: int, raw: str, cells: list[str]) -> IndexRow:
    cells = [_unescape(c) for c in cells] + [""] * (len(HEADER) - len(cells))
    first = cells[0]
    match = _LINK.search(first)
    if match:
        title = re.sub(r"\\([\[\]\\])", r"\1", match.group("text")).strip()
        target = match.group("target")
        if target.startswith("<") and target.endswith(">"):
            target = target[1:-1]
    else:
        title, target = first, None
    return IndexRow(line_no, title, target, cells[1], cells[2], cells[3], raw)


def parse_index(text: str) -> list[IndexTable]:
    """Every managed table of an `_index.md` text, skipping fenced code blocks."""
    lines = [_content(line) for line in _split_lines(text)]
    tables: list[IndexTable] = []
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence) \
                    and not line.strip().lstrip(fence[0]):
                fence = None
            i += 1
            continue
        if opener:
            fence = opener.group(1)
            i += 1
            continue
        if i + 1 < len(lines) and _is_header(split_cells(line)) and _is_separator(split_cells(lines[i + 1])):
            header, j = i, i + 2
            rows: list[IndexRow] = []
            while j < len(lines) and lines[j].strip():
                cells = split_cells(lines[j])
                if cells is None:
                    break
                rows.append(_parse_row(j + 1, lines[j], cells))
                j += 1
            tables.append(IndexTable(header + 1, header + 3, j, rows))
            i = j
            continue
        i += 1
    return tables


def _escape_cell(value: str) -> str:
    return re.sub(r"(?<!\\)\|", r"\\|", " ".join(value.split()))


def render_row(title: str, target: str | None, status: str, updated: str, description: str) -> str:
    """One table row (no newline); pipes are escaped and every cell is cut to one line."""
    title_cell = _escape_cell(title)
    if target is not None:
        text = re.sub(r"([\[\]])", r"\\\1", title_cell)
        dest = target if not re.search(r"[\s()<>]", target) else f"<{target}>"
        title_cell = f"[{text}]({_escape_cell(dest)})"
    cells = [title_cell, _escape_cell(status), _escape_cell(updated), _escape_cell(description)]
    return "| " + " | ".join(cells) + " |"


def insert_row(text: str, table: IndexTable, row_text: str) -> str:
    """`text` with `row_text` added as the table's first row; every other byte is kept."""
    lines = _split_lines(text)
    at = table.first_row_line - 1
    newline = _newline(lines, at - 1)
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += newline
    row = row_text.rstrip("\r\n") + newline
    if at >= len(lines) and not text.endswith("\n"):
        row = row_text.rstrip("\r\n")
    lines.insert(at, row)
    return "".join(lines)


def replace_row(text: str, row: IndexRow, row_text: str) -> str:
    """`text` with the line of `row` replaced by `row_text`, keeping that line's ending."""
    lines = _split_lines(text)
    old = lines[row.line - 1]
    ending = old[len(_content(old)):]
    lines[row.line - 1] = row_text.rstrip("\r\n") + ending
    return "".join(lines)


_ABBREVIATIONS = {"e.g.", "i.e.", "etc.", "vs.", "mr.", "mrs.", "ms.", "dr.", "st.", "no.", "cf.", "approx."}
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f][\"'\u201d\u2019\u00bb)\]]*(?=\s|$)")
_SKIP_BLOCK = re.compile(
    r"^(?:#{1,6}(?:\s|$)|<|!\[|\||>|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|\[\^[^\]]+\]:|\[[^\]]+\]:\s"
    r"|(?:-\s*){3,}$|(?:\*\s*){3,}$|(?:_\s*){3,}$| {4}|\t|=+\s*$)"
)


def _strip_frontmatter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for k in range(1, len(lines)):
            if lines[k].strip() in ("---", "..."):
                return lines[k + 1:]
    return lines


def _blocks(text: str):
    """Blank-line-separated blocks of lines outside fenced code (fences are skipped)."""
    lines = _strip_frontmatter([_content(line) for line in _split_lines(text.lstrip("\ufeff"))])
    fence: str | None = None
    block: list[str] = []
    for line in lines + [""]:
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        if opener or not line.strip():
            if block:
                yield block
                block = []
            if opener:
                fence = opener.group(1)
            continue
        block.append(line)


def _first_paragraph(text: str) -> str:
    for block in _blocks(text):
        setext = len(block) > 1 and re.match(r"^ {0,3}(?:=+|-+)\s*$", block[1])
        if not _SKIP_BLOCK.match(block[0]) and not setext:
            return " ".join(line.strip() for line in block)
    return ""


def _plain(text: str) -> str:
    # Escaped punctuation is parked in the private-use area so no markup rule below sees it.
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|~<>])", lambda m: chr(0xE000 + ord(m.group(1))), text)
    text = re.sub(r"!\[(?:\\.|[^\]\\])*\]\([^)]*\)", "", text)
    text = re.sub(r"\s*\[\^[^\]\s]+\]", "", text)
    text = _LINK.sub(lambda m: m.group("text"), text)
    text = re.sub(r"\[((?:\\.|[^\]\\])*)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"<((?:https?|mailto):[^>\s]+)>", r"\1", text)
    text = re.sub(r"</?[A-Za-z][^>]*>", "", text)
    text = re.sub(r"(`+)(.+?)\1", lambda m: m.group(2).strip(), text)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)", r"\1", text)
    text = re.sub(r"~~(?=\S)(.+?)(?<=\S)~~", r"\1", text)
    text = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group()) - 0xE000), text)
    return " ".join(text.split())


def _cut_sentence(text: str) -> str:
    for match in _SENTENCE_END.finditer(text):
        start = text.rfind(" ", 0, match.start()) + 1
        word = text[start:match.start() + 1]
        if word.lower() in _ABBREVIATIONS or (len(word) == 2 and word[0].isupper() and word[1] == "."):
            continue
        return text[:match.end()]
    return text


def first_sentence(markdown_body: str, max_len: int = 160) -> str:
    """The first sentence of the first prose paragraph, as plain text on one line."""
    sentence = _cut_sentence(_plain(_first_paragraph(markdown_body)))
    if len(sentence) <= max_len:
        return sentence
    cut = sentence[: max_len - 1]
    space = cut.rfind(" ")
    if space > max_len // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-\u2013\u2014") + "\u2026"
