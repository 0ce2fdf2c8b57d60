"""ScriptedLLM: a model that answers from a script and records every request (for tests)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any, Union

from notesmith.llm.base import Reply, Request, Usage, estimate_messages_tokens, estimate_tokens

Step = Union[str, dict, list, Exception, Reply, Callable[[Request], Any]]


class ScriptedLLM:
    """Answers requests with the scripted replies, in order, and keeps them in `.requests`.

    A script item is a str (the answer text), a dict or list (JSON-encoded), a Reply (returned
    as is), an Exception (raised), or a callable taking the Request and returning any of these
    (useful when requests arrive in no fixed order, e.g. concurrent drafts).
    """

    def __init__(self, replies: Iterable[Step], *, name: str = "scripted", context_tokens: int = 32768):
        self.name = name
        self.context_tokens = context_tokens
        self.requests: list[Request] = []
        self._script = iter(replies)
        self._lock = threading.Lock()

    def complete(self, request: Request) -> Reply:
        """Record the request and answer with the next scripted step."""
        with self._lock:
            self.requests.append(request)
            try:
                step = next(self._script)
            except StopIteration:
                raise RuntimeError(
                    f"ScriptedLLM ran out of replies at request {len(self.requests)}"
                    f" (purpose {request.purpose or 'unnamed'!r}); add more replies to the script"
                ) from None
        if callable(step) and not isinstance(step, (Exception, Reply)):
            step = step(request)
        return self._reply(step, request)

    def _reply(self, step: Any, request: Request) -> Reply:
        if isinstance(step, BaseException):
            raise step
        if isinstance(step, Reply):
            return step
        text = json.dumps(step, ensure_ascii=False) if isinstance(step, (dict, list)) else str(step)
        usage = Usage(estimate_messages_tokens(request.messages), estimate_tokens(text))
        fmt = "json_schema" if request.schema is not None else "text"
        return Reply(text=text, finish_reason="stop", usage=usage, model=self.name, format=fmt)
