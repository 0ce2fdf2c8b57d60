"""The line scanner: what it finds, where (1-based line and column), and what it must not look inside."""

from __future__ import annotations

import pytest

from notesmith.text.markdown import scan


def scan_text(text: str, first_line: int = 1):
    return scan(text.split("\n"), first_line)


def test_headings_with_levels_and_closing_hashes():
    result = scan_text("# Title\n\n## Part two ##\n###   Deep   \n####### not a heading\n#hashtag")
    assert [(h.line, h.level, h.text) for h in result.headings] == [
        (1, 1, "Title"), (3, 2, "Part two"), (4, 3, "Deep")]


def test_first_line_offsets_every_position():
    result = scan_text("# T\n\nA claim[^1].\n\n[^1]: note", first_line=8)
    assert result.headings[0].line == 8
    assert (result.refs[0].line, result.refs[0].col) == (10, 8)
    assert result.defs[0].line == 12


def test_footnote_definitions_and_continuations():
    text = "Text[^a] and[^2].\n\n[^a]: first line\n    second line\n[^2]: [x](../inbox/used/x.md) - note\n\nAfter."
    result = scan_text(text)
    assert [(d.line, d.label, d.text, d.end_line) for d in result.defs] == [
        (3, "a", "first line\nsecond line", 4), (5, "2", "[x](../inbox/used/x.md) - note", 5)]
    assert [(r.label, r.col) for r in result.refs] == [("a", 5), ("2", 13)]
    assert [(link.line, link.target, link.in_definition) for link in result.links] == [
        (5, "../inbox/used/x.md", "2")]


def test_a_definition_label_is_not_a_reference():
    result = scan_text("[^1]: a note that mentions [^2]")
    assert [r.label for r in result.refs] == ["2"]


@pytest.mark.parametrize("line, glued", [
    ("see https://example.org/a[^1]", True),
    ("see www.example.org/a[^1]", True),
    ("see https://example.org/a [^1]", False),
    ("see [a](https://example.org/a)[^1]", False),
    ("see <https://example.org/a>[^1]", False),
    ("see (https://example.org/a)[^1]", False),
    ("a word[^1]", False),
    ("path/to/file[^1]", False),
])
def test_glued_references(line, glued):
    assert scan_text(line).refs[0].glued is glued


def test_links_images_and_html_sources():
    text = (
        '[a](one.md) ![b](img/b.png "title") [c](<with space.md>) [d](https://x.org/a_(b))\n'
        "[e [nested] text](two.md#part) <img alt='x' src='fig.jpg'> <video src=\"clip.mp4\">"
    )
    result = scan_text(text)
    assert [(link.line, link.col, link.target, link.image) for link in result.links] == [
        (1, 1, "one.md", False), (1, 13, "img/b.png", True), (1, 37, "with space.md", False),
        (1, 58, "https://x.org/a_(b)", False), (2, 1, "two.md#part", False), (2, 50, "fig.jpg", True),
        (2, 72, "clip.mp4", True)]


def test_nothing_is_found_inside_fenced_code():
    text = "```md\n# Not a heading\n[^1]: no\nA[^2] [x](y.md) **b**\n---\n```\nAfter[^3]."
    result = scan_text(text)
    assert result.headings == [] and result.defs == [] and result.style == []
    assert [r.label for r in result.refs] == ["3"] and result.links == []
    assert result.code_lines == {1, 2, 3, 4, 5, 6}


def test_fences_close_only_on_their_own_kind_and_length():
    text = "````\n```\n[^1]\n```\n````\n~~~python\n```\n[^2]\n~~~\n[^3]"
    assert [r.label for r in scan_text(text).refs] == ["3"]


def test_an_unclosed_fence_runs_to_the_end():
    assert scan_text("```\n[^1]\n[x](y.md)").refs == []


def test_inline_code_and_comments_are_blanked():
    text = "`[^1]` ``a ` [x](y.md) b`` real[^2]\n<!-- [^3] -->[^4] <!--\n[^5] ![i](i.png)\n--> [z](z.md)"
    result = scan_text(text)
    assert [(r.line, r.label) for r in result.refs] == [(1, "2"), (2, "4")]
    assert [(link.line, link.target) for link in result.links] == [(4, "z.md")]


def test_a_backtick_fence_with_backticks_in_its_info_is_not_a_fence():
    result = scan_text("``` a ` b\n[^1]")
    assert [r.label for r in result.refs] == ["1"]


@pytest.mark.parametrize("line, found", [
    ("**bold**", ["**bold**"]),
    ("__bold__", ["__bold__"]),
    ("*it*", ["*it*"]),
    ("_it_", ["_it_"]),
    ("snake_case_name", []),
    ("my__private__var", []),
    ("2*3*4", []),
    ("a * b * c", []),
    ("* list item", []),
    ("- list _item_", ["_item_"]),
    ("`**code**`", []),
    ("https://example.org/a_b_c and [l](https://x.org/__x__)", []),
    ("[^1]: a *definition* is exempt", []),
])
def test_emphasis(line, found):
    assert [s.text for s in scan_text(line).style if s.kind == "emphasis"] == found


def test_rules_but_not_setext_underlines_or_frontmatter_like_lines():
    text = "Para\n---\n\n---\n\n* * *\n\n___\n\nTitle\n=====\n- - -"
    result = scan_text(text)
    assert [(s.line, s.kind) for s in result.style] == [(4, "rule"), (6, "rule"), (8, "rule"), (12, "rule")]


def test_adjacent_code_blocks():
    text = "```\na\n```\n\n```\nb\n```\nText\n```\nc\n```\n~~~\nd\n~~~"
    result = scan_text(text)
    assert [(s.line, s.kind) for s in result.style] == [(5, "adjacent-code"), (12, "adjacent-code")]


def test_style_can_be_switched_off():
    assert scan(["**bold**", "---"], style=False).style == []


def test_plain_prose_fast_path_still_counts_lines():
    lines = ["plain words"] * 1000 + ["A claim[^1]."]
    result = scan(lines)
    assert (result.refs[0].line, result.refs[0].col) == (1001, 8)
