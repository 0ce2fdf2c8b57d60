"""The JSON run log in .notesmith/runs/: what was asked of the model and what it answered.

Logs hold whole transcripts, so only the last few runs are kept. They never hold an API key:
requests carry none, and the log is written from requests and replies only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from notesmith.llm.base import LLM, Reply, Request, Usage
from notesmith.errors import WriteError
from notesmith.files import write_json


@dataclass
class RecordingLLM:
    """Wraps a model and keeps every request and reply (thread-safe), summing the usage."""

    inner: LLM
    calls: list[dict] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.name = self.inner.name
        self.context_tokens = self.inner.context_tokens

    def complete(self, request: Request) -> Reply:
        try:
            reply = self.inner.complete(request)
        except Exception as exc:
            with self._lock:
                self.calls.append({"purpose": request.purpose, "messages": request.messages,
                                   "error": str(exc)})
            raise
        with self._lock:
            self.usage = self.usage + reply.usage
            self.calls.append({
                "purpose": request.purpose, "messages": request.messages, "reply": reply.text,
                "finish_reason": reply.finish_reason, "format": reply.format, "model": reply.model,
                "usage": {"prompt_tokens": reply.usage.prompt_tokens,
                          "completion_tokens": reply.usage.completion_tokens},
            })
        return reply


def write_run_log(folder: Path, report, recorder: RecordingLLM | None, *, keep: int, root: Path) -> str | None:
    """Write the run's log and delete all but the newest `keep`; returns its workspace-relative path."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{report.run_id}.json"
        write_json(path, {"run_id": report.run_id, "report": report.as_dict(),
                          "calls": recorder.calls if recorder else []})
        logs = sorted(folder.glob("*.json"))
        for old in logs[: max(0, len(logs) - max(1, keep))]:
            old.unlink(missing_ok=True)
        return path.relative_to(root).as_posix()
    except (OSError, WriteError):
        return None  # the run is done; a log that cannot be written must not undo it
