"""`notesmith status`: inputs waiting by kind, failed inputs, articles by status, the last check and run."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path

from notesmith.text.frontmatter import HEAD_BYTES, mapping_of
from notesmith.inputs.reading import list_inputs
from notesmith.checking.tree import DiskTree
from notesmith.workspace import Workspace

_KIND_ORDER = ("audio", "transcript", "message", "photo", "subtitles", "whisper", "other")
_AUDIO_EXTS = (".ogg", ".oga", ".opus", ".m4a", ".mp3", ".wav", ".webm", ".flac", ".mp4")  # audio.naming's


def kind_of(name: str) -> str:
    """An input's kind from its file name alone (the frontmatter may refine a message later)."""
    lowered = name.lower()
    if lowered.endswith("_transcript.txt"):
        return "transcript"
    if lowered.endswith("_photo.md"):
        return "photo"
    ext = os.path.splitext(lowered)[1]
    if ext in _AUDIO_EXTS:
        return "audio"
    if ext in (".srt", ".vtt"):
        return "subtitles"
    if ext == ".json":
        return "whisper"
    return "message" if ext in (".md", ".txt") else "other"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    return f"{size / 1024:.1f} KB" if size < 1024 ** 2 else f"{size / 1024 ** 2:.1f} MB"


def _counts(counter: Counter, order: tuple[str, ...] = ()) -> str:
    keys = [k for k in order if counter[k]] + sorted(k for k in counter if k not in order)
    return ", ".join(f"{k}: {counter[k]}" for k in keys)


def _when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def inbox_lines(ws: Workspace) -> list[str]:
    """What waits in the inbox, by kind, and what is there but cannot be processed."""
    found, reported = list_inputs(ws.inbox, ws.root, (ws.state,))
    inbox = ws.config.inbox
    if not found and not reported:
        return [f"inbox: nothing waiting in {inbox}/"]
    kinds = Counter(kind_of(p.name) for p in found)
    total = sum(os.stat(p).st_size for p in found)
    noun = "input" if len(found) == 1 else "inputs"
    lines = [f"inbox: {len(found)} {noun} waiting in {inbox}/ ({_counts(kinds, _KIND_ORDER)}; {_size(total)})"
             if found else f"inbox: nothing to process in {inbox}/"]
    if kinds["audio"]:
        from notesmith.audio.backends import transcription_status  # no audio library is imported

        lines.append(f"  audio: {transcription_status(ws.config)}")
    for path, reason in reported:
        lines.append(f"  not an input: {path.name}: {reason}")
    return lines


def failed_lines(ws: Workspace) -> list[str]:
    """Inputs that could not be read, each with the first line of its reason."""
    folder = ws.path("failed")
    if not folder.is_dir():
        return []
    names = sorted(n for n in os.listdir(folder) if not n.startswith(".") and not n.endswith(".reason.txt")
                   and (folder / n).is_file())
    if not names:
        return []
    lines = [f"failed: {len(names)} input{'s' * (len(names) != 1)} in {ws.config.failed}/"]
    for name in names[:10]:
        reason_file = folder / (name + ".reason.txt")
        try:
            reason = reason_file.read_text(encoding="utf-8", errors="replace").strip().splitlines()[0]
        except (OSError, IndexError):
            reason = "no reason recorded"
        lines.append(f"  {name}: {reason}")
    if len(names) > 10:
        lines.append(f"  … and {len(names) - 10} more")
    return lines


def read_frontmatter(path: Path) -> dict | None:
    """The frontmatter mapping of a file, reading no further than its closing line; None when absent or broken."""
    try:
        with open(path, "rb") as handle:
            return mapping_of(handle.read(HEAD_BYTES))
    except OSError:
        return None


def article_lines(ws: Workspace) -> list[str]:
    """Articles by status (frontmatter only)."""
    tree = DiskTree(ws.root)
    statuses: Counter = Counter()
    for rel in tree.walk(ws.config.articles.strip("/"), ".md"):
        if rel.rsplit("/", 1)[-1].startswith("_"):
            continue
        data = read_frontmatter(ws.root / rel)
        if data is None:
            statuses["without readable frontmatter"] += 1
        else:
            status = data.get("status")
            statuses[str(status) if isinstance(status, str) and status else "without status"] += 1
    total = sum(statuses.values())
    if not total:
        return [f"articles: none yet in {ws.config.articles}/"]
    return [f"articles: {total} ({_counts(statuses, ws.config.statuses)})"]


def _load(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def check_lines(ws: Workspace) -> list[str]:
    """The problems `notesmith check` found last time, and when."""
    path = ws.state / "last-check.json"
    data = _load(path)
    if data is None:
        return ["last check: none recorded (run `notesmith check`)"]
    errors, warnings = data.get("errors", 0), data.get("warnings", 0)
    what = "no problems" if not errors and not warnings else \
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    staged = " (staged)" if data.get("staged") else ""
    files = data.get("files", 0)
    return [f"last check{staged}: {what} in {files} file{'s' * (files != 1)}, {_when(path.stat().st_mtime)}"]


def run_lines(ws: Workspace) -> list[str]:
    """The newest run log's summary, tolerant of logs written by other versions."""
    folder = ws.state / "runs"
    logs = sorted(folder.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name)) if folder.is_dir() else []
    if not logs:
        return []
    data = _load(logs[-1])
    if data is None:
        return [f"last run: {logs[-1].name} (unreadable)"]
    report = data.get("report") if isinstance(data.get("report"), dict) else {}
    run_id = data.get("run_id") or report.get("run_id") or logs[-1].stem
    when = data.get("finished") or report.get("finished") or _when(logs[-1].stat().st_mtime)
    summary = data.get("summary") or report.get("summary")
    if isinstance(summary, dict):
        summary = ", ".join(f"{k} {v}" for k, v in summary.items())
    if not summary and report:
        read = report.get("inputs_read", 0)
        parts = [f"{read} input{'s' * (read != 1)} read"]
        for key in ("created", "updated", "feedback", "failed", "waiting"):
            value = report.get(key)
            if isinstance(value, list):
                parts.append(f"{len(value)} {key}")
        summary = ", ".join(parts)
    return [f"last run: {run_id}, {when}" + (f": {summary}" if summary else "")]


def status_lines(ws: Workspace) -> list[str]:
    """Everything `notesmith status` prints."""
    return [*inbox_lines(ws), *failed_lines(ws), *article_lines(ws), *check_lines(ws), *run_lines(ws)]
