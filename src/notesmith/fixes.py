"""`notesmith check --fix`: the safe repairs only (link paths, BOMs, index rows); never a deletion."""

from __future__ import annotations

import posixpath

from .article import Article, write_atomic
from .checker import _info, load_article, open_tree, run_check, CheckResult
from .checks import Context, resolve_links
from .index_table import first_sentence, insert_row, parse_index, render_row, replace_row
from .indexcheck import ArticleInfo, indexes_for, load_index
from .rules import severities
from .workspace import Workspace

INDEX_HEADER = "| Title | Status | Last Updated | Description |\n|-------|--------|--------------|-------------|\n"


def fix_article_links(article: Article, rel: str, ctx: Context) -> tuple[Article, list[str]]:
    """Rewrite links whose file exists exactly once elsewhere; drop a BOM."""
    lines = list(article.lines)
    changes = []
    targets = [t for t in resolve_links(article, rel, ctx) if t.fix is not None]
    # right to left, so an edit never moves the columns of the links still to fix on its line
    for target in sorted(targets, key=lambda t: (t.link.line, -t.link.col)):
        link = target.link
        i = link.line - 1
        line = lines[i]
        old = link.target.split("#", 1)[0].split("?", 1)[0]
        start = link.col - 1
        if line.startswith(("[", "!["), start):
            start = line.find("](", start)  # past the link text, which may repeat the target
        at = line.find(old, start) if start >= 0 else -1
        if at < 0:
            continue
        lines[i] = line[:at] + target.fix + line[at + len(old):]
        changes.append((link.line, link.col, f"{rel}:{link.line}: link {old} → {target.fix}"))
    changes = [change for _, _, change in sorted(changes)]
    fixed = article.with_lines(lines) if changes else article
    if article.bom:
        fixed = Article(fixed.text, fixed.path, bom=False)
        changes.append(f"{rel}:1: removed the byte-order mark")
    return fixed, changes


def index_row_for(info: ArticleInfo, article: Article, index_folder: str) -> str:
    """A managed-table row for an article, linked relative to the index file's folder."""
    target = posixpath.relpath(info.rel, index_folder or ".")
    description = info.description or first_sentence("\n".join(article.lines[article.body_start - 1:]))
    return render_row(info.title, target, info.status, info.updated, description)


def fix_workspace(ws: Workspace, paths=None, *, orphans: bool = False) -> CheckResult:
    """Apply the safe fixes to what `check` finds, then check again; result.fixed lists the changes."""
    first = run_check(ws, paths, orphans=orphans)
    fixable = [f for f in first.findings if f.fixable]
    if not fixable:
        return first
    ctx = Context(open_tree(ws, False), ws.config, severities(ws.config.rules))
    changes: list[str] = []
    link_files = sorted({f.path for f in fixable if f.code in ("SR002", "LK002", "IM002", "FM010")})
    for rel in link_files:
        article, _ = load_article(ctx.tree, rel, ctx)
        if article is None:
            continue
        fixed, made = fix_article_links(article, rel, ctx)
        if made:
            write_atomic(ws.root / rel, fixed.dump().encode("utf-8"))
            changes.extend(made)
    changes.extend(_fix_index(ws, ctx, sorted({f.path for f in fixable if f.code == "IX001"}),
                              [f for f in fixable if f.code == "IX003"]))
    result = run_check(ws, paths, orphans=orphans)
    result.fixed = changes
    return result


def _fix_index(ws: Workspace, ctx: Context, missing: list[str], stale: list) -> list[str]:
    articles_root = ws.config.articles.strip("/")
    index_name = ws.config.index_name
    changes = []
    def indexes() -> dict:
        rels = [r for r in ctx.tree.walk(articles_root, index_name) if posixpath.basename(r) == index_name]
        return {r: load_index(r, (ws.root / r).read_text(encoding="utf-8")) for r in rels}
    # stale rows first: their line numbers come from before any row is inserted
    for finding in stale:
        index_rel = finding.path
        text = (ws.root / index_rel).read_text(encoding="utf-8")
        index = load_index(index_rel, text)
        for target, row in index.rows.items():
            if row.line != finding.line:
                continue
            article, _ = load_article(ctx.tree, target, ctx)
            if article is None:
                continue
            info = _info(article, target)
            new = render_row(row.title, row.target, info.status or row.status, info.updated or row.updated,
                             row.description)
            write_atomic(ws.root / index_rel, replace_row(text, row, new).encode("utf-8"))
            changes.append(f"{index_rel}:{row.line}: updated the row for {target}")
    for rel in missing:
        article, _ = load_article(ctx.tree, rel, ctx)
        if article is None:
            continue
        info = _info(article, rel)
        nearest = indexes_for(rel, indexes(), articles_root)
        if nearest:
            index = nearest[0]
            text = insert_row(index.text, index.tables[0], index_row_for(info, article, index.folder))
            index_rel = index.rel
        else:
            index_rel = posixpath.join(articles_root, index_name)
            path = ws.root / index_rel
            text = path.read_text(encoding="utf-8") if path.exists() else "# Articles\n"
            newline = "\r\n" if "\r\n" in text else "\n"
            if not text.endswith(("\n", "\r")):
                text += newline
            text += newline + INDEX_HEADER.replace("\n", newline)
            table = parse_index(text)[-1]
            text = insert_row(text, table, index_row_for(info, article, articles_root))
        write_atomic(ws.root / index_rel, text.encode("utf-8"))
        changes.append(f"{index_rel}: added a row for {rel}")
    return changes


