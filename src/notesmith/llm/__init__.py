"""The model layer: a small LLM interface, an OpenAI-compatible backend and a scripted fake.

`OpenAILLM` is imported lazily, so `import notesmith.llm` never imports the openai SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from notesmith.llm.base import LLM, Reply, Request, Usage, estimate_messages_tokens, estimate_tokens, output_budget
from notesmith.llm.scripted import ScriptedLLM
from notesmith.llm.structured import ask_json, parse_json

if TYPE_CHECKING:
    from notesmith.llm.openai_backend import OpenAILLM

__all__ = [
    "LLM",
    "OpenAILLM",
    "Reply",
    "Request",
    "ScriptedLLM",
    "Usage",
    "ask_json",
    "estimate_messages_tokens",
    "estimate_tokens",
    "output_budget",
    "parse_json",
]


def __getattr__(name: str) -> Any:
    if name == "OpenAILLM":
        from notesmith.llm.openai_backend import OpenAILLM

        return OpenAILLM
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
