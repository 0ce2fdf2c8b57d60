"""RemoteTranscriber: any OpenAI-compatible /v1/audio/transcriptions endpoint, with notesmith's retry policy.

Sent through llm.endpoint as chat calls are: the SDK's own retries off, timeouts, 408/409/429
(honouring Retry-After), 5xx and dropped connections retried with backoff, a server that is not
there failing at once, and the API key never in a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai

from notesmith.audio.backends import Progress
from notesmith.audio.transcript import Transcript
from notesmith.errors import InputError, TranscriptionFailed
from notesmith.inputs.subtitles import Cue
from notesmith.llm.endpoint import Endpoint, Service

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


_TRANSCRIPTION = Service("transcription endpoint", "an audio transcription API", "transcribe_base_url",
                         "the audio stays in the inbox", gave_up=TranscriptionFailed,
                         unreachable=TranscriptionFailed, not_the_api=TranscriptionFailed)


class RemoteTranscriber:
    """Transcribes through `client.audio.transcriptions.create`, asking for `verbose_json` segments."""

    def __init__(self, model: str = "whisper-1", *, client: Any = None, base_url: str | None = None,
                 api_key: str | None = None, timeout: float = 120, retries: int = 5, backoff: float = 1.0,
                 max_backoff: float = 60, sleep: Callable[[float], None] = time.sleep):
        self._endpoint = Endpoint(client=client, base_url=base_url, api_key=api_key, timeout=timeout,
                                  retries=retries, backoff=backoff, max_backoff=max_backoff, sleep=sleep)
        self.model = model
        self.base_url = self._endpoint.url
        self.name = f"{model} at {self.base_url}"
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
        kind = _UPLOAD.get(path.suffix.lower(), "application/octet-stream")

        def upload() -> Any:
            with open(path, "rb") as handle:
                return self._endpoint.client.audio.transcriptions.create(file=(name, handle, kind), **kwargs)

        try:
            return self._endpoint.send(upload, _TRANSCRIPTION, self._raise_unless_retryable)
        except OSError as exc:
            raise InputError(f"cannot read the audio file ({exc.strerror or exc}); check it is readable") from None

    def _raise_unless_retryable(self, exc: openai.APIStatusError, detail: str) -> bool:
        status, where = exc.status_code, f"transcription endpoint {self.base_url}"
        if status in (401, 403):
            raise TranscriptionFailed(f"{where} refused the API key (HTTP {status}); set OPENAI_API_KEY "
                                      "to a valid key for this endpoint") from None
        if status == 404:
            raise TranscriptionFailed(f"{where} has no transcription model {self.model!r} (HTTP 404: "
                                      f"{detail}); check transcribe_model and transcribe_base_url") from None
        if status == 429 and getattr(exc, "code", None) == "insufficient_quota":
            raise TranscriptionFailed(f"{where} says the account has no quota left (HTTP 429); "
                                      "check billing") from None
        if status in _REFUSED_FILE:
            raise InputError(f"{where} refused this file (HTTP {status}: {detail}); check that it "
                             "plays, or convert it to .ogg or .mp3") from None
        if status >= 500 or status in (408, 409, 429):
            return False
        raise TranscriptionFailed(f"{where} rejected the request (HTTP {status}: {detail}); "
                                  "check the transcription settings") from None


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
