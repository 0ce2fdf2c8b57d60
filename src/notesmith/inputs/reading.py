"""Read every kind of input (transcript, message, photo, subtitles, Whisper JSON) into one value."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from notesmith.inputs.audio_names import AUDIO_EXTS
from notesmith.errors import EmptyInput, InputError, InputUnreadable
from notesmith.inputs.filenames import parse_filename
from notesmith.text import frontmatter
from notesmith.inputs.subtitles import Cue, cues_to_text, parse_srt, parse_vtt, parse_whisper  # noqa: F401 (public here too)
from notesmith.inputs.unwrapping import looks_hard_wrapped, paragraphs, unwrap  # noqa: F401 (public here too)

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


# --- listing the inbox -------------------------------------------------------------------------


def list_inputs(
    inbox: Path, workspace: Path | None = None, private: tuple[Path, ...] = ()
) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Return the inbox's input files sorted by name, and the entries to report with a reason.

    A symlink is followed only to a file inside the workspace, and never into `.git/` or the
    `private` folders (notesmith's state): their content is not an input to publish.
    """
    inbox = Path(inbox)
    if not inbox.is_dir():
        return [], []
    root = Path(os.path.realpath(workspace)) if workspace is not None else None
    forbidden = [Path(os.path.realpath(p)) for p in private]
    if root is not None:
        forbidden.append(root / ".git")
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
            if any(target.is_relative_to(folder) for folder in forbidden):
                reported.append((path, f"symlink leads into {target.parent}, which holds no inputs; "
                                       "remove the link"))
                continue
        if entry.is_dir():
            continue
        if not entry.is_file():
            reported.append((path, "not a regular file (fifo, socket or device); "
                                   "remove it from the inbox"))
            continue
        ext = Path(name).suffix.lower()
        media = _MEDIA.get(ext)
        if ext in AUDIO_EXTS:
            found.append(path)  # an audio input: the run transcribes it first (notesmith.audio)
        elif media == "image":
            reported.append((path, "image file, not a text input: left in place; "
                                   "describe it in a *_photo.md record"))
        elif media:
            reported.append((path, f"{media} file, not a text input: left in place; "
                                   "export its audio track as .m4a or .ogg to transcribe it"))
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
        raise type(e)(e.message, path=path, line=e.line) from None


def decode(data: bytes) -> str:
    """Decode UTF-8 bytes (BOM accepted) with line endings normalised to \\n."""
    if not data.strip():
        raise EmptyInput("file is empty; there is no text in it to draft")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("file is UTF-16, not UTF-8; re-save it as UTF-8")
    if b"\x00" in data:
        raise InputError("file is binary (has NUL bytes), not text; only text inputs can be processed")
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
            raise InputError("not a regular file; only regular files can be processed")
        if st.st_size > max_bytes:
            raise InputError(f"file is {st.st_size // 2**20} MB, over the {max_bytes // 2**20} MB "
                             "limit; split it into smaller files")
        data = path.read_bytes()
    except OSError as e:
        raise InputUnreadable(f"cannot read it now ({e.strerror or e}); it stays in the inbox until it "
                              "can be read") from None
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


def split_frontmatter(text: str) -> tuple[dict | None, str, int]:
    """An input's frontmatter mapping (None without one), its body, and the body's first line."""
    found = frontmatter.split(text)
    if not found.opened:
        return None, text, 1
    if found.end is None:
        raise InputError("frontmatter starts with '---' but is never closed; add a closing '---' line", line=1)
    block = frontmatter.parse(found.yaml or "", found.end)
    if block.error:
        raise InputError(f"{block.error} in the frontmatter; fix the frontmatter", line=block.error_line)
    if not isinstance(block.data, dict):
        raise InputError(f"frontmatter is a {type(block.data).__name__}, not 'key: value' lines; "
                         "fix the frontmatter", line=2)
    return block.data, found.body, found.body_line
