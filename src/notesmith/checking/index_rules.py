"""Index checks: every article listed in a managed _index.md table, every row pointing somewhere."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from notesmith.text.index_table import IndexRow, IndexTable, parse_index
from notesmith.checking.rules import Finding


@dataclass(frozen=True)
class ArticleInfo:
    """What the index needs to know of an article."""

    rel: str
    title: str
    status: str
    updated: str
    description: str = ""


def article_info(article, rel: str) -> ArticleInfo:
    """What the index needs of a parsed Article: title, status, date and description."""
    data = article.frontmatter

    def text(key: str) -> str:
        value = data.get(key)
        return value.strip() if isinstance(value, str) else ""

    return ArticleInfo(rel, article.title, text("status"), text("updated"), text("description"))


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


def check_indexed(info: ArticleInfo, indexes: dict[str, IndexFile], articles_root: str, ctx) -> list[Finding]:
    """IX001 when no table lists the article, IX003 when its row is stale."""
    out = []
    rows = [(index, index.rows[info.rel]) for index in indexes_for(info.rel, indexes, articles_root)
            if info.rel in index.rows]
    if not rows:
        nearest = indexes_for(info.rel, indexes, articles_root)
        where = nearest[0].rel if nearest else posixpath.join(articles_root, "_index.md")
        out.append(ctx.finding(info.rel, 1, 1, "IX001",
                               f"not listed in {where}; add a row (notesmith check --fix)"))
    for index, row in rows:
        stale = []
        if info.status and row.status.strip() != info.status:
            stale.append(f"status {row.status.strip()!r} → {info.status!r}")
        if info.updated and row.updated.strip() != info.updated:
            stale.append(f"last updated {row.updated.strip()!r} → {info.updated!r}")
        if stale:
            out.append(ctx.finding(index.rel, row.line, 1, "IX003",
                                   f"row for {info.rel} is stale: {'; '.join(stale)} (notesmith check --fix)"))
    return [f for f in out if f is not None]


def check_rows(index: IndexFile, tree, ctx) -> list[Finding]:
    """IX002 for rows whose link leads to no file."""
    out = []
    for table in index.tables:
        for row in table.rows:
            target = row_target(index.folder, row)
            if target is not None and not tree.exists(target):
                out.append(ctx.finding(index.rel, row.line, 1, "IX002",
                                       f"row links to {row.target}, which does not exist; fix or remove the row"))
    return [f for f in out if f is not None]
