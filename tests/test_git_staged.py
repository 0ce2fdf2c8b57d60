from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from notesmith.errors import GitError
from notesmith.git.runner import toplevel
from notesmith.git.staged import index_paths, read_staged, staged_changes


@pytest.fixture(autouse=True)
def clean_git_env(monkeypatch):
    for name in ("GIT_INDEX_FILE", "GIT_DIR", "GIT_WORK_TREE", "GIT_PREFIX"):
        monkeypatch.delenv(name, raising=False)


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(["git", *args], cwd=repo, env=full_env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test Writer")
    git(root, "config", "user.email", "writer@example.invalid")
    git(root, "config", "commit.gpgsign", "false")
    return root


def write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def commit_all(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")


def test_toplevel(repo: Path, tmp_path: Path, monkeypatch):
    (repo / "articles" / "deep").mkdir(parents=True)
    assert toplevel(repo / "articles" / "deep") == repo.resolve()
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert toplevel(outside) is None


def test_toplevel_without_git(repo: Path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(GitError, match="git is not installed"):
        toplevel(repo)  # a repository is there: saying there is none would mislead
    with pytest.raises(GitError, match="git is not installed"):
        index_paths(repo)
    assert toplevel(repo.parent.parent) is None  # no repository at all: nothing to say


def test_partially_staged_file_reads_staged_content(repo: Path):
    write(repo, "articles/a.md", "committed\n")
    commit_all(repo)
    write(repo, "articles/a.md", "staged\n")
    git(repo, "add", "articles/a.md")
    write(repo, "articles/a.md", "working tree only\n")
    assert staged_changes(repo) == [("M", "articles/a.md")]
    assert read_staged(repo, ["articles/a.md"]) == {"articles/a.md": b"staged\n"}


def test_rename_and_delete(repo: Path):
    write(repo, "articles/old-name.md", "a body long enough to be found as a rename\n" * 5)
    write(repo, "articles/gone.md", "to be deleted\n")
    write(repo, "notes.txt", "unchanged\n")
    commit_all(repo)
    (repo / "articles" / "sub").mkdir()
    git(repo, "mv", "articles/old-name.md", "articles/sub/new-name.md")
    git(repo, "rm", "-q", "articles/gone.md")
    write(repo, "articles/new.md", "brand new\n")
    git(repo, "add", "articles/new.md")
    assert sorted(staged_changes(repo)) == [
        ("A", "articles/new.md"),
        ("D", "articles/gone.md"),
        ("R", "articles/sub/new-name.md"),
    ]
    assert index_paths(repo) == {"articles/sub/new-name.md", "articles/new.md", "notes.txt"}
    contents = read_staged(repo, ["articles/gone.md", "articles/new.md", "notes.txt", "never/was.md"])
    assert contents == {"articles/new.md": b"brand new\n", "notes.txt": b"unchanged\n"}


def test_repo_without_commits(repo: Path):
    write(repo, "articles/first.md", "first\n")
    write(repo, "inbox/used/odd name ü.txt", "input\n")
    git(repo, "add", "-A")
    assert sorted(staged_changes(repo)) == [("A", "articles/first.md"), ("A", "inbox/used/odd name ü.txt")]
    assert index_paths(repo) == {"articles/first.md", "inbox/used/odd name ü.txt"}
    assert read_staged(repo, ["inbox/used/odd name ü.txt"]) == {"inbox/used/odd name ü.txt": b"input\n"}


def test_empty_repo_has_no_changes(repo: Path):
    assert staged_changes(repo) == []
    assert index_paths(repo) == set()
    assert read_staged(repo, ["a.md"]) == {}


def test_reads_many_files_in_one_batch_including_binary_and_duplicates(repo: Path):
    for n in range(300):
        write(repo, f"articles/a{n:03}.md", f"article {n}\n" + "x" * n)
    write(repo, "articles/copy.md", "article 7\n" + "x" * 7)
    (repo / "assets").mkdir()
    (repo / "assets" / "blob.bin").write_bytes(bytes(range(256)) + b"\n\n")
    git(repo, "add", "-A")
    paths = [f"articles/a{n:03}.md" for n in range(300)] + ["articles/copy.md", "assets/blob.bin"]
    contents = read_staged(repo, paths)
    assert len(contents) == 302
    assert contents["articles/a299.md"] == b"article 299\n" + b"x" * 299
    assert contents["articles/copy.md"] == contents["articles/a007.md"]
    assert contents["assets/blob.bin"] == bytes(range(256)) + b"\n\n"


def test_git_index_file_is_honoured(repo: Path, monkeypatch):
    write(repo, "articles/a.md", "in the main index\n")
    commit_all(repo)
    other = repo / ".git" / "other-index"
    env = {"GIT_INDEX_FILE": str(other)}
    git(repo, "read-tree", "HEAD", env=env)
    write(repo, "articles/a.md", "in the other index\n")
    write(repo, "articles/b.md", "only in the other index\n")
    git(repo, "add", "articles/a.md", "articles/b.md", env=env)
    write(repo, "articles/a.md", "working tree\n")

    assert staged_changes(repo) == []
    monkeypatch.setenv("GIT_INDEX_FILE", str(other))
    assert sorted(staged_changes(repo)) == [("A", "articles/b.md"), ("M", "articles/a.md")]
    assert "articles/b.md" in index_paths(repo)
    assert read_staged(repo, ["articles/a.md"]) == {"articles/a.md": b"in the other index\n"}


def test_relative_git_index_file_is_taken_from_the_current_folder(repo: Path, tmp_path: Path, monkeypatch):
    write(repo, "articles/a.md", "main index\n")
    git(repo, "add", "-A")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    index = elsewhere / "alt-index"
    write(repo, "articles/a.md", "alternate index\n")
    git(repo, "add", "articles/a.md", env={"GIT_INDEX_FILE": str(index)})

    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_INDEX_FILE", "alt-index")
    assert read_staged(repo, ["articles/a.md"]) == {"articles/a.md": b"alternate index\n"}
    assert staged_changes(repo) == [("A", "articles/a.md")]


def test_git_failure_raises_git_error(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    with pytest.raises(GitError) as info:
        index_paths(tmp_path)
    message = str(info.value)
    assert "\n" not in message
    assert "git ls-files failed" in message and str(tmp_path) in message
