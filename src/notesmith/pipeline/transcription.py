"""The run's step before grouping: each audio file of the inbox becomes a transcript input beside it.

For `voice.ogg` the step writes `voice_transcript.vtt` (every timed segment) and then
`voice_transcript.txt` (the input), each atomically, so a killed run leaves no half transcript
and the next run transcribes again. A transcript already in the inbox for an audio file (from an
earlier run, or made elsewhere and naming it in `audio_file`) is used as it is. From then on the
audio and the .vtt are companions of their transcript: never inputs themselves, they move
wherever the transcript moves (inbox/used/, feedback/, skipped/, failed/), in the same plan.
"""

from __future__ import annotations

import importlib.util
import posixpath
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from notesmith.audio.backends import Transcriber, choose_transcriber
from notesmith.errors import TranscriptionFailed, TranscriptionUnavailable, WriteError
from notesmith.files import file_sha256
from notesmith.pipeline.report import DUPLICATE, EMPTY, INVALID, MODEL, TRANSCRIPTION, UNREADABLE
from notesmith.inputs.audio_names import SEGMENTS_EXT, TRANSCRIPT_SUFFIX, is_audio, segments_name, transcript_name
from notesmith.audio.sniffing import sniff
from notesmith.audio.transcript import About, is_ours, write_transcript
from notesmith.errors import InputError
from notesmith.inputs.filenames import parse_filename
from notesmith.text.frontmatter import HEAD_BYTES, mapping_of
from notesmith.pipeline.planning import Changes, Move
from notesmith.workspace import Workspace

PROGRESS_EVERY = 30.0  # seconds of audio between progress lines
LONG = 120.0  # recordings longer than this get progress lines


@dataclass
class AudioIntake:
    """The inbox's files after the audio step."""

    paths: list[Path]  # inputs to read: audio and .vtt companions taken out, new transcripts in
    chosen: set[Path] | None = None  # the chosen files (resolved) plus the transcripts of chosen audio
    companions: dict[Path, tuple[Path, ...]] = field(default_factory=dict)  # transcript → files moving with it
    failed: list[tuple[Path, str, str]] = field(default_factory=list)  # (path, reason, cause: see report.py)
    skipped: list[tuple[Path, str, str]] = field(default_factory=list)
    waiting: list[tuple[Path, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def prepare_audio(ws: Workspace, paths: list[Path], chosen=None, *, transcribe: bool = True,
                  transcriber: Transcriber | None = None,
                  progress: Callable[[str], None] | None = None) -> AudioIntake:
    """Transcribe the audio among paths (the inbox's files) and sort out what moves with what."""
    audio = [p for p in paths if is_audio(p.name)]
    others = [p for p in paths if not is_audio(p.name)]
    wanted = None if chosen is None else {Path(p).resolve() for p in chosen}
    result = AudioIntake(others, wanted)
    if not audio and not any(p.suffix.lower() == SEGMENTS_EXT for p in others):
        return result
    by_name = {p.name: p for p in others}
    audio_names = {p.name for p in audio}
    fronts = {p: _frontmatter(p) for p in others if p.name.lower().endswith(TRANSCRIPT_SUFFIX)}
    claimed: dict[str, Path] = {}  # audio name → the transcript whose audio_file names it
    for path, front in fronts.items():
        mates: list[Path] = []
        audio_file, segments_file = front.get("audio_file"), front.get("segments_file")
        if isinstance(audio_file, str) and audio_file in audio_names:
            claimed.setdefault(audio_file, path)
        if isinstance(segments_file, str) and segments_file.lower().endswith(SEGMENTS_EXT) and segments_file in by_name:
            mates.append(by_name[segments_file])
        own = by_name.get(segments_name(path.name))
        if own is not None and own not in mates and is_ours(own):
            mates.append(own)
        if mates:
            result.companions[path] = tuple(mates)
    step = _Transcribing(ws, result, transcriber, transcribe, progress or (lambda message: None))
    for path in audio:
        owner = claimed.get(path.name)
        derived = by_name.get(transcript_name(path.name))
        if owner is None and derived is not None and fronts[derived].get("audio_file") in (None, path.name):
            owner = derived  # a transcript with the audio's name, made elsewhere
        if owner is not None:
            result.companions[owner] = (*result.companions.get(owner, ()), path)
            if wanted is not None and path.resolve() in wanted:
                wanted.add(owner.resolve())
        elif wanted is None or path.resolve() in wanted:
            step.one(path, by_name)
    taken = {mate for mates in result.companions.values() for mate in mates}
    result.paths = sorted((p for p in [*others, *step.written] if p not in taken), key=lambda p: p.name)
    if step.done:
        seconds = sum(d for _, d in step.done)
        result.notes.append(f"transcribed {len(step.done)} audio file{'s' * (len(step.done) != 1)} "
                            f"({_clock(seconds)} of audio) with {step.name} in {time.monotonic() - step.started:.1f}s")
    return result


class _Transcribing:
    """Transcribes audio files one by one; the first sign that no file can be transcribed stops it."""

    def __init__(self, ws: Workspace, result: AudioIntake, transcriber: Transcriber | None, enabled: bool,
                 say: Callable[[str], None]):
        self.ws, self.result, self.transcriber, self.enabled, self.say = ws, result, transcriber, enabled, say
        self.unavailable: tuple[str, str] | None = None  # (reason, cause) once the backend cannot work
        self.written: list[Path] = []
        self.done: list[tuple[str, float]] = []
        self.hashes: dict[str, str] = {}
        self.started = time.monotonic()
        self.name = transcriber.name if transcriber is not None else ""

    def one(self, path: Path, by_name: dict[str, Path]) -> None:
        name = transcript_name(path.name)
        segments = segments_name(name)
        try:
            reason = self._clash(path, name, segments, by_name)
            if reason:
                return self.result.failed.append((path, reason, INVALID))
            digest = file_sha256(path)
            if digest in self.hashes:
                return self.result.skipped.append((path, f"duplicate of {self.hashes[digest]} (same content)", DUPLICATE))
            self.hashes[digest] = path.name
            used = self.ws.used / path.name
            if used.is_file():
                if file_sha256(used) == digest:
                    return self.result.skipped.append((path, f"already processed: {self.ws.rel(used)} has the same content",
                                                       DUPLICATE))
                return self.result.failed.append((path, f"a different file named {path.name} is already in "
                                                        f"{self.ws.config.used}/; rename this one and put it back", INVALID))
            if sniff(path).silent:
                return self.result.skipped.append((path, "no speech: the recording is silent", EMPTY))
            if not self.enabled:
                return self.result.waiting.append((path, "audio is transcribed before drafting; a dry run "
                                                         "does not transcribe", TRANSCRIPTION))
            transcriber = self._transcriber()
            if transcriber is None:
                return self.result.waiting.append((path, *self.unavailable))
            transcript = transcriber.transcribe(path, language=self.ws.config.transcribe_language,
                                                progress=self._progress(path.name))
        except InputError as exc:
            return self.result.failed.append((path, exc.message, INVALID))
        except TranscriptionUnavailable as exc:
            self.unavailable = _waiting_reason(exc)
            return self.result.waiting.append((path, *self.unavailable))
        except OSError as exc:
            return self.result.waiting.append((path, f"cannot read it now ({exc.strerror or exc}); it stays in the inbox",
                                               UNREADABLE))
        if not transcript.segments:
            return self.result.skipped.append((path, "no speech found in the recording", EMPTY))
        try:
            when, author = _time_and_author(path)
            about = About(path.name, when, author, transcriber.name)
            written = write_transcript(path.parent, name, transcript, about, segments)
        except OSError as exc:
            return self.result.waiting.append((path, f"cannot write its transcript beside it ({exc.strerror or exc}); "
                                                     "free some space or fix the inbox's permissions", UNREADABLE))
        except WriteError as exc:
            return self.result.waiting.append((path, f"cannot write its transcript beside it ({exc.message})",
                                               UNREADABLE))
        self.written.append(written)
        self.result.companions[written] = (path, path.parent / segments)
        if self.result.chosen is not None:
            self.result.chosen.add(written.resolve())
        self.done.append((path.name, transcript.duration or 0.0))

    def _clash(self, path: Path, name: str, segments: str, by_name: dict[str, Path]) -> str | None:
        config = self.ws.config
        if name in by_name:
            return (f"{name} is already in the inbox for another audio file; rename {path.name} and put it back")
        if (self.ws.used / name).exists():
            return (f"a transcript named {name} is already in {config.used}/; rename {path.name} and put it back")
        if segments in by_name and not is_ours(by_name[segments]):
            return f"{segments} is already in the inbox and is not notesmith's; move it away and run again"
        return None

    def _transcriber(self) -> Transcriber | None:
        if self.transcriber is None and self.unavailable is None:
            try:
                self.transcriber = choose_transcriber(self.ws.config, self.ws.root)
            except TranscriptionUnavailable as exc:
                self.unavailable = _waiting_reason(exc)
        if self.unavailable is not None:
            return None
        self.name = self.transcriber.name
        return self.transcriber

    def _progress(self, name: str):
        self.say(f"transcribing {name} with {self.name}")
        last = [0.0]

        def report(done: float, total: float | None) -> None:
            if (total or done) >= LONG and done - last[0] >= PROGRESS_EVERY:
                last[0] = done
                self.say(f"transcribing {name}: {_clock(done)}" + (f" of {_clock(total)}" if total else ""))

        return report


def _waiting_reason(exc: TranscriptionUnavailable) -> tuple[str, str]:
    """A failing backend counts as a failed run (exit 1), as a failing chat model does; off or not installed does not."""
    if isinstance(exc, TranscriptionFailed):
        return f"the transcriber failed: {exc.message}", MODEL
    return exc.message, TRANSCRIPTION


def _frontmatter(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return mapping_of(handle.read(HEAD_BYTES)) or {}
    except OSError:
        return {}


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def _time_and_author(path: Path) -> tuple[datetime, str | None]:
    """The file name's time and author, else the container's tags, else the file's mtime."""
    parsed = parse_filename(path.name)
    when, author = (parsed.time.replace(tzinfo=timezone.utc) if parsed.time else None), parsed.author
    if (when is None or author is None) and importlib.util.find_spec("av") is not None:
        from notesmith.audio.local import container_tags

        tagged_when, tagged_author = container_tags(path)
        when, author = when or tagged_when, author or tagged_author
    if when is None:
        when = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).replace(microsecond=0)
    return when, author


def add_companions(changes: Changes, companions: dict[str, tuple[str, ...]]) -> None:
    """Give each companion (an audio file, its .vtt) the move or failure of its transcript, into the
    same folder, and make it wait with its transcript when the article taking it is left alone."""
    for move in list(changes.moves):
        for mate in companions.get(move.src, ()):
            changes.moves.append(Move(mate, posixpath.join(posixpath.dirname(move.dst), posixpath.basename(mate)),
                                      move.kind))
    for src, dst, reason in list(changes.fails):
        for mate in companions.get(src, ()):
            changes.fails.append((mate, posixpath.join(posixpath.dirname(dst), posixpath.basename(mate)),
                                  f"its transcript {posixpath.basename(src)} failed: {reason}"))
    for rel, srcs in changes.cites.items():
        changes.cites[rel] = [*srcs, *(mate for src in srcs for mate in companions.get(src, ()))]
