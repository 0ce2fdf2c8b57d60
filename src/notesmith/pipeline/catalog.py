"""The catalog: a compact description of every article, for routing and the index.

Reading 10,000 articles on every run would cost seconds, so descriptions are cached in the
state folder by file size and modification time.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from notesmith.text.article import Article, Summary
from notesmith.errors import ArticleError, WriteError
from notesmith.files import read_json, write_json
from notesmith.pipeline.shortlist import tokenize

CACHE_VERSION = 5
NAMES = 40  # names from the body: all for matching, the first CARD_NAMES on a prompt's card
TERMS = 150  # the body's most frequent words, for matching a synopsis (they never reach a prompt)
CARD_NAMES = 8  # names shown on a candidate's card in the routing prompt


def search_text(entry: Summary) -> str:
    """Text for lexical matching: the title counts most, then tags, then the rest."""
    return " ".join([entry.title] * 3 + list(entry.tags) * 2 + [entry.description, *entry.headings,
                     *entry.names, entry.rel.rsplit("/", 1)[-1][:-3].replace("-", " ")])


def body_terms(article: Article, limit: int = TERMS) -> tuple[str, ...]:
    """The article body's most frequent index terms (stems and transliterations, no skeletons)."""
    body = "\n".join(line for line in article.lines[article.body_start - 1:] if not line.startswith("[^"))
    counts = Counter(term for term in tokenize(body) if not term.startswith("~"))
    return tuple(term for term, _ in counts.most_common(limit))


def card(entry: Summary, alias: str, max_headings: int = 12) -> str:
    """A few lines for a prompt: id, path, title, tags, description, section headings, the names it mentions most."""
    lines = [f"{alias}: {entry.rel} — \"{entry.title}\"" + (f" [{', '.join(entry.tags)}]" if entry.tags else "")]
    if entry.description:
        lines.append(f"    {entry.description}")
    if entry.headings:
        shown = list(entry.headings[:max_headings])
        more = len(entry.headings) - len(shown)
        lines.append("    Sections: " + "; ".join(shown) + (f"; … ({more} more)" if more > 0 else ""))
    if entry.names:
        lines.append("    Mentions: " + ", ".join(entry.names[:CARD_NAMES]))
    return "\n".join(lines)


_FIELDS = list(Summary._fields)


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def load_catalog(root: Path, articles_dir: str, cache_file: Path | None = None) -> list[Summary]:
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
                entry = Summary(**{k: tuple(v) if isinstance(v, list) else v for k, v in zip(_FIELDS, cached["entry"])})
            else:
                try:
                    article = Article.load(path)
                except ArticleError:
                    continue
                entry = article.summary(rel, names=NAMES)._replace(terms=body_terms(article))
            fresh[rel] = cached if cached and cached.get("stamp") == stamp else \
                {"stamp": stamp, "entry": [_plain(getattr(entry, f)) for f in _FIELDS]}
            entries.append(entry)
    if cache_file and fresh != old:
        try:
            write_json(cache_file, {"version": CACHE_VERSION, "entries": fresh}, indent=None)
        except WriteError:
            pass  # a cache: the next run builds it again
    return entries
