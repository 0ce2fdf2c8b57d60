"""Articles: byte-identical load/dump for every shape, and edits that touch only their own lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from notesmith.text.article import Article
from notesmith.errors import ArticleError

ARTICLE = (
    "---\n"
    "# kept: a comment at the top of the frontmatter\n"
    "status: review   # trailing comment\n"
    "title: 'Single: quoted'\n"
    "created: 2026-10-04\n"
    "updated: 2026-10-05\n"
    "tags:\n"
    "  - garden\n"
    "  - compost\n"
    "zeta_unknown: {a: 1, b: [x, y]}\n"
    "---\n"
    "\n"
    "# Compost\n"
    "\n"
    "Bay one fills in two weeks[^1].\n"
    "\n"
    "## Sources\n"
    "\n"
    "[^1]: [msg11](../inbox/used/20261001_081500_mira_holt_msg11_transcript.txt)\n"
)

SHAPES = {
    "plain": ARTICLE,
    "crlf": ARTICLE.replace("\n", "\r\n"),
    "no_trailing_newline": ARTICLE.rstrip("\n"),
    "bom": "\ufeff" + ARTICLE,
    "bom_crlf_no_newline": "\ufeff" + ARTICLE.replace("\n", "\r\n").rstrip("\r\n"),
    "mixed_endings": ARTICLE.replace("created: 2026-10-04\n", "created: 2026-10-04\r\n"),
    "starts_with_rule": "---\n\nA page that opens with a rule, not frontmatter.\n",
    "only_frontmatter": "---\ntitle: x\n---",
    "empty": "",
    "blank_lines": "\n\n\n",
    "double_quotes_and_unicode": '---\ntitle: "Kompost – «heap» \\"quoted\\""\n---\n\nЖурнал 🌱\n',
    "dots_close": "---\ntitle: x\n...\nBody\n",
    "trailing_spaces": "---  \ntitle: x  \n---\t\n\nBody  \n\n\n",
    "lone_cr_inside": "---\ntitle: x\n---\nA line with a \r in it\n",
    "unclosed": "---\ntitle: x\nno end\n",
}


@pytest.mark.parametrize("name", SHAPES)
def test_parse_dump_is_byte_identical(name):
    text = SHAPES[name]
    assert Article.parse(text).dump() == text


@pytest.mark.parametrize("name", SHAPES)
def test_load_save_is_byte_identical(tmp_path: Path, name):
    data = SHAPES[name].encode("utf-8")
    path = tmp_path / "a.md"
    path.write_bytes(data)
    article = Article.load(path)
    article.save(tmp_path / "b.md")
    assert (tmp_path / "b.md").read_bytes() == data
    assert article.bom == data.startswith(b"\xef\xbb\xbf")


def test_frontmatter_values_and_order():
    article = Article.parse(ARTICLE)
    assert list(article.frontmatter) == ["status", "title", "created", "updated", "tags", "zeta_unknown"]
    assert article.frontmatter["created"] == "2026-10-04"  # dates stay strings
    assert article.frontmatter["title"] == "Single: quoted"
    assert article.title == "Single: quoted"
    assert article.body_start == 12


def test_frontmatter_behind_a_bom_is_found():
    article = Article.parse("\ufeff" + ARTICLE.replace("\n", "\r\n"))
    assert article.bom and article.has_frontmatter
    assert article.frontmatter["tags"] == ["garden", "compost"]
    assert article.newline == "\r\n"


def test_rule_at_the_top_is_not_frontmatter_data():
    article = Article.parse(SHAPES["starts_with_rule"])
    assert article.frontmatter == {}


@pytest.mark.parametrize("name", ["plain", "crlf", "no_trailing_newline", "bom", "bom_crlf_no_newline",
                                  "mixed_endings"])
def test_with_frontmatter_changes_only_that_line(name):
    text = SHAPES[name]
    changed = Article.parse(text).with_frontmatter(updated="2026-11-01").dump()
    assert changed == text.replace("updated: 2026-10-05", "updated: 2026-11-01")


def test_with_frontmatter_same_value_changes_nothing():
    assert Article.parse(ARTICLE).with_frontmatter(updated="2026-10-05").dump() == ARTICLE


def test_with_frontmatter_replaces_a_block_list_and_adds_a_new_key_last():
    changed = Article.parse(ARTICLE).with_frontmatter(tags=["garden", "compost", "soil"], language="en").dump()
    expected = ARTICLE.replace("tags:\n  - garden\n  - compost\n", "tags: [garden, compost, soil]\n")
    expected = expected.replace("zeta_unknown: {a: 1, b: [x, y]}\n", "zeta_unknown: {a: 1, b: [x, y]}\nlanguage: en\n")
    assert changed == expected


def test_with_frontmatter_quotes_what_needs_quoting():
    article = Article.parse(ARTICLE).with_frontmatter(title='Rye: "winter" mix')
    assert 'title: "Rye: \\"winter\\" mix"\n' in article.dump()
    assert article.frontmatter["title"] == 'Rye: "winter" mix'


def test_with_frontmatter_needs_a_closed_block():
    with pytest.raises(ArticleError):
        Article.parse(SHAPES["unclosed"]).with_frontmatter(updated="2026-11-01")


def test_with_lines_keeps_untouched_bytes():
    text = SHAPES["mixed_endings"]
    article = Article.parse(text)
    lines = list(article.lines)
    lines[14] = "Bay one fills in ten days[^1]."
    assert article.with_lines(lines).dump() == text.replace("two weeks", "ten days")


def test_with_lines_appending_to_a_file_without_final_newline():
    article = Article.parse("a\r\nb")
    assert article.with_lines(["a", "b", "c"]).dump() == "a\r\nb\r\nc"
    assert article.with_lines(["a"]).dump() == "a"


def test_from_bytes_errors_name_file_and_line():
    with pytest.raises(ArticleError) as info:
        Article.from_bytes(b"---\ntitle: x\n---\n\ncaf\xe9\n", "articles/x.md")
    assert info.value.line == 5 and str(info.value).startswith("articles/x.md:5: not valid UTF-8")
    with pytest.raises(ArticleError, match="binary"):
        Article.from_bytes(b"\x00\x01", "articles/y.md")


def test_sections():
    article = Article.parse(ARTICLE)
    assert [(s.title, s.level, s.line, s.end_line) for s in article.sections()] == [
        ("Compost", 1, 13, 19), ("Sources", 2, 17, 19)]
    assert article.section("sources").line == 17
    assert article.section("Nope") is None


FRONTMATTER_SHAPES = [
    'title: "A: quoted # title"\ncreated: 2026-10-04\ntags: [garden, compost, a b]\nstatus: draft',
    "title: 'single'\nupdated: 2026-13-45\ntags: []\nempty:\nspaced:   value with  spaces  ",
    "# a comment\n\ntitle: Plain v1.0 title\nlast-reviewed: 2026-10-04\n_private: x/y.z",
    "title: Yes please\ndup: one\ndup: two",
    # shapes the fast path must leave to YAML (numbers, booleans, nulls, blocks, comments, escapes)
    "title: yes", "title: null", "count: 3", "version: 1.5", "title: ~", "tags: [2026, garden]",
    "tags: [a, , b]", "tags:\n  - a\n  - b", "title: x # comment", 'title: "esc \\" aped"',
    "title: 'it''s'", "on: x", "title: -dash", "title: Журнал", "key:value", "title:\tx",
    "  indented: x", "title: [a, [b]]", "title: &anchor x", "title: |\n  block",
]


@pytest.mark.parametrize("source", FRONTMATTER_SHAPES)
def test_fast_frontmatter_parser_agrees_with_yaml(source):
    from notesmith.text.frontmatter import _simple_mapping, parse_yaml

    fast = _simple_mapping(source.split("\n"))
    if fast is not None:
        assert fast == parse_yaml(source)


def test_fast_frontmatter_parser_takes_the_common_shapes_and_declines_the_rest():
    from notesmith.text.frontmatter import _simple_mapping

    taken = [s for s in FRONTMATTER_SHAPES if _simple_mapping(s.split("\n")) is not None]
    assert taken == FRONTMATTER_SHAPES[:4]


@pytest.mark.parametrize("value", ["yes", "no", "on", "null", "true", "2026", "1.5", "3d-printing", "ai",
                                   "v1.0", "Mixed Case: colon", 'quote " and \\ backslash', "2026-10-04"])
def test_rendered_values_read_back_as_the_same_string(value):
    from notesmith.text.frontmatter import parse_yaml, render_value

    assert parse_yaml(f"key: {render_value(value)}") == {"key": value}
    assert parse_yaml(f"tags: {render_value([value, 'garden'])}") == {"tags": [value, "garden"]}
