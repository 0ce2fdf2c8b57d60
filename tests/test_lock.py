from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from notesmith.errors import WorkspaceError
from notesmith.lock import WorkspaceLock

HOLDER = """
import sys, time
from pathlib import Path
from notesmith.lock import WorkspaceLock
lock = WorkspaceLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
lock.release()
"""


@pytest.fixture
def lock_path(tmp_path: Path) -> Path:
    return tmp_path / "ws" / ".notesmith" / "lock"


def hold_in_subprocess(path: Path, seconds: float = 60) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_acquire_creates_folder_and_records_holder(lock_path: Path):
    with WorkspaceLock(lock_path) as lock:
        assert lock.held
        assert lock_path.is_file()
        info = lock.holder()
        assert info["pid"] == os.getpid()
        assert abs(info["started"] - time.time()) < 60
    assert not lock.held


def test_release_twice_is_harmless(lock_path: Path):
    lock = WorkspaceLock(lock_path)
    lock.acquire()
    lock.release()
    lock.release()
    with WorkspaceLock(lock_path):
        pass


def test_contention_in_one_process(lock_path: Path):
    with WorkspaceLock(lock_path):
        with pytest.raises(WorkspaceError, match=f"pid {os.getpid()},"):
            WorkspaceLock(lock_path).acquire()
    with WorkspaceLock(lock_path) as again:
        assert again.held


def test_second_process_is_refused_then_recovers_after_kill_9(lock_path: Path):
    holder = hold_in_subprocess(lock_path)
    try:
        with pytest.raises(WorkspaceError) as info:
            with WorkspaceLock(lock_path):
                pass
        message = str(info.value)
        assert f"another notesmith run (pid {holder.pid}, started at " in message
        assert f"is working on {lock_path.parent.parent}; wait for it to finish, or pass --wait SECONDS" in message
        assert "\n" not in message
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    with WorkspaceLock(lock_path) as lock:
        assert lock.holder()["pid"] == os.getpid()


def test_wait_outlasts_a_short_holder(lock_path: Path):
    holder = hold_in_subprocess(lock_path, seconds=0.5)
    try:
        started = time.monotonic()
        with WorkspaceLock(lock_path, wait=30, poll=0.05) as lock:
            assert lock.held
        assert time.monotonic() - started < 10
    finally:
        holder.wait()
        holder.stdout.close()


def test_wait_gives_up_after_the_timeout(lock_path: Path):
    held = WorkspaceLock(lock_path)
    held.acquire()
    try:
        started = time.monotonic()
        with pytest.raises(WorkspaceError, match="another notesmith run"):
            WorkspaceLock(lock_path, wait=0.3, poll=0.05).acquire()
        assert 0.25 <= time.monotonic() - started < 5
    finally:
        held.release()


def test_waiter_gets_the_lock_when_released_in_thread(lock_path: Path):
    first = WorkspaceLock(lock_path)
    first.acquire()
    timer = threading.Timer(0.2, first.release)
    timer.start()
    try:
        with WorkspaceLock(lock_path, wait=10, poll=0.02) as second:
            assert second.held
    finally:
        timer.join()
