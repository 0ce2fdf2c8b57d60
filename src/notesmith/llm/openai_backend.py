"""OpenAILLM: any OpenAI-compatible chat-completions endpoint, with notesmith's retry policy.

Structured answers are asked for as `json_schema`, then `json_object` with the schema attached
(llama.cpp and its Python server constrain decoding with it), then plain `json_object`, then
plain instructions, stepping down when the server rejects a format; the level that works is
remembered per (endpoint, model), in memory and in an optional JSON file.

Only what can recover is retried (llm.endpoint): timeouts, dropped connections, 408, 429 and
5xx. A refused connection to this machine, an unknown host or a failed TLS handshake fails at
once (EndpointUnreachable).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from notesmith.errors import ConfigError, EndpointUnreachable, FormatRefused, ModelError, ModelUnavailable, WriteError
from notesmith.llm.base import Reply, Request, Usage, estimate_messages_tokens, estimate_tokens, output_budget
from notesmith.llm.endpoint import Endpoint, Service

log = logging.getLogger(__name__)

STRUCTURED_FORMATS = ("json_schema", "json_object_schema", "json_object", "plain")
_FORMAT_WORDS = ("response_format", "json_schema", "json_object")
_OTHER_CAUSES = ("max_tokens", "max_completion_tokens", "context length", "context_length", "maximum context")
_CHAT = Service("model endpoint", "a chat-completions API", "OPENAI_BASE_URL", "the inputs stay in the inbox",
                gave_up=ModelUnavailable, unreachable=EndpointUnreachable, not_the_api=ModelUnavailable)


class OpenAILLM:
    """An LLM on `client.chat.completions.create`; the SDK's own retries are turned off."""

    def __init__(
        self,
        model: str,
        *,
        client: Any = None,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 120,
        retries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 60,
        context_tokens: int = 32768,
        max_output_tokens: int | None = 16384,
        capabilities_file: Path | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if client is None and not (base_url or os.environ.get("OPENAI_BASE_URL") or api_key
                                   or os.environ.get("OPENAI_API_KEY")):
            raise ConfigError(
                f"model {model!r} is set but no endpoint is: set base_url (or OPENAI_BASE_URL) to your"
                " server's URL, or OPENAI_API_KEY to use OpenAI's API"
            )
        self._endpoint = Endpoint(client=client, base_url=base_url, api_key=api_key, timeout=timeout,
                                  retries=retries, backoff=backoff, max_backoff=max_backoff, sleep=sleep)
        self._client = self._endpoint.client
        self.name = model
        self.context_tokens = context_tokens
        self.max_output_tokens = max_output_tokens
        self.temperature = temperature
        self.seed = seed
        self.timeout = timeout
        self.base_url = self._endpoint.url
        self._caps = _Capabilities(Path(capabilities_file) if capabilities_file else None)

    @property
    def structured_format(self) -> str:
        """The way structured answers are asked for first at this endpoint (remembered)."""
        remembered = self._caps.get(self.base_url, self.name).get("format")
        return remembered if remembered in STRUCTURED_FORMATS else STRUCTURED_FORMATS[0]

    def complete(self, request: Request) -> Reply:
        """Send one request, stepping down structured formats and retrying transient failures.

        A request's max_tokens cap is lifted for a reasoning model, whose thinking counts against
        it: the first capped answer it spends thinking is asked again with the whole budget, and
        the endpoint is remembered as reasoning.
        """
        reply = self._complete(request)
        if request.max_tokens and not self._reasons() and _thought_only(reply):
            log.info("%s: %s spent a capped answer on reasoning; asking again with the whole budget",
                     self.base_url, self.name)
            self._caps.set(self.base_url, self.name, reasoning="yes")
            reply = self._complete(request)
        return reply

    def _reasons(self) -> bool:
        return self._caps.get(self.base_url, self.name).get("reasoning") == "yes"

    def _complete(self, request: Request) -> Reply:
        if request.schema is None:
            return self._ask(request, "text")
        start = self.structured_format
        for fmt in STRUCTURED_FORMATS[STRUCTURED_FORMATS.index(start):]:
            try:
                reply = self._ask(request, fmt)
            except FormatRefused as exc:
                log.info("%s refused %s answers (%s); trying the next format", self.base_url, fmt, exc)
                continue
            if fmt != start:
                self._caps.set(self.base_url, self.name, format=fmt)
            return reply
        raise AssertionError("plain answers are never rejected as a format")  # pragma: no cover

    def ask_as(self, request: Request, fmt: str) -> Reply:
        """Ask in one given way (a STRUCTURED_FORMATS name, or "text"); FormatRefused if the server refuses it."""
        if fmt not in (*STRUCTURED_FORMATS, "text"):
            raise ValueError(f"unknown format {fmt!r}")
        return self._ask(request, fmt)

    def _ask(self, request: Request, fmt: str) -> Reply:
        messages = request.messages if fmt in ("text", "json_schema") else _with_schema(request, fmt)
        kwargs: dict[str, Any] = {"model": self.name, "messages": messages}
        kwargs[self._tokens_param()] = self._max_tokens(request, messages)
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        if self.seed is not None:
            kwargs["seed"] = self.seed
        if fmt == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": request.schema, "strict": True},
            }
        elif fmt == "json_object_schema":
            kwargs["response_format"] = {"type": "json_object", "schema": request.schema}
        elif fmt == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
        response = self._send(kwargs, fmt)
        return self._reply(response, messages, fmt)

    def _send(self, kwargs: dict[str, Any], fmt: str) -> Any:
        return self._endpoint.send(
            lambda: self._client.chat.completions.create(**kwargs), _CHAT,
            lambda exc, detail: self._adjusted_or_raise(exc.status_code, detail, exc, kwargs, fmt))

    def _adjusted_or_raise(self, status: int, detail: str, exc: Any, kwargs: dict, fmt: str) -> bool:
        """True when the request was adjusted to send again; False when the status is transient; else raises."""
        where = f"model endpoint {self.base_url}"
        if status in (401, 403):
            raise ModelUnavailable(
                f"{where} refused the API key (HTTP {status});"
                " set OPENAI_API_KEY to a valid key for this endpoint"
            ) from None
        if status == 404:
            raise ModelUnavailable(
                f"{where} has no model {self.name!r} (HTTP 404: {detail}); check the model name"
                " (NOTESMITH_MODEL, --model) and the endpoint (OPENAI_BASE_URL)"
            ) from None
        if status == 429 and "insufficient_quota" in f"{getattr(exc, 'code', '')} {detail}":
            raise ModelUnavailable(f"{where} says the account has no quota left (HTTP 429); check billing") from None
        structured = fmt in STRUCTURED_FORMATS[:-1]
        if status in (400, 422):
            lowered = detail.lower()
            if "max_completion_tokens" in lowered and "max_tokens" in kwargs:
                kwargs["max_completion_tokens"] = kwargs.pop("max_tokens")
                self._caps.set(self.base_url, self.name, tokens_param="max_completion_tokens")
                return True
            names_format = any(word in lowered for word in _FORMAT_WORDS)
            if structured and (
                names_format or not any(word in lowered for word in _OTHER_CAUSES)
            ):
                raise FormatRefused(f"HTTP {status}: {detail}")
        if status >= 500 and structured and any(word in detail.lower() for word in _FORMAT_WORDS):
            # some servers (llama-cpp-python's) answer an unsupported response_format with a 500
            raise FormatRefused(f"HTTP {status}: {detail}")
        if status >= 500 or status in (408, 429):
            return False
        raise ModelError(
            f"{where} rejected the request for {self.name!r} (HTTP {status}: {detail});"
            " check the model settings"
        ) from None

    def _reply(self, response: Any, messages: list[dict], fmt: str) -> Reply:
        choice = response.choices[0] if getattr(response, "choices", None) else None
        message = getattr(choice, "message", None)
        text = (getattr(message, "content", None) or "") if message is not None else ""
        finish = (getattr(choice, "finish_reason", None) or "") if choice is not None else ""
        raw = getattr(response, "usage", None)
        if raw is not None and getattr(raw, "prompt_tokens", None) is not None:
            usage = Usage(raw.prompt_tokens or 0, raw.completion_tokens or 0)
        else:
            usage = Usage(estimate_messages_tokens(messages), estimate_tokens(text))
        model = getattr(response, "model", None) or self.name
        return Reply(text=text, finish_reason=finish, usage=usage, model=model, format=fmt,
                     reasoning_tokens=_reasoning_tokens(message, raw))

    def _tokens_param(self) -> str:
        return self._caps.get(self.base_url, self.name).get("tokens_param", "max_tokens")

    def _max_tokens(self, request: Request, messages: list[dict]) -> int:
        budget = output_budget(self.context_tokens, messages)
        if request.max_tokens and not (self._reasons() and budget > request.max_tokens):
            # A cap the caller knows the answer fits in (a routing decision is short); a small
            # model that never closes a string stops there instead of filling the context.
            return min(request.max_tokens, budget) if budget > 0 else request.max_tokens
        if budget <= 0:
            raise ModelError(
                f"the {request.purpose or 'prompt'} prompt (about {estimate_messages_tokens(messages)} tokens)"
                f" does not fit the context of {self.context_tokens} tokens;"
                " use a smaller input or a larger context"
            )
        return min(budget, self.max_output_tokens) if self.max_output_tokens else budget


class _Capabilities:
    """What each (endpoint, model) accepts, in memory and optionally in a JSON file."""

    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()
        self._data = self._load()

    def get(self, endpoint: str, model: str) -> dict:
        with self._lock:
            return dict(self._data.get(endpoint, {}).get(model, {}))

    def set(self, endpoint: str, model: str, **values: str) -> None:
        with self._lock:
            entry = self._data.setdefault(endpoint, {}).setdefault(model, {})
            if all(entry.get(k) == v for k, v in values.items()):
                return
            entry.update(values)
            if self.path is not None:
                self._save(endpoint, model, entry)

    def _load(self) -> dict:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, endpoint: str, model: str, entry: dict) -> None:
        assert self.path is not None
        on_disk = self._load()  # another process may have added other endpoints meanwhile
        on_disk.setdefault(endpoint, {})[model] = dict(entry)
        from notesmith.files import write_json

        try:
            write_json(self.path, on_disk)
        except WriteError as exc:
            log.warning("could not remember endpoint capabilities: %s", exc)


def _with_schema(request: Request, fmt: str) -> list[dict]:
    kind = "array" if (request.schema or {}).get("type") == "array" else "object"
    schema = json.dumps(request.schema, ensure_ascii=False, separators=(",", ":"))
    note = (
        f"Answer with one JSON {kind} only: no prose before or after it, no code fences."
        f" It must follow this JSON Schema:\n{schema}"
    )
    messages = [dict(m) for m in request.messages]
    if messages and messages[0].get("role") == "system":
        messages[0]["content"] = f"{messages[0].get('content') or ''}\n\n{note}"
    else:
        messages.insert(0, {"role": "system", "content": note})
    return messages


def _thought_only(reply: Reply) -> bool:
    return reply.reasoning_tokens > 0 and (reply.finish_reason == "length" or not reply.text.strip())


def _reasoning_tokens(message: Any, usage: Any) -> int:
    """Tokens the model spent thinking: from usage details (OpenAI), else estimated from the reasoning text
    that llama.cpp, vLLM and DeepSeek return as `reasoning_content` and Ollama and OpenRouter as `reasoning`."""
    details = getattr(usage, "completion_tokens_details", None)
    counted = getattr(details, "reasoning_tokens", None)
    if isinstance(counted, int) and counted > 0:
        return counted
    for name in ("reasoning_content", "reasoning"):
        text = getattr(message, name, None)
        if isinstance(text, str) and text.strip():
            return estimate_tokens(text)
    return 0
