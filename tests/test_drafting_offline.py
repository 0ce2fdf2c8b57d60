"""The offline drafter and router: deterministic, verbatim, cited (SPEC §5.3, §8)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from notesmith.text.article import Summary
from notesmith.pipeline.blocks import split_long
from notesmith.pipeline.draft_offline import draft_new_offline, draft_update_offline
from notesmith.pipeline.blocks import Block, NewArticle
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
    assert blocks[2] == Block("paragraph", "A photo of the bays.", sources=("p_photo.md",))
    assert blocks[3].text == "See the plan and sketch or [the site](https://example.org)."
    update = draft_update_offline([PHOTO]).content.edits[0]
    assert update.op == "add_section" and update.section is None and update.level == 2
    assert {b.level for b in update.blocks if b.kind == "heading"} == {3}  # under the new section


def test_titles_and_descriptions_skip_time_anchors_and_speakers():
    draft = draft_new_offline([SUBTITLES]).content
    assert draft.title == "We start with the shed"  # "Thanks for coming" says nothing; the next sentence does
    assert draft.description == "Thanks for coming."
    assert draft.tags == ("recording",)
    assert all(b.sources == ("meeting.vtt",) for b in draft.blocks)


def test_offline_drafts_keep_the_source_language_and_say_so():
    draft = draft_new_offline([GERMAN]).content
    assert draft.language == "de"
    assert draft.blocks[0].text == GERMAN.text  # verbatim: the offline drafter does not translate
    assert "language: de" in render_new(draft, article_rel="articles/x.md", today="2026-11-25")


def test_a_draft_too_long_for_one_article_is_split_into_cited_parts():
    blocks = tuple(Block("paragraph", "x" * 300, sources=("a.txt",)) for _ in range(10))
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
