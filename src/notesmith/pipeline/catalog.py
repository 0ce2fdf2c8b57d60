"""The catalog: a compact description of every article, for routing and the index.

Reading 10,000 articles on every run would cost seconds, so descriptions are cached in the
state folder by file size and modification time.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from pathlib import Path

from notesmith.text.article import Article
from notesmith.errors import ArticleError, WriteError
from notesmith.text.index_table import first_sentence
from notesmith.pipeline.shortlist import salient_names
from notesmith.files import read_json, write_json

_MARKUP = re.compile(r"\[\^[^\]]+\]|\]\([^)]*\)|<[^>]+>|https?://\S+")
CACHE_VERSION = 3
NAMES = 40  # product names from the body, for matching only (they never reach a prompt)


@dataclass(frozen=True)
class Entry:
    """What routing needs to know of one article."""

    rel: str
    title: str
    tags: tuple[str, ...]
    description: str
    headings: tuple[str, ...]
    status: str
    updated: str
    names: tuple[str, ...] = ()

    def search_text(self) -> str:
        """Text for lexical matching: the title counts most, then tags, then the rest."""
        return " ".join([self.title] * 3 + list(self.tags) * 2 + [self.description, *self.headings,
                         *self.names, self.rel.rsplit("/", 1)[-1][:-3].replace("-", " ")])

    def describe(self, alias: str, max_headings: int = 12) -> str:
        """A few lines for a prompt: id, path, title, tags, description, section headings."""
        lines = [f"{alias}: {self.rel} — \"{self.title}\"" + (f" [{', '.join(self.tags)}]" if self.tags else "")]
        if self.description:
            lines.append(f"    {self.description}")
        if self.headings:
            shown = list(self.headings[:max_headings])
            more = len(self.headings) - len(shown)
            lines.append("    Sections: " + "; ".join(shown) + (f"; … ({more} more)" if more > 0 else ""))
        return "\n".join(lines)


_FIELDS = [f.name for f in fields(Entry)]


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def describe_article(article: Article, rel: str) -> Entry:
    """The catalog entry of one parsed article."""
    data = article.frontmatter
    tags = data.get("tags")
    tags = tuple(str(t) for t in tags) if isinstance(tags, list) else ()
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        description = first_sentence("\n".join(article.lines[article.body_start - 1:]))
    headings = tuple(h.text for h in article.scan.headings
                     if h.level in (2, 3) and h.text.lower() != "sources")
    def text(key: str) -> str:
        value = data.get(key)
        return value.strip() if isinstance(value, str) else ""
    body = "\n".join(line for line in article.lines[article.body_start - 1:] if not line.startswith("[^"))
    names = tuple(salient_names(_MARKUP.sub(" ", body), NAMES))
    return Entry(rel, article.title, tags, description.strip(), headings, text("status"), text("updated"), names)


def load_catalog(root: Path, articles_dir: str, cache_file: Path | None = None) -> list[Entry]:
    """Entries for every article (not `_` files) under articles_dir, using the cache when fresh."""
    cache = read_json(cache_file, {}) if cache_file else {}
    if cache.get("version") != CACHE_VERSION:
        cache = {}
    old = cache.get("entries", {})
    fresh: dict[str, dict] = {}
    entries = []
    base = root / articles_dir
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.endswith(".md") or name.startswith(("_", ".")):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            stat = path.stat()
            stamp = [stat.st_size, stat.st_mtime_ns]
            cached = old.get(rel)
            if cached and cached.get("stamp") == stamp:
                entry = Entry(*(tuple(v) if isinstance(v, list) else v for v in cached["entry"]))
            else:
                try:
                    entry = describe_article(Article.load(path), rel)
                except ArticleError:
                    continue
            fresh[rel] = cached if cached and cached.get("stamp") == stamp else \
                {"stamp": stamp, "entry": [_plain(getattr(entry, f)) for f in _FIELDS]}
            entries.append(entry)
    if cache_file and fresh != old:
        try:
            write_json(cache_file, {"version": CACHE_VERSION, "entries": fresh}, indent=None)
        except WriteError:
            pass  # a cache: the next run builds it again
    return entries
