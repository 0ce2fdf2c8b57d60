"""Step 2 of a run: read the inbox and sort each file into ready, failed, skipped or waiting."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from notesmith.audio.stage import prepare_audio
from notesmith.inputs.credentials import find_credentials
from notesmith.errors import InputError
from notesmith.inputs.reading import Input, list_inputs, read_input
from notesmith.workspace import Workspace


@dataclass(frozen=True)
class Disposition:
    """A file of the inbox that will not be drafted this run, and why."""

    path: Path
    reason: str


@dataclass
class Intake:
    """The inbox sorted: inputs to draft, and the rest with their reasons."""

    ready: list[Input] = field(default_factory=list)
    failed: list[Disposition] = field(default_factory=list)  # → inbox/failed/ with a reason file
    skipped: list[Disposition] = field(default_factory=list)  # → inbox/used/skipped/
    waiting: list[Disposition] = field(default_factory=list)  # stay in the inbox
    companions: dict[Path, tuple[Path, ...]] = field(default_factory=dict)  # transcript → its audio and .vtt
    notes: list[str] = field(default_factory=list)


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_inbox(ws: Workspace, chosen: Iterable[Path] | None = None, *, allow_secrets: bool = False,
               transcribe: bool = True, transcriber=None, progress=None) -> Intake:
    """Read every input of the inbox (or the chosen files) and sort them; audio is transcribed first."""
    config = ws.config
    result = Intake()
    paths, reported = list_inputs(ws.inbox, ws.root)
    audio = prepare_audio(ws, paths, chosen, transcribe=transcribe, transcriber=transcriber, progress=progress)
    paths, result.companions, result.notes = audio.paths, audio.companions, audio.notes
    result.failed += [Disposition(p, r) for p, r in audio.failed]
    result.skipped += [Disposition(p, r) for p, r in audio.skipped]
    result.waiting += [Disposition(p, r) for p, r in audio.waiting]
    if chosen is not None:
        wanted = audio.chosen or set()
        paths = [p for p in paths if p.resolve() in wanted]
        reported = [(p, r) for p, r in reported if p.resolve() in wanted]
    for path, reason in reported:
        result.waiting.append(Disposition(path, reason))
    max_bytes = int(config.max_input_mb * 1024 * 1024)
    used = ws.used
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise InputError(f"input is {size / 1048576:.1f} MB, over max_input_mb = {config.max_input_mb:g}; "
                                 "split it into smaller files and put them back in the inbox", path=path)
            item = read_input(path, max_bytes=max_bytes)
        except InputError as exc:
            result.failed.append(Disposition(path, exc.message))
            continue
        except OSError as exc:
            result.waiting.append(Disposition(path, f"cannot read it now ({exc.strerror}); it stays in the inbox"))
            continue
        if item.sha256 in seen:
            result.skipped.append(Disposition(path, f"duplicate of {seen[item.sha256].name} (same content)"))
            continue
        taken = used / path.name
        if taken.exists():
            if taken.is_file() and taken.stat().st_size == size and _sha(taken) == item.sha256:
                result.skipped.append(Disposition(path, f"already processed: {ws.rel(taken)} has the same content"))
            else:
                result.failed.append(Disposition(
                    path, f"a different file named {path.name} is already in {config.used}/; "
                          "rename this one and put it back in the inbox"))
            continue
        seen[item.sha256] = path
        if not item.text.strip():
            result.skipped.append(Disposition(path, "no text in it"))
            continue
        if not allow_secrets:
            found = find_credentials(item.text)
            if found:
                line, kind = found[0]
                result.waiting.append(Disposition(
                    path, f"looks like it holds a credential ({kind}, line {line}); remove it, "
                          "or pass --allow-secrets to process it as it is"))
                continue
        result.ready.append(item)
    return result
