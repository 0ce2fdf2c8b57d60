"""Routing with a model (issue 12): a synopsis first, a shortlist that finds articles across
languages, one search of the model's own, placement instructions before anything else; all of it
in the run log. Through a real HTTP server speaking the OpenAI API."""

from __future__ import annotations

import json
from pathlib import Path

import notesmith
from notesmith.pipeline.catalog import load_catalog
from notesmith.pipeline.routing import Finder
from tests.fake_openai import Answer
from tests.process_helpers import decision, draft, model, new_workspace, para, routing, update, edit, user_prompt

TODAY = "2026-06-10"

ARTICLE = """---
title: "{title}"
created: 2026-01-01
updated: 2026-01-01
tags: [{tag}]
status: draft
---

# {title}

{body}[^1]

## Sources

[^1]: [seed.txt](../inbox/used/seed.txt)
"""
ARTICLES = {
    "sourdough": ("Sourdough starter", "baking", "The starter doubles in five hours when the kitchen is warm."),
    "hives": ("Keeping bees", "bees", "Two hives stand behind the compost bays, facing south-east."),
    "bike": ("Cargo bike repairs", "bikes", "The derailleur cable stretches and the barrel adjuster fixes it."),
    "tomatoes": ("Tomatoes in the greenhouse", "garden", "Pinch out the side shoots every week in July."),
    "mariano": ("Mariano's thesis project", "students", "Our student Mariano builds a recommender for the library's loans."),
    "invoices": ("Invoicing clients", "business", "Invoices go out on the first working day of the month."),
}
# A Russian voice note about Mariano's project: its words meet none of the English articles'.
NOTE = "20260610_090000_lena_p_msg900_transcript.txt"
RUSSIAN = ("---\nsource: telegram_voice\ndate: 2026-06-10T09:00:00+00:00\nusername: lena_p\n---\n"
           "Поговорили с Мариано про его дипломную работу: рекомендательная система для выдачи книг "
           "в библиотеке, он хочет добавить оценки читателей и сравнить с простой популярностью.\n")
SYNOPSIS = {"synopsis": "Mariano's thesis: a recommender system for library book loans; he wants to add "
                        "reader ratings and compare against plain popularity.",
            "terms": ["recommender system", "library loans", "thesis"], "names": ["Mariano"]}


def workspace(tmp_path: Path, note: str = RUSSIAN, config: str = "") -> Path:
    files = {f"articles/{slug}.md": ARTICLE.format(title=t, tag=g, body=b) for slug, (t, g, b) in ARTICLES.items()}
    files["inbox/used/seed.txt"] = "seed\n"
    return new_workspace(tmp_path / "ws", inputs={NOTE: note}, files=files, config=config)


def test_the_synopsis_finds_an_english_article_the_russian_words_alone_miss(tmp_path, fake_openai):
    ws = workspace(tmp_path)
    text = notesmith.read_input(ws / "inbox" / NOTE).text
    finder = Finder(load_catalog(ws, "articles"))
    alone = [e.rel for e in finder.candidates(text, None, 2).entries]
    with_synopsis = [e.rel for e in finder.candidates(text, json.dumps(SYNOPSIS), 2).entries]
    assert "articles/mariano.md" not in alone
    assert with_synopsis[0] == "articles/mariano.md"

    fake_openai.synopses.append(json.dumps(SYNOPSIS))
    fake_openai.queue(routing(decision("update", ["S1"], article="A1")),
                      update(edit("append", "sec1", para("Mariano wants reader ratings in his recommender.", "S1",
                                                         quote=("Поговорили с Мариано", "с простой популярностью")))))
    report = notesmith.process(ws, llm=model(fake_openai), today=TODAY, jobs=1)
    assert report.updated == ["articles/mariano.md"], report.summary_lines()
    assert len(fake_openai.synopsis_requests) == 1
    sent = user_prompt(fake_openai.synopsis_requests[0])
    assert "Мариано" in sent and "English" in sent  # the sources, and the workspace's language
    route_prompt = user_prompt(fake_openai.requests[0])
    assert 'A1: articles/mariano.md — "Mariano\'s thesis project"' in route_prompt
    assert "Mentions: Mariano" in route_prompt  # the richer card
    # The run log shows the synopsis call, the candidates it produced and the decision.
    log = json.loads((ws / report.log_file).read_text(encoding="utf-8"))
    assert [c["purpose"] for c in log["calls"]][:2] == ["synopsis", "route"]
    entry = log["report"]["routing"][0]
    assert entry["synopsis"].startswith("Mariano's thesis") and entry["names"] == ["Mariano"]
    assert entry["candidates"][0] == "articles/mariano.md"
    assert entry["decision"] == ["update articles/mariano.md"]


def test_the_model_may_search_once_with_its_own_words(tmp_path, fake_openai):
    ws = workspace(tmp_path, config="shortlist = 2\n")
    fake_openai.synopses.append(json.dumps({"synopsis": "Mariano, a student, and his thesis on recommenders.",
                                            "terms": [], "names": []}))
    fake_openai.queue(routing(decision("create", ["S1"], title="A talk"), search=["greenhouse tomatoes side shoots"]),
                      routing(decision("create", ["S1"], title="A talk"), search=["still searching"]),
                      draft("A talk", para("We talked about the thesis.", "S1",
                                           quote=("Поговорили с Мариано", "с простой популярностью"))))
    report = notesmith.process(ws, llm=model(fake_openai), today=TODAY, jobs=1, dry_run=False)
    first, second = user_prompt(fake_openai.requests[0]), user_prompt(fake_openai.requests[1])
    assert "articles/tomatoes.md" not in first
    assert "articles/tomatoes.md" in second  # what the search found was shown
    # Once: the second answer's search is not run; then the draft.
    assert [("Decide where new material goes" in user_prompt(r)) for r in fake_openai.requests] == [True, True, False]
    log = json.loads((ws / report.log_file).read_text(encoding="utf-8"))
    entry = log["report"]["routing"][0]
    assert entry["search"] == ["greenhouse tomatoes side shoots"] and entry["found"][0] == "articles/tomatoes.md"
    assert report.created and report.ok


def test_a_synopsis_the_model_cannot_write_costs_recall_not_the_input(tmp_path, fake_openai):
    ws = workspace(tmp_path)
    fake_openai.synopses.append('{"synopsis": "Mariano\'s thesis, Mariano\'s thesis, Mariano\'s')  # cut off
    fake_openai.queue(routing(decision("create", ["S1"], title="Mariano's ratings")),
                      draft("Mariano's ratings", para("Mariano wants reader ratings.", "S1",
                                                      quote=("Поговорили с Мариано", "с простой популярностью"))))
    report = notesmith.process(ws, llm=model(fake_openai), today=TODAY, jobs=1)
    assert report.created and not report.waiting, report.summary_lines()
    assert len(fake_openai.synopsis_requests) == 1  # asked once: a synopsis is not worth a re-ask
    entry = report.routing[0]
    assert "synopsis" not in entry and "synopsis_failed" in entry
    assert entry["candidates"] and entry["decision"] == ["create Mariano's ratings"]


def test_a_placement_instruction_naming_an_article_is_followed_before_any_model_call(tmp_path, fake_openai):
    note = RUSSIAN.replace("популярностью.\n", "популярностью.\n\nAdd this to the Mariano's thesis project article.\n")
    ws = workspace(tmp_path, note)
    fake_openai.queue(update(edit("append", "sec1", para("Mariano wants reader ratings.", "S1",
                                                         quote=("Поговорили с Мариано", "с простой популярностью")))))
    report = notesmith.process(ws, llm=model(fake_openai), today=TODAY, jobs=1)
    assert report.updated == ["articles/mariano.md"], report.summary_lines()
    assert fake_openai.synopsis_requests == []  # no synopsis, no routing call: the author said where
    assert len(fake_openai.requests) == 1 and "existing article" in user_prompt(fake_openai.requests[0])
    assert "placement instruction" in report.routing[0]["placement"]


def test_a_dry_run_counts_the_synopsis_in_its_estimate_and_calls_nothing(tmp_path, fake_openai):
    ws = workspace(tmp_path)
    report = notesmith.process(ws, llm=model(fake_openai), today=TODAY, dry_run=True)
    assert fake_openai.requests == [] and fake_openai.synopsis_requests == []
    text = notesmith.read_input(ws / "inbox" / NOTE).text
    from notesmith.llm.base import estimate_tokens
    assert report.estimated_tokens > 2 * estimate_tokens(text) + 4000  # sources twice, two prompts, a synopsis


def test_a_dry_run_prices_its_estimate_when_prices_are_set(tmp_path, fake_openai):
    ws = workspace(tmp_path, config="price_input = 2.5\n")
    report = notesmith.process(ws, llm=model(fake_openai), today=TODAY, dry_run=True)
    assert report.cost == report.estimated_tokens * 2.5 / 1_000_000 > 0
    assert any("estimate about" in line and "price" in line for line in report.summary_lines())
    assert not any(line.startswith("  tokens") for line in report.summary_lines())  # nothing was spent


def test_a_server_on_this_machine_gets_one_request_at_a_time(tmp_path):
    from notesmith.pipeline.run import RunOptions, workers
    from notesmith.workspace import Workspace

    ws = workspace(tmp_path)
    local = Workspace.open(ws, {"base_url": "http://127.0.0.1:8080/v1", "model": "m"})
    remote = Workspace.open(ws, {"base_url": "https://api.example.invalid/v1", "model": "m"})
    llm = object()
    assert workers(local, RunOptions(), llm) == 1  # its one slot, and its prompt cache, stay warm
    assert workers(local, RunOptions(jobs=3), llm) == 3  # unless asked
    assert workers(remote, RunOptions(), llm) == remote.config.jobs == 4


def test_slow_stages_say_how_much_is_left():
    from notesmith.pipeline.runlog import Countdown

    said: list[str] = []
    countdown = Countdown("drafting", 4, said.append)
    countdown.started -= 30  # as if the first unit took 30 s
    countdown.tick()
    assert said == ["drafting 1/4, about 2 min left"]
    quick = Countdown("routing", 4, said.append)
    quick.tick()
    assert len(said) == 1  # fast units say nothing


def test_a_routing_answer_cut_off_in_its_explanation_keeps_its_decision(tmp_path, fake_openai):
    """A small model that keeps talking in `reason` has already decided: the decision stands."""
    ws = workspace(tmp_path)
    fake_openai.synopses.append(json.dumps(SYNOPSIS))
    looping = json.dumps(routing(decision("update", ["S1"], article="A1", title="Mariano's thesis project")))
    looping = looping[:looping.index('"reason": "') + 11] + "same topic as A1, " * 40
    fake_openai.queue(Answer(looping, finish_reason="length"),
                      update(edit("append", "sec1", para("Mariano will add reader ratings.", "S1",
                                                         quote=("Поговорили с Мариано", "с простой популярностью")))))
    report = notesmith.process(ws, llm=model(fake_openai), today=TODAY, jobs=1)
    assert report.updated == ["articles/mariano.md"] and not report.waiting, report.summary_lines()
    routes = [r for r in fake_openai.requests if "Decide where new material goes" in user_prompt(r)]
    assert len(routes) == 1  # not re-asked
    assert report.routing[0]["decision"] == ["update articles/mariano.md"]


def test_a_routing_answer_cut_off_before_its_decision_is_whole_is_asked_again(tmp_path, fake_openai):
    ws = workspace(tmp_path)
    fake_openai.synopses.append(json.dumps(SYNOPSIS))
    whole = json.dumps(routing(decision("update", ["S1"], article="A1", title="Mariano's thesis project")))
    cut_in_title = whole[:whole.index('"title": "') + 14]
    fake_openai.queue(Answer(cut_in_title, finish_reason="length"), whole,
                      update(edit("append", "sec1", para("Mariano will add reader ratings.", "S1",
                                                         quote=("Поговорили с Мариано", "с простой популярностью")))))
    report = notesmith.process(ws, llm=model(fake_openai), today=TODAY, jobs=1)
    assert report.updated == ["articles/mariano.md"], report.summary_lines()
    routes = [r for r in fake_openai.requests if "Decide where new material goes" in user_prompt(r)]
    assert len(routes) == 2


def test_a_title_that_is_only_an_id_is_no_title(tmp_path, fake_openai):
    ws = workspace(tmp_path)
    fake_openai.synopses.append(json.dumps(SYNOPSIS))
    fake_openai.queue(routing(decision("create", ["S1"], title="A7")),
                      draft("", para("Mariano wants reader ratings.", "S1",
                                     quote=("Поговорили с Мариано", "с простой популярностью"))))
    report = notesmith.process(ws, llm=model(fake_openai), today=TODAY, jobs=1)
    assert report.routing[0]["decision"] != ["create A7"]
    assert report.routing[0]["decision"][0].startswith("create Поговорили с Мариано")
