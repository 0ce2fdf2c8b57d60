"""JSON Schemas for the model's answers; enums of the ids given in each prompt do the hard work.

Every object lists all its properties as required and forbids others, and no string has a length
limit, so servers with strict structured output (OpenAI's strict mode accepts no length
constraints) and grammar-constrained decoding accept the schemas as they are; what a schema
cannot say (no empty text) the caller's validation says.
"""

from __future__ import annotations


def _object(**properties: dict) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


def _ids(ids: list[str]) -> dict:
    return {"type": "string", "enum": list(ids)}


def evidence_schema(source_ids: list[str]) -> dict:
    """One passage of a source: its id, and its first and last words copied from it verbatim."""
    return _object(source=_ids(source_ids), first_words={"type": "string"}, last_words={"type": "string"})


def blocks_schema(source_ids: list[str]) -> dict:
    """A list of headings and paragraphs; a paragraph's evidence names the passages it was written from."""
    block = _object(
        type={"type": "string", "enum": ["heading", "paragraph"]},
        text={"type": "string"},
        level={"type": "integer", "enum": [2, 3]},
        evidence={"type": "array", "items": evidence_schema(source_ids)},
    )
    return {"type": "array", "items": block, "minItems": 1}


def instructions_schema(source_ids: list[str]) -> dict:
    """Sentences addressed to the assistant: what each asks, and where it is (as evidence is given)."""
    return {"type": "array", "items": _object(text={"type": "string"}, source=_ids(source_ids),
                                              first_words={"type": "string"}, last_words={"type": "string"})}


def quotes_schema(item_ids: list[str], source_ids: list[str]) -> dict:
    """Passages quoted again, each for the item id it was asked for (the re-ask for passages not found)."""
    quote = _object(item=_ids(item_ids), source=_ids(source_ids), first_words={"type": "string"},
                    last_words={"type": "string"})
    return _object(passages={"type": "array", "items": quote})


def route_schema(source_ids: list[str], article_ids: list[str]) -> dict:
    """Routing decisions: each names an action, its sources and (for updates) an article id."""
    article = {"type": ["string", "null"], "enum": [*article_ids, None]}
    decision = _object(
        action={"type": "string", "enum": ["create", "update", "feedback", "skip"]},
        sources={"type": "array", "items": _ids(source_ids), "minItems": 1},
        article=article,
        title={"type": "string"},
        reason={"type": "string"},
    )
    return _object(
        decisions={"type": "array", "items": decision, "minItems": 1},
        instructions={"type": "array", "items": {"type": "string"}},
        search={"type": "array", "items": {"type": "string"}},
    )


def draft_schema(source_ids: list[str]) -> dict:
    """A new article: title, tags, one-sentence description, blocks."""
    return _object(
        title={"type": "string"},
        tags={"type": "array", "items": {"type": "string"}},
        description={"type": "string"},
        blocks=blocks_schema(source_ids),
        instructions=instructions_schema(source_ids),
    )


def update_schema(source_ids: list[str], section_ids: list[str]) -> dict:
    """Edits to an existing article, anchored to its sections by id."""
    edit = _object(
        op={"type": "string", "enum": ["append", "add_section", "revise"]},
        section=_ids(section_ids),
        heading={"type": ["string", "null"]},
        blocks=blocks_schema(source_ids),
    )
    return _object(
        edits={"type": "array", "items": edit, "minItems": 1},
        tags={"type": "array", "items": {"type": "string"}},
        instructions=instructions_schema(source_ids),
    )
