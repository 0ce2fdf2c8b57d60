"""The files a check looks at: the working tree on disk, or what is staged in git's index."""

from __future__ import annotations

import os
import posixpath
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Iterator, Protocol

from notesmith.files import text_of

_SKIP_DIRS = {".git", "node_modules", "__pycache__"}


class Tree(Protocol):
    """The files a check reads: workspace-relative POSIX paths, on disk, in git's index, or as planned."""

    root: Path
    staged: bool

    def exists(self, rel: str) -> bool: ...
    def is_dir(self, rel: str) -> bool: ...
    def read(self, rel: str) -> bytes: ...
    def size(self, rel: str) -> int: ...
    def walk(self, folder: str, suffix: str = "") -> Iterator[str]: ...
    def by_name(self, name: str) -> list[str]: ...


class DiskTree:
    """Workspace files as they are on disk; paths are workspace-relative POSIX strings."""

    staged = False

    def __init__(self, root: Path):
        self.root = root
        self._names: dict[str, list[str]] | None = None

    def exists(self, rel: str) -> bool:
        return os.path.exists(os.path.join(self.root, rel))

    def is_dir(self, rel: str) -> bool:
        return os.path.isdir(os.path.join(self.root, rel))

    def read(self, rel: str) -> bytes:
        with open(os.path.join(self.root, rel), "rb") as handle:
            return handle.read()

    def size(self, rel: str) -> int:
        return os.path.getsize(os.path.join(self.root, rel))

    def walk(self, folder: str, suffix: str = "") -> Iterator[str]:
        """Files under folder (recursively, hidden folders skipped), sorted."""
        base = os.path.join(self.root, folder) if folder else str(self.root)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
            rel_dir = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
            for name in sorted(filenames):
                if name.endswith(suffix) and not name.startswith("."):
                    yield name if rel_dir == "." else f"{rel_dir}/{name}"

    def by_name(self, name: str) -> list[str]:
        """Every file of the workspace with this file name (the index is built on first use)."""
        if self._names is None:
            self._names = _index_names(self.walk(""))
        return self._names.get(name, [])


class StagedTree:
    """Workspace files as staged in git's index (what the next commit will hold)."""

    staged = True

    def __init__(self, root: Path, repo: Path, paths: Iterable[str], reader):
        self.root = root
        prefix = root.resolve().relative_to(repo.resolve()).as_posix()
        self.prefix = "" if prefix == "." else prefix + "/"
        self.repo = repo
        self._reader = reader
        self.files = {p[len(self.prefix):] for p in paths if p.startswith(self.prefix)}
        self.dirs = {posixpath.dirname(p) for p in self.files}
        for d in list(self.dirs):
            while d:
                d = posixpath.dirname(d)
                self.dirs.add(d)
        self._names = _index_names(self.files)
        self._cache: dict[str, bytes] = {}

    def exists(self, rel: str) -> bool:
        rel = rel.rstrip("/")
        return rel in self.files or rel in self.dirs

    def is_dir(self, rel: str) -> bool:
        return rel.rstrip("/") in self.dirs

    def preload(self, rels: Iterable[str]) -> None:
        """Read many staged files in one go."""
        wanted = [r for r in rels if r not in self._cache]
        if wanted:
            data = self._reader(self.repo, [self.prefix + r for r in wanted])
            for rel in wanted:
                self._cache[rel] = data.get(self.prefix + rel, b"")

    def read(self, rel: str) -> bytes:
        self.preload([rel])
        return self._cache[rel]

    def size(self, rel: str) -> int:
        return len(self.read(rel))

    def walk(self, folder: str, suffix: str = "") -> Iterator[str]:
        start = folder.rstrip("/") + "/" if folder else ""
        for rel in sorted(self.files):
            if rel.startswith(start) and rel.endswith(suffix):
                if not any(part.startswith(".") for part in rel.split("/")):
                    yield rel

    def by_name(self, name: str) -> list[str]:
        return self._names.get(name, [])


def index_files(tree: Tree, articles_root: str, index_name: str) -> list[str]:
    """Every index file (e.g. _index.md) under the articles folder, sorted."""
    return sorted(r for r in tree.walk(articles_root, index_name) if posixpath.basename(r) == index_name)


def index_texts(tree: Tree, rels: Iterable[str]) -> dict[str, str]:
    """The text of index files, read the one way: bytes that are not UTF-8 are kept (as surrogates), so an
    index written back holds them unchanged, and prose notesmith does not own is never altered."""
    return {rel: text_of(tree.read(rel)) for rel in rels}


def _index_names(paths: Iterable[str]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    for rel in paths:
        names[rel.rsplit("/", 1)[-1]].append(rel)
    return dict(names)


class PlannedTree:
    """The working tree as it will be once a run's plan is applied (files written and moved away)."""

    staged = False

    def __init__(self, base: DiskTree, writes: dict[str, bytes] | None = None, added: Iterable[str] = (),
                 removed: Iterable[str] = (), moved: dict[str, str] | None = None):
        """moved: planned destination → the file it comes from (an input going to inbox/used/)."""
        self.base = base
        self.root = base.root
        self.writes = dict(writes or {})
        self.moved = dict(moved or {})
        self.added = set(added) | set(self.writes) | set(self.moved)
        self.removed = set(removed) - self.added
        self._names = _index_names(self.added)

    def exists(self, rel: str) -> bool:
        return rel in self.added or (rel not in self.removed and self.base.exists(rel))

    def is_dir(self, rel: str) -> bool:
        return self.base.is_dir(rel) or any(a.startswith(rel.rstrip("/") + "/") for a in self.added)

    def read(self, rel: str) -> bytes:
        if rel in self.writes:
            return self.writes[rel]
        if rel in self.moved:
            return self.base.read(self.moved[rel])
        if rel in self.removed:
            raise FileNotFoundError(rel)
        return self.base.read(rel)

    def size(self, rel: str) -> int:
        return len(self.read(rel))

    def walk(self, folder: str, suffix: str = "") -> Iterator[str]:
        start = folder.rstrip("/") + "/" if folder else ""
        planned = {a for a in self.added if a.startswith(start) and a.endswith(suffix)}
        yield from sorted({r for r in self.base.walk(folder, suffix) if r not in self.removed} | planned)

    def by_name(self, name: str) -> list[str]:
        found = [p for p in self.base.by_name(name) if p not in self.removed]
        return found + [p for p in self._names.get(name, []) if p not in found]
