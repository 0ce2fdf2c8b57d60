"""The workspace's local state folder (.notesmith/): ignored by git, holds locks, journals, logs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from notesmith.text.article import write_atomic


def state_dir(root: Path, name: str = ".notesmith") -> Path:
    """The state folder, created with a .gitignore that keeps it out of git."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# notesmith's local state; never committed\n*\n", encoding="utf-8")
    return folder


def write_json(path: Path, data: Any, *, indent: int | None = 2) -> None:
    """Write JSON atomically (indent=None for large machine-only files: much faster)."""
    text = json.dumps(data, indent=indent, ensure_ascii=False, default=str,
                      separators=None if indent else (",", ":"))
    write_atomic(path, (text + "\n").encode("utf-8"))


def read_json(path: Path, default: Any = None) -> Any:
    """Read JSON, or default when the file is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default
