"""`notesmith init`: lay out a new workspace (folders, config, index, style guide, git, hook) idempotently."""

from __future__ import annotations

import os
from pathlib import Path

from notesmith.config import Config, load_config, read_file_settings
from notesmith.errors import ConfigError, GitError, WorkspaceError

FOLDERS = ("inbox", "used", "feedback", "failed", "articles", "assets", "prompts")
KEEP = ("inbox", "used", "feedback", "failed", "assets")  # folders that start empty get a .gitkeep

INDEX = """# Articles

Everything this workspace has written. notesmith keeps the table below up to date; the text
around it is yours to write.

| Title | Status | Last Updated | Description |
|-------|--------|--------------|-------------|
"""

STYLE = """# House style

notesmith adds this file to every drafting prompt. Edit it to describe your own voice.

- Write for a reader who was not in the conversation: say who, what and why before how.
- Keep every idea, reason, example and step from the sources; cut only repetition.
- One idea per paragraph. Short sentences in the active voice.
- Plain words over impressive ones; no hype, no filler openings, no summary at the end.
- Headings at levels 2 and 3 under the title; lists for parallel points, numbered lists for steps.
- No bold or italic, no horizontal rules.
- Names, numbers and dates exactly as the sources give them.
"""

_TOML_KEYS = (
    ("Where things live, relative to this file", ("inbox", "used", "feedback", "failed", "articles",
                                                  "assets", "prompts", "style_file")),
    ("Articles", ("language", "statuses", "default_status")),
    ("The model: none by default, so notesmith drafts offline until you name one", ("jobs", "timeout", "retries")),
    ("Inbox timing, in seconds", ("group_window", "settle")),
)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def config_text() -> str:
    """notesmith.toml with the main settings commented out at their defaults."""
    defaults = Config()
    lines = ["# notesmith settings for this workspace. Each commented line shows the default;",
             "# uncomment a line to change it. `notesmith rules` lists the check codes."]
    for title, keys in _TOML_KEYS:
        lines += ["", f"# {title}"]
        lines += [f"# {key} = {_toml_value(getattr(defaults, key))}" for key in keys]
        if title.startswith("The model"):
            lines += ['# e.g. model = "gpt-4o-mini"', '# e.g. base_url = "http://localhost:8080/v1"']
    lines += ["", '# Check rules: "error", "warning" or "off", by code or name', "# [rules]",
              '# e.g. ST001 = "off"', '# e.g. unused-definition = "warning"', ""]
    return "\n".join(lines)


def _write_new(path: Path, text: str) -> bool:
    """Create path with text unless it exists; True when it was created."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return True


def _ensure_ignored(path: Path) -> str | None:
    """Make .gitignore hold .notesmith/; returns what was done, None when nothing was needed."""
    if not path.exists():
        path.write_text(".notesmith/\n", encoding="utf-8", newline="\n")
        return "created .gitignore"
    text = path.read_bytes().decode("utf-8", errors="replace")
    if {line.strip().strip("/") for line in text.splitlines()} & {".notesmith", ".notesmith/*"}:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    with open(path, "a", encoding="utf-8", newline="") as handle:
        handle.write(("" if not text or text.endswith("\n") else newline) + ".notesmith/" + newline)
    return "added .notesmith/ to .gitignore"


def _git(directory: Path, hook: bool, created: list[str]) -> list[str]:
    from notesmith.git import hooks, runner as gitindex

    out = []
    try:
        if gitindex.toplevel(directory) is None:
            gitindex.run_git(directory, "init", "-q")
            out.append("initialised a git repository")
            out.append(_first_commit(directory, created))
        if not hook:
            return out
        state = hooks.hook_status(directory)
        path = hooks.hooks_dir(directory) / hooks.HOOK_NAME
        if state == "other":
            out.append(f"skipped the pre-commit hook: {path} was not written by notesmith "
                       "(`notesmith hook install --force` replaces it)")
        else:
            top = gitindex.toplevel(directory) or directory
            folder = os.path.relpath(directory.resolve(), top.resolve()).replace(os.sep, "/")
            if state is None or path.read_text(encoding="utf-8") != hooks.hook_text(folder):
                hooks.install_hook(directory)
                out.append(f"{'installed' if state is None else 'updated'} the pre-commit hook ({path})")
    except (GitError, WorkspaceError) as exc:
        out.append(f"skipped git: {exc}")
    return out


def _first_commit(directory: Path, created: list[str]) -> str:
    """Commit the files init wrote (only those) so the first run has a commit to build on."""
    from notesmith.git.repo import Repository

    git = Repository.open(directory)
    paths = [p for p in created if (directory / p).is_file()]
    if git is None or not paths:
        return "left the new repository without a commit"
    if git.commit(paths, "notesmith: new workspace") is None:
        return "left the new repository without a commit"
    name, email, configured = git.identity()
    who = "" if configured else f" as {name} <{email}> (no git identity configured)"
    return f"committed the new workspace{who}"


def init_workspace(directory: Path, *, hook: bool = True) -> list[str]:
    """Create what a workspace needs in directory (nothing that exists is overwritten); lines to print."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory} is a file; give a folder for the workspace")
    directory.mkdir(parents=True, exist_ok=True)
    directory = directory.resolve()
    done: list[str] = []
    _, config_file = read_file_settings(directory)
    if config_file is None and _write_new(directory / "notesmith.toml", config_text()):
        done.append("created notesmith.toml")
    config = load_config(directory)
    for key in FOLDERS:
        folder = directory / getattr(config, key)
        if not folder.is_dir():
            folder.mkdir(parents=True)
            done.append(f"created {getattr(config, key)}/")
        if key in KEEP and not any(folder.iterdir()):
            (folder / ".gitkeep").touch()
    index = f"{config.articles}/{config.index_name}"
    if _write_new(directory / index, INDEX):
        done.append(f"created {index}")
    if _write_new(directory / config.style_file, STYLE):
        done.append(f"created {config.style_file} (your house style: edit it)")
    ignored = _ensure_ignored(directory / ".gitignore")
    if ignored:
        done.append(ignored)
    created = ["notesmith.toml", ".gitignore", index, config.style_file,
               *(f"{getattr(config, key)}/.gitkeep" for key in KEEP)]
    done += _git(directory, hook, created)
    if not done or all(line.startswith("skipped") for line in done):
        return done + [f"nothing to do: {directory} is already a notesmith workspace"]
    return done + [f"workspace ready in {directory}: put transcripts in {config.inbox}/, "
                   "then run `notesmith process`"]
