"""Shared fixtures: a workspace factory (optionally a real git repo) and subprocess runners."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

pytest_plugins = ["tests.fake_openai", "tests.process_helpers"]  # fixtures: fake_openai, answering_openai

_GIT_VARS = ("GIT_INDEX_FILE", "GIT_DIR", "GIT_WORK_TREE", "GIT_PREFIX", "GIT_OBJECT_DIRECTORY")


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: text or bytes} under root, byte for byte (no newline translation)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def clean_env(home: Path) -> dict[str, str]:
    """An environment for subprocesses: no inherited git or notesmith settings, a private HOME."""
    env = {k: v for k, v in os.environ.items()
           if k not in _GIT_VARS and not k.startswith(("NOTESMITH_", "OPENAI_"))}
    env.update({"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CEILING_DIRECTORIES": str(home.parent), "NO_COLOR": "1"})
    return env


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return clean_env(home)


@pytest.fixture
def git(env: dict[str, str]) -> Callable[..., str]:
    """git(repo, *args, extra_env=None) runs git with the test environment and returns stdout."""

    def run(repo: Path, *args: str, extra_env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(["git", *args], cwd=repo, env={**env, **(extra_env or {})},
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
        return proc.stdout

    return run


@pytest.fixture
def run_cli(env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess]:
    """run_cli(cwd, *args, extra_env=None) runs `python -m notesmith ARGS` in a fresh interpreter."""

    def run(cwd: Path, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "notesmith", *args], cwd=cwd,
                              env={**env, **(extra_env or {})}, capture_output=True, text=True)

    return run


@pytest.fixture
def workspace(tmp_path: Path, git) -> Callable[..., Path]:
    """workspace(files, config="", repo=False): a workspace folder with notesmith.toml and the files.

    With repo=True it is also a git repository with a local user.name/user.email.
    """
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes] | None = None, *, config: str = "", repo: bool = False) -> Path:
        root = tmp_path / f"ws{next(counter)}"
        for folder in ("articles", "inbox/used"):
            (root / folder).mkdir(parents=True)
        (root / "notesmith.toml").write_text(config, encoding="utf-8")
        write_files(root, files or {})
        if repo:
            git(root, "init", "-q")
            git(root, "config", "user.name", "Test Writer")
            git(root, "config", "user.email", "writer@example.invalid")
        return root

    return make
