"""The JSON run log in .notesmith/runs/: what was asked of the model and what it answered.

Logs hold whole transcripts, so only the last few runs are kept. They never hold an API key:
requests carry none, and the log is written from requests and replies only.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from notesmith.llm.base import LLM, Reply, Request, Usage
from notesmith.errors import EndpointUnreachable, NotesmithError, WriteError
from notesmith.files import write_json


SLOW_CALL = 2.0  # seconds: calls slower than this get a progress line with an estimate of what is left


@dataclass
class RecordingLLM:
    """Wraps a model and keeps every request and reply (thread-safe), summing the usage.

    It also times each call, for progress lines on a slow endpoint ("drafting: 3 calls done, about
    40 s each"), and once the endpoint proved unreachable it answers every later call with the same
    error at once, so a run with a stopped server ends in a moment instead of trying each group.
    """

    inner: LLM
    calls: list[dict] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    progress: object = None  # a callable taking a line of progress, or None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.name = self.inner.name
        self.context_tokens = self.inner.context_tokens
        self._unreachable: EndpointUnreachable | None = None
        self._seconds: dict[str, list[float]] = {}

    def complete(self, request: Request) -> Reply:
        if self._unreachable is not None:
            raise EndpointUnreachable(self._unreachable.message)
        started = time.monotonic()
        try:
            reply = self.inner.complete(request)
        except NotesmithError as exc:
            with self._lock:
                if isinstance(exc, EndpointUnreachable):
                    self._unreachable = exc
                self.calls.append({"purpose": request.purpose, "messages": request.messages,
                                   "error": str(exc)})
            raise
        took = time.monotonic() - started
        with self._lock:
            times = self._seconds.setdefault(request.purpose or "call", [])
            times.append(took)
            if self.progress is not None and took >= SLOW_CALL:
                self.progress(f"{request.purpose or 'model call'}: {len(times)} done, about "
                              f"{sum(times) / len(times):.0f} s each on {self.name}")
            self.usage = self.usage + reply.usage
            self.calls.append({
                "purpose": request.purpose, "messages": request.messages, "reply": reply.text,
                "finish_reason": reply.finish_reason, "format": reply.format, "model": reply.model,
                "usage": {"prompt_tokens": reply.usage.prompt_tokens,
                          "completion_tokens": reply.usage.completion_tokens},
                "seconds": round(took, 2),
            })
        return reply


class Countdown:
    """Progress through a stage's units ("drafting 3/8, about 2 min left") once they prove slow."""

    def __init__(self, label: str, total: int, say):
        self.label, self.total, self.say = label, total, say
        self.done = 0
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def tick(self) -> None:
        with self._lock:
            self.done += 1
            each = (time.monotonic() - self.started) / self.done
            if self.say is None or each < SLOW_CALL or self.done >= self.total:
                return
            left = each * (self.total - self.done)
            when = f"{left / 60:.0f} min" if left >= 90 else f"{left:.0f} s"
            self.say(f"{self.label} {self.done}/{self.total}, about {when} left")


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
