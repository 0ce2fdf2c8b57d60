"""The git edge of `notesmith process`: status, commits, trailers and branches of one repository.

Paths in and out are workspace-relative POSIX paths; the workspace may be a sub-folder of the
repository. Every git failure becomes a one-line GitError. Path lists and commit messages go to
git through files and stdin, never the command line, so a run of any size fits.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from notesmith.errors import GitError, RepositoryState
from notesmith.git.runner import call, chunks, decode, find_repository, split_z

FALLBACK_NAME = "notesmith"
FALLBACK_EMAIL = "notesmith@localhost"
_TRAILER_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")

# What git leaves in its folder while an operation waits for the user, and what to tell them.
_IN_PROGRESS = (
    ("MERGE_HEAD", "a merge", "finish it (git commit) or abort it (git merge --abort)"),
    ("rebase-merge", "a rebase", "finish it (git rebase --continue) or abort it (git rebase --abort)"),
    ("rebase-apply", "a rebase or git am", "finish it (--continue) or abort it (--abort)"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "finish it (git cherry-pick --continue) or abort it (--abort)"),
    ("REVERT_HEAD", "a revert", "finish it (git revert --continue) or abort it (--abort)"),
    ("BISECT_LOG", "a bisect", "end it with git bisect reset"),
)


class Git(Protocol):
    """What a run needs of a repository (the apply phase and the model phase)."""

    def dirty(self, paths_or_dirs: list[str]) -> set[str]: ...
    def tracked_paths(self, paths: list[str]) -> set[str]: ...
    def current_branch(self) -> str | None: ...
    def create_branch(self, name: str) -> None: ...
    def commit(self, paths: list[str], message: str) -> str | None: ...
    def find_commit_with_trailer(self, key: str, value: str, depth: int = 50) -> str | None: ...


class Repository:
    """The repository that holds one workspace."""

    def __init__(self, top: Path, prefix: str):
        self.top = top
        self.prefix = prefix  # the workspace's folder inside the repository, "" at the top
        self.checkpoint: Callable[[str], None] = lambda name: None  # a test seam: called between git steps

    @classmethod
    def open(cls, root: Path) -> Repository | None:
        """The repository holding `root`; None outside a repository or without a git executable."""
        root = Path(root).resolve()
        if not root.is_dir() or shutil.which("git") is None or find_repository(root) is None:
            return None
        _, out = call(root, "rev-parse", "--show-toplevel")
        top = Path(decode(out).strip()).resolve()
        if not root.is_relative_to(top):
            return None
        prefix = root.relative_to(top).as_posix()
        return cls(top, "" if prefix == "." else prefix)

    # -- running git -----------------------------------------------------------------------

    def _run(self, *args: str, env: dict[str, str] | None = None, input: bytes | None = None,
             ok: Iterable[int] = (0,)) -> tuple[int, bytes]:
        return call(self.top, *args, env=env, input=input, ok=ok)

    def _out(self, *args: str) -> str:
        return decode(self._run(*args)[1]).strip()

    # -- paths -----------------------------------------------------------------------------

    def _to_repo(self, path: str) -> str:
        rel = posixpath.normpath(path.replace(os.sep, "/") or ".")
        if rel == ".." or rel.startswith("../") or posixpath.isabs(rel):
            raise GitError(f"path {path!r} is outside the workspace; pass a path inside it")
        return posixpath.normpath(posixpath.join(self.prefix, rel))

    def _from_repo(self, repo_path: str) -> str | None:
        if not self.prefix:
            return repo_path
        if repo_path.startswith(self.prefix + "/"):
            return repo_path[len(self.prefix) + 1:]
        return None

    # -- queries ---------------------------------------------------------------------------

    def head(self) -> str | None:
        """The sha of HEAD, or None before the first commit."""
        status, out = self._run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", ok=(0, 1, 128))
        return decode(out).strip() if status == 0 else None

    def has_commits(self) -> bool:
        """Whether HEAD points at a commit."""
        return self.head() is not None

    def head_message(self) -> str:
        """The full message of HEAD ("" before the first commit)."""
        if not self.has_commits():
            return ""
        return decode(self._run("log", "-1", "--format=%B", "HEAD")[1]).rstrip("\n")

    def current_branch(self) -> str | None:
        """The checked-out branch's short name, or None on a detached HEAD."""
        status, out = self._run("symbolic-ref", "--quiet", "--short", "HEAD", ok=(0, 1))
        return (decode(out).strip() or None) if status == 0 else None

    def _git_path(self, name: str) -> Path:
        return self.top / self._out("rev-parse", "--git-path", name)

    def operation_in_progress(self) -> tuple[str, str] | None:
        """(what, how to end it) when a merge, rebase, cherry-pick, revert or bisect waits for the user."""
        for marker, what, step in _IN_PROGRESS:
            if self._git_path(marker).exists():
                return what, step
        return None

    def check_state(self, *, branch: str | None) -> None:
        """RepositoryState unless git is at rest on a branch (or a new --branch will be made)."""
        busy = self.operation_in_progress()
        if busy is not None:
            what, step = busy
            raise RepositoryState(f"git is in the middle of {what}; {step}, then run notesmith again",
                                  path=self.top)
        if branch is None and self.has_commits() and self.current_branch() is None:
            raise RepositoryState("HEAD is detached, so a commit would belong to no branch; check out a "
                                  "branch, or pass --branch NAME to commit on a new one", path=self.top)

    def dirty(self, paths_or_dirs: list[str]) -> set[str]:
        """Files under these paths that differ from HEAD (staged or not, deleted too) or are untracked."""
        if not paths_or_dirs:
            return set()
        wanted = [self._to_repo(p) for p in paths_or_dirs]
        found: set[str] = set()
        for batch in chunks(wanted):
            out = self._run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", *batch)[1]
            found.update(_status_paths(out))
        result: set[str] = set()
        for repo_path in found:
            if not any(w == "." or repo_path == w or repo_path.startswith(w + "/") for w in wanted):
                continue
            rel = self._from_repo(repo_path)
            if rel is not None:
                result.add(rel)
        return result

    def _in_tree(self, repo_paths: list[str], tree: str = "HEAD") -> set[str]:
        found: set[str] = set()
        for batch in chunks(repo_paths):
            _, out = self._run("ls-tree", "-r", "-z", "--name-only", "--full-tree", tree, "--", *batch)
            found.update(split_z(out))
        return found & set(repo_paths)

    def _in_index(self, repo_paths: list[str]) -> set[str]:
        found: set[str] = set()
        for batch in chunks(repo_paths):
            found.update(split_z(self._run("ls-files", "-z", "--cached", "--full-name", "--", *batch)[1]))
        return found & set(repo_paths)

    def tracked_paths(self, paths: list[str]) -> set[str]:
        """Those of `paths` (files) that are in HEAD, in one git call per batch."""
        if not paths or not self.has_commits():
            return set()
        by_repo = {self._to_repo(p): p for p in paths}
        return {by_repo[r] for r in self._in_tree(list(by_repo))}

    def _config(self, key: str) -> str:
        status, out = self._run("config", "--get", key, ok=(0, 1))
        return decode(out).strip() if status == 0 else ""

    def _who(self, role: str) -> tuple[str, str]:
        name = os.environ.get(f"GIT_{role.upper()}_NAME") or self._config(f"{role}.name") or self._config("user.name")
        email = (os.environ.get(f"GIT_{role.upper()}_EMAIL") or self._config(f"{role}.email")
                 or self._config("user.email") or os.environ.get("EMAIL", ""))
        return name.strip(), email.strip()

    def identity(self) -> tuple[str, str, bool]:
        """(name, email, configured?) of the commit author; notesmith's fallback when none is configured."""
        name, email = self._who("author")
        if name and email:
            return name, email, True
        return FALLBACK_NAME, FALLBACK_EMAIL, False

    def _commit_env(self) -> dict[str, str]:
        name, email, configured = self.identity()
        env: dict[str, str] = {}
        if not configured:
            env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email)
        committer = self._who("committer")
        if not configured or not all(committer):
            env.update(GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
        return env

    # -- changes ---------------------------------------------------------------------------

    def changed(self, paths: list[str]) -> list[str]:
        """Those of `paths` whose working-tree state differs from HEAD (added, changed or deleted)."""
        repo_paths = list(dict.fromkeys(self._to_repo(p) for p in paths))
        on_disk = {p for p in repo_paths if os.path.lexists(self.top / p)}
        in_head = self._in_tree(repo_paths) if self.has_commits() else set()
        candidates = sorted(on_disk | in_head)
        if not candidates:
            return []
        found: set[str] = set()
        for batch in chunks(candidates):
            out = self._run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames",
                            "--", *batch)[1]
            found.update(_status_paths(out))
        by_repo = {self._to_repo(p): p for p in paths}
        return [by_repo[p] for p in candidates if p in found]

    def commit(self, paths: list[str], message: str) -> str | None:
        """Commit exactly these paths as they are on disk (added, changed or deleted), leaving everything
        else staged as it was; None when none of them differs from HEAD (nothing to commit).

        Idempotent from any point: a path already staged, or deleted from the index by an earlier
        `git add` that was not followed by its commit, is committed all the same.
        """
        repo_paths = list(dict.fromkeys(self._to_repo(p) for p in self.changed(paths)))
        if not repo_paths:
            return None
        on_disk = [p for p in repo_paths if os.path.lexists(self.top / p)]
        in_index = self._in_index(repo_paths)
        # `git add -A` matches its pathspec against the disk and the index only: a path that is gone
        # from both (its deletion already staged) must not be named, or git refuses the whole list.
        addable = [p for p in repo_paths if p in in_index or p in on_disk]
        with _pathspec_file(addable) as add_spec, _pathspec_file(repo_paths) as commit_spec:
            if addable:
                self._run("add", "-A", f"--pathspec-from-file={add_spec}", "--pathspec-file-nul")
                self.checkpoint("git add")
            self._run("commit", "--no-verify", "--quiet", "--cleanup=whitespace", "--file=-",
                      "--only", f"--pathspec-from-file={commit_spec}", "--pathspec-file-nul",
                      env=self._commit_env(), input=message.encode("utf-8", "surrogateescape"))
        self.checkpoint("git commit")
        return self._out("rev-parse", "HEAD")

    def find_commit_with_trailer(self, key: str, value: str, depth: int = 50) -> str | None:
        """The sha of a recent first-parent commit whose message has the trailer `key: value`."""
        if not _TRAILER_KEY.match(key):
            raise GitError(f"not a trailer key: {key!r}")
        if not self.has_commits():
            return None
        fmt = f"%H%x1f%(trailers:key={key},valueonly,separator=%x1f)%x1e"
        out = decode(self._run("log", "--first-parent", f"-n{depth}", f"--format={fmt}", "HEAD")[1])
        for record in out.split("\x1e"):
            sha, _, values = record.strip("\n").partition("\x1f")
            if sha and value.strip() in (v.strip() for v in values.split("\x1f")):
                return sha.strip()
        return None

    def check_new_branch(self, name: str) -> None:
        """GitError unless NAME is a valid branch name that does not exist yet."""
        status, _ = self._run("check-ref-format", "--branch", name, ok=(0, 1, 128))
        if status != 0 or name.startswith("-"):
            raise GitError(f"{name!r} is not a valid branch name; choose another name")
        status, _ = self._run("show-ref", "--verify", "--quiet", f"refs/heads/{name}", ok=(0, 1))
        if status == 0:
            raise GitError(f"branch {name} already exists; choose another name or delete it")

    def create_branch(self, name: str) -> None:
        """Create NAME from HEAD and check it out, keeping working-tree changes."""
        self.check_new_branch(name)
        self._run("checkout", "--quiet", "-b", name)


class _pathspec_file:
    """A temporary file of NUL-separated paths for --pathspec-from-file."""

    def __init__(self, repo_paths: list[str]):
        self.paths = repo_paths
        self.name = ""

    def __enter__(self) -> str:
        fd, self.name = tempfile.mkstemp(prefix="notesmith-pathspec-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"".join(os.fsencode(p) + b"\0" for p in self.paths))
        return self.name

    def __exit__(self, *exc: object) -> None:
        os.unlink(self.name)


def _status_paths(out: bytes) -> set[str]:
    """Every path named in `git status --porcelain=v1 -z` output, both sides of renames and copies."""
    fields = out.split(b"\0")
    paths: set[str] = set()
    i = 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if len(entry) < 4:
            continue
        paths.add(decode(entry[3:]))
        if entry[:1] in (b"R", b"C") or entry[1:2] in (b"R", b"C"):
            if i < len(fields):
                paths.add(decode(fields[i]))
            i += 1
    return paths
