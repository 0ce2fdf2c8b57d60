"""The apply phase: carry out a journaled plan, one idempotent step at a time.

Steps (in this order in every plan):
  branch          create and check out the review branch (--branch)
  commit_inputs   commit inputs that arrived untracked, as they are, in the inbox
  write           write a file (article or index) atomically, unless it already has the content
  fail            write the reason file, then move the input to inbox/failed/
  move            move an input to inbox/used/ (or feedback/, skipped/)
  commit          commit exactly the files of the run, unless HEAD's history already has it
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from notesmith.files import write_atomic
from notesmith.errors import JournalError, WorkspaceError
from notesmith.pipeline.journal import Journal, sha256

CRASH_ENV = "NOTESMITH_CRASH_AFTER_STEP"  # test seam: kill -9 ourselves after step N (1-based)
RUN_TRAILER = "Notesmith-Run"


def _file_sha(path: Path) -> str | None:
    try:
        return sha256(path.read_bytes())
    except (FileNotFoundError, IsADirectoryError):
        return None


def _move(root: Path, src: str, dst: str, digest: str | None) -> None:
    source, target = root / src, root / dst
    if os.path.lexists(source):
        if source.is_symlink() and digest is None:
            digest = _file_sha(source)  # a link's copy is done when the target holds the same bytes
        if os.path.lexists(target):
            if digest is not None and _file_sha(target) == digest:
                source.unlink()
                return
            raise WorkspaceError(f"cannot move {src}: {dst} already exists; move one of them away and run again")
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            # The file the link points to stays where it is; inbox/used/ gets a copy of its content.
            write_atomic(target, source.read_bytes())
            source.unlink()
        else:
            os.replace(source, target)
    elif not os.path.lexists(target):
        raise WorkspaceError(f"{src} is gone and {dst} does not exist; restore it from git and run again")


def apply_step(step: dict, root: Path, journal: Journal, git) -> str | None:
    """Carry out one step (doing it twice has the effect of doing it once); returns a commit made."""
    op = step["op"]
    if op == "branch":
        if git is not None and git.current_branch() != step["name"]:
            git.create_branch(step["name"])
    elif op == "commit_inputs":
        if git is not None:
            present = [p for p in step["paths"] if (root / p).exists()]
            tracked = git.tracked_paths(present)
            todo = [p for p in present if p not in tracked]
            if todo:
                return git.commit(todo, step["message"].replace("{n}", str(len(todo))))
    elif op == "write":
        path = root / step["path"]
        if _file_sha(path) != step["sha"]:
            # the journal holds the content durably until the run's commit, so no fsync per article
            write_atomic(path, journal.blob(step["sha"]), durable=False)
    elif op == "fail":
        reason = root / step["reason_path"]
        data = (step["reason"] + "\n").encode("utf-8")
        if _file_sha(reason) != sha256(data):
            write_atomic(reason, data)
        _move(root, step["from"], step["to"], step.get("sha"))
    elif op == "move":
        _move(root, step["from"], step["to"], step.get("sha"))
    elif op == "commit":
        if git is not None and git.find_commit_with_trailer(RUN_TRAILER, step["run_id"]) is None:
            return git.commit(step["paths"], step["message"])
    else:
        raise JournalError(f"unknown step {op!r} in the journal (written by another version?); "
                           f"delete {journal.folder} and run again", path=journal.plan_file)
    return None


def apply_plan(plan: dict, root: Path, journal: Journal, git, progress=None) -> list[str]:
    """Carry out every step of the plan, then forget it; returns the commits made."""
    crash_after = int(os.environ.get(CRASH_ENV, "0") or 0)
    commits = []
    for number, step in enumerate(plan["steps"], 1):
        if progress:
            progress(f"apply {number}/{len(plan['steps'])}: {step['op']} {step.get('path') or step.get('to') or ''}")
        made = apply_step(step, root, journal, git)
        if made:
            commits.append(made)
        if crash_after == number:
            os.kill(os.getpid(), signal.SIGKILL)
    journal.clear()
    return commits
