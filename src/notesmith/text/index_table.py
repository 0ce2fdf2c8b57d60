"""Managed index tables in `_index.md` files: parse them, find the rows of an article, and add or
refresh rows so every article is listed. Only managed tables are touched; every other byte of an
index file is kept."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from notesmith.text.markdown import LINK

if TYPE_CHECKING:
    from notesmith.text.article import Summary

HEADER = ("Title", "Status", "Last Updated", "Description")

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SEPARATOR_CELL = re.compile(r"^:?-+:?$")

class IndexRow(NamedTuple):
    """One row of a managed table; `line` is 1-based, `target` the link target as written."""

    line: int
    title: str
    target: str | None
    status: str
    updated: str
    description: str
    raw: str


class IndexTable(NamedTuple):
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
    match = LINK.search(first)
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


@dataclass
class IndexFile:
    rel: str
    text: str
    tables: list[IndexTable]
    rows: dict[str, IndexRow] = field(default_factory=dict)  # article rel → row
    folder: str = field(init=False)

    def __post_init__(self) -> None:
        self.folder = posixpath.dirname(self.rel)


def load_index(rel: str, text: str) -> IndexFile:
    """Parse one index file and resolve its rows to workspace-relative article paths."""
    index = IndexFile(rel, text, parse_index(text))
    for table in index.tables:
        for row in table.rows:
            target = row_target(index.folder, row)
            if target is not None:
                index.rows.setdefault(target, row)
    return index


def row_target(folder: str, row: IndexRow) -> str | None:
    """The workspace-relative path a row links to."""
    if not row.target or "://" in row.target or row.target.startswith("#"):
        return None
    path = row.target.split("#", 1)[0]
    return posixpath.normpath(posixpath.join(folder, path)) if path else None


def indexes_for(rel: str, indexes: dict[str, IndexFile], articles_root: str) -> list[IndexFile]:
    """Index files with a managed table in the article's folder or a folder above, nearest first."""
    folder = posixpath.dirname(rel)
    found = []
    while True:
        for index in indexes.values():
            if index.folder == folder and index.tables:
                found.append(index)
        if not folder or folder == articles_root or folder == ".":
            break
        if articles_root and not folder.startswith(articles_root):
            break
        folder = posixpath.dirname(folder)
    return found


INDEX_HEADER = ("| Title | Status | Last Updated | Description |",
                "|-------|--------|--------------|-------------|")


def new_index_text(existing: str | None) -> str:
    """An index file with an empty managed table appended (a new file when existing is None)."""
    text = existing if existing is not None else "# Articles\n"
    newline = "\r\n" if "\r\n" in text else "\n"
    if text and not text.endswith("\n"):
        text += newline
    return text + newline + newline.join(INDEX_HEADER) + newline


def index_articles(texts: dict[str, str], articles: list[Summary], *, articles_root: str,
                   index_name: str = "_index.md") -> dict[str, str]:
    """Index texts (rel → text) changed so every article is listed and its row is current.

    A listed article gets its status and date cells refreshed (title and description are the
    author's); an unlisted one gets a row at the top of the nearest managed table, and
    articles_root/_index.md gets a table when no folder above the article has one. Each index
    file is parsed once: refreshed rows keep their lines, and new rows go in at the top, in the
    order given.
    """
    indexes = {rel: load_index(rel, text) for rel, text in texts.items()}
    changed: dict[str, str] = {}
    new_rows: dict[str, list[str]] = {}  # index file → rows to insert, in order
    for info in articles:
        listed = False
        for index in indexes_for(info.rel, indexes, articles_root):
            row = index.rows.get(info.rel)
            if row is None:
                continue
            listed = True
            status, updated = info.status or row.status.strip(), info.updated or row.updated.strip()
            if (row.status.strip(), row.updated.strip()) != (status, updated):
                new = render_row(row.title, row.target, status, updated, row.description)
                changed[index.rel] = replace_row(changed.get(index.rel, index.text), row, new)
        if listed:
            continue
        nearest = indexes_for(info.rel, indexes, articles_root)
        if nearest:
            index_rel = nearest[0].rel
        else:  # no managed table above the article: give the top index file one
            index_rel = posixpath.join(articles_root, index_name)
            existing = changed.get(index_rel, texts.get(index_rel))
            changed[index_rel] = new_index_text(existing)
            indexes[index_rel] = load_index(index_rel, changed[index_rel])
        target = posixpath.relpath(info.rel, posixpath.dirname(index_rel) or ".")
        new_rows.setdefault(index_rel, []).append(
            render_row(info.title, target, info.status, info.updated, info.description))
    for index_rel, rows in new_rows.items():
        text = changed.get(index_rel, indexes[index_rel].text)
        table = parse_index(text)[0]  # the nearest folder's first managed table
        for row in reversed(rows):  # each at the top, so the last goes in first
            text = insert_row(text, table, row)
        changed[index_rel] = text
    return changed
