"""`notesmith watch`: runs after the inbox settles, ignores files being written, survives failed runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from notesmith.errors import WorkspaceBusy
from notesmith.pipeline.run import RunOptions, run
from notesmith.pipeline.watch import watch_inbox
from notesmith.workspace import Workspace
from tests.process_helpers import BEES, BIKE, BREAD, INPUTS, git, new_workspace, run_commits

SETTLE = 120.0  # the default: the watcher runs on a clock of the test's own, so no test waits for it
POLL = 2.0


class FakeTime:
    """The watcher's clock and its sleep: each wait moves time on by the poll, firing what is due."""

    def __init__(self, events: list[tuple[float, Callable[[], None]]], until: float):
        self.now = 0.0
        self.events = sorted(events, key=lambda e: e[0])
        self.until = until

    def clock(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.now += seconds
        while self.events and self.events[0][0] <= self.now:
            self.events.pop(0)[1]()
        return self.now >= self.until  # True: told to stop


class Runs:
    """A run_fn that records when each run started, optionally failing the first one."""

    def __init__(self, time: FakeTime, fail_first: bool = False):
        self.time = time
        self.started: list[float] = []
        self.reports = []
        self.fail_first = fail_first

    def __call__(self, ws, progress=None):
        self.started.append(self.time.now)
        if self.fail_first and len(self.started) == 1:
            raise WorkspaceBusy("another notesmith run is working on the workspace")
        report = run(ws, options=RunOptions(), progress=progress)
        self.reports.append(report)
        return report


def watch(ws_root: Path, time: FakeTime, run_fn, **kw) -> list[str]:
    lines: list[str] = []
    watch_inbox(Workspace.open(ws_root), poll=POLL, run_fn=run_fn, echo=lines.append,
                clock=time.clock, wait=time.wait, **kw)
    return lines


def drop(ws: Path, name: str, text: str) -> Callable[[], None]:
    return lambda: (ws / "inbox" / name).write_text(text, encoding="utf-8")


def test_a_burst_of_files_is_processed_once_after_the_settle_time(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    time = FakeTime([(10, drop(ws, BEES, INPUTS[BEES])), (14, drop(ws, BIKE, INPUTS[BIKE])),
                     (18, drop(ws, BREAD, INPUTS[BREAD]))], until=SETTLE * 10)
    runs = Runs(time)
    lines = watch(ws, time, runs)
    assert runs.started == [18 + SETTLE]  # once, a settle time after the last file, never again
    assert len(runs.reports[0].created) == 3 and runs.reports[0].inputs_read == 3
    assert run_commits(ws) == ["inbox: add 3 inputs", "notesmith: create 3 articles"]
    assert any("3 created" in line for line in lines)


def test_a_failed_run_does_not_stop_the_watcher(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    time = FakeTime([(10, drop(ws, BEES, INPUTS[BEES])), (500, drop(ws, BIKE, INPUTS[BIKE]))], until=2000)
    runs = Runs(time, fail_first=True)
    lines = watch(ws, time, runs, max_runs=3)
    first, second, third = runs.started
    assert first == 10 + SETTLE
    assert any("run failed" in line and "still watching" in line for line in lines)
    assert second == first + SETTLE  # what the failed run left is tried again after another settle time
    assert third == 500 + SETTLE  # and the next change is processed as usual
    assert [len(r.created) for r in runs.reports] == [1, 1]
    assert not (ws / "inbox" / BEES).exists() and not (ws / "inbox" / BIKE).exists()


def test_a_bug_in_a_run_stops_the_watcher_with_its_traceback(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    time = FakeTime([(10, drop(ws, BEES, INPUTS[BEES]))], until=1000)

    def broken(ws, progress=None):
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError):
        watch(ws, time, broken)


def test_a_run_that_keeps_inputs_back_is_retried_but_a_good_run_is_not(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    time = FakeTime([(10, drop(ws, BEES, INPUTS[BEES]))], until=SETTLE * 10)
    outcomes = [False, True]
    calls: list[float] = []

    class Report:
        def __init__(self, ok: bool):
            self.ok = ok

        def summary_lines(self):
            return [f"ok={self.ok}"]

    def run_fn(ws, progress=None):
        calls.append(time.now)
        return Report(outcomes[min(len(calls), len(outcomes)) - 1])

    lines = watch(ws, time, run_fn)  # the input stays in the inbox: run_fn moves nothing
    assert lines == ["ok=False", "ok=True"]
    assert calls == [10 + SETTLE, 10 + 2 * SETTLE]


def test_a_file_still_growing_is_not_processed(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    path = ws / "inbox" / "20260304_120000_lena_p_msg250.txt"

    def write_line(n: int) -> Callable[[], None]:
        def append() -> None:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(f"Line {n} of a long dictation about pruning the apple trees.\n\n")
        return append

    # A line every 60 s for 15 minutes: each gap is shorter than the settle time.
    time = FakeTime([(10 + 60 * n, write_line(n)) for n in range(15)], until=3000)
    runs = Runs(time)
    watch(ws, time, runs, max_runs=1)
    last_write = 10 + 60 * 14
    assert runs.started == [last_write + SETTLE]
    article = (ws / runs.reports[0].created[0]).read_text(encoding="utf-8")
    assert "Line 14 of a long dictation" in article  # the whole file, not a part


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


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
            drop(ws, name, INPUTS[name])()
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
