"""Step 7 of a run: check what it will write with the rules of `notesmith check`, against the tree
as it will be once the plan is applied; only errors the run itself brings in are reported."""

from __future__ import annotations

from notesmith.checking.article_rules import Context, check_article
from notesmith.checking.rules import severities
from notesmith.checking.tree import DiskTree, PlannedTree
from notesmith.errors import ArticleError
from notesmith.files import bytes_of
from notesmith.pipeline.planning import Changes
from notesmith.text.article import Article
from notesmith.workspace import Workspace


def new_errors(ws: Workspace, changes: Changes) -> list[str]:
    """`path:line:col: CODE message` for each error the planned articles would bring in."""
    disk = DiskTree(ws.root)
    writes = {rel: bytes_of(text) for rel, text in changes.writes.items()}
    removed = {m.src for m in changes.moves} | {src for src, _, _ in changes.fails}
    planned = PlannedTree(disk, writes, removed=removed, moved={m.dst: m.src for m in changes.moves})
    rules = severities(ws.config.rules)
    ctx, old_ctx = Context(planned, ws.config, rules), Context(disk, ws.config, rules)
    found = []
    for rel in [*changes.created, *changes.updated]:
        if rel not in changes.writes:
            continue
        before = set()
        if rel in changes.updated:
            try:
                old = Article.load(ws.root / rel)
            except ArticleError:
                old = None
            if old is not None:
                before = {(f.code, f.message) for f in check_article(old, rel, old_ctx)}
        for finding in check_article(Article(changes.writes[rel], rel), rel, ctx):
            if finding.severity == "error" and (finding.code, finding.message) not in before:
                found.append(f"{finding.path}:{finding.line}:{finding.col}: {finding.code} {finding.message}")
    return found
