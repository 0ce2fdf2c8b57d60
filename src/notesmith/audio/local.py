"""LocalTranscriber: faster-whisper (CTranslate2) on the CPU, the optional `audio` extra.

The audio is decoded with PyAV to 16 kHz mono a block at a time and transcribed in chunks of two
minutes, each cut at its quietest moment near the chunk length, so a recording of any length
never needs its whole decoded audio in memory. Voice-activity detection drops the silences.
This module imports faster-whisper, PyAV and numpy; nothing imports it until audio is transcribed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import av
import numpy as np

from notesmith.audio.backends import Progress
from notesmith.errors import TranscriptionFailed
from notesmith.audio.transcript import Transcript
from notesmith.errors import InputError
from notesmith.inputs.subtitles import Cue

RATE = 16_000  # what Whisper takes
CHUNK_SECONDS = 120.0  # peak memory grows with the chunk (bench/README.md): 120 s keeps it near 0.5 GB
SEARCH_SECONDS = 15.0  # a cut is made at the quietest 0.1 s in the last this-many seconds of a chunk
PROMPT_CHARS = 200  # text carried from one chunk into the next as its prompt
_models: dict[tuple, Any] = {}
_models_lock = threading.Lock()


class LocalTranscriber:
    """faster-whisper on the CPU; `model` is a Whisper size name ("base") or a CTranslate2 model folder."""

    def __init__(self, model: str = "base", *, threads: int = 0, compute_type: str = "int8",
                 beam_size: int = 5, vad: bool = True, chunk_seconds: float = CHUNK_SECONDS):
        self.model = model
        self.name = f"faster-whisper {Path(model).name if os.sep in model else model}"
        self.threads, self.compute_type, self.beam_size, self.vad = threads, compute_type, beam_size, vad
        self.chunk_seconds = chunk_seconds

    def transcribe(self, path: Path, *, language: str | None = None,
                   progress: Progress | None = None) -> Transcript:
        """Decode and transcribe chunk by chunk; InputError for a file that cannot be decoded."""
        whisper = self._whisper()
        source = _Source(Path(path))
        cues: list[Cue] = []
        samples = 0
        prompt: str | None = None
        for offset, chunk in _chunks(source.blocks(), int(self.chunk_seconds * RATE), int(SEARCH_SECONDS * RATE)):
            start, end = offset / RATE, (offset + len(chunk)) / RATE
            segments, info = whisper.transcribe(chunk, language=language, vad_filter=self.vad,
                                                beam_size=self.beam_size, initial_prompt=prompt)
            for segment in segments:
                text = " ".join(segment.text.split())
                # Whisper's last timestamp can run past the audio it was given: keep times inside the chunk.
                cue = Cue(min(start + segment.start, end), min(start + segment.end, end), text)
                if text:
                    cues.append(cue)
                if progress:
                    progress(cue.end, source.declared)
            if cues and language is None:
                language = info.language  # detected once, where there was speech; kept for later chunks
            prompt = " ".join(c.text for c in cues[-5:])[-PROMPT_CHARS:] or None
            samples = offset + len(chunk)
            if progress:
                progress(samples / RATE, source.declared)
        duration = samples / RATE
        source.check_complete(duration)
        return Transcript(tuple(cues), language if cues else None, duration)

    def _whisper(self):
        key = (self.model, self.threads, self.compute_type)
        with _models_lock:
            if key not in _models:
                _models[key] = self._load()
            return _models[key]

    def _load(self):
        if os.sep in self.model and not (Path(self.model) / "model.bin").is_file():
            raise TranscriptionFailed(f"no Whisper model in {self.model} (model.bin missing); set "
                                           "transcribe_model to a faster-whisper (CTranslate2) model folder or a "
                                           "size name such as \"base\"")
        from faster_whisper import WhisperModel

        try:
            return WhisperModel(self.model, device="cpu", compute_type=self.compute_type, cpu_threads=self.threads)
        except (OSError, RuntimeError, ValueError) as exc:
            raise TranscriptionFailed(f"cannot load the Whisper model {self.model!r} ({type(exc).__name__}: "
                                           f"{' '.join(str(exc).split())[:200]}); set transcribe_model to a model "
                                           "folder on this machine") from None


class _Source:
    """One audio file opened with PyAV: its declared duration and its audio as 16 kHz mono blocks."""

    def __init__(self, path: Path):
        self.path = path
        with _opened(path) as container:
            self.declared = container.duration / av.time_base if container.duration else None

    def blocks(self) -> Iterator[np.ndarray]:
        with _opened(self.path) as container:
            stream = next((s for s in container.streams if s.type == "audio"), None)
            if stream is None:
                raise InputError("the file has no audio track; send the recording itself")
            if stream.codec_context is None:
                raise InputError("unsupported audio codec (no decoder for it); convert it to .ogg, .mp3 or .wav")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            try:
                for packet in container.demux(stream):
                    for frame in packet.decode():
                        for out in resampler.resample(frame):
                            yield out.to_ndarray().reshape(-1)
                for out in resampler.resample(None):
                    yield out.to_ndarray().reshape(-1)
            except av.error.DecoderNotFoundError:
                raise InputError("unsupported audio codec (no decoder for it); convert it to .ogg, .mp3 "
                                 "or .wav") from None
            except av.error.FFmpegError as exc:
                raise InputError(f"the audio cannot be decoded ({_said(exc)}): the file is corrupt or "
                                 "truncated; export or copy the recording again") from None

    def check_complete(self, decoded: float) -> None:
        """A file that decodes to clearly less than its header declares was cut short."""
        if self.declared and decoded < self.declared - max(0.5, 0.03 * self.declared):
            raise InputError(f"truncated audio: {decoded:.1f} s of the {self.declared:.1f} s its header declares "
                             "could be decoded; copy or export the recording again")


class _opened:
    """av.open as a context manager whose errors are InputErrors."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        try:
            self.container = av.open(str(self.path), metadata_errors="ignore")
        except av.error.FFmpegError as exc:
            raise InputError(f"not a readable audio file ({_said(exc)}); the file is corrupt or truncated, "
                             "or not audio at all: export the recording again") from None
        return self.container

    def __exit__(self, *exc_info):
        self.container.close()


def _said(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__


def _chunks(blocks: Iterator[np.ndarray], size: int, search: int) -> Iterator[tuple[int, np.ndarray]]:
    """(offset in samples, audio) pieces of about `size` samples, cut at a quiet moment."""
    buffered: list[np.ndarray] = []
    count = offset = 0
    for block in blocks:
        buffered.append(block)
        count += len(block)
        while count >= size + search:
            audio = np.concatenate(buffered)
            cut = _quietest(audio, size - search, size)
            yield offset, audio[:cut]
            offset += cut
            buffered, count = [audio[cut:]], len(audio) - cut
    if count:
        yield offset, np.concatenate(buffered)


def _quietest(audio: np.ndarray, lo: int, hi: int) -> int:
    """The start of the quietest tenth of a second in audio[lo:hi]."""
    frame = RATE // 10
    window = audio[lo:hi]
    frames = len(window) // frame
    if frames < 2:
        return hi
    energy = np.square(window[: frames * frame].reshape(frames, frame)).mean(axis=1)
    return lo + int(np.argmin(energy)) * frame + frame // 2


def container_tags(path: Path) -> tuple[datetime | None, str | None]:
    """The recording time and author the container's tags give, if any (never raises)."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            tags = {k.lower(): v for k, v in container.metadata.items()}
            for stream in container.streams:
                for key, value in stream.metadata.items():
                    tags.setdefault(key.lower(), value)
    except av.error.FFmpegError:
        return None, None
    when = None
    for key in ("creation_time", "date", "date_recorded", "creation_date"):
        when = _parse_time(tags.get(key))
        if when is not None:
            break
    author = next((tags[k].strip() for k in ("artist", "author", "album_artist", "composer")
                   if isinstance(tags.get(k), str) and tags[k].strip()), None)
    return when, author


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value.strip()) < 10:
        return None  # a bare year says too little
    text = value.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
