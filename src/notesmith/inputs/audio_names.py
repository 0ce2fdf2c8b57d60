"""Which inbox files are audio, and the names of the transcript and segments written beside them."""

from __future__ import annotations

import re
from pathlib import PurePath

# Telegram voice notes are Ogg Opus (.ogg, .oga, .opus); .mp4 and .webm count for their audio track.
AUDIO_EXTS = (".ogg", ".oga", ".opus", ".m4a", ".mp3", ".wav", ".webm", ".flac", ".mp4")
TRANSCRIPT_SUFFIX = "_transcript.txt"
SEGMENTS_EXT = ".vtt"

# As inputs/filenames.py reads names: the date first, the last `_msg<digits>`, an optional `_suffix`.
_CONVENTION = re.compile(r"(?P<head>\d{8}_\d{6}_.+_msg\d+)(?:_[A-Za-z][A-Za-z0-9-]*)?")


def is_audio(name: str) -> bool:
    """True for a file name with an audio extension (case-insensitive)."""
    return PurePath(name).suffix.lower() in AUDIO_EXTS


def transcript_name(audio_name: str) -> str:
    """`<stamp>_<author>_msg<id>_transcript.txt` when the audio's name carries them, else `<stem>_transcript.txt`."""
    stem = PurePath(audio_name).stem
    match = _CONVENTION.fullmatch(stem)
    if match:
        stem = match["head"]  # `..._msg1859_voice.ogg` gives `..._msg1859_transcript.txt`
    return stem + TRANSCRIPT_SUFFIX


def segments_name(transcript: str) -> str:
    """The WebVTT file of timed segments kept beside a transcript: `<name>_transcript.vtt`."""
    return PurePath(transcript).stem + SEGMENTS_EXT
