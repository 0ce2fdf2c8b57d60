"""The small interface every model sits behind: a Request in, a Reply out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

# Formats a Reply can report: how the answer was actually asked for.
FORMATS = ("json_schema", "json_object", "plain", "text")

# English prose runs at about 4 characters per token, code and other scripts lower; dividing by
# 3.5 over-estimates slightly, which is the safe side for budgets.
CHARS_PER_TOKEN = 3.5
MESSAGE_OVERHEAD_TOKENS = 4


@dataclass(frozen=True)
class Usage:
    """Tokens spent by one call (or a sum of calls)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total(self) -> int:
        """Prompt and completion tokens together."""
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )

    def __radd__(self, other: Any) -> Usage:
        # Lets the builtin sum() start from 0.
        if other == 0:
            return self
        return NotImplemented


@dataclass(frozen=True)
class Request:
    """One question for the model: chat messages and, for a structured answer, a JSON Schema."""

    messages: list[dict] = field(default_factory=list)
    schema: dict | None = None
    schema_name: str = "answer"
    max_tokens: int | None = None  # a cap on the answer; the backend lowers it to what the context leaves
    purpose: str = ""


@dataclass(frozen=True)
class Reply:
    """One answer: its text, why it stopped, the tokens it cost and how it was asked for.

    `reasoning_tokens` is what a reasoning model spent thinking (0 when none or unknown).
    """

    text: str
    finish_reason: str
    usage: Usage
    model: str
    format: str
    reasoning_tokens: int = 0


@runtime_checkable
class LLM(Protocol):
    """Anything that can answer a Request: OpenAILLM, ScriptedLLM or your own."""

    name: str
    context_tokens: int

    def complete(self, request: Request) -> Reply:
        """Send one request and return the model's reply (no validation)."""
        ...


def estimate_tokens(text: str) -> int:
    """Estimate tokens from characters: ceil(len / 3.5), at least 1 for non-empty text."""
    if not text:
        return 0
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN))


def estimate_messages_tokens(messages: list[dict]) -> int:
    """Estimate the prompt tokens of chat messages, counting a small overhead per message."""
    return sum(estimate_tokens(str(m.get("content") or "")) + MESSAGE_OVERHEAD_TOKENS for m in messages)


def output_budget(context_tokens: int, messages: list[dict], *, reserve: int = 256) -> int:
    """Tokens left for the answer: the context minus the estimated prompt and a safety reserve."""
    return max(context_tokens - estimate_messages_tokens(messages) - reserve, 0)
