"""Faults of the disk itself, made real: a full disk (a small tmpfs) and a read-only file system (a
read-only bind mount), each inside a private mount namespace (`unshare`), so the tests need no
privileges and leave no mount behind. A run that meets one fails with one line naming the file,
and the next run, once the cause is removed, completes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.process_helpers import BIKE, BREAD, INPUTS, bees_workspace, new_workspace, run_commits

PYTHON = sys.executable


def namespaced(script: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a bash script as root of a new user and mount namespace (its mounts vanish with it)."""
    unshare = shutil.which("unshare")
    assert unshare, "these tests need util-linux's unshare"
    return subprocess.run([unshare, "--user", "--map-root-user", "--mount", "bash", "-ec", script],
                          env={**env, "PYTHON": PYTHON}, capture_output=True, text=True)


def results(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in folder.iterdir()}


def test_a_disk_that_fills_up_in_the_middle_of_the_apply_phase(tmp_path, env):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE], BREAD: INPUTS[BREAD]})
    out = tmp_path / "out"
    out.mkdir()
    # articles/ is a 64 KiB tmpfs, 56 KiB of it taken: the journal (on the big disk) is written whole,
    # then the articles folder runs out of room after its first file or two.
    script = f"""
    cd {ws}
    mount -t tmpfs -o size=64k tmpfs articles
    head -c 57344 /dev/zero > articles/.filler
    set +e
    "$PYTHON" -m notesmith process > {out}/out1 2> {out}/err1; echo $? > {out}/rc1
    test -e .notesmith/journal/plan.json && echo yes > {out}/pending || echo no > {out}/pending
    rm articles/.filler
    "$PYTHON" -m notesmith process > {out}/out2 2> {out}/err2; echo $? > {out}/rc2
    git status --porcelain > {out}/status
    set -e
    mkdir {tmp_path}/articles-copy && cp -a articles/. {tmp_path}/articles-copy/
    umount articles
    cp -a {tmp_path}/articles-copy/. articles/
    """
    proc = namespaced(script, env)
    assert proc.returncode == 0, proc.stderr
    got = results(out)
    assert got["rc1"].strip() == "1" and got["pending"].strip() == "yes", got
    assert "the disk is full" in got["err1"] and len(got["err1"].splitlines()) == 1, got["err1"]
    assert "Traceback" not in got["err1"] + got["err2"]
    assert got["rc2"].strip() == "0", got["out2"] + got["err2"]
    assert "finished the interrupted run" in got["out2"] and got["status"] == ""
    assert run_commits(ws) == ["inbox: add 2 inputs", "notesmith: create 2 articles"]
    assert sorted(p.name for p in (ws / "inbox/used").iterdir()) == sorted([BIKE, BREAD])
    assert not [p for p in (ws / "articles").iterdir() if p.name.endswith(".tmp")]


def test_a_full_state_folder_stops_the_run_before_anything_changes(tmp_path, env):
    ws = bees_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]}, files={".gitignore": ".notesmith/\n"})
    (ws / ".notesmith").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    script = f"""
    cd {ws}
    mount -t tmpfs -o size=256k tmpfs .notesmith
    head -c 262144 /dev/zero > .notesmith/filler || true
    set +e
    "$PYTHON" -m notesmith process > {out}/out1 2> {out}/err1; echo $? > {out}/rc1
    git status --porcelain --untracked-files=all > {out}/status1
    rm .notesmith/filler
    "$PYTHON" -m notesmith process > {out}/out2 2> {out}/err2; echo $? > {out}/rc2
    """
    proc = namespaced(script, env)
    assert proc.returncode == 0, proc.stderr
    got = results(out)
    assert got["rc1"].strip() == "1" and "the disk is full" in got["err1"], got
    assert len(got["err1"].splitlines()) == 1 and "Traceback" not in got["err1"]
    assert got["status1"] == f"?? inbox/{BIKE}\n"  # nothing moved, nothing written, nothing committed
    assert got["rc2"].strip() == "0", got["out2"] + got["err2"]
    assert run_commits(ws) == ["inbox: add 1 input", "notesmith: create 1 article"]


def test_a_read_only_file_system_then_writable_again(tmp_path, env):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    out = tmp_path / "out"
    out.mkdir()
    script = f"""
    cd {ws}
    mount --bind articles articles
    mount -o remount,bind,ro articles
    set +e
    "$PYTHON" -m notesmith process > {out}/out1 2> {out}/err1; echo $? > {out}/rc1
    mount -o remount,bind,rw articles
    "$PYTHON" -m notesmith process > {out}/out2 2> {out}/err2; echo $? > {out}/rc2
    """
    proc = namespaced(script, env)
    assert proc.returncode == 0, proc.stderr
    got = results(out)
    assert got["rc1"].strip() == "1" and "read-only" in got["err1"] and "articles" in got["err1"], got
    assert len(got["err1"].splitlines()) == 1
    assert got["rc2"].strip() == "0" and "finished the interrupted run" in got["out2"], got
    assert run_commits(ws) == ["inbox: add 1 input", "notesmith: create 1 article"]
    assert os.listdir(ws / "inbox/used") == [BIKE]
