"""A real OpenAI-compatible HTTP server on localhost that answers from a script.

Use the `fake_openai` fixture (`from tests.fake_openai import fake_openai` in a test module):

    fake_openai.queue("plain text", {"a": 1}, Error(429, headers={"Retry-After": "2"}), DROP)
    llm = OpenAILLM("m", base_url=fake_openai.url, api_key="sk-test")

Every request body (parsed JSON) and its headers are kept in `.requests` / `.headers`. GET
/v1/models lists `.model_ids`; GET /props answers `.props` when set (llama.cpp's server info).

`POST /v1/audio/transcriptions` takes a real multipart upload and answers from its own queue:

    fake_openai.queue_transcription(Transcription("Hello there.", segments=[(0, 1.5, "Hello there.")]))
    fake_openai.uploads[0].filename, .data, .fields   # what the client sent
"""

from __future__ import annotations

import json
import socket
from email.parser import BytesParser
from email.policy import HTTP
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


@dataclass
class Transcription:
    """A transcription answer: verbose_json with segments [(start, end, text)], or text only."""

    text: str
    segments: list | None = None
    language: str = "english"
    duration: float | None = None


@dataclass
class Upload:
    """One multipart request to /v1/audio/transcriptions, as the server parsed it."""

    fields: dict  # form fields other than the file, e.g. {"model": "whisper-1", "response_format": "verbose_json"}
    filename: str | None
    content_type: str | None
    data: bytes
    headers: dict


def parse_multipart(content_type: str, raw: bytes) -> tuple[dict, str | None, str | None, bytes]:
    """Form fields, and the uploaded file's name, type and bytes, from a multipart/form-data body."""
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    if not message.is_multipart():
        raise ValueError("not multipart/form-data")
    fields: dict = {}
    filename = file_type = None
    data = b""
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            filename, file_type, data = part.get_filename(), part.get_content_type(), payload
        elif name:
            value = payload.decode("utf-8")
            if name.endswith("[]"):
                fields.setdefault(name[:-2], []).append(value)
            else:
                fields[name] = value
    return fields, filename, file_type, data


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
        self.transcriptions: deque = deque()
        self.uploads: list[Upload] = []
        self.refuse_verbose_json = False  # answer response_format=verbose_json with HTTP 400
        # Synopsis requests (notesmith asks one per group before routing) are answered from here, or,
        # when nothing is queued, with the sources' first words; they are kept apart from `requests`.
        self.synopses: deque = deque()
        self.synopsis_requests: list[dict] = []
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

    def queue_transcription(self, *items: Any) -> None:
        """Add transcription responses: Transcription, a str (text only), Error, Hang or DROP."""
        with self._lock:
            self.transcriptions.extend(items)

    def _next_transcription(self, upload: Upload) -> Any:
        with self._lock:
            self.uploads.append(upload)
            if self.api_key is not None and upload.headers.get("authorization") != f"Bearer {self.api_key}":
                return Error(401, "Incorrect API key provided", body={"message": "Incorrect API key provided",
                                                                      "type": "invalid_request_error",
                                                                      "code": "invalid_api_key"})
            if self.refuse_verbose_json and upload.fields.get("response_format") == "verbose_json":
                return Error(400, "response_format 'verbose_json' is not supported")
            if not self.transcriptions:
                return Error(418, "fake_openai: no scripted transcription left")
            return self.transcriptions.popleft()

    def close(self) -> None:
        """Stop the server."""
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict, headers: dict) -> Any:
        with self._lock:
            if _is_synopsis(body):
                self.synopsis_requests.append(body)
                return self.synopses.popleft() if self.synopses else _auto_synopsis(body)
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


def _prompt(body: dict) -> str:
    return "\n".join(str(m.get("content") or "") for m in body.get("messages", []))


def _is_synopsis(body: dict) -> bool:
    fmt = body.get("response_format") or {}
    if (fmt.get("json_schema") or {}).get("name") == "synopsis":
        return True
    return "Describe what the sources below are about" in _prompt(body)


def _auto_synopsis(body: dict) -> str:
    sources = _prompt(body).split("Sources:", 1)[-1]
    words = [w for w in sources.split() if not w.startswith("[")][:40]
    return json.dumps({"synopsis": " ".join(words) or "notes", "terms": [], "names": []})


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
            if self.path.rstrip("/") == "/v1/audio/transcriptions":
                return self._transcribe(raw)
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            body = json.loads(raw or b"{}")
            item = fake._next(body, {k.lower(): v for k, v in self.headers.items()})
            while isinstance(item, Hang):
                time.sleep(item.seconds)
                item = item.then
            self._respond(item, body)

        def _transcribe(self, raw: bytes) -> None:
            try:
                fields, filename, file_type, data = parse_multipart(self.headers.get("Content-Type", ""), raw)
            except ValueError as exc:
                return self._json(400, {"error": {"message": str(exc), "type": "invalid_request_error"}})
            headers = {k.lower(): v for k, v in self.headers.items()}
            item = fake._next_transcription(Upload(fields, filename, file_type, data, headers))
            while isinstance(item, Hang):
                time.sleep(item.seconds)
                item = item.then
            if item == DROP or isinstance(item, Error):
                return self._respond(item, {})
            answer = item if isinstance(item, Transcription) else Transcription(str(item))
            if fields.get("response_format") != "verbose_json":
                return self._json(200, {"text": answer.text})
            payload: dict = {"task": "transcribe", "language": answer.language, "text": answer.text}
            if answer.duration is not None:
                payload["duration"] = answer.duration
            if answer.segments is not None:
                payload["segments"] = [{"id": n, "seek": 0, "start": start, "end": end, "text": text}
                                       for n, (start, end, text) in enumerate(answer.segments)]
            self._json(200, payload)

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
