from __future__ import annotations

import pytest

from notesmith.text.article import Article
from notesmith.pipeline.blocks import Anchor
from notesmith.pipeline.citing import (
    Labels,
    anchor_label,
    cite_paragraph,
    definition_line,
    footnote_labels,
    markers,
    source_link,
    strip_footnotes,
)
from notesmith.text.markdown import scan


@pytest.mark.parametrize(
    "article, used, expected",
    [
        ("articles/a.md", "inbox/used", "../inbox/used/x.txt"),
        ("articles/tea/a.md", "inbox/used", "../../inbox/used/x.txt"),
        ("articles/tea/green/a.md", "inbox/used/", "../../../inbox/used/x.txt"),
        ("a.md", "inbox/used", "inbox/used/x.txt"),
        ("notes/a.md", "archive/used", "../archive/used/x.txt"),
    ],
)
def test_source_link(article, used, expected):
    assert source_link("x.txt", article, used) == expected


def test_definition_line_plain_and_with_description():
    assert definition_line("3", "a.txt", "../inbox/used/a.txt") == "[^3]: [a.txt](../inbox/used/a.txt)"
    assert (definition_line("3", "a.txt", "../inbox/used/a.txt", "voice note\n from the car")
            == "[^3]: [a.txt](../inbox/used/a.txt) - voice note from the car")


def test_definition_line_escapes_text_and_encodes_url():
    line = definition_line("1", "notes [draft] (2).md", "../inbox/used/notes [draft] (2).md")
    assert line == r"[^1]: [notes \[draft\] (2).md](../inbox/used/notes%20[draft]%20%282%29.md)"
    found = scan([line])
    assert [d.label for d in found.defs] == ["1"]
    assert [link.target for link in found.links] == ["../inbox/used/notes%20[draft]%20%282%29.md"]
    assert definition_line("2", "100%.txt", "../inbox/used/100%.txt").endswith("(../inbox/used/100%25.txt)")


def test_markers():
    assert markers(["3", "4"]) == "[^3][^4]"
    assert markers([]) == ""


def test_labels_for_new_follow_first_use():
    labels = Labels.for_new()
    assert [labels.label(s) for s in ("b", "a", "b", "c")] == ["1", "2", "1", "3"]
    assert labels.new_labels() == [("1", "b", None), ("2", "a", None), ("3", "c", None)]


ARTICLE = """\
---
title: T
---

# T

Text[^2][^7][^note][^multi][^url][^book][^dup].

## Sources

[^2]: [a.txt](../inbox/used/a.txt) - the first note
[^7]: [b%20c.md](../../inbox/used/b%20c.md)
[^note]: [n.txt](../inbox/used/n.txt)
[^multi]: [m1.txt](../inbox/used/m1.txt) and [m2.txt](../inbox/used/m2.txt)
[^url]: https://example.org/talk
[^book]: A book about tea, chapter 2
[^dup]: [a.txt](../inbox/used/a.txt)
[^img]: ![p.png](../inbox/used/p.png)
[^other]: [o.txt](../assets/o.txt)
"""


def test_labels_from_article():
    labels = Labels.from_article(Article(ARTICLE))
    assert labels.label("a.txt") == "2"  # the first definition of a source wins
    assert labels.label("b c.md") == "7"  # link targets are URL-decoded; wrong depth still counts
    assert labels.label("n.txt") == "note"  # a non-numeric label is reused, not renumbered
    assert labels.label("m1.txt") == "8"  # multi-link definitions are never reused
    assert labels.label("p.png") == "9"
    assert labels.label("o.txt") == "10"  # not a link into inbox/used
    assert labels.label("m1.txt") == "8"
    assert labels.new_labels() == [("8", "m1.txt", None), ("9", "p.png", None), ("10", "o.txt", None)]


def test_labels_from_article_count_undefined_numeric_refs():
    labels = Labels.from_article(Article("# T\n\nA[^12].\n\n[^x]: [a.txt](../inbox/used/a.txt)\n"))
    assert labels.label("new.txt") == "13"
    assert labels.label("a.txt") == "x"


def test_labels_from_article_honour_the_used_folder():
    text = "# T\n\nA[^1].\n\n[^1]: [a.txt](../done/a.txt)\n"
    assert Labels.from_article(Article(text), "done").label("a.txt") == "1"
    assert Labels.from_article(Article(text)).label("a.txt") == "2"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("An idea.", "An idea.[^1][^2]"),
        ("An idea.  \n", "An idea.[^1][^2]"),
        ("See https://x.org/a", "See https://x.org/a [^1][^2]"),
        ("See https://x.org/a.", "See https://x.org/a. [^1][^2]"),
        ("See [the page](https://x.org/a).", "See [the page](https://x.org/a). [^1][^2]"),
        ("Already cited[^2].", "Already cited[^2].[^1]"),
        ("Steps:\n\n- one\n- two", "Steps:\n\n- one\n- two[^1][^2]"),
        ("Run it:\n\n```sh\nmake\n```", "Run it:[^1][^2]\n\n```sh\nmake\n```"),
        ("```sh\nmake [^2]\n```", "```sh\nmake [^2]\n```\n\n[^1][^2]"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1][^2]"),
        ("Code `[^1]` here.", "Code `[^1]` here.[^1][^2]"),
    ],
)
def test_cite_paragraph(text, expected):
    assert cite_paragraph(text, ["1", "2", "1"]) == expected


@pytest.mark.parametrize("text", [
    "Recording: https://example.org/watch?v=abc",
    "Recording (https://example.org/watch?v=abc).",
    "See [the page](https://x.org/a).",
    "See <https://x.org>.",
    "Visit www.example.org",
])
def test_cite_paragraph_markers_never_glued_to_a_url(text):
    refs = scan(cite_paragraph(text, ["4"]).split("\n")).refs
    assert [(r.label, r.glued) for r in refs] == [("4", False)]


def test_cite_paragraph_without_labels_or_text():
    assert cite_paragraph("Text.", []) == "Text."
    assert cite_paragraph("  ", ["1"]) == "  "


def test_strip_footnotes():
    text = "Claim [^1]. Other[^a] claim.\n[^1]: [x](y)\nCode `[^2]` stays.\n```\n[^3]: kept\n```"
    assert strip_footnotes(text) == "Claim. Other claim.\nCode `[^2]` stays.\n```\n[^3]: kept\n```"


def test_footnote_labels_skip_code():
    assert footnote_labels("a[^2] b[^1] `[^9]` c[^2]\n```\n[^8]\n```") == ["2", "1"]


# -- passage footnotes ------------------------------------------------------------------------------

NAME = "20260721_080250_AlexeyDTC_msg4791_transcript.txt"


def test_an_anchored_definition_names_the_lines_and_links_to_them():
    line = definition_line("3", NAME, f"../inbox/used/{NAME}", anchor=Anchor((12, 18)))
    assert line == f"[^3]: [{NAME}, lines 12–18](../inbox/used/{NAME}#L12-L18)"
    assert definition_line("4", "a.txt", "../inbox/used/a.txt", anchor=Anchor((7, 7))) == \
        "[^4]: [a.txt, line 7](../inbox/used/a.txt#L7)"


def test_a_timed_passage_shows_its_time_range_and_links_to_its_lines():
    anchor = Anchor((40, 52), (192.5, 220.9))
    assert anchor_label(anchor) == "00:03:12–00:03:40"
    assert anchor_label(Anchor((1, 2), (3725.0, 3790.2))) == "01:02:05–01:03:10"
    line = definition_line("1", "talk.srt", "../inbox/used/talk.srt", anchor=anchor)
    assert line == "[^1]: [talk.srt, 00:03:12–00:03:40](../inbox/used/talk.srt#L40-L52)"


def test_a_file_name_with_hash_or_question_mark_cannot_be_read_as_an_anchor():
    line = definition_line("1", "plan #2?.md", "../inbox/used/plan #2?.md", anchor=Anchor((3, 4)))
    assert line.endswith("(../inbox/used/plan%20%232%3F.md#L3-L4)")


def test_one_label_per_passage_in_order_of_first_use():
    labels = Labels.for_new()
    a, b = Anchor((3, 5)), Anchor((9, 9))
    assert [labels.label("x", a), labels.label("x", b), labels.label("x", Anchor((3, 5), words=(7, 9))),
            labels.label("x"), labels.label("y", a)] == ["1", "2", "1", "3", "4"]
    assert labels.new_labels() == [("1", "x", a), ("2", "x", b), ("3", "x", None), ("4", "y", a)]


def test_citing_by_source_keeps_one_plain_label_per_input():
    labels = Labels.for_new(passages=False)
    assert [labels.label("x", Anchor((3, 5))), labels.label("x", Anchor((9, 9))), labels.label("y")] == ["1", "1", "2"]
    assert labels.new_labels() == [("1", "x", None), ("2", "y", None)]


ANCHORED = """\
# T

A[^1]. B[^2]. C[^3].

## Sources

[^1]: [a.txt, lines 3–5](../inbox/used/a.txt#L3-L5)
[^2]: [a.txt](../inbox/used/a.txt)
[^3]: [b.srt, 00:00:04–00:00:09](../inbox/used/b.srt#L7-L12)
"""


def test_an_update_reuses_the_label_of_the_same_passage_and_numbers_a_new_one():
    labels = Labels.from_article(Article(ANCHORED))
    assert labels.label("a.txt", Anchor((3, 5))) == "1"  # the same passage: its footnote is kept
    assert labels.label("a.txt") == "2"  # the whole input (a passage not found): the plain footnote
    assert labels.label("b.srt", Anchor((7, 12), (4.0, 9.0))) == "3"
    assert labels.label("a.txt", Anchor((8, 9))) == "4"  # a new passage of a cited input: a new number
    assert labels.new_labels() == [("4", "a.txt", Anchor((8, 9)))]
    by_source = Labels.from_article(Article(ANCHORED), passages=False)
    assert by_source.label("a.txt", Anchor((8, 9))) == "2" and by_source.new_labels() == []
