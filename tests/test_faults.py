"""SPEC §6 under ordinary faults: nothing written outside the workspace, a person's edits never
overwritten, never stuck, a fault of one input fails that input only, nothing consumed uncited,
credentials never published. Each test makes the fault happen for real (a real git repository,
real files, real permissions and attributes) and then shows the next run, once the cause is
removed, completes and leaves a clean tree with every input accounted for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import notesmith
from notesmith.errors import RepositoryState, WorkspaceBusy
from notesmith.llm import Request, ScriptedLLM
from notesmith.pipeline import report as outcome
from tests.process_helpers import (BEES, BEES_ARTICLE, BEES_ARTICLE_REL, BIKE, BREAD, INPUTS, bees_workspace, decision,
                                   draft, edit, git, heading, new_workspace, para, routing, run_commits, tree,
                                   update)

TODAY = "2026-03-05"


def status(ws: Path) -> str:
    return git(ws, "status", "--porcelain", "--untracked-files=all")


def used(ws: Path) -> list[str]:
    return sorted(p.name for p in (ws / "inbox/used").iterdir() if p.is_file())


def cli(ws: Path, env: dict, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "notesmith", *args], cwd=ws, env=env, capture_output=True,
                          text=True, **kw)


# -- 1. nothing written outside the workspace ---------------------------------------------------------


@pytest.mark.parametrize("how", ["toml", "environment", "check --fix"])
def test_an_index_name_leading_outside_is_refused_and_the_victim_untouched(tmp_path, env, how):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    config = f'index_name = "{victim}"\n' if how != "environment" else ""
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]}, config=config)
    extra = {"NOTESMITH_INDEX_NAME": "../../victim"} if how == "environment" else {}
    args = ("check", "--fix") if how == "check --fix" else ("process",)
    proc = cli(ws, {**env, **extra}, *args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "index_name" in proc.stderr and "plain file name" in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert victim.read_text() == "precious\n"
    assert (ws / "inbox" / BIKE).exists() and run_commits(ws) == []


def test_an_articles_folder_linked_outside_the_workspace_is_refused(tmp_path, env):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    (ws / "articles").rmdir()
    (ws / "articles").symlink_to(outside)
    proc = cli(ws, env, "process")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "'articles'" in proc.stderr and "outside the workspace" in proc.stderr
    assert list(outside.iterdir()) == [] and (ws / "inbox" / BIKE).exists()


def test_inbox_links_into_git_or_the_state_folder_are_not_inputs(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    (ws / ".notesmith").mkdir()
    (ws / ".notesmith/notes.md").write_text("state, not a note\n")
    (ws / "inbox/config.txt").symlink_to(ws / ".git/config")
    (ws / "inbox/state.md").symlink_to(ws / ".notesmith/notes.md")
    report = notesmith.process(ws, today=TODAY)
    held = {Path(w.path).name: w for w in report.waiting}
    assert set(held) == {"config.txt", "state.md"} and all(w.cause == outcome.INBOX for w in held.values())
    assert len(report.created) == 1
    published = "".join((ws / rel).read_text() for rel in report.created)
    assert "repositoryformatversion" not in published and "state, not a note" not in published
    assert (ws / "inbox/config.txt").is_symlink() and (ws / "inbox/state.md").is_symlink()


# -- 2. a person's edits are never lost ---------------------------------------------------------------


def scripted(ws: Path, on_update=None, on_draft=None) -> ScriptedLLM:
    """A model that sends the bees note to the bees article and the bike note to a new one."""

    def answer(request: Request):
        text = "\n".join(str(m["content"]) for m in request.messages)
        if request.purpose == "route":
            if "bees came out early" in text:
                return routing(decision("update", ["S1"], article="A1"))
            return routing(decision("create", ["S1"], title="Bike repairs"))
        if request.purpose == "update":
            if on_update:
                on_update()
            return update(edit("append", "sec1", para("The second hive carried pollen by nine.", "S1")))
        if on_draft:
            on_draft()
        return draft("Bike repairs", para("The derailleur cable had stretched.", "S1"))

    return ScriptedLLM([answer] * 10)


def test_an_article_edited_while_the_model_drafts_is_left_alone_and_its_input_waits(tmp_path):
    ws = bees_workspace(tmp_path / "ws", inputs={BEES: INPUTS[BEES], BIKE: INPUTS[BIKE]})
    edited = BEES_ARTICLE + "\nA line the writer added while the run was drafting.\n"
    report = notesmith.process(ws, llm=scripted(ws, on_update=lambda: (ws / BEES_ARTICLE_REL).write_text(edited)),
                               today=TODAY, jobs=1)
    assert (ws / BEES_ARTICLE_REL).read_text() == edited  # the person's text, not the run's
    assert [(Path(w.path).name, w.cause) for w in report.waiting] == [(BEES, outcome.CHANGED)]
    assert report.updated == [] and report.created == ["articles/bike-repairs.md"]
    assert used(ws) == sorted([BIKE, "20260110_090000_lena_p_msg150_transcript.txt"])
    assert (ws / "inbox" / BEES).exists()
    changed = git(ws, "show", "--name-only", "--format=", "HEAD").split()
    assert BEES_ARTICLE_REL not in changed and "articles/bike-repairs.md" in changed
    assert status(ws) == f" M {BEES_ARTICLE_REL}\n"  # the person's edit, uncommitted, as they left it


def test_check_fix_cannot_run_while_a_run_holds_the_workspace(tmp_path):
    ws = bees_workspace(tmp_path / "ws", inputs={BEES: INPUTS[BEES], BIKE: INPUTS[BIKE]})
    refused: list[Exception] = []

    def fix() -> None:
        try:
            notesmith.check(ws, fix=True)
        except WorkspaceBusy as exc:
            refused.append(exc)

    report = notesmith.process(ws, llm=scripted(ws, on_draft=fix), today=TODAY, jobs=1)
    assert len(refused) == 1 and "another notesmith run" in str(refused[0])
    assert report.ok and len(report.created) == 1 and report.updated == [BEES_ARTICLE_REL]
    assert notesmith.check(ws, fix=True).ok  # once the run is over, fixing works


def test_a_read_only_article_is_respected_and_its_inputs_wait(tmp_path):
    ws = bees_workspace(tmp_path / "ws", inputs={BEES: INPUTS[BEES]})
    os.chmod(ws / BEES_ARTICLE_REL, 0o444)
    report = notesmith.process(ws, today=TODAY, to=BEES_ARTICLE_REL)
    assert [(Path(w.path).name, w.cause) for w in report.waiting] == [(BEES, outcome.READ_ONLY)]
    assert (ws / BEES_ARTICLE_REL).read_text() == BEES_ARTICLE and (ws / "inbox" / BEES).exists()
    os.chmod(ws / BEES_ARTICLE_REL, 0o644)
    again = notesmith.process(ws, today=TODAY, to=BEES_ARTICLE_REL)
    assert again.updated == [BEES_ARTICLE_REL] and status(ws) == ""


# -- 3. git: commits that fail, and states that are not a normal branch ------------------------------


@pytest.mark.parametrize("fault", ["signing", "reference-transaction hook"])
def test_a_commit_that_fails_says_what_to_fix_and_the_next_run_finishes_it(tmp_path, env, fault):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE], BREAD: INPUTS[BREAD]})
    hook = ws / ".git/hooks/reference-transaction"
    if fault == "signing":
        git(ws, "config", "commit.gpgsign", "true")
        git(ws, "config", "gpg.program", "false")
    else:
        hook.write_text("#!/bin/sh\necho 'refs are frozen by policy' >&2\nexit 1\n")
        hook.chmod(0o755)
    proc = cli(ws, env, "process")
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert "run `notesmith process` again: it finishes this run first" in proc.stderr
    assert (ws / ".notesmith/journal/plan.json").exists()
    if fault == "signing":
        git(ws, "config", "commit.gpgsign", "false")
    else:
        hook.unlink()
    again = cli(ws, env, "process")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "finished the interrupted run" in again.stdout
    assert run_commits(ws) == ["inbox: add 2 inputs", "notesmith: create 2 articles"]
    assert status(ws) == "" and used(ws) == sorted([BIKE, BREAD])


def _merge_conflict(ws: Path) -> None:
    git(ws, "checkout", "-q", "-b", "side")
    (ws / "README.md").write_text("side\n")
    git(ws, "commit", "-qam", "side")
    git(ws, "checkout", "-q", "main")
    (ws / "README.md").write_text("main\n")
    git(ws, "commit", "-qam", "main")
    git(ws, "merge", "side", check=False)


def _rebase_stopped_at_edit(ws: Path) -> None:
    (ws / "README.md").write_text("second\n")
    git(ws, "commit", "-qam", "second")
    env = {**os.environ, "GIT_SEQUENCE_EDITOR": "sed -i 's/^pick/edit/'", "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "rebase", "-i", "HEAD~1"], cwd=ws, env=env, capture_output=True, check=True)


def _cherry_pick_conflict(ws: Path) -> None:
    git(ws, "checkout", "-q", "-b", "side")
    (ws / "README.md").write_text("side\n")
    git(ws, "commit", "-qam", "side")
    git(ws, "checkout", "-q", "main")
    (ws / "README.md").write_text("main\n")
    git(ws, "commit", "-qam", "main")
    git(ws, "cherry-pick", "side", check=False)


def _revert_conflict(ws: Path) -> None:
    (ws / "README.md").write_text("one\n")
    git(ws, "commit", "-qam", "one")
    (ws / "README.md").write_text("two\n")
    git(ws, "commit", "-qam", "two")
    git(ws, "revert", "--no-edit", "HEAD~1", check=False)


def _bisecting(ws: Path) -> None:
    git(ws, "bisect", "start")


STATES = {"a merge": _merge_conflict, "a rebase": _rebase_stopped_at_edit, "a cherry-pick": _cherry_pick_conflict,
          "a revert": _revert_conflict, "a bisect": _bisecting}


@pytest.mark.parametrize("state", sorted(STATES))
def test_a_run_refuses_to_start_in_the_middle_of_a_git_operation(tmp_path, env, state):
    ws = new_workspace(tmp_path / "ws")
    STATES[state](ws)
    (ws / "inbox" / BIKE).write_text(INPUTS[BIKE])
    before_head, before_status, before_tree = git(ws, "rev-parse", "HEAD"), status(ws), tree(ws)
    proc = cli(ws, env, "process")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"git is in the middle of {state}" in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert git(ws, "rev-parse", "HEAD") == before_head and status(ws) == before_status and tree(ws) == before_tree


def test_a_detached_head_needs_a_branch(tmp_path, env):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    git(ws, "checkout", "-q", "--detach")
    proc = cli(ws, env, "process")
    assert proc.returncode == 1 and "HEAD is detached" in proc.stderr and "--branch" in proc.stderr
    assert (ws / "inbox" / BIKE).exists()
    proc = cli(ws, env, "process", "--branch", "review/bike")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert git(ws, "branch", "--show-current").strip() == "review/bike" and used(ws) == [BIKE]


def test_a_refusal_is_a_typed_error_for_the_library(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    _bisecting(ws)
    with pytest.raises(RepositoryState):
        notesmith.process(ws)


# -- 4. one failed input fails alone ------------------------------------------------------------------


def test_an_unreadable_input_alone_in_the_inbox_does_not_jam_the_workspace(tmp_path, env):
    ws = new_workspace(tmp_path / "ws", inputs={"notes.docx": b"PK\x03\x04 not a text file"})
    first = cli(ws, env, "process")
    assert first.returncode == 1 and "1 failed" in first.stdout, first.stdout + first.stderr
    assert (ws / "inbox/failed/notes.docx").exists() and (ws / "inbox/failed/notes.docx.reason.txt").exists()
    assert "nothing to commit" not in first.stdout + first.stderr
    again = cli(ws, env, "process")
    assert again.returncode == 0 and "0 inputs read" in again.stdout, again.stdout + again.stderr


def test_an_immutable_input_waits_and_the_others_go_on(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE], BREAD: INPUTS[BREAD]})
    subprocess.run(["chattr", "+i", str(ws / "inbox" / BREAD)], check=True)
    try:
        report = notesmith.process(ws, today=TODAY)
        assert [(Path(w.path).name, w.cause) for w in report.waiting] == [(BREAD, outcome.UNREADABLE)]
        assert "immutable" in report.waiting[0].reason and used(ws) == [BIKE]
    finally:
        subprocess.run(["chattr", "-i", str(ws / "inbox" / BREAD)], check=True)
    again = notesmith.process(ws, today=TODAY)
    assert len(again.created) == 1 and used(ws) == sorted([BIKE, BREAD]) and status(ws) == ""


def test_odd_file_names_fail_or_pass_alone(tmp_path, env):
    latin1 = os.fsdecode(b"20260303_090000_Tom_R_msg241 caf\xe9.md")
    long_binary = "x" * 251 + ".txt"  # 255 bytes: its .reason.txt needs a shorter name
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    (ws / "inbox" / latin1).write_text("A note about the café by the allotment gate, open on Saturdays.\n")
    (ws / "inbox" / long_binary).write_bytes(b"\x00\x01\x02")
    proc = cli(ws, env, "process")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # 1: the binary input failed
    assert "Traceback" not in proc.stderr and "2 created" in proc.stdout and "1 failed" in proc.stdout
    assert os.fsencode(latin1) in [os.fsencode(p.name) for p in (ws / "inbox/used").iterdir()]
    reasons = [p for p in (ws / "inbox/failed").iterdir() if p.name.endswith(".reason.txt")]
    assert len(reasons) == 1 and len(os.fsencode(reasons[0].name)) <= 255
    assert (ws / "inbox/failed" / long_binary).exists()
    lines = status(ws).splitlines()  # the unreadable input and its reason stay out of git, the rest is committed
    assert len(lines) == 2 and all(line.startswith("?? inbox/failed/") for line in lines)
    assert cli(ws, env, "process").returncode == 0


def test_an_input_the_run_may_not_read_waits(tmp_path, env):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE], BREAD: INPUTS[BREAD]})
    os.chmod(ws / "inbox" / BREAD, 0o000)
    # root reads anything; without its override capabilities it obeys the file's mode like anyone.
    as_user = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] if os.geteuid() == 0 else []
    proc = subprocess.run([*as_user, sys.executable, "-m", "notesmith", "process"], cwd=ws, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"waiting  inbox/{BREAD}: cannot read it now" in proc.stdout
    assert (ws / "inbox" / BREAD).exists() and used(ws) == [BIKE]
    os.chmod(ws / "inbox" / BREAD, 0o644)
    assert cli(ws, env, "process").returncode == 0 and used(ws) == sorted([BIKE, BREAD]) and status(ws) == ""


# -- 9. nothing consumed uncited ------------------------------------------------------------------------


def test_a_draft_of_headings_only_is_never_written_and_its_input_waits(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    headings_only = draft("Bike", heading("The derailleur"), heading("The cable"))
    llm = ScriptedLLM([routing(decision("create", ["S1"], title="Bike")), *[headings_only] * 4])
    report = notesmith.process(ws, llm=llm, today=TODAY)
    assert report.created == [] and not report.ok
    assert [(Path(w.path).name, w.cause) for w in report.waiting] == [(BIKE, outcome.UNCITED)]
    assert (ws / "inbox" / BIKE).exists() and list((ws / "articles").glob("*.md")) == []
    assert run_commits(ws) == []


# -- 10. credentials stay out of everything ----------------------------------------------------------


SECRET = "Tr0ub4dor&3xyz"


@pytest.mark.parametrize("note", [
    "---\nsource: telegram\napi_key: Zx9Lm2Qp8Rt4Vb6Nc1Kd\n---\nNotes on the shed roof.\n",
    "The wifi password is CorrectHorseBatteryStaple, tell the volunteers.\n",
    f"For the shared laptop: user admin, pass {SECRET}\n",
    f"Пароль от почты — {SECRET}, не забыть.\n",
])
def test_an_input_holding_a_credential_waits_and_its_text_goes_nowhere(tmp_path, note):
    name = "20260303_080000_Tom_R_msg250.md"
    ws = new_workspace(tmp_path / "ws", inputs={name: note, BIKE: INPUTS[BIKE]})
    report = notesmith.process(ws, today=TODAY)
    assert [(Path(w.path).name, w.cause) for w in report.waiting] == [(name, outcome.CREDENTIAL)]
    assert len(report.created) == 1
    secret_words = {"Zx9Lm2Qp8Rt4Vb6Nc1Kd", "CorrectHorseBatteryStaple", SECRET}
    history = git(ws, "log", "-p", "--all")
    written = history + "".join(p.read_text() for p in (ws / "articles").glob("*.md")) + "\n".join(
        report.summary_lines())
    assert not any(word in written for word in secret_words)
    assert not any(word in p.name for p in (ws / "articles").iterdir() for word in ("shed", "wifi", "laptop"))
    assert (ws / "inbox" / name).exists() and f"?? inbox/{name}\n" in status(ws)  # waits, uncommitted
