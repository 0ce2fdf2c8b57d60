"""The check path stays light: `notesmith check`, `check --staged` and the pre-commit hook import
nothing from the pipeline, the model layer, the inputs' readers or the process path's git edge,
and neither the openai SDK nor a git library. Read from Python's own import log (-X importtime),
so every module the real command loads is seen, the hook's included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ARTICLE = """---
title: "Rain"
created: 2026-01-01
updated: 2026-01-01
tags: [water]
status: draft
---

# Rain

Two barrels by the gate.
"""
INDEX = "| Title | Status | Last Updated | Description |\n|---|---|---|---|\n| [Rain](rain.md) | draft | 2026-01-01 | x |\n"
FORBIDDEN = ("notesmith.pipeline", "notesmith.llm", "notesmith.inputs", "notesmith.git.repo",
             "openai", "git", "httpx", "pydantic")


def imported(stderr: str) -> set[str]:
    """Module names from `-X importtime` lines ("import time: self | cumulative | name")."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def assert_light(modules: set[str]) -> None:
    assert "notesmith.checking.runner" in modules, "the probe saw no check at all"
    heavy = sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))
    assert heavy == [], heavy


def repository(workspace, git) -> Path:
    root = workspace({"articles/rain.md": ARTICLE, "articles/_index.md": INDEX}, repo=True)
    git(root, "add", "-A")
    return root


def test_check_imports_nothing_heavy(workspace, git, env):
    root = repository(workspace, git)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "notesmith", "check"], cwd=root, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_light(imported(proc.stderr))


def test_check_staged_imports_nothing_heavy(workspace, git, env):
    root = repository(workspace, git)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "notesmith", "check", "--staged"], cwd=root,
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no problems in 2 files" in proc.stdout
    assert_light(imported(proc.stderr))


def test_the_pre_commit_hook_imports_nothing_heavy(workspace, git, env, run_cli):
    root = repository(workspace, git)
    assert run_cli(root, "hook", "install").returncode == 0
    proc = subprocess.run(["git", "commit", "-q", "-m", "first"], cwd=root, capture_output=True, text=True,
                          env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
    assert proc.returncode == 0, proc.stderr
    assert_light(imported(proc.stderr))


def test_library_check_imports_nothing_heavy(workspace, git, env):
    root = repository(workspace, git)
    code = f"import notesmith; assert notesmith.check({str(root)!r}).ok"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert_light(imported(proc.stderr))


LAYERS = [  # each may import itself and the layers before it (the README's package table)
    {"errors", "config", "files", "workspace", "lock"},
    {"text"},
    {"git"},
    {"checking"},
    {"inputs"},
    {"llm"},
    {"audio"},
    {"pipeline"},
    {"api", "cli", "scaffold", "status", "demo", "tracing", "__init__", "__main__"},
]


def _layer(module: str) -> int:
    top = module.split(".")[0]
    for n, layer in enumerate(LAYERS):
        if top in layer:
            return n
    raise AssertionError(f"notesmith.{module} belongs to no layer of the package table; add it to README and here")


def test_every_module_imports_only_its_own_layer_and_those_before_it():
    import ast

    src = Path(__file__).resolve().parents[1] / "src" / "notesmith"
    wrong = []
    for path in sorted(src.rglob("*.py")):
        module = ".".join(path.relative_to(src).with_suffix("").parts)
        own = _layer(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                if name.startswith("notesmith.") and _layer(name[len("notesmith."):]) > own:
                    wrong.append(f"{module} imports {name}")
    assert wrong == []
