"""The git edge of `notesmith process`: status, commits, trailers and branches of one repository.

Paths in and out are workspace-relative POSIX paths; the workspace may be a sub-folder of the
repository. Every git failure becomes a one-line GitError.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from notesmith.errors import GitError

try:
    import git
except ImportError:  # GitPython refuses to import when it finds no git executable
    git = None  # type: ignore[assignment]

FALLBACK_NAME = "notesmith"
FALLBACK_EMAIL = "notesmith@localhost"

# Literal pathspecs: a file named `*.md` or `:x` means that file. No optional locks: a status
# never takes index.lock, so it cannot get in the way of the user's own git commands.
_ENV = {"GIT_LITERAL_PATHSPECS": "1", "GIT_OPTIONAL_LOCKS": "0"}
_ARGS_BUDGET = 64_000  # bytes of paths per command line where git has no --pathspec-from-file
_TRAILER_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def _decode(raw: bytes | str) -> str:
    return raw if isinstance(raw, str) else raw.decode("utf-8", "surrogateescape")


def _first_line(*texts: bytes | str) -> str:
    for text in texts:
        for line in _decode(text).splitlines():
            if line.strip():
                return line.strip()
    return ""


def _split_z(out: bytes) -> list[str]:
    return [_decode(part) for part in out.split(b"\0") if part]


def _chunks(paths: list[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for path in paths:
        cost = len(os.fsencode(path)) + 1
        if batch and size + cost > _ARGS_BUDGET:
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += cost
    if batch:
        yield batch


class Git:
    """A thin wrapper around the repository that holds one workspace."""

    def __init__(self, repo: git.Repo, top: Path, prefix: str):
        self._repo = repo
        self.top = top
        self.prefix = prefix  # the workspace's folder inside the repository, "" at the top

    @classmethod
    def open(cls, root: Path) -> Git | None:
        """The repository holding `root`; None outside a repository or without a git executable."""
        if git is None or shutil.which("git") is None:
            return None
        root = Path(root).resolve()
        if not root.is_dir():
            return None
        try:
            status, out, err = git.Git(root).execute(
                ["git", "rev-parse", "--show-toplevel"],
                with_extended_output=True, with_exceptions=False, stdout_as_string=False,
            )
        except git.GitCommandNotFound:
            return None
        if status != 0:
            reason = _first_line(err)
            if "not a git repository" in reason or "must be run in a work tree" in reason:
                return None
            step = "run 'git config --global --add safe.directory <folder>'" if "dubious" in reason else "fix that"
            raise GitError(f"git cannot read the repository: {reason}; {step} and run again", path=root)
        top = Path(_decode(out).strip()).resolve()
        try:
            prefix = root.relative_to(top).as_posix()
        except ValueError:
            return None
        try:
            repo = git.Repo(top)
        except git.exc.GitError as exc:
            raise GitError(f"git cannot read the repository: {exc}; fix that and run again", path=top) from None
        return cls(repo, top, "" if prefix == "." else prefix)

    # -- running git -----------------------------------------------------------------------

    def _run(self, *args: str, env: dict[str, str] | None = None, ok: Iterable[int] = (0,)) -> tuple[int, bytes]:
        """Run `git ARGS` at the top of the repository; GitError unless the exit code is in `ok`."""
        try:
            status, out, err = self._repo.git.execute(
                [self._repo.git.GIT_PYTHON_GIT_EXECUTABLE, *args],
                with_extended_output=True, with_exceptions=False, stdout_as_string=False,
                strip_newline_in_stdout=False, env={**_ENV, **(env or {})},
            )
        except git.GitCommandNotFound:
            raise GitError("git is not installed or not on PATH; install git and run again") from None
        if status not in ok:
            reason = _first_line(err, out) or f"exit code {status}"
            raise GitError(f"git {args[0]} failed: {reason}", path=self.top)
        return status, out

    def _out(self, *args: str) -> str:
        return _decode(self._run(*args)[1]).strip()

    def _pathspec_file(self, repo_paths: list[str]) -> str:
        fd, name = tempfile.mkstemp(prefix="notesmith-pathspec-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"".join(os.fsencode(p) + b"\0" for p in repo_paths))
        return name

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
        return _decode(out).strip() if status == 0 else None

    def has_commits(self) -> bool:
        """Whether HEAD points at a commit."""
        return self.head() is not None

    def head_message(self) -> str:
        """The full message of HEAD ("" before the first commit)."""
        if not self.has_commits():
            return ""
        return _decode(self._run("log", "-1", "--format=%B", "HEAD")[1]).rstrip("\n")

    def current_branch(self) -> str | None:
        """The checked-out branch's short name, or None on a detached HEAD."""
        status, out = self._run("symbolic-ref", "--quiet", "--short", "HEAD", ok=(0, 1))
        return _decode(out).strip() or None if status == 0 else None

    def dirty(self, paths_or_dirs: list[str]) -> set[str]:
        """Files under these paths that differ from HEAD (staged or not, deleted too) or are untracked."""
        if not paths_or_dirs:
            return set()
        wanted = [self._to_repo(p) for p in paths_or_dirs]
        found: set[str] = set()
        for batch in _chunks(wanted):
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

    def tracked_paths(self, paths: list[str]) -> set[str]:
        """Those of `paths` (files) that are in HEAD, in one git call per batch."""
        if not paths or not self.has_commits():
            return set()
        found: set[str] = set()
        for batch in _chunks([self._to_repo(p) for p in paths]):
            _, out = self._run("ls-tree", "-r", "-z", "--name-only", "--full-tree", "HEAD", "--", *batch)
            for repo_path in filter(None, _decode(out).split("\0")):
                rel = self._from_repo(repo_path)
                if rel is not None:
                    found.add(rel)
        return found & set(paths)

    def _config(self, key: str) -> str:
        status, out = self._run("config", "--get", key, ok=(0, 1))
        return _decode(out).strip() if status == 0 else ""

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

    def _known(self) -> set[str]:
        """Repository paths under the workspace that are in the index or in HEAD."""
        scope = self.prefix or "."
        known = set(_split_z(self._run("ls-files", "-z", "--cached", "--full-name", "--", scope)[1]))
        if self.has_commits():
            known.update(_split_z(self._run("ls-tree", "-r", "-z", "--name-only", "HEAD", "--", scope)[1]))
        return known

    # -- changes ---------------------------------------------------------------------------

    def commit(self, paths: list[str], message: str) -> str:
        """Commit exactly these paths (added, changed or deleted), leaving everything else staged as it was."""
        repo_paths = list(dict.fromkeys(self._to_repo(p) for p in paths))
        known = self._known()
        # A path that is neither on disk nor known to git has nothing to commit, and git would reject it.
        repo_paths = [p for p in repo_paths if os.path.lexists(self.top / p) or p in known]
        if not repo_paths:
            raise GitError("nothing to commit: none of the files exist or are known to git; check the run's plan")
        spec = self._pathspec_file(repo_paths)
        try:
            self._run("add", "-A", f"--pathspec-from-file={spec}", "--pathspec-file-nul")
            self._run("commit", "--no-verify", "--quiet", "--cleanup=whitespace", "-m", message,
                      "--only", f"--pathspec-from-file={spec}", "--pathspec-file-nul", env=self._commit_env())
        finally:
            os.unlink(spec)
        return self._out("rev-parse", "HEAD")

    def find_commit_with_trailer(self, key: str, value: str, depth: int = 50) -> str | None:
        """The sha of a recent first-parent commit whose message has the trailer `key: value`."""
        if not _TRAILER_KEY.match(key):
            raise ValueError(f"not a trailer key: {key!r}")
        if not self.has_commits():
            return None
        fmt = f"%H%x1f%(trailers:key={key},valueonly,separator=%x1f)%x1e"
        out = _decode(self._run("log", "--first-parent", f"-n{depth}", f"--format={fmt}", "HEAD")[1])
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
        paths.add(_decode(entry[3:]))
        if entry[:1] in (b"R", b"C") or entry[1:2] in (b"R", b"C"):
            if i < len(fields) and fields[i]:
                paths.add(_decode(fields[i]))
            i += 1
    return paths
