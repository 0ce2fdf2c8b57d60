"""Step 4 of a run: decide for each group of inputs whether it creates, updates or is feedback."""

from __future__ import annotations

from dataclasses import dataclass, field
import posixpath
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from notesmith.pipeline.catalog import card, search_text
from notesmith.inputs import Input
from notesmith.pipeline.draft_offline import plain_title
from notesmith.errors import ConfigError, ModelError
from notesmith.llm import LLM, Reply, Request, ask_json
from notesmith.pipeline.prompts import Prompts, describe_source, source_aliases
from notesmith.pipeline.schemas import route_schema
from notesmith.pipeline.shortlist import Shortlist
from notesmith.text.article import Summary

if TYPE_CHECKING:
    from notesmith.pipeline.offline_routing import MergeRule
    from notesmith.pipeline.report import RunReport

ROUTE_SOURCE_CHARS = 1500
# Offline, a group updates an existing article only when the best match is clearly ahead of the
# runner-up (OFFLINE_MIN_LEAD times its score) and not weak (score per square root of the group's
# distinct words); otherwise it becomes a new article. A wrong update is worse than a new article a
# person can merge. On a real workspace of 120 articles (bench/routing_vs_runs.py) the top few
# candidates scored within 30% of each other in all 8 groups, and the lead is what told right
# from wrong; on the example workspace the compost and tool-shed notes lead by 1.6 and 2.4 times.
OFFLINE_MIN_SCORE = 0.8
OFFLINE_MIN_LEAD = 1.5


@dataclass(frozen=True)
class Route:
    """Where a set of inputs goes: a new article, an existing one, feedback, or nowhere yet."""

    action: str  # "create" | "update" | "feedback" | "skip"
    inputs: tuple[str, ...]  # input ids
    article: str | None = None  # workspace-relative path for "update"
    title: str = ""
    reason: str = ""
    instructions: tuple[str, ...] = field(default=())  # requests to the assistant not carried out


@dataclass(frozen=True)
class Candidates:
    """The few articles a group might belong to, with the ids the prompt uses for them."""

    entries: tuple[Summary, ...]
    scores: tuple[float, ...]

    def alias(self, index: int) -> str:
        return f"A{index + 1}"

    def by_alias(self) -> dict[str, Summary]:
        return {self.alias(i): e for i, e in enumerate(self.entries)}

    def describe(self) -> str:
        if not self.entries:
            return "(no existing articles)"
        return "\n".join(card(e, self.alias(i)) for i, e in enumerate(self.entries))


def group_text(group: Sequence[Input], limit: int = 4000) -> str:
    """The start of a group's text, for lexical matching."""
    return "\n".join(item.text[:limit] for item in group)


def shortlist(group: Sequence[Input], index: Shortlist, entries: dict[str, Summary], k: int) -> Candidates:
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


def find_article(name: str, catalog: Sequence[Summary], articles_dir: str) -> Summary:
    """The article `--to NAME` names: by path (with or without the folder or .md) or by title."""
    wanted = name.strip().lower()
    for entry in catalog:
        names = {entry.rel.lower(), posixpath.relpath(entry.rel, articles_dir).lower(),
                 entry.rel.rsplit("/", 1)[-1][:-3].lower(), entry.title.lower()}
        if wanted in names or wanted + ".md" in names:
            return entry
    raise ConfigError(f"--to {name}: no such article under {articles_dir}/; give its path or title")


Hold = Callable[[Sequence[Input], str], None]


def route_groups(groups: Sequence[Sequence[Input]], catalog: Sequence[Summary], *, llm: LLM | None,
                 prompts: Prompts, language: str, k: int, jobs: int, hold: Hold,
                 instructions: list[str], root: Path | None = None, merge: MergeRule | None = None,
                 report: RunReport | None = None) -> list[Route]:
    """Step 4 for every group: a shortlist of candidates each, then the model's decision (or offline's).

    A group whose routing the model could not answer is held back with the reason. Offline, the
    groups are routed by offline_routing.plan_offline (placement instructions, languages, merging
    by `merge`), and `report` gets what it merged and which instructions it followed.
    """
    entries = {e.rel: e for e in catalog}
    index = Shortlist((e.rel, search_text(e)) for e in catalog)
    if llm is None:
        from notesmith.pipeline.offline_routing import MergeRule as Rule, article_language, plan_offline

        def languages(rel: str) -> str:
            return article_language(root / rel, language) if root is not None else language

        plan = plan_offline(groups, catalog, index=index, k=k, language=language, rule=merge or Rule(),
                            article_language=languages)
        if report is not None:
            report.merged.extend(plan.merged)
            report.followed.extend(plan.followed)
            report.notes.extend(plan.notes)
        return plan.routes
    candidates = [shortlist(g, index, entries, k) for g in groups]

    def one(pair: tuple[Sequence[Input], Candidates]) -> list[Route]:
        group, cands = pair
        try:
            routes, _, asked = route_with_model(llm, prompts, group, cands, language)
        except ModelError as exc:
            hold(group, f"the model failed while routing: {exc.message}")
            return []
        instructions.extend(asked)
        return routes

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return [r for routes in pool.map(one, zip(groups, candidates)) for r in routes]
