"""Install a plain git pre-commit hook that runs `notesmith check --staged`."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from notesmith.errors import GitError, WorkspaceError
from notesmith.files import umask, write_atomic
from notesmith.git.runner import run_git, toplevel

MARKER = "# installed by notesmith"
HOOK_NAME = "pre-commit"


def _repo_top(workspace: Path) -> Path:
    top = toplevel(workspace)
    if top is None:
        raise WorkspaceError("not inside a git repository; run 'git init' first", path=workspace)
    return top


def hooks_dir(workspace: Path) -> Path:
    """The folder git runs hooks from: `core.hooksPath` (relative to the top level) or the git dir's hooks."""
    top = _repo_top(workspace)
    try:
        configured = run_git(top, "config", "--get", "core.hooksPath").decode().strip()
    except GitError:
        configured = ""
    if configured:
        return top / Path(os.path.expanduser(configured))
    return top / run_git(top, "rev-parse", "--git-path", "hooks").decode().strip()


def _default_command() -> str:
    """Shell text that runs notesmith: this interpreter while it still has notesmith, else PATH."""
    python = shlex.quote(sys.executable)
    package = shlex.quote(str((Path(__file__).parent.parent / "__init__.py").resolve()))
    return (
        f"if [ -x {python} ] && [ -e {package} ]; then\n"
        f"  set -- {python} -m notesmith\n"
        "elif command -v notesmith >/dev/null 2>&1; then\n"
        "  set -- notesmith\n"
        "else\n"
        "  echo \"notesmith: not found; install it with 'pip install notesmith'"
        " (or skip this check once with 'git commit --no-verify')\" >&2\n"
        "  exit 1\n"
        "fi\n"
        'exec "$@" check --staged\n'
    )


def hook_text(folder: str, command: str | None = None) -> str:
    """The hook script for a workspace at `folder` (relative to the repo top level)."""
    run = _default_command() if command is None else f"exec {command} check --staged\n"
    return (
        "#!/bin/sh\n"
        f"{MARKER}\n"
        "# Checks the staged articles before each commit; 'notesmith hook install' rewrites it.\n"
        "# git runs hooks from the top level and may pass GIT_INDEX_FILE relative to it.\n"
        'case "${GIT_INDEX_FILE:-/}" in\n'
        "  /*) ;;\n"
        '  *) GIT_INDEX_FILE="$PWD/$GIT_INDEX_FILE"; export GIT_INDEX_FILE ;;\n'
        "esac\n"
        f"cd {shlex.quote(folder)} || exit 1\n"
        f"{run}"
    )


def _is_ours(hook: Path) -> bool:
    try:
        return MARKER.encode() in hook.read_bytes()
    except OSError:
        return False


def install_hook(workspace: Path, *, force: bool = False, command: str | None = None) -> Path:
    """Write the pre-commit hook and return its path; `command` is shell text that runs notesmith."""
    workspace = workspace.resolve()
    top = _repo_top(workspace)
    hook = hooks_dir(workspace) / HOOK_NAME
    if (hook.exists() or hook.is_symlink()) and not force and not _is_ours(hook):
        raise WorkspaceError(
            "a pre-commit hook that notesmith did not write is already there; "
            "pass --force to replace it", path=hook,
        )
    folder = os.path.relpath(workspace, top.resolve()).replace(os.sep, "/")
    write_atomic(hook, hook_text(folder, command).encode("utf-8"), mode=0o755 & ~umask() | 0o100)
    return hook


def hook_status(workspace: Path) -> str | None:
    """Which pre-commit hook is installed: 'notesmith', 'other' (someone else's) or None."""
    try:
        hook = hooks_dir(workspace) / HOOK_NAME
    except (WorkspaceError, GitError):
        return None
    if not (hook.exists() or hook.is_symlink()):
        return None
    return "notesmith" if _is_ours(hook) else "other"
