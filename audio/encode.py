"""Re-encode audio with PyAV, as phones and messengers send it (Ogg Opus, AAC in MP4, MP3, FLAC)."""

from __future__ import annotations

from pathlib import Path

import av

FORMATS = {".ogg": ("ogg", "libopus", 48000), ".opus": ("ogg", "libopus", 48000), ".m4a": ("mp4", "aac", None),
           ".mp4": ("mp4", "aac", None), ".mp3": ("mp3", "libmp3lame", None), ".flac": ("flac", "flac", None),
           ".webm": ("webm", "libopus", 48000)}


def encode(src: Path, dst: Path, *, tags: dict[str, str] | None = None) -> Path:
    """Encode src (any audio) into dst's format, mono; `tags` go into the container's metadata."""
    fmt, codec, rate = FORMATS[dst.suffix.lower()]
    with av.open(str(src)) as inp, av.open(str(dst), "w", format=fmt) as out:
        for key, value in (tags or {}).items():
            out.metadata[key] = value
        source = inp.streams.audio[0]
        stream = out.add_stream(codec, rate=rate or source.rate)
        stream.layout = "mono"
        resampler = av.AudioResampler(format=stream.format, layout="mono", rate=stream.rate)
        for frame in [*inp.decode(source), None]:
            for piece in resampler.resample(frame):
                for packet in stream.encode(piece):
                    out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return dst
