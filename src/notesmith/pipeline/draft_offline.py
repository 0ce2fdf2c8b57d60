"""The offline drafter: deterministic, no model. It keeps the sources' text verbatim, paragraph by
paragraph, each paragraph cited to its input by the passage it is (SPEC §5.3): its evidence quotes
the paragraph's own first and last words, so it anchors by construction."""

from __future__ import annotations

import re
from typing import Sequence

from notesmith.inputs import Input
from notesmith.inputs.subtitles import strip_anchor
from notesmith.inputs.unwrapping import paragraphs
from notesmith.pipeline.blocks import ArticleUpdate, Block, Drafted, Edit, Evidence, NewArticle
from notesmith.pipeline.locate import quote_ends
from notesmith.text.markdown import LINK, local_target
from notesmith.text.prose import first_sentence
from notesmith.text.slugs import language_of, title_from_text

KIND_TAGS = {"transcript": "voice-note", "message": "note", "photo": "photo",
             "subtitles": "recording", "whisper": "recording"}
SAMPLE = 8000  # characters read to guess a language or a description


def plain_title(text: str) -> str:
    """A title from the first words of text, past a subtitle's time anchor and speaker label."""
    return title_from_text(strip_anchor(text))


def _unlink_relative(text: str) -> str:
    """Relative links and images of an input point nowhere from articles/: keep their text only."""
    if "](" not in text:
        return text
    return LINK.sub(lambda m: m["text"] if local_target(m["target"].strip("<>")) and not
                    m["target"].startswith("/") else m.group(0), text)


_HEADING_LINE = re.compile(r"#{1,6}[ \t]+(.+?)[ \t#]*$")


def _cited_paragraphs(group: Sequence[Input], heading_level: int = 2) -> list[Block]:
    """The inputs' paragraphs, each cited; Markdown headings in them stay headings (at one level)."""
    blocks = []
    for item in group:
        for text in paragraphs(item.text):
            first, _, rest = text.partition("\n")
            heading = _HEADING_LINE.match(first)
            if heading:
                blocks.append(Block("heading", heading.group(1), heading_level))
                text = rest.strip()
                if not text:
                    continue
            # the words as stored, before links lose their targets
            evidence = Evidence(item.id, *quote_ends(text), passage=text)
            blocks.append(Block("paragraph", _unlink_relative(text), evidence=(evidence,)))
    return blocks


def _description(group: Sequence[Input]) -> str:
    """The first sentence of the group's first prose paragraph, past time anchors and speakers."""
    for item in group:
        for text in paragraphs(item.text[:SAMPLE]):
            if not _HEADING_LINE.match(text):
                return first_sentence(strip_anchor(text))
    return ""


def draft_new_offline(group: Sequence[Input], title: str | None = None) -> Drafted:
    """A new article that keeps the sources' text verbatim, paragraph by paragraph, each cited."""
    text = "\n".join(item.text[:SAMPLE] for item in group)
    tags = tuple(dict.fromkeys(KIND_TAGS.get(item.kind, "note") for item in group))
    draft = NewArticle(title or plain_title(group[0].text), tuple(_cited_paragraphs(group)), tags,
                       _description(group), language=language_of(text[:SAMPLE]))
    return Drafted(draft)


def draft_update_offline(group: Sequence[Input]) -> Drafted:
    """A new section at the end of the article holding the sources' text, each paragraph cited."""
    edit = Edit("add_section", None, tuple(_cited_paragraphs(group, heading_level=3)),
                heading=plain_title(group[0].text), level=2)
    return Drafted(ArticleUpdate((edit,)))
