"""Step 4 of a run: decide for each group of inputs whether it creates, updates or is feedback."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from notesmith.pipeline.catalog import Entry
from notesmith.pipeline.blocks import Route
from notesmith.inputs.reading import Input
from notesmith.llm import LLM, Reply, Request, ask_json
from notesmith.pipeline.prompts import Prompts
from notesmith.pipeline.schemas import route_schema
from notesmith.pipeline.shortlist import Shortlist
from notesmith.text.slugs import title_from_text

_ANCHOR = re.compile(r"^\s*\[\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]\s*(?:[^\s:][^:\n]{0,40}:\s+)?")


def plain_title(text: str) -> str:
    """A title from the first words of text, past a subtitle's time anchor and speaker label."""
    return title_from_text(_ANCHOR.sub("", text, count=1))

ROUTE_SOURCE_CHARS = 1500
# A cap on the routing answer: the JSON around the decisions, then one decision per source at
# most (an action, ids, a short title and reason). A small model that never closes a string
# stops there instead of writing until the context is full.
ROUTE_ANSWER_TOKENS = 256
ROUTE_TOKENS_PER_SOURCE = 160
# Offline, a group updates an existing article only when the best match is clearly ahead of the
# runner-up (OFFLINE_MIN_LEAD times its score) and not weak (score per square root of the group's
# distinct words); otherwise it becomes a new article. A wrong update is worse than a new article a
# person can merge. On a real workspace of 120 articles (bench/routing_vs_runs.py) the top few
# candidates scored within 30% of each other in all 8 groups, and the lead is what told right
# from wrong; on the example workspace the compost and tool-shed notes lead by 1.6 and 2.4 times.
OFFLINE_MIN_SCORE = 0.8
OFFLINE_MIN_LEAD = 1.5


@dataclass(frozen=True)
class Candidates:
    """The few articles a group might belong to, with the ids the prompt uses for them."""

    entries: tuple[Entry, ...]
    scores: tuple[float, ...]

    def alias(self, index: int) -> str:
        return f"A{index + 1}"

    def by_alias(self) -> dict[str, Entry]:
        return {self.alias(i): e for i, e in enumerate(self.entries)}

    def describe(self) -> str:
        if not self.entries:
            return "(no existing articles)"
        return "\n".join(e.describe(self.alias(i)) for i, e in enumerate(self.entries))


def source_aliases(group: Sequence[Input]) -> dict[str, Input]:
    """Short ids for the prompt (S1, S2, …) mapped to inputs."""
    return {f"S{i + 1}": item for i, item in enumerate(group)}


def describe_source(alias: str, item: Input, limit: int | None = None) -> str:
    """A source as the model sees it: id, kind, time, author, then its text (cut at limit)."""
    when = item.time.strftime("%Y-%m-%d %H:%M %Z").strip()
    head = f"[{alias}] {item.kind}, {when}" + (f", by {item.author}" if item.author else "")
    text = item.text.strip()
    if limit is not None and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + f" … ({len(item.text) - limit} more characters)"
    return f"{head}\n{text}"


def group_text(group: Sequence[Input], limit: int = 4000) -> str:
    """The start of a group's text, for lexical matching."""
    return "\n".join(item.text[:limit] for item in group)


def shortlist(group: Sequence[Input], index: Shortlist, entries: dict[str, Entry], k: int) -> Candidates:
    """The k articles closest to the group's text."""
    found = index.top(group_text(group), k) if len(index) else []
    return Candidates(tuple(entries[i] for i, _ in found), tuple(s for _, s in found))


def route_offline(group: Sequence[Input], candidates: Candidates) -> list[Route]:
    """Deterministic routing: update the closest article when it is close enough, else create."""
    ids = tuple(item.id for item in group)
    if candidates.entries:
        terms = max(1, len(set(group_text(group).split())))
        best_score = candidates.scores[0]
        runner_up = candidates.scores[1] if len(candidates.scores) > 1 else 0.0
        if best_score / terms ** 0.5 >= OFFLINE_MIN_SCORE and best_score >= OFFLINE_MIN_LEAD * runner_up:
            best = candidates.entries[0]
            return [Route("update", ids, best.rel, best.title, f"closest article (score {candidates.scores[0]:.1f})")]
    return [Route("create", ids, None, plain_title(group[0].text), "no close article")]


def route_with_model(llm: LLM, prompts: Prompts, group: Sequence[Input], candidates: Candidates,
                     language: str) -> tuple[list[Route], list[Reply], list[str]]:
    """Ask the model where the group goes; returns routes, replies and reported instructions."""
    sources = source_aliases(group)
    by_alias = candidates.by_alias()
    prompt = prompts.render(
        "route",
        sources="\n\n".join(describe_source(a, s, ROUTE_SOURCE_CHARS) for a, s in sources.items()),
        candidates=candidates.describe(),
    )
    request = Request(
        messages=[{"role": "system", "content": prompts.system(language)}, {"role": "user", "content": prompt}],
        schema=route_schema(list(sources), list(by_alias)), schema_name="routing", purpose="route",
        max_tokens=ROUTE_ANSWER_TOKENS + ROUTE_TOKENS_PER_SOURCE * len(sources),
    )

    def validate(data: dict) -> list[str]:
        errors = []
        seen: dict[str, int] = {}
        for n, decision in enumerate(data.get("decisions", [])):
            for sid in decision.get("sources", []):
                if sid in seen:
                    errors.append(f"source {sid} is in decisions {seen[sid]} and {n}; give each source once")
                seen[sid] = n
            if decision.get("action") == "update" and decision.get("article") not in by_alias:
                errors.append(f"decision {n} updates but names no article id ({', '.join(by_alias) or 'none given'})")
        missing = [sid for sid in sources if sid not in seen]
        if missing:
            errors.append(f"sources {', '.join(missing)} are in no decision; every source needs one")
        return errors

    data, replies = ask_json(llm, request, validate=validate)
    routes = []
    for decision in data["decisions"]:
        ids = tuple(sources[sid].id for sid in decision["sources"])
        action = decision["action"]
        article = by_alias[decision["article"]].rel if action == "update" else None
        title = decision.get("title") or plain_title(sources[decision["sources"][0]].text)
        routes.append(Route(action, ids, article, title, decision.get("reason", "")))
    return routes, replies, list(data.get("instructions", []))
