"""Exceptions raised by notesmith.

NotesmithError            catch this to handle anything notesmith reports on purpose
├── ConfigError           bad configuration or usage; the CLI exits 2
├── WorkspaceError        the workspace cannot be used as it is (locked, missing folder)
├── InputError            one input cannot be read; the run files it in inbox/failed/
├── ArticleError          one article cannot be read or written
├── GitError              a git operation failed
└── ModelError            the model could not give a usable answer
    ├── ModelUnavailable  the endpoint kept failing (timeouts, 429, 5xx) past the retries
    │   └── EndpointUnreachable  nothing answers there (refused, unknown host, TLS): not retried
    ├── FormatRefused     the endpoint refused the way a structured answer was asked for
    └── InvalidAnswer     the answers stayed invalid past the re-asks

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


class WorkspaceError(NotesmithError):
    """The workspace cannot be used as it is."""


class InputError(NotesmithError):
    """One input cannot be read."""


class ArticleError(NotesmithError):
    """One article cannot be read or written."""


class GitError(NotesmithError):
    """A git operation failed."""


class ModelError(NotesmithError):
    """The model could not give a usable answer."""


class ModelUnavailable(ModelError):
    """The endpoint kept failing past the retries."""


class InvalidAnswer(ModelError):
    """The model's answers stayed invalid past the re-asks."""


class EndpointUnreachable(ModelUnavailable):
    """Nothing answers at the endpoint (connection refused, unknown host, TLS failure); retrying will not help."""


class FormatRefused(ModelError):
    """The endpoint refused the response_format a structured answer was asked for."""
