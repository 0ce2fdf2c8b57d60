"""JSON Schemas for the model's answers; enums of the ids given in each prompt do the hard work.

Every object lists all its properties as required and forbids others, and no string has a length
limit, format or pattern, so servers with strict structured output (OpenAI's strict mode accepts no
length constraints) and grammar-constrained decoding accept the schemas as they are; what a schema
cannot say (no empty text) the caller's validation says. A value that may be null is an `anyOf`
of its form and `{"type": "null"}`, never a type list beside an `enum`: llama-cpp-python's grammar
converter reads such a type list first and drops the enum, so the model could write any id.

Arrays a model could repeat without end are bounded by maxItems (which strict mode and the
converters accept): a list of source ids by the number of ids given, routing decisions by the
number of sources, tags and instructions by a handful, a draft's blocks by the size of its sources
(max_blocks). A 135M model otherwise writes "S1", "S1", … or the same paragraph again until its
answer is cut off.
"""

from __future__ import annotations


def _object(**properties: dict) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


MAX_TAGS = 8
MAX_INSTRUCTIONS = 10
MAX_SEARCH = 5  # words to search the articles with, when routing asks for more candidates
MAX_TERMS = 15  # key terms, and names, in a synopsis
EVIDENCE_PER_SOURCE = 2  # passages a paragraph may quote from each source
# Blocks (headings and paragraphs) an answer may hold: one per WORDS_PER_BLOCK words of its
# sources, and at least MIN_BLOCKS. A paragraph is rarely written from less than a sentence or two.
WORDS_PER_BLOCK = 20
MIN_BLOCKS = 3


def max_blocks(sources: str) -> int:
    """The most blocks a draft or update written from these sources (as the prompt shows them) may hold."""
    return max(MIN_BLOCKS, -(-len(sources.split()) // WORDS_PER_BLOCK))


def _ids(ids: list[str]) -> dict:
    return {"type": "string", "enum": list(ids)}


def _id_list(ids: list[str], *, least: int = 0) -> dict:
    bounds = {"minItems": least} if least else {}
    return {"type": "array", "items": _ids(ids), **bounds, "maxItems": len(ids)}


def _strings(most: int) -> dict:
    return {"type": "array", "items": {"type": "string"}, "maxItems": most}


def _or_null(schema: dict | None) -> dict:
    """The schema or null; just null when there is nothing else (an empty enum is no schema)."""
    return {"anyOf": [schema, {"type": "null"}]} if schema is not None else {"type": "null"}


def evidence_schema(source_ids: list[str]) -> dict:
    """One passage of a source: its id, and its first and last words copied from it verbatim."""
    return _object(source=_ids(source_ids), first_words={"type": "string"}, last_words={"type": "string"})


def blocks_schema(source_ids: list[str], most: int) -> dict:
    """At most `most` headings and paragraphs; a paragraph's evidence names the passages it was written from."""
    block = _object(
        type={"type": "string", "enum": ["heading", "paragraph"]},
        text={"type": "string"},
        level={"type": "integer", "enum": [2, 3]},
        evidence={"type": "array", "items": evidence_schema(source_ids), "maxItems": EVIDENCE_PER_SOURCE * len(source_ids)},
    )
    return {"type": "array", "items": block, "minItems": 1, "maxItems": most}


def instructions_schema(source_ids: list[str]) -> dict:
    """Sentences addressed to the assistant: what each asks, and where it is (as evidence is given)."""
    return {"type": "array", "items": _object(text={"type": "string"}, source=_ids(source_ids),
                                              first_words={"type": "string"}, last_words={"type": "string"}),
            "maxItems": MAX_INSTRUCTIONS}


def quotes_schema(item_ids: list[str], source_ids: list[str]) -> dict:
    """Passages quoted again, each for the item id it was asked for (the re-ask for passages not found)."""
    quote = _object(item=_ids(item_ids), source=_ids(source_ids), first_words={"type": "string"},
                    last_words={"type": "string"})
    return _object(passages={"type": "array", "items": quote, "maxItems": len(item_ids)})


def route_schema(source_ids: list[str], article_ids: list[str]) -> dict:
    """Routing decisions: each names an action, its sources and (for updates) an article id."""
    article = _or_null(_ids(article_ids) if article_ids else None)
    decision = _object(
        action={"type": "string", "enum": ["create", "update", "feedback", "skip"]},
        sources=_id_list(source_ids, least=1),
        article=article,
        title={"type": "string"},
        reason={"type": "string"},
    )
    return _object(
        decisions={"type": "array", "items": decision, "minItems": 1, "maxItems": len(source_ids)},
        instructions=_strings(MAX_INSTRUCTIONS),
        search=_strings(MAX_SEARCH),
    )


def synopsis_schema() -> dict:
    """What a group is about: a few sentences, key terms, names."""
    return _object(synopsis={"type": "string"}, terms=_strings(MAX_TERMS), names=_strings(MAX_TERMS))


def draft_schema(source_ids: list[str], most_blocks: int) -> dict:
    """A new article: title, tags, one-sentence description, at most `most_blocks` blocks."""
    return _object(
        title={"type": "string"},
        tags=_strings(MAX_TAGS),
        description={"type": "string"},
        blocks=blocks_schema(source_ids, most_blocks),
        instructions=instructions_schema(source_ids),
    )


def update_schema(source_ids: list[str], section_ids: list[str], most_blocks: int) -> dict:
    """Edits to an existing article, anchored to its sections by id; `most_blocks` bounds the edits and each one's blocks."""
    edit = _object(
        op={"type": "string", "enum": ["append", "add_section", "revise"]},
        section=_ids(section_ids),
        heading=_or_null({"type": "string"}),
        blocks=blocks_schema(source_ids, most_blocks),
    )
    return _object(
        edits={"type": "array", "items": edit, "minItems": 1, "maxItems": most_blocks},
        tags=_strings(MAX_TAGS),
        instructions=instructions_schema(source_ids),
    )
