"""A first look at an audio file, without a decoder: empty, not audio at all, a broken or silent WAV.

Every backend gets only files that passed this look, so these faults read the same whichever
backend is configured, and a silent WAV never costs a transcription.
"""

from __future__ import annotations

import struct
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path

from notesmith.errors import InputError

# WAV format tags that decoders (FFmpeg, transcription servers) take: PCM, float, A-law, µ-law,
# extensible, MS and IMA ADPCM, MP3 in WAV.
_WAV_CODECS = {0x0001, 0x0003, 0x0006, 0x0007, 0xFFFE, 0x0002, 0x0011, 0x0055}
_UNKNOWN_SIZE = (0, 0xFFFFFFFF)  # streaming writers leave the data size open
SILENCE = 33  # peak sample (16-bit) below about -60 dBFS: nothing anyone said


@dataclass(frozen=True)
class Sniffed:
    """What the bytes say: the container, and for PCM WAV its duration and whether it is silent."""

    container: str  # wav, ogg, flac, mp3, mp4, webm
    duration: float | None = None
    silent: bool = False


def sniff(path: Path) -> Sniffed:
    """Look at an audio file's bytes; raise InputError for an empty, unrecognised or broken file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
            if not head:
                raise InputError("the audio file is empty (0 bytes); remove it, or send the recording again")
            container = _container(head)
            if container is None:
                raise InputError("not an audio file: its bytes are none of WAV, Ogg, FLAC, MP3, MP4/M4A "
                                 "or WebM; export the recording again or remove it")
            if container == "wav":
                handle.seek(0)
                return _wav(handle, path.stat().st_size)
    except OSError as exc:
        raise InputError(f"cannot read the audio file ({exc.strerror or exc}); check it exists and is "
                         "readable") from None
    return Sniffed(container)


def _container(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"fLaC":
        return "flac"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"  # MPEG audio frames (also ADTS AAC)
    return None


def _wav(handle, size: int) -> Sniffed:
    """Walk the RIFF chunks: the format, and whether the data the header promises is there."""
    handle.seek(12)
    fmt: tuple[int, int, int, int, int] | None = None
    while True:
        header = handle.read(8)
        if len(header) < 8:
            what = "no audio data" if fmt else "no format chunk"
            raise InputError(f"corrupt or truncated WAV file ({what}); export the recording again")
        chunk, length = header[:4], struct.unpack("<I", header[4:])[0]
        if chunk == b"fmt ":
            body_start = handle.tell()
            body = handle.read(min(length, 64))
            if len(body) < 16:
                raise InputError("corrupt WAV file (its format chunk is cut short); export the recording again")
            tag, channels, rate, _, align, bits = struct.unpack("<HHIIHH", body[:16])
            if tag not in _WAV_CODECS:
                raise InputError(f"unsupported audio codec in the WAV file (format tag 0x{tag:04x}); "
                                 "convert it to PCM WAV, .ogg or .mp3")
            if not rate or not align:
                raise InputError("corrupt WAV file (sample rate or block size is 0); export the recording again")
            fmt = (tag, channels, rate, align, bits)
            handle.seek(body_start + length + (length & 1))
        elif chunk == b"data":
            if fmt is None:
                raise InputError("corrupt WAV file (audio data before the format chunk); export the recording again")
            start = handle.tell()
            have = size - start
            declared = have if length in _UNKNOWN_SIZE else length
            tag, _, rate, align, bits = fmt
            if declared > have + align:
                raise InputError(f"truncated WAV file: its header promises {declared / (rate * align):.1f} s of audio "
                                 f"but the file holds {have / (rate * align):.1f} s; copy or export it again")
            frames = min(declared, have) // align
            if frames == 0:
                raise InputError("the WAV file holds no audio (0 s); remove it, or send the recording again")
            silent = tag == 1 and bits == 16 and _peak16(handle, frames * align) < SILENCE
            return Sniffed("wav", frames / rate, silent)
        else:
            handle.seek(length + (length & 1), 1)


def _peak16(handle, nbytes: int) -> int:
    """The largest absolute 16-bit sample in the next nbytes, read a block at a time."""
    peak = 0
    while nbytes > 0:
        block = handle.read(min(nbytes, 1 << 20))
        if not block:
            break
        nbytes -= len(block)
        samples = array("h", block[: len(block) - len(block) % 2])
        if sys.byteorder == "big":
            samples.byteswap()
        if samples:
            peak = max(peak, max(samples), -min(samples))
    return peak
