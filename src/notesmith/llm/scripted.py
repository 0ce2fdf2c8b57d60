"""ScriptedLLM: a model that answers from a script and records every request (for tests).

A script holds one answer per request, in order. A run asks, for each group of inputs, where it
goes (purpose "route"), then for a draft of each new article ("draft") and each updated one
("update"). Build the answers with the functions below instead of spelling out the JSON schemas
(pipeline/schemas.py) by hand:

    from notesmith import ScriptedLLM
    from notesmith.llm import scripted as answer

    llm = ScriptedLLM([
        answer.route(answer.create("S1", title="Compost bays")),
        answer.new_article("Compost bays", "Bay one fills up in two weeks.", tags=["compost"]),
        answer.route(answer.extend("A1", "S1")),
        answer.article_update(answer.add_section("sec1", "Turning", "Turn it every second Saturday.")),
    ])
    report = notesmith.process("my-notes", llm=llm)
    llm.requests  # every Request it was given, to assert on what was asked

Ids are the ones the prompt gives: sources S1, S2, … in the order the group's inputs arrived;
candidate articles A1, A2, … best match first; an article's sections sec1, sec2, … in their order
(sec1 is its title heading; "end" when it has none). A plain string where a block is expected is
a paragraph citing the answer's `sources` (S1 unless given).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any, Sequence, Union

from notesmith.llm.base import Reply, Request, Usage, estimate_messages_tokens, estimate_tokens

Step = Union[str, dict, list, Exception, Reply, Callable[[Request], Any]]


class ScriptedLLM:
    """Answers requests with the scripted replies, in order, and keeps them in `.requests`.

    A script item is a str (the answer text), a dict or list (JSON-encoded; build them with
    route(), new_article() and article_update() of this module), a Reply (returned as is), an
    Exception (raised), or a callable taking the Request and returning any of these (useful when
    requests arrive in no fixed order, e.g. concurrent drafts: look at `request.purpose`).

    The synopsis a run asks for before routing a group (purpose "synopsis") is not taken from the
    script: it comes from `synopses` (script items, in order) or, when none are given or left, is
    the sources' first words. Every request, synopses included, is kept in `.requests`.
    """

    def __init__(self, replies: Iterable[Step], *, name: str = "scripted", context_tokens: int = 32768,
                 synopses: Iterable[Step] = ()):
        self.name = name
        self.context_tokens = context_tokens
        self.requests: list[Request] = []
        self._script = iter(replies)
        self._synopses = iter(synopses)
        self._lock = threading.Lock()

    def complete(self, request: Request) -> Reply:
        """Record the request and answer with the next scripted step."""
        with self._lock:
            self.requests.append(request)
            if request.purpose == "synopsis":
                step = next(self._synopses, None)
                if step is None:
                    step = synopsis(" ".join(" ".join(str(m.get("content") or "") for m in request.messages)
                                             .split("Sources:", 1)[-1].split()[:40]) or "notes")
            else:
                step = None
            try:
                step = step if step is not None else next(self._script)
            except StopIteration:
                raise RuntimeError(
                    f"ScriptedLLM ran out of replies at request {len(self.requests)}"
                    f" (purpose {request.purpose or 'unnamed'!r}); add more replies to the script"
                ) from None
        if callable(step) and not isinstance(step, (Exception, Reply)):
            step = step(request)
        return self._reply(step, request)

    def _reply(self, step: Any, request: Request) -> Reply:
        if isinstance(step, BaseException):
            raise step
        if isinstance(step, Reply):
            return step
        text = json.dumps(step, ensure_ascii=False) if isinstance(step, (dict, list)) else str(step)
        usage = Usage(estimate_messages_tokens(request.messages), estimate_tokens(text))
        fmt = "json_schema" if request.schema is not None else "text"
        return Reply(text=text, finish_reason="stop", usage=usage, model=self.name, format=fmt)


# -- answers, shaped as pipeline/schemas.py asks ------------------------------------------------
# Each shape is written in one place: a paragraph's citations only in paragraph(), a routing
# decision only in _decision(), an edit only in _edit().

Block = Union[str, dict]


def quote_ends(passage: str, words: int = 8) -> tuple[str, str]:
    """The first and last `words` words of a passage, as a model quotes them."""
    found = passage.split()
    return " ".join(found[:words]), " ".join(found[-words:])


def paragraph(text: str, *sources: str, quote: str | tuple[str, str] | None = None) -> dict:
    """A paragraph citing the source ids it comes from (at least one: S1, S2, …).

    Its evidence quotes, from each source, `quote`: a passage (its first and last words are
    taken) or those words themselves; by default the paragraph's own, as a verbatim draft would.
    """
    first, last = quote if isinstance(quote, tuple) else quote_ends(text if quote is None else quote)
    return {"type": "paragraph", "text": text, "level": 2,
            "evidence": [{"source": s, "first_words": first, "last_words": last} for s in sources or ("S1",)]}


def heading(text: str, level: int = 2) -> dict:
    """A heading, at level 2 or 3."""
    return {"type": "heading", "text": text, "level": level, "evidence": []}


def instruction(text: str, source: str = "S1", quote: str | tuple[str, str] | None = None) -> dict:
    """A sentence of a source addressed to the assistant (for a draft or an update): what it asks, and where."""
    first, last = quote if isinstance(quote, tuple) else quote_ends(text if quote is None else quote)
    return {"text": text, "source": source, "first_words": first, "last_words": last}


def _instructions(items: Sequence[str | dict], sources: Sequence[str]) -> list[dict]:
    return [instruction(i, (sources or ("S1",))[0]) if isinstance(i, str) else i for i in items]


def _blocks(blocks: Sequence[Block], sources: Sequence[str]) -> list[dict]:
    return [paragraph(b, *sources) if isinstance(b, str) else b for b in blocks]


def _decision(action: str, sources: Sequence[str], article: str | None, title: str, reason: str) -> dict:
    return {"action": action, "sources": list(sources or ("S1",)), "article": article, "title": title,
            "reason": reason}


def create(*sources: str, title: str = "", reason: str = "") -> dict:
    """A routing decision: these sources make a new article (titled `title`)."""
    return _decision("create", sources, None, title, reason)


def extend(article: str, *sources: str, reason: str = "") -> dict:
    """A routing decision: these sources update the candidate article `article` (A1, A2, …)."""
    return _decision("update", sources, article, "", reason)


def feedback(*sources: str, reason: str = "") -> dict:
    """A routing decision: these sources are feedback about the system, not content."""
    return _decision("feedback", sources, None, "", reason)


def skip(*sources: str, reason: str = "") -> dict:
    """A routing decision: these sources are noise."""
    return _decision("skip", sources, None, "", reason)


def route(*decisions: dict, instructions: Sequence[str] = (), search: Sequence[str] = ()) -> dict:
    """The answer to a routing request: every source of the group in exactly one decision; `search`
    asks for the articles to be searched again with these words (once) before deciding."""
    return {"decisions": list(decisions), "instructions": list(instructions), "search": list(search)}


def new_article(title: str, *blocks: Block, sources: Sequence[str] = ("S1",), tags: Sequence[str] = (),
                description: str = "", instructions: Sequence[str | dict] = ()) -> dict:
    """The answer to a drafting request: a new article's title, tags, description and blocks."""
    return {"title": title, "tags": list(tags), "description": description,
            "blocks": _blocks(blocks, sources), "instructions": _instructions(instructions, sources)}


def _edit(op: str, section: str, heading_text: str | None, blocks: Sequence[Block],
          sources: Sequence[str]) -> dict:
    return {"op": op, "section": section, "heading": heading_text, "blocks": _blocks(blocks, sources)}


def append(section: str, *blocks: Block, sources: Sequence[str] = ("S1",)) -> dict:
    """An edit: blocks added at the end of section `section` (sec1, sec2, …)."""
    return _edit("append", section, None, blocks, sources)


def add_section(after: str, title: str, *blocks: Block, sources: Sequence[str] = ("S1",)) -> dict:
    """An edit: a new section headed `title` after section `after` (sec1 = after the introduction)."""
    return _edit("add_section", after, title, blocks, sources)


def revise(section: str, *blocks: Block, sources: Sequence[str] = ("S1",)) -> dict:
    """An edit: the text of section `section` (up to its first sub-heading) replaced by blocks."""
    return _edit("revise", section, None, blocks, sources)


def article_update(*edits: dict, tags: Sequence[str] = (), instructions: Sequence[str | dict] = ()) -> dict:
    """The answer to an update request: edits anchored to the article's sections, and tags to add."""
    return {"edits": list(edits), "tags": list(tags), "instructions": _instructions(instructions, ("S1",))}


def synopsis(text: str, terms: Sequence[str] = (), names: Sequence[str] = ()) -> dict:
    """The answer to a synopsis request: what the group is about, its key terms and names."""
    return {"synopsis": text, "terms": list(terms), "names": list(names)}
