"""Drafting with a model: a new article as blocks, or edits to an existing one, each paragraph
giving its evidence: the source ids and the passages it was written from (SPEC §8, "How the model
answers", "Passage citations").

After a valid answer: a source no paragraph cites is asked for once more (else its input waits),
then every quoted passage is placed in its stored file, and the ones not found are asked for once
more in one small request (else the paragraph cites the whole input, unverified)."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from notesmith.errors import AnswerCutOff, ModelError
from notesmith.inputs import Input
from notesmith.inputs.unwrapping import paragraphs
from notesmith.llm import LLM, Reply, Request, ask_json
from notesmith.llm.base import estimate_tokens
from notesmith.pipeline.blocks import ArticleUpdate, Block, Drafted, Edit, Evidence, NewArticle
from notesmith.pipeline.evidence import SourceTexts, place, place_all, place_each, quoted
from notesmith.pipeline.prompts import Prompts, describe_source, language_name, source_aliases
from notesmith.pipeline.schemas import draft_schema, max_blocks, quotes_schema, update_schema
from notesmith.text.article import Article

QUOTE_CONTEXT = 300  # characters of a paragraph shown when its passage is asked for again
MIN_SOURCE_ROOM = 1000  # tokens: below this an update prompt has no room left for sources
# Share of the model's context a drafting prompt may take; the rest is for the answer.
PROMPT_SHARE = 0.45
# A cap on a draft's answer: a curator keeps everything, so about the sources' own size; twice
# that leaves room for headings, the quoted evidence, the JSON around the blocks and a wordier
# language. A small model that never closes a string stops there instead of writing until the
# context is full.
DRAFT_ANSWER_TOKENS = 512
# A cap on the answer that quotes passages again: the JSON around them, then per passage asked
# for an id, a source id and a few words at each end. Without it a small model that loops in a
# quote writes until the context is full (SmolLM2 wrote 6,645 tokens, four minutes, in one).
QUOTES_ANSWER_TOKENS = 64
QUOTE_TOKENS_PER_ITEM = 96


def answer_cap(sources: str) -> int:
    """The most tokens a drafting answer may take for sources of this text."""
    return DRAFT_ANSWER_TOKENS + 2 * estimate_tokens(sources)


# -- with a model ---------------------------------------------------------------------------

def _messages(prompts: Prompts, language: str, user: str) -> list[dict]:
    return [{"role": "system", "content": prompts.system(language)}, {"role": "user", "content": user}]


def _evidence(items: list[dict], sources: dict[str, Input]) -> tuple[Evidence, ...]:
    return tuple(dict.fromkeys(
        Evidence(sources[e["source"]].id, e.get("first_words") or "", e.get("last_words") or "")
        for e in items if e.get("source") in sources
    ))


def _blocks(data: list[dict], sources: dict[str, Input]) -> tuple[Block, ...]:
    return tuple(
        Block(b["type"], b["text"].strip(), int(b.get("level") or 2),
              _evidence(b.get("evidence", []), sources) if b["type"] != "heading" else ())
        for b in data
    )


def _asides(data: dict, sources: dict[str, Input]) -> tuple[list[str], list[Evidence]]:
    """The instructions to the assistant: their texts (for the summary) and where they are."""
    items = data.get("instructions", [])
    texts = [" ".join(str(i.get("text") or "").split()) for i in items]
    return [t for t in texts if t], list(_evidence(items, sources))


def _uncited(data: dict, key: str = "blocks") -> list[str]:
    """Errors for empty blocks and for paragraphs that cite nothing (every paragraph gives its evidence)."""
    errors = []
    if "title" in data and not str(data.get("title") or "").strip():
        errors.append("$.title: give the article a title")
    for n, block in enumerate(data.get(key, [])):
        if not str(block.get("text") or "").strip():
            errors.append(f"$.{key}[{n}]: the text is empty; leave the block out or write it")
        elif block.get("type") == "paragraph" and not block.get("evidence"):
            errors.append(f"$.{key}[{n}]: a paragraph must list in evidence the passages of the sources it "
                          "comes from (source id, first words, last words)")
    return errors


def _cited(blocks: list[dict]) -> set[str]:
    return {e.get("source") for b in blocks if b.get("type") == "paragraph" for e in b.get("evidence", [])}


def _every_source_cited(llm: LLM, request: Request, data: dict, reply: Reply, aliases: list[str],
                        blocks_of: Callable[[dict], list[dict]], validate, what: str) -> tuple[dict, list[Reply]]:
    """Re-ask once when some source is cited by no paragraph; the answer citing more sources wins.

    An input no paragraph cites is not consumed: it waits for the next run (issue 7, item 9).
    """
    missing = [a for a in aliases if a not in _cited(blocks_of(data))]
    if not missing:
        return data, []
    named = ", ".join(missing)
    ask = (f"No paragraph cites {named}. Every source given must reach the article: write the paragraphs "
           f"the material of {named} needs, each with evidence quoted from it (if a source only speaks to "
           f"you, the assistant, list that in instructions and still keep any content it has). Answer again "
           f"with {what} as JSON that follows the schema.")
    again = replace(request, messages=[*request.messages, {"role": "assistant", "content": reply.text},
                                       {"role": "user", "content": ask}])
    try:
        second, replies = ask_json(llm, again, validate=validate, attempts=1)
    except ModelError as exc:
        return data, list(getattr(exc, "replies", []))
    if len(set(aliases) & _cited(blocks_of(second))) > len(set(aliases) & _cited(blocks_of(data))):
        return second, replies
    return data, replies


def _anchor(llm: LLM, prompts: Prompts, language: str, blocks: tuple[Block, ...], part: Sequence[Input],
            texts: SourceTexts) -> tuple[tuple[Block, ...], list[Reply]]:
    """Place every quoted passage; the ones not found are asked for once more, in one small request.

    What is still not found keeps a citation of the whole input and its reason (unverified).
    """
    sources = source_aliases(part)
    alias_of = {item.id: alias for alias, item in sources.items()}
    inputs = {item.id: item for item in part}
    blocks = place_all(blocks, texts, inputs, labels=alias_of)
    failing = [(b, e) for b, block in enumerate(blocks) for e, item in enumerate(block.evidence)
               if item.anchor is None and item.source not in texts.unreadable]
    if not failing:
        return blocks, []
    ids = [f"Q{n + 1}" for n in range(len(failing))]
    listing = []
    for qid, (b, e) in zip(ids, failing):
        item, text = blocks[b].evidence[e], " ".join(blocks[b].text.split())
        shown = text if len(text) <= QUOTE_CONTEXT else text[:QUOTE_CONTEXT].rsplit(" ", 1)[0] + " …"
        listing.append(f'{qid}: paragraph "{shown}"\n  quoted from {alias_of[item.source]}: "{quoted(item)}"\n'
                       f"  problem: {item.unverified}")
    prompt = prompts.render("quotes", items="\n\n".join(listing),
                            sources="\n\n".join(describe_source(a, s) for a, s in sources.items()))
    request = Request(_messages(prompts, language, prompt), schema=quotes_schema(ids, list(sources)),
                      schema_name="passages", purpose="quotes",
                      max_tokens=QUOTES_ANSWER_TOKENS + QUOTE_TOKENS_PER_ITEM * len(ids))
    try:
        data, replies = ask_json(llm, request, attempts=1)
    except ModelError as exc:
        return blocks, list(getattr(exc, "replies", []))
    given = {p["item"]: p for p in data.get("passages", []) if p.get("item") in ids and p.get("source") in sources}
    edited = [list(block.evidence) for block in blocks]
    for qid, (b, e) in zip(ids, failing):
        answer = given.get(qid)
        if answer is None:
            continue
        item = sources[answer["source"]]
        again = place(Evidence(item.id, answer.get("first_words") or "", answer.get("last_words") or ""),
                      texts.index(item), label=answer["source"], unreadable=texts.unreadable.get(item.id, ""))
        old = edited[b][e]
        edited[b][e] = again if again.anchor is not None else replace(old, unverified=again.unverified)
    return tuple(replace(block, evidence=tuple(dict.fromkeys(ev))) for block, ev in zip(blocks, edited)), replies


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
                         language: str, texts: SourceTexts | None = None) -> Drafted:
    """Ask the model for a new article; a group too long for one prompt is drafted in parts."""
    budget = int(llm.context_tokens * PROMPT_SHARE)
    return _draft_parts(llm, prompts, group, title, language, budget, 0, texts or SourceTexts())


def _draft_parts(llm, prompts, group, title, language, budget, depth, texts) -> Drafted:
    result = Drafted(NewArticle(title, ()))
    head: dict | None = None
    blocks: list[Block] = []
    for part in chunks(group, budget):
        try:
            data, replies = _ask_draft(llm, prompts, part, title, language)
        except AnswerCutOff:
            if depth < 3 and budget > 2000:
                inner = _draft_parts(llm, prompts, part, title, language, budget // 2, depth + 1, texts)
                result.replies.extend(inner.replies)
                result.instructions.extend(inner.instructions)
                result.asides.extend(inner.asides)
                if head is None:
                    head = {"title": inner.content.title, "tags": list(inner.content.tags),
                            "description": inner.content.description}
                blocks.extend(inner.content.blocks)
                continue
            raise
        sources = source_aliases(part)
        placed, more = _anchor(llm, prompts, language, _blocks(data["blocks"], sources), part, texts)
        said, asides = _asides(data, sources)
        result.replies.extend(replies + more)
        result.instructions.extend(said)
        result.asides.extend(place_each(asides, texts, {i.id: i for i in part}))
        head = head or data
        blocks.extend(placed)
    result.content = NewArticle((head or {}).get("title") or title, tuple(blocks),
                                tuple((head or {}).get("tags", [])), (head or {}).get("description", ""))
    return result


def _ask_draft(llm, prompts, part, title, language) -> tuple[dict, list[Reply]]:
    sources = source_aliases(part)
    text = "\n\n".join(describe_source(a, s) for a, s in sources.items())
    prompt = prompts.render("draft", title=title, language_name=language_name(language), sources=text)
    request = Request(_messages(prompts, language, prompt), schema=draft_schema(list(sources), max_blocks(text)),
                      schema_name="article", purpose="draft", max_tokens=answer_cap(text))
    data, replies = ask_json(llm, request, validate=_uncited)
    data, more = _every_source_cited(llm, request, data, replies[-1], list(sources), lambda d: d.get("blocks", []),
                                     _uncited, "the whole article")
    return data, replies + more


def section_ids(article: Article) -> dict[str, str]:
    """Ids for the article's sections as the update prompt names them (sec1, sec2, …)."""
    return {f"sec{i + 1}": s.title for i, s in enumerate(article.sections())
            if s.title.lower() != "sources"}


def draft_update_with_model(llm: LLM, prompts: Prompts, article: Article, rel: str,
                            group: Sequence[Input], language: str, texts: SourceTexts | None = None) -> Drafted:
    """Ask the model for edits to an existing article (never the whole article back)."""
    texts = texts or SourceTexts()
    sources = source_aliases(group)
    ids = section_ids(article)
    levels = {s.title: s.level for s in article.sections()}
    listing = "\n".join(f"{sid}: {'#' * levels.get(title, 2)} {title}" for sid, title in ids.items())
    body = article.body
    text = "\n\n".join(describe_source(a, s) for a, s in sources.items())
    prompt = prompts.render(
        "update", language_name=language_name(language), article_path=rel, sections=listing or "(none)",
        article=body, sources=text,
    )
    request = Request(_messages(prompts, language, prompt), schema=update_schema(list(sources), list(ids) or ["end"], max_blocks(text)),
                      schema_name="article_update", purpose="update", max_tokens=answer_cap(text))

    def validate(data: dict) -> list[str]:
        errors = []
        for n, edit in enumerate(data.get("edits", [])):
            if edit.get("op") == "add_section" and not (edit.get("heading") or "").strip():
                errors.append(f"$.edits[{n}]: add_section needs a heading")
            errors.extend(e.replace("$.blocks", f"$.edits[{n}].blocks") for e in _uncited(edit))
        return errors

    data, replies = ask_json(llm, request, validate=validate)
    data, more = _every_source_cited(llm, request, data, replies[-1], list(sources),
                                     lambda d: [b for e in d.get("edits", []) for b in e.get("blocks", [])],
                                     validate, "all the edits")
    replies += more
    drafted = [_blocks(e["blocks"], sources) for e in data["edits"]]
    placed, more = _anchor(llm, prompts, language, tuple(b for blocks in drafted for b in blocks), group, texts)
    replies += more
    edits, at = [], 0
    for e, blocks in zip(data["edits"], drafted):
        edits.append(Edit(e["op"], ids.get(e["section"]), placed[at:at + len(blocks)], (e.get("heading") or None),
                          levels.get(ids.get(e["section"], ""), 2)))
        at += len(blocks)
    said, asides = _asides(data, sources)
    return Drafted(ArticleUpdate(tuple(edits), tuple(data.get("tags", []))), replies, said,
                   place_each(asides, texts, {i.id: i for i in group}))


def update_in_parts(llm: LLM, prompts: Prompts, article: Article, rel: str, group: Sequence[Input],
                    language: str, apply: Callable[[Article, ArticleUpdate], Article],
                    texts: SourceTexts | None = None) -> tuple[Article, Drafted]:
    """Update an article with a group, in as many model calls as its sources need to fit.

    Each part is drafted against the article as the previous parts left it, so later edits can
    anchor to sections earlier parts added. All parts succeed or the article is left as it was.
    """
    texts = texts or SourceTexts()
    room = int(llm.context_tokens * PROMPT_SHARE) - estimate_tokens("\n".join(article.lines))
    if room < MIN_SOURCE_ROOM:
        raise ModelError(f"{rel} is too long to update within the model's context "
                         f"({llm.context_tokens} tokens); raise context_tokens or split the article")
    result = Drafted(ArticleUpdate(()))
    edits = []
    for part in chunks(group, room):
        drafted = draft_update_with_model(llm, prompts, article, rel, part, language, texts)
        article = apply(article, drafted.content)
        edits.extend(drafted.content.edits)
        result.replies.extend(drafted.replies)
        result.instructions.extend(drafted.instructions)
        result.asides.extend(drafted.asides)
    result.content = ArticleUpdate(tuple(edits))
    return article, result
