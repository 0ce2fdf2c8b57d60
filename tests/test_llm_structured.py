"""ask_json: JSON extraction, validation and re-asking, with a scripted model."""

from __future__ import annotations

import pytest

from notesmith.errors import AnswerCutOff, InvalidAnswer
from notesmith.llm import Reply, Request, ScriptedLLM, Usage, ask_json, estimate_tokens, parse_json
from notesmith.llm.base import output_budget
from notesmith.llm.structured import Cut, CutDict, CutList, is_cut, parse_cut_json

SCHEMA = {
    "type": "object",
    "properties": {"ids": {"type": "array", "items": {"enum": ["S1", "S2"]}}},
    "required": ["ids"],
}
REQUEST = Request(messages=[{"role": "user", "content": "cite"}], schema=SCHEMA, purpose="draft")


def test_parse_json_tolerates_fences_and_prose():
    assert parse_json('```json\n{"a": 1}\n```') == {"a": 1}
    assert parse_json('Here you go:\n{"a": {"b": [1]}} hope it helps {x}') == {"a": {"b": [1]}}
    assert parse_json("I think [1] is right: [2, 3]", want="array") == [1]
    with pytest.raises(ValueError):
        parse_json("no json here")


def test_valid_first_answer_is_returned_with_its_reply():
    llm = ScriptedLLM(['Sure:\n```json\n{"ids": ["S2"]}\n```'])
    data, replies = ask_json(llm, REQUEST)
    assert data == {"ids": ["S2"]} and len(replies) == 1
    assert llm.requests[0].messages == REQUEST.messages


def test_callback_errors_are_shown_to_the_model():
    def no_duplicates(data):
        return ["$.ids: S1 is cited twice"] if data["ids"].count("S1") > 1 else []

    llm = ScriptedLLM([{"ids": ["S1", "S1"]}, {"ids": ["S1"]}])
    data, replies = ask_json(llm, REQUEST, validate=no_duplicates)
    assert data == {"ids": ["S1"]} and len(replies) == 2
    feedback = llm.requests[1].messages
    assert feedback[1] == {"role": "assistant", "content": '{"ids": ["S1", "S1"]}'}
    assert "Your answer was invalid:\n- $.ids: S1 is cited twice" in feedback[2]["content"]
    assert "Answer again with JSON that follows the schema." in feedback[2]["content"]


def test_callback_runs_only_on_schema_valid_data():
    seen = []
    llm = ScriptedLLM([{"ids": "S1"}, {"ids": ["S1"]}])
    ask_json(llm, REQUEST, validate=lambda data: seen.append(data) or [])
    assert seen == [{"ids": ["S1"]}]


def test_empty_and_cut_off_answers_are_failures_never_content():
    cut = Reply('{"ids": ["S1"]}', "length", Usage(5, 5), "m", "json_schema")
    llm = ScriptedLLM(["", cut, "   "])
    with pytest.raises(InvalidAnswer) as caught:
        ask_json(llm, REQUEST)
    assert "empty answer" in str(caught.value)
    assert "draft" in str(caught.value)
    # Each re-ask is the original messages and the last failure only.
    assert [m["content"] for m in llm.requests[1].messages[1:]] == [
        "Your answer was empty. Answer with JSON that follows the schema.",
    ]
    assert [m["content"] for m in llm.requests[2].messages[1:]] == [
        "Your answer was cut off by the length limit. Answer again with shorter JSON that follows the schema.",
    ]
    assert len(caught.value.replies) == 3
    assert sum(r.usage for r in caught.value.replies).total > 10


def test_attempts_bound_the_calls():
    llm = ScriptedLLM([{"ids": [f"S{n}"]} for n in range(3, 8)])
    with pytest.raises(InvalidAnswer, match="after 2 attempts: \\$.ids\\[0\\]: 'S4' is not one of"):
        ask_json(llm, REQUEST, attempts=2)
    assert len(llm.requests) == 2


def test_estimates_and_budget():
    assert estimate_tokens("") == 0
    assert estimate_tokens("a") == 1
    assert estimate_tokens("a" * 35) == 10
    messages = [{"role": "user", "content": "a" * 350}]
    assert output_budget(1000, messages) == 1000 - (100 + 4) - 256
    assert output_budget(100, messages) == 0
    assert Usage(1, 2) + Usage(3, 4) == Usage(4, 6) and Usage(4, 6).total == 10


def test_a_re_ask_keeps_the_original_messages_first_and_only_the_last_answer():
    llm = ScriptedLLM([{"ids": ["S3"]}, {"ids": ["S4"]}, {"ids": ["S1"]}])
    data, _ = ask_json(llm, REQUEST)
    assert data == {"ids": ["S1"]}
    third = llm.requests[2].messages
    assert third[: len(REQUEST.messages)] == REQUEST.messages  # a stable prefix for the server's prompt cache
    assert [m["role"] for m in third] == ["user", "assistant", "user"]
    assert third[1]["content"] == '{"ids": ["S4"]}' and "S3" not in str(third)
    assert "'S4' is not one of ['S1', 'S2']" in third[2]["content"]


def test_a_long_failed_answer_is_not_sent_back():
    rambling = {"ids": ["S9"], "note": "word " * 2000}
    llm = ScriptedLLM([rambling, {"ids": ["S1"]}])
    ask_json(llm, REQUEST)
    second = llm.requests[1].messages
    assert [m["role"] for m in second] == ["user", "user"]
    assert "word word" not in second[1]["content"]
    assert "characters, not repeated here" in second[1]["content"] and "'S9' is not one of" in second[1]["content"]


@pytest.mark.parametrize("text, finish", [("", "stop"), ('{"ids": [', "length")])
def test_a_reasoning_model_that_only_thought_fails_at_once_saying_what_to_change(text, finish):
    thought = Reply(text, finish, Usage(50, 4000), "thinker", "json_schema", reasoning_tokens=3990)
    llm = ScriptedLLM([thought, {"ids": ["S1"]}])
    with pytest.raises(InvalidAnswer) as caught:
        ask_json(llm, REQUEST)
    assert len(llm.requests) == 1  # re-asking with the same budget would think again
    message = str(caught.value)
    assert "thinker spent its answer on reasoning (3990 tokens) and wrote no draft" in message
    assert "model without reasoning" in message and "cut off" not in message


def test_the_same_failed_answer_twice_is_not_asked_a_third_time():
    cut = Reply('{"ids": ["S1", "S1", "S1"', "length", Usage(5, 5), "m", "json_schema")
    llm = ScriptedLLM([cut, cut, {"ids": ["S1"]}])
    with pytest.raises(InvalidAnswer, match="after 2 attempts \\(the same answer twice\\): answer was cut off"):
        ask_json(llm, REQUEST, attempts=3)
    assert len(llm.requests) == 2


def test_a_cut_off_answer_is_read_as_far_as_it_goes_with_what_was_cut_marked():
    data = parse_cut_json('{"items": [{"id": "S1", "note": "whole"}, {"id": "S2", "note": "the model kept go')
    assert type(data) is CutDict and type(data["items"]) is CutList
    whole, cut = data["items"]
    assert type(whole) is dict and type(whole["note"]) is str
    assert type(cut) is CutDict and type(cut["note"]) is Cut and cut["note"] == "the model kept go"
    assert parse_cut_json('{"a": [1, 2') == {"a": [1]}  # a number at the very end may be cut: left out
    assert parse_cut_json('{"a": tr') == {} and parse_cut_json('{"a": "x\\u00') == {"a": "x"}
    assert parse_cut_json('{"a": true}') == {"a": True} and not is_cut(parse_cut_json('{"a": true}'))
    assert parse_cut_json("no json at all") is None and parse_cut_json('{"a": x') is None


def test_a_salvage_keeps_what_a_cut_answer_finished_and_it_is_checked_like_any_answer():
    def finished(data):
        return {"ids": [i for i in data.get("ids", []) if not is_cut(i)]} if isinstance(data, dict) else None

    cut = Reply('{"ids": ["S2", "S1", "S', "length", Usage(10, 5), "m", "json_schema")
    data, replies = ask_json(ScriptedLLM([cut]), REQUEST, salvage=finished)
    assert data == {"ids": ["S2", "S1"]} and len(replies) == 1
    # What the salvage keeps must still pass the schema: otherwise the answer was cut off, as before.
    bad = Reply('{"ids": ["S9", "S', "length", Usage(10, 5), "m", "json_schema")
    with pytest.raises(AnswerCutOff):
        ask_json(ScriptedLLM([bad, bad]), REQUEST, salvage=finished, attempts=2)
