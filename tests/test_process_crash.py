"""Crash safety by rolling forward (SPEC §6, §8): kill -9 after every apply step, then run again."""

from __future__ import annotations

import json
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


def cli(ws: Path, env: dict, *args: str, crash: int | None = None) -> subprocess.CompletedProcess:
    extra = {"NOTESMITH_CRASH_AFTER_STEP": str(crash)} if crash else {}
    return subprocess.run([sys.executable, "-m", "notesmith", "process", *args], cwd=ws, env={**env, **extra},
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def reference(prepared, tmp_path_factory) -> tuple[Path, int]:
    """One uninterrupted run on a copy, and the number of apply steps of its plan."""
    from tests.conftest import clean_env

    home = tmp_path_factory.mktemp("home")
    env = clean_env(home)
    probe = copy_workspace(prepared, tmp_path_factory.mktemp("probe") / "ws")
    proc = cli(probe, env, crash=1)
    assert proc.returncode == -9, proc.stderr
    ops = [step["op"] for step in json.loads((probe / ".notesmith/journal/plan.json").read_text("utf-8"))["steps"]]
    assert ops == ["commit_inputs", *["write"] * 5, "fail", *["move"] * 5, "commit"], ops
    ws = copy_workspace(prepared, tmp_path_factory.mktemp("reference") / "ws")
    proc = cli(ws, env)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # 1: an input failed
    assert "3 created, 1 updated" in proc.stdout and "1 skipped, 1 failed" in proc.stdout, proc.stdout
    return ws, len(ops)


def test_the_plan_has_every_kind_of_step(reference):
    ws, steps = reference
    assert steps == 13
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


def test_a_run_killed_after_any_apply_step_is_completed_by_the_next(prepared, reference, tmp_path, env):
    ref, steps = reference
    expected = tree(ref)
    for n in range(1, steps + 1):
        ws = copy_workspace(prepared, tmp_path / f"crash{n}")
        killed = cli(ws, env, crash=n)
        assert killed.returncode == -9, (n, killed.stderr)
        assert (ws / ".notesmith/journal/plan.json").exists()
        again = cli(ws, env)
        assert again.returncode == 0, (n, again.stdout + again.stderr)
        assert "finished the interrupted run" in again.stdout
        _check_outcome(ws, expected)


def test_a_run_killed_twice_in_a_row_still_ends_the_same(prepared, reference, tmp_path, env):
    ref, steps = reference
    ws = copy_workspace(prepared, tmp_path / "twice")
    assert cli(ws, env, crash=3).returncode == -9
    assert cli(ws, env, crash=steps - 1).returncode == -9  # dies again while finishing the first plan
    assert cli(ws, env).returncode == 0
    _check_outcome(ws, tree(ref))


def test_a_dry_run_after_a_crash_says_so_and_leaves_the_plan_alone(prepared, reference, tmp_path, env):
    ws = copy_workspace(prepared, tmp_path / "dry")
    assert cli(ws, env, crash=4).returncode == -9
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
