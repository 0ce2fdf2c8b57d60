"""`notesmith demo`: process a copy of the example workspace offline, as a first look."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

EXAMPLE_PARTS = ("inbox", "articles", "assets")


def example_workspace() -> Path | None:
    """The example workspace: the top of a notesmith source checkout."""
    top = Path(__file__).resolve().parents[2]
    return top if (top / "inbox").is_dir() and (top / "articles").is_dir() else None


def run_demo(directory: Path | None = None) -> Iterator[tuple[str, int]]:
    """Copy, git init, process offline, check; yields (line to print, exit status)."""
    from notesmith.checking.runner import run_check
    from notesmith.pipeline.run import RunOptions, run
    from notesmith.workspace import Workspace

    source = example_workspace()
    if source is None:
        yield "notesmith demo needs the example workspace of a notesmith source checkout; run it from a clone", 2
        return
    target = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="notesmith-demo-"))
    if target.exists() and any(target.iterdir()):
        yield f"{target} is not empty; give a new folder", 2
        return
    target.mkdir(parents=True, exist_ok=True)
    for part in EXAMPLE_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, ignore=shutil.ignore_patterns(".*"))
    (target / "notesmith.toml").write_text("# notesmith demo workspace: built-in defaults\n", encoding="utf-8")
    (target / ".gitignore").write_text(".notesmith/\n", encoding="utf-8")
    env_git = ["git", "-c", "user.name=notesmith demo", "-c", "user.email=demo@localhost"]
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "add", "-A"], check=True)
    subprocess.run([*env_git, "-C", str(target), "commit", "-q", "-m", "example workspace"], check=True)
    yield f"example workspace copied to {target}", 0
    ws = Workspace.open(target, {"offline": True})
    report = run(ws, options=RunOptions(offline=True))
    for line in report.summary_lines():
        yield line, 0
    result = run_check(ws)
    yield f"notesmith check: {result.errors} errors, {result.warnings} warnings in {result.files} files", \
        0 if result.ok and report.ok else 1
    yield f"look at it: cd {target} && git log --stat -3", 0
