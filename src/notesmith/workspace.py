"""The workspace: its root folder, its configuration and the paths it uses."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from notesmith.config import Config, load_config


def find_root(start: Path) -> Path:
    """The nearest folder at or above start holding notesmith.toml, [tool.notesmith] or .git; else start."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    git_root = None
    for folder in (start, *start.parents):
        if (folder / "notesmith.toml").is_file():
            return folder
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return folder
        if git_root is None and (folder / ".git").exists():
            git_root = folder
            break
    return git_root or start


def _has_tool_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "[tool.notesmith" not in text:
        return False
    try:
        return "notesmith" in tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError:
        return True  # reported properly when the config is read


@dataclass(frozen=True)
class Workspace:
    """A workspace root with its configuration; paths are absolute."""

    root: Path
    config: Config

    @classmethod
    def open(cls, start: Path | str = ".", flags: Mapping[str, Any] | None = None,
             environ: Mapping[str, str] | None = None) -> "Workspace":
        """Find the workspace at or above start and load its configuration."""
        root = find_root(Path(start))
        return cls(root, load_config(root, flags, environ))

    def path(self, name: str) -> Path:
        """The absolute path of a configured folder, e.g. ws.path("articles")."""
        return self.root / getattr(self.config, name)

    @property
    def articles(self) -> Path:
        return self.path("articles")

    @property
    def inbox(self) -> Path:
        return self.path("inbox")

    @property
    def used(self) -> Path:
        return self.path("used")

    @property
    def state(self) -> Path:
        return self.path("state")

    def rel(self, path: Path) -> str:
        """path relative to the root, POSIX style (path itself when outside)."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
