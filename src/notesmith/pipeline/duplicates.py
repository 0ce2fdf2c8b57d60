"""Inputs that say again what an earlier input said: the same text under another file name.

An input's fingerprint is a hash of its text with the frontmatter left out and every run of
whitespace made one space, so a copied transcript, subtitle file or Whisper JSON is found
whatever its name, frontmatter or line breaks. Short texts ("ok", "add this to the log") repeat
without being duplicates, so they have none. Fingerprints of `inbox/used/` are cached in the
state folder by size and modification time, like the catalog, so a run on a big used folder
reads only the files it has not seen before.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from notesmith.errors import InputError, WriteError
from notesmith.files import read_json, write_json
from notesmith.inputs.reading import Input, read_input

__all__ = ["Fingerprints", "fingerprint"]

CACHE_VERSION = 1
MIN_WORDS = 8
_URL = re.compile(r"https?://\S+")


def fingerprint(text: str, chunk: int = 1 << 20) -> str | None:
    """A hash of text's words in order (None for a text too short to be a duplicate of anything).

    Read in chunks, so a 50 MB transcript never has a second copy made of it.
    """
    digest = hashlib.sha256()
    words = 0
    joined = False  # whether the text hashed so far ends inside a word
    for at in range(0, len(text), chunk):
        part = text[at:at + chunk]
        split = part.split()
        if not split:
            joined = False
            continue
        if words and not (joined and not part[0].isspace()):
            digest.update(b" ")
        digest.update(" ".join(split).encode("utf-8"))
        words += len(split)
        joined = not part[-1].isspace()
    if words < MIN_WORDS and not _URL.search(text[:10_000]):
        return None
    return digest.hexdigest()


class Fingerprints:
    """Fingerprints of the inputs already used, and of those taken so far in this run."""

    def __init__(self, used: Path, cache_file: Path | None = None, *, root: Path | None = None,
                 max_bytes: int | None = None):
        self.used = used
        self.cache_file = cache_file
        self.root = root
        self.max_bytes = max_bytes
        self._known: dict[str, str] | None = None  # fingerprint -> where it was seen first

    def _where(self, path: Path) -> str:
        if self.root is not None and path.is_relative_to(self.root):
            return path.relative_to(self.root).as_posix()
        return path.name

    def _used_prefix(self) -> str:
        folder = self._where(self.used / "x")
        return folder[:-1]

    def _scan(self) -> dict[str, str]:
        cache = read_json(self.cache_file, {}) if self.cache_file else {}
        old = cache.get("files") if isinstance(cache, dict) and cache.get("version") == CACHE_VERSION else None
        old = old if isinstance(old, dict) else {}
        fresh: dict[str, list] = {}
        known: dict[str, str] = {}
        prefix = self._used_prefix()
        try:
            entries = sorted(os.scandir(self.used), key=lambda e: e.name)
        except OSError:
            entries = []
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
            stamp = [stat.st_size, stat.st_mtime_ns]
            cached = old.get(entry.name)
            if isinstance(cached, list) and len(cached) == 3 and cached[:2] == stamp:
                value = cached[2]
            else:
                try:
                    value = fingerprint(read_input(Path(entry.path), **self._limit()).text)
                except InputError:
                    value = None
            fresh[entry.name] = [*stamp, value]
            if value and value not in known:
                known[value] = prefix + entry.name
        if self.cache_file and fresh != old:
            try:
                write_json(self.cache_file, {"version": CACHE_VERSION, "files": fresh}, indent=None)
            except WriteError:
                pass  # a cache: the next run builds it again
        return known

    def _limit(self) -> dict:
        return {"max_bytes": self.max_bytes} if self.max_bytes else {}

    def original(self, item: Input) -> str | None:
        """Where the same text was seen first (a path in the workspace), or None."""
        value = fingerprint(item.text)
        if value is None:
            return None
        if self._known is None:
            self._known = self._scan()
        return self._known.get(value)

    def add(self, item: Input) -> None:
        """Remember an input taken in this run, so a later copy of it is found."""
        value = fingerprint(item.text)
        if value is None:
            return
        if self._known is None:
            self._known = self._scan()
        self._known.setdefault(value, self._where(item.path))
