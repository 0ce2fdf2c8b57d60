"""Subtitles (.srt, .vtt) and Whisper JSON into text: cue numbers and timings out, speakers and
[HH:MM:SS] anchors in."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from notesmith.errors import InputError


@dataclass(frozen=True)
class Cue:
    """One subtitle cue or Whisper segment; times in seconds, text lines joined by \\n."""

    start: float
    end: float
    text: str
    speaker: str | None = None


_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3})\s*-->\s*"
    r"(?P<end>(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3})"
)
_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_LABEL = re.compile(r"^([^\W\d_][\w.' -]{0,40}?):\s")


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def _parse_cues(text: str, vtt: bool) -> list[Cue]:
    lines = text.split("\n")
    cues: list[Cue] = []
    current: list[str] | None = None
    start = end = 0.0
    skipping = False

    def close() -> None:
        if current:
            cues.append(_make_cue(start, end, current))

    for i, line in enumerate(lines):
        stripped = line.strip()
        timing = _TIMING.match(line)
        if timing:
            close()
            start, end = _seconds(timing["start"]), _seconds(timing["end"])
            current, skipping = [], False
        elif not stripped:
            close()
            current, skipping = None, False
        elif current is not None:
            current.append(stripped)
        elif skipping:
            continue
        elif vtt and (stripped.startswith(("NOTE", "STYLE", "REGION")) or
                      (i == 0 and stripped.startswith("WEBVTT"))):
            skipping = True
        # Anything else outside a cue is a cue number or identifier: dropped.
    close()
    return cues


def _make_cue(start: float, end: float, lines: list[str]) -> Cue:
    speaker = None
    cleaned = []
    for line in lines:
        voice = _VOICE.search(line)
        if voice and speaker is None:
            speaker = voice.group(1).strip()
        cleaned.append(html.unescape(_TAG.sub("", line)).strip())
    return Cue(start, end, "\n".join(c for c in cleaned if c), speaker)


def parse_srt(text: str) -> list[Cue]:
    """Parse SRT subtitles into cues (numbers and timings dropped, tags stripped)."""
    return _parse_cues(text, vtt=False)


def parse_vtt(text: str) -> list[Cue]:
    """Parse WebVTT subtitles into cues, keeping ``<v Speaker>`` voices as speakers."""
    return _parse_cues(text, vtt=True)


def parse_whisper(obj: object) -> list[Cue]:
    """Turn Whisper / faster-whisper JSON (a mapping with ``segments``) into cues."""
    if not isinstance(obj, dict) or not isinstance(obj.get("segments"), list):
        raise InputError("JSON has no 'segments' list, so it is not a Whisper transcript; "
                         "export Whisper's JSON output")
    cues = []
    for seg in obj["segments"]:
        if not isinstance(seg, dict) or not isinstance(seg.get("text"), str):
            continue
        text = seg["text"].strip()
        if text:
            speaker = seg.get("speaker")
            cues.append(Cue(_number(seg.get("start")), _number(seg.get("end")), text,
                            str(speaker) if speaker is not None else None))
    if not cues:
        raise InputError("Whisper JSON has no segments with text; check the transcription")
    return cues


def _number(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _anchor(seconds: float) -> str:
    s = int(seconds)
    return f"[{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}]"


def cues_to_text(cues: list[Cue], *, soft_limit: int = 600, hard_limit: int = 1200) -> str:
    """Join cues into paragraphs, each opened by a ``[HH:MM:SS]`` anchor and its speaker."""
    out: list[str] = []
    parts: list[str] = []
    size = 0
    speaker: str | None = None
    last_line = ""

    for cue in cues:
        lines = cue.text.split("\n")
        label = _LABEL.match(lines[0])
        who = cue.speaker or (label.group(1) if label and label.group(1)[0].isupper() else None)
        # Rolling captions (YouTube) repeat the previous cue's last line first: drop the repeat.
        while lines and lines[0] == last_line:
            lines.pop(0)
        last_line = cue.text.rsplit("\n", 1)[-1]
        if not lines:
            continue
        text = " ".join(lines)
        new_speaker = who is not None and who != speaker
        full = size >= hard_limit or (size >= soft_limit and parts[-1][-1:] in ".?!…")
        if parts and (new_speaker or full):
            out.append(" ".join(parts))
            parts, size = [], 0
        if not parts:
            prefix = _anchor(cue.start)
            if cue.speaker:
                prefix += f" {cue.speaker}:"
            parts.append(prefix)
        if who is not None:
            speaker = who
        parts.append(text)
        size += len(text) + 1
    if parts:
        out.append(" ".join(parts))
    return "\n\n".join(out)


# A paragraph's opening anchor as cues_to_text writes it, with its speaker: "[00:01:02] Mira Holt: ".
ANCHOR = re.compile(r"^\s*\[\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]\s*(?:[^\s:][^:\n]{0,40}:\s+)?")


def strip_anchor(text: str) -> str:
    """text without the time anchor and speaker label that open it."""
    return ANCHOR.sub("", text, count=1)
