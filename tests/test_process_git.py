"""`notesmith process` and git: --no-commit, no repository, --branch, --dry-run, a person's edits."""

from __future__ import annotations

import os
import re

import notesmith
from notesmith.errors import GitError
from tests.process_helpers import (BEES, BEES_ARTICLE_REL, BIKE, INPUTS, bees_workspace, git, new_workspace,
                                   run_commits, tree, write)

TODAY = "2026-03-04"


def test_no_commit_leaves_changes_unstaged_and_keeps_what_the_user_staged(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs=INPUTS)
    write(ws, {"notes.txt": "my own staged work\n"})
    git(ws, "add", "notes.txt")
    head = git(ws, "rev-parse", "HEAD")

    report = notesmith.process(ws, today=TODAY, commit=False)

    assert len(report.created) == 3 and not report.commits
    assert git(ws, "rev-parse", "HEAD") == head
    assert git(ws, "diff", "--cached", "--name-only").split() == ["notes.txt"]
    status = git(ws, "status", "--porcelain", "--untracked-files=all").splitlines()
    for rel in report.created:
        assert f"?? {rel}" in status
    for name in INPUTS:
        assert f"?? inbox/used/{name}" in status and not (ws / "inbox" / name).exists()


def test_outside_a_git_repository_runs_without_committing_and_says_so(tmp_path):
    ws = new_workspace(tmp_path / "plain", inputs=INPUTS, repo=False)
    report = notesmith.process(ws, today=TODAY)
    assert len(report.created) == 3 and not report.commits
    assert any("not a git repository" in note and "--no-commit" in note for note in report.notes)
    assert not (ws / ".git").exists()
    assert all((ws / "inbox/used" / name).exists() for name in INPUTS)


def test_a_repository_without_commits_runs_without_committing(tmp_path):
    ws = new_workspace(tmp_path / "ws", repo=False)
    git(ws, "init", "-q")
    write(ws, {f"inbox/{n}": t for n, t in INPUTS.items()})
    report = notesmith.process(ws, today=TODAY)
    assert len(report.created) == 3 and not report.commits
    assert any("no commit yet" in note for note in report.notes)
    assert git(ws, "rev-parse", "--verify", "--quiet", "HEAD", check=False) == ""


def test_branch_commits_on_a_new_branch_and_leaves_it_checked_out(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs=INPUTS)
    report = notesmith.process(ws, today=TODAY, branch="review/run-1")
    assert git(ws, "symbolic-ref", "--short", "HEAD").strip() == "review/run-1"
    assert run_commits(ws) == ["inbox: add 3 inputs", "notesmith: create 3 articles"]
    assert len(report.commits) == 2
    assert git(ws, "log", "-1", "--format=%s", "main").strip() == "base"
    assert git(ws, "status", "--porcelain") == ""


def test_an_existing_branch_is_an_error_and_nothing_changes(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs=INPUTS)
    git(ws, "branch", "taken")
    before = tree(ws)
    head = git(ws, "rev-parse", "HEAD")
    try:
        notesmith.process(ws, today=TODAY, branch="taken")
    except GitError as exc:
        assert "taken already exists" in str(exc)
    else:
        raise AssertionError("an existing branch must be an error")
    assert tree(ws) == before and git(ws, "rev-parse", "HEAD") == head
    assert git(ws, "symbolic-ref", "--short", "HEAD").strip() == "main"
    # Nothing is left half-done: a plain run afterwards works normally.
    report = notesmith.process(ws, today=TODAY)
    assert len(report.created) == 3 and not report.resumed


def test_existing_branch_from_the_cli_exits_with_one_line(tmp_path, run_cli):
    ws = new_workspace(tmp_path / "ws", inputs=INPUTS)
    git(ws, "branch", "taken")
    before = tree(ws)
    proc = run_cli(ws, "process", "--branch", "taken")
    assert proc.returncode in (1, 2), proc.stderr
    assert "taken already exists" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert tree(ws) == before


def test_dry_run_changes_nothing_and_prints_the_plan(tmp_path, run_cli):
    ws = bees_workspace(tmp_path / "ws", inputs=INPUTS)
    notesmith.process(ws, today=TODAY, to="articles/keeping-bees-on-the-allotment.md", files=[ws / "inbox" / BEES])
    write(ws, {f"inbox/{BEES}": INPUTS[BEES]})  # the same file again: the plan skips it
    everything = tree(ws, exclude=())
    head = git(ws, "rev-parse", "HEAD")

    report = notesmith.process(ws, today=TODAY, dry_run=True)
    assert report.dry_run and len(report.created) == 2 and not report.commits
    assert any(line.startswith("create articles/") for line in report.plan)
    assert f"move inbox/{BIKE} → inbox/used/" in report.plan
    assert f"move inbox/{BEES} → inbox/used/skipped/" in report.plan
    assert tree(ws, exclude=()) == everything and git(ws, "rev-parse", "HEAD") == head

    proc = run_cli(ws, "process", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "dry run" in proc.stdout and "plan     create articles/" in proc.stdout
    assert tree(ws, exclude=()) == everything and git(ws, "rev-parse", "HEAD") == head


def test_an_article_with_a_persons_edits_is_not_touched(tmp_path):
    ws = bees_workspace(tmp_path / "ws", inputs={BEES: INPUTS[BEES]})
    path = ws / BEES_ARTICLE_REL
    edited = path.read_text(encoding="utf-8").replace("facing south-east", "facing south-east, on bricks")
    path.write_text(edited, encoding="utf-8")

    report = notesmith.process(ws, today=TODAY, to=BEES_ARTICLE_REL)

    assert path.read_text(encoding="utf-8") == edited
    assert not report.updated and not report.commits
    assert [rel for rel, *_ in report.waiting] == [f"inbox/{BEES}"]
    assert "uncommitted edits by a person" in report.waiting[0][1]
    assert (ws / "inbox" / BEES).exists() and not (ws / "inbox/used" / BEES).exists()
    assert any(re.search(r"waiting\s+inbox/.*uncommitted edits", line) for line in report.summary_lines())

    # Once the person commits, the next run updates the article.
    git(ws, "commit", "-q", "-am", "my edit")
    again = notesmith.process(ws, today=TODAY, to=BEES_ARTICLE_REL)
    assert again.updated == [BEES_ARTICLE_REL]
    assert "facing south-east, on bricks" in path.read_text(encoding="utf-8")


def test_an_untracked_article_counts_as_a_persons_edit(tmp_path):
    ws = bees_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    rel = "articles/model-bikes.md"  # "model" in its name must not read as a model failure
    text = ("---\ntitle: \"Bike notes\"\ncreated: 2026-03-01\nupdated: 2026-03-01\ntags: [bike]\n"
            "status: draft\n---\n\n# Bike notes\n\nStarted by hand.\n")
    write(ws, {rel: text})
    report = notesmith.process(ws, today=TODAY, to="Bike notes")
    assert (ws / rel).read_text(encoding="utf-8") == text
    assert [r for r, *_ in report.waiting] == [f"inbox/{BIKE}"]
    assert os.path.exists(ws / "inbox" / BIKE)
    assert report.ok  # waiting for a person is not a failure


def test_a_commit_run_keeps_the_users_staged_work_out_of_its_commits(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs=INPUTS)
    write(ws, {"notes.txt": "my own staged work\n", "README.md": "edited, not staged\n"})
    git(ws, "add", "notes.txt")
    report = notesmith.process(ws, today=TODAY)
    assert len(report.commits) == 2
    committed = git(ws, "show", "--name-only", "--format=", "HEAD~1", "HEAD")
    assert "notes.txt" not in committed and "README.md" not in committed
    assert git(ws, "diff", "--cached", "--name-only").split() == ["notes.txt"]
    assert git(ws, "diff", "--name-only").split() == ["README.md"]


def test_cli_processes_only_the_files_named(tmp_path, run_cli):
    ws = new_workspace(tmp_path / "ws", inputs=INPUTS)
    proc = run_cli(ws, "process", f"inbox/{BIKE}")
    assert proc.returncode == 0, proc.stderr
    assert "1 input read, 1 created" in proc.stdout
    assert (ws / "inbox/used" / BIKE).exists()
    assert (ws / "inbox" / BEES).exists() and not (ws / "inbox/used" / BEES).exists()


def test_without_a_git_identity_commits_as_notesmith_and_says_so(tmp_path, run_cli):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    git(ws, "config", "--unset", "user.name")
    git(ws, "config", "--unset", "user.email")
    proc = run_cli(ws, "process")
    assert proc.returncode == 0, proc.stderr
    assert "no git identity configured: committed as notesmith <notesmith@localhost>" in proc.stdout
    assert git(ws, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip() == \
        "notesmith <notesmith@localhost>|notesmith <notesmith@localhost>"
