"""notesmith's OpenAILLM and ask_json against the live server's json_schema support."""

from __future__ import annotations

import json

from notesmith.llm import Request, ask_json
from notesmith.llm.jsonschema import validate
from notesmith.pipeline.schemas import draft_schema, route_schema

SOURCES = ["S1", "S2"]


def _request(schema: dict, name: str, text: str) -> Request:
    return Request([{"role": "system", "content": "Answer with JSON."}, {"role": "user", "content": text}],
                   schema=schema, schema_name=name, purpose=name)


def test_draft_answer_is_schema_valid_and_cites_given_ids(llm, record):
    schema = draft_schema(SOURCES, 8)
    data, replies = ask_json(llm, _request(schema, "article", "[S1] bees in March.\n\n[S2] a bike cable."))

    assert validate(data, schema) == []
    cited = [e["source"] for block in data["blocks"] for e in block["evidence"]]
    assert set(cited) <= set(SOURCES)
    assert all(set(e) == {"source", "first_words", "last_words"} for block in data["blocks"] for e in block["evidence"])
    reply = replies[-1]
    assert reply.format == "json_schema", f"the server took {reply.format}, not json_schema"
    assert llm.structured_format == "json_schema"
    assert reply.finish_reason == "stop"
    # A byte a token; llama-server counts the end token too, llama-cpp-python does not.
    assert reply.usage.prompt_tokens > 0 and reply.usage.completion_tokens - len(reply.text.encode()) in (0, 1)
    record("draft answer", f"{reply.text} (format {reply.format}, {len(replies)} call(s), usage {reply.usage})")


def test_route_answer_uses_only_the_given_ids(llm, record):
    schema = route_schema(["S1"], ["A1", "A2"])
    data, replies = ask_json(llm, _request(schema, "routing", "[S1] bees.\n\nCandidates: [A1] Bees. [A2] Bikes."))

    assert validate(data, schema) == []
    for decision in data["decisions"]:
        assert decision["sources"] and set(decision["sources"]) <= {"S1"}
        assert decision["article"] in ("A1", "A2", None)
    assert replies[-1].format == "json_schema"
    assert json.loads(replies[-1].text) == data
    record("route answer", replies[-1].text)


def test_llama_cpp_python_server_gets_json_object_with_the_schema(py_url, live_model, n_ctx, tmp_path, record):
    """That server answers json_schema with an HTTP 500; notesmith steps down at once, no retries."""
    from notesmith.llm import OpenAILLM

    sleeps: list[float] = []
    llm = OpenAILLM(live_model, base_url=py_url, api_key="not-needed", context_tokens=n_ctx // 4,
                    capabilities_file=tmp_path / "caps.json", sleep=sleeps.append)
    schema = draft_schema(SOURCES, 8)
    data, replies = ask_json(llm, _request(schema, "article", "[S1] bees in March.\n\n[S2] a bike cable."))
    assert validate(data, schema) == []
    assert replies[-1].format == "json_object_schema" and llm.structured_format == "json_object_schema"
    assert sleeps == []
    record("llama-cpp-python via OpenAILLM", f"format {replies[-1].format}: {replies[-1].text}")
