"""The one way notesmith runs git: a subprocess with a controlled environment, bytes in and out.

Literal pathspecs (a file named `*.md` or `:x` means that file) and no optional locks (a status
never takes index.lock, so it cannot get in the way of the user's own git commands).
GIT_INDEX_FILE is honoured (the pre-commit hook's `git commit -a` passes one), made absolute
because git resolves a relative one against the folder it runs in.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from notesmith.errors import GitError

ARGS_BUDGET = 64_000  # bytes of paths per command line where git takes no pathspec file


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment git runs in."""
    env = dict(os.environ)
    index_file = env.get("GIT_INDEX_FILE")
    if index_file and not os.path.isabs(index_file):
        env["GIT_INDEX_FILE"] = os.path.abspath(index_file)
    env.update(GIT_LITERAL_PATHSPECS="1", GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    env.update(extra or {})
    return env


def reason(err: bytes, out: bytes = b"", code: int | None = None) -> str:
    """The line of git's output that says what went wrong ("fatal: ..." or "error: ..." first)."""
    lines = [line.strip() for line in decode(err).splitlines() + decode(out).splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line
    return lines[-1] if lines else f"exit code {code}"


def decode(raw: bytes) -> str:
    """git's bytes as text; undecodable bytes of file names survive a round trip."""
    return raw.decode("utf-8", "surrogateescape")


def split_z(out: bytes) -> list[str]:
    """NUL-separated output (`-z`) as paths."""
    return [decode(part) for part in out.split(b"\0") if part]


def chunks(paths: Iterable[str], budget: int = ARGS_BUDGET) -> Iterator[list[str]]:
    """Paths in batches small enough for one command line."""
    batch: list[str] = []
    size = 0
    for path in paths:
        cost = len(os.fsencode(path)) + 1
        if batch and size + cost > budget:
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += cost
    if batch:
        yield batch


def call(cwd: Path, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None,
         ok: Iterable[int] = (0,)) -> tuple[int, bytes]:
    """Run `git ARGS` in cwd; (exit code, stdout); GitError unless the exit code is in `ok`."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, env=git_env(env), input=input,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    except FileNotFoundError:
        if not Path(cwd).is_dir():
            raise GitError("folder does not exist; pass an existing workspace folder", path=cwd) from None
        raise GitError("git is not installed or not on PATH; install git and run again") from None
    except NotADirectoryError:
        raise GitError("not a folder; pass the workspace folder", path=cwd) from None
    except OSError as exc:
        raise GitError(f"cannot run git ({exc.strerror}); fix that and run again", path=cwd) from None
    if proc.returncode not in tuple(ok):
        raise GitError(f"git {args[0]} failed: {reason(proc.stderr, proc.stdout, proc.returncode)}", path=cwd)
    return proc.returncode, proc.stdout


def run_git(cwd: Path, *args: str, input: bytes | None = None) -> bytes:
    """Run `git ARGS` in cwd and return its stdout; GitError when it fails."""
    return call(cwd, *args, input=input)[1]


def find_repository(start: Path) -> Path | None:
    """The work tree holding start, found the way git finds it (a `.git` above), without running git.

    None when there is none: that is not an error, notesmith then works without committing.
    """
    if os.environ.get("GIT_DIR"):
        return Path(start)
    ceilings = [Path(p).resolve() for p in os.environ.get("GIT_CEILING_DIRECTORIES", "").split(os.pathsep) if p]
    folder = Path(start).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
        if candidate in ceilings:
            return None
    return None


def toplevel(path: Path) -> Path | None:
    """The top folder of the git work tree holding `path`, or None when there is no repository.

    GitError when there is one git cannot read (say, owned by another user), or no git to read it.
    """
    folder = path if path.is_dir() else path.parent
    if find_repository(folder) is None:
        return None
    text = decode(run_git(folder, "rev-parse", "--show-toplevel")).strip()
    return Path(text) if text else None
