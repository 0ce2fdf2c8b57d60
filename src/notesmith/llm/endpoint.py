"""One OpenAI-compatible endpoint as notesmith talks to it, whatever it is asked for.

A client with the SDK's own retries off; notesmith's retry loop (timeouts, dropped connections
and the statuses a caller calls transient, with backoff, honouring Retry-After); a connection
that can never succeed (refused on this machine, unknown host, failed TLS) failing at once,
decided by the exception's type, never by its text; and the API key kept out of every message.

Chat completions (`llm.openai_backend`) and audio transcriptions (`audio.remote`) differ only in
what a status means and what they raise, given as a `Service` and an `on_status` callback.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import logging
import os
import random
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit, urlunsplit

import openai

from notesmith.errors import NotesmithError

log = logging.getLogger(__name__)

T = TypeVar("T")
_KEY_LIKE = re.compile(r"\b(sk-|gsk_|key-)[A-Za-z0-9_\-*]{6,}")
_NO_KEY = "not-needed"


class Service(NamedTuple):
    """How one kind of endpoint is named in messages, and what its failures raise."""

    noun: str  # "model endpoint"
    api: str  # "a chat-completions API"
    setting: str  # the setting that holds its URL: "OPENAI_BASE_URL"
    waiting: str  # what happens to the work meanwhile: "the inputs stay in the inbox"
    gave_up: type[NotesmithError]  # kept failing past the retries
    unreachable: type[NotesmithError]  # nothing will ever answer there
    not_the_api: type[NotesmithError]  # answered, but not as this API does


class Endpoint:
    """The client and the retry policy for one base URL."""

    def __init__(self, *, client: Any = None, base_url: str | None = None, api_key: str | None = None,
                 timeout: float = 120, retries: int = 5, backoff: float = 1.0, max_backoff: float = 60,
                 sleep: Callable[[float], None] = time.sleep):
        env_key = os.environ.get("OPENAI_API_KEY")
        if client is None:
            client = openai.OpenAI(base_url=base_url, api_key=api_key or env_key or _NO_KEY,
                                   max_retries=0, timeout=timeout)
        elif hasattr(client, "with_options"):
            client = client.with_options(max_retries=0)
        self.client = client
        secrets = (api_key, env_key, getattr(client, "api_key", None), urlsplit(str(client.base_url)).password)
        self._secrets = [s for s in secrets if s and s != _NO_KEY]
        self.url = safe_url(str(client.base_url)).rstrip("/")
        self.timeout, self.retries, self.backoff, self.max_backoff = timeout, retries, backoff, max_backoff
        self._sleep = sleep

    def send(self, call: Callable[[], T], service: Service,
             on_status: Callable[[openai.APIStatusError, str], bool]) -> T:
        """`call()` until it answers. `on_status(error, detail)` raises when a status cannot recover,
        returns True when it adjusted the request (sent again at once, not counted as a failure),
        and False for a transient status (retried after a backoff)."""
        failures = 0
        while True:
            wait: float | None = None
            try:
                return call()
            except openai.APIStatusError as exc:
                detail = self.detail(exc)
                if on_status(exc, detail):
                    continue
                reason = f"HTTP {exc.status_code}: {detail}"
                wait = self._retry_after(exc.response.headers)
            except openai.APITimeoutError:
                reason = f"no answer within {self.timeout:g} s"
            except openai.APIConnectionError as exc:
                hopeless = self.unreachable(exc, service.setting)
                if hopeless:
                    raise service.unreachable(f"{service.noun} {self.url} cannot be reached: {hopeless}") from None
                cause = exc.__cause__ or exc.__context__
                said = (str(cause) or type(cause).__name__) if cause else "no detail"
                reason = f"connection failed ({self.redact(said)})"
            except (openai.APIResponseValidationError, ValueError) as exc:
                raise service.not_the_api(
                    f"{service.noun} {self.url} did not answer like {service.api} ({type(exc).__name__});"
                    f" check {service.setting} (it usually ends in /v1)") from None
            failures += 1
            if failures > self.retries:
                raise service.gave_up(f"{service.noun} {self.url} kept failing: {reason}; {service.waiting}"
                                      " — try again later or check the endpoint") from None
            delay = wait if wait is not None else self.backoff_delay(failures)
            log.warning("%s: %s; retry %d of %d in %.1f s", self.url, reason, failures, self.retries, delay)
            self._sleep(delay)

    def unreachable(self, exc: BaseException, setting: str = "OPENAI_BASE_URL") -> str | None:
        """Why nothing will answer at the endpoint however often it is asked, from the error's cause; else None."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        for cause in causes(exc):
            if isinstance(cause, ConnectionRefusedError) and is_loopback(host):
                return f"connection refused: no server listens at {parts.netloc}; start it, or fix the port in {setting}"
            if isinstance(cause, socket.gaierror) and cause.errno != socket.EAI_AGAIN:
                return f"the host name {host!r} is not known (DNS); check {setting}"
            if isinstance(cause, ssl.SSLCertVerificationError):
                return (f"its TLS certificate is not trusted ({cause.verify_message});"
                        " check the host name, or set SSL_CERT_FILE to your CA bundle")
            if isinstance(cause, ssl.SSLError):
                return f"the TLS handshake failed; check http:// against https:// in {setting}"
        return None

    def backoff_delay(self, failures: int) -> float:
        return min(self.max_backoff, self.backoff * 2 ** (failures - 1)) * random.uniform(0.5, 1.0)

    def _retry_after(self, headers: Any) -> float | None:
        seconds: float | None = None
        try:
            if headers.get("retry-after-ms"):
                seconds = float(headers["retry-after-ms"]) / 1000
            elif headers.get("retry-after"):
                seconds = parse_retry_after(headers["retry-after"])
        except ValueError:
            seconds = None
        return None if seconds is None else min(max(seconds, 0.0), self.max_backoff)

    def detail(self, exc: Any) -> str:
        """What the server said about a failed request: one line, at most 300 characters, no secrets."""
        body = exc.body
        if isinstance(body, dict):
            text = body.get("message") or body.get("error") or body.get("detail") or json.dumps(body)
        else:
            text = body if isinstance(body, str) and body else exc.message
        return self.redact(" ".join(str(text).split())[:300])

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _KEY_LIKE.sub(r"\1***", text)


def causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and the chain of causes beneath it."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_retry_after(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        raise ValueError(value) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (when - datetime.now(timezone.utc)).total_seconds()


def safe_url(url: str) -> str:
    """The URL without user info or query, which may hold credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))

