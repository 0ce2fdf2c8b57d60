from __future__ import annotations

from pathlib import Path

import pytest

from notesmith.errors import DraftError
from notesmith.text.article import Article
from notesmith.checking.article_rules import Context, check_article
from notesmith.pipeline.citing import Labels
from notesmith.config import Config
from notesmith.pipeline.blocks import Block, NewArticle, cite
from notesmith.pipeline.rendering import render_blocks, render_new, sanitise, slug_tags, uncited
from notesmith.checking.rules import severities
from notesmith.checking.tree import DiskTree

P = "paragraph"


def para(text: str, *sources: str) -> Block:
    return Block(P, text, evidence=cite(*sources))


def checked(root: Path, rel: str, text: str, inputs: list[str]) -> list:
    """check_article findings for text written at rel in a workspace holding inputs in inbox/used."""
    for name in inputs:
        (root / "inbox/used").mkdir(parents=True, exist_ok=True)
        (root / "inbox/used" / name).write_text("input\n", encoding="utf-8")
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")
    return check_article(Article.load(root / rel), rel, Context(DiskTree(root), Config(), severities({})))


def test_render_new_full_text():
    draft = NewArticle(
        title="Tea, \"Green\" & Black",
        blocks=(
            para("Green tea wants cooler water.", "b.txt"),
            Block("heading", "Brewing", level=2),
            para("Two minutes.", "a.txt", "b.txt"),
            Block("heading", "Cups", level=5),
            para("Small ones.", "a.txt"),
        ),
        tags=("Tea", "Green Tea", "tea", "  ", "AI/ML"),
        description="How the kettle is chosen.",
        language="de",
    )
    text = render_new(draft, article_rel="articles/drinks/tea.md", today="2026-04-02")
    assert text == """\
---
title: "Tea, \\"Green\\" & Black"
created: 2026-04-02
updated: 2026-04-02
tags: [tea, green-tea, aiml]
status: draft
description: "How the kettle is chosen."
language: de
---

# Tea, "Green" & Black

Green tea wants cooler water.[^1]

## Brewing

Two minutes.[^2][^1]

### Cups

Small ones.[^2]

## Sources

[^1]: [b.txt](../../inbox/used/b.txt)
[^2]: [a.txt](../../inbox/used/a.txt)
"""
    article = Article(text)
    assert article.frontmatter["title"] == 'Tea, "Green" & Black'
    assert article.frontmatter["tags"] == ["tea", "green-tea", "aiml"]


def test_render_new_minimal_keys_and_crlf():
    draft = NewArticle("Short", (para("One.", "a.txt"),))
    text = render_new(draft, article_rel="articles/s.md", today="2026-04-02", status="review", newline="\r\n")
    assert text.startswith("---\r\ntitle: \"Short\"\r\ncreated: 2026-04-02\r\nupdated: 2026-04-02\r\ntags: []\r\n"
                           "status: review\r\n---\r\n")
    assert "description" not in text and "language" not in text
    assert text.endswith("One.[^1]\r\n\r\n## Sources\r\n\r\n[^1]: [a.txt](../inbox/used/a.txt)\r\n")
    assert "\n" not in text.replace("\r\n", "")


def test_render_new_needs_a_title():
    with pytest.raises(DraftError, match="no words"):
        render_new(NewArticle("  # ", ()), article_rel="articles/x.md", today="2026-04-02")


MESSY = NewArticle(
    title="Messy  model\noutput[^1]",
    blocks=(
        Block("heading", "## Setup [^1]", level=1),
        para("# Not a title\nIt is **really** simple, *mostly*.   \n\n\n---\nKeep `a*b*c` and snake_case_names.", "x y.txt"),
        para("Steps:\n\n1. install\n2. run\n- a list item\n***", "b.txt"),
        para("```python\n# comment, not a heading\nprint('**x**')   \n---\n```\nAfter the code[^4].", "b.txt"),
        para("Unclosed fence:\n```\ncode forever", "c.txt"),
        Block("heading", "Sources", level=2),
        para("[^1]: [fake](../../etc/passwd)\nThe model's own footnote line is dropped.", "c.txt"),
        para("See https://example.org/watch?v=1", "b.txt"),
        Block("heading", "Deep", level=4),
        para("Setext title\n=====\nand more", "b.txt"),
    ),
    tags=("Ops",),
)


def test_render_new_sanitises_and_passes_the_checks(tmp_path):
    text = render_new(MESSY, article_rel="articles/ops/messy.md", today="2026-04-02")
    lines = text.split("\n")
    assert lines[1] == 'title: "Messy model output"'
    assert "# Messy model output" in lines
    assert "## Setup" in lines
    assert "Not a title" in lines and "# Not a title" not in lines
    assert "It is really simple, mostly." in lines
    assert "Keep `a*b*c` and snake_case_names.[^1]" in lines
    assert "1. install" in lines and "- a list item[^2]" in lines
    assert "***" not in lines and "=====" not in lines
    code = "```python\n# comment, not a heading\nprint('**x**')   \n---\n```\nAfter the code.[^2]"
    assert code in text
    assert "Unclosed fence:[^3]\n```\ncode forever\n```\n" in text
    assert "etc/passwd" not in text and "[fake]" not in text
    assert "See https://example.org/watch?v=1 [^2]" in lines
    assert "### Deep" in lines
    assert [line for line in lines if line.startswith("## Sources")] == ["## Sources"]
    assert text.endswith("[^1]: [x y.txt](../../inbox/used/x%20y.txt)\n"
                         "[^2]: [b.txt](../../inbox/used/b.txt)\n[^3]: [c.txt](../../inbox/used/c.txt)\n")
    assert checked(tmp_path, "articles/ops/messy.md", text, ["x y.txt", "b.txt", "c.txt"]) == []


def test_render_new_without_sources_has_no_sources_section(tmp_path):
    draft = NewArticle("Plain", (para("Nothing cited."),))
    text = render_new(draft, article_rel="articles/plain.md", today="2026-04-02")
    assert text.endswith("# Plain\n\nNothing cited.\n")
    assert checked(tmp_path, "articles/plain.md", text, []) == []


def test_render_blocks_share_labels_and_skip_empty_blocks():
    labels = Labels.for_new()
    lines = render_blocks([para("A.", "a"), para("  \n\n", "z"), Block("heading", "  "), para("B.", "b", "a")], labels)
    assert lines == ["A.[^1]", "", "B.[^2][^1]"]
    assert labels.new_labels() == [("1", "a", None), ("2", "b", None)]


def test_uncited():
    blocks = [Block("heading", "H"), para("cited", "a"), para("not cited"), para("   ")]
    assert uncited(blocks) == [2]


def test_sanitise_collapses_blank_lines_and_trims():
    assert sanitise("\n\nA  \n\n\n\nB\n\n") == ["A", "", "B"]
    assert sanitise("- - -\n___\nText") == ["Text"]


def test_slug_tags():
    assert slug_tags(["Data Engineering", "data_engineering", "C++", "--", "Чай", "#ml"]) == [
        "data-engineering", "c", "chay", "ml"]
