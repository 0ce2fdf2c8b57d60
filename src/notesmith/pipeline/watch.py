"""`notesmith watch`: run whenever the inbox has been quiet for the settle time (SPEC §5.4)."""

from __future__ import annotations

import threading
import time
from typing import Callable

from notesmith.errors import NotesmithError
from notesmith.inputs import list_inputs
from notesmith.workspace import Workspace


def snapshot(ws: Workspace) -> dict[str, tuple[int, int]]:
    """Name → (size, mtime) of the inbox's inputs; a file still being written keeps changing it."""
    paths, _ = list_inputs(ws.inbox, ws.root, (ws.state,))
    state = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        state[path.name] = (stat.st_size, stat.st_mtime_ns)
    return state


def watch_inbox(ws: Workspace, *, options=None, poll: float = 2.0, progress=None,
                echo: Callable[[str], None] = print, stop: threading.Event | None = None,
                max_runs: int | None = None, run_fn=None, clock: Callable[[], float] = time.monotonic,
                wait: Callable[[float], bool] | None = None) -> int:
    """Watch until stopped (Ctrl-C, `stop`, or `max_runs` runs); returns the number of runs.

    `clock` and `wait` (sleep for a poll; True when told to stop) are seams: a test drives the
    watcher with a clock of its own instead of real time. A run that fails with a NotesmithError
    is reported and the watcher goes on; anything else is a bug and stops it.
    """
    if run_fn is None:
        from notesmith.pipeline.run import RunOptions, run

        def run_fn(ws: Workspace, progress=None):
            return run(ws, options=options or RunOptions(), progress=progress)
    stop = stop or threading.Event()
    wait = wait or stop.wait
    settle = ws.config.settle
    last = snapshot(ws)
    changed_at = clock()
    handled: dict[str, tuple[int, int]] | None = None if last else {}
    runs = 0
    while not stop.is_set():
        if wait(poll):
            break
        current = snapshot(ws)
        if current != last:
            last, changed_at = current, clock()
            continue
        if not current or current == handled or clock() - changed_at < settle:
            continue
        runs += 1
        ok = False
        try:
            report = run_fn(ws, progress=progress)
            for line in report.summary_lines():
                echo(line)
            ok = report.ok
        except NotesmithError as exc:
            echo(f"notesmith: run failed: {exc}; still watching")
        last = snapshot(ws)
        if ok:
            handled = last
        # else what is left (say, inputs kept back by a model outage) is tried again after another settle time
        changed_at = clock()
        if max_runs is not None and runs >= max_runs:
            break
    return runs
