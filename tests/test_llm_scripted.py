"""ScriptedLLM answers from a script and records what it was asked."""

from __future__ import annotations

import pytest

from notesmith.errors import ModelUnavailable
from notesmith.llm import LLM, Reply, Request, ScriptedLLM, Usage


def test_answers_in_order_and_records_requests():
    done = Reply("{}", "length", Usage(1, 2), "m", "json_schema")
    llm = ScriptedLLM(["hello", {"a": "é"}, done], name="tiny", context_tokens=4096)
    first = Request(messages=[{"role": "user", "content": "one"}], purpose="route")
    second = Request(messages=[{"role": "user", "content": "two"}], schema={"type": "object"})
    a, b, c = llm.complete(first), llm.complete(second), llm.complete(first)
    assert (a.text, a.format, a.model, a.finish_reason) == ("hello", "text", "tiny", "stop")
    assert (b.text, b.format) == ('{"a": "é"}', "json_schema")
    assert c is done
    assert llm.requests == [first, second, first]
    assert isinstance(llm, LLM) and llm.context_tokens == 4096


def test_usage_is_estimated_from_characters():
    llm = ScriptedLLM(["x" * 7])
    reply = llm.complete(Request(messages=[{"role": "user", "content": "y" * 35}]))
    assert reply.usage == Usage(prompt_tokens=10 + 4, completion_tokens=2)


def test_exceptions_are_raised_and_callables_see_the_request():
    llm = ScriptedLLM([ModelUnavailable("down"), lambda request: request.purpose.upper()])
    with pytest.raises(ModelUnavailable):
        llm.complete(Request(messages=[]))
    assert llm.complete(Request(messages=[], purpose="draft")).text == "DRAFT"
    assert len(llm.requests) == 2


def test_running_out_of_script_is_a_clear_error():
    llm = ScriptedLLM(["only one"])
    llm.complete(Request(messages=[]))
    with pytest.raises(RuntimeError, match="ran out of replies at request 2 .*'update'"):
        llm.complete(Request(messages=[], purpose="update"))


def test_public_names_resolve():
    import notesmith.llm as llm

    assert llm.__all__ == sorted(llm.__all__)
    assert all(getattr(llm, name) is not None for name in llm.__all__)
    with pytest.raises(AttributeError):
        llm.NoSuchThing  # noqa: B018
