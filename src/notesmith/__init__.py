"""notesmith: transcripts into cited Markdown articles, reviewed as git diffs.

The public API is importable from here; heavy parts (the model client, git) load only when used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "Article": "text.article",
    "ArticleError": "errors",
    "CheckResult": "checking.runner",
    "Config": "config",
    "ConfigError": "errors",
    "Finding": "checking.rules",
    "GitError": "errors",
    "Input": "inputs",
    "InputError": "errors",
    "InvalidAnswer": "errors",
    "LLM": "llm",
    "ModelError": "errors",
    "ModelUnavailable": "errors",
    "NotesmithError": "errors",
    "OpenAILLM": "llm",
    "Reply": "llm",
    "Request": "llm",
    "RunReport": "pipeline.report",
    "ScriptedLLM": "llm",
    "Workspace": "workspace",
    "WorkspaceError": "errors",
    "check": "api",
    "load_config": "config",
    "process": "api",
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
    from notesmith.api import check, process
    from notesmith.text.article import Article
    from notesmith.checking.runner import CheckResult
    from notesmith.config import Config, load_config
    from notesmith.errors import (ArticleError, ConfigError, GitError, InputError, InvalidAnswer, ModelError,
                         ModelUnavailable, NotesmithError, WorkspaceError)
    from notesmith.inputs.reading import Input, read_input
    from notesmith.llm import LLM, OpenAILLM, Reply, Request, ScriptedLLM
    from notesmith.pipeline.report import RunReport
    from notesmith.checking.rules import Finding
    from notesmith.workspace import Workspace
