"""The library's entry points: notesmith.check() and notesmith.process()."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from notesmith.checking.runner import CheckResult, run_check
from notesmith.workspace import Workspace

if TYPE_CHECKING:
    from notesmith.llm.base import LLM
    from notesmith.pipeline.report import RunReport
    from notesmith.tracing import ArticleTrace, InputTrace


def _workspace(workspace: str | Path | Workspace) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)


def check(workspace: str | Path | Workspace = ".", *, paths: Iterable[str | Path] | None = None,
          staged: bool = False, orphans: bool = False, fix: bool = False, wait: float = 0.0) -> CheckResult:
    """Check articles like `notesmith check`; the result holds .findings, .errors and .ok.

    `paths` (files or folders) are relative to the workspace, not to the current folder; without
    them the whole articles folder is checked. `fix` repairs what is safe, holding the workspace
    lock (waiting up to `wait` seconds for a run to finish).
    """
    if isinstance(paths, (str, Path)):
        raise TypeError(f"paths must be a list of paths, not one {type(paths).__name__}: "
                        f"use paths=[{str(paths)!r}]")
    ws = _workspace(workspace)
    chosen = [ws.root / p for p in paths] if paths else None
    if fix:
        from notesmith.checking.fixes import fix_workspace

        return fix_workspace(ws, chosen, orphans=orphans, wait=wait)
    return run_check(ws, chosen, staged=staged, orphans=orphans)


def process(workspace: str | Path | Workspace = ".", *, llm: LLM | None = None, dry_run: bool = False,
            commit: bool = True, branch: str | None = None, jobs: int | None = None, offline: bool = False,
            files: Iterable[str | Path] | None = None, to: str | None = None, allow_secrets: bool = False,
            wait: float = 0.0, today: str | None = None, transcriber=None,
            progress: Callable[[str], None] | None = None) -> RunReport:
    """Process the inbox like `notesmith process`; returns a RunReport.

    `llm` is any object with `name`, `context_tokens` and `complete(Request) -> Reply` (None: the
    configured model, else the offline drafter). `files` (relative to the workspace, each directly
    in the inbox, else ConfigError) limits the run to those inputs. The other options are the CLI's
    flags. A folder that is not a workspace (no inbox) raises NotAWorkspace, as the CLI reports it.
    """
    from notesmith.pipeline.run import RunOptions, run

    if isinstance(files, (str, Path)):
        raise TypeError(f"files must be a list of paths, not one {type(files).__name__}: use files=[{str(files)!r}]")
    ws = _workspace(workspace)
    ws.require_inbox()
    options = RunOptions(dry_run=dry_run, commit=commit, branch=branch, jobs=jobs, offline=offline,
                         files=ws.chosen_inputs(files) if files is not None else None, to=to,
                         allow_secrets=allow_secrets, wait=wait, today=today)
    return run(ws, llm, options=options, progress=progress, transcriber=transcriber)


def trace(workspace: str | Path | Workspace = ".", target: str | Path = "") -> InputTrace | ArticleTrace:
    """Like `notesmith trace`: an InputTrace (the paragraphs citing an input, its lines marked by
    coverage) or an ArticleTrace (each cited paragraph with its anchors); `target` is a path
    relative to the workspace, or an input's file name."""
    from notesmith.tracing import trace as trace_target

    return trace_target(_workspace(workspace), target)
