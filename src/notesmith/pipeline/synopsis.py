"""Before routing, one cheap model call per group: what it is about, in the workspace's language.

Notes arrive in the author's language (say, Russian voice notes) while articles are written in the
workspace's (English): their words rarely meet. A short synopsis with key terms and names, written
in the articles' language, lets the shortlist search with both the group's own words and the
synopsis (SPEC §5 step 4; the union of both is ranked in `Shortlist.top_union`). A model that cannot
write one (a small model repeats itself until the cap) costs recall, not the input: routing goes on
with the group's own words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from notesmith.inputs import Input
from notesmith.llm import LLM, Request, ask_json
from notesmith.pipeline.prompts import Prompts, describe_source, language_name, source_aliases
from notesmith.pipeline.schemas import synopsis_schema

SOURCE_CHARS = 3000  # of each source: enough to say what it is about, cheap to send
MAX_TOKENS = 400  # a synopsis is short; a small cap keeps a rambling small model cheap


@dataclass(frozen=True)
class Synopsis:
    """A group's synopsis, key terms and names, in the workspace's language."""

    text: str
    terms: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def query(self) -> str:
        """What the shortlist searches with."""
        return "\n".join([self.text, " ".join(self.terms), " ".join(self.names)])


def synopsis_request(prompts: Prompts, group: Sequence[Input], language: str) -> Request:
    """The request for one group's synopsis (also used to estimate a dry run's tokens)."""
    sources = source_aliases(group)
    prompt = prompts.render("synopsis", language_name=language_name(language),
                            sources="\n\n".join(describe_source(a, s, SOURCE_CHARS) for a, s in sources.items()))
    return Request([{"role": "user", "content": prompt}], schema=synopsis_schema(), schema_name="synopsis",
                   max_tokens=MAX_TOKENS, purpose="synopsis")


def write_synopsis(llm: LLM, prompts: Prompts, group: Sequence[Input], language: str) -> Synopsis:
    """Ask the model for the group's synopsis, once: a synopsis only helps the shortlist, so an invalid
    or cut-off answer (InvalidAnswer) is not asked again; the caller routes without it."""

    def validate(data: dict) -> list[str]:
        return [] if str(data.get("synopsis", "")).strip() else ["$.synopsis: say in a few sentences what the sources are about"]

    data, _ = ask_json(llm, synopsis_request(prompts, group, language), validate=validate, attempts=1)
    clean = lambda items: tuple(dict.fromkeys(" ".join(str(i).split()) for i in items if str(i).strip()))  # noqa: E731
    return Synopsis(" ".join(str(data["synopsis"]).split()), clean(data["terms"]), clean(data["names"]))
