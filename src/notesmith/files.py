"""Writing files safely, and the workspace's local state folder (.notesmith/).

`write_atomic` is the one way notesmith writes a file: a temporary file in the same folder, then a
rename, so a reader (or a killed run) sees the old content or the new, never half of it. The file
keeps the mode of the file it replaces; a new file gets the mode `open()` would give it (0666
less the umask). Failures become one-line `WriteError`s that name the file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from notesmith.errors import WriteError

_UMASK: int | None = None


def umask() -> int:
    """The process's umask (read once; Linux tells it in /proc without changing it)."""
    global _UMASK
    if _UMASK is None:
        try:
            with open("/proc/self/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("Umask:"):
                        _UMASK = int(line.split()[1], 8)
                        break
        except (OSError, ValueError):
            pass
        if _UMASK is None:
            _UMASK = os.umask(0o022)
            os.umask(_UMASK)
    return _UMASK


def describe_os_error(exc: OSError) -> str:
    """What went wrong, and what to do about it, for an OSError while writing."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full; free some space and run again"
    if code == errno.EROFS:
        return "the file system is read-only; make it writable and run again"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied (read-only or immutable file or folder); fix the permissions and run again"
    if code == errno.ENAMETOOLONG:
        return "the file name is too long for the file system; rename it"
    return f"{exc.strerror or exc}; fix that and run again"


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read a megabyte at a time (an audio file or a 50 MB transcript)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def text_of(data: bytes) -> str:
    """Bytes as UTF-8 text; bytes that are not UTF-8 survive as surrogates, so bytes_of gives them back."""
    return data.decode("utf-8", "surrogateescape")


def bytes_of(text: str) -> bytes:
    """Text notesmith writes, as bytes; bytes it read but could not decode come back unchanged."""
    return text.encode("utf-8", "surrogateescape")


_FS_IOC_GETFLAGS = 0x80086601  # Linux: read a file's attributes (chattr)
_IMMUTABLE, _APPEND_ONLY = 0x10, 0x20


def _attributes(path: Path) -> int:
    try:
        import fcntl

        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except (ImportError, OSError):
        return 0
    try:
        return int.from_bytes(fcntl.ioctl(fd, _FS_IOC_GETFLAGS, bytes(8))[:4], "little")
    except OSError:
        return 0  # the file system keeps no such attributes
    finally:
        os.close(fd)


def cannot_move(path: Path) -> str:
    """Why a file could not be moved out of its folder ("" when nothing says so)."""
    for what, target in (("the file", path), ("its folder", path.parent)):
        if _attributes(target) & (_IMMUTABLE | _APPEND_ONLY):
            return f"{what} is immutable or append-only (chattr)"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return "its folder is not writable"
    return ""


def is_read_only(path: Path) -> bool:
    """True for an existing file whose mode lets nobody write it (0444): a person's way to say 'leave it'."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) and not mode & 0o222


def write_atomic(path: Path, data: bytes, *, durable: bool = True, mode: int | None = None) -> None:
    """Write data to path through a temporary file in the same folder, then rename.

    durable=False skips the fsync: the file survives a killed process (the kernel has it) but,
    as with git's own defaults, not necessarily a power cut. `mode` forces a mode (a hook: 0o755).
    """
    import tempfile  # only writers need it; the check path stays light

    path = Path(path)
    try:
        if mode is None:
            try:
                mode = stat.S_IMODE(os.stat(path).st_mode)
            except FileNotFoundError:
                mode = 0o666 & ~umask()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise WriteError(f"cannot write: {describe_os_error(exc)}", path=path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write: {describe_os_error(exc)}", path=path) from None
        raise


_TEMPORARY = r"\..+\.[a-z0-9_]{8}\.tmp"  # what mkstemp makes of write_atomic's prefix and suffix


def remove_temporaries(folder: Path, *, deep: bool = False) -> list[Path]:
    """Delete the temporary files a killed write_atomic left in folder (and below, when deep)."""
    removed = []
    for dirpath, dirnames, filenames in os.walk(folder):
        if not deep:
            dirnames[:] = []
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            if re.fullmatch(_TEMPORARY, name):
                path = Path(dirpath) / name
                try:
                    path.unlink()
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    raise WriteError(f"cannot remove a temporary file left by a killed run: "
                                     f"{describe_os_error(exc)}", path=path) from None
                removed.append(path)
    return removed


def state_dir(root: Path, name: str = ".notesmith") -> Path:
    """The state folder, created with a .gitignore that keeps it out of git."""
    folder = root / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot set up the state folder: {describe_os_error(exc)}", path=folder) from None
    ignore = folder / ".gitignore"
    if not ignore.exists():
        write_atomic(ignore, b"# notesmith's local state; never committed\n*\n")
    return folder


def write_json(path: Path, data: Any, *, indent: int | None = 2) -> None:
    """Write JSON atomically (indent=None for large machine-only files: much faster)."""
    separators = None if indent else (",", ":")
    text = json.dumps(data, indent=indent, ensure_ascii=False, default=str, separators=separators)
    try:
        data_bytes = (text + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8 (kept as surrogates): escape everything
        data_bytes = (json.dumps(data, indent=indent, default=str, separators=separators) + "\n").encode("ascii")
    write_atomic(path, data_bytes)


def read_json(path: Path, default: Any = None) -> Any:
    """Read JSON, or default when the file is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default
