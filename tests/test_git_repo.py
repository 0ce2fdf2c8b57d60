from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from notesmith.errors import GitError
from notesmith.git.repo import Repository as Git


@pytest.fixture(autouse=True)
def clean_git_env(monkeypatch):
    for name in ("GIT_INDEX_FILE", "GIT_DIR", "GIT_WORK_TREE", "GIT_PREFIX", "EMAIL",
                 "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name, raising=False)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def init(root: Path, *, identity: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    if identity:
        git(root, "config", "user.name", "Test Writer")
        git(root, "config", "user.email", "writer@example.invalid")
    git(root, "config", "commit.gpgsign", "false")
    return root


def commit_all(repo: Path, message: str = "base") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def committed_files(repo: Path, rev: str = "HEAD") -> dict[str, str]:
    """{path: status letter} of what commit `rev` changed, renames detected."""
    out = git(repo, "show", "--name-status", "-M", "--format=", "-z", rev)
    parts = [p for p in out.split("\0") if p]
    changes: dict[str, str] = {}
    i = 0
    while i < len(parts):
        letter = parts[i][0]
        if letter in "RC":
            changes[f"{parts[i + 1]} -> {parts[i + 2]}"] = letter
            i += 3
        else:
            changes[parts[i + 1]] = letter
            i += 2
    return changes


def staged(repo: Path) -> set[str]:
    return {p for p in git(repo, "diff", "--cached", "--name-only", "-z").split("\0") if p}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = init(tmp_path / "repo")
    write(root, "articles/a.md", "# A\n")
    write(root, "articles/b.md", "# B\n")
    write(root, "inbox/old.txt", "old\n")
    write(root, ".gitignore", "*.log\n")
    commit_all(root)
    return root


def test_open_outside_repository_is_none(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "plain"
    plain.mkdir()
    assert Git.open(plain) is None


def test_open_and_head(repo: Path):
    g = Git.open(repo)
    assert g is not None
    assert g.has_commits()
    assert g.head() == git(repo, "rev-parse", "HEAD").strip()
    assert g.head_message() == "base"
    assert g.current_branch() == "main"


def test_repository_without_commits(tmp_path: Path):
    g = Git.open(init(tmp_path / "empty"))
    assert g is not None
    assert not g.has_commits()
    assert g.head() is None
    assert g.head_message() == ""
    assert g.find_commit_with_trailer("Notesmith-Run", "x") is None
    write(tmp_path / "empty", "articles/new.md", "x\n")
    assert g.dirty(["articles"]) == {"articles/new.md"}


def test_detached_head_has_no_branch(repo: Path):
    git(repo, "checkout", "-q", "--detach")
    assert Git.open(repo).current_branch() is None


def test_dirty_kinds(repo: Path):
    g = Git.open(repo)
    assert g.dirty(["articles", "inbox"]) == set()
    write(repo, "articles/a.md", "# A changed\n")  # modified, unstaged
    write(repo, "articles/b.md", "# B changed\n")
    git(repo, "add", "articles/b.md")  # modified, staged
    write(repo, "articles/deep/new.md", "new\n")  # untracked, in an untracked folder
    (repo / "inbox/old.txt").unlink()  # deleted
    write(repo, "articles/debug.log", "ignored\n")  # ignored: not dirty
    write(repo, "elsewhere.md", "outside the asked paths\n")
    assert g.dirty(["articles", "inbox"]) == {
        "articles/a.md", "articles/b.md", "articles/deep/new.md", "inbox/old.txt",
    }
    assert g.dirty(["articles/a.md"]) == {"articles/a.md"}
    assert g.dirty(["missing-folder"]) == set()
    assert g.dirty([]) == set()


def test_dirty_staged_then_reverted_in_working_tree_still_counts(repo: Path):
    write(repo, "articles/a.md", "# A changed\n")
    git(repo, "add", "articles/a.md")
    write(repo, "articles/a.md", "# A\n")
    assert Git.open(repo).dirty(["articles"]) == {"articles/a.md"}


def test_dirty_odd_names(repo: Path):
    names = ["articles/with space.md", "articles/ünïcødé ёж.md", 'articles/quote"d.md',
             "articles/star*.md", "articles/tab\tname.md", "articles/new\nline.md"]
    for name in names:
        write(repo, name, "x\n")
    g = Git.open(repo)
    assert g.dirty(["articles"]) == set(names)
    # A pathspec is taken literally: `star*` must not match the other files.
    assert g.dirty(["articles/star*.md"]) == {"articles/star*.md"}


def test_dirty_sees_both_sides_of_a_staged_rename(repo: Path):
    (repo / "inbox/used").mkdir()
    git(repo, "mv", "inbox/old.txt", "inbox/used/old.txt")
    assert Git.open(repo).dirty(["inbox"]) == {"inbox/old.txt", "inbox/used/old.txt"}


def test_workspace_in_a_sub_folder(tmp_path: Path):
    top = init(tmp_path / "mono")
    write(top, "notes/articles/a.md", "# A\n")
    write(top, "notes/inbox/x.txt", "x\n")
    write(top, "articles/a.md", "other project\n")
    commit_all(top)
    g = Git.open(top / "notes")
    assert g is not None and g.prefix == "notes"
    write(top, "notes/articles/a.md", "# A changed\n")
    write(top, "articles/a.md", "other project changed\n")
    write(top, "notes/inbox/y.txt", "y\n")
    assert g.dirty(["articles", "inbox"]) == {"articles/a.md", "inbox/y.txt"}
    assert g.tracked_paths(["articles/a.md", "inbox/x.txt", "inbox/y.txt"]) == {"articles/a.md", "inbox/x.txt"}
    sha = g.commit(["articles/a.md", "inbox/y.txt"], "notes: update")
    assert committed_files(top, sha) == {"notes/articles/a.md": "M", "notes/inbox/y.txt": "A"}
    assert git(top, "status", "--porcelain").strip() == "M articles/a.md"
    with pytest.raises(GitError, match="outside the workspace"):
        g.dirty(["../articles"])


def test_tracked_paths_answers_for_many_paths_at_once(repo: Path, tmp_path: Path):
    g = Git.open(repo)
    write(repo, "articles/new.md", "x\n")
    git(repo, "add", "articles/new.md")
    asked = ["articles/a.md", "inbox/old.txt", "articles/new.md", "articles/none.md", "articles"]
    assert g.tracked_paths(asked) == {"articles/a.md", "inbox/old.txt"}
    assert Git.open(repo / "articles").tracked_paths(["a.md", "new.md"]) == {"a.md"}
    assert Git.open(init(tmp_path / "empty")).tracked_paths(["x.md"]) == set()


def test_commit_exact_paths_keeps_users_staged_work(repo: Path):
    # The run: a new input arrived untracked, then is moved into inbox/used/, and an article changes.
    write(repo, "inbox/x.txt", "transcript\n")
    g = Git.open(repo)
    first = g.commit(["inbox/x.txt"], "inbox: add 1 input")
    assert committed_files(repo, first) == {"inbox/x.txt": "A"}
    # Meanwhile the user has staged work of their own, and an unstaged edit.
    write(repo, "articles/b.md", "# B by the user\n")
    git(repo, "add", "articles/b.md")
    write(repo, "user-notes.md", "draft\n")
    git(repo, "add", "user-notes.md")
    write(repo, "articles/unstaged.md", "not mine\n")
    (repo / "inbox/used").mkdir()
    (repo / "inbox/x.txt").rename(repo / "inbox/used/x.txt")
    write(repo, "articles/a.md", "# A\n\nNew paragraph.[^1]\n")

    sha = g.commit(["articles/a.md", "inbox/x.txt", "inbox/used/x.txt"], "notesmith: update a")

    assert sha == git(repo, "rev-parse", "HEAD").strip()
    assert git(repo, "rev-parse", "HEAD~1").strip() == first
    assert committed_files(repo, sha) == {"articles/a.md": "M", "inbox/x.txt -> inbox/used/x.txt": "R"}
    assert staged(repo) == {"articles/b.md", "user-notes.md"}
    assert git(repo, "diff", "--cached", "articles/b.md").count("+# B by the user") == 1
    assert "?? articles/unstaged.md" in git(repo, "status", "--porcelain")
    assert git(repo, "log", "-1", "--format=%an <%ae>").strip() == "Test Writer <writer@example.invalid>"


def test_commit_deletion_and_skips_unknown_paths(repo: Path):
    (repo / "articles/b.md").unlink()
    g = Git.open(repo)
    sha = g.commit(["articles/b.md", "articles/never-existed.md"], "remove b")
    assert committed_files(repo, sha) == {"articles/b.md": "D"}
    assert g.commit(["articles/never-existed.md"], "nothing") is None


def test_commit_without_changes_makes_no_commit(repo: Path):
    head = git(repo, "rev-parse", "HEAD").strip()
    assert Git.open(repo).commit(["articles/a.md"], "no change") is None
    assert git(repo, "rev-parse", "HEAD").strip() == head


def test_commit_finishes_after_an_add_that_was_not_followed_by_its_commit(repo: Path):
    # A run killed between `git add` and `git commit`: the move of inbox/old.txt is staged, the
    # source is gone from the disk and from the index. Committing again must not name it to `git add`.
    (repo / "inbox/used").mkdir()
    os.replace(repo / "inbox/old.txt", repo / "inbox/used/old.txt")
    git(repo, "add", "-A", "--", "inbox/old.txt", "inbox/used/old.txt")
    sha = Git.open(repo).commit(["inbox/old.txt", "inbox/used/old.txt"], "move")
    assert committed_files(repo, sha) == {"inbox/old.txt -> inbox/used/old.txt": "R"}
    assert git(repo, "status", "--porcelain") == ""


def test_commit_message_of_any_size_goes_through_stdin(repo: Path):
    write(repo, "articles/a.md", "changed\n")
    message = "notesmith: big\n\n" + "\n".join(f"- articles/{i:06d}-{'x' * 60}.md" for i in range(40_000)) + "\n"
    assert len(message.encode()) > os.sysconf("SC_ARG_MAX")
    Git.open(repo).commit(["articles/a.md"], message)
    assert Git.open(repo).head_message() == message.rstrip("\n")


def test_commit_many_paths(repo: Path):
    # About 2.6 MB of paths: more than one command line can carry (ARG_MAX is 2 MB on Linux).
    folder = "articles/" + "/".join(["d" * 200] * 4)
    names = [f"{folder}/{i:05d}-{'n' * 240}.md" for i in range(2500)]
    for name in names:
        write(repo, name, "x\n")
    assert sum(len(n) + 1 for n in names) > os.sysconf("SC_ARG_MAX")
    sha = Git.open(repo).commit(names, "many")
    assert len(committed_files(repo, sha)) == 2500
    assert Git.open(repo).dirty(names) == set()


def test_commit_keeps_message_lines_starting_with_hash(repo: Path):
    write(repo, "articles/a.md", "changed\n")
    Git.open(repo).commit(["articles/a.md"], "notesmith: update\n\n# Created\n- a.md\n")
    assert Git.open(repo).head_message() == "notesmith: update\n\n# Created\n- a.md"


def test_commit_skips_hooks(repo: Path):
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho refused >&2\nexit 1\n")
    hook.chmod(0o755)
    write(repo, "articles/a.md", "changed\n")
    Git.open(repo).commit(["articles/a.md"], "through the hook")
    assert Git.open(repo).head_message() == "through the hook"


@pytest.fixture
def no_identity(tmp_path: Path, monkeypatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    root = init(tmp_path / "anon", identity=False)
    write(root, "articles/a.md", "# A\n")
    return root


def test_commit_without_identity_uses_fallback(no_identity: Path):
    g = Git.open(no_identity)
    assert g.identity() == ("notesmith", "notesmith@localhost", False)
    g.commit(["articles/a.md"], "first")
    who = git(no_identity, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip()
    assert who == "notesmith <notesmith@localhost>|notesmith <notesmith@localhost>"


def test_identity_from_config_and_env(no_identity: Path, monkeypatch):
    git(no_identity, "config", "user.name", "Ana")
    git(no_identity, "config", "user.email", "ana@example.invalid")
    assert Git.open(no_identity).identity() == ("Ana", "ana@example.invalid", True)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Bo")
    assert Git.open(no_identity).identity() == ("Bo", "ana@example.invalid", True)


def test_identity_from_env_only_commits_without_fallback(no_identity: Path, monkeypatch):
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Env Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "env@example.invalid")
    g = Git.open(no_identity)
    assert g.identity() == ("Env Author", "env@example.invalid", True)
    g.commit(["articles/a.md"], "first")
    # No committer is configured: the author stands in, never an auto-detected user@host.
    who = git(no_identity, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip()
    assert who == "Env Author <env@example.invalid>|Env Author <env@example.invalid>"


def test_find_commit_with_trailer(repo: Path):
    g = Git.open(repo)
    write(repo, "articles/a.md", "one\n")
    run1 = g.commit(["articles/a.md"], "notesmith: run one\n\nNotesmith-Run: 2024-05-01T10-00-00\nModel: offline\n")
    write(repo, "articles/a.md", "two\n")
    g.commit(["articles/a.md"], "user: mentions Notesmith-Run: 2024-05-02T10-00-00 in the subject only")
    write(repo, "articles/b.md", "three\n")
    run3 = g.commit(["articles/b.md"], "notesmith: run three\n\nModel: offline\nNotesmith-Run: 2024-05-03T10-00-00\n")
    assert g.find_commit_with_trailer("Notesmith-Run", "2024-05-01T10-00-00") == run1
    assert g.find_commit_with_trailer("notesmith-run", "2024-05-03T10-00-00") == run3
    assert g.find_commit_with_trailer("Notesmith-Run", "2024-05-02T10-00-00") is None
    assert g.find_commit_with_trailer("Notesmith-Run", "2024-05-01T10-00-00", depth=2) is None
    with pytest.raises(GitError):
        g.find_commit_with_trailer("bad key)", "x")


def test_create_branch_keeps_working_tree_changes(repo: Path):
    write(repo, "articles/a.md", "edited before the run\n")
    g = Git.open(repo)
    g.create_branch("notesmith/review")
    assert g.current_branch() == "notesmith/review"
    assert (repo / "articles/a.md").read_text() == "edited before the run\n"
    assert git(repo, "rev-parse", "notesmith/review").strip() == git(repo, "rev-parse", "main").strip()
    sha = g.commit(["articles/a.md"], "on the branch")
    assert git(repo, "rev-parse", "notesmith/review").strip() == sha
    assert git(repo, "rev-parse", "main").strip() != sha


def test_create_branch_that_exists_is_an_error(repo: Path):
    git(repo, "branch", "taken")
    g = Git.open(repo)
    with pytest.raises(GitError, match="branch taken already exists; choose another name or delete it"):
        g.create_branch("taken")
    assert g.current_branch() == "main"
    with pytest.raises(GitError, match="not a valid branch name"):
        g.create_branch("bad..name")


def test_git_failures_are_one_line_git_errors(repo: Path):
    (repo / ".git/index.lock").write_text("")
    write(repo, "articles/a.md", "changed\n")
    with pytest.raises(GitError) as info:
        Git.open(repo).commit(["articles/a.md"], "blocked")
    message = str(info.value)
    assert "index.lock" in message and "\n" not in message


def test_open_without_git_executable(repo: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(repo / "no-bin-here"))
    assert Git.open(repo) is None
