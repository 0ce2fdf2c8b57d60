"""The offline drafter and router: deterministic, verbatim, cited (SPEC §5.3, §8)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from notesmith.text.article import Summary
from notesmith.pipeline.draft_offline import draft_new_offline, draft_update_offline
from notesmith.pipeline.blocks import Block, Evidence, NewArticle, cite, split_long
from notesmith.inputs.reading import Input
from notesmith.pipeline.rendering import render_new
from notesmith.pipeline.routing import Candidates, route_offline


def item(name: str, text: str, kind: str = "transcript") -> Input:
    return Input(name, kind, dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.timezone.utc), "mira", text, {},
                 Path("inbox") / name, "0" * 64)


PHOTO = item("p_photo.md", "## Description of the Image\n\n### Type\nA photo of the bays.\n\n"
             "See [the plan](../plan.md) and ![sketch](sketch.jpg) or [the site](https://example.org).",
             kind="photo")
SUBTITLES = item("meeting.vtt", "[00:00:02] Mira Holt: Thanks for coming. We start with the shed.\n\n"
                 "[00:00:09] Sam: The roof leaks.", kind="subtitles")
GERMAN = item("de_transcript.txt", "Kurze Nachricht zu den Regentonnen. Sie sind noch voll.")


def test_headings_stay_headings_and_relative_links_keep_only_their_text():
    blocks = draft_new_offline([PHOTO]).content.blocks
    assert [(b.kind, b.text) for b in blocks[:2]] == [("heading", "Description of the Image"), ("heading", "Type")]
    # each paragraph quotes its own first and last words as evidence: it anchors by construction
    quote = "A photo of the bays."
    assert blocks[2] == Block("paragraph", quote, evidence=(Evidence("p_photo.md", quote, quote),))
    # the quote is taken before relative links lose their targets: it is the text as stored
    assert blocks[3].evidence[0].first_words.startswith("See [the plan](../plan.md) and ![sketch](sketch.jpg)")
    assert blocks[3].text == "See the plan and sketch or [the site](https://example.org)."
    update = draft_update_offline([PHOTO]).content.edits[0]
    assert update.op == "add_section" and update.section is None and update.level == 2
    assert {b.level for b in update.blocks if b.kind == "heading"} == {3}  # under the new section


def test_titles_and_descriptions_skip_time_anchors_and_speakers():
    draft = draft_new_offline([SUBTITLES]).content
    assert draft.title == "We start with the shed"  # "Thanks for coming" says nothing; the next sentence does
    assert draft.description == "We start with the shed."  # the index says what it is about
    assert draft.tags == ("recording",)
    assert all(b.sources == ("meeting.vtt",) for b in draft.blocks)


def test_offline_drafts_keep_the_source_language_and_say_so():
    draft = draft_new_offline([GERMAN]).content
    assert draft.language == "de"
    assert draft.blocks[0].text == GERMAN.text  # verbatim: the offline drafter does not translate
    assert "language: de" in render_new(draft, article_rel="articles/x.md", today="2026-11-25")


def test_a_draft_too_long_for_one_article_is_split_into_cited_parts():
    blocks = tuple(Block("paragraph", "x" * 300, evidence=cite("a.txt")) for _ in range(10))
    parts = split_long(NewArticle("Long note", blocks), max_chars=1000)
    assert [p.title for p in parts] == [f"Long note (part {n} of 4)" for n in range(1, 5)]
    assert sum(len(p.blocks) for p in parts) == 10
    assert all(b.sources == ("a.txt",) for p in parts for b in p.blocks)
    assert split_long(NewArticle("Short", blocks[:2]), max_chars=1000) == [NewArticle("Short", blocks[:2])]


def entry(rel: str) -> Summary:
    return Summary(rel, rel, "draft", "2026-01-01")


def test_offline_routing_updates_only_a_clear_and_strong_winner():
    group = [item("a_transcript.txt", " ".join(f"word{n}" for n in range(100)))]  # 100 distinct words
    lead = Candidates((entry("articles/a.md"), entry("articles/b.md")), (20.0, 10.0))
    close = Candidates((entry("articles/a.md"), entry("articles/b.md")), (20.0, 18.0))
    weak = Candidates((entry("articles/a.md"),), (5.0,))
    assert route_offline(group, lead)[0].article == "articles/a.md"
    assert route_offline(group, close)[0].action == "create"  # two near-equal matches: no guess
    assert route_offline(group, weak)[0].action == "create"
    assert route_offline(group, Candidates((), ()))[0].action == "create"


# --- drafts a writer would keep (issue 10) ----------------------------------------------------

from notesmith.pipeline.editing import apply_update  # noqa: E402
from notesmith.text.article import Article  # noqa: E402


def test_an_h1_becomes_the_title_and_is_not_repeated_and_h2s_keep_their_level():
    note = item("talk.md", "# Soil as a Living System\n\n## How I Test It at Home\n\nA jar of water and a spoon.\n\n"
                "## What I Learned\n\nClay settles last.", kind="message")
    draft = draft_new_offline([note]).content
    assert draft.title == "Soil as a Living System"
    assert [(b.kind, b.text, b.level) for b in draft.blocks if b.kind == "heading"] == [
        ("heading", "How I Test It at Home", 2), ("heading", "What I Learned", 2)]
    text = render_new(draft, article_rel="articles/soil.md", today="2026-06-01")
    assert text.count("Soil as a Living System") == 2  # frontmatter title and the H1, nothing in the body
    assert "## Soil as a Living System" not in text


def test_headings_with_nothing_under_them_and_doubled_headings_are_dropped():
    note = item("x_photo.md", "## Description of the Image\n\n### Type\nA photo of the bays.\n\n"
                "### Notes\n\n### Notes\n\nThe lid is off.\n\n### Context\n", kind="photo")
    new = draft_new_offline([note]).content
    headings = [(b.text, b.level) for b in new.blocks if b.kind == "heading"]
    assert headings == [("Description of the Image", 2), ("Type", 3), ("Notes", 3)]  # one Notes, no Context
    update = draft_update_offline([note]).content.edits[0]
    assert [b.text for b in update.blocks if b.kind == "heading"] == ["Type", "Notes"]  # all at ###: the first is empty
    assert update.heading == "The lid is off"  # a photo record's "Type" line is no title
    title = draft_new_offline([note], "Notes").content
    assert [b.text for b in title.blocks if b.kind == "heading"] == ["Description of the Image", "Type"]


def test_placement_instructions_are_not_drafted():
    note = item("n.md", "Bring gloves on Saturday; the nettles are back by the fence.\n\nadd this to the workday article",
                kind="message")
    draft = draft_new_offline([note]).content
    assert [b.text for b in draft.blocks] == ["Bring gloves on Saturday; the nettles are back by the fence."]
    assert draft.title == "Bring gloves on Saturday"


def test_a_note_too_short_to_tell_its_language_takes_the_workspace_language():
    link = item("l.md", "https://example.org/guides/pruning-apple-trees", kind="message")
    assert draft_new_offline([link], language="ru").content.language == "ru"
    assert draft_new_offline([link]).content.title == "Pruning apple trees (example.org)"
    assert draft_new_offline([item("r.md", "Про обрезку яблонь")], language="en").content.language == "ru"


WEEKLY = """---
title: "Weekly log"
created: 2026-01-01
updated: 2026-01-01
tags: [log]
status: draft
---

# Weekly log

What I did, week by week.

## Week of 2026-11-16

### Fence

Fixed the gate.[^1]

## Week of 2026-11-09

### Seeds

Sorted the seed tin.[^1]

## Sources

[^1]: [a.md](../inbox/used/a.md)
"""


def test_a_dated_log_gets_the_note_under_its_week_newest_first():
    log = Article(WEEKLY, "articles/weekly-log.md")
    # 2026-11-20 is in the week of 2026-11-16: a new ### under that week
    same_week = item("b.md", "Planted garlic along the north edge.", kind="message")
    edit = draft_update_offline([same_week], log).content.edits[0]
    assert (edit.op, edit.section, edit.heading, edit.level) == ("add_section", "Week of 2026-11-16",
                                                                 "Planted garlic along the north edge", 3)
    text = apply_update(log, draft_update_offline([same_week], log).content, article_rel="articles/weekly-log.md",
                        today="2026-11-20").dump()
    assert text.index("### Planted garlic") < text.index("## Week of 2026-11-09")
    # a later week is a new ## section at the top, where a newest-first log puts it
    later = Input("c.md", "message", dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.timezone.utc), "mira",
                  "Mulched the roses.", {}, Path("inbox/c.md"), "0" * 64)
    update = draft_update_offline([later], log).content
    assert update.edits[0].heading == "Week of 2026-11-23" and update.edits[0].section == "Weekly log"
    text = apply_update(log, update, article_rel="articles/weekly-log.md", today="2026-11-26").dump()
    assert text.index("## Week of 2026-11-23") < text.index("## Week of 2026-11-16")
    assert "### Mulched the roses" in text


def test_an_article_that_is_no_dated_log_gets_a_section_at_the_end():
    plain = Article(WEEKLY.replace("Week of 2026-11-16", "Fence").replace("Week of 2026-11-09", "Seeds"), "a.md")
    edit = draft_update_offline([item("b.md", "Planted garlic.", kind="message")], plain).content.edits[0]
    assert (edit.section, edit.heading, edit.level) == (None, "Planted garlic", 2)
