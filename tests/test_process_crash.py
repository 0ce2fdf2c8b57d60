"""Crash safety by rolling forward (SPEC §6, §8): kill -9 after every apply step, then run again."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import notesmith
from notesmith.text.article import Article
from tests.fake_openai import Hang
from tests.process_helpers import (BIKE, BREAD, INPUTS, KEY, bees_workspace, copy_workspace, git, new_workspace,
                                   run_commits, tree, write)

# Offline routing sends this short note to the bees article (an update); the others create articles.
BEES_MORE = "20260304_180000_lena_p_msg230.md"
OTHER = ('---\ntitle: "{t}"\ncreated: 2026-01-01\nupdated: 2026-01-01\ntags: [misc]\nstatus: draft\n---\n\n'
         "# {t}\n\n{b}\n")
TRACKED = "20260303_120000_Tom_R_msg240.md"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A repository with articles and an index, three untracked inputs, one tracked, one bad, one duplicate."""
    root = tmp_path_factory.mktemp("crash") / "prepared"
    others = {f"articles/{slug}.md": OTHER.format(t=t, b=b) for slug, t, b in [
        ("compost", "Compost bays", "Turn the heap monthly."), ("shed", "The tool shed", "Spades and forks."),
        ("rain", "Rain barrels", "Two barrels by the gate.")]}
    tracked = {f"inbox/{TRACKED}": "Seed swap on Saturday: bring labelled envelopes and a pencil.\n"}
    ws = bees_workspace(root, files={**others, **tracked}, inputs={
        BIKE: INPUTS[BIKE], BREAD: INPUTS[BREAD],
        BEES_MORE: "More on keeping bees on the allotment: spring checks for both hives.\n",
        "blob.txt": b"\x00\x01binary", "copy.txt": INPUTS[BIKE],
    })
    index = (ws / "articles/_index.md").read_text(encoding="utf-8")
    for slug, title in (("compost", "Compost bays"), ("shed", "The tool shed"), ("rain", "Rain barrels")):
        index += f"| [{title}]({slug}.md) | draft | 2026-01-01 | {title}. |\n"
    write(ws, {"articles/_index.md": index})
    git(ws, "commit", "-q", "-am", "index")
    return ws


ROOT = Path(__file__).resolve().parents[1]


def cli(ws: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "notesmith", "process", *args], cwd=ws, env=env,
                          capture_output=True, text=True)


def crash(ws: Path, env: dict, at: int, record: Path | None = None) -> subprocess.CompletedProcess:
    """A run killed (SIGKILL) right after its `at`-th named apply step (tests/crash_at.py)."""
    args = [sys.executable, "-m", "tests.crash_at", str(ws), str(at), *([str(record)] if record else [])]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def reference(prepared, tmp_path_factory) -> tuple[Path, list[str]]:
    """One uninterrupted run on a copy, and the names of the points a run can be killed at, in order."""
    from tests.conftest import clean_env

    home = tmp_path_factory.mktemp("home")
    env = clean_env(home)
    probe = copy_workspace(prepared, tmp_path_factory.mktemp("probe") / "ws")
    record = tmp_path_factory.mktemp("record") / "points.txt"
    proc = crash(probe, env, 0, record)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # 1: an input failed
    points = record.read_text(encoding="utf-8").splitlines()
    ws = copy_workspace(prepared, tmp_path_factory.mktemp("reference") / "ws")
    proc = cli(ws, env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "3 created, 1 updated" in proc.stdout and "1 skipped, 1 failed" in proc.stdout, proc.stdout
    assert tree(ws) == tree(probe)
    return ws, points


def test_the_plan_has_every_kind_of_step_and_every_git_window(reference):
    ws, points = reference
    steps = [p.split()[2] for p in points if p.startswith("step ")]
    assert steps == ["commit_inputs", *["write"] * 5, "fail", *["move"] * 5, "commit"], points
    # Inside both commits: after `git add`, after `git commit`; and before the journal is cleared.
    assert points.count("git add") == 2 and points.count("git commit") == 2
    assert points[points.index("step 1 commit_inputs") - 2:points.index("step 1 commit_inputs")] == [
        "git add", "git commit"]
    assert points[-4:] == ["git add", "git commit", "step 13 commit", "journal cleared"]
    assert run_commits(ws)[-2:] == ["inbox: add 4 inputs", "notesmith: create 3, update 1 articles"]


def _check_outcome(ws: Path, expected: dict[str, str]) -> None:
    assert tree(ws) == expected
    assert run_commits(ws) == ["index", "inbox: add 4 inputs", "notesmith: create 3, update 1 articles"]
    assert not (ws / ".notesmith/journal/plan.json").exists()
    names = [p.name for p in (ws / "inbox").rglob("*") if p.is_file() and not p.name.endswith(".reason.txt")]
    assert len(names) == len(set(names)), names  # no input in two places
    for name in (BIKE, BREAD, BEES_MORE, TRACKED, "copy.txt", "blob.txt"):
        assert name in names  # none lost
    for path in (ws / "articles").glob("*.md"):
        if path.name.startswith("_"):
            continue
        scan = Article.load(path).scan
        labels = [d.label for d in scan.defs]
        assert len(labels) == len(set(labels)), path  # no duplicate citation
        targets = [re.sub(r"^.*\(|\).*$", "", d.text) for d in scan.defs]
        assert len(targets) == len(set(targets)), path
    assert notesmith.check(workspace=ws).ok


def test_a_run_killed_at_any_point_of_the_apply_phase_is_completed_by_the_next(prepared, reference, tmp_path, env):
    ref, points = reference
    expected = tree(ref)
    for n, point in enumerate(points, 1):
        ws = copy_workspace(prepared, tmp_path / f"crash{n}")
        killed = crash(ws, env, n)
        assert killed.returncode == -9, (point, killed.stdout + killed.stderr)
        assert (ws / ".notesmith/journal/plan.json").exists() == (point != "journal cleared")
        again = cli(ws, env)
        assert again.returncode == 0, (point, again.stdout + again.stderr)
        if point != "journal cleared":
            assert "finished the interrupted run" in again.stdout, point
        _check_outcome(ws, expected)
        # Nothing left staged or unstaged; an unreadable input that arrived untracked stays out of git.
        assert git(ws, "status", "--porcelain") == git(ref, "status", "--porcelain") == "?? inbox/failed/\n", point


def test_a_run_killed_twice_in_a_row_still_ends_the_same(prepared, reference, tmp_path, env):
    ref, points = reference
    ws = copy_workspace(prepared, tmp_path / "twice")
    assert crash(ws, env, 3).returncode == -9
    # Dies again while finishing the first plan: in the window between `git add` and `git commit`.
    again = crash(ws, env, len(points) - 3)
    assert again.returncode == -9, again.stdout + again.stderr
    assert cli(ws, env).returncode == 0
    _check_outcome(ws, tree(ref))


def test_a_dry_run_after_a_crash_says_so_and_leaves_the_plan_alone(prepared, reference, tmp_path, env):
    ws = copy_workspace(prepared, tmp_path / "dry")
    assert crash(ws, env, 4).returncode == -9
    half = tree(ws, exclude=(".git",))
    del half[".notesmith/lock"]  # holds the killed run's pid
    dry = cli(ws, env, "--dry-run")
    assert dry.returncode in (0, 1), dry.stderr
    assert "was interrupted; the next run finishes it first" in dry.stdout
    assert {k: v for k, v in tree(ws, exclude=(".git",)).items() if k != ".notesmith/lock"} == half
    assert cli(ws, env).returncode == 0
    _check_outcome(ws, tree(reference[0]))


def test_a_kill_during_the_model_phase_leaves_the_workspace_untouched(tmp_path, fake_openai, env):
    ws = new_workspace(tmp_path / "ws", files={f"inbox/{BIKE}": INPUTS[BIKE]})
    before = tree(ws)
    head = git(ws, "rev-parse", "HEAD")
    fake_openai.queue(Hang(30))
    model_env = {**env, "NOTESMITH_MODEL": "test-model", "OPENAI_BASE_URL": fake_openai.url, "OPENAI_API_KEY": KEY}
    proc = subprocess.Popen([sys.executable, "-m", "notesmith", "process"], cwd=ws, env=model_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while not fake_openai.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake_openai.requests, "the run never asked the model"
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -9
    assert git(ws, "status", "--porcelain", "--untracked-files=all") == ""
    assert tree(ws) == before and git(ws, "rev-parse", "HEAD") == head
    assert not (ws / ".notesmith/journal/plan.json").exists()
    # The next run starts afresh and asks the model again.
    from tests.process_helpers import decision, draft, para, routing

    fake_openai.queue(routing(decision("create", ["S1"], title="Bike")),
                      draft("Bike", para("The cable had stretched.", "S1")))
    done = subprocess.run([sys.executable, "-m", "notesmith", "process"], cwd=ws, env=model_env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "finished the interrupted run" not in done.stdout
    assert run_commits(ws) == ["notesmith: create 1 article"]


def test_finishing_an_interrupted_plan_leaves_an_article_a_person_edited_since(prepared, reference, tmp_path, env):
    ref, points = reference
    ws = copy_workspace(prepared, tmp_path / "edited")
    assert crash(ws, env, points.index("step 2 write") + 1).returncode == -9
    bees = ws / "articles/keeping-bees-on-the-allotment.md"
    edited = bees.read_text(encoding="utf-8") + "\nThe writer's own line, added after the crash.\n"
    bees.write_text(edited, encoding="utf-8")
    again = cli(ws, env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "finished the interrupted run" in again.stdout
    assert bees.read_text(encoding="utf-8") == edited  # not overwritten by the plan
    assert f"waiting  inbox/{BEES_MORE}" in again.stdout  # the note for that article waits for it
    assert (ws / "inbox" / BEES_MORE).exists()
    assert "articles/keeping-bees-on-the-allotment.md" not in git(ws, "show", "--name-only", "--format=", "HEAD")
    assert git(ws, "status", "--porcelain") == " M articles/keeping-bees-on-the-allotment.md\n?? inbox/failed/\n"
    # Everything else of the plan was carried out: the other articles and inputs are where the reference has them.
    expected = {k: v for k, v in tree(ref).items() if "keeping-bees" not in k and BEES_MORE not in k}
    got = {k: v for k, v in tree(ws).items() if "keeping-bees" not in k and BEES_MORE not in k}
    assert {k for k in got if k != "articles/_index.md"} == {k for k in expected if k != "articles/_index.md"}


def test_temporary_files_a_killed_write_left_are_removed_before_a_run(tmp_path, env):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    leftovers = [ws / "articles/.garden.md.k2j4h5g6.tmp", ws / "articles/deep/.a.md.abcd1234.tmp",
                 ws / "inbox/.x.md.zzzz9999.tmp"]
    mine = [ws / "articles/.my-draft.tmp", ws / "articles/notes.tmp"]  # a person's files: not ours to delete
    for path in leftovers + mine:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half\n")
    proc = cli(ws, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "removed 3 temporary files left by a killed run" in proc.stdout
    assert not any(p.exists() for p in leftovers) and all(p.exists() for p in mine)


def test_three_thousand_inputs_in_one_run(tmp_path, env):
    # Ten minutes apart, so each is a group of its own: 3,000 new articles, long names, one commit
    # whose message and path list are far larger than a command line can carry.
    start = datetime.datetime(2026, 4, 1)
    stamps = [(start + datetime.timedelta(minutes=10 * n)).strftime("%Y%m%d_%H%M%S") for n in range(3000)]
    inputs = {f"{stamp}_lena_p_msg{n}-{'x' * 120}.md": f"Seed packet {n}: sow {n % 7 + 1} rows of beans.\n"
              for n, stamp in enumerate(stamps)}
    # Merging off: notes this alike, this close, would otherwise become one article (offline_routing.py).
    ws = new_workspace(tmp_path / "ws", inputs=inputs, config="merge_similarity = 2\n")
    proc = cli(ws, env, "-q")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout.startswith("notesmith run") and "3000 inputs read" in proc.stdout
    assert len(list((ws / "inbox/used").iterdir())) == 3000
    assert git(ws, "status", "--porcelain") == ""
    assert run_commits(ws) == ["inbox: add 3000 inputs", "notesmith: create 3000 articles"]
    assert len(git(ws, "log", "-1", "--format=%B")) > os.sysconf("SC_ARG_MAX") // 16
