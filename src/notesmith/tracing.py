"""`notesmith trace`: where an input went and where an article's paragraphs came from.

`trace INPUT` lists the paragraphs of every article that cite the input, with their anchors, and
marks the input's text line by line: inside an anchor or not (the stretches no paragraph took).
`trace ARTICLE` lists each paragraph with its footnotes and the lines each anchor points at.
Read-only: it never writes. What an article records is lines, so coverage here counts the words
of anchored lines (the run counted the words of each passage, from its first word to its last)
and cannot leave out instructions to the assistant (the run that used the input did).
"""

from __future__ import annotations

import json
import os
import posixpath
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

from notesmith.checking.article_rules import Context, resolve_links
from notesmith.checking.rules import severities
from notesmith.checking.tree import DiskTree
from notesmith.errors import ArticleError, ConfigError, InputError
from notesmith.inputs.reading import decode
from notesmith.pipeline.coverage import MIN_UNCOVERED_WORDS, coverage
from notesmith.pipeline.wordindex import SourceIndex
from notesmith.text.article import Article
from notesmith.text.markdown import FOOTNOTE_REF, line_anchor
from notesmith.workspace import Workspace

__all__ = ["ArticleTrace", "Citation", "InputTrace", "Paragraph", "render", "trace"]

COVERED, UNCOVERED, NO_WORDS = "covered", "uncovered", ""
MARKS = {COVERED: "+", UNCOVERED: "-", NO_WORDS: " "}
EXCERPT = 100  # characters of a paragraph or of anchored lines shown


@dataclass(frozen=True)
class Citation:
    """One footnote link of a paragraph: what it cites and where (lines None: the whole file)."""

    label: str
    target: str  # workspace-relative path of the cited file, or the definition's text when not a file
    lines: tuple[int, int] | None = None
    excerpt: str = ""  # the start of the anchored lines, as stored
    problem: str = ""  # the file is missing, or the anchor is past its end


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of an article that holds footnote markers."""

    article: str
    line: int
    text: str  # its first words
    citations: tuple[Citation, ...]


@dataclass
class ArticleTrace:
    """An article's paragraphs with their anchors."""

    article: str
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass(frozen=True)
class Line:
    number: int
    mark: str  # covered | uncovered | "" (no words: frontmatter, blank, markup)
    text: str


@dataclass
class InputTrace:
    """The paragraphs citing an input, and its text marked by what they cover."""

    input: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    words: int = 0
    covered_words: int = 0
    percent: int = 0
    uncovered: list[tuple[int, int, int]] = field(default_factory=list)  # first line, last line, words
    lines: list[Line] = field(default_factory=list)


def trace(ws: Workspace, target: str | Path) -> InputTrace | ArticleTrace:
    """Trace an article (a .md file in the articles folder) or an input (by path or file name)."""
    rel = _resolve(ws, target)
    articles = ws.config.articles.strip("/")
    if rel.endswith(".md") and (rel.startswith(articles + "/") or articles in ("", ".")):
        return _trace_article(ws, rel)
    return _trace_input(ws, rel)


def _resolve(ws: Workspace, target: str | Path) -> str:
    """The workspace-relative path of a target given as a path (from here or the workspace) or a file name."""
    candidates = [Path(os.path.abspath(target)), ws.root / target]
    name = Path(target).name
    candidates += [ws.root / ws.config.used / name, ws.root / ws.config.inbox / name,
                   ws.root / ws.config.feedback / name, ws.root / ws.config.skipped / name]
    for path in candidates:
        if path.is_file():
            try:
                return Path(os.path.abspath(path)).relative_to(ws.root).as_posix()
            except ValueError:
                continue
    raise ConfigError(f"{target}: no such article or input in {ws.root}; give a path or an input's file name")


def _context(ws: Workspace) -> Context:
    return Context(DiskTree(ws.root), ws.config, severities(ws.config.rules))


def _paragraphs(article: Article, rel: str, ctx: Context) -> list[Paragraph]:
    """The article's paragraphs that hold footnote markers, with what each marker cites."""
    cited: dict[str, list[Citation]] = {}
    for target in resolve_links(article, rel, ctx):
        label = target.link.in_definition
        if label is not None:
            cited.setdefault(label, []).append(_citation(label, target.rel, target.link.target, ctx))
    for definition in article.scan.defs:
        if definition.label not in cited:  # a URL or plain text (a book, a talk)
            cited[definition.label] = [Citation(definition.label, " ".join(definition.text.split()))]
    lines = article.lines
    found: dict[int, list[str]] = {}
    for ref in article.scan.refs:
        start = ref.line
        while start - 1 >= article.body_start and lines[start - 2].strip() and not lines[start - 2].startswith("#"):
            start -= 1
        found.setdefault(start, [])
        if ref.label not in found[start]:
            found[start].append(ref.label)
    out = []
    for start, labels in sorted(found.items()):
        end = start
        while end < len(lines) and lines[end].strip() and not lines[end].startswith("#"):
            end += 1
        text = " ".join(FOOTNOTE_REF.sub("", " ".join(lines[start - 1:end])).split())
        citations = tuple(c for label in labels for c in cited.get(label, [Citation(label, "(no definition)")]))
        out.append(Paragraph(rel, start, _cut(text), citations))
    return out


def _citation(label: str, rel: str | None, link: str, ctx: Context) -> Citation:
    anchor = line_anchor(link)
    if rel is None:
        return Citation(label, link, anchor, problem="outside the workspace")
    if not ctx.tree.exists(rel) or ctx.tree.is_dir(rel):
        return Citation(label, rel, anchor, problem="missing")
    if anchor is None:
        return Citation(label, rel)
    try:
        stored = ctx.tree.read(rel).decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    except OSError as exc:
        return Citation(label, rel, anchor, problem=f"cannot read ({exc.strerror})")
    held = stored.split("\n")[anchor[0] - 1:anchor[1]]
    count = ctx.line_count(rel) or 0
    if not held or anchor[0] > anchor[1] or anchor[1] > count:
        return Citation(label, rel, anchor, problem=f"past the end: the file has {count} lines")
    return Citation(label, rel, anchor, _cut(" ".join(" ".join(held).split())))


def _cut(text: str) -> str:
    return text if len(text) <= EXCERPT else text[:EXCERPT].rsplit(" ", 1)[0] + " …"


def _trace_article(ws: Workspace, rel: str) -> ArticleTrace:
    try:
        article = Article.load(ws.root / rel)
    except ArticleError as exc:
        raise ConfigError(str(exc)) from None
    return ArticleTrace(rel, _paragraphs(article, rel, _context(ws)))


def _trace_input(ws: Workspace, rel: str) -> InputTrace:
    ctx = _context(ws)
    name = posixpath.basename(rel)
    spellings = {name, quote(name), name.replace(" ", "%20")}
    result = InputTrace(rel)
    for article_rel in ctx.tree.walk(ws.config.articles.strip("/"), ".md"):
        try:
            data = ctx.tree.read(article_rel)
        except OSError:
            continue
        if not any(s.encode("utf-8") in data for s in spellings):
            continue  # cheap: most articles never name the input
        try:
            article = Article.from_bytes(data, article_rel)
        except ArticleError:
            continue
        for paragraph in _paragraphs(article, article_rel, ctx):
            mine = tuple(c for c in paragraph.citations if c.target == rel)
            if mine:
                result.paragraphs.append(Paragraph(paragraph.article, paragraph.line, paragraph.text, mine))
    result.paragraphs.sort(key=lambda p: (p.article, p.line))
    try:
        stored = decode((ws.root / rel).read_bytes())
    except (OSError, InputError) as exc:
        raise ConfigError(f"{rel}: cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
    index = SourceIndex(stored, name)
    passages = [index.words_in_lines(*c.lines) for p in result.paragraphs for c in p.citations
                if c.lines is not None and not c.problem]
    found = coverage(index, passages, min_words=MIN_UNCOVERED_WORDS)
    result.words, result.covered_words, result.percent = found.words, found.covered_words, found.percent
    result.uncovered = [(s.lines[0], s.lines[1], s.words[1] - s.words[0]) for s in found.uncovered]
    result.lines = _marked(stored, index, [s.words for s in found.covered])
    return result


def _marked(stored: str, index: SourceIndex, covered: list[tuple[int, int]]) -> list[Line]:
    """Each line of the stored file, marked by whether its words are inside the covered word ranges."""
    texts = stored.split("\n")
    if texts and texts[-1] == "":
        texts.pop()
    marks = [NO_WORDS] * len(texts)
    k = 0
    for position, start in enumerate(index.starts):
        while k < len(covered) and covered[k][1] <= position:
            k += 1
        line = index.line_of(start) - 1
        if 0 <= line < len(marks) and marks[line] != UNCOVERED:
            marks[line] = COVERED if k < len(covered) and covered[k][0] <= position else UNCOVERED
    return [Line(n, mark, text) for n, (mark, text) in enumerate(zip(marks, texts), 1)]


def render(result: InputTrace | ArticleTrace, fmt: str = "text") -> str:
    """The trace as text for a person, or as JSON."""
    if fmt == "json":
        return json.dumps(asdict(result), ensure_ascii=False, indent=2)
    if isinstance(result, ArticleTrace):
        return "\n".join(_article_lines(result))
    return "\n".join(_input_lines(result))


def _span(c: Citation) -> str:
    """Where the citation points, in words: `lines 12–18`, `line 12`, or the whole file."""
    if c.lines is None:
        return "whole file, no anchor" if not c.problem and "/" in c.target else ""
    first, last = c.lines
    return f"line {first}" if first == last else f"lines {first}–{last}"


def _where(c: Citation) -> str:
    return " ".join(p for p in (f"[^{c.label}] {c.target}", _span(c), f"({c.problem})" if c.problem else "") if p)


def _article_lines(result: ArticleTrace) -> list[str]:
    out = [f"{result.article}: {len(result.paragraphs)} cited paragraph{'s' * (len(result.paragraphs) != 1)}"]
    for p in result.paragraphs:
        out.append(f"  line {p.line}: \"{p.text}\"")
        for c in p.citations:
            out.append(f"    {_where(c)}" + (f": \"{c.excerpt}\"" if c.excerpt else ""))
    return out


def _input_lines(result: InputTrace) -> list[str]:
    articles = {p.article for p in result.paragraphs}
    out = [f"{result.input}: cited by {len(result.paragraphs)} paragraph{'s' * (len(result.paragraphs) != 1)} "
           f"in {len(articles)} article{'s' * (len(articles) != 1)}; {result.percent}% of its words are in "
           f"anchored passages ({result.covered_words} of {result.words})"]
    for p in result.paragraphs:
        for c in p.citations:
            out.append(f"  {p.article}:{p.line} [^{c.label}] {_span(c)}: \"{p.text}\"")
    for first, last, words in result.uncovered:
        out.append(f"  uncovered lines {first}–{last} ({words} words): no paragraph cites them")
    out += ["", "  + inside an anchor   - in none", ""]
    width = len(str(len(result.lines)))
    out += [f"  {line.number:>{width}} {MARKS[line.mark]} {line.text}".rstrip() for line in result.lines]
    return out
