"""Placement instructions recognised lexically, in English and Russian (pipeline/placement.py)."""

from __future__ import annotations

import pytest

from notesmith.pipeline.placement import Placement, corrected, find, match, strip


@pytest.mark.parametrize(("text", "kind", "target"), [
    ("add this to the seed swap article", "add", "seed swap"),
    ("Let's add it to plot waiting list", "add", "plot waiting list"),
    ("Please put this in the tool shed notes.", "add", "tool shed notes"),
    ("This goes in the watering schedule", "add", "watering schedule"),
    ("for the compost article", "add", "compost"),
    ("Запиши это в идеи для постов", "add", "идеи для постов"),
    ("давай это запишем в список покупок", "add", "список покупок"),
    ("Добавь в статью про теплицу", "add", "теплицу"),
    ("это в статью про садовые инструменты", "add", "садовые инструменты"),
    ("new article - spring swap meet", "new", "spring swap meet"),
    ("New article: Rain barrels in winter", "new", "Rain barrels in winter"),
    ("Новая статья: обрезка яблонь", "new", "обрезка яблонь"),
    ("создай статью про обрезку яблонь", "new", "обрезку яблонь"),
    ("Сори, не для курса, а для сообщества", "fix", "сообщества"),
    ("sorry, not for the course but for the community", "fix", "community"),
])
def test_instructions_are_recognised_in_english_and_russian(text: str, kind: str, target: str) -> None:
    found = find(text)
    assert found is not None, text
    assert (found.placement.kind, found.placement.target) == (kind, target)
    assert found.rest == ""


@pytest.mark.parametrize("text", [
    "I added it to the shed list yesterday and it looks fine now, so no action needed.",
    "We should move to Berlin next year.",
    "Put this at the end.",  # where in an article, not which article
    "Давай добавим про эту статью ссылку. И запиши тоже в статью.",  # a request, and no article named
    "Я записал это в тетрадь, когда мы сидели в саду, и потом долго думал о том, что делать дальше",
    "The seeds go in the ground in April.",
])
def test_content_that_only_sounds_like_an_instruction_is_left_alone(text: str) -> None:
    assert find(text) is None
    assert strip(text) == text


def test_an_instruction_on_its_own_line_or_last_sentence_is_removed_from_the_note():
    found = find("как поливать рассаду\nсколько воды на куст\n\nзапиши это в идеи для постов")
    assert found.placement == Placement("add", "идеи для постов", "запиши это в идеи для постов")
    assert found.rest == "как поливать рассаду\nсколько воды на куст"
    found = find("The shed roof leaks again, near the door. Add this to the tool shed notes.")
    assert found.placement.target == "tool shed notes"
    assert found.rest == "The shed roof leaks again, near the door."


def test_text_after_a_colon_is_the_note_itself():
    found = find("Add to post ideas: a thread about making leaf mould.")
    assert found.placement.target == "post ideas"
    assert found.rest == "a thread about making leaf mould."


def test_an_instruction_in_the_middle_of_a_note_is_content():
    text = "First line of the note.\nAdd this to the seed swap article.\nAnd the note goes on here."
    assert find(text) is not None  # a whole line: recognised
    middle = "The note starts. Add this to the seed swap article. Then it goes on for a while."
    assert find(middle) is None  # inside a sentence run: could be content


def test_a_correction_replaces_the_words_it_names():
    before = Placement("add", "идеи для курса", "Давай это запишем в идеи для курса")
    fix = find("Сори не для курса а для сообщества").placement
    assert corrected(before, fix).target == "идеи для сообщества"
    assert corrected(Placement("add", "garden log", "x"), Placement("fix", "community", "y", old="course")).target \
        == "community"


ARTICLES = [
    ("articles/demo-day-cohort-2.md", ["Demo day cohort 2", "demo day cohort 2"]),
    ("articles/demo-day-cohort-3.md", ["Demo day cohort 3", "demo day cohort 3"]),
    ("articles/tool-shed.md", ["Using the tool shed", "tool shed"]),
    ("articles/ideas/post-ideas.md", ["Ideas for posts", "post ideas"]),
    ("articles/posevnoy-kalendar.md", ["Посевной календарь", "posevnoy kalendar"]),
]


@pytest.mark.parametrize(("target", "expected"), [
    ("cohort 2 demo day", "articles/demo-day-cohort-2.md"),  # any word order
    ("cohort 4 demo day", None),  # numbers must match
    ("demo day", None),  # two articles fit equally: no guess
    ("tool shed", "articles/tool-shed.md"),
    ("the tool shed notes", "articles/tool-shed.md"),  # one extra word in a long name is allowed
    ("post ideas", "articles/ideas/post-ideas.md"),  # by file name too
    ("посевной календарь", "articles/posevnoy-kalendar.md"),
    ("посевного календаря", "articles/posevnoy-kalendar.md"),  # another case of the same words
    ("идеи для постов", "articles/ideas/post-ideas.md"),  # a Russian name meets an English title
    ("bee keeping", None),
])
def test_match_finds_the_article_by_title_or_file_name(target: str, expected: str | None) -> None:
    assert match(target, ARTICLES) == expected


def test_only_the_start_and_the_end_of_a_long_note_are_read():
    body = "Words about the garden and the shed. " * 2000
    found = find(body + "\nadd this to the seed swap article")
    assert found.placement.target == "seed swap" and found.rest == body
    assert find("New article: Seed swap\n" + body).rest == body
    assert find(body + "\nadd this to the seed swap article\n" + body) is None  # deep inside: content
