"""notesmith's OpenAILLM and ask_json against the live server's json_schema support."""

from __future__ import annotations

import json

from notesmith.llm import Request, ask_json
from notesmith.llm.jsonschema import validate
from notesmith.schemas import draft_schema, route_schema

SOURCES = ["S1", "S2"]


def _request(schema: dict, name: str, text: str) -> Request:
    return Request([{"role": "system", "content": "Answer with JSON."}, {"role": "user", "content": text}],
                   schema=schema, schema_name=name, purpose=name)


def test_draft_answer_is_schema_valid_and_cites_given_ids(llm, record):
    schema = draft_schema(SOURCES)
    data, replies = ask_json(llm, _request(schema, "article", "[S1] bees in March.\n\n[S2] a bike cable."))

    assert validate(data, schema) == []
    cited = [s for block in data["blocks"] for s in block["sources"]]
    assert set(cited) <= set(SOURCES)
    assert all(block["sources"] for block in data["blocks"] if block["type"] == "paragraph")
    reply = replies[-1]
    assert reply.format == "json_schema", f"the server took {reply.format}, not json_schema"
    assert llm.structured_format == "json_schema"
    assert reply.finish_reason == "stop"
    assert reply.usage.prompt_tokens > 0 and reply.usage.completion_tokens == len(reply.text.encode())
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
