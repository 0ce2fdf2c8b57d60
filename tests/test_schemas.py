"""The answer schemas stay inside what strict structured-output servers accept."""

from __future__ import annotations

import datetime as dt

from notesmith.pipeline.draft_model import draft_new_with_model
from notesmith.inputs.reading import Input
from notesmith.llm import ScriptedLLM
from notesmith.llm.jsonschema import validate
from notesmith.pipeline.prompts import Prompts
from notesmith.pipeline.schemas import (MIN_BLOCKS, WORDS_PER_BLOCK, draft_schema, max_blocks, quotes_schema,
                                        route_schema, update_schema)

SCHEMAS = [draft_schema(["S1", "S2"], 8), route_schema(["S1"], ["A1", "A2"]), route_schema(["S1"], []),
           update_schema(["S1"], ["sec1"], 8), quotes_schema(["Q1", "Q2"], ["S1", "S2"])]
# Refused by OpenAI's strict mode, or dropped by grammar converters (llama.cpp, llama-cpp-python).
UNSUPPORTED_BY_OPENAI_STRICT = {"minLength", "maxLength", "default", "examples", "format", "pattern",
                                "oneOf", "allOf", "$ref", "not", "if"}


def walk(schema):
    yield schema
    for value in schema.get("properties", {}).values():
        yield from walk(value)
    if isinstance(schema.get("items"), dict):
        yield from walk(schema["items"])
    for option in schema.get("anyOf", []):
        yield from walk(option)


def test_every_object_is_closed_and_requires_all_its_properties():
    for schema in SCHEMAS:
        for node in walk(schema):
            assert not UNSUPPORTED_BY_OPENAI_STRICT & set(node), node
            if node.get("type") == "object":
                assert node["additionalProperties"] is False
                assert sorted(node["required"]) == sorted(node["properties"])


def test_no_enum_sits_beside_a_type_list():
    # llama-cpp-python's converter reads {"type": ["string", "null"], "enum": [...]} as `string | null`.
    for schema in SCHEMAS:
        for node in walk(schema):
            assert not ("enum" in node and isinstance(node.get("type"), list)), node
            assert not isinstance(node.get("type"), list), node
            assert node.get("enum") != [], node


def test_sources_can_only_name_the_ids_given():
    block = draft_schema(["S1", "S2"], 8)["properties"]["blocks"]["items"]
    evidence = block["properties"]["evidence"]["items"]
    assert evidence["properties"]["source"]["enum"] == ["S1", "S2"]
    assert evidence["required"] == ["source", "first_words", "last_words"]
    assert evidence["properties"]["first_words"] == {"type": "string"}  # no length limits: strict servers refuse them
    update = update_schema(["S1"], ["sec1"], 8)["properties"]["edits"]["items"]["properties"]["blocks"]["items"]
    assert update["properties"]["evidence"]["items"]["properties"]["source"]["enum"] == ["S1"]
    for schema in (draft_schema(["S1", "S2"], 8), update_schema(["S1", "S2"], ["sec1"], 8)):
        aside = schema["properties"]["instructions"]["items"]
        assert aside["required"] == ["text", "source", "first_words", "last_words"]
        assert aside["properties"]["source"]["enum"] == ["S1", "S2"]
    quote = quotes_schema(["Q1"], ["S1", "S2"])["properties"]["passages"]["items"]["properties"]
    assert quote["item"]["enum"] == ["Q1"] and quote["source"]["enum"] == ["S1", "S2"]
    decision = route_schema(["S1"], ["A1"])["properties"]["decisions"]["items"]
    assert decision["properties"]["article"] == {"anyOf": [{"type": "string", "enum": ["A1"]}, {"type": "null"}]}
    no_articles = route_schema(["S1"], [])["properties"]["decisions"]["items"]
    assert no_articles["properties"]["article"] == {"type": "null"}


def test_an_article_id_outside_the_list_is_named_in_the_error():
    schema = route_schema(["S1"], ["A1", "A2"])
    answer = {"decisions": [{"action": "update", "sources": ["S1"], "article": "Tom_R", "title": "", "reason": ""}],
              "instructions": [], "search": []}
    assert validate(answer, schema) == ["$.decisions[0].article: 'Tom_R' is not one of ['A1', 'A2', None]"]
    answer["decisions"][0]["article"] = None
    assert validate(answer, schema) == []
    answer["decisions"][0]["article"] = "A2"
    assert validate(answer, schema) == []


def test_an_empty_title_or_paragraph_is_re_asked_with_the_error_shown(tmp_path):
    text = "Bikes need oil every month, and the chain wants a rag after rain."
    (tmp_path / "n.txt").write_text(text + "\n", encoding="utf-8")
    item = Input("n.txt", "message", dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc), None,
                 text, {}, tmp_path / "n.txt", "0" * 64)
    evidence = [{"source": "S1", "first_words": "Bikes need oil every month", "last_words": "a rag after rain"}]
    bad = {"title": " ", "tags": [], "description": "", "instructions": [],
           "blocks": [{"type": "paragraph", "text": "", "level": 2, "evidence": evidence},
                      {"type": "paragraph", "text": "Oil it.", "level": 2, "evidence": []}]}
    good = {"title": "Bike care", "tags": ["bikes"], "description": "How we oil bikes.", "instructions": [],
            "blocks": [{"type": "paragraph", "text": "Bikes need oil.", "level": 2, "evidence": evidence}]}
    llm = ScriptedLLM([bad, good])
    drafted = draft_new_with_model(llm, Prompts(), [item], "Bikes", "en")
    assert drafted.content.title == "Bike care"
    retry = llm.requests[1].messages[-1]["content"]
    assert "$.title: give the article a title" in retry and "$.blocks[0]: the text is empty" in retry
    assert "$.blocks[1]: a paragraph must list in evidence the passages" in retry
    assert len(llm.requests) == 2  # the quote was found: nothing is asked again
    assert drafted.content.blocks[0].evidence[0].anchor.lines == (1, 1)


def test_lists_a_model_could_repeat_without_end_are_bounded():
    route = route_schema(["S1", "S2"], ["A1"])
    decisions = route["properties"]["decisions"]
    assert decisions["maxItems"] == 2 and decisions["items"]["properties"]["sources"]["maxItems"] == 2
    draft = draft_schema(["S1", "S2", "S3"], 8)
    evidence = draft["properties"]["blocks"]["items"]["properties"]["evidence"]
    assert evidence["maxItems"] == 6  # two passages of each source at most
    item = {"source": "S1", "first_words": "a b", "last_words": "c d"}
    looping = {"title": "t", "tags": [], "description": "d", "instructions": [],
               "blocks": [{"type": "paragraph", "text": "x", "level": 2, "evidence": [item] * 7}]}
    assert validate(looping, draft) == ["$.blocks[0].evidence: expected at most 6 items, got 7"]
    # The same paragraph again and again: blocks are bounded by the size of the sources.
    paragraph = {"type": "paragraph", "text": "x", "level": 2, "evidence": [item]}
    assert validate({**looping, "blocks": [paragraph] * 9}, draft) == ["$.blocks: expected at most 8 items, got 9"]
    update = update_schema(["S1"], ["sec1"], 5)["properties"]["edits"]
    assert update["maxItems"] == 5 and update["items"]["properties"]["blocks"]["maxItems"] == 5


def test_blocks_are_bounded_by_the_words_of_the_sources():
    assert max_blocks("") == max_blocks("one short note") == MIN_BLOCKS
    assert max_blocks("word " * (WORDS_PER_BLOCK * 10)) == 10
    assert max_blocks("word " * (WORDS_PER_BLOCK * 10 + 1)) == 11
    assert max_blocks("word " * 20_000) == 20_000 // WORDS_PER_BLOCK  # a long transcript is not squeezed
    for schema in SCHEMAS:
        for node in walk(schema):
            if node.get("type") == "array":
                assert "maxItems" in node, node
