"""Articles: Markdown files with YAML frontmatter, loaded and dumped with an exact round trip."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from notesmith.errors import ArticleError, BinaryFile, NotUtf8
from notesmith.text import frontmatter as fm
from notesmith.text.markdown import Heading, Scan, scan

BOM = "\ufeff"


class Summary(NamedTuple):
    """What the index, routing and `status` need to know of one article."""

    rel: str
    title: str
    status: str = ""
    updated: str = ""
    description: str = ""  # frontmatter `description`, else the first sentence of the body
    tags: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()  # the level 2 and 3 headings, Sources left out
    names: tuple[str, ...] = ()  # names the body mentions most (for routing; only when asked for)
    terms: tuple[str, ...] = ()  # the body's most frequent words, as routing indexes them (the catalog's)


class Section(NamedTuple):
    """A heading and the lines under it up to the next heading of the same or a higher level."""

    heading: Heading
    end_line: int  # last line of the section (1-based, inclusive)

    @property
    def title(self) -> str:
        return self.heading.text

    @property
    def level(self) -> int:
        return self.heading.level

    @property
    def line(self) -> int:
        return self.heading.line


class Article:
    """One article. `text` is exactly the file's content (without a BOM, which `bom` records)."""

    def __init__(self, text: str, path: Path | str | None = None, *, bom: bool = False):
        if text.startswith(BOM):
            text, bom = text[1:], True
        self.text = text
        self.path = Path(path) if path is not None else None
        self.bom = bom

    # -- reading and writing ------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, path: Path | str | None = None) -> "Article":
        """An article from its text."""
        return cls(text, path)

    @classmethod
    def from_bytes(cls, data: bytes, path: Path | str | None = None) -> "Article":
        """An article from raw bytes; raises ArticleError for binary or non-UTF-8 content."""
        where = path or "<article>"
        if b"\0" in data[:8192]:
            raise BinaryFile("binary file, not Markdown; remove it from the articles folder", path=where)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise NotUtf8(
                f"not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8", path=where, line=line
            ) from None
        return cls(text, path)

    @classmethod
    def load(cls, path: Path | str) -> "Article":
        """Read an article from disk."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ArticleError(f"cannot read: {exc.strerror}", path=path) from None
        return cls.from_bytes(data, path)

    def dump(self) -> str:
        """The article's text, byte-identical to what was loaded when nothing changed."""
        return (BOM if self.bom else "") + self.text

    def save(self, path: Path | str | None = None) -> Path:
        """Write atomically (temporary file, fsync, rename)."""
        target = Path(path or self.path or "")
        if not str(target):
            raise ArticleError("article has no path; pass one to save()")
        from notesmith.files import write_atomic

        write_atomic(target, self.dump().encode("utf-8"))
        return target

    # -- structure ------------------------------------------------------------------------

    @cached_property
    def newline(self) -> str:
        """The file's line ending: CRLF when its first line ends so, else LF."""
        first = self.text.find("\n")
        return "\r\n" if first > 0 and self.text[first - 1] == "\r" else "\n"

    @cached_property
    def lines(self) -> list[str]:
        """Lines without their endings; line n of the file is lines[n - 1]."""
        lines = self.text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return [line[:-1] if line.endswith("\r") else line for line in lines]

    @cached_property
    def block(self) -> fm.Block | None:
        return fm.parse_block(self.text)

    @property
    def has_frontmatter(self) -> bool:
        return self.block is not None

    @property
    def frontmatter(self) -> dict[str, Any]:
        """The frontmatter mapping ({} when absent or broken); dates stay 'YYYY-MM-DD' strings."""
        data = self.block.data if self.block else None
        return data if isinstance(data, dict) else {}

    @property
    def body_start(self) -> int:
        """1-based line number where the body starts."""
        block = self.block
        if block is None:
            return 1
        return (block.end if block.end is not None else len(self.lines)) + 2

    @property
    def body(self) -> str:
        """The text after the frontmatter, lines joined with "\\n"."""
        return "\n".join(self.lines[self.body_start - 1:])

    @cached_property
    def scan(self) -> Scan:
        """Headings, footnotes, links and style issues of the body."""
        return scan(self.lines[self.body_start - 1:], self.body_start)

    @property
    def title(self) -> str:
        title = self.frontmatter.get("title")
        if isinstance(title, str) and title.strip():
            return title.strip()
        for heading in self.scan.headings:
            if heading.level == 1:
                return heading.text
        return self.path.stem if self.path else ""

    def summary(self, rel: str, *, names: int = 0, describe: bool = True) -> Summary:
        """The article's Summary; `names` > 0 also collects that many names from the body.

        describe=False leaves out the description when it is not in the frontmatter (finding the
        body's first sentence is the costly part, and the check needs only status and dates).
        """
        from notesmith.text.prose import (  # not needed by the check
            first_sentence,
            salient_names,
        )

        data = self.frontmatter

        def text(key: str) -> str:
            value = data.get(key)
            return value.strip() if isinstance(value, str) else ""

        tags = data.get("tags")
        description = text("description") or (first_sentence(self.body) if describe else "")
        headings = tuple(h.text for h in self.scan.headings if h.level in (2, 3) and h.text.lower() != "sources")
        found: tuple[str, ...] = ()
        if names:
            found = tuple(salient_names(self.lines[self.body_start - 1:], names))
        return Summary(rel, self.title, text("status"), text("updated"), description,
                       tuple(str(t) for t in tags) if isinstance(tags, list) else (), headings, found)

    def sections(self) -> list[Section]:
        """Every heading with the extent of its section."""
        headings = self.scan.headings
        last = len(self.lines)
        out = []
        for i, heading in enumerate(headings):
            end = last
            for later in headings[i + 1:]:
                if later.level <= heading.level:
                    end = later.line - 1
                    break
            out.append(Section(heading, end))
        return out

    def section(self, title: str) -> Section | None:
        """The first section whose heading text matches title (case-insensitive)."""
        wanted = title.strip().lower()
        return next((s for s in self.sections() if s.title.lower() == wanted), None)

    # -- editing (each returns a new Article, untouched text stays byte-identical) --------

    def with_lines(self, lines: list[str]) -> "Article":
        """A copy whose lines are replaced; unchanged lines at the start and end keep their own endings."""
        old, raw = self.lines, self._endings()
        n, m = len(old), len(lines)
        head = 0
        while head < min(n, m) and old[head] == lines[head]:
            head += 1
        tail = 0
        while tail < min(n, m) - head and old[n - 1 - tail] == lines[m - 1 - tail]:
            tail += 1
        endings = raw[:head] + [self.newline] * (m - head - tail) + raw[n - tail:]
        for i in range(m - 1):
            if endings[i] in ("", "\r"):  # a line that was last and no longer is
                endings[i] = self.newline
        if m and not tail:
            ends_with_newline = self.text.endswith("\n") or not self.text
            endings[-1] = self.newline if ends_with_newline else ""
        text = "".join(line + ending for line, ending in zip(lines, endings))
        return Article(text, self.path, bom=self.bom)

    def _endings(self) -> list[str]:
        """The line ending of each of self.lines ("" for a last line without one)."""
        parts = self.text.split("\n")
        last = parts.pop()
        endings = ["\r\n" if part.endswith("\r") else "\n" for part in parts]
        if last:
            endings.append("\r" if last.endswith("\r") else "")
        return endings

    def with_frontmatter(self, **values: Any) -> "Article":
        """A copy with top-level frontmatter keys set; other keys, order and comments are kept."""
        if self.block is None or self.block.end is None:
            raise ArticleError("article has no closed frontmatter to edit", path=self.path)
        lines = self.lines
        for key, value in values.items():
            block = fm.parse_block("\n".join(lines))
            lines = fm.set_key(lines, block, key, value)
        return self.with_lines(lines)
