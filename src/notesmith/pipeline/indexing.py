"""Keeping _index.md current: a row for each article, its status and date up to date (pure)."""

from __future__ import annotations

import posixpath

from notesmith.text.index_table import first_sentence, insert_row, parse_index, render_row, replace_row
from notesmith.checking.index_rules import ArticleInfo, indexes_for, load_index

INDEX_HEADER = ("| Title | Status | Last Updated | Description |",
                "|-------|--------|--------------|-------------|")


def new_index_text(existing: str | None) -> str:
    """An index file with an empty managed table appended (a new file when existing is None)."""
    text = existing if existing is not None else "# Articles\n"
    newline = "\r\n" if "\r\n" in text else "\n"
    if text and not text.endswith("\n"):
        text += newline
    return text + newline + newline.join(INDEX_HEADER) + newline


def index_article(texts: dict[str, str], info: ArticleInfo, body: str, *, articles_root: str,
                  index_name: str = "_index.md") -> dict[str, str]:
    """Index texts (rel → text) changed so the article is listed and its row is current."""
    return index_articles(texts, [(info, body)], articles_root=articles_root, index_name=index_name)


def index_articles(texts: dict[str, str], articles: list[tuple[ArticleInfo, str]], *, articles_root: str,
                   index_name: str = "_index.md") -> dict[str, str]:
    """Index texts changed so every (info, body) article is listed and its row is current.

    A listed article gets its status and date cells refreshed (title and description are the
    author's); an unlisted one gets a row at the top of the nearest managed table, and
    articles_root/_index.md gets a table when no folder above the article has one. Each index
    file is parsed once: refreshed rows keep their lines, and new rows all go in at the top.
    """
    indexes = {rel: load_index(rel, text) for rel, text in texts.items()}
    changed: dict[str, str] = {}
    new_rows: dict[str, list[str]] = {}  # index file → rows to insert, in order
    for info, body in articles:
        listed = False
        for index in indexes_for(info.rel, indexes, articles_root):
            row = index.rows.get(info.rel)
            if row is None:
                continue
            listed = True
            status, updated = info.status or row.status.strip(), info.updated or row.updated.strip()
            if (row.status.strip(), row.updated.strip()) != (status, updated):
                new = render_row(row.title, row.target, status, updated, row.description)
                changed[index.rel] = replace_row(changed.get(index.rel, index.text), row, new)
        if listed:
            continue
        nearest = indexes_for(info.rel, indexes, articles_root)
        if nearest:
            index_rel = nearest[0].rel
        else:  # no managed table above the article: give the top index file one
            index_rel = posixpath.join(articles_root, index_name)
            existing = changed.get(index_rel, texts.get(index_rel))
            changed[index_rel] = new_index_text(existing)
            indexes[index_rel] = load_index(index_rel, changed[index_rel])
        target = posixpath.relpath(info.rel, posixpath.dirname(index_rel) or ".")
        description = info.description or first_sentence(body)
        new_rows.setdefault(index_rel, []).append(
            render_row(info.title, target, info.status, info.updated, description))
    for index_rel, rows in new_rows.items():
        text = changed.get(index_rel, indexes[index_rel].text)
        table = parse_index(text)[0]  # the nearest folder's first managed table
        for row in rows:  # each at the top: the header above does not move
            text = insert_row(text, table, row)
        changed[index_rel] = text
    return changed
