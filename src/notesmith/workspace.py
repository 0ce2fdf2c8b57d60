"""The workspace: its root folder, its configuration and the paths it uses.

Every path setting is checked here, in one place, when a workspace is opened: it must resolve
inside the workspace, following symlinks, so nothing notesmith writes can land outside it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from notesmith.config import FILE_NAME_KEYS, PATH_KEYS, Config, load_config
from notesmith.errors import ConfigError, NotAWorkspace, UnsafePath


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


def inside(path: Path, folder: Path) -> bool:
    """Whether path, with every symlink followed, is folder or lies under it."""
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class Workspace:
    """A workspace root with its configuration; paths are absolute."""

    root: Path
    config: Config

    @classmethod
    def open(cls, start: Path | str = ".", flags: Mapping[str, Any] | None = None,
             environ: Mapping[str, str] | None = None) -> "Workspace":
        """Find the workspace at or above start and load its configuration; paths are checked."""
        start = Path(start)
        if not start.exists():
            raise NotAWorkspace(f"{start} does not exist; give the folder of a workspace "
                                "(`notesmith init FOLDER` makes one)")
        root = find_root(start)
        ws = cls(root, load_config(root, flags, environ))
        ws.check_paths()
        return ws

    def check_paths(self) -> None:
        """UnsafePath unless every configured path stays inside the workspace, symlinks followed."""
        for key in PATH_KEYS:
            value = getattr(self.config, key)
            if not inside(self.root / value, self.root):
                raise UnsafePath(f"'{key}' ({value}) leads outside the workspace, to "
                                 f"{os.path.realpath(self.root / value)}; point it at a folder inside it",
                                 path=self.root)
        for key in FILE_NAME_KEYS:
            value = getattr(self.config, key)
            if not value or "/" in value or "\\" in value or value in (".", ".."):
                raise UnsafePath(f"'{key}' must be a plain file name, not {value!r}", path=self.root)

    def require_inbox(self) -> None:
        """NotAWorkspace unless the inbox folder exists (what `process` and `watch` need)."""
        if not self.inbox.is_dir():
            raise NotAWorkspace(f"not a workspace: no inbox folder at {self.inbox}; run `notesmith init` "
                                "there first, or set `inbox` in notesmith.toml")

    def chosen_inputs(self, files: Iterable[str | Path]) -> tuple[Path, ...]:
        """The given files as inputs of the inbox; ConfigError for one that is not directly in it."""
        inbox = os.path.abspath(self.inbox)
        chosen = []
        for name in files:
            path = Path(os.path.abspath(self.root / name))
            if str(path.parent) != inbox and os.path.realpath(path.parent) != os.path.realpath(inbox):
                raise ConfigError(f"{name} is not in the inbox ({self.config.inbox}/): notesmith processes "
                                  f"inputs from there; move the file into {self.config.inbox}/ and run again")
            chosen.append(path)
        return tuple(chosen)

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
        resolved = path.resolve()
        return resolved.relative_to(self.root).as_posix() if resolved.is_relative_to(self.root) else str(path)
