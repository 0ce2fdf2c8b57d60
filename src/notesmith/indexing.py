"""Keeping _index.md current: a row for each article, its status and date up to date (pure)."""

from __future__ import annotations

import posixpath

from .index_table import first_sentence, insert_row, parse_index, render_row, replace_row
from .indexcheck import ArticleInfo, IndexFile, indexes_for, load_index

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
    file is parsed once, and again only after it changes.
    """
    indexes = {rel: load_index(rel, text) for rel, text in texts.items()}
    changed: dict[str, str] = {}
    for info, body in articles:
        for rel, text in _index_one(indexes, info, body, articles_root, index_name).items():
            indexes[rel] = load_index(rel, text)
            changed[rel] = text
    return changed


def _index_one(indexes: dict[str, IndexFile], info: ArticleInfo, body: str, articles_root: str,
               index_name: str) -> dict[str, str]:
    changed: dict[str, str] = {}
    listed = False
    for index in indexes_for(info.rel, indexes, articles_root):
        row = index.rows.get(info.rel)
        if row is None:
            continue
        listed = True
        if (row.status.strip(), row.updated.strip()) != (info.status or row.status.strip(),
                                                         info.updated or row.updated.strip()):
            new = render_row(row.title, row.target, info.status or row.status, info.updated or row.updated,
                             row.description)
            changed[index.rel] = replace_row(changed.get(index.rel, index.text), row, new)
    if listed:
        return changed
    nearest = indexes_for(info.rel, indexes, articles_root)
    if nearest:
        index_rel, text, table = nearest[0].rel, nearest[0].text, nearest[0].tables[0]
    else:
        index_rel = posixpath.join(articles_root, index_name)
        existing = indexes.get(index_rel)
        text = new_index_text(existing.text if existing else None)
        table = parse_index(text)[-1]
    folder = posixpath.dirname(index_rel)
    description = info.description or first_sentence(body)
    row = render_row(info.title, posixpath.relpath(info.rel, folder or "."), info.status, info.updated, description)
    changed[index_rel] = insert_row(text, table, row)
    return changed
