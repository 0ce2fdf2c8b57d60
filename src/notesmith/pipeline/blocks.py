"""What a drafter produces: new articles and updates, as blocks that cite inputs by id."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph; a paragraph names the inputs (by id) that support it."""

    kind: str  # "heading" | "paragraph"
    text: str
    level: int = 2  # headings only: 2 or 3
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewArticle:
    """A new article's content; notesmith adds frontmatter dates, status, footnotes and Sources."""

    title: str
    blocks: tuple[Block, ...]
    tags: tuple[str, ...] = ()
    description: str = ""
    language: str | None = None  # set when the article is not in the workspace's language


@dataclass(frozen=True)
class Edit:
    """One change to an existing article, anchored to one of its headings.

    op "append": add blocks at the end of `section`.
    op "add_section": add a new section titled `heading` after `section` (None: at the end).
    op "revise": replace the text of `section` (up to its first sub-heading) with blocks.
    """

    op: str
    section: str | None
    blocks: tuple[Block, ...]
    heading: str | None = None
    level: int | None = None


@dataclass(frozen=True)
class ArticleUpdate:
    """Edits to one article and tags to merge into it."""

    edits: tuple[Edit, ...]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    """Where a set of inputs goes: a new article, an existing one, feedback, or nowhere yet."""

    action: str  # "create" | "update" | "feedback" | "skip"
    inputs: tuple[str, ...]  # input ids
    article: str | None = None  # workspace-relative path for "update"
    title: str = ""
    reason: str = ""
    instructions: tuple[str, ...] = field(default=())  # requests to the assistant not carried out
