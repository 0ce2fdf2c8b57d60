"""Keeping _index.md current during a run: new rows on top, stale cells refreshed, prose untouched."""

from __future__ import annotations

from notesmith.text.article import Summary
from notesmith.text.index_table import index_articles

INDEX = """# Garden notes

Start with the workdays.

| Title | Status | Last Updated | Description |
|-------|--------|--------------|-------------|
| [Tool shed](tool-shed.md) | draft | 2026-10-03 | How the shed works. |

A closing remark by the author.
"""


def test_new_rows_go_on_top_and_listed_rows_are_refreshed_in_one_pass():
    infos = [
        Summary("articles/tool-shed.md", "Tool shed", "review", "2026-11-25", "Body."),
        Summary("articles/compost.md", "Compost", "draft", "2026-11-25", "Compost needs air."),
        Summary("articles/beds/raised.md", "Raised beds", "draft", "2026-11-25", "Beds we built."),
    ]
    changed = index_articles({"articles/_index.md": INDEX}, infos, articles_root="articles")
    assert list(changed) == ["articles/_index.md"]
    lines = changed["articles/_index.md"].splitlines()
    assert lines[:6] == INDEX.splitlines()[:6]
    # New rows go in at the top in the order given (a run gives them sorted by path).
    assert lines[6] == "| [Compost](compost.md) | draft | 2026-11-25 | Compost needs air. |"
    assert lines[7] == "| [Raised beds](beds/raised.md) | draft | 2026-11-25 | Beds we built. |"
    assert lines[8] == "| [Tool shed](tool-shed.md) | review | 2026-11-25 | How the shed works. |"
    assert lines[9:] == INDEX.splitlines()[7:]


def test_a_workspace_without_a_managed_table_gets_one_in_the_top_index():
    prose = "# My notes\n\nJust prose here.\n"
    infos = [Summary("articles/a.md", "A", "draft", "2026-11-25", "First.")]
    text = index_articles({"articles/_index.md": prose}, infos, articles_root="articles")["articles/_index.md"]
    assert text.startswith(prose)
    assert text.endswith("| Title | Status | Last Updated | Description |\n"
                         "|-------|--------|--------------|-------------|\n"
                         "| [A](a.md) | draft | 2026-11-25 | First. |\n")
    created = index_articles({}, infos, articles_root="articles")["articles/_index.md"]
    assert created.startswith("# Articles\n") and "| [A](a.md) |" in created


def test_crlf_index_files_stay_crlf():
    infos = [Summary("articles/b.md", "B", "draft", "2026-11-25", "Bee.")]
    text = index_articles({"articles/_index.md": INDEX.replace("\n", "\r\n")}, infos,
                          articles_root="articles")["articles/_index.md"]
    assert "\n" not in text.replace("\r\n", "")
    assert "| [B](b.md) | draft | 2026-11-25 | Bee. |\r\n" in text
