"""Drafts to Markdown: sanitised blocks with footnote markers, and the full text of a new article."""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from notesmith.errors import DraftError
from notesmith.pipeline import citing
from notesmith.pipeline.citing import Labels
from notesmith.pipeline.blocks import Block, NewArticle
from notesmith.text.frontmatter import render_value
from notesmith.text.markdown import scan
from notesmith.text.slugs import transliterate

__all__ = ["render_block", "render_blocks", "render_new", "sanitise", "slug_tags", "uncited"]

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_RULE = re.compile(r" {0,3}(?:([-*_])(?:[ \t]*\1){2,}|=+)[ \t]*$")
_HEADING_MARK = re.compile(r"( {0,3})#{1,6}(?:[ \t]+|$)")
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _one_line(text: str) -> str:
    return " ".join(_NOT_PRINTABLE.sub("", text).split())


def _quoted(text: str) -> str:
    return '"' + _one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def slug_tags(tags: Iterable[str]) -> list[str]:
    """Tags as lowercase slugs (spaces and underscores become '-', other characters dropped), deduped."""
    out: list[str] = []
    for tag in tags:
        slug = re.sub(r"[\s_]+", "-", transliterate(str(tag)).lower().strip())
        slug = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "", slug)).strip("-")
        if slug and slug not in out:
            out.append(slug)
    return out


def _unemphasise(line: str) -> str:
    """The line without bold/italic markers, found the same way the style check finds them."""
    for _ in range(50):
        issues = [s for s in scan([line]).style if s.kind == "emphasis"]
        if not issues:
            break
        issue = issues[0]
        start = issue.col - 1
        marked = line[start:start + len(issue.text)]
        width = 2 if marked[:2] in ("**", "__") else 1
        line = line[:start] + marked[width:-width] + line[start + len(marked):]
    return line


def sanitise(text: str) -> list[str]:
    """Model text as lines fit for an article: no rules, no headings, no emphasis, no trailing spaces.

    Lists and code fences are kept; a fence left open is closed; runs of blank lines become one.
    """
    text = citing.strip_footnotes(text.replace("\r\n", "\n").replace("\r", "\n"))
    out: list[str] = []
    fence: str | None = None
    for raw in text.split("\n"):
        if fence is not None:
            out.append(raw)
            stripped = raw.strip()
            if stripped.startswith(fence) and set(stripped) <= {fence[0]}:
                fence = None
            continue
        opened = _FENCE.match(raw)
        if opened and not (opened.group(1)[0] == "`" and "`" in raw[opened.end():]):
            fence = opened.group(1)
            out.append(raw.rstrip())
            continue
        line = raw.rstrip()
        if _RULE.match(line):
            continue
        line = _HEADING_MARK.sub(r"\1", line, count=1)
        line = _unemphasise(line).rstrip()
        if line or (out and out[-1]):
            out.append(line)
    if fence is not None:
        out.append(fence)
    while out and not out[-1].strip():
        out.pop()
    while out and not out[0].strip():
        out.pop(0)
    return out


def _heading(block: Block) -> str | None:
    text = _one_line(citing.strip_footnotes(_one_line(block.text)))
    text = re.sub(r"^#+\s*|\s+#+$", "", text)
    if not text or text.lower() == "sources":
        return None  # notesmith writes the Sources section itself
    return "#" * min(max(block.level, 2), 3) + " " + text


def render_block(block: Block, labels: Labels) -> list[str]:
    """One block as lines (empty when nothing is left of it), a paragraph cited through labels."""
    if block.kind == "heading":
        line = _heading(block)
        return [line] if line else []
    lines = sanitise(block.text)
    if not lines:
        return []
    wanted = [labels.label(e.source, e.anchor) for e in block.evidence]
    return citing.cite_paragraph("\n".join(lines), wanted).split("\n")


def render_blocks(blocks: Iterable[Block], labels: Labels) -> list[str]:
    """Blocks as article lines, one blank line between blocks, paragraphs cited through labels."""
    out: list[str] = []
    for block in blocks:
        lines = render_block(block, labels)
        if lines:
            out.extend(([""] if out else []) + lines)
    return out


def uncited(blocks: Sequence[Block]) -> list[int]:
    """Indexes of paragraphs with text but no evidence."""
    return [i for i, b in enumerate(blocks) if b.kind != "heading" and not b.evidence and b.text.strip()]


def render_new(draft: NewArticle, *, article_rel: str, today: str, status: str = "draft",
               used_dir: str = "inbox/used", newline: str = "\n", citations: str = citing.PASSAGE) -> str:
    """The complete text of a new article: frontmatter, title, blocks and the Sources section.

    citations: "passage" (a footnote per anchored passage) or "source" (one per input).
    """
    title = _one_line(citing.strip_footnotes(_one_line(draft.title))).lstrip("#").strip()
    if not title:
        raise DraftError(f"the draft's title {draft.title!r} has no words once footnotes and markup are "
                         "removed; the model must give the article a title")
    labels = Labels.for_new(passages=citations != citing.SOURCE)
    body = render_blocks(draft.blocks, labels)
    lines = [
        "---",
        f"title: {_quoted(title)}",
        f"created: {today}",
        f"updated: {today}",
        f"tags: {render_value(slug_tags(draft.tags))}",
        f"status: {render_value(status)}",
    ]
    if _one_line(draft.description):
        lines.append(f"description: {_quoted(draft.description)}")
    if draft.language:
        lines.append(f"language: {render_value(_one_line(draft.language))}")
    lines += ["---", "", f"# {title}"]
    if body:
        lines += [""] + body
    footnotes = labels.new_labels()
    if footnotes:
        lines += ["", "## Sources", ""]
        lines += [citing.definition_line(f.label, f.source, citing.source_link(f.source, article_rel, used_dir),
                                         anchor=f.anchor) for f in footnotes]
    return newline.join(lines) + newline
