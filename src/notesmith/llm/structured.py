"""Ask for a JSON answer, check it, and re-ask with the errors shown until it is valid.

A re-ask is the original messages unchanged (so a server's prompt cache keeps them) followed by
the last answer and its errors only: earlier failed attempts are not sent again, and an answer too
long to be worth re-reading is replaced by a note of its size. A model that gives the same failed
answer twice is not asked a third time: at temperature 0 it would give it again.

An answer cut off by the length limit is a failure, unless the caller knows how to keep what was
complete in it (`salvage`): a routing answer whose model kept talking in a decision's explanation
has already made every decision. parse_cut_json reads such an answer and marks what the cut left
unfinished, so a salvage function never mistakes a cut value for a whole one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from notesmith.errors import AnswerCutOff, InvalidAnswer
from notesmith.llm.base import LLM, Reply, Request
from notesmith.llm.jsonschema import validate as validate_schema

CUT_OFF = "answer was cut off by the length limit"
EMPTY = "empty answer"
MAX_ERRORS_SHOWN = 10
# A failed answer longer than this (characters) is not sent back with its errors: the errors name
# the paths and values that were wrong, and the prompt stays small.
MAX_ANSWER_SHOWN = 4000

_FENCE = re.compile(r"```(?:json|JSON)?[ \t]*\n(.*?)```", re.DOTALL)


def ask_json(
    llm: LLM,
    request: Request,
    *,
    validate: Callable[[Any], list[str]] | None = None,
    attempts: int = 3,
    salvage: Callable[[Any], Any] | None = None,
) -> tuple[Any, list[Reply]]:
    """Return the first valid JSON answer (parsed) and every reply it took; raise InvalidAnswer.

    A reply cut off by the length limit or empty is a failure, never content. Each failure is
    re-asked with the errors shown to the model, up to `attempts` calls in total. The
    InvalidAnswer raised at the end carries `.replies` (for usage) and `.errors`; it is an
    AnswerCutOff when the last answer was cut off by the length limit or empty.

    `salvage`, when given, receives what parse_cut_json read from an answer the length limit cut
    off and returns the answer to keep (it is then checked like any other) or None.
    """
    replies: list[Reply] = []
    messages = list(request.messages)
    errors: list[str] = []
    for _ in range(max(attempts, 1)):
        reply = llm.complete(replace(request, messages=messages))
        replies.append(reply)
        if _thought_only(reply):
            raise _invalid(
                f"{reply.model} spent its answer on reasoning ({reply.reasoning_tokens} tokens) and wrote no"
                f" {request.purpose or 'answer'}; use a model without reasoning, or turn its reasoning"
                " effort down or off at the endpoint",
                replies, [THOUGHT_ONLY])
        data, errors = _judge(reply, request, validate, salvage)
        if not errors:
            return data, replies
        if len(replies) > 1 and reply.text == replies[-2].text:
            break
        messages = list(request.messages) + _feedback(reply, errors)
    shown = "; ".join(errors[:MAX_ERRORS_SHOWN])
    repeated = " (the same answer twice)" if len(replies) > 1 and replies[-1].text == replies[-2].text else ""
    raise _invalid(
        f"the model's {request.purpose or 'answer'} stayed invalid after {len(replies)} attempts{repeated}: {shown};"
        " try a larger model or a smaller input",
        replies, errors)


THOUGHT_ONLY = "the model spent its answer on reasoning"


def _thought_only(reply: Reply) -> bool:
    """A reasoning model that thought until the limit, or thought and then said nothing."""
    return reply.reasoning_tokens > 0 and (reply.finish_reason == "length" or not reply.text.strip())


def _invalid(message: str, replies: list[Reply], errors: list[str]) -> InvalidAnswer:
    # Cut off or empty at the last try: the unit was too big for the answer budget; a smaller one may do.
    kind = AnswerCutOff if errors in ([CUT_OFF], [EMPTY]) else InvalidAnswer
    return kind(message, replies=replies, errors=errors)


def parse_json(text: str, *, want: str = "object") -> Any:
    """Parse JSON from a model's text, tolerating a fenced block or prose around it."""
    text = text.strip()
    try:
        return json.loads(text, strict=False)
    except ValueError as first_error:
        fenced = _FENCE.search(text)
        if fenced:
            try:
                return json.loads(fenced.group(1), strict=False)
            except ValueError:
                pass
        found = _first_embedded(text, "[" if want == "array" else "{")
        if found is not None:
            return found
        raise first_error


def _judge(
    reply: Reply, request: Request, validate: Callable[[Any], list[str]] | None,
    salvage: Callable[[Any], Any] | None = None,
) -> tuple[Any, list[str]]:
    if reply.finish_reason == "length":
        kept = salvage(parse_cut_json(reply.text)) if salvage is not None else None
        if kept is None or _check(kept, request, validate):
            return None, [CUT_OFF]
        return kept, []
    if not reply.text.strip():
        return None, [EMPTY]
    want = "array" if (request.schema or {}).get("type") == "array" else "object"
    try:
        data = parse_json(reply.text, want=want)
    except ValueError as exc:
        return None, [f"answer is not valid JSON: {exc}"]
    return data, _check(data, request, validate)


def _check(data: Any, request: Request, validate: Callable[[Any], list[str]] | None) -> list[str]:
    errors = validate_schema(data, request.schema) if request.schema else []
    if not errors and validate is not None:
        errors = list(validate(data))
    return errors


def _feedback(reply: Reply, errors: list[str]) -> list[dict]:
    if errors == [CUT_OFF]:
        # The cut text is not worth sending back: ask for a shorter answer instead.
        return [{"role": "user", "content": "Your answer was cut off by the length limit. "
                 "Answer again with shorter JSON that follows the schema."}]
    if errors == [EMPTY]:
        return [{"role": "user", "content": "Your answer was empty. Answer with JSON that follows the schema."}]
    listed = "\n".join(f"- {e}" for e in errors[:MAX_ERRORS_SHOWN])
    more = f"\n- ... and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > MAX_ERRORS_SHOWN else ""
    if len(reply.text) > MAX_ANSWER_SHOWN:
        return [{"role": "user", "content": f"Your answer ({len(reply.text)} characters, not repeated here) was"
                 f" invalid:\n{listed}{more}\nAnswer again with JSON that follows the schema."}]
    return [
        {"role": "assistant", "content": reply.text},
        {"role": "user", "content": f"Your answer was invalid:\n{listed}{more}\n"
         "Answer again with JSON that follows the schema."},
    ]


def _first_embedded(text: str, opener: str) -> Any:
    decoder = json.JSONDecoder(strict=False)
    start = text.find(opener)
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
            return value
        except ValueError:
            start = text.find(opener, start + 1)
    return None


class Cut(str):
    """A string the length limit cut off mid-way."""


class CutList(list):
    """An array the length limit left open (its last item may be missing)."""


class CutDict(dict):
    """An object the length limit left open (its last members may be missing)."""


def is_cut(value: Any) -> bool:
    return isinstance(value, (Cut, CutList, CutDict))


def parse_cut_json(text: str) -> Any:
    """Read the JSON value a cut-off answer began, as far as it goes; None when there is none.

    Strings cut mid-way come back as Cut, arrays and objects left open as CutList and CutDict; a
    key, number or literal cut mid-way is left out. Whole values are plain str, list, dict.
    """
    starts = [i for i in (text.find("{"), text.find("[")) if i != -1]
    if not starts:
        return None
    reader = _CutReader(text, min(starts))
    try:
        value, _ = reader.value()
    except ValueError:  # not JSON even as far as it goes
        return None
    return None if value is _MISSING else value


_MISSING = object()
_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


class _CutReader:
    """A JSON reader that stops, without failing, where the text stops."""

    def __init__(self, text: str, start: int):
        self.text, self.at = text, start

    def _end(self) -> bool:
        while self.at < len(self.text) and self.text[self.at] in " \t\r\n":
            self.at += 1
        return self.at >= len(self.text)

    def value(self) -> tuple[Any, bool]:
        """The value at the reading point and whether it was whole."""
        if self._end():
            return _MISSING, False
        char = self.text[self.at]
        if char == "{":
            return self._members()
        if char == "[":
            return self._items()
        if char == '"':
            return self._string()
        found = _SCALAR.match(self.text, self.at)
        if found is None:
            rest = self.text[self.at:]
            if any(word.startswith(rest) for word in ("true", "false", "null")) or re.fullmatch(r"-[\d.]*", rest):
                self.at = len(self.text)  # a literal cut mid-way
                return _MISSING, False
            raise ValueError(f"unexpected {char!r} at {self.at}")
        self.at = found.end()
        if self._end() and found.group()[0] not in "tfn":  # a number at the very end may be cut
            return _MISSING, False
        return json.loads(found.group()), True

    def _string(self) -> tuple[str, bool]:
        try:
            value, self.at = json.decoder.scanstring(self.text, self.at + 1, False)
            return value, True
        except ValueError:
            raw = re.sub(r"\\(u[0-9a-fA-F]{0,3})?$", "", self.text[self.at + 1:])  # an escape cut mid-way
            self.at = len(self.text)
            try:
                return Cut(json.loads(f'"{raw}"', strict=False)), False
            except ValueError:
                return Cut(raw), False

    def _items(self) -> tuple[list, bool]:
        self.at += 1
        items: list = []
        while not self._end():
            char = self.text[self.at]
            if char == "]":
                self.at += 1
                return items, True
            if char == ",":
                self.at += 1
                continue
            item, whole = self.value()
            if item is not _MISSING:
                items.append(item)
            if not whole:
                break
        return CutList(items), False

    def _members(self) -> tuple[dict, bool]:
        self.at += 1
        members: dict = {}
        while not self._end():
            char = self.text[self.at]
            if char == "}":
                self.at += 1
                return members, True
            if char == ",":
                self.at += 1
                continue
            if char != '"':
                raise ValueError(f"expected a key at {self.at}")
            key, whole = self._string()
            if not whole or self._end():
                break
            if self.text[self.at] != ":":
                raise ValueError(f"expected ':' at {self.at}")
            self.at += 1
            item, whole = self.value()
            if item is not _MISSING:
                members[key] = item
            if not whole:
                break
        return CutDict(members), False
