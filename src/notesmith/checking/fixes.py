"""`notesmith check --fix`: the safe repairs only (link paths, BOMs, index rows); never a deletion."""

from __future__ import annotations

from notesmith.checking.article_rules import Context, resolve_links
from notesmith.checking.rules import severities
from notesmith.checking.runner import CheckResult, load_article, open_tree, run_check
from notesmith.checking.tree import index_files, index_texts
from notesmith.files import bytes_of, state_dir, write_atomic
from notesmith.lock import WorkspaceLock
from notesmith.text.article import Article
from notesmith.text.index_table import index_articles, load_index
from notesmith.workspace import Workspace


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


def fix_workspace(ws: Workspace, paths=None, *, orphans: bool = False, wait: float = 0.0) -> CheckResult:
    """Apply the safe fixes to what `check` finds, then check again; result.fixed lists the changes.

    Takes the workspace lock, as a run does, so a fix never lands in the middle of a run's work.
    """
    with WorkspaceLock(state_dir(ws.root, ws.config.state) / "lock", wait=wait):
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
    """Add rows for unlisted articles and refresh stale rows, as a run does."""
    articles_root = ws.config.articles.strip("/")
    index_name = ws.config.index_name
    texts = index_texts(ctx.tree, index_files(ctx.tree, articles_root, index_name))
    todo = {rel: f": added a row for {rel}" for rel in missing}
    for finding in stale:
        index = load_index(finding.path, texts.get(finding.path, ""))
        for target, row in index.rows.items():
            if row.line == finding.line:
                todo.setdefault(target, f":{row.line}: updated the row for {target}")
    changes, written = [], set()
    for rel, change in todo.items():
        article, _ = load_article(ctx.tree, rel, ctx)
        if article is None:
            continue
        changed = index_articles(texts, [article.summary(rel)], articles_root=articles_root, index_name=index_name)
        texts.update(changed)
        written.update(changed)
        changes.extend(f"{index_rel}{change}" for index_rel in changed)
    for index_rel in sorted(written):
        write_atomic(ws.root / index_rel, bytes_of(texts[index_rel]))
    return changes
