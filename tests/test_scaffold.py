"""`notesmith init`: the layout of SPEC §1, a working check and hook, and a second run that changes nothing."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from notesmith.config import Config, load_config
from notesmith.errors import ConfigError
from notesmith.git.hooks import MARKER
from notesmith.text.index_table import parse_index
from notesmith.scaffold import config_text, init_workspace

FOLDERS = ["inbox", "inbox/used", "inbox/used/feedback", "inbox/failed", "articles", "assets", "prompts"]


@pytest.fixture(autouse=True)
def isolated_git(env, monkeypatch):
    for key in list(env):
        monkeypatch.setenv(key, env[key])
    for key in ("GIT_INDEX_FILE", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(key, raising=False)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and mtime, git's own files aside from the hook."""
    out = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and (not rel.startswith(".git/") or rel == ".git/hooks/pre-commit"):
            out[rel] = (path.read_bytes(), path.stat().st_mtime_ns)
    return out


def test_init_creates_the_layout(tmp_path: Path, run_cli):
    root = tmp_path / "garden"
    lines = init_workspace(root)
    for folder in FOLDERS:
        assert (root / folder).is_dir(), folder
    assert (root / ".git").is_dir()
    hook = root / ".git" / "hooks" / "pre-commit"
    assert MARKER in hook.read_text(encoding="utf-8")
    assert (root / ".gitignore").read_text(encoding="utf-8") == ".notesmith/\n"
    assert "created notesmith.toml" in lines and "initialised a git repository" in lines
    assert f"installed the pre-commit hook ({hook})" in lines
    assert lines[-1].startswith(f"workspace ready in {root.resolve()}")

    index = (root / "articles" / "_index.md").read_text(encoding="utf-8")
    assert index.startswith("# Articles\n\n")
    tables = parse_index(index)
    assert len(tables) == 1 and tables[0].rows == []
    style = (root / "prompts" / "style.md").read_text(encoding="utf-8")
    assert style.startswith("# House style") and "No bold or italic" in style

    proc = run_cli(root, "check")
    assert proc.returncode == 0 and proc.stdout == "no problems in 1 file\n"


def test_second_run_changes_nothing_and_says_so(tmp_path: Path):
    root = tmp_path / "garden"
    init_workspace(root)
    before = snapshot(root)
    lines = init_workspace(root)
    assert lines == [f"nothing to do: {root.resolve()} is already a notesmith workspace"]
    assert snapshot(root) == before


def test_commented_config_holds_the_defaults(tmp_path: Path):
    text = config_text()
    assert tomllib.loads(text) == {}
    uncommented = "\n".join(re.sub(r"^# (\w+ = )", r"\1", line) for line in text.splitlines()
                            if re.match(r"^# \w+ = ", line))
    values = tomllib.loads(uncommented)
    assert {"articles", "inbox", "statuses", "language", "group_window"} <= set(values)
    (tmp_path / "notesmith.toml").write_text(uncommented, encoding="utf-8")
    assert load_config(tmp_path, environ={}) == Config()


def test_existing_config_is_kept_and_its_paths_are_used(tmp_path: Path):
    (tmp_path / "notesmith.toml").write_text('articles = "docs"\n# mine\n', encoding="utf-8")
    lines = init_workspace(tmp_path, hook=False)
    assert (tmp_path / "notesmith.toml").read_text(encoding="utf-8") == 'articles = "docs"\n# mine\n'
    assert (tmp_path / "docs" / "_index.md").is_file() and not (tmp_path / "articles").exists()
    assert "created notesmith.toml" not in lines and "created docs/" in lines


def test_pyproject_tool_table_counts_as_config(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.notesmith]\nlanguage = "de"\n', encoding="utf-8")
    init_workspace(tmp_path, hook=False)
    assert not (tmp_path / "notesmith.toml").exists()


def test_gitignore_is_appended_once(tmp_path: Path):
    (tmp_path / ".gitignore").write_bytes(b"*.pyc\r\nbuild/")
    lines = init_workspace(tmp_path, hook=False)
    assert "added .notesmith/ to .gitignore" in lines
    assert (tmp_path / ".gitignore").read_bytes() == b"*.pyc\r\nbuild/\r\n.notesmith/\r\n"
    init_workspace(tmp_path, hook=False)
    assert (tmp_path / ".gitignore").read_bytes() == b"*.pyc\r\nbuild/\r\n.notesmith/\r\n"


def test_inside_an_existing_repository(tmp_path: Path, git):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    lines = init_workspace(repo / "docs")
    assert "initialised a git repository" not in lines
    assert not (repo / "docs" / ".git").exists()
    hook = (repo / ".git" / "hooks" / "pre-commit").read_text(encoding="utf-8")
    assert "cd docs ||" in hook


def test_a_foreign_hook_is_left_alone(tmp_path: Path, git):
    git(tmp_path, "init", "-q")
    hook = tmp_path / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text("#!/bin/sh\necho mine\n", encoding="utf-8")
    lines = init_workspace(tmp_path)
    assert any(line.startswith("skipped the pre-commit hook") and "--force" in line for line in lines)
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\necho mine\n"
    again = init_workspace(tmp_path)
    assert again[-1].startswith("nothing to do")


def test_no_hook(tmp_path: Path):
    lines = init_workspace(tmp_path, hook=False)
    assert not (tmp_path / ".git" / "hooks" / "pre-commit").exists()
    assert not any("pre-commit" in line for line in lines)


def test_a_file_is_not_a_workspace(tmp_path: Path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="is a file"):
        init_workspace(tmp_path / "file")


def test_cli_init_then_commit_goes_through_the_hook(tmp_path: Path, run_cli, git, env):
    root = tmp_path / "garden"
    proc = run_cli(tmp_path, "init", "garden")
    assert proc.returncode == 0 and "created articles/_index.md" in proc.stdout
    git(root, "config", "user.name", "Test Writer")
    git(root, "config", "user.email", "writer@example.invalid")
    (root / "articles" / "draft.md").write_text("no frontmatter\n", encoding="utf-8")
    git(root, "add", "-A")
    refused = subprocess.run(["git", "commit", "-q", "-m", "x"], cwd=root, env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "FM001" in refused.stdout + refused.stderr
    (root / "articles" / "draft.md").unlink()
    git(root, "add", "-A")
    assert git(root, "log", "--format=%s").strip() == "notesmith: new workspace"  # init's own commit
    assert git(root, "status", "--porcelain").strip() == ""
    assert run_cli(tmp_path, "init", "garden").stdout.strip().startswith("nothing to do")
    no_hook = run_cli(tmp_path, "init", "--no-hook", "plain")
    assert no_hook.returncode == 0 and not (tmp_path / "plain" / ".git" / "hooks" / "pre-commit").exists()


def test_init_commits_only_what_it_wrote_so_the_first_run_can_commit(tmp_path: Path):
    root = tmp_path / "notes"
    root.mkdir()
    (root / "private.txt").write_text("the user's own file\n", encoding="utf-8")
    lines = init_workspace(root)
    assert any(line.startswith("committed the new workspace") for line in lines)
    files = subprocess.run(["git", "ls-tree", "-r", "--name-only", "HEAD"], cwd=root, capture_output=True,
                           text=True, check=True).stdout.split()
    assert "private.txt" not in files
    assert {"notesmith.toml", ".gitignore", "articles/_index.md", "prompts/style.md", "inbox/.gitkeep"} <= set(files)
