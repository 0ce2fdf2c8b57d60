"""What a drafter produces: new articles and updates, as blocks that cite inputs by id."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Anchor:
    """Where a passage is in the stored input file: lines (1-based, inclusive), the time range of
    its cues (subtitles and Whisper JSON) and its word positions in the file's index (for coverage)."""

    lines: tuple[int, int]
    times: tuple[float, float] | None = None
    words: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Evidence:
    """The passage of one input a paragraph was written from: its first and last words as quoted.

    anchor is set once the passage is found in the stored file; unverified says why it was not
    (the paragraph then cites the input as a whole). Neither is set before locating. A drafter that
    copies its sources verbatim (the offline one) also gives the whole passage, placed word for word.
    """

    source: str  # the input's id
    first_words: str = ""
    last_words: str = ""
    anchor: Anchor | None = None
    unverified: str = ""
    passage: str = field(default="", compare=False, repr=False)  # the whole passage, when copied verbatim


def cite(*sources: str) -> tuple[Evidence, ...]:
    """Evidence naming whole inputs, no passage quoted (a source-level citation)."""
    return tuple(Evidence(source) for source in sources)


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph; a paragraph carries the evidence (inputs and passages) it comes from."""

    kind: str  # "heading" | "paragraph"
    text: str
    level: int = 2  # headings only: 2 or 3
    evidence: tuple[Evidence, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        """The ids of the inputs the paragraph cites, in order of first mention."""
        return tuple(dict.fromkeys(e.source for e in self.evidence))


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


@dataclass
class Drafted:
    """A drafter's result, with the model replies it took and what it was asked but did not do.

    asides: where each instruction to the assistant is in its input (located like evidence), so
    coverage leaves those words out.
    """

    content: NewArticle | ArticleUpdate
    replies: list = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)
    asides: list[Evidence] = field(default_factory=list)

    def blocks(self) -> list[Block]:
        """Every block of the draft, new article or edits."""
        content = self.content
        if isinstance(content, NewArticle):
            return list(content.blocks)
        return [b for e in content.edits for b in e.blocks]


# An article longer than this (characters) is written as several parts; a 50 MB transcript
# would otherwise make one article no editor or check could handle.
ARTICLE_PART_CHARS = 400_000


def split_long(draft: NewArticle, max_chars: int = ARTICLE_PART_CHARS) -> list[NewArticle]:
    """A draft too long for one article, as parts "Title (part i of n)", each cited as before."""
    parts: list[list[Block]] = [[]]
    size = 0
    for block in draft.blocks:
        if parts[-1] and size + len(block.text) > max_chars:
            parts.append([])
            size = 0
        parts[-1].append(block)
        size += len(block.text)
    if len(parts) == 1:
        return [draft]
    return [replace(draft, title=f"{draft.title} (part {n} of {len(parts)})", blocks=tuple(blocks))
            for n, blocks in enumerate(parts, 1)]
