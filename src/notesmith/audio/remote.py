"""RemoteTranscriber: any OpenAI-compatible /v1/audio/transcriptions endpoint, with notesmith's retry policy.

The SDK's own retries are off; timeouts, 429 (honouring Retry-After), 5xx and dropped connections
are retried with backoff as for chat calls, and the API key never reaches a message.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openai

from notesmith.audio.backends import Progress
from notesmith.errors import TranscriptionFailed
from notesmith.audio.transcript import Transcript
from notesmith.errors import InputError
from notesmith.inputs.subtitles import Cue
from notesmith.llm.openai_backend import _KEY_LIKE, _parse_retry_after, _safe_url

log = logging.getLogger(__name__)

# OpenAI takes these extensions; an Ogg Opus voice note named .opus is sent as .ogg.
_UPLOAD = {".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg", ".m4a": "audio/mp4",
           ".mp3": "audio/mpeg", ".wav": "audio/wav", ".webm": "audio/webm", ".flac": "audio/flac",
           ".mp4": "video/mp4"}
_REFUSED_FILE = (400, 413, 415, 422)
# OpenAI's verbose_json names the language in English; the local backend gives ISO 639-1 codes.
_LANGUAGE_CODES = {"english": "en", "russian": "ru", "ukrainian": "uk", "german": "de", "french": "fr",
                   "spanish": "es", "italian": "it", "portuguese": "pt", "dutch": "nl", "polish": "pl",
                   "turkish": "tr", "arabic": "ar", "hindi": "hi", "chinese": "zh", "japanese": "ja",
                   "korean": "ko"}


class RemoteTranscriber:
    """Transcribes through `client.audio.transcriptions.create`, asking for `verbose_json` segments."""

    def __init__(self, model: str = "whisper-1", *, client: Any = None, base_url: str | None = None,
                 api_key: str | None = None, timeout: float = 120, retries: int = 5, backoff: float = 1.0,
                 max_backoff: float = 60, sleep: Callable[[float], None] = time.sleep):
        env_key = os.environ.get("OPENAI_API_KEY")
        if client is None:
            client = openai.OpenAI(base_url=base_url, api_key=api_key or env_key or "not-needed",
                                   max_retries=0, timeout=timeout)
        elif hasattr(client, "with_options"):
            client = client.with_options(max_retries=0)
        self._client = client
        secrets = (api_key, env_key, getattr(client, "api_key", None), urlsplit(str(client.base_url)).password)
        self._secrets = [s for s in secrets if s and s != "not-needed"]
        self.model = model
        self.base_url = _safe_url(str(client.base_url)).rstrip("/")
        self.name = f"{model} at {self.base_url}"
        self.timeout, self.retries, self.backoff, self.max_backoff = timeout, retries, backoff, max_backoff
        self._sleep = sleep
        self._format = "verbose_json"  # "json" once the endpoint refused verbose_json

    def transcribe(self, path: Path, *, language: str | None = None,
                   progress: Progress | None = None) -> Transcript:
        """Upload the file and turn the answer into segments (one segment when the server gives none)."""
        path = Path(path)
        try:
            answer = self._send(path, language, self._format)
        except InputError:
            if self._format != "verbose_json":
                raise
            # Some servers take only json/text: one try without segments before blaming the file.
            answer = self._send(path, language, "json")
            self._format = "json"
        return _transcript(answer)

    def _send(self, path: Path, language: str | None, fmt: str) -> Any:
        kwargs: dict[str, Any] = {"model": self.model, "response_format": fmt}
        if fmt == "verbose_json":
            kwargs["timestamp_granularities"] = ["segment"]
        if language:
            kwargs["language"] = language
        name = path.stem + (".ogg" if path.suffix.lower() == ".opus" else path.suffix.lower())
        failures = 0
        while True:
            wait: float | None = None
            try:
                with open(path, "rb") as handle:
                    return self._client.audio.transcriptions.create(
                        file=(name, handle, _UPLOAD.get(path.suffix.lower(), "application/octet-stream")),
                        **kwargs)
            except OSError as exc:
                raise InputError(f"cannot read the audio file ({exc.strerror or exc}); check it is readable") from None
            except openai.APIStatusError as exc:
                self._raise_unless_retryable(exc)
                reason = f"HTTP {exc.status_code}: {self._detail(exc)}"
                wait = self._retry_after(exc.response.headers)
            except openai.APITimeoutError:
                reason = f"no answer within {self.timeout:g} s"
            except openai.APIConnectionError as exc:
                cause = exc.__cause__ or exc.__context__
                said = (str(cause) or type(cause).__name__) if cause else "no detail"
                reason = f"connection failed ({self._redact(said)})"
            except (openai.APIResponseValidationError, ValueError) as exc:
                raise TranscriptionFailed(
                    f"transcription endpoint {self.base_url} did not answer like an audio transcription API "
                    f"({type(exc).__name__}); check transcribe_base_url (it usually ends in /v1)") from None
            failures += 1
            if failures > self.retries:
                raise TranscriptionFailed(
                    f"transcription endpoint {self.base_url} kept failing: {reason}; the audio stays in the inbox"
                    " — try again later or check the endpoint") from None
            delay = wait if wait is not None else min(self.max_backoff, self.backoff * 2 ** (failures - 1)) \
                * random.uniform(0.5, 1.0)
            log.warning("%s: %s; retry %d of %d in %.1f s", self.base_url, reason, failures, self.retries, delay)
            self._sleep(delay)

    def _raise_unless_retryable(self, exc: openai.APIStatusError) -> None:
        status, where = exc.status_code, f"transcription endpoint {self.base_url}"
        if status in (401, 403):
            raise TranscriptionFailed(f"{where} refused the API key (HTTP {status}); set OPENAI_API_KEY "
                                           "to a valid key for this endpoint") from None
        if status == 404:
            raise TranscriptionFailed(f"{where} has no transcription model {self.model!r} (HTTP 404: "
                                           f"{self._detail(exc)}); check transcribe_model and "
                                           "transcribe_base_url") from None
        if status == 429 and getattr(exc, "code", None) == "insufficient_quota":
            raise TranscriptionFailed(f"{where} says the account has no quota left (HTTP 429); "
                                           "check billing") from None
        if status in _REFUSED_FILE:
            raise InputError(f"{where} refused this file (HTTP {status}: {self._detail(exc)}); check that it "
                             "plays, or convert it to .ogg or .mp3") from None
        if status >= 500 or status in (408, 409, 429):
            return
        raise TranscriptionFailed(f"{where} rejected the request (HTTP {status}: {self._detail(exc)}); "
                                       "check the transcription settings") from None

    def _retry_after(self, headers: Any) -> float | None:
        seconds: float | None = None
        try:
            if headers.get("retry-after-ms"):
                seconds = float(headers["retry-after-ms"]) / 1000
            elif headers.get("retry-after"):
                seconds = _parse_retry_after(headers["retry-after"])
        except ValueError:
            seconds = None
        return None if seconds is None else min(max(seconds, 0.0), self.max_backoff)

    def _detail(self, exc: Any) -> str:
        body = exc.body
        if isinstance(body, dict):
            text = body.get("message") or body.get("error") or body.get("detail") or str(body)
        else:
            text = body if isinstance(body, str) and body else exc.message
        return self._redact(" ".join(str(text).split())[:300])

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _KEY_LIKE.sub(r"\1***", text)


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _transcript(answer: Any) -> Transcript:
    """Segments from a verbose_json answer; a text-only answer becomes one segment."""
    if isinstance(answer, str):  # a server that answers json requests with plain text
        answer = {"text": answer}
    duration = _number(_field(answer, "duration"))
    cues = []
    for segment in _field(answer, "segments") or []:
        text = " ".join(str(_field(segment, "text") or "").split())
        start, end = _number(_field(segment, "start")) or 0.0, _number(_field(segment, "end"))
        if text:
            cues.append(Cue(start, end if end is not None else start, text))
    if not cues:
        text = " ".join(str(_field(answer, "text") or "").split())
        if text:
            cues.append(Cue(0.0, duration or 0.0, text))
    language = str(_field(answer, "language") or "").strip().lower() or None
    return Transcript(tuple(cues), _LANGUAGE_CODES.get(language or "", language), duration)
