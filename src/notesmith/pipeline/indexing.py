"""Step 9 of a run: the rows of `_index.md` for the articles the run creates and updates."""

from __future__ import annotations

from notesmith.checking.tree import DiskTree, index_files
from notesmith.files import text_of
from notesmith.git.repo import Git
from notesmith.pipeline.journal import sha256
from notesmith.pipeline.planning import Changes
from notesmith.pipeline.report import RunReport
from notesmith.text.article import Article
from notesmith.text.index_table import index_articles
from notesmith.workspace import Workspace


def index_changes(ws: Workspace, changes: Changes, git: Git | None, report: RunReport) -> None:
    """Add rows for new articles and refresh the rows of updated ones; an index being edited is left alone."""
    config = ws.config
    articles_root = config.articles.strip("/")
    tree = DiskTree(ws.root)
    raw = {rel: tree.read(rel) for rel in index_files(tree, articles_root, config.index_name)}
    dirty = git.dirty(list(raw)) if git is not None and raw else set()
    summaries = [Article(changes.writes[rel], rel).summary(rel)
                 for rel in [*changes.created, *changes.updated] if rel in changes.writes]
    changed = index_articles({rel: text_of(data) for rel, data in raw.items()}, summaries,
                             articles_root=articles_root, index_name=config.index_name)
    for index_rel, text in changed.items():
        if index_rel in dirty:
            report.notes.append(f"{index_rel} has uncommitted edits: left as it is; "
                                "run notesmith check --fix after committing them")
            continue
        changes.writes[index_rel] = text
        changes.pre[index_rel] = sha256(raw[index_rel]) if index_rel in raw else None
        changes.needs[index_rel] = list(changes.created)
