"""Step 2 of a run: read the inbox and sort each file into ready, failed, skipped or waiting."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from notesmith.pipeline.transcription import prepare_audio
from notesmith.inputs.credentials import find_credentials
from notesmith.errors import EmptyInput, InputError, InputUnreadable
from notesmith.files import cannot_move, file_sha256
from notesmith.inputs.reading import Input, decode, list_inputs, read_input
from notesmith.pipeline.duplicates import Fingerprints
from notesmith.pipeline import report as outcome
from notesmith.workspace import Workspace


@dataclass(frozen=True)
class Disposition:
    """A file of the inbox that will not be drafted this run, why, and why as a value (report.py)."""

    path: Path
    reason: str
    cause: str = ""


@dataclass
class Intake:
    """The inbox sorted: inputs to draft, and the rest with their reasons."""

    ready: list[Input] = field(default_factory=list)
    failed: list[Disposition] = field(default_factory=list)  # → inbox/failed/ with a reason file
    skipped: list[Disposition] = field(default_factory=list)  # → inbox/used/skipped/
    waiting: list[Disposition] = field(default_factory=list)  # stay in the inbox
    companions: dict[Path, tuple[Path, ...]] = field(default_factory=dict)  # transcript → its audio and .vtt
    notes: list[str] = field(default_factory=list)


RESCAN_BYTES = 5 * 1024 * 1024  # up to this size the file is searched as stored, frontmatter included


def _credential(item: Input, size: int) -> str:
    """Where the first thing that looks like a credential is ("api-key, line 3"), or ""."""
    if size <= RESCAN_BYTES:
        try:
            found = find_credentials(decode(item.path.read_bytes()))
        except (OSError, InputError):
            found = []
        if found:
            return f"{found[0][1]}, line {found[0][0]}"
    found = find_credentials(item.text)
    if found:
        return f"{found[0][1]}, in the text"
    front = "\n".join(f"{key}: {value}" for key, value in item.metadata.items())
    found = find_credentials(front)
    return f"{found[0][1]}, in the frontmatter" if found else ""


def read_inbox(ws: Workspace, chosen: Iterable[Path] | None = None, *, allow_secrets: bool = False,
               duplicates: Fingerprints | None = None, transcribe: bool = True, transcriber=None,
               progress=None) -> Intake:
    """Read every input of the inbox (or the chosen files) and sort them; audio is transcribed first.

    `duplicates` knows the text of the inputs already used (pipeline/duplicates.py); without it,
    one is made that caches nothing.
    """
    config = ws.config
    result = Intake()
    paths, reported = list_inputs(ws.inbox, ws.root, (ws.state,))
    audio = prepare_audio(ws, paths, chosen, transcribe=transcribe, transcriber=transcriber, progress=progress)
    paths, result.companions, result.notes = audio.paths, audio.companions, audio.notes
    result.failed += [Disposition(*entry) for entry in audio.failed]
    result.skipped += [Disposition(*entry) for entry in audio.skipped]
    result.waiting += [Disposition(*entry) for entry in audio.waiting]
    if chosen is not None:
        wanted = audio.chosen or set()
        paths = [p for p in paths if p.resolve() in wanted]
        reported = [(p, r) for p, r in reported if p.resolve() in wanted]
    for path, reason in reported:
        result.waiting.append(Disposition(path, reason, outcome.INBOX))
    max_bytes = int(config.max_input_mb * 1024 * 1024)
    used = ws.used
    seen: dict[str, Path] = {}
    if duplicates is None:
        duplicates = Fingerprints(used, None, root=ws.root, max_bytes=max_bytes)
    for path in paths:
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise InputError(f"input is {size / 1048576:.1f} MB, over max_input_mb = {config.max_input_mb:g}; "
                                 "split it into smaller files and put them back in the inbox", path=path)
            item = read_input(path, max_bytes=max_bytes)
        except EmptyInput as exc:
            result.skipped.append(Disposition(path, exc.message, outcome.EMPTY))
            continue
        except InputUnreadable as exc:
            result.waiting.append(Disposition(path, exc.message, outcome.UNREADABLE))
            continue
        except InputError as exc:
            result.failed.append(Disposition(path, exc.message, outcome.INVALID))
            continue
        except OSError as exc:
            result.waiting.append(Disposition(path, f"cannot read it now ({exc.strerror}); it stays in the inbox",
                                              outcome.UNREADABLE))
            continue
        if item.sha256 in seen:
            result.skipped.append(Disposition(path, f"duplicate of {seen[item.sha256].name} (same content)",
                                              outcome.DUPLICATE))
            continue
        taken = used / path.name
        if taken.exists():
            if taken.is_file() and taken.stat().st_size == size and file_sha256(taken) == item.sha256:
                result.skipped.append(Disposition(path, f"already processed: {ws.rel(taken)} has the same content",
                                                  outcome.DUPLICATE))
            else:
                result.failed.append(Disposition(
                    path, f"a different file named {path.name} is already in {config.used}/; "
                          "rename this one and put it back in the inbox", outcome.INVALID))
            continue
        seen[item.sha256] = path
        if not item.text.strip():
            result.skipped.append(Disposition(path, "no text in it", outcome.EMPTY))
            continue
        if not allow_secrets:
            where = _credential(item, size)
            if where:
                result.waiting.append(Disposition(
                    path, f"looks like it holds a credential ({where}); remove it, "
                          "or pass --allow-secrets to process it as it is", outcome.CREDENTIAL))
                continue
        why_not = cannot_move(path)
        if why_not:
            result.waiting.append(Disposition(path, f"cannot be moved out of the inbox ({why_not}); "
                                                    "fix that and run again", outcome.UNREADABLE))
            continue
        original = duplicates.original(item)  # issue 10: the same text under another name
        if original is not None:
            result.skipped.append(Disposition(path, f"duplicate of {original} (the same text)", outcome.DUPLICATE))
            continue
        duplicates.add(item)
        result.ready.append(item)
    return result
