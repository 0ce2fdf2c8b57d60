"""Audio files for tests, written with the standard library: a tone, silence, broken and odd WAVs."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 16_000


def write_wav(path: Path, seconds: float = 2.0, *, amplitude: int = 8000, hz: float = 440.0) -> Path:
    """A mono 16-bit WAV holding a tone (amplitude 0 gives silence)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = int(seconds * RATE)
    step = 2 * math.pi * hz / RATE
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", int(amplitude * math.sin(i * step))) for i in range(frames)))
    return path


def truncated_wav(path: Path, seconds: float = 2.0) -> Path:
    """A WAV whose header promises `seconds` of audio but whose data stops halfway (an interrupted copy)."""
    write_wav(path, seconds)
    data = path.read_bytes()
    path.write_bytes(data[: 44 + (len(data) - 44) // 2])
    return path


def wav_with_codec(path: Path, tag: int, seconds: float = 1.0) -> Path:
    """A WAV whose format chunk names codec `tag` (e.g. 0x7777, which no decoder knows)."""
    data = b"\x01\x02" * int(seconds * RATE)
    fmt = struct.pack("<HHIIHH", tag, 1, RATE, RATE * 2, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path
