"""The library's entry points: notesmith.check() and notesmith.process()."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from notesmith.checking.runner import CheckResult, run_check
from notesmith.workspace import Workspace


def check(paths: Iterable[str | Path] | None = None, *, workspace: str | Path | Workspace = ".",
          staged: bool = False, orphans: bool = False, fix: bool = False) -> CheckResult:
    """Check articles like `notesmith check`; the result holds .findings, .errors and .ok."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
    chosen = [Path(p) for p in paths] if paths else None
    if fix:
        from notesmith.checking.fixes import fix_workspace

        return fix_workspace(ws, chosen, orphans=orphans)
    return run_check(ws, chosen, staged=staged, orphans=orphans)


def process(workspace: str | Path | Workspace = ".", *, llm=None, **options):
    """Process the inbox like `notesmith process`; returns a RunReport."""
    from notesmith.pipeline.run import run

    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
    return run(ws, llm=llm, **options)
