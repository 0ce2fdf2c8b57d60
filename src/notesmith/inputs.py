"""Read every kind of input (transcript, message, photo, subtitles, Whisper JSON) into one value."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import yaml

from .errors import InputError
from .filenames import parse_filename
from .frontmatter import parse_yaml

KINDS = ("transcript", "message", "photo", "subtitles", "whisper")
MAX_BYTES = 100 * 1024 * 1024

_IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", "~")
_IGNORED_NAMES = {"thumbs.db", "desktop.ini"}
_MEDIA = {
    ".jpg": "image", ".jpeg": "image", ".png": "image", ".gif": "image", ".webp": "image",
    ".heic": "image", ".ogg": "audio", ".oga": "audio", ".opus": "audio", ".mp3": "audio",
    ".m4a": "audio", ".wav": "audio", ".flac": "audio", ".mp4": "video", ".mov": "video",
    ".webm": "video", ".mkv": "video",
}
_TEXT_EXTS = {".md", ".txt"}
_TIMED_EXTS = {".srt", ".vtt", ".json"}


@dataclass(frozen=True)
class Input:
    """One input file, read and normalised."""

    id: str  # the file name
    kind: str  # one of KINDS
    time: datetime  # aware: frontmatter `date`, else the file name (UTC), else mtime (UTC)
    author: str | None  # frontmatter username/author, else the file name's author
    text: str  # readable text: unwrapped paragraphs; subtitles and Whisper with [HH:MM:SS] anchors
    metadata: dict = field(hash=False)  # frontmatter as loaded (dates as strings) plus extras
    path: Path
    sha256: str  # of the raw bytes, to find duplicates


@dataclass(frozen=True)
class Cue:
    """One subtitle cue or Whisper segment; times in seconds, text lines joined by \\n."""

    start: float
    end: float
    text: str
    speaker: str | None = None


# --- listing the inbox -------------------------------------------------------------------------


def list_inputs(
    inbox: Path, workspace: Path | None = None
) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Return the inbox's input files sorted by name, and the entries to report with a reason."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        return [], []
    root = Path(os.path.realpath(workspace)) if workspace is not None else None
    found: list[Path] = []
    reported: list[tuple[Path, str]] = []
    for entry in sorted(os.scandir(inbox), key=lambda e: e.name):
        name = entry.name
        if _ignored(name):
            continue
        path = inbox / name
        if entry.is_symlink():
            target = Path(os.path.realpath(path))
            if not target.exists():
                reported.append((path, f"broken symlink to {target}; remove it or restore the file"))
                continue
            if root is not None and not target.is_relative_to(root):
                reported.append((path, f"symlink leads outside the workspace ({target}); "
                                       "copy the file into the inbox instead"))
                continue
        if entry.is_dir():
            continue
        if not entry.is_file():
            reported.append((path, "not a regular file (fifo, socket or device); "
                                   "remove it from the inbox"))
            continue
        media = _MEDIA.get(Path(name).suffix.lower())
        if media == "image":
            reported.append((path, "image file, not a text input: left in place; "
                                   "describe it in a *_photo.md record"))
        elif media:
            reported.append((path, f"{media} file, not a text input: left in place; "
                                   "transcribe it to text first"))
        else:
            found.append(path)
    return found, reported


def _ignored(name: str) -> bool:
    lowered = name.lower()
    return (
        name.startswith(".")
        or lowered.endswith(_IGNORED_SUFFIXES)
        or lowered in _IGNORED_NAMES
        or (name.startswith("#") and name.endswith("#"))
    )


# --- reading one input -------------------------------------------------------------------------


def read_input(path: Path, *, max_bytes: int = MAX_BYTES) -> Input:
    """Read one input file; raise InputError with a one-line reason for anything unreadable."""
    path = Path(path)
    try:
        return _read(path, max_bytes)
    except InputError as e:
        if e.path is not None:
            raise
        raise InputError(e.message, path=path, line=e.line) from None


def decode(data: bytes) -> str:
    """Decode UTF-8 bytes (BOM accepted) with line endings normalised to \\n."""
    if not data.strip():
        raise InputError("file is empty; remove it or add the text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("file is UTF-16, not UTF-8; re-save it as UTF-8")
    if b"\x00" in data:
        raise InputError("file is binary (has NUL bytes), not text; remove it from the inbox")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise InputError(f"not UTF-8 (byte 0x{data[e.start]:02x}); re-save the file as UTF-8",
                         line=line) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _read(path: Path, max_bytes: int) -> Input:
    # Big inputs: each large intermediate (bytes, decoded text) is dropped as soon as it is used.
    ext = path.suffix.lower()
    if ext not in _TEXT_EXTS and ext not in _TIMED_EXTS:
        raise InputError(f"unsupported file type '{path.suffix}'; supported are "
                         ".md, .txt, .srt, .vtt and Whisper .json")
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise InputError("not a regular file; remove it from the inbox")
        if st.st_size > max_bytes:
            raise InputError(f"file is {st.st_size // 2**20} MB, over the {max_bytes // 2**20} MB "
                             "limit; split it into smaller files")
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read the file ({e.strerror or e}); check it exists and is "
                         "readable") from None
    digest = hashlib.sha256(data).hexdigest()
    text = decode(data)
    del data
    name = path.name
    front: dict | None = None
    if ext in _TIMED_EXTS:
        kind, body, metadata = _timed_text(ext, text)
        del text
    else:
        front, body, _ = split_frontmatter(text)
        del text
        metadata = dict(front or {})
        kind = _text_kind(name.lower(), metadata)
        if kind == "transcript" or (ext == ".txt" and looks_hard_wrapped(body)):
            body = unwrap(body)
        else:
            body = body.strip("\n")
    parsed = parse_filename(name)
    if parsed.message_id is not None:
        metadata.setdefault("message_id", parsed.message_id)
    author = _author(metadata) if front else None
    return Input(
        id=name,
        kind=kind,
        time=_input_time(front, parsed.time, st.st_mtime),
        author=author or parsed.author,
        text=body,
        metadata=metadata,
        path=path,
        sha256=digest,
    )


def _timed_text(ext: str, text: str) -> tuple[str, str, dict[str, Any]]:
    """Kind, text and metadata of subtitles or Whisper JSON."""
    if ext == ".json":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"invalid JSON ({e.msg}); export the Whisper JSON again",
                             line=e.lineno) from None
        cues = parse_whisper(obj)
        metadata = {k: v for k, v in obj.items() if k not in ("segments", "text") and _is_scalar(v)}
        return "whisper", cues_to_text(cues), metadata
    cues = parse_vtt(text) if ext == ".vtt" else parse_srt(text)
    if not cues:
        raise InputError("no subtitle cues found (no 'HH:MM:SS --> HH:MM:SS' lines); "
                         "export the subtitles again")
    return "subtitles", cues_to_text(cues), {"duration": cues[-1].end}


def _text_kind(lowered_name: str, front: dict) -> str:
    if lowered_name.endswith("_transcript.txt"):
        return "transcript"
    if lowered_name.endswith("_photo.md") or "image_file" in front:
        return "photo"
    if front.get("source") == "telegram_voice":
        return "transcript"
    return "message"


def _author(front: dict) -> str | None:
    for key in ("username", "author"):
        value = front.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _input_time(front: dict | None, from_name: datetime | None, mtime: float) -> datetime:
    value = (front or {}).get("date")
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    if from_name is not None:
        return from_name.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(mtime, tz=timezone.utc)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


# --- frontmatter -------------------------------------------------------------------------------


_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def split_frontmatter(text: str) -> tuple[dict | None, str, int]:
    """Split a leading ``---`` YAML block from text: (mapping or None, body, body's first line)."""
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if not _FENCE.match(first):
        return None, text, 1
    close = _CLOSE.search(text, first_end + 1) if first_end >= 0 else None
    if close is None:
        raise InputError("frontmatter starts with '---' but is never closed; add a closing "
                         "'---' line", line=1)
    block = text[first_end + 1:close.start()]
    try:
        front = parse_yaml(block)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        line = mark.line + 2 if mark is not None else 2
        raise InputError(f"YAML error in frontmatter ({problem}); fix the frontmatter",
                         line=line) from None
    if front is None:
        front = {}
    if not isinstance(front, dict):
        raise InputError(f"frontmatter is a {type(front).__name__}, not 'key: value' lines; "
                         "fix the frontmatter", line=2)
    body_start = close.end() + 1
    body_line = text.count("\n", 0, body_start) + 1
    return front, text[body_start:], body_line


# --- unwrapping hard-wrapped text --------------------------------------------------------------

_LIST = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s")
_STARTS_LIST = re.compile(r"^\s{0,3}(?:[-*+]|1[.)])\s")
_LINE_STRUCTURE = re.compile(r"^\s{0,3}(?:#{1,6}(?:\s|$)|>|\||(?:-{3,}|\*{3,}|_{3,})\s*$)")
_CODE_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_BROKEN_WORD = re.compile(r"\w-$")


def _lines(text: str) -> Iterator[str]:
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def unwrap(text: str) -> str:
    """Join hard-wrapped lines into paragraphs; keep blank lines and Markdown structure lines."""
    out: list[str] = []
    parts: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if parts:
            out.append("".join(parts))
            parts.clear()

    for raw in _lines(text):
        line = raw.rstrip()
        if fence is not None:
            out.append(line)
            if line.lstrip().startswith(fence):
                fence = None
            continue
        if not line.strip():
            flush()
            if out and out[-1] != "":
                out.append("")
            continue
        code = _CODE_FENCE.match(line)
        if code or _LINE_STRUCTURE.match(line):
            flush()
            out.append(line)
            fence = code.group(1) if code else None
        elif _LIST.match(line) and (not parts or _LIST.match(parts[0]) or _STARTS_LIST.match(line)):
            # As in CommonMark, only a bullet or "1." interrupts a running paragraph, so a wrap
            # that puts "5. " at the start of a line does not make a list.
            flush()
            parts.append(line)
        elif parts:
            # Keep the hyphen of a word broken at it ("state-" + "of-the-art"); otherwise a space.
            parts.append(line.strip() if _BROKEN_WORD.search(parts[-1]) and line.lstrip()[:1].isalnum()
                         else " " + line.strip())
        else:
            parts.append(line.strip())
    flush()
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def looks_hard_wrapped(text: str) -> bool:
    """True when most lines inside paragraphs end near one common width (typed, then wrapped)."""
    inner: list[int] = []
    width = 0
    previous = ""
    for line in _lines(text):
        length = len(line.rstrip())
        width = max(width, length)
        if previous.strip() and line.strip() and not _LIST.match(line):
            inner.append(len(previous.rstrip()))
        previous = line
    if len(inner) < 2 or not 40 <= width <= 200:
        return False
    near = sum(1 for length in inner if length >= 0.7 * width)
    return near >= 0.8 * len(inner)


_BLANK_LINES = re.compile(r"(?:^|\n)(?:[ \t]*\n)+|\n[ \t]*$")


def paragraphs(text: str) -> list[str]:
    """Split (unwrapped) text into its paragraphs, separated by blank lines."""
    return [p.strip("\n") for p in _BLANK_LINES.split(text) if p.strip()]


# --- subtitles and Whisper ---------------------------------------------------------------------

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
