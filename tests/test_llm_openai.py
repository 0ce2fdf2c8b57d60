"""OpenAILLM through the real openai SDK against a real HTTP server on localhost."""

from __future__ import annotations

import json
import subprocess
import sys
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import openai
import pytest

from notesmith.errors import InvalidAnswer, ModelError, ModelUnavailable
from notesmith.llm import Request, Usage, ask_json
from notesmith.llm.openai_backend import OpenAILLM
from tests.fake_openai import DROP, Answer, Error, Hang

KEY = "sk-test-secret-key-0123456789"
SCHEMA = {
    "type": "object",
    "properties": {"action": {"type": "string", "enum": ["create", "update"]}},
    "required": ["action"],
    "additionalProperties": False,
}


def ask(purpose: str = "route") -> Request:
    return Request(
        messages=[{"role": "system", "content": "You route notes."}, {"role": "user", "content": "A note."}],
        schema=SCHEMA,
        schema_name="route",
        purpose=purpose,
    )


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make(fake, sleeps, **options) -> OpenAILLM:
    options.setdefault("retries", 3)
    return OpenAILLM("fake-model", base_url=fake.url, api_key=KEY, sleep=sleeps.append, **options)


def test_structured_answer_asks_for_json_schema(fake_openai, sleeps):
    fake_openai.queue(Answer('{"action": "create"}', usage={"prompt_tokens": 42, "completion_tokens": 7}))
    llm = make(fake_openai, sleeps, context_tokens=8000)
    data, replies = ask_json(llm, ask())
    assert data == {"action": "create"}
    body = fake_openai.requests[0]
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "route", "schema": SCHEMA, "strict": True},
    }
    assert body["model"] == "fake-model"
    assert body["messages"] == ask().messages
    assert 0 < body["max_tokens"] < 8000
    assert fake_openai.headers[0]["authorization"] == f"Bearer {KEY}"
    assert replies[0].format == "json_schema"
    assert replies[0].usage == Usage(42, 7)
    assert replies[0].finish_reason == "stop"
    assert sleeps == []


def test_refused_json_schema_falls_back_to_json_object_and_is_remembered(fake_openai, sleeps, tmp_path):
    caps = tmp_path / "state" / "capabilities.json"
    fake_openai.reject_formats = {"json_schema", "json_object+schema"}
    fake_openai.queue({"action": "create"}, {"action": "update"}, {"action": "create"})
    llm = make(fake_openai, sleeps, capabilities_file=caps)

    data, replies = ask_json(llm, ask())
    assert data == {"action": "create"}
    assert [r.get("response_format") for r in fake_openai.requests[:2]] == [
        {"type": "json_schema", "json_schema": {"name": "route", "schema": SCHEMA, "strict": True}},
        {"type": "json_object", "schema": SCHEMA},
    ]
    del fake_openai.requests[0]  # from here on as if the server had refused json_schema only once
    system = fake_openai.requests[1]["messages"][0]
    assert system["role"] == "system" and system["content"].startswith("You route notes.")
    assert json.dumps(SCHEMA, separators=(",", ":")) in system["content"]
    assert replies[0].format == "json_object"

    ask_json(llm, ask())
    assert fake_openai.requests[2]["response_format"] == {"type": "json_object"}

    again = make(fake_openai, sleeps, capabilities_file=caps)
    assert again.structured_format == "json_object"
    ask_json(again, ask())
    assert fake_openai.requests[3]["response_format"] == {"type": "json_object"}
    assert len(fake_openai.requests) == 4
    assert KEY not in caps.read_text()
    assert sleeps == []
    assert make(fake_openai, sleeps).structured_format == "json_schema"


def test_json_object_with_the_schema_attached_is_the_second_choice(fake_openai, sleeps, tmp_path):
    """llama.cpp style servers constrain decoding with {"type": "json_object", "schema": ...}."""
    caps = tmp_path / "caps.json"
    fake_openai.reject_formats = {"json_schema"}
    fake_openai.queue({"action": "create"}, {"action": "update"})
    llm = make(fake_openai, sleeps, capabilities_file=caps)
    _, replies = ask_json(llm, ask())
    assert replies[0].format == "json_object_schema"
    assert fake_openai.requests[1]["response_format"] == {"type": "json_object", "schema": SCHEMA}
    assert make(fake_openai, sleeps, capabilities_file=caps).structured_format == "json_object_schema"


def test_a_500_that_names_the_response_format_steps_down_without_retrying(fake_openai, sleeps):
    """llama-cpp-python's server refuses json_schema with an HTTP 500, not a 400."""
    fake_openai.queue(Error(500, "response_format: Input should be 'text' or 'json_object'"), {"action": "create"})
    data, replies = ask_json(make(fake_openai, sleeps), ask())
    assert data == {"action": "create"} and replies[0].format == "json_object_schema"
    assert sleeps == [] and len(fake_openai.requests) == 2


def test_json_with_raw_control_characters_in_strings_is_accepted(fake_openai, sleeps):
    fake_openai.queue('{"action": "cre\x1aate"}')  # a raw control character inside a string
    data, _ = ask_json(make(fake_openai, sleeps), Request(messages=[{"role": "user", "content": "x"}],
                                                          schema={"type": "object"}))
    assert data == {"action": "cre\x1aate"}


def test_server_refusing_both_formats_gets_plain_instructions(fake_openai, sleeps):
    fake_openai.reject_formats = {"json_schema", "json_object"}
    fake_openai.queue('{"action": "update"}')
    llm = make(fake_openai, sleeps)
    data, replies = ask_json(llm, ask())
    assert data == {"action": "update"}
    plain = fake_openai.requests[3]
    assert "response_format" not in plain
    assert "one JSON object only" in plain["messages"][0]["content"]
    assert '"enum":["create","update"]' in plain["messages"][0]["content"]
    assert replies[0].format == "plain"
    assert llm.structured_format == "plain"


def test_plain_request_without_system_message_gets_one(fake_openai, sleeps):
    fake_openai.reject_formats = {"json_schema", "json_object"}
    fake_openai.queue('{"action": "update"}')
    request = Request(messages=[{"role": "user", "content": "A note."}], schema=SCHEMA)
    ask_json(make(fake_openai, sleeps), request)
    messages = fake_openai.requests[-1]["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "JSON Schema" in messages[0]["content"]


def test_429_honours_retry_after_seconds(fake_openai, sleeps):
    fake_openai.queue(Error(429, "slow down", headers={"Retry-After": "7"}), {"action": "create"})
    data, _ = ask_json(make(fake_openai, sleeps), ask())
    assert data == {"action": "create"}
    assert sleeps == [7.0]
    assert len(fake_openai.requests) == 2


def test_429_honours_retry_after_date_capped_by_max_backoff(fake_openai, sleeps):
    soon = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    fake_openai.queue(
        Error(429, headers={"Retry-After": soon}),
        Error(429, headers={"Retry-After": "3600"}),
        {"action": "create"},
    )
    ask_json(make(fake_openai, sleeps, max_backoff=60), ask())
    assert 25 <= sleeps[0] <= 30
    assert sleeps[1] == 60


def test_503_is_retried_with_growing_backoff(fake_openai, sleeps):
    fake_openai.queue(Error(503, "overloaded"), Error(502, "bad gateway"), {"action": "create"})
    data, _ = ask_json(make(fake_openai, sleeps, backoff=2.0), ask())
    assert data == {"action": "create"}
    assert len(sleeps) == 2
    assert 1.0 <= sleeps[0] <= 2.0
    assert 2.0 <= sleeps[1] <= 4.0


def test_dropped_connection_is_retried(fake_openai, sleeps):
    fake_openai.queue(DROP, {"action": "update"})
    data, _ = ask_json(make(fake_openai, sleeps), ask())
    assert data == {"action": "update"}
    assert len(sleeps) == 1
    assert len(fake_openai.requests) == 2


def test_timeout_is_retried(fake_openai, sleeps):
    fake_openai.queue(Hang(1.0), {"action": "update"})
    data, _ = ask_json(make(fake_openai, sleeps, timeout=0.2), ask())
    assert data == {"action": "update"}
    assert len(sleeps) == 1


def test_retries_exhausted_raise_model_unavailable_without_the_key(fake_openai, sleeps, caplog):
    fake_openai.queue(*[Error(500, f"upstream broke near {KEY}") for _ in range(3)])
    llm = make(fake_openai, sleeps, retries=2)
    with pytest.raises(ModelUnavailable) as caught:
        llm.complete(ask())
    message = str(caught.value)
    assert "kept failing" in message and "HTTP 500" in message and "inbox" in message
    assert fake_openai.url in message
    assert KEY not in message and "upstream broke near ***" in message
    assert KEY not in caplog.text
    assert len(fake_openai.requests) == 3
    assert len(sleeps) == 2


def test_wrong_key_fails_at_once_and_says_what_to_set(fake_openai, sleeps):
    fake_openai.api_key = "sk-the-right-one-987654321"
    with pytest.raises(ModelUnavailable) as caught:
        make(fake_openai, sleeps).complete(ask())
    assert "OPENAI_API_KEY" in str(caught.value)
    assert KEY not in str(caught.value)
    assert len(fake_openai.requests) == 1
    assert sleeps == []


def test_unknown_model_names_the_model(fake_openai, sleeps):
    fake_openai.queue(Error(404, "The model `fake-model` does not exist"))
    with pytest.raises(ModelUnavailable) as caught:
        make(fake_openai, sleeps).complete(Request(messages=[{"role": "user", "content": "hi"}]))
    assert "'fake-model'" in str(caught.value) and "NOTESMITH_MODEL" in str(caught.value)
    assert sleeps == []


def test_other_client_errors_are_not_retried(fake_openai, sleeps):
    fake_openai.queue(Error(400, "messages[0].role is invalid"))
    with pytest.raises(ModelError) as caught:
        make(fake_openai, sleeps).complete(Request(messages=[{"role": "user", "content": "hi"}]))
    assert not isinstance(caught.value, ModelUnavailable)
    assert "messages[0].role is invalid" in str(caught.value)
    assert len(fake_openai.requests) == 1


def test_max_completion_tokens_is_used_when_the_model_asks_for_it(fake_openai, sleeps):
    fake_openai.queue(
        Error(400, "Unsupported parameter: 'max_tokens' is not supported with this model."
                   " Use 'max_completion_tokens' instead."),
        {"action": "create"},
        {"action": "update"},
    )
    llm = make(fake_openai, sleeps)
    ask_json(llm, ask())
    ask_json(llm, ask())
    first, second, third = fake_openai.requests
    assert "max_tokens" in first and "max_completion_tokens" not in first
    assert "max_completion_tokens" in second and "max_tokens" not in second
    assert "max_completion_tokens" in third
    assert second["response_format"]["type"] == "json_schema"


def test_cut_off_answer_is_re_asked_and_never_returned(fake_openai, sleeps):
    cut = '{"action": "cre'
    fake_openai.queue(Answer(cut, finish_reason="length"), {"action": "create"})
    data, replies = ask_json(make(fake_openai, sleeps), ask())
    assert data == {"action": "create"}
    assert [r.finish_reason for r in replies] == ["length", "stop"]
    second = json.dumps(fake_openai.requests[1]["messages"])
    assert "cut off" in second and cut not in second


def test_always_cut_off_raises_invalid_answer(fake_openai, sleeps):
    fake_openai.queue(*[Answer('{"action": "up', finish_reason="length") for _ in range(2)])
    with pytest.raises(InvalidAnswer) as caught:
        ask_json(make(fake_openai, sleeps), ask(), attempts=2)
    assert "cut off by the length limit" in str(caught.value)
    assert len(caught.value.replies) == 2


def test_invalid_answers_are_re_asked_with_the_errors_shown(fake_openai, sleeps):
    fake_openai.queue("Sure! Here it is: {oops", {"action": "delete"}, {"action": "update"})
    data, replies = ask_json(make(fake_openai, sleeps), ask())
    assert data == {"action": "update"}
    second, third = fake_openai.requests[1]["messages"], fake_openai.requests[2]["messages"]
    assert second[-2] == {"role": "assistant", "content": "Sure! Here it is: {oops"}
    assert "not valid JSON" in second[-1]["content"]
    assert "$.action: 'delete' is not one of ['create', 'update']" in third[-1]["content"]
    assert sum(r.usage for r in replies) == Usage(30, 15)


def test_missing_usage_is_estimated(fake_openai, sleeps):
    fake_openai.queue(Answer("a" * 35, usage=None))
    reply = make(fake_openai, sleeps).complete(Request(messages=[{"role": "user", "content": "b" * 70}]))
    assert reply.text == "a" * 35
    assert reply.format == "text"
    assert reply.usage.completion_tokens == 10
    assert reply.usage.prompt_tokens >= 20


def test_empty_content_is_returned_as_empty_text(fake_openai, sleeps):
    fake_openai.queue(Answer(None))
    reply = make(fake_openai, sleeps).complete(Request(messages=[{"role": "user", "content": "hi"}]))
    assert reply.text == "" and reply.finish_reason == "stop"


def test_given_client_has_sdk_retries_turned_off(fake_openai, sleeps):
    client = openai.OpenAI(base_url=fake_openai.url, api_key=KEY)  # SDK default: 2 retries
    fake_openai.queue(Error(500), {"action": "create"})
    llm = OpenAILLM("fake-model", client=client, retries=0, sleep=sleeps.append)
    with pytest.raises(ModelUnavailable):
        llm.complete(ask())
    assert len(fake_openai.requests) == 1


def test_prompt_larger_than_context_is_refused_before_sending(fake_openai, sleeps):
    llm = make(fake_openai, sleeps, context_tokens=1000)
    with pytest.raises(ModelError, match="does not fit"):
        llm.complete(Request(messages=[{"role": "user", "content": "x" * 10_000}], purpose="draft"))
    assert fake_openai.requests == []


def test_models_endpoint_lists_the_fake_model(fake_openai):
    client = openai.OpenAI(base_url=fake_openai.url, api_key=KEY, max_retries=0)
    assert [m.id for m in client.models.list()] == ["fake-model"]


def test_importing_the_llm_package_does_not_import_openai():
    code = "import sys, notesmith.llm; print('openai' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_an_endpoint_that_is_not_an_api_gets_a_clear_message(fake_openai, sleeps):
    fake_openai.queue(Error(200, body="<html>Welcome to the chat UI</html>"))
    with pytest.raises(ModelUnavailable, match="OPENAI_BASE_URL"):
        make(fake_openai, sleeps).complete(Request(messages=[{"role": "user", "content": "hi"}]))


def test_key_comes_from_the_environment_when_not_given(fake_openai, sleeps, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment-42")
    fake_openai.queue("hi")
    OpenAILLM("fake-model", base_url=fake_openai.url, sleep=sleeps.append).complete(
        Request(messages=[{"role": "user", "content": "hi"}])
    )
    assert fake_openai.headers[0]["authorization"] == "Bearer sk-from-the-environment-42"


def test_credentials_in_the_base_url_are_never_shown(fake_openai, sleeps, tmp_path):
    url = fake_openai.url.replace("http://", "http://user:hunter2@")
    caps = tmp_path / "caps.json"
    fake_openai.reject_formats = {"json_schema"}
    fake_openai.queue({"action": "create"})
    llm = OpenAILLM("fake-model", base_url=url, api_key=KEY, capabilities_file=caps, sleep=sleeps.append)
    ask_json(llm, ask())
    assert llm.base_url == fake_openai.url
    assert json.loads(caps.read_text()) == {fake_openai.url: {"fake-model": {"format": "json_object_schema"}}}
    fake_openai.queue(Error(500, f"cannot reach {url}"))
    with pytest.raises(ModelUnavailable) as caught:
        OpenAILLM("fake-model", base_url=url, api_key=KEY, retries=0).complete(ask())
    assert "hunter2" not in str(caught.value)
