"""Step 5 of a run: draft a new article or the edits to an existing one, offline or with a model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

from notesmith.text.article import Article
from notesmith.pipeline.blocks import ArticleUpdate, Block, Edit, NewArticle
from notesmith.errors import InvalidAnswer, ModelError
from notesmith.inputs.reading import Input, paragraphs
from notesmith.llm import LLM, Reply, Request, ask_json
from notesmith.llm.base import estimate_tokens
from notesmith.pipeline.prompts import Prompts
from notesmith.text.index_table import first_sentence
from notesmith.pipeline.routing import _ANCHOR, describe_source, plain_title, source_aliases
from notesmith.pipeline.schemas import draft_schema, update_schema
from notesmith.text.slugs import language_of

KIND_TAGS = {"transcript": "voice-note", "message": "note", "photo": "photo",
             "subtitles": "recording", "whisper": "recording"}
SAMPLE = 8000  # characters read to guess a language or a description
# An article longer than this (characters) is written as several parts; a 50 MB transcript
# would otherwise make one article no editor or check could handle.
ARTICLE_PART_CHARS = 400_000
MIN_SOURCE_ROOM = 1000  # tokens: below this an update prompt has no room left for sources
# Share of the model's context a drafting prompt may take; the rest is for the answer.
PROMPT_SHARE = 0.45
# A cap on a draft's answer: a curator keeps everything, so about the sources' own size; twice
# that leaves room for headings, the JSON around the blocks and a wordier language. A small model
# that never closes a string stops there instead of writing until the context is full.
DRAFT_ANSWER_TOKENS = 512


def _answer_cap(sources: str) -> int:
    return DRAFT_ANSWER_TOKENS + 2 * estimate_tokens(sources)


@dataclass
class Drafted:
    """A drafter's result, with the model replies it took and what it was asked but did not do."""

    content: NewArticle | ArticleUpdate
    replies: list[Reply] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)


# -- offline: deterministic, no model -------------------------------------------------------

_RELATIVE_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\((?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)[^)\s]*\)")


def _unlink_relative(text: str) -> str:
    """Relative links and images of an input point nowhere from articles/: keep their text only."""
    return _RELATIVE_LINK.sub(lambda m: m.group(2), text) if "](" in text else text


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
            blocks.append(Block("paragraph", _unlink_relative(text), sources=(item.id,)))
    return blocks


def _description(group: Sequence[Input]) -> str:
    """The first sentence of the group's first prose paragraph, past time anchors and speakers."""
    for item in group:
        for text in paragraphs(item.text[:SAMPLE]):
            if not _HEADING_LINE.match(text):
                return first_sentence(_ANCHOR.sub("", text, count=1))
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


# -- with a model ---------------------------------------------------------------------------

def _messages(prompts: Prompts, language: str, user: str) -> list[dict]:
    return [{"role": "system", "content": prompts.system(language)}, {"role": "user", "content": user}]


def _blocks(data: list[dict], sources: dict[str, Input]) -> tuple[Block, ...]:
    return tuple(
        Block(b["type"], b["text"].strip(), int(b.get("level") or 2),
              tuple(dict.fromkeys(sources[s].id for s in b.get("sources", []))))
        for b in data
    )


def _uncited(data: dict, key: str = "blocks") -> list[str]:
    """Errors for empty blocks and for paragraphs that cite nothing (every paragraph names its sources)."""
    errors = []
    if "title" in data and not str(data.get("title") or "").strip():
        errors.append("$.title: give the article a title")
    for n, block in enumerate(data.get(key, [])):
        if not str(block.get("text") or "").strip():
            errors.append(f"$.{key}[{n}]: the text is empty; leave the block out or write it")
        elif block.get("type") == "paragraph" and not block.get("sources"):
            errors.append(f"$.{key}[{n}]: a paragraph must list the source ids it comes from")
    return errors


def chunks(group: Sequence[Input], budget_tokens: int) -> list[list[Input]]:
    """Split a group whose text is too long for one prompt into pieces that fit, keeping order.

    A long input is cut at paragraph boundaries into parts that keep the input's id, so every
    part is still cited to its file.
    """
    parts: list[list[Input]] = [[]]
    used = 0
    for item in group:
        pieces = [item.text]
        if estimate_tokens(item.text) > budget_tokens:
            pieces, current = [], ""
            for para in paragraphs(item.text):
                if current and estimate_tokens(current + para) > budget_tokens:
                    pieces.append(current)
                    current = ""
                current += para + "\n\n"
            if current:
                pieces.append(current)
        for piece in pieces:
            cost = estimate_tokens(piece)
            if parts[-1] and used + cost > budget_tokens:
                parts.append([])
                used = 0
            parts[-1].append(item if piece is item.text else _with_text(item, piece))
            used += cost
    return [p for p in parts if p]


def _with_text(item: Input, text: str) -> Input:
    return replace(item, text=text)


def draft_new_with_model(llm: LLM, prompts: Prompts, group: Sequence[Input], title: str,
                         language: str) -> Drafted:
    """Ask the model for a new article; a group too long for one prompt is drafted in parts."""
    budget = int(llm.context_tokens * PROMPT_SHARE)
    return _draft_parts(llm, prompts, group, title, language, budget, depth=0)


def _draft_parts(llm, prompts, group, title, language, budget, depth) -> Drafted:
    result = Drafted(NewArticle(title, ()))
    head: dict | None = None
    blocks: list[Block] = []
    for part in chunks(group, budget):
        try:
            data, replies = _ask_draft(llm, prompts, part, title, language)
        except InvalidAnswer as exc:
            if "cut off" in exc.message and depth < 3 and budget > 2000:
                inner = _draft_parts(llm, prompts, part, title, language, budget // 2, depth + 1)
                result.replies.extend(inner.replies)
                result.instructions.extend(inner.instructions)
                if head is None:
                    head = {"title": inner.content.title, "tags": list(inner.content.tags),
                            "description": inner.content.description}
                blocks.extend(inner.content.blocks)
                continue
            raise
        result.replies.extend(replies)
        result.instructions.extend(data.get("instructions", []))
        head = head or data
        blocks.extend(_blocks(data["blocks"], source_aliases(part)))
    result.content = NewArticle((head or {}).get("title") or title, tuple(blocks),
                                tuple((head or {}).get("tags", [])), (head or {}).get("description", ""))
    return result


def _ask_draft(llm, prompts, part, title, language) -> tuple[dict, list[Reply]]:
    sources = source_aliases(part)
    text = "\n\n".join(describe_source(a, s) for a, s in sources.items())
    prompt = prompts.render("draft", title=title, language_name=_language_name(language), sources=text)
    request = Request(_messages(prompts, language, prompt), schema=draft_schema(list(sources)),
                      schema_name="article", purpose="draft", max_tokens=_answer_cap(text))
    return ask_json(llm, request, validate=_uncited)


def section_ids(article: Article) -> dict[str, str]:
    """Ids for the article's sections as the update prompt names them (sec1, sec2, …)."""
    return {f"sec{i + 1}": s.title for i, s in enumerate(article.sections())
            if s.title.lower() != "sources"}


def draft_update_with_model(llm: LLM, prompts: Prompts, article: Article, rel: str,
                            group: Sequence[Input], language: str) -> Drafted:
    """Ask the model for edits to an existing article (never the whole article back)."""
    sources = source_aliases(group)
    ids = section_ids(article)
    levels = {s.title: s.level for s in article.sections()}
    listing = "\n".join(f"{sid}: {'#' * levels.get(title, 2)} {title}" for sid, title in ids.items())
    body = "\n".join(article.lines[article.body_start - 1:])
    text = "\n\n".join(describe_source(a, s) for a, s in sources.items())
    prompt = prompts.render(
        "update", language_name=_language_name(language), article_path=rel, sections=listing or "(none)",
        article=body, sources=text,
    )
    request = Request(_messages(prompts, language, prompt), schema=update_schema(list(sources), list(ids) or ["end"]),
                      schema_name="article_update", purpose="update", max_tokens=_answer_cap(text))

    def validate(data: dict) -> list[str]:
        errors = []
        for n, edit in enumerate(data.get("edits", [])):
            if edit.get("op") == "add_section" and not (edit.get("heading") or "").strip():
                errors.append(f"$.edits[{n}]: add_section needs a heading")
            errors.extend(_uncited(edit) and [e.replace("$.blocks", f"$.edits[{n}].blocks") for e in _uncited(edit)])
        return errors

    data, replies = ask_json(llm, request, validate=validate)
    edits = tuple(
        Edit(e["op"], ids.get(e["section"]), _blocks(e["blocks"], sources), (e.get("heading") or None),
             levels.get(ids.get(e["section"], ""), 2))
        for e in data["edits"]
    )
    return Drafted(ArticleUpdate(edits, tuple(data.get("tags", []))), replies, list(data.get("instructions", [])))


def update_in_parts(llm: LLM, prompts: Prompts, article: Article, rel: str, group: Sequence[Input],
                    language: str, apply: Callable[[Article, ArticleUpdate], Article]) -> tuple[Article, Drafted]:
    """Update an article with a group, in as many model calls as its sources need to fit.

    Each part is drafted against the article as the previous parts left it, so later edits can
    anchor to sections earlier parts added. All parts succeed or the article is left as it was.
    """
    room = int(llm.context_tokens * PROMPT_SHARE) - estimate_tokens("\n".join(article.lines))
    if room < MIN_SOURCE_ROOM:
        raise ModelError(f"{rel} is too long to update within the model's context "
                         f"({llm.context_tokens} tokens); raise context_tokens or split the article")
    result = Drafted(ArticleUpdate(()))
    edits = []
    for part in chunks(group, room):
        drafted = draft_update_with_model(llm, prompts, article, rel, part, language)
        article = apply(article, drafted.content)
        edits.extend(drafted.content.edits)
        result.replies.extend(drafted.replies)
        result.instructions.extend(drafted.instructions)
    result.content = ArticleUpdate(tuple(edits))
    return article, result


def _language_name(code: str) -> str:
    from notesmith.pipeline.prompts import language_name

    return language_name(code)
