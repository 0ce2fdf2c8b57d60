"""A real OpenAI-compatible HTTP server on localhost that answers from a script.

Use the `fake_openai` fixture (`from tests.fake_openai import fake_openai` in a test module):

    fake_openai.queue("plain text", {"a": 1}, Error(429, headers={"Retry-After": "2"}), DROP)
    llm = OpenAILLM("m", base_url=fake_openai.url, api_key="sk-test")

Every request body (parsed JSON) and its headers are kept in `.requests` / `.headers`. GET
/v1/models lists `.model_ids`; GET /props answers `.props` when set (llama.cpp's server info).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Answer:
    """A normal chat completion."""

    content: str | None
    finish_reason: str = "stop"
    usage: dict | None = field(default_factory=lambda: {"prompt_tokens": 10, "completion_tokens": 5})
    model: str | None = None
    extra: dict = field(default_factory=dict)  # more fields of the message, e.g. {"reasoning_content": "..."}


@dataclass
class Error:
    """An HTTP error response; a dict body is sent as OpenAI's {"error": {...}} shape."""

    status: int
    message: str = "scripted error"
    headers: dict = field(default_factory=dict)
    body: Any = None


@dataclass
class Hang:
    """Wait this many seconds before answering (to trigger client timeouts)."""

    seconds: float
    then: Any = "late answer"


DROP = "<drop the connection>"


class FakeOpenAI:
    """The server: a queue of scripted responses plus optional rejection rules."""

    def __init__(self) -> None:
        self.responses: deque = deque()
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        # response_format types answered with HTTP 400 ("json_object+schema": json_object with a schema)
        self.reject_formats: set[str] = set()
        self.api_key: str | None = None  # when set, other bearer tokens get HTTP 401
        self.model_ids = ["fake-model"]
        self.strict_models = False  # when True, chat for a model not in model_ids gets OpenAI's HTTP 404
        self.props: dict | None = None  # when set, GET /props answers it (llama.cpp's server info)
        self.model_extra: dict = {}  # more fields for each listed model, e.g. vLLM's {"max_model_len": 4096}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Base URL for the SDK, ending in /v1."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def queue(self, *items: Any) -> None:
        """Add responses: str or dict (answer content), Answer, Error, Hang or DROP."""
        with self._lock:
            self.responses.extend(items)

    def close(self) -> None:
        """Stop the server."""
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict, headers: dict) -> Any:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
                return Error(401, "Incorrect API key provided", body={"message": "Incorrect API key provided",
                                                                      "type": "invalid_request_error",
                                                                      "code": "invalid_api_key"})
            if self.strict_models and body.get("model") not in self.model_ids:
                return Error(404, "scripted", body={"message": f"The model `{body.get('model')}` does not exist"
                                                    " or you do not have access to it.",
                                                    "type": "invalid_request_error", "code": "model_not_found"})
            requested = body.get("response_format") or {}
            fmt = requested.get("type")
            if fmt == "json_object" and "schema" in requested:
                fmt = "json_object+schema"  # llama.cpp style: json_object constrained by a schema
            if fmt in self.reject_formats or (fmt == "json_object+schema" and "json_object" in self.reject_formats):
                return Error(400, f"response_format type '{fmt}' is not supported by this server")
            if not self.responses:
                return Error(418, "fake_openai: no scripted response left")
            return self.responses.popleft()


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/props" and fake.props is not None:
                return self._json(200, fake.props)
            if self.path.rstrip("/") != "/v1/models":
                return self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            if fake.api_key is not None and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                return self._json(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                                  "code": "invalid_api_key"}})
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake", **fake.model_extra}
                    for m in fake.model_ids]
            self._json(200, {"object": "list", "data": data})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            body = json.loads(raw or b"{}")
            item = fake._next(body, {k.lower(): v for k, v in self.headers.items()})
            while isinstance(item, Hang):
                time.sleep(item.seconds)
                item = item.then
            self._respond(item, body)

        def _respond(self, item: Any, body: dict) -> None:
            if item == DROP:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if isinstance(item, Error):
                payload = item.body if item.body is not None else {
                    "message": item.message, "type": "invalid_request_error", "param": None, "code": None}
                wrapped = {"error": payload} if isinstance(payload, dict) else payload
                return self._json(item.status, wrapped, item.headers)
            answer = item if isinstance(item, Answer) else Answer(
                json.dumps(item) if isinstance(item, (dict, list)) else item)
            completion = {
                "id": f"chatcmpl-fake-{len(fake.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": answer.model or body.get("model", "fake-model"),
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": answer.content, **answer.extra},
                    "finish_reason": answer.finish_reason,
                    "logprobs": None,
                }],
            }
            if answer.usage is not None:
                usage = dict(answer.usage)
                usage.setdefault("total_tokens", usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0))
                completion["usage"] = usage
            self._json(200, completion)

        def _json(self, status: int, payload: Any, headers: dict | None = None) -> None:
            data = (json.dumps(payload) if not isinstance(payload, str) else payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, str(value))
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (timeout tests)

    return Handler


@pytest.fixture
def fake_openai():
    """A running FakeOpenAI, stopped after the test."""
    server = FakeOpenAI()
    try:
        yield server
    finally:
        server.close()
