"""notesmith: transcripts into cited Markdown articles, reviewed as git diffs.

The public API is importable from here; heavy parts (the model client, the pipeline) load only
when used, so `import notesmith` and `notesmith check` stay fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_ERRORS = ("AnswerCutOff", "ArticleError", "BinaryFile", "ConfigError", "DraftError", "GitError", "InputError",
           "InvalidAnswer", "JournalError", "ModelError", "ModelUnavailable", "NotAWorkspace", "NotUtf8",
           "NotesmithError", "RepositoryState", "UnsafePath", "WorkspaceBusy", "WorkspaceError", "WriteError")
_EXPORTS = {
    **{name: "errors" for name in _ERRORS},
    "Article": "text.article",
    "CheckResult": "checking.runner",
    "Config": "config",
    "Finding": "checking.rules",
    "Input": "inputs",
    "LLM": "llm",
    "OpenAILLM": "llm",
    "Outcome": "pipeline.report",
    "Reply": "llm",
    "Request": "llm",
    "RunReport": "pipeline.report",
    "ScriptedLLM": "llm",
    "Summary": "text.article",
    "Usage": "llm",
    "Workspace": "workspace",
    "check": "api",
    "load_config": "config",
    "process": "api",
    "trace": "api",
    "read_input": "inputs",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'notesmith' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from notesmith.api import check, process, trace  # noqa: F401
    from notesmith.checking.rules import Finding  # noqa: F401
    from notesmith.checking.runner import CheckResult  # noqa: F401
    from notesmith.config import Config, load_config  # noqa: F401
    from notesmith.errors import (AnswerCutOff, ArticleError, BinaryFile, ConfigError, DraftError,  # noqa: F401
                                  GitError, InputError, InvalidAnswer, JournalError, ModelError, ModelUnavailable,
                                  NotAWorkspace, NotesmithError, NotUtf8, RepositoryState, UnsafePath,
                                  WorkspaceBusy, WorkspaceError, WriteError)
    from notesmith.inputs import Input, read_input  # noqa: F401
    from notesmith.llm import LLM, OpenAILLM, Reply, Request, ScriptedLLM, Usage  # noqa: F401
    from notesmith.pipeline.report import Outcome, RunReport  # noqa: F401
    from notesmith.text.article import Article, Summary  # noqa: F401
    from notesmith.workspace import Workspace  # noqa: F401
