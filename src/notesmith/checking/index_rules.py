"""Index checks: every article listed in a managed _index.md table, every row pointing somewhere."""

from __future__ import annotations

import posixpath

from notesmith.checking.rules import Finding
from notesmith.text.article import Summary
from notesmith.text.index_table import IndexFile, indexes_for, row_target


def check_indexed(info: Summary, indexes: dict[str, IndexFile], articles_root: str, ctx) -> list[Finding]:
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
