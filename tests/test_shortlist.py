from __future__ import annotations

import itertools

import pytest

from notesmith.pipeline.shortlist import Shortlist, tokenize


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("projects", "project"),
        ("courses", "course"),
        ("курсы", "курс"),
        ("агентов", "агенты"),
        ("agents", "агентов"),  # transliteration of the Cyrillic stem
        ("claude", "клод"),  # consonant skeleton
        ("jupyter", "джупитер"),
        ("markdown", "маркдаун"),
        ("json", "джейсон"),
        ("codex", "кодекс"),
        ("project", "проекты"),
        ("task", "задачу"),  # glossary
        ("book", "книги"),
    ],
)
def test_forms_meet(a: str, b: str) -> None:
    assert set(tokenize(a)) & set(tokenize(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("garden", "kubernetes"),
        ("книга", "курс"),
        ("python", "grafana"),
    ],
)
def test_unrelated_words_do_not_meet(a: str, b: str) -> None:
    assert not set(tokenize(a)) & set(tokenize(b))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The and of 2026 42", []),
        ("это и что вот 15", []),
        ("Der und die das", []),
        ("", []),
    ],
)
def test_stop_words_and_numbers_dropped(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_tokenize_keeps_latin_words_inside_russian_text() -> None:
    terms = tokenize("Сегодня пробовал Claude Code и Terraform")
    assert {"claude", "code", "terraform"} <= set(terms)


def test_tokenize_splits_on_underscores_and_hyphens() -> None:
    assert {"claude", "code"} <= set(tokenize("claude-code claude_code"))


TOPICS = ["garden", "recipes", "budget", "travel", "reading", "fitness", "music", "photos",
          "python", "hiring"]
ACTIONS = ["planning", "notes", "checklist", "review", "ideas", "mistakes", "setup", "tips",
           "lessons", "tracker"]
TOOLS = ["Notion", "Excel", "Trello", "Obsidian", "Kubernetes", "Grafana", "Postgres",
         "Figma", "Zapier", "Airtable"]


def synthetic_docs() -> list[tuple[str, str]]:
    """200 descriptors; the one to find shares each of its names with several others."""
    docs = []
    for i, (topic, action, tool) in enumerate(itertools.product(TOPICS, ACTIONS, TOOLS[:2])):
        title = f"{topic.title()} {action} with {tool}"
        text = f"{title}\n{title}\n{topic} {action}\n## Overview\n## Details"
        docs.append((f"doc-{i:03}", text))
    # Kubernetes and Grafana each appear in distractors; only the target has both.
    docs[17] = ("k8s-only", "Kubernetes upgrade\nKubernetes upgrade\nkubernetes cluster ops")
    docs[41] = ("grafana-only", "Grafana for the home budget\nGrafana for the home budget\nbudget")
    docs[88] = ("k8s-notes", "Kubernetes notes\nKubernetes notes\nnotes")
    docs[133] = ("target", "Monitoring Kubernetes with Grafana dashboards\n"
                           "Monitoring Kubernetes with Grafana dashboards\n"
                           "kubernetes grafana monitoring\n## Alerts\n## Dashboards")
    return docs


def test_finds_article_from_russian_query_with_english_names() -> None:
    shortlist = Shortlist(synthetic_docs())
    assert len(shortlist) == 200
    query = ("Вчера весь вечер настраивал мониторинг: поставил Grafana, подключил к кластеру "
             "Kubernetes, собрал пару дашбордов и алертов.")
    top = shortlist.top(query, k=3)
    assert top[0][0] == "target"
    assert [score for _, score in top] == sorted((score for _, score in top), reverse=True)


def test_transliterated_names_find_the_article() -> None:
    shortlist = Shortlist(synthetic_docs())
    top = shortlist.top("настраивал графану для кубернетеса, дашборды", k=1)
    assert top[0][0] == "target"


def test_top_respects_k_and_returns_only_matches() -> None:
    shortlist = Shortlist(synthetic_docs())
    assert len(shortlist.top("garden planning notes", k=5)) == 5
    assert shortlist.top("zzzz qqqq", k=5) == []
    assert shortlist.top("", k=5) == []


def test_ties_keep_the_order_docs_were_given() -> None:
    shortlist = Shortlist([("b", "apple"), ("a", "apple"), ("c", "pear")])
    assert [doc_id for doc_id, _ in shortlist.top("apple", k=8)] == ["b", "a"]


def test_title_repetition_outweighs_a_passing_mention() -> None:
    shortlist = Shortlist([
        ("mention", "Weekly log\nWeekly log\nsourdough baking gardening travel"),
        ("about", "Sourdough\nSourdough\nbaking bread"),
    ])
    assert shortlist.top("sourdough", k=1)[0][0] == "about"


def test_empty_shortlist() -> None:
    shortlist = Shortlist([])
    assert len(shortlist) == 0
    assert shortlist.top("anything") == []


def test_scores_name_every_matching_doc() -> None:
    shortlist = Shortlist([("x", "Obsidian vault"), ("y", "Trello board"), ("z", "garden")])
    assert set(shortlist.scores("Obsidian и Trello")) == {"x", "y"}
