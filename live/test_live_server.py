"""The live servers through the plain openai SDK: text, usage, length cut-offs, speed, string lengths."""

from __future__ import annotations

import json
import time

from notesmith.errors import InvalidAnswer
from notesmith.llm import Request, ask_json
from notesmith.llm.structured import CUT_OFF
from notesmith.pipeline.schemas import draft_schema

EOS_TOKEN_ID = "257"  # make_tiny_model.EOS


def _chat(client, model, content="Say something.", **kw):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": content}], **kw)


def _server(request) -> str:
    return request.node.callspec.params["any_client"]


def test_plain_chat_returns_text_and_usage(any_client, live_model, record, request):
    started = time.monotonic()
    response = _chat(any_client, live_model, max_tokens=64)
    seconds = time.monotonic() - started

    choice = response.choices[0]
    assert choice.message.content and choice.message.content.strip(), response
    assert choice.finish_reason == "stop", response
    assert response.usage.prompt_tokens > len("Say something.")  # byte tokens plus the chat template
    assert 0 < response.usage.completion_tokens < 64
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens
    usage = (response.usage.prompt_tokens, response.usage.completion_tokens)
    record(f"plain chat, {_server(request)}", f"{choice.message.content!r} in {seconds:.2f} s, usage {usage}")


def test_generation_speed(any_client, live_model, record, request):
    # With its end token banned the model never stops by itself: it runs to max_tokens.
    prompt = "word " * 400
    started = time.monotonic()
    response = _chat(any_client, live_model, prompt, max_tokens=400, logit_bias={EOS_TOKEN_ID: -100})
    seconds = time.monotonic() - started

    assert response.choices[0].finish_reason == "length"
    assert response.usage.completion_tokens == 400
    assert response.usage.prompt_tokens >= 2000
    rate = (response.usage.prompt_tokens + response.usage.completion_tokens) / seconds
    record(f"speed, {_server(request)}", f"{response.usage.prompt_tokens} prompt + 400 completion tokens"
                                         f" in {seconds:.2f} s = {rate:.0f} tokens/s overall")


def test_tiny_max_tokens_is_cut_off_and_never_content(client, live_model, llm, record):
    schema = draft_schema(["S1", "S2"], 8)
    raw = _chat(client, live_model, "Draft an article.", max_tokens=4,
                response_format={"type": "json_schema", "json_schema": {"name": "article", "schema": schema}})
    assert raw.choices[0].finish_reason == "length", raw
    assert raw.usage.completion_tokens == 4
    text = raw.choices[0].message.content or ""
    assert text.startswith("{") and len(text) <= 4, text  # a byte a token: a cut-off start of JSON

    request = Request([{"role": "user", "content": "Draft an article about [S1] and [S2]."}], schema=schema,
                      schema_name="article", max_tokens=4, purpose="article")
    reply = llm.complete(request)
    assert (reply.finish_reason, reply.format) == ("length", "json_schema")
    assert reply.usage.completion_tokens == 4
    try:
        ask_json(llm, request)
    except InvalidAnswer as exc:
        assert exc.errors == [CUT_OFF]
        # The same cut-off answer twice: a third ask would get it again.
        assert [r.finish_reason for r in exc.replies] == ["length"] * 2
        assert "(the same answer twice)" in str(exc) and "cut off by the length limit" in str(exc)
    else:
        raise AssertionError("a reply cut off at 4 tokens was taken as an answer")
    record("cut-off answer", f"{text!r} finish_reason=length")


def test_schema_string_lengths_are_honoured(client, live_model, record):
    # Unconstrained, every free string of this model is "note"; the grammar must shorten or lengthen it.
    schema = {"type": "object", "additionalProperties": False, "required": ["short", "long"],
              "properties": {"short": {"type": "string", "maxLength": 2},
                             "long": {"type": "string", "minLength": 6, "maxLength": 8}}}
    # Greedy and seeded: sampled at the server's default temperature, the filler characters were
    # random, and now and then one broke llama-server's output parser (HTTP 500, "does not match
    # the expected peg-native format").
    response = _chat(client, live_model, "Fill in the fields.", max_tokens=64, temperature=0, seed=42,
                     response_format={"type": "json_schema", "json_schema": {"name": "lengths", "schema": schema}})

    assert response.choices[0].finish_reason == "stop", response
    data = json.loads(response.choices[0].message.content)
    assert len(data["short"]) <= 2, data
    assert 6 <= len(data["long"]) <= 8, data
    record("string lengths, llama-server", f"maxLength 2 / minLength 6 gave {data}")
