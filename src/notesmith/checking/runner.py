"""`notesmith check`: run every rule over a workspace's articles, on disk or as staged."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from notesmith.checking.article_rules import Context, check_article, resolve_links
from notesmith.checking.index_rules import check_indexed, check_rows
from notesmith.checking.rules import Finding, severities
from notesmith.checking.tree import DiskTree, StagedTree, index_files, index_texts
from notesmith.errors import BinaryFile, ConfigError, NotUtf8
from notesmith.text.article import Article
from notesmith.text.index_table import load_index
from notesmith.text.frontmatter import HEAD_BYTES, mapping_of
from notesmith.workspace import Workspace

MAX_ARTICLE_BYTES = 5 * 1024 * 1024


@dataclass
class CheckResult:
    """The findings of one check and how many files it read."""

    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    fixed: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def __iter__(self):
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)


def open_tree(ws: Workspace, staged: bool):
    """The files to judge: the working tree, or the git index with --staged."""
    if not staged:
        return DiskTree(ws.root)
    from notesmith.git import staged as gitindex
    from notesmith.git.runner import toplevel

    repo = toplevel(ws.root)
    if repo is None:
        raise ConfigError(f"{ws.root} is not inside a git repository; --staged needs one")
    return StagedTree(ws.root, repo, gitindex.index_paths(repo), gitindex.read_staged)


def staged_scope(ws: Workspace, tree: StagedTree) -> tuple[list[str], bool]:
    """Staged article files to check, and whether an article was deleted or renamed."""
    from notesmith.git import staged as gitindex

    changed = gitindex.staged_changes(tree.repo)
    rels, removed = [], False
    for status, path in changed:
        if not path.startswith(tree.prefix):
            continue
        rel = path[len(tree.prefix):]
        if status in ("D",):
            removed = True
        elif rel.endswith(".md"):
            rels.append(rel)
        if status == "R":
            removed = True
    return rels, removed


def load_article(tree, rel: str, ctx: Context) -> tuple[Article | None, Finding | None]:
    """Read one article, or the one finding that says why it cannot be read."""
    try:
        size = tree.size(rel)
    except OSError as exc:
        return None, ctx.finding(rel, 1, 1, "FL001", f"cannot read: {exc.strerror}")
    if size > MAX_ARTICLE_BYTES:
        return None, ctx.finding(rel, 1, 1, "FL003", f"file is {size / 1048576:.1f} MB, over the "
                                 f"{MAX_ARTICLE_BYTES // 1048576} MB an article may have; split it or move it out")
    try:
        return Article.from_bytes(tree.read(rel), rel), None
    except BinaryFile as exc:
        return None, ctx.finding(rel, 1, 1, "FL002", exc.message)
    except NotUtf8 as exc:
        return None, ctx.finding(rel, exc.line or 1, 1, "FL001", exc.message)


def run_check(ws: Workspace, paths: Iterable[Path] | None = None, *, staged: bool = False,
              orphans: bool = False) -> CheckResult:
    """Check the articles under paths (default: the whole articles folder)."""
    config = ws.config
    ctx = Context(open_tree(ws, staged), config, severities(config.rules))
    tree = ctx.tree
    articles_root = config.articles.strip("/")
    index_name = config.index_name
    whole = False
    removed = False
    if staged:
        rels, removed = staged_scope(ws, tree)
        rels = [r for r in rels if r == articles_root or r.startswith(articles_root + "/")]
    elif paths:
        rels = _expand(ws, paths, tree)
    else:
        rels = list(tree.walk(articles_root, ".md"))
        whole = True
    result = CheckResult()
    if whole or removed or orphans:
        index_rels = index_files(tree, articles_root, index_name)
    else:  # only the index files that can list the chosen articles, or that were chosen
        index_rels = sorted(_nearby_indexes(rels, articles_root, index_name, tree))
    if staged:
        tree.preload([*rels, *index_rels])  # one read of git's index for everything
    indexes = {r: load_index(r, text) for r, text in index_texts(tree, index_rels).items()}
    cited: set[str] = set()
    for rel in rels:
        result.files += 1
        article, problem = load_article(tree, rel, ctx)
        if problem is not None or article is None:
            result.findings.extend(f for f in (problem,) if f)
            continue
        result.findings.extend(check_article(article, rel, ctx))
        name = posixpath.basename(rel)
        in_articles = rel.startswith(articles_root + "/")
        if in_articles and not name.startswith("_") and _valid_frontmatter(article):
            result.findings.extend(check_indexed(article.summary(rel, describe=False), indexes, articles_root, ctx))
        if orphans:
            cited.update(t.rel for t in resolve_links(article, rel, ctx) if t.rel)
    checked = set(rels)
    for index in indexes.values():
        if whole or removed or index.rel in checked:
            result.findings.extend(check_rows(index, tree, ctx))
    if orphans:
        result.findings.extend(_orphans(ws, tree, ctx, rels, cited))
    result.findings.sort()
    return result


def _nearby_indexes(rels: list[str], articles_root: str, index_name: str, tree) -> set[str]:
    """Index files in the folders of rels and the folders above them, up to the articles folder."""
    found, seen = set(), set()
    everywhere = articles_root in ("", ".")
    for rel in rels:
        if posixpath.basename(rel) == index_name:
            found.add(rel)
        folder = posixpath.dirname(rel)
        while folder not in seen and (everywhere or folder == articles_root
                                      or folder.startswith(articles_root + "/")):
            seen.add(folder)
            candidate = posixpath.join(folder, index_name)
            if tree.exists(candidate):
                found.add(candidate)
            folder = posixpath.dirname(folder)
    return found


def _valid_frontmatter(article: Article) -> bool:
    """True when the frontmatter parsed to a mapping (otherwise its FM finding says enough)."""
    block = article.block
    return block is not None and block.error is None and isinstance(block.data, dict)


def _orphans(ws: Workspace, tree, ctx: Context, checked: list[str], cited: set[str]) -> list[Finding]:
    """OR001 for files at the top of inbox/used/ that no article cites (a cited transcript's audio and
    segments files, named in its frontmatter, are kept beside it and count as cited)."""
    articles_root = ws.config.articles.strip("/")
    seen = set(checked)
    for rel in tree.walk(articles_root, ".md"):
        if rel in seen:
            continue
        article, _ = load_article(tree, rel, ctx)
        if article is not None:
            cited.update(t.rel for t in resolve_links(article, rel, ctx) if t.rel)
    used = ws.config.used.strip("/")
    uncited = [rel for rel in tree.walk(used) if posixpath.dirname(rel) == used and rel not in cited]
    kept = _kept_beside(tree, used, cited) if uncited else set()
    out = []
    for rel in uncited:
        if rel not in kept:
            finding = ctx.finding(rel, 1, 1, "OR001", "no article cites this input")
            if finding:
                out.append(finding)
    return out


def _kept_beside(tree, used: str, cited: set[str]) -> set[str]:
    """The audio and segments files that cited transcripts name (`audio_file`, `segments_file`)."""
    kept = set()
    for rel in cited:
        if posixpath.dirname(rel) != used or not rel.endswith("_transcript.txt"):
            continue
        try:
            data = mapping_of(tree.read(rel)[:HEAD_BYTES]) or {}
        except OSError:
            continue
        for key in ("audio_file", "segments_file"):
            name = data.get(key)
            if isinstance(name, str) and name and "/" not in name:
                kept.add(posixpath.join(used, name))
    return kept


def _expand(ws: Workspace, paths: Iterable[Path], tree) -> list[str]:
    rels = []
    for path in paths:
        absolute = Path(os.path.abspath(path))
        if not absolute.is_relative_to(ws.root):
            raise ConfigError(f"{path}: outside the workspace {ws.root}; run check from inside it")
        rel = absolute.relative_to(ws.root).as_posix()
        rel = "" if rel == "." else rel
        if absolute.is_dir():
            rels.extend(tree.walk(rel, ".md"))
        elif absolute.is_file():
            rels.append(rel)
        else:
            raise ConfigError(f"{path}: no such file or folder")
    return list(dict.fromkeys(rels))
