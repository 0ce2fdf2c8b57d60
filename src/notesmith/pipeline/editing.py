"""Apply a model's edits to an existing article so that every untouched line stays byte-identical.

Anchors are heading texts. The title (H1) stands for the top of the article: appending to it or
adding a section after it lands after the introduction, before the first `##` section (where a
newest-first log puts a new week); revising it replaces the introduction. No anchor (None) means
the end of the body, before `## Sources`. Nothing inside Sources is edited except that new
definitions are appended after the last one.
"""

from __future__ import annotations

from typing import Sequence

from notesmith.errors import DraftError
from notesmith.pipeline import citing
from notesmith.text.article import Article, Section
from notesmith.pipeline.blocks import ArticleUpdate, Block, Edit
from notesmith.pipeline.rendering import render_block, slug_tags

__all__ = ["apply_update", "find_section"]

_OPS = ("append", "add_section", "revise")


def _norm(text: str) -> str:
    return " ".join(text.strip().lstrip("#").split()).casefold()


def _sources(article: Article) -> Section | None:
    found = [s for s in article.sections() if s.level <= 2 and _norm(s.title) == "sources"]
    return found[-1] if found else None


def find_section(article: Article, anchor: str) -> Section:
    """The section whose heading is anchor: exact text first, then ignoring case and spacing."""
    sources = _sources(article)
    candidates = [s for s in article.sections() if sources is None or s.line < sources.line]
    for match in (lambda s: s.title == anchor.strip(), lambda s: _norm(s.title) == _norm(anchor)):
        hit = next((s for s in candidates if match(s)), None)
        if hit is not None:
            return hit
    if sources is not None and _norm(anchor) == "sources":
        raise DraftError("the Sources section is written by notesmith; anchor the edit to another heading")
    names = ", ".join(repr(s.title) for s in candidates) or "none"
    raise DraftError(f"no heading {anchor!r} in the article; anchor the edit to one of: {names}")


def _body_end(article: Article) -> int:
    """0-based index of the last line the body's edits may reach (the line before Sources)."""
    sources = _sources(article)
    return (sources.line - 2) if sources else len(article.lines) - 1


def _own_end(article: Article, section: Section) -> int:
    """0-based index of the last line of the section's own text (before its first sub-heading)."""
    later = [h for h in article.scan.headings if h.line > section.line]
    end = min(section.end_line - 1, _body_end(article))
    return min(end, later[0].line - 2) if later else end


def _full_end(article: Article, section: Section) -> int:
    if section.level == 1:
        return _own_end(article, section)
    return min(section.end_line - 1, _body_end(article))


def _enclosing(article: Article, section: Section, level: int) -> Section:
    """The section of at most `level` (but not the title) that holds section, else section itself.

    A new `##` anchored to a `###` goes after the `##` holding it, so it does not adopt its siblings.
    """
    holders = [s for s in article.sections()
               if 2 <= s.level <= level and s.line < section.line and s.end_line >= section.line]
    return holders[-1] if holders else section


def _last_text(lines: list[str], start: int, end: int) -> int:
    """Index of the last non-blank line in lines[start+1..end], else start."""
    for i in range(min(end, len(lines) - 1), start, -1):
        if lines[i].strip():
            return i
    return start


def _insert_after(lines: list[str], at: int, new: list[str]) -> list[str]:
    """lines with new inserted after lines[at], a blank line on each side where needed."""
    before = [""] if at >= 0 and lines[at].strip() else []
    rest = lines[at + 1:]
    after = [""] if rest and rest[0].strip() else []
    return lines[:at + 1] + before + new + after + rest


def _render(blocks: Sequence[Block], labels: citing.Labels, extra: Sequence[str] = ()) -> list[str]:
    chunks = [render_block(b, labels) for b in blocks]
    if extra:
        last = max((i for i, b in enumerate(blocks) if b.kind != "heading" and chunks[i]), default=None)
        if last is None:
            raise DraftError("a revise removes cited text but gives no paragraph to carry its citations")
        chunks[last] = citing.cite_paragraph("\n".join(chunks[last]), list(extra)).split("\n")
    out: list[str] = []
    for chunk in chunks:
        if chunk:
            out.extend(([""] if out else []) + chunk)
    return out


def _revise(article: Article, section: Section, edit: Edit, labels: citing.Labels) -> list[str]:
    lines = article.lines
    start, end = section.line, _own_end(article, section)  # 0-based: lines[start..end] is the own text
    found = article.scan
    removed = list(dict.fromkeys(r.label for r in found.refs if start < r.line <= end + 1))
    kept_defs: list[str] = []
    for d in found.defs:
        if start < d.line <= end + 1:
            last = _last_text(lines, d.line - 1, min(d.end_line, end + 1) - 1)
            kept_defs.extend(lines[d.line - 1:last + 1])  # never delete a definition
    elsewhere = {r.label for r in found.refs if not start < r.line <= end + 1}
    new = _render(edit.blocks, labels)
    cited = set(citing.footnote_labels("\n".join(new)))
    lost = [label for label in removed if label not in elsewhere and label not in cited]
    if lost:
        new = _render(edit.blocks, labels, lost)  # same labels again: allocation is idempotent
    if kept_defs:
        new = new + ([""] if new else []) + kept_defs
    rest = lines[end + 1:]
    return lines[:start] + ([""] + new if new else []) + ([""] if rest else []) + rest


def _apply(article: Article, edit: Edit, labels: citing.Labels) -> list[str]:
    if edit.op not in _OPS:
        raise DraftError(f"unknown edit op {edit.op!r}; use one of: {', '.join(_OPS)}")
    section = find_section(article, edit.section) if edit.section is not None else None
    lines = article.lines
    if edit.op == "revise":
        if section is None:
            raise DraftError("a revise must name the section it rewrites")
        return _revise(article, section, edit, labels)
    if edit.op == "append":
        new = _render(edit.blocks, labels)
    else:
        heading = " ".join((edit.heading or "").split())
        if not heading:
            raise DraftError("add_section needs a heading for the new section")
        level = min(max(edit.level or (section.level if section else 2), 2), 3)
        new = _render((Block("heading", heading, level=level), *edit.blocks), labels)
        if section is not None and level < section.level:
            section = _enclosing(article, section, level)
    if not new:
        return lines
    if section is not None:
        start, end = section.line - 1, _full_end(article, section)
    else:
        start, end = min(article.body_start - 2, len(lines) - 1), _body_end(article)
    return _insert_after(lines, _last_text(lines, start, end), new)


def _add_definitions(article: Article, labels: citing.Labels, article_rel: str, used_dir: str) -> list[str]:
    new = [citing.definition_line(f.label, f.source, citing.source_link(f.source, article_rel, used_dir),
                                  anchor=f.anchor) for f in labels.new_labels()]
    lines = article.lines
    if not new:
        return lines
    sources = _sources(article)
    if sources is None:
        return _insert_after(lines, _last_text(lines, -1, len(lines) - 1), ["## Sources", ""] + new)
    defs = [d for d in article.scan.defs if sources.line < d.line <= sources.end_line]
    if defs:
        last = _last_text(lines, defs[-1].line - 1, defs[-1].end_line - 1)
        return lines[:last + 1] + new + lines[last + 1:]
    return _insert_after(lines, _last_text(lines, sources.line - 1, sources.end_line - 1), new)


def _frontmatter(article: Article, tags: Sequence[str], today: str) -> Article:
    block = article.block
    if block is None or block.end is None or block.error:
        return article
    data = article.frontmatter
    values: dict[str, object] = {}
    if str(data.get("updated")) != today:
        values["updated"] = today
    old = data.get("tags")
    old = list(old) if isinstance(old, list) else ([] if old is None else [old])
    added = [t for t in slug_tags(tags) if t not in old]
    if added:
        values["tags"] = old + added
    return article.with_frontmatter(**values) if values else article


def apply_update(article: Article, update: ArticleUpdate, *, article_rel: str, today: str,
                 used_dir: str = "inbox/used", citations: str = citing.PASSAGE) -> Article:
    """The article with the update's edits, new definitions, `updated` and merged tags applied.

    Existing footnotes stay as they are; a passage the article already cites reuses its label.
    """
    labels = citing.Labels.from_article(article, used_dir, passages=citations != citing.SOURCE)
    for edit in update.edits:
        article = _with(article, _apply(article, edit, labels))
    article = _with(article, _add_definitions(article, labels, article_rel, used_dir))
    return _frontmatter(article, update.tags, today)


def _with(article: Article, lines: list[str]) -> Article:
    return article if lines == article.lines else article.with_lines(lines)
