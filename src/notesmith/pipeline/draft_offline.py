"""The offline drafter: deterministic, no model (SPEC §5.3).

It keeps the sources' text verbatim, paragraph by paragraph, each paragraph cited to its input by
the passage it is: its evidence quotes the paragraph's own words, so it anchors by construction.
A placement instruction ("add this to …", placement.py) is not text and is left out. The title is
the note's own heading (then left out of the body), else its first sentence shortened where a
phrase ends (text/titles.py). A note's headings keep their relative levels, as `##` and `###`;
a heading with nothing under it, and one that repeats the title or the heading before it, is
dropped. An update adds a section headed the same way; in a dated log (a `## Week of 2026-04-20`
per week, or a heading per day) the note goes under its date's heading, made where the log's
order puts it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from notesmith.inputs import Input
from notesmith.inputs.subtitles import strip_anchor
from notesmith.inputs.unwrapping import paragraphs
from notesmith.pipeline import placement
from notesmith.pipeline.blocks import ArticleUpdate, Block, Drafted, Edit, Evidence, NewArticle
from notesmith.pipeline.locate import quote_ends
from notesmith.text.article import Article
from notesmith.text.markdown import LINK, local_target
from notesmith.text.prose import first_sentence
from notesmith.text.slugs import language_of
from notesmith.text.titles import own_heading, summary_sentence, title_from_text

KIND_TAGS = {"transcript": "voice-note", "message": "note", "photo": "photo",
             "subtitles": "recording", "whisper": "recording"}
SAMPLE = 8000  # characters read to guess a language, a title or a description


def note_text(item: Input) -> str:
    """An input's text as the offline drafter keeps it: without its placement instruction."""
    return placement.strip(item.text)


def plain_title(text: str) -> str:
    """A title from a note's text, past a subtitle's time anchor and speaker label."""
    return title_from_text(strip_anchor(placement.strip(text[:SAMPLE])))


def _has_prose(text: str) -> bool:
    return len(re.findall(r"[^\W\d_]{2,}", re.sub(r"\S*://\S*|www\.\S+", " ", text[:SAMPLE]))) >= 2


def offline_title(group: Sequence[Input]) -> str:
    """The group's title: from its first input with prose (a link-only note only when all are), else its date."""
    ordered = [i for i in group if _has_prose(note_text(i))] + [i for i in group if not _has_prose(note_text(i))]
    for item in ordered:
        title = plain_title(item.text)
        if title != "Untitled":
            return title
    return f"Note of {group[0].time:%Y-%m-%d}"


def _unlink_relative(text: str) -> str:
    """Relative links and images of an input point nowhere from articles/: keep their text only."""
    if "](" not in text:
        return text
    return LINK.sub(lambda m: m["text"] if local_target(m["target"].strip("<>")) and not
                    m["target"].startswith("/") else m.group(0), text)


_HEADING_LINE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")


def _without_title_heading(text: str, title: str) -> str:
    """text without the heading line the title was taken from (so it is not repeated in the body)."""
    heading = own_heading(text)
    name = heading[0].casefold() if heading else ""
    if not name or not (title.casefold() == name or title.casefold().startswith(name + " (")):
        return text
    lines = text.split("\n")
    del lines[heading[1]]
    return "\n".join(lines)


def _note_blocks(item: Input, text: str, base_level: int) -> list[Block]:
    """One input's paragraphs, each cited, and its headings at base_level and below (at most 3)."""
    levels = [len(m.group(1)) for m in map(_HEADING_LINE.match, text[:SAMPLE * 4].split("\n")) if m]
    top = min(levels, default=1)
    blocks: list[Block] = []
    for para in paragraphs(text):
        lines: list[str] = []
        for line in para.split("\n") + [None]:
            heading = _HEADING_LINE.match(line) if line is not None else None
            if line is not None and heading is None:
                lines.append(line)
                continue
            if any(part.strip() for part in lines):
                stored = "\n".join(lines).strip("\n")  # the words as stored, before links lose their targets
                evidence = Evidence(item.id, *quote_ends(stored), passage=stored)
                blocks.append(Block("paragraph", _unlink_relative(stored), evidence=(evidence,)))
            lines = []
            if heading:
                level = min(3, base_level + len(heading.group(1)) - top)
                blocks.append(Block("heading", heading.group(2).strip(), level))
    return blocks


def tidy(blocks: Sequence[Block], title: str = "") -> list[Block]:
    """Blocks without empty headings (nothing under them), nor one that repeats the title or the heading before it."""
    keep = [True] * len(blocks)
    next_paragraph = len(blocks)
    next_heading = {1: len(blocks), 2: len(blocks), 3: len(blocks)}
    for i in range(len(blocks) - 1, -1, -1):
        block = blocks[i]
        if block.kind != "heading":
            next_paragraph = i
            continue
        level = min(max(block.level, 1), 3)
        keep[i] = next_paragraph < next_heading[level]
        for deeper in range(level, 4):
            next_heading[deeper] = i
    out: list[Block] = []
    for block, kept in zip(blocks, keep):
        if not kept:
            continue
        if block.kind == "heading":
            same = block.text.casefold()
            previous = next((b for b in reversed(out) if b.kind == "heading"), None)
            if same == title.casefold() or (previous is not None and previous.text.casefold() == same
                                             and out[-1] is previous):
                continue
        out.append(block)
    return out


def _cited_blocks(group: Sequence[Input], title: str, base_level: int) -> list[Block]:
    blocks: list[Block] = []
    for item in group:
        blocks.extend(_note_blocks(item, _without_title_heading(note_text(item), title), base_level))
    return tidy(blocks, title)


def _description(group: Sequence[Input]) -> str:
    """The group's first sentence that says something (past greetings, time anchors and speakers)."""
    for item in [i for i in group if _has_prose(note_text(i))] or group:
        sentence = summary_sentence(note_text(item)[:SAMPLE])
        if sentence:
            return sentence
    for item in group:
        for text in paragraphs(note_text(item)[:SAMPLE]):
            if not _HEADING_LINE.match(text):
                return first_sentence(strip_anchor(text))
    return ""


def group_language(group: Sequence[Input], default: str) -> str:
    """The language of a group's text ("en" or the workspace's when too little text to tell)."""
    return language_of("\n".join(note_text(item)[:SAMPLE] for item in group)[:SAMPLE], default)


def draft_new_offline(group: Sequence[Input], title: str | None = None, *, language: str = "en") -> Drafted:
    """A new article that keeps the sources' text verbatim, paragraph by paragraph, each cited.

    `language` is the workspace's, used when the text is too short to tell its own.
    """
    title = title or offline_title(group)
    tags = tuple(dict.fromkeys(KIND_TAGS.get(item.kind, "note") for item in group))
    draft = NewArticle(title, tuple(_cited_blocks(group, title, 2)), tags, _description(group),
                       language=group_language(group, language))
    return Drafted(draft, asides=_asides(group))


def draft_update_offline(group: Sequence[Input], article: Article | None = None) -> Drafted:
    """A new section holding the sources' text, each paragraph cited: at the end, or under its date in a dated log."""
    heading = offline_title(group)
    blocks = _cited_blocks(group, heading, 3)
    log = DatedLog.of(article) if article is not None else None
    if log is None:
        edit = Edit("add_section", None, tuple(blocks), heading=heading, level=2)
    else:
        edit = log.edit(group[0].time.date(), heading, blocks)
    return Drafted(ArticleUpdate((edit,)), asides=_asides(group))


def _asides(group: Sequence[Input]) -> list[Evidence]:
    """The placement instructions the drafter left out, as passages: coverage does not count them."""
    out = []
    for item in group:
        found = placement.find(item.text)
        if found is not None:
            out.append(Evidence(item.id, *quote_ends(found.placement.phrase), passage=found.placement.phrase))
    return out


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DatedLog:
    """An article whose `##` sections are headed by dates (a weekly or daily log), newest first or last."""

    def __init__(self, top: str | None, dated: list[tuple[str, dt.date]], prefix: str, suffix: str,
                 weekday: int | None):
        self.top, self.dated, self.prefix, self.suffix, self.weekday = top, dated, prefix, suffix, weekday
        self.newest_first = dated[0][1] > dated[-1][1]

    @classmethod
    def of(cls, article: Article) -> "DatedLog | None":
        """The article as a dated log, or None: at least two `##` headings, and most of them, hold a date."""
        sections = [s for s in article.sections() if s.level == 2 and s.title.strip().lower() != "sources"]
        dated = []
        for section in sections:
            m = _ISO_DATE.search(section.title)
            if m:
                try:
                    dated.append((section.title, dt.date.fromisoformat(m.group())))
                except ValueError:
                    continue
        if len(dated) < 2 or 2 * len(dated) < len(sections):
            return None
        first = dated[0][0]
        m = _ISO_DATE.search(first)
        prefix, suffix = first[:m.start()], first[m.end():]
        weekly = "week" in first.lower() or "недел" in first.lower() or len({d.weekday() for _, d in dated}) == 1
        top = next((h.text for h in article.scan.headings if h.level == 1), None)
        return cls(top, dated, prefix, suffix, dated[0][1].weekday() if weekly else None)

    def heading_for(self, day: dt.date) -> str:
        if self.weekday is not None:
            day -= dt.timedelta(days=(day.weekday() - self.weekday) % 7)
        return f"{self.prefix}{day.isoformat()}{self.suffix}"

    def edit(self, day: dt.date, title: str, blocks: Sequence[Block]) -> Edit:
        """Under the date's heading when it exists; else a new dated section where the order puts it."""
        heading = self.heading_for(day)
        if self.weekday is not None:
            day -= dt.timedelta(days=(day.weekday() - self.weekday) % 7)
        if any(text == heading for text, _ in self.dated):
            return Edit("add_section", heading, tuple(blocks), heading=title, level=3)
        body = (Block("heading", title, 3), *blocks)
        if self.newest_first:
            later = [text for text, date in self.dated if date > day]
            anchor = later[-1] if later else self.top
        else:
            earlier = [text for text, date in self.dated if date < day]
            anchor = earlier[-1] if earlier else self.top
        return Edit("add_section", anchor, body, heading=heading, level=2)
