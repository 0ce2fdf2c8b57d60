"""Read what is staged in a git repository (honouring GIT_INDEX_FILE) through the git CLI."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from notesmith.errors import GitError
from notesmith.git.runner import call, run_git, split_z

_STATUS_LETTERS = {"A": "A", "M": "M", "D": "D", "R": "R", "C": "C", "T": "M"}


def _has_head(repo: Path) -> bool:
    return call(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", ok=(0, 1, 128))[0] == 0


def staged_changes(repo: Path) -> list[tuple[str, str]]:
    """(status letter A/M/R/D/C, repo-relative path) of every change staged against HEAD."""
    if _has_head(repo):
        base = "HEAD"
    else:
        base = run_git(repo, "hash-object", "-t", "tree", "--stdin", input=b"").decode().strip()
    out = run_git(repo, "diff", "--cached", "--name-status", "-z", "--find-renames", "--no-ext-diff", base, "--")
    parts = split_z(out)
    changes: list[tuple[str, str]] = []
    i = 0
    while i < len(parts):
        status = parts[i]
        letter = status[0]
        if letter in "RC":
            changes.append((letter, parts[i + 2]))
            i += 3
            continue
        if letter in _STATUS_LETTERS:
            changes.append((_STATUS_LETTERS[letter], parts[i + 1]))
        i += 2
    return changes


def index_paths(repo: Path) -> set[str]:
    """Every path in the index, repo-relative with forward slashes."""
    return set(split_z(run_git(repo, "ls-files", "-z", "--cached", "--full-name")))


def _blob_ids(repo: Path, wanted: set[str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for entry in split_z(run_git(repo, "ls-files", "-s", "-z", "--full-name")):
        meta, _, path = entry.partition("\t")
        mode, oid, stage = meta.split(" ")
        if stage == "0" and mode != "160000" and path in wanted:
            ids[path] = oid
    return ids


def read_staged(repo: Path, paths: Iterable[str]) -> dict[str, bytes]:
    """Staged contents of `paths` (repo-relative) read in one `git cat-file --batch`; absent paths are left out."""
    ids = _blob_ids(repo, set(paths))
    if not ids:
        return {}
    unique = list(dict.fromkeys(ids.values()))
    out = run_git(repo, "cat-file", "--batch", input="".join(oid + "\n" for oid in unique).encode())
    blobs: dict[str, bytes] = {}
    pos = 0
    view = memoryview(out)
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) != 3:
            raise GitError(f"git cat-file could not read object {header[0].decode()}", path=repo)
        size = int(header[2])
        blobs[header[0].decode()] = bytes(view[pos:pos + size])
        pos += size + 1
    return {path: blobs[oid] for path, oid in ids.items()}
