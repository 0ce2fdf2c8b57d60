from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from notesmith.errors import WorkspaceError
from notesmith.git.hooks import MARKER, hook_status, install_hook


@pytest.fixture(autouse=True)
def clean_git_env(monkeypatch, tmp_path):
    for name in ("GIT_INDEX_FILE", "GIT_DIR", "GIT_WORK_TREE", "GIT_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.name", "Test Writer")
    git(root, "config", "user.email", "writer@example.invalid")
    return root


def test_install_writes_executable_marked_hook(repo: Path):
    hook = install_hook(repo)
    assert hook == repo / ".git" / "hooks" / "pre-commit"
    text = hook.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert MARKER + "\n" in text
    assert "cd . ||" in text
    assert f"{shlex.quote(sys.executable)} -m notesmith" in text
    assert 'exec "$@" check --staged' in text
    assert os.access(hook, os.X_OK)
    assert hook_status(repo) == "notesmith"
    subprocess.run(["sh", "-n", str(hook)], check=True)


def test_reinstall_over_own_hook_is_fine(repo: Path):
    first = install_hook(repo)
    assert install_hook(repo, command="my-notesmith") == first
    assert "exec my-notesmith check --staged" in first.read_text()


def test_refuses_foreign_hook_unless_forced(repo: Path):
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho mine\n")
    assert hook_status(repo) == "other"
    with pytest.raises(WorkspaceError) as info:
        install_hook(repo)
    message = str(info.value)
    assert str(hook) in message and "--force" in message
    assert hook.read_text() == "#!/bin/sh\necho mine\n"

    install_hook(repo, force=True)
    assert MARKER in hook.read_text()
    assert hook_status(repo) == "notesmith"


def test_core_hooks_path_is_honoured(repo: Path):
    git(repo, "config", "core.hooksPath", "tools/hooks")
    (repo / "sub").mkdir()
    hook = install_hook(repo / "sub")
    assert hook == repo / "tools" / "hooks" / "pre-commit"
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()
    assert hook_status(repo) == "notesmith"


def test_workspace_in_sub_folder(repo: Path):
    workspace = repo / "docs" / "my notes"
    workspace.mkdir(parents=True)
    hook = install_hook(workspace)
    assert hook == repo / ".git" / "hooks" / "pre-commit"
    assert "cd 'docs/my notes' || exit 1" in hook.read_text()


def test_no_hook_and_outside_repo(repo: Path, tmp_path: Path):
    assert hook_status(repo) is None
    outside = tmp_path / "plain"
    outside.mkdir()
    assert hook_status(outside) is None
    with pytest.raises(WorkspaceError, match="git init"):
        install_hook(outside)


def _run_hook(repo: Path, hook: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(hook)], cwd=repo, env={**os.environ, **env}, capture_output=True, text=True)


def test_hook_runs_command_in_workspace_with_absolute_index_file(repo: Path, tmp_path: Path):
    workspace = repo / "kb"
    workspace.mkdir()
    record = tmp_path / "record.txt"
    fake = tmp_path / "fake-notesmith"
    fake.write_text(f'#!/bin/sh\necho "$PWD|$GIT_INDEX_FILE|$*" > {shlex.quote(str(record))}\n')
    fake.chmod(0o755)
    hook = install_hook(workspace, command=shlex.quote(str(fake)))
    result = _run_hook(repo, hook, {"GIT_INDEX_FILE": ".git/index"})
    assert result.returncode == 0, result.stderr
    cwd, index, args = record.read_text().strip().split("|")
    assert Path(cwd).resolve() == workspace.resolve()
    assert Path(index) == repo / ".git" / "index"
    assert args == "check --staged"


def test_hook_says_how_to_install_when_notesmith_is_gone(repo: Path):
    hook = install_hook(repo)
    text = hook.read_text().replace(shlex.quote(sys.executable), "/nonexistent/python")
    hook.write_text(text)
    result = _run_hook(repo, hook, {"PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install notesmith" in lines[0]
