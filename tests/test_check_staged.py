"""`notesmith check --staged` and the pre-commit hook, with real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.test_cli_check import INDEX_HEAD, SOURCE, article, base_files, row

GOOD = article("Water")
BROKEN = article("Water", "The butts are full[^1], see [the rota](rota.md).")


@pytest.fixture
def repo(workspace, git):
    """A committed workspace with one clean article."""
    files = base_files(**{"water.md": GOOD})
    files["articles/_index.md"] = INDEX_HEAD + row("Water", "water.md")
    root = workspace(files, repo=True)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_nothing_staged_is_clean(repo, run_cli):
    proc = run_cli(repo, "check", "--staged")
    assert proc.returncode == 0 and proc.stdout == "no problems in 0 files\n"


def test_good_content_staged_broken_in_working_tree_passes(repo, run_cli, git):
    write(repo, "articles/water.md", GOOD.replace("are full", "are completely full"))
    git(repo, "add", "articles/water.md")
    write(repo, "articles/water.md", BROKEN)
    assert run_cli(repo, "check").returncode == 1  # the working tree is broken...
    proc = run_cli(repo, "check", "--staged")
    assert proc.returncode == 0, proc.stdout  # ...but what would be committed is fine
    assert proc.stdout == "no problems in 1 file\n"


def test_broken_content_staged_fixed_in_working_tree_fails(repo, run_cli, git):
    write(repo, "articles/water.md", BROKEN)
    git(repo, "add", "articles/water.md")
    write(repo, "articles/water.md", GOOD)
    assert run_cli(repo, "check").returncode == 0
    proc = run_cli(repo, "check", "--staged")
    assert proc.returncode == 1
    assert proc.stdout.startswith("articles/water.md:11:29: LK001 link target rota.md does not exist")


def test_link_to_a_file_on_disk_but_not_staged_is_an_error(repo, run_cli, git):
    write(repo, "articles/water.md", BROKEN)
    write(repo, "articles/rota.md", article("Rota"))
    git(repo, "add", "articles/water.md")
    proc = run_cli(repo, "check", "--staged")
    assert proc.returncode == 1
    assert ("LK001 link target rota.md is on disk but not staged, so the commit would break it; "
            "git add articles/rota.md") in proc.stdout
    git(repo, "add", "articles/rota.md")
    write(repo, "articles/_index.md", INDEX_HEAD + row("Water", "water.md") + row("Rota", "rota.md"))
    git(repo, "add", "articles/_index.md")
    assert run_cli(repo, "check", "--staged").returncode == 0


def test_source_on_disk_but_not_staged(repo, run_cli, git):
    name = "20261005_100000_sam_okafor_msg20.md"
    write(repo, f"inbox/used/{name}", "Seeds arrive Tuesday.\n")
    write(repo, "articles/seeds.md", article("Seeds").replace(SOURCE, name))
    write(repo, "articles/_index.md", INDEX_HEAD + row("Water", "water.md") + row("Seeds", "seeds.md"))
    git(repo, "add", "articles")
    proc = run_cli(repo, "check", "--staged")
    assert proc.returncode == 1 and "SR001 source" in proc.stdout and f"git add inbox/used/{name}" in proc.stdout


def test_git_index_file_is_honoured(repo, run_cli, git, tmp_path: Path):
    alternate = tmp_path / "alternate-index"
    env = {"GIT_INDEX_FILE": str(alternate)}
    git(repo, "read-tree", "HEAD", extra_env=env)
    write(repo, "articles/water.md", BROKEN)
    git(repo, "add", "articles/water.md", extra_env=env)
    write(repo, "articles/water.md", GOOD)
    assert run_cli(repo, "check", "--staged").returncode == 0  # the normal index has nothing staged
    proc = run_cli(repo, "check", "--staged", extra_env=env)
    assert proc.returncode == 1 and "LK001" in proc.stdout
    relative = run_cli(repo / "articles", "check", "--staged", extra_env={"GIT_INDEX_FILE": "../../alternate-index"})
    assert relative.returncode == 1 and "LK001" in relative.stdout


def test_deleting_an_article_leaves_a_dangling_row(repo, run_cli, git):
    git(repo, "rm", "-q", "articles/water.md")
    proc = run_cli(repo, "check", "--staged")
    assert proc.returncode == 1
    assert proc.stdout.startswith("articles/_index.md:7:1: IX002 row links to water.md, which does not exist")


def test_renaming_an_article_is_checked(repo, run_cli, git):
    git(repo, "mv", "articles/water.md", "articles/watering.md")
    proc = run_cli(repo, "check", "--staged")
    assert proc.returncode == 1
    codes = sorted(line.split(" ")[1] for line in proc.stdout.splitlines()[:-1])
    assert codes == ["IX001", "IX002"]


def test_first_commit_in_an_empty_repository(workspace, run_cli, git):
    files = base_files(**{"water.md": BROKEN})
    files["articles/_index.md"] = INDEX_HEAD + row("Water", "water.md")
    root = workspace(files, repo=True)
    git(root, "add", "-A")
    proc = run_cli(root, "check", "--staged")
    assert proc.returncode == 1 and "LK001" in proc.stdout


def test_workspace_in_a_sub_folder_of_the_repository(tmp_path: Path, git, run_cli):
    repo = tmp_path / "monorepo"
    ws = repo / "docs"
    files = base_files(**{"water.md": BROKEN})
    files["articles/_index.md"] = INDEX_HEAD + row("Water", "water.md")
    for rel, text in {**files, "notesmith.toml": "", "README.md": "elsewhere\n"}.items():
        write(ws, rel, text)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    proc = run_cli(ws, "check", "--staged")
    assert proc.returncode == 1 and proc.stdout.startswith("articles/water.md:11:29: LK001")


def test_staged_outside_a_repository_is_a_usage_error(workspace, run_cli):
    proc = run_cli(workspace(), "check", "--staged")
    assert proc.returncode == 2 and "not inside a git repository" in proc.stderr


def test_hook_refuses_a_broken_commit_and_accepts_the_fix(repo, run_cli, git, env):
    install = run_cli(repo, "hook", "install")
    assert install.returncode == 0 and "pre-commit" in install.stdout
    write(repo, "articles/water.md", BROKEN)

    def commit(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "commit", *args], cwd=repo, env=env, capture_output=True, text=True)

    refused = commit("-a", "-m", "x")
    assert refused.returncode != 0
    assert "LK001 link target rota.md does not exist" in refused.stdout + refused.stderr
    assert git(repo, "log", "--format=%s") == "base\n"

    refused_paths = commit("articles/water.md", "-m", "x")  # git commit <paths>: a temporary index
    assert refused_paths.returncode != 0 and "LK001" in refused_paths.stdout + refused_paths.stderr

    write(repo, "articles/water.md", GOOD.replace("are full", "are full to the brim"))
    accepted = commit("-a", "-m", "fix")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert git(repo, "log", "--format=%s") == "fix\nbase\n"


def test_hook_does_not_overwrite_a_foreign_hook(repo, run_cli):
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    proc = run_cli(repo, "hook", "install")
    assert proc.returncode == 1 and "--force" in proc.stderr
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\nexit 0\n"
    assert run_cli(repo, "hook", "install", "--force").returncode == 0
    assert "notesmith" in hook.read_text(encoding="utf-8")
