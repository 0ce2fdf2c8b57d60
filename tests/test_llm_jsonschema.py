"""The mini JSON Schema validator: errors with JSON paths, for the subset notesmith uses."""

from __future__ import annotations

from notesmith.llm.jsonschema import validate

PARAGRAPH = {
    "type": "object",
    "properties": {
        "kind": {"const": "paragraph"},
        "text": {"type": "string", "minLength": 1},
        "sources": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["S1", "S2"]}},
    },
    "required": ["kind", "text", "sources"],
    "additionalProperties": False,
}
HEADING = {
    "type": "object",
    "properties": {"kind": {"const": "heading"}, "text": {"type": "string"}, "level": {"type": "integer"}},
    "required": ["kind", "text"],
    "additionalProperties": False,
}
DRAFT = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 20},
        "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
        "blocks": {"type": "array", "items": {"anyOf": [HEADING, PARAGRAPH]}},
    },
    "required": ["title", "blocks"],
    "additionalProperties": False,
}


def draft(**changes):
    data = {
        "title": "Notes",
        "blocks": [
            {"kind": "heading", "text": "Start", "level": 2},
            {"kind": "paragraph", "text": "One.", "sources": ["S1"]},
            {"kind": "paragraph", "text": "Two.", "sources": ["S2", "S1"]},
        ],
    }
    data.update(changes)
    return data


def test_valid_instance_has_no_errors():
    assert validate(draft(), DRAFT) == []


def test_unknown_source_is_reported_with_its_path():
    data = draft()
    data["blocks"][2]["sources"][0] = "S9"
    assert validate(data["blocks"][2], PARAGRAPH) == ["$.sources[0]: 'S9' is not one of ['S1', 'S2']"]
    assert validate(data, DRAFT) == [
        "$.blocks[2]: matches none of the 2 allowed forms (closest: $.blocks[2].sources[0]: 'S9' is not one of ['S1', 'S2'])"
    ]


def test_missing_and_unexpected_properties():
    errors = validate({"blocks": [], "summary": "x"}, DRAFT)
    assert errors == [
        "$: missing required property 'title'",
        "$: unexpected property 'summary' (allowed: title, tags, blocks)",
    ]


def test_types_distinguish_booleans_and_accept_whole_floats_as_integers():
    assert validate(True, {"type": "integer"}) == ["$: expected integer, got boolean"]
    assert validate(3.0, {"type": "integer"}) == []
    assert validate(3.5, {"type": "integer"}) == ["$: expected integer, got number"]
    assert validate(2, {"type": "number"}) == []
    assert validate(None, {"type": ["string", "null"]}) == []
    assert validate([], {"type": "object"}) == ["$: expected object, got array"]


def test_lengths_and_item_counts():
    errors = validate(draft(title="", tags=["a", "b", "c"]), DRAFT)
    assert errors == [
        "$.title: expected at least 1 character, got 0",
        "$.tags: expected at most 2 items, got 3",
    ]
    assert validate(draft(title="x" * 21), DRAFT) == ["$.title: expected at most 20 characters, got 21"]
    assert validate({"kind": "paragraph", "text": "t", "sources": []}, PARAGRAPH) == [
        "$.sources: expected at least 1 item, got 0"
    ]


def test_const_and_enum_compare_like_json():
    assert validate("para", {"const": "paragraph"}) == ["$: expected 'paragraph', got 'para'"]
    assert validate(True, {"enum": [1, 2]}) == ["$: True is not one of [1, 2]"]
    assert validate(1.0, {"enum": [1, 2]}) == []


def test_one_of_needs_exactly_one_match():
    schema = {"oneOf": [{"type": "integer"}, {"type": "number"}]}
    assert validate(1.5, schema) == []
    assert validate(2, schema) == ["$: matches 2 of the allowed forms, expected exactly one"]
    assert validate("x", schema)[0].startswith("$: matches none of the 2 allowed forms")


def test_odd_keys_and_additional_property_schemas():
    schema = {"type": "object", "additionalProperties": {"type": "integer"}}
    assert validate({"a b": "x", "ok": 1}, schema) == ["$['a b']: expected integer, got string"]
