"""The run journal in the state folder: the apply plan and the contents it will write.

The apply phase first writes its whole plan here (every path and the hash of every content),
then carries it out step by step. Each step is idempotent, so a run that finds a plan left by a
killed run simply carries it out again from the start.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from notesmith.errors import JournalError
from notesmith.files import write_atomic, write_json


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Journal:
    """The plan of the apply phase and the blobs it refers to."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.plan_file = folder / "plan.json"
        self.blobs = folder / "blobs"

    def pending(self) -> dict | None:
        """The plan of an apply phase that has not finished, if any; JournalError when it is unreadable."""
        try:
            text = self.plan_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError):
            text = ""
        try:
            plan = json.loads(text)
        except ValueError:
            plan = None
        if not isinstance(plan, dict) or not isinstance(plan.get("steps"), list):
            raise JournalError(f"the plan of an interrupted run is damaged; look at it, then delete {self.folder} "
                               "and run again (inputs not yet moved are still in the inbox)", path=self.plan_file)
        return plan

    def forget_leftovers(self) -> None:
        """Contents left by a run that died before its plan was written (the plan is the commit point)."""
        if not self.plan_file.exists():
            shutil.rmtree(self.blobs, ignore_errors=True)

    def write_plan(self, plan: dict, contents: dict[str, bytes]) -> None:
        """Store every content first, then the plan that names them (the plan is the commit point)."""
        self.blobs.mkdir(parents=True, exist_ok=True)
        for digest, data in contents.items():
            blob = self.blobs / digest
            if not blob.exists() or sha256(blob.read_bytes()) != digest:
                write_atomic(blob, data)
        write_json(self.plan_file, plan)

    def blob(self, digest: str) -> bytes:
        try:
            data = (self.blobs / digest).read_bytes()
        except OSError:
            data = None
        if data is None or sha256(data) != digest:
            raise JournalError(f"the interrupted run's content {digest[:12]} is missing or damaged; "
                               f"delete {self.folder} to forget that run, then run again", path=self.blobs / digest)
        return data

    def clear(self) -> None:
        """Forget the finished plan."""
        try:
            self.plan_file.unlink()
        except FileNotFoundError:
            pass
        shutil.rmtree(self.blobs, ignore_errors=True)
