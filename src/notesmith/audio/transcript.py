"""What a transcription becomes: a transcript input (frontmatter, paragraphs opened by [HH:MM:SS]
anchors, as notesmith reads subtitles) and a WebVTT file holding every timed segment."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from notesmith.files import write_atomic
from notesmith.inputs.subtitles import Cue, cues_to_text

VTT_MARK = "notesmith transcript of"  # in the NOTE block: tells our .vtt from one a person put there
# Paragraphs of about 20 s of speech: a cited passage maps to a narrow time range.
SOFT_LIMIT, HARD_LIMIT = 300, 800
PAUSE = 3.0  # seconds of silence that start a new paragraph


@dataclass(frozen=True)
class Transcript:
    """A backend's result: timed segments (seconds from the start), the language, the duration."""

    segments: tuple[Cue, ...]
    language: str | None = None
    duration: float | None = None


@dataclass(frozen=True)
class About:
    """Where a transcript came from, for its frontmatter."""

    audio_file: str
    date: datetime  # aware
    author: str | None
    transcribed_by: str
    source: str = "audio"


def render_transcript(transcript: Transcript, about: About, segments_file: str) -> str:
    """The transcript input: YAML frontmatter, then the text in paragraphs with time anchors."""
    front: dict[str, object] = {"source": about.source, "date": about.date.isoformat()}
    if about.author:
        front["author"] = about.author
    front["audio_file"] = about.audio_file
    front["segments_file"] = segments_file
    if transcript.language:
        front["language"] = transcript.language
    if transcript.duration is not None:
        front["duration"] = round(transcript.duration, 1)
    front["transcribed_by"] = about.transcribed_by
    head = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
    runs: list[list[Cue]] = []
    for cue in transcript.segments:
        if not runs or cue.start - runs[-1][-1].end >= PAUSE:
            runs.append([])
        runs[-1].append(cue)
    body = "\n\n".join(cues_to_text(run, soft_limit=SOFT_LIMIT, hard_limit=HARD_LIMIT) for run in runs)
    return f"---\n{head}---\n{body}\n"


def render_vtt(transcript: Transcript, about: About) -> str:
    """Every segment as a WebVTT cue; players show it as subtitles beside the audio."""
    note = " ".join(f"{VTT_MARK} {about.audio_file} ({about.transcribed_by})".split())
    out = ["WEBVTT", "", "NOTE", note.replace("-->", "->"), ""]
    for number, cue in enumerate(transcript.segments, 1):
        text = html.escape(" ".join(cue.text.split()), quote=False).replace("--&gt;", "-&gt;")
        out += [str(number), f"{_stamp(cue.start)} --> {_stamp(max(cue.end, cue.start))}", text, ""]
    return "\n".join(out)


def _stamp(seconds: float) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def is_ours(vtt: Path) -> bool:
    """True when a .vtt was written by notesmith (a killed run may leave one without its transcript)."""
    try:
        with open(vtt, "rb") as handle:
            return VTT_MARK.encode() in handle.read(512)
    except OSError:
        return False


def write_transcript(folder: Path, name: str, transcript: Transcript, about: About, segments_file: str) -> Path:
    """Write the segments, then the transcript (its presence means done), each atomically."""
    write_atomic(folder / segments_file, render_vtt(transcript, about).encode("utf-8"))
    path = folder / name
    write_atomic(path, render_transcript(transcript, about, segments_file).encode("utf-8"))
    return path
