"""Titles a writer would keep (text/titles.py): the note's heading, else its first sentence that says
something, shortened where a phrase ends; link-only notes titled from the link."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from notesmith.text.titles import distinct_title, link_title, own_heading, shorten, summary_sentence, title_from_text

CASES = [
    # the note's own heading; an H1 wins over an H2 below it
    ("# Release notes\n\nfor version two", "Release notes"),
    ("# Soil as a Living System\n\n## How I Test It at Home\n\nA jar of water and a spoon.", "Soil as a Living System"),
    ("## Description of the Image\n\n### Type\nA photo.\n\n### Main Content\nA ladder leans on the shed wall.",
     "A ladder leans on the shed wall"),  # generic headings and the "Type" line are no title
    # greetings, thanks, mail headers and chat stamps say nothing
    ("From Dana Whitfield\nHi Oskar, thanks for the notes on the launch.\n"
     "The launch moves to May because the hall is booked for the whole of April.",
     "The launch moves to May"),
    ("Priya Natarajan  9:12 AM\nOskar, thank you for the summary.\nWe ship the beta on Friday, after the review.",
     "We ship the beta on Friday, after the review"),
    ("Morning all. Quick standup, we have ten minutes and three things to cover today.",
     "Quick standup, we have ten minutes"),
    ("Subject: Re: Fwd: Venue for the spring swap meet\n\nHi all, see below.", "Venue for the spring swap meet"),
    ("Hi! Let me tell you about gardening in spring", "Let me tell you about gardening in spring"),
    ("Да, хорошо, я поняла. Насчёт полива: бочки надо слить до морозов.", "Насчёт полива: бочки надо слить до морозов"),
    # fillers and preambles go; case and apostrophes stay
    ("So, um, I was thinking about the weekly review process today. More.",
     "I was thinking about the weekly review process today"),
    ("Okay, quick note before I forget, the hose reel's handle snapped again this morning.",
     "The hose reel's handle snapped again this morning"),
    ("ну короче, курсы по Python!", "Курсы по Python"),
    ("I don't think we're ready for McAllister's audit; let's wait.",
     "I don't think we're ready for McAllister's audit; let's wait"),
    # long sentences are cut where a clause or phrase ends, never after "the", "of", "для"
    ("One more thing about the release process for the next version and the one after it.",
     "One more thing about the release process"),
    ("The bees came out early today because of the warm morning, and the second hive was busy.",
     "The bees came out early today"),
    ("С Мариной я по поводу грядок говорил, она хочет больше тыкв в этом году и меньше кабачков.",
     "С Мариной я по поводу грядок говорил"),
    ("интересная история да интересное совпадение что они оба приехали из одного города насчет идеи",
     "Интересная история да интересное совпадение"),
    # links
    ("check https://example.com/page this link", "Check this link"),
    ("https://www.example.org/i/20931/building-a-cold-frame", "Building a cold frame (example.org)"),
    ("", "Untitled"),
    ("...", "Untitled"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_title_from_text(text: str, expected: str) -> None:
    assert title_from_text(text) == expected


_DANGLING = {"the", "a", "of", "for", "to", "with", "and", "in", "для", "в", "на", "и", "про"}


@pytest.mark.parametrize("text", [t for t, _ in CASES if t])
def test_titles_are_short_and_never_end_on_a_dangling_word(text: str) -> None:
    title = title_from_text(text)
    assert len(title.split()) <= 16 and len(title) <= 120
    assert title.split()[-1].lower().strip(",.") not in _DANGLING, title
    assert not re.search(r"[,;:]$", title)


def test_shorten_keeps_a_short_sentence_whole_and_cuts_a_long_one_at_a_clause():
    assert shorten("Water the seedlings twice a day.") == "Water the seedlings twice a day"
    long = "The compost in the second bay, which we built last spring, is finally warm enough to use on the beds"
    assert shorten(long) == "The compost in the second bay"  # the second comma is past ten words
    assert shorten("word " * 30) == "Word" + " word" * 9  # no boundary at all: ten words, nothing dangling


def test_own_heading_is_the_h1_or_a_heading_on_the_first_line():
    assert own_heading("intro\n\n# Real Title\n\n## Part") == ("Real Title", 2)
    assert own_heading("## Plot swap\n\ntext") == ("Plot swap", 0)
    assert own_heading("text first\n\n## Later heading") is None
    assert own_heading("### Summary\n\ntext") is None  # says nothing


@pytest.mark.parametrize(("url", "expected"), [
    ("https://www.example.org/i/20931/building-a-cold-frame", "Building a cold frame (example.org)"),
    ("https://en.example.org/wiki/Cover_crop", "Cover crop (en.example.org)"),
    ("https://code.example.com/someone/seed-tracker", "Seed tracker (code.example.com)"),
    ("https://video.example.com/watch?v=a1B2c3D4e5", "video.example.com"),
    ("www.example.net/guides/pruning_apple_trees.html", "Pruning apple trees (example.net)"),
])
def test_link_titles_use_the_path_words_and_the_site(url: str, expected: str) -> None:
    assert link_title(url) == expected
    assert title_from_text(f"\n{url}\n") == expected


def test_two_link_only_notes_get_two_titles():
    first = title_from_text("https://example.org/posts/seed-swap-rules")
    second = title_from_text("https://example.org/posts/winter-sowing")
    assert first != second


def test_distinct_title_adds_the_date_then_the_time_then_a_number():
    when = dt.datetime(2026, 5, 4, 9, 30)
    assert distinct_title("Resource", [], when) == "Resource"
    assert distinct_title("Resource", ["resource"], when) == "Resource (2026-05-04)"
    assert distinct_title("Resource", ["Resource", "Resource (2026-05-04)"], when) == "Resource (2026-05-04 09:30)"
    assert distinct_title("Resource", ["Resource"]) == "Resource (2)"


def test_a_description_is_the_whole_first_sentence_that_says_something():
    assert summary_sentence("Hi all! ну вот, the gate latch sticks when it rains. More.") == \
        "The gate latch sticks when it rains."
    assert summary_sentence("Да, хорошо, я поняла. Полив по утрам лучше.") == "Полив по утрам лучше."
    assert summary_sentence("https://example.org/a-b-c") == ""
    long = "word " * 60
    assert summary_sentence(long).endswith("\u2026") and len(summary_sentence(long)) <= 160
