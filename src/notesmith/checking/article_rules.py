"""The per-article checks of SPEC §4: frontmatter, footnotes, sources, links, images, style."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple

from notesmith.checking.rules import RULES, Finding
from notesmith.checking.tree import Tree
from notesmith.config import Config
from notesmith.text.article import Article
from notesmith.text.frontmatter import key_lines
from notesmith.text.markdown import Link, line_anchor, local_target

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TAG = re.compile(r"[a-z0-9][a-z0-9._/-]*")


@dataclass
class Context:
    """What the checks need to know besides the article: the files, the layout, the severities."""

    tree: Tree
    config: Config
    severity: dict[str, str]
    _lines: dict[str, int | None] = field(default_factory=dict)

    def line_count(self, rel: str) -> int | None:
        """How many lines the file has (read once per check), None when it cannot be read."""
        if rel not in self._lines:
            try:
                data = self.tree.read(rel)
            except OSError:
                self._lines[rel] = None
            else:
                data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
                self._lines[rel] = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        return self._lines[rel]

    def finding(self, path: str, line: int, col: int, code: str, message: str) -> Finding | None:
        severity = self.severity[code]
        if severity == "off":
            return None
        return Finding(path, line, col, code, message, severity, RULES[code].fixable)


class Target(NamedTuple):
    """Where a local link leads, workspace-relative, and what is wrong with it (None when fine)."""

    link: Link
    rel: str | None  # None when the link leaves the workspace
    code: str | None = None
    message: str = ""
    fix: str | None = None  # the corrected target when exactly one file has the name


def check_article(article: Article, rel: str, ctx: Context) -> list[Finding]:
    """Every finding for one article, given its workspace-relative path."""
    out: list[Finding | None] = []
    add = out.append
    special = rel.rsplit("/", 1)[-1].startswith("_")
    if article.bom:
        add(ctx.finding(rel, 1, 1, "FM010", "file starts with a byte-order mark; remove it (notesmith check --fix)"))
    out.extend(_frontmatter(article, rel, ctx, special))
    if not (special and not article.has_frontmatter):
        out.extend(_footnotes(article, rel, ctx))
        for target in resolve_links(article, rel, ctx):
            if target.code:
                add(ctx.finding(rel, target.link.line, target.link.col, target.code, target.message))
        out.extend(_style(article, rel, ctx))
    return [f for f in out if f is not None]


def _frontmatter(article: Article, rel: str, ctx: Context, special: bool) -> Iterator[Finding | None]:
    block = article.block
    if block is None:
        if special:
            return
        if not article.text.strip():
            yield ctx.finding(rel, 1, 1, "FM001", "file is empty; write the article or delete the file")
        else:
            yield ctx.finding(rel, 1, 1, "FM001", "no frontmatter; start the file with a '---' block holding "
                              + ", ".join(ctx.config.required))
        return
    if block.error:
        code = "FM002" if block.end is None else "FM003"
        hint = "; close it with a '---' line" if code == "FM002" else "; fix the YAML"
        yield ctx.finding(rel, block.error_line or 1, 1, code, block.error + hint)
        return
    data = block.data
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        yield ctx.finding(rel, 2, 1, "FM004", f"frontmatter is {kind}, not key: value pairs")
        return
    lines = key_lines(article.lines, block)
    def line_of(key: str) -> int:
        return lines[key][0] + 1 if key in lines else 1
    for key in ctx.config.required:
        if key not in data:
            yield ctx.finding(rel, (block.end or 0) + 1, 1, "FM005", f"frontmatter has no '{key}'; add it")
        elif data[key] is None:
            yield ctx.finding(rel, line_of(key), 1, "FM005", f"'{key}' is empty; give it a value")
    title = data.get("title")
    if title is not None and not (isinstance(title, str) and title.strip()):
        yield ctx.finding(rel, line_of("title"), 1, "FM006", "'title' must be a non-empty string")
    tags = data.get("tags")
    if tags is not None:
        if not isinstance(tags, list):
            yield ctx.finding(rel, line_of("tags"), 1, "FM006", "'tags' must be a list, e.g. [writing, tools]")
        else:
            bad = [t for t in tags if not (isinstance(t, str) and _TAG.fullmatch(t))]
            if bad:
                yield ctx.finding(rel, line_of("tags"), 1, "FM006",
                                  f"tags must be lowercase slugs; not {', '.join(map(repr, bad))}")
    dates = {}
    for key in ("created", "updated"):
        value = data.get(key)
        if value is None:
            continue
        parsed = _parse_date(value)
        if parsed is None:
            yield ctx.finding(rel, line_of(key), 1, "FM007", f"'{key}' is {value!r}; write a date as YYYY-MM-DD")
        else:
            dates[key] = parsed
    if len(dates) == 2 and dates["updated"] < dates["created"]:
        yield ctx.finding(rel, line_of("updated"), 1, "FM008",
                          f"'updated' {dates['updated']} is before 'created' {dates['created']}")
    status = data.get("status")
    if status is not None and status not in ctx.config.statuses:
        yield ctx.finding(rel, line_of("status"), 1, "FM009",
                          f"status {status!r} is not one of {', '.join(ctx.config.statuses)}")


def _parse_date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _footnotes(article: Article, rel: str, ctx: Context) -> Iterator[Finding | None]:
    scan = article.scan
    defined: dict[str, int] = {}
    for d in scan.defs:
        if d.label in defined:
            yield ctx.finding(rel, d.line, 1, "FN003",
                              f"footnote [^{d.label}] is defined again (first on line {defined[d.label]})")
        else:
            defined[d.label] = d.line
    used = set()
    for ref in scan.refs:
        used.add(ref.label)
        if ref.label not in defined:
            yield ctx.finding(rel, ref.line, ref.col, "FN001", f"footnote [^{ref.label}] has no definition")
        if ref.glued:
            yield ctx.finding(rel, ref.line, ref.col, "FN004",
                              f"footnote [^{ref.label}] touches a URL; put a space or the link's closing bracket before it")
    for label, line in defined.items():
        if label not in used:
            yield ctx.finding(rel, line, 1, "FN002", f"footnote [^{label}] is defined but never referenced")


def _style(article: Article, rel: str, ctx: Context) -> Iterator[Finding | None]:
    codes = {"emphasis": "ST001", "rule": "ST002", "adjacent-code": "ST003"}
    messages = {
        "emphasis": "emphasis {text!r}; house style uses plain text",
        "rule": "horizontal rule; house style uses headings to separate parts",
        "adjacent-code": "code block directly after another; join them or put a sentence between",
    }
    for issue in article.scan.style:
        yield ctx.finding(rel, issue.line, issue.col, codes[issue.kind],
                          messages[issue.kind].format(text=issue.text[:40]))


def resolve_links(article: Article, rel: str, ctx: Context) -> Iterator[Target]:
    """Each local link of the article with what (if anything) is wrong with it."""
    folder = posixpath.dirname(rel)
    inbox = ctx.config.inbox.strip("/")
    used = ctx.config.used.strip("/")
    tree = ctx.tree
    for link in article.scan.links:
        path = local_target(link.target)
        if path is None:
            continue
        joined = path.lstrip("/") if path.startswith("/") else posixpath.join(folder, path)
        resolved = posixpath.normpath(joined)
        outside = resolved == ".." or resolved.startswith("../")
        name = posixpath.basename(resolved)
        is_source = _in_folder(resolved, inbox) or _in_folder(_strip_parents(path), inbox)
        if is_source and posixpath.dirname(resolved) == inbox and tree.exists(resolved):
            yield Target(link, resolved, "SR003",
                         f"cites {resolved}, which was never moved to {used}/; process it or move it and fix the link")
            continue
        if outside and not is_source:
            yield Target(link, None)  # outside the workspace: nothing to judge it by
            continue
        if not outside and tree.exists(resolved):
            yield _anchored(link, resolved, ctx)
            continue
        code_missing, code_moved, what = (
            ("SR001", "SR002", "source") if is_source
            else ("IM001", "IM002", "image") if link.image
            else ("LK001", "LK002", "link target")
        )
        elsewhere = [p for p in tree.by_name(name) if p != resolved] if name else []
        if is_source and f"{inbox}/{name}" in elsewhere:
            yield Target(link, resolved, "SR003",
                         f"cites {name}, which is still in {inbox}/ and was never moved to {used}/")
        elif len(elsewhere) == 1:
            fixed = posixpath.relpath(elsewhere[0], folder or ".")
            yield Target(link, resolved, code_moved,
                         f"{what} {path} does not exist; the file is at {elsewhere[0]} (fix: {fixed})", fixed)
        elif elsewhere:
            yield Target(link, resolved, code_moved,
                         f"{what} {path} does not exist; {len(elsewhere)} files have that name, e.g. {elsewhere[0]}")
        elif tree.staged and not outside and (tree.root / resolved).exists():
            yield Target(link, resolved, code_missing,
                         f"{what} {path} is on disk but not staged, so the commit would break it; git add {resolved}")
        else:
            where = "outside the workspace" if outside else resolved
            yield Target(link, None if outside else resolved, code_missing, f"{what} {path} does not exist ({where})")


def _anchored(link: Link, rel: str, ctx: Context) -> Target:
    """The link to an existing file, with SR004 when its #L anchor names lines the file does not have."""
    lines = line_anchor(link.target)
    if lines is None or ctx.tree.is_dir(rel):
        return Target(link, rel)
    count = ctx.line_count(rel)
    first, last = lines
    anchor = link.target.partition("#")[2]
    if count is None or first <= last <= count:
        return Target(link, rel)
    if first > last:
        return Target(link, rel, "SR004", f"anchor #{anchor} runs backwards; write the first line first")
    return Target(link, rel, "SR004", f"anchor #{anchor} is past the end of {rel}, which has {count} "
                                      f"line{'s' * (count != 1)}; point it at lines the file has")


def _in_folder(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def _strip_parents(path: str) -> str:
    """The path without leading ../ and ./ parts: what a link of the wrong depth meant to reach."""
    parts = path.split("/")
    while parts and parts[0] in ("..", ".", ""):
        parts.pop(0)
    return "/".join(parts)

