"""The small interface every transcription backend sits behind, and choosing one from the config."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from urllib.parse import urlsplit
from typing import Callable, Protocol, runtime_checkable

from notesmith.audio.transcript import Transcript
from notesmith.config import Config
from notesmith.errors import TranscriptionFailed, TranscriptionUnavailable  # noqa: F401 (raised by the backends)

# progress(seconds done, seconds in all or None)
Progress = Callable[[float, "float | None"], None]

ENABLE = ("pip install 'notesmith[audio]' for local transcription, or set transcribe = \"api\" "
          "and an endpoint (transcribe_base_url or OPENAI_BASE_URL)")




@runtime_checkable
class Transcriber(Protocol):
    """Anything that turns an audio file into timed segments: LocalTranscriber, RemoteTranscriber or yours.

    transcribe() raises InputError for a file that cannot be transcribed (it fails alone) and
    TranscriptionUnavailable when no file can be now (every audio waits).
    """

    name: str  # written to the transcript's `transcribed_by`

    def transcribe(self, path: Path, *, language: str | None = None,
                   progress: Progress | None = None) -> Transcript:
        """Transcribe one audio file; no segments means no speech was found."""
        ...


def choose_transcriber(config: Config, root: Path) -> Transcriber:
    """The backend `transcribe` names; raises TranscriptionUnavailable saying how to enable it."""
    mode = config.transcribe
    if mode == "off":
        raise TranscriptionUnavailable("transcription is off (transcribe = \"off\"); set transcribe = \"local\" "
                                       "or \"api\" in notesmith.toml to transcribe audio")
    if mode == "api":
        url = config.transcribe_base_url or config.base_url
        if not url and not os.environ.get("OPENAI_API_KEY"):
            raise TranscriptionUnavailable("transcribe = \"api\" has no endpoint: set OPENAI_API_KEY for OpenAI, "
                                           "or transcribe_base_url for another OpenAI-compatible server")
        from notesmith.audio.remote import RemoteTranscriber

        return RemoteTranscriber(config.transcribe_model or "whisper-1", base_url=url, timeout=config.timeout,
                                 retries=config.retries)
    if importlib.util.find_spec("faster_whisper") is None:
        raise TranscriptionUnavailable(f"audio is not transcribed: faster-whisper is not installed; {ENABLE}")
    from notesmith.audio.local import LocalTranscriber

    return LocalTranscriber(model_location(config.transcribe_model or "base", root))


def model_location(model: str, root: Path) -> str:
    """A model name as it is ("base", "small"), or a folder: `~` expanded, relative to the workspace."""
    if os.sep in model or "/" in model or model.startswith(("~", ".")):
        path = Path(os.path.expanduser(model))
        return str(path if path.is_absolute() else root / path)
    return model


def transcription_status(config: Config) -> str:
    """One line for `notesmith status`: how audio would be transcribed, or how to enable it."""
    if config.transcribe == "off":
        return "transcription off (transcribe = \"off\")"
    if config.transcribe == "api":
        url = config.transcribe_base_url or config.base_url
        parts = urlsplit(url) if url else None
        url = f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}{parts.path}" \
            if parts and parts.hostname else "OpenAI"
        return f"transcribed through {url} with {config.transcribe_model or 'whisper-1'}"
    if importlib.util.find_spec("faster_whisper") is None:
        return f"faster-whisper is not installed; {ENABLE}"
    return f"transcribed locally with faster-whisper {config.transcribe_model or 'base'}"
