"""The apply phase: carry out a journaled plan, one idempotent step at a time.

Steps (in this order in every plan):
  branch          create and check out the review branch (--branch)
  commit_inputs   commit inputs that arrived untracked, as they are, in the inbox
  write           write a file (article or index) atomically, unless it already has the content
  fail            write the reason file, then move the input to inbox/failed/
  move            move an input to inbox/used/ (or feedback/, skipped/)
  commit          commit exactly the files of the run, unless HEAD's history already has it

Each step looks at the real state first, so the plan can be carried out again from any point.
A write happens only while the file still holds what the plan was built on (its pre-image): a
file a person changed meanwhile is left alone, and the inputs it would have taken stay in the
inbox, with the rest of the plan going on. This holds when finishing an interrupted plan too.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from notesmith.errors import GitError, JournalError, WriteError
from notesmith.files import describe_os_error, file_sha256, is_read_only, write_atomic
from notesmith.git.repo import Git
from notesmith.llm.base import Usage
from notesmith.pipeline.journal import Journal, sha256
from notesmith.pipeline.planning import RUN_TRAILER, commit_message

Checkpoint = Callable[[str], None]  # called with a step's name after it is done (a test seam)


@dataclass
class Applied:
    """What carrying out a plan did besides what it planned."""

    commits: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # files left alone, and why
    held: dict[str, str] = field(default_factory=dict)  # inputs that stay in the inbox → the article they wait for
    notes: list[str] = field(default_factory=list)

    def skipped_paths(self) -> set[str]:
        return {path for path, _ in self.kept}


def file_sha(path: Path) -> str | None:
    """The sha256 of a file's bytes; None when there is no file."""
    try:
        return file_sha256(path)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError as exc:
        raise WriteError(f"cannot read: {describe_os_error(exc)}", path=path) from None


def _move(root: Path, src: str, dst: str, done: Applied) -> None:
    source, target = root / src, root / dst
    if not os.path.lexists(source):
        if not os.path.lexists(target):
            done.notes.append(f"{src} disappeared from the inbox before it could be moved to {dst}")
        return
    digest = file_sha(source)
    if os.path.lexists(target):
        if digest is not None and file_sha(target) == digest:
            os.unlink(source)  # moved already, the copy of a symlink's content was left behind
            return
        done.held[src] = dst
        done.notes.append(f"{src} stays in the inbox: a different {dst} appeared meanwhile; rename one of them")
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            # The file the link points to stays where it is; inbox/used/ gets a copy of its content.
            write_atomic(target, source.read_bytes())
            os.unlink(source)
        else:
            os.replace(source, target)
    except OSError as exc:
        raise WriteError(f"cannot move it to {dst}: {describe_os_error(exc)}", path=source) from None


def _write(root: Path, step: dict, journal: Journal, done: Applied) -> None:
    path = root / step["path"]
    current = file_sha(path)
    if current == step["sha"]:
        return
    waiting_for = [a for a in step.get("needs", []) if a in done.skipped_paths()]
    if waiting_for:
        done.kept.append((step["path"], f"not updated: {', '.join(waiting_for)} was not written"))
        return
    if current != step.get("pre"):
        _keep(root, step, done, "changed while the run was working; it was left as it is")
        return
    if is_read_only(path):
        _keep(root, step, done, "is read-only; it was left as it is")
        return
    # the journal holds the content durably until the run's commit, so no fsync per article
    write_atomic(path, journal.blob(step["sha"]), durable=False)


def _keep(root: Path, step: dict, done: Applied, why: str) -> None:
    done.kept.append((step["path"], why))
    for src in step.get("inputs", []):
        if os.path.lexists(root / src):  # an input already moved stays where the plan put it
            done.held[src] = step["path"]


def _commit(git: Git, step: dict, done: Applied) -> str | None:
    if git.find_commit_with_trailer(RUN_TRAILER, step["run_id"]) is not None:
        return None
    left = done.skipped_paths() | set(done.held)
    summary = {key: [row for row in rows if (row[0] if isinstance(row, list) else row) not in left]
               for key, rows in step["summary"].items()}
    paths = [p for p in step["paths"] if p not in left]
    message = commit_message(summary, run_id=step["run_id"], model=step["model"],
                             usage=Usage(*step["usage"]), inputs=step["inputs"] - len(done.held))
    return git.commit(paths, message) if paths else None


def apply_step(step: dict, root: Path, journal: Journal, git: Git | None, done: Applied) -> str | None:
    """Carry out one step (doing it twice has the effect of doing it once); returns a commit made."""
    op = step["op"]
    if op == "branch":
        if git is not None and git.current_branch() != step["name"]:
            git.create_branch(step["name"])
    elif op == "commit_inputs":
        if git is not None:
            present = [p for p in step["paths"] if os.path.lexists(root / p)]
            tracked = git.tracked_paths(present)
            todo = [p for p in present if p not in tracked]
            if todo:
                count = f"{len(todo)} input{'s' * (len(todo) != 1)}"  # ("{n}": a plan written before 2026-12)
                return git.commit(todo, step["message"].replace("{inputs}", count).replace("{n}", str(len(todo))))
    elif op == "write":
        _write(root, step, journal, done)
    elif op == "fail":
        reason = root / step["reason_path"]
        data = (step["reason"] + "\n").encode("utf-8", "surrogateescape")
        if os.path.lexists(root / step["from"]) and file_sha(reason) != sha256(data):
            write_atomic(reason, data)
        _move(root, step["from"], step["to"], done)
    elif op == "move":
        if step["from"] not in done.held:
            _move(root, step["from"], step["to"], done)
    elif op == "commit":
        if git is not None:
            return _commit(git, step, done)
    else:
        raise JournalError(f"unknown step {op!r} in the journal (written by another version?); "
                           f"delete {journal.folder} and run again", path=journal.plan_file)
    return None


def apply_plan(plan: dict, root: Path, journal: Journal, git: Git | None, progress=None,
               checkpoint: Checkpoint | None = None) -> Applied:
    """Carry out every step of the plan, then forget it."""
    done = Applied()
    mark = checkpoint or (lambda name: None)
    steps = plan["steps"]
    for number, step in enumerate(steps, 1):
        if progress:
            progress(f"apply {number}/{len(steps)}: {step['op']} {step.get('path') or step.get('to') or ''}")
        try:
            made = apply_step(step, root, journal, git, done)
        except GitError as exc:
            raise GitError(f"{exc.message}; fix that, then run `notesmith process` again: it finishes this run "
                           "first (nothing is lost meanwhile)", path=exc.path) from None
        if made:
            done.commits.append(made)
        mark(f"step {number} {step['op']}")
    journal.clear()
    mark("journal cleared")
    return done
