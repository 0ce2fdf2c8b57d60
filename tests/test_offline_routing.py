"""The offline router: placement instructions, languages kept apart, consecutive notes merged
(pipeline/offline_routing.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from notesmith.inputs.reading import Input
from notesmith.pipeline.catalog import search_text
from notesmith.pipeline.grouping import group_by_time
from notesmith.pipeline.offline_routing import MergeRule, plan_offline, similarity
from notesmith.pipeline.shortlist import Shortlist
from notesmith.text.article import Summary

START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc)


def note(name: str, text: str, minutes: float, kind: str = "message") -> Input:
    return Input(name, kind, START + dt.timedelta(minutes=minutes), "ada", text, {}, Path("inbox") / name, name)


def plan(items, catalog=(), languages=None, rule=MergeRule(), language="en"):
    groups = group_by_time(items, key=lambda i: i.time, window=dt.timedelta(minutes=2))
    index = Shortlist((e.rel, search_text(e)) for e in catalog)
    return plan_offline(groups, list(catalog), index=index, k=8, language=language, rule=rule,
                        article_language=lambda rel: (languages or {}).get(rel, "en"))


def routes(result):
    return [(r.action, r.inputs, r.article, r.title) for r in result.routes]


SHED = Summary("articles/tool-shed.md", "Using the tool shed", "draft", "2026-01-01",
               "How to borrow tools from the shed.", ("tools",), ("Borrowing",))
POSTS = Summary("articles/ideas/post-ideas.md", "Ideas for posts", "draft", "2026-01-01")
RUSSIAN = Summary("articles/teplitsa.md", "Теплица", "draft", "2026-01-01")

WATERING = ("The drip line in bed four is clogged again, so the tomatoes there got no water on Sunday. "
            "I flushed the filter and the line runs now, but the timer battery is low too.")


def test_an_instruction_sent_with_a_note_puts_it_in_the_named_article_and_is_filed_as_feedback():
    items = [note("a.md", "The shed padlock code changed to the new one on the board.", 0),
             note("b.md", "add this to the tool shed article", 1)]
    result = plan(items, [SHED, POSTS])
    assert routes(result) == [("feedback", ("b.md",), None, ""),
                              ("update", ("a.md",), "articles/tool-shed.md", "Using the tool shed")]
    assert result.followed == ["b.md: \u201cadd this to the tool shed article\u201d: added to articles/tool-shed.md"]


def test_an_instruction_sent_alone_places_the_notes_just_before_it():
    items = [note("a.md", WATERING, 0), note("b.md", "Put this in the post ideas.", 6)]
    result = plan(items, [SHED, POSTS])
    assert ("update", ("a.md",), "articles/ideas/post-ideas.md", "Ideas for posts") in routes(result)
    assert ("feedback", ("b.md",), None, "") in routes(result)
    late = [note("a.md", WATERING, 0), note("b.md", "Put this in the post ideas.", 90)]  # past merge_window
    result = plan(late, [SHED, POSTS])
    assert all(r.article != "articles/ideas/post-ideas.md" for r in result.routes)
    assert "no notes just before it" in result.followed[0]


def test_an_unknown_article_name_becomes_the_title_of_a_new_article():
    items = [note("a.md", "Seed packets from the swap go in the blue tin.\n\nLet's add it to seed swap log", 0)]
    result = plan(items, [SHED])
    assert routes(result) == [("create", ("a.md",), None, "Seed swap log")]
    assert "no article is named \u201cseed swap log\u201d" in result.followed[0]


def test_a_new_article_instruction_names_it_and_a_later_note_can_be_added_to_it():
    items = [note("a.md", "new article - spring swap meet\n\nTables go along the fence, twelve in all.", 0),
             note("b.md", "Bring your own bags; we have none left.", 20),
             note("c.md", "add this to the swap meet spring article", 21)]
    result = plan(items, [SHED])
    assert ("create", ("a.md", "b.md"), None, "Spring swap meet") in routes(result)
    assert any("new article \u201cSpring swap meet\u201d" in line for line in result.followed)
    assert any("added to the new article \u201cSpring swap meet\u201d" in line for line in result.followed)


def test_a_correction_changes_the_instruction_before_it():
    items = [note("a.md", "Давай это запишем в идеи для курса", 0),
             note("b.md", "Полив по утрам лучше, чем вечером: меньше слизней и грибка на листьях.", 0),
             note("c.md", "Сори, не для курса, а для постов", 1)]
    result = plan(items, [SHED, POSTS, RUSSIAN], language="ru",
                  languages={"articles/ideas/post-ideas.md": "en"})
    # "идеи для постов" names the English "Ideas for posts": not appended, its own article instead
    assert [r for r in routes(result) if r[0] != "feedback"] == [("create", ("b.md",), None, "Полив по утрам лучше, чем вечером")]
    assert "\u201cДавай это запишем в идеи для курса; Сори, не для курса, а для постов\u201d" in result.followed[0]
    assert "articles/ideas/post-ideas.md is in en, these notes in ru" in result.followed[0]


def test_text_in_another_language_never_goes_into_an_article_in_another_language():
    items = [note("a.md", "Der Schuppen braucht ein neues Schloss, und die Schubkarre hat einen Platten. "
                          "Ich bringe am Samstag Werkzeug mit.", 0)]
    shed_text = Summary("articles/tool-shed.md", "Schuppen Schloss Schubkarre Werkzeug", "draft", "2026-01-01",
                        "Der Schuppen, das Schloss, die Schubkarre und das Werkzeug.", ("schuppen",))
    result = plan(items, [shed_text, POSTS], languages={"articles/tool-shed.md": "en"})
    assert routes(result)[0][0] == "create"
    assert "a model run would translate and merge it" in result.notes[0]
    same = plan(items, [shed_text, POSTS], languages={"articles/tool-shed.md": "de"})
    assert routes(same)[0][:3] == ("update", ("a.md",), "articles/tool-shed.md")


def test_notes_sent_together_in_two_languages_make_two_articles_and_links_go_with_the_group():
    items = [note("a.md", "Полив по утрам лучше, чем вечером: меньше слизней и грибка на листьях.", 0),
             note("b.md", "https://example.org/guides/watering-in-the-morning", 0),
             note("c_photo.md", "## Description of the Image\n\nA watering can stands on a wooden bench "
                                "in the morning sun, next to the greenhouse door.", 1, kind="photo")]
    result = plan(items)
    assert [(r.action, r.inputs) for r in result.routes] == [("create", ("a.md", "b.md")), ("create", ("c_photo.md",))]
    assert result.notes == ["a.md, b.md (ru): sent with notes in en, kept as an article of its own (the offline "
                            "drafter does not translate; a model run would translate and merge them)"]


def test_consecutive_notes_on_one_topic_merge_and_others_do_not():
    first = note("a.md", WATERING, 0)
    same = note("b.md", "The drip line timer in bed four needs a new battery; the filter on the drip line "
                        "clogs weekly, so the tomatoes need a check every Sunday.", 9)
    other = note("c.md", "The library has a new book on beekeeping for beginners, with good photos of frames.", 18)
    result = plan([first, same, other])
    assert [r.inputs for r in result.routes] == [("a.md", "b.md"), ("c.md",)]
    assert result.merged and result.merged[0].startswith("b.md joined a.md: consecutive notes on one topic (9 min")
    far = note("b.md", same.text, 45)
    assert [r.inputs for r in plan([first, far]).routes] == [("a.md",), ("b.md",)]  # past merge_window
    off = plan([first, same], rule=MergeRule(similarity=1.01))
    assert [r.inputs for r in off.routes] == [("a.md",), ("b.md",)] and not off.merged


def test_similarity_is_high_for_one_topic_and_low_for_two():
    def flat(term: str) -> float:
        return 1.0
    assert similarity(WATERING, WATERING, flat) > 0.99
    assert similarity(WATERING, "The library has a new book on beekeeping.", flat) < 0.1


def test_distinct_notes_get_distinct_titles():
    items = [note("a.md", "https://example.org/resources", 0), note("b.md", "https://example.org/resources#top", 300)]
    titles = [r.title for r in plan(items, [SHED]).routes]
    assert len(set(titles)) == 2, titles
    existing = Summary("articles/resources.md", "Resources (example.org)", "draft", "2026-01-01")
    apart = plan([items[0]], [existing], languages={"articles/resources.md": "de"})  # so it is not updated
    assert routes(apart) == [("create", ("a.md",), None, "Resources (example.org) (2026-06-01)")]
