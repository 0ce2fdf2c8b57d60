"""One notesmith run per workspace: an flock on a lock file, released by the kernel when the holder dies."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from datetime import datetime
from pathlib import Path
from types import TracebackType

from notesmith.errors import WorkspaceBusy, WriteError
from notesmith.files import describe_os_error


class WorkspaceLock:
    """Exclusive lock on a workspace, held for the length of a `with` block."""

    def __init__(self, path: Path, *, wait: float = 0.0, poll: float = 0.2):
        self.path = Path(path)
        self.wait = wait
        self.poll = poll
        self._fd: int | None = None

    @property
    def workspace(self) -> Path:
        """The folder the lock guards: the parent of `.notesmith/` when the lock lives there."""
        parent = self.path.parent
        return parent.parent if parent.name == ".notesmith" else parent

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, waiting up to `wait` seconds; WorkspaceBusy when another run keeps it."""
        if self._fd is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise WriteError(f"cannot create the workspace lock: {describe_os_error(exc)}", path=self.path) from None
        deadline = time.monotonic() + max(self.wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise WorkspaceBusy(self._busy_message()) from None
                time.sleep(max(min(self.poll, deadline - time.monotonic()), 0.0))
            except BaseException:
                os.close(fd)
                raise
        self._fd = fd
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        data = json.dumps(info).encode() + b"\n"
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        except OSError:
            pass  # who holds the lock is only for the message another run prints; the flock is the lock

    def release(self) -> None:
        """Let the lock go; harmless when it is not held."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # the file stays: unlinking it would let two runs lock different files
        finally:
            os.close(fd)  # closing the last descriptor releases the flock

    def holder(self) -> dict[str, object] | None:
        """What the current holder wrote into the lock file (pid, host, started), if readable."""
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "null")
        except (OSError, ValueError):
            return None
        return info if isinstance(info, dict) else None

    def _busy_message(self) -> str:
        info = self.holder() or {}
        who = f"pid {info.get('pid', 'unknown')}"
        host = info.get("host")
        if host and host != socket.gethostname():
            who += f" on {host}"
        started = info.get("started")
        if isinstance(started, (int, float)):
            who += f", started at {datetime.fromtimestamp(started).strftime('%Y-%m-%d %H:%M:%S')}"
        return (f"another notesmith run ({who}) is working on {self.workspace}; "
                "wait for it to finish, or pass --wait SECONDS")

    def __enter__(self) -> WorkspaceLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()
