"""Exceptions raised by notesmith.

NotesmithError              catch this to handle anything notesmith reports on purpose
├── ConfigError             bad configuration or usage; the CLI exits 2
│   └── NotAWorkspace       the folder is not a notesmith workspace
├── WorkspaceError          the workspace cannot be used as it is
│   ├── WorkspaceBusy       another run holds the workspace lock
│   ├── UnsafePath          a path setting leads outside the workspace (exit 2)
│   ├── JournalError        the journal of an interrupted run is damaged
│   ├── RepositoryState     git is in the middle of a merge, rebase, ... or HEAD is detached
│   └── WriteError          a file could not be written (full disk, read-only, permissions)
├── InputError              one input cannot be read; the run files it in inbox/failed/
│   ├── InputUnreadable     ... right now (permissions, a read error): it stays in the inbox
│   └── EmptyInput          ... because it holds no text; the run files it in inbox/used/skipped/
├── ArticleError            one article cannot be read or written
│   ├── NotUtf8             its bytes are not UTF-8
│   └── BinaryFile          it is binary, not Markdown
├── GitError                a git operation failed
├── DraftError              a draft cannot be rendered or applied to its article; its inputs wait
├── TranscriptionUnavailable  audio cannot be transcribed now (off, not installed, no endpoint); it waits
│   └── TranscriptionFailed   the transcriber was tried and failed; the audio waits, the run counts it failed
└── ModelError              the model could not give a usable answer; its inputs wait
    ├── ModelUnavailable    the endpoint kept failing (timeouts, 429, 5xx) past the retries
    │   └── EndpointUnreachable  nothing answers there (refused, unknown host, TLS): not retried
    ├── FormatRefused       the endpoint refused the way a structured answer was asked for
    └── InvalidAnswer       the answers stayed invalid past the re-asks
        └── AnswerCutOff    ... because each was cut off by the length limit (or empty)

Every message is one line that names the file (when there is one) and the next step.
"""

from __future__ import annotations

from pathlib import Path


class NotesmithError(Exception):
    """Base class of every error notesmith raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class ConfigError(NotesmithError):
    """Bad configuration or usage."""

    exit_code = 2


class NotAWorkspace(ConfigError):
    """The folder is not a notesmith workspace (no inbox, no articles folder)."""


class WorkspaceError(NotesmithError):
    """The workspace cannot be used as it is."""


class WorkspaceBusy(WorkspaceError):
    """Another notesmith run holds the workspace lock."""


class UnsafePath(WorkspaceError):
    """A path that resolves outside the workspace, or into .git/ or the state folder."""

    exit_code = 2


class JournalError(WorkspaceError):
    """The journal of an interrupted run is damaged."""


class RepositoryState(WorkspaceError):
    """git is in the middle of something (merge, rebase, ...) or HEAD is detached."""


class WriteError(WorkspaceError):
    """A file could not be written or moved (full disk, read-only file system, permissions)."""


class InputError(NotesmithError):
    """One input cannot be read."""


class InputUnreadable(InputError):
    """An input the operating system would not let notesmith read right now; it waits in the inbox."""


class EmptyInput(InputError):
    """An input with no text in it: nothing to draft, nothing wrong to fix (it is skipped, not failed)."""


class ArticleError(NotesmithError):
    """One article cannot be read or written."""


class NotUtf8(ArticleError):
    """An article whose bytes are not UTF-8."""


class BinaryFile(ArticleError):
    """A binary file where an article was expected."""


class GitError(NotesmithError):
    """A git operation failed."""


class DraftError(NotesmithError):
    """A draft that cannot be rendered, or an update that cannot be applied to its article."""


class TranscriptionUnavailable(NotesmithError):
    """Transcription cannot run now (off, not installed, no endpoint): audio waits in the inbox."""


class TranscriptionFailed(TranscriptionUnavailable):
    """The backend was tried and failed (the endpoint kept failing, the model would not load): audio
    waits and the run counts it as a failure, as when the chat model fails."""


class ModelError(NotesmithError):
    """The model could not give a usable answer."""


class ModelUnavailable(ModelError):
    """The endpoint kept failing past the retries."""


class InvalidAnswer(ModelError):
    """The model's answers stayed invalid past the re-asks."""

    def __init__(self, message: str, *, replies: list | None = None, errors: list[str] | None = None):
        super().__init__(message)
        self.replies = list(replies or [])
        self.errors = list(errors or [])


class AnswerCutOff(InvalidAnswer):
    """Every answer was cut off by the length limit (or empty): a smaller unit may succeed."""

class EndpointUnreachable(ModelUnavailable):
    """Nothing answers at the endpoint (connection refused, unknown host, TLS failure); retrying will not help."""


class FormatRefused(ModelError):
    """The endpoint refused the response_format a structured answer was asked for."""
