"""`notesmith watch`: runs after the inbox settles, ignores files being written, survives failed runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from notesmith.pipeline.run import run
from notesmith.pipeline.watch import watch_inbox
from notesmith.workspace import Workspace
from tests.process_helpers import BEES, BIKE, BREAD, INPUTS, git, new_workspace, run_commits

SETTLE = 0.5
POLL = 0.05


class Runs:
    """A run_fn that records when each run started, optionally failing the first one."""

    def __init__(self, fail_first: bool = False):
        self.started: list[float] = []
        self.reports = []
        self.fail_first = fail_first

    def __call__(self, ws, **options):
        self.started.append(time.monotonic())
        if self.fail_first and len(self.started) == 1:
            raise RuntimeError("the first run breaks")
        report = run(ws, **options)
        self.reports.append(report)
        return report


def start(ws_root: Path, runs: Runs, **kw) -> tuple[threading.Thread, threading.Event, list[str]]:
    ws = Workspace.open(ws_root, {"settle": SETTLE})
    stop = threading.Event()
    lines: list[str] = []
    thread = threading.Thread(target=watch_inbox, args=(ws,), daemon=True,
                              kwargs={"poll": POLL, "stop": stop, "run_fn": runs, "echo": lines.append, **kw})
    thread.start()
    return thread, stop, lines


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def drop(ws: Path, name: str, text: str) -> float:
    (ws / "inbox" / name).write_text(text, encoding="utf-8")
    return time.monotonic()


def test_a_burst_of_files_is_processed_once_after_the_settle_time(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    runs = Runs()
    thread, stop, lines = start(ws, runs)
    try:
        last = 0.0
        for name in (BEES, BIKE, BREAD):
            last = drop(ws, name, INPUTS[name])
            time.sleep(0.1)
        wait_for(lambda: runs.reports)
        time.sleep(SETTLE * 3)  # long enough for a second run, if one were wrongly started
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert len(runs.started) == 1
    assert runs.started[0] - last >= SETTLE
    assert len(runs.reports[0].created) == 3 and runs.reports[0].inputs_read == 3
    assert run_commits(ws) == ["inbox: add 3 inputs", "notesmith: create 3 articles"]
    assert any("3 created" in line for line in lines)


def test_a_failed_run_does_not_stop_the_watcher(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    runs = Runs(fail_first=True)
    thread, stop, lines = start(ws, runs, max_runs=3)
    try:
        drop(ws, BEES, INPUTS[BEES])
        wait_for(lambda: any("still watching" in line for line in lines))
        assert thread.is_alive() and (ws / "inbox" / BEES).exists()
        failed_at = runs.started[0]
        # The inbox left by the failed run is tried again after another settle time.
        wait_for(lambda: len(runs.reports) == 1)
        assert runs.started[1] - failed_at >= SETTLE
        assert len(runs.reports[0].created) == 1 and not (ws / "inbox" / BEES).exists()
        # And the next change is processed as usual.
        drop(ws, BIKE, INPUTS[BIKE])
        thread.join(10)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive() and len(runs.started) == 3
    assert any("run crashed: RuntimeError: the first run breaks" in line for line in lines)
    assert len(runs.reports) == 2 and len(runs.reports[1].created) == 1
    assert not (ws / "inbox" / BIKE).exists()


def test_a_run_that_keeps_inputs_back_is_retried_but_a_good_run_is_not(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    outcomes = [False, True]
    calls: list[float] = []

    class Report:
        def __init__(self, ok: bool):
            self.ok = ok

        def summary_lines(self):
            return [f"ok={self.ok}"]

    def run_fn(ws, **options):
        calls.append(time.monotonic())
        return Report(outcomes[min(len(calls), len(outcomes)) - 1])

    thread, stop, lines = start(ws, run_fn)
    try:
        drop(ws, BEES, INPUTS[BEES])  # stays in the inbox: run_fn moves nothing
        wait_for(lambda: len(calls) == 2)
        time.sleep(SETTLE * 3)
    finally:
        stop.set()
        thread.join(5)
    assert lines == ["ok=False", "ok=True"] and len(calls) == 2
    assert calls[1] - calls[0] >= SETTLE


def test_a_file_still_growing_is_not_processed(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    runs = Runs()
    thread, stop, lines = start(ws, runs, max_runs=1)
    path = ws / "inbox" / "20260304_120000_lena_p_msg250.txt"
    try:
        written = []
        with open(path, "w", encoding="utf-8") as handle:
            for n in range(15):  # 1.5 s of writing, three times the settle time
                line = f"Line {n} of a long dictation about pruning the apple trees.\n\n"
                handle.write(line)
                handle.flush()
                written.append(line)
                time.sleep(0.1)
                assert not runs.started, f"a run started while the file was still growing (after line {n})"
        last = time.monotonic()
        thread.join(10)
    finally:
        stop.set()
        thread.join(5)
    assert len(runs.started) == 1 and runs.started[0] - last >= SETTLE - 0.1
    article = (ws / runs.reports[0].created[0]).read_text(encoding="utf-8")
    assert "Line 14 of a long dictation" in article  # the whole file, not a part


def test_watch_cli_processes_dropped_files_and_stops_cleanly_on_ctrl_c(tmp_path, env):
    ws = new_workspace(tmp_path / "ws")
    out = tmp_path / "watch.out"
    with open(out, "w") as stdout:
        proc = subprocess.Popen([sys.executable, "-m", "notesmith", "watch", "--settle", "0.5", "--poll", "0.1"],
                                cwd=ws, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=stdout,
                                stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        for name in (BEES, BIKE):
            drop(ws, name, INPUTS[name])
            time.sleep(0.1)
        wait_for(lambda: "commit" in out.read_text(), timeout=20)
        wait_for(lambda: "log " in out.read_text(), timeout=5)  # the run has finished
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err
    assert "watching" in err and "settle 0.5s" in err
    assert run_commits(ws) == ["inbox: add 2 inputs", "notesmith: create 2 articles"]
    assert git(ws, "status", "--porcelain") == ""
    assert not os.path.exists(ws / ".notesmith/journal/plan.json")
