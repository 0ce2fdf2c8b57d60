from __future__ import annotations

import pytest

from notesmith.text.prose import first_sentence
from notesmith.text.index_table import (
    insert_row,
    parse_index,
    render_row,
    replace_row,
    split_cells,
)

INDEX = """\
# Notes index

Some prose | with a pipe that is not a table.

## Plans

| Title | Status | Last Updated | Description |
|-------|--------|--------------|-------------|
| [Tea rituals](tea/rituals.md) | draft | 2026-03-02 | How the kettle is chosen. |
| [Cold brew](cold-brew.md "hover text") | review | 2026-02-01 | Steeping overnight. |

Closing prose.

| Name | Role |
|---|---|
| Ana | editor |
"""


def test_parse_finds_only_managed_tables():
    tables = parse_index(INDEX)
    assert len(tables) == 1
    table = tables[0]
    assert (table.header_line, table.first_row_line, table.end_line) == (7, 9, 10)
    first, second = table.rows
    assert (first.line, first.title, first.target) == (9, "Tea rituals", "tea/rituals.md")
    assert (first.status, first.updated, first.description) == ("draft", "2026-03-02", "How the kettle is chosen.")
    assert first.raw == "| [Tea rituals](tea/rituals.md) | draft | 2026-03-02 | How the kettle is chosen. |"
    assert (second.title, second.target) == ("Cold brew", "cold-brew.md")


def test_parse_tolerates_spacing_alignment_and_missing_outer_pipes():
    text = "|Title|  Status |Last   Updated| Description|\n| :--- | :-: | ---: |-|\nPlain title | published | 2026-01-01 | d\n"
    (table,) = parse_index(text)
    (row,) = table.rows
    assert (row.title, row.target, row.status, row.description) == ("Plain title", None, "published", "d")


def test_parse_skips_tables_in_fenced_code():
    text = (
        "```markdown\n| Title | Status | Last Updated | Description |\n|---|---|---|---|\n| x | y | z | w |\n```\n\n"
        "~~~~\n```\n| Title | Status | Last Updated | Description |\n|---|---|---|---|\n~~~~\n"
    )
    assert parse_index(text) == []


def test_parse_needs_separator_and_exact_header():
    assert parse_index("| Title | Status | Last Updated | Description |\n| a | b | c | d |\n") == []
    assert parse_index("| Title | State | Last Updated | Description |\n|---|---|---|---|\n") == []


def test_parse_crlf_escaped_pipes_and_link_titles():
    text = (
        "| Title | Status | Last Updated | Description |\r\n|---|---|---|---|\r\n"
        "| [A \\| B](<dir with space/a.md> 'tip') | draft | 2026-01-02 | left \\| right |\r\n"
        "| [Paren](notes/a(1).md) | draft | 2026-01-03 | |\r\n"
        "\r\nafter\r\n"
    )
    (table,) = parse_index(text)
    a, paren = table.rows
    assert (a.title, a.target, a.description) == ("A | B", "dir with space/a.md", "left | right")
    assert not a.raw.endswith("\r")
    assert (paren.target, paren.description) == ("notes/a(1).md", "")
    assert table.end_line == 4


def test_empty_table_at_end_of_file():
    (table,) = parse_index("| Title | Status | Last Updated | Description |\n|---|---|---|---|")
    assert (table.first_row_line, table.end_line, table.rows) == (3, 2, [])


def test_split_cells():
    assert split_cells("| a | b\\|c | `x` |") == ["a", "b\\|c", "`x`"]
    assert split_cells("| a | |") == ["a", ""]
    assert split_cells("no pipes \\| here") is None


def test_render_row_escapes_and_round_trips():
    row = render_row("Pipes | and [brackets]", "sub dir/a.md", "draft", "2026-04-01", "One line\nand | more  ")
    assert row == "| [Pipes \\| and \\[brackets\\]](<sub dir/a.md>) | draft | 2026-04-01 | One line and \\| more |"
    (table,) = parse_index("| Title | Status | Last Updated | Description |\n|---|---|---|---|\n" + row + "\n")
    parsed = table.rows[0]
    assert (parsed.title, parsed.target, parsed.description) == ("Pipes | and [brackets]", "sub dir/a.md", "One line and | more")


def test_render_row_without_target():
    assert render_row("Plain", None, "review", "2026-01-01", "") == "| Plain | review | 2026-01-01 |  |"


NEW = "| [New](new.md) | draft | 2026-05-01 | Fresh. |"


def test_insert_row_goes_first_and_keeps_everything_else():
    expected = INDEX.replace("|-------------|\n", "|-------------|\n" + NEW + "\n", 1)
    assert insert_row(INDEX, parse_index(INDEX)[0], NEW + "\n") == expected


@pytest.mark.parametrize(
    "before, after",
    [
        (
            "Intro\r\n\r\n| Title | Status | Last Updated | Description |\r\n|---|---|---|---|\r\n| [A](a.md) | draft | 2026-01-01 | a |\r\n\r\nEnd\r\n",
            "Intro\r\n\r\n| Title | Status | Last Updated | Description |\r\n|---|---|---|---|\r\n" + NEW + "\r\n| [A](a.md) | draft | 2026-01-01 | a |\r\n\r\nEnd\r\n",
        ),
        (
            "| Title | Status | Last Updated | Description |\n|---|---|---|---|",
            "| Title | Status | Last Updated | Description |\n|---|---|---|---|\n" + NEW,
        ),
        (
            "| Title | Status | Last Updated | Description |\r\n|---|---|---|---|\r\n",
            "| Title | Status | Last Updated | Description |\r\n|---|---|---|---|\r\n" + NEW + "\r\n",
        ),
    ],
    ids=["crlf", "no-final-newline", "empty-table-crlf"],
)
def test_insert_row_golden(before, after):
    assert insert_row(before, parse_index(before)[0], NEW) == after


def test_insert_into_second_table():
    text = INDEX + "\n## More\n\n| Title | Status | Last Updated | Description |\n|---|---|---|---|\n| [B](b.md) | draft | 2026-01-01 | b |\n"
    tables = parse_index(text)
    assert len(tables) == 2
    out = insert_row(text, tables[1], NEW)
    assert out == text.replace("|---|---|---|---|\n| [B]", "|---|---|---|---|\n" + NEW + "\n| [B]")


def test_replace_row_keeps_line_ending_and_other_bytes():
    text = INDEX.replace("\n", "\r\n")
    row = parse_index(text)[0].rows[1]
    out = replace_row(text, row, "| [Cold brew](cold-brew.md) | published | 2026-05-05 | Better. |")
    assert out == text.replace(
        '| [Cold brew](cold-brew.md "hover text") | review | 2026-02-01 | Steeping overnight. |\r\n',
        "| [Cold brew](cold-brew.md) | published | 2026-05-05 | Better. |\r\n",
    )


def test_replace_last_line_without_newline():
    text = "| Title | Status | Last Updated | Description |\n|---|---|---|---|\n| [A](a.md) | draft | 2026-01-01 | a |"
    row = parse_index(text)[0].rows[0]
    assert replace_row(text, row, NEW + "\n") == text.replace("| [A](a.md) | draft | 2026-01-01 | a |", NEW)


@pytest.mark.parametrize(
    "body, expected",
    [
        ("# Title\n\nA plain opening. Second sentence.\n", "A plain opening."),
        (
            "---\ntitle: x\n---\n\n# Title\n\n![diagram](img.png)\n\n<figure>\n  <img src=\"a.png\">\n</figure>\n\n"
            "- a list item.\n\nThe **kettle** boils in `two` minutes, see [the guide](guide.md)[^1]. More.\n",
            "The kettle boils in two minutes, see the guide.",
        ),
        ("Uses *italic* and _under_ but keeps snake_case_names. Then more.", "Uses italic and under but keeps snake_case_names."),
        ("Written by J. Doe in May. Rest.", "Written by J. Doe in May."),
        ("We chose e.g. tea over coffee, version 3.5 works! After.", "We chose e.g. tea over coffee, version 3.5 works!"),
        ("```\ncode. here.\n```\n\nHard\nwrapped\nline. Next.\n", "Hard wrapped line."),
        ("Setext heading\n==============\n\nReal text here.", "Real text here."),
        ("He said \"stop.\" Then left.", "He said \"stop.\""),
        ("No closing punctuation at all", "No closing punctuation at all"),
        ("# Only a heading\n\n## And another\n", ""),
        ("Footnote glued[^note] and ref [text][ref]. Rest.", "Footnote glued and ref text."),
        ("Stars \\*stay\\* and 2 \\* 3 is six. Rest.", "Stars *stay* and 2 * 3 is six."),
        ("> A quote.\n\n| a | b |\n|---|---|\n\n[^1]: def.\n\n    indented code.\n\nProse <b>bold</b> ~~gone~~ `x`. Rest.", "Prose bold gone x."),
    ],
)
def test_first_sentence(body, expected):
    assert first_sentence(body) == expected


def test_first_sentence_cuts_at_word_boundary():
    body = "word " * 60 + "end."
    out = first_sentence(body, max_len=40)
    assert len(out) <= 40
    assert out.endswith("word\u2026")
    assert "\n" not in out
