"""Updates too long for one prompt are drafted in parts, each against the article as it stands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from notesmith.text.article import Article
from notesmith.pipeline.draft_model import update_in_parts
from notesmith.pipeline.editing import apply_update
from notesmith.errors import ModelError
from notesmith.inputs.reading import Input
from notesmith.llm import ScriptedLLM
from notesmith.pipeline.prompts import Prompts

ARTICLE = """---
title: "Bikes"
created: 2026-11-01
updated: 2026-11-01
tags: [bikes]
status: draft
---

# Bikes

## Repairs

We fix bikes on Sundays[^1].

## Sources

[^1]: [a.txt](../inbox/used/a.txt)
"""


def item(name: str, words: int, folder: Path | None = None) -> Input:
    """An input of `words` words, one per line (spoke0 … spokeN), stored in folder when one is given."""
    text = "\n".join(f"spoke{n}" for n in range(words)) + "."
    if folder is not None:
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return Input(name, "message", dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc), None, text, {},
                 (folder or Path("inbox")) / name, "0" * 64)


def edit(text: str, first: str = "spoke0 spoke1 spoke2", last: str = "spoke7 spoke8 spoke9") -> dict:
    evidence = [{"source": "S1", "first_words": first, "last_words": last}]
    return {"edits": [{"op": "append", "section": "sec2", "heading": None,
                       "blocks": [{"type": "paragraph", "text": text, "level": 2, "evidence": evidence}]}],
            "tags": [], "instructions": []}


def apply(article: Article, update) -> Article:
    return apply_update(article, update, article_rel="articles/bikes.md", today="2026-11-25")


def test_a_group_too_long_for_one_prompt_is_sent_in_parts_against_the_updated_article(tmp_path):
    llm = ScriptedLLM([edit("First part."), edit("Second part.", "spoke20 spoke21", "spoke29 spoke30")],
                      context_tokens=12000)
    group = [item("b.txt", 1500, tmp_path), item("c.txt", 1500, tmp_path)]  # about 3,000 tokens each: one per prompt
    article, drafted = update_in_parts(llm, Prompts(), Article(ARTICLE), "articles/bikes.md", group, "en", apply)
    assert len(llm.requests) == 2
    assert "[S1]" in llm.requests[0].messages[1]["content"] and "spoke0" in llm.requests[0].messages[1]["content"]
    assert "First part." in llm.requests[1].messages[1]["content"]  # the second part sees the first's edit
    text = article.dump()
    assert "First part.[^2]" in text and "Second part.[^3]" in text
    assert "[^2]: [b.txt, lines 1–10](../inbox/used/b.txt#L1-L10)" in text
    assert "[^3]: [c.txt, lines 21–31](../inbox/used/c.txt#L21-L31)" in text
    assert len(drafted.content.edits) == 2


def test_an_article_that_leaves_no_room_for_sources_is_a_model_error():
    llm = ScriptedLLM([], context_tokens=2000)
    long_article = Article(ARTICLE.replace("We fix bikes on Sundays", "We fix bikes " + "often " * 2000))
    with pytest.raises(ModelError, match="too long to update"):
        update_in_parts(llm, Prompts(), long_article, "articles/bikes.md", [item("b.txt", 10)], "en", apply)
    assert llm.requests == []
