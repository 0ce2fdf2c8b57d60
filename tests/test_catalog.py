"""The catalog: compact article descriptions for routing, cached by size and mtime."""

from __future__ import annotations

import json
import os
from pathlib import Path

from notesmith.text.article import Article
from notesmith.pipeline.catalog import NAMES, card, load_catalog, search_text

ARTICLE = """---
title: "Rain barrels"
created: 2026-09-01
updated: 2026-09-02
tags: [water, shed]
status: review
---

# Rain barrels

Most water comes from the shed roof. The overflow runs onto the path.

## Winter

Empty the barrels before the frost with the GardenPump3000 and `hose-kit`[^1].

## Sources

[^1]: [x.txt](../inbox/used/x.txt)
"""


def test_description_headings_and_names_come_from_the_article():
    entry = Article(ARTICLE).summary("articles/rain.md", names=NAMES)
    assert entry.title == "Rain barrels"
    assert entry.tags == ("water", "shed")
    assert entry.description == "Most water comes from the shed roof."
    assert entry.headings == ("Winter",)  # Sources is not a topic
    assert "GardenPump3000" in entry.names and "hose-kit" in entry.names
    assert (entry.status, entry.updated) == ("review", "2026-09-02")
    prompt = card(entry, "A1")
    assert prompt.startswith('A1: articles/rain.md — "Rain barrels" [water, shed]')
    # The card names what the article mentions most ("Mariano's project" finds the article about
    # Mariano), from its prose: not its headings, which the card shows on their own line.
    assert prompt.splitlines()[-1] == "    Mentions: GardenPump3000, hose-kit"
    assert "GardenPump3000" in search_text(entry)


def test_frontmatter_description_wins(tmp_path: Path):
    text = ARTICLE.replace("status: review", 'status: review\ndescription: "How we catch water."')
    assert Article(text).summary("articles/rain.md").description == "How we catch water."


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_catalog_skips_special_and_unreadable_files(tmp_path: Path):
    write(tmp_path, "articles/rain.md", ARTICLE)
    write(tmp_path, "articles/deep/other.md", ARTICLE.replace("Rain barrels", "Other"))
    write(tmp_path, "articles/_index.md", "# Index\n")
    (tmp_path / "articles" / "broken.md").write_bytes(b"\xff\xfe not utf-8")
    entries = load_catalog(tmp_path, "articles")
    assert sorted(e.rel for e in entries) == ["articles/deep/other.md", "articles/rain.md"]


def test_cache_is_used_while_a_file_is_unchanged_and_refreshed_when_it_changes(tmp_path: Path):
    path = write(tmp_path, "articles/rain.md", ARTICLE)
    cache = tmp_path / ".notesmith" / "catalog.json"
    assert load_catalog(tmp_path, "articles", cache)[0].title == "Rain barrels"
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["entries"]["articles/rain.md"]["entry"][1] = "From the cache"
    cache.write_text(json.dumps(data), encoding="utf-8")
    assert load_catalog(tmp_path, "articles", cache)[0].title == "From the cache"
    path.write_text(ARTICLE.replace("Rain barrels", "Rain barrels and taps"), encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a new stamp even within the same mtime tick
    assert load_catalog(tmp_path, "articles", cache)[0].title == "Rain barrels and taps"


def test_a_damaged_cache_is_ignored(tmp_path: Path):
    write(tmp_path, "articles/rain.md", ARTICLE)
    cache = write(tmp_path, ".notesmith/catalog.json", "{not json")
    assert load_catalog(tmp_path, "articles", cache)[0].title == "Rain barrels"
    assert json.loads(cache.read_text(encoding="utf-8"))["version"] >= 1
