"""Step 4 of a run: decide for each group of inputs whether it creates, updates or is feedback."""

from __future__ import annotations

from dataclasses import dataclass, field
import posixpath
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from notesmith.pipeline.catalog import card, search_text
from notesmith.inputs import Input
from notesmith.pipeline.draft_offline import plain_title
from notesmith.errors import ConfigError, InvalidAnswer, ModelError
from notesmith.llm import LLM, Reply, Request, ask_json
from notesmith.llm.structured import Cut, is_cut
from notesmith.pipeline.prompts import Prompts, describe_source, source_aliases
from notesmith.pipeline.schemas import route_schema
from notesmith.pipeline import placement
from notesmith.pipeline.runlog import Countdown
from notesmith.pipeline.shortlist import Shortlist, fuse
from notesmith.pipeline.synopsis import write_synopsis
from notesmith.text.article import Summary

if TYPE_CHECKING:
    from notesmith.pipeline.offline_routing import MergeRule
    from notesmith.pipeline.report import RunReport

ROUTE_SOURCE_CHARS = 1500
FUSE_DEPTH = 20  # how deep each ranking is read before fusing
BODY_B = 0.3  # BM25 length normalisation of the body index: a long article is not a worse match
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
_ID = re.compile(r"[ASQ]\d{1,3}")  # the prompts' ids: sources, articles (candidates), quotes
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
                     language: str, search: list[str] | None = None) -> tuple[list[Route], list[Reply], list[str]]:
    """Ask the model where the group goes; returns routes, replies and reported instructions.

    `search`, when given, receives the terms the model asked to search the articles with.
    """
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
            for sid in dict.fromkeys(decision.get("sources", [])):  # twice in one decision: once is meant
                if sid in seen:
                    errors.append(f"source {sid} is in decisions {seen[sid]} and {n}; give each source once")
                seen[sid] = n
            if decision.get("action") == "update" and decision.get("article") not in by_alias:
                errors.append(f"decision {n} updates but names no article id ({', '.join(by_alias) or 'none given'})")
        missing = [sid for sid in sources if sid not in seen]
        if missing:
            errors.append(f"sources {', '.join(missing)} are in no decision; every source needs one")
        return errors

    data, replies = ask_json(llm, request, validate=validate, salvage=salvage_route)
    if search is not None:
        search.extend(term for term in data.get("search", []) if str(term).strip())
    routes = []
    for decision in data["decisions"]:
        ids = tuple(dict.fromkeys(sources[sid].id for sid in decision["sources"]))
        action = decision["action"]
        article = by_alias[decision["article"]].rel if action == "update" else None
        title = str(decision.get("title") or "").strip()
        if not title or title in sources or title in by_alias or _ID.fullmatch(title):  # an id is no title
            title = plain_title(sources[decision["sources"][0]].text)
        routes.append(Route(action, ids, article, title, decision.get("reason", "")))
    return routes, replies, list(data.get("instructions", []))


def salvage_route(data: object) -> dict | None:
    """The decisions a routing answer cut off by the length limit had finished, or None.

    A decision is finished when its action, sources, article and title are whole: the model's
    explanation (`reason`, the last field) may be cut, and is kept marked as cut. Instructions
    and search terms cut mid-way are left out. Whether the finished decisions cover every source
    is checked as for any answer.
    """
    if not isinstance(data, dict) or not isinstance(data.get("decisions"), list):
        return None
    decisions = []
    for made in data["decisions"]:
        if not isinstance(made, dict) or any(k not in made or is_cut(made[k])
                                             for k in ("action", "sources", "article", "title")):
            continue
        reason = made.get("reason", "")
        decisions.append({**made, "reason": f"{reason.rstrip()}…" if isinstance(reason, Cut) else reason})
    if not decisions:
        return None
    whole = {key: [v for v in data.get(key, []) if not is_cut(v)] for key in ("instructions", "search")}
    return {"decisions": decisions, **whole}


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
                 report: RunReport | None = None, say=None) -> list[Route]:
    """Step 4 for every group: a shortlist of candidates each, then the model's decision (or offline's).

    A group whose routing the model could not answer is held back with the reason. Offline, the
    groups are routed by offline_routing.plan_offline (placement instructions, languages, merging
    by `merge`), and `report` gets what it merged and which instructions it followed.
    """
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
    finder = Finder(catalog, index)
    journal = report.routing if report is not None else []

    def one(group: Sequence[Input]) -> list[Route]:
        placed = follow_placement(group, catalog)
        if placed is not None:
            journal.append({"inputs": [i.id for i in group], "placement": placed.reason, "decision": [placed.article]})
            return [placed]
        entry: dict = {"inputs": [i.id for i in group]}
        try:
            if finder.entries:  # with no article to find, a synopsis would find nothing
                try:
                    synopsis = write_synopsis(llm, prompts, group, language)
                except InvalidAnswer as exc:  # the shortlist goes on with the group's own words
                    entry["synopsis_failed"] = exc.message
                    cands = finder.candidates(group_text(group), None, k)
                else:
                    entry.update(synopsis=synopsis.text, terms=list(synopsis.terms), names=list(synopsis.names))
                    cands = finder.candidates(group_text(group), synopsis.query(), k)
            else:
                cands = Candidates((), ())
            entry["candidates"] = [e.rel for e in cands.entries]
            asked: list[str] = []
            routes, _, said = route_with_model(llm, prompts, group, cands, language, search=asked)
            if asked and finder.entries:
                more = finder.candidates(" ".join(asked), " ".join(asked), k, exclude={e.rel for e in cands.entries})
                entry["search"], entry["found"] = asked, [e.rel for e in more.entries]
                if more.entries:
                    wider = Candidates(cands.entries + more.entries, cands.scores + more.scores)
                    routes, _, said = route_with_model(llm, prompts, group, wider, language)
        except ModelError as exc:
            hold(group, f"the model failed while routing: {exc.message}")
            return []
        entry["decision"] = [f"{r.action} {r.article or r.title}".strip() for r in routes]
        journal.append(entry)
        instructions.extend(said)
        return routes

    countdown = Countdown("routing", len(groups), say)

    def counted(group: Sequence[Input]) -> list[Route]:
        routes = one(group)
        countdown.tick()
        return routes

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return [r for routes in pool.map(counted, groups) for r in routes]


class Finder:
    """The shortlist over the catalog: the articles' cards, and (for a synopsis) their bodies' frequent words.

    Without a synopsis it ranks the cards by the group's own words, as the offline router does.
    With one, it fuses three rankings: the group's words and the synopsis against the cards, and
    the synopsis against the bodies, so an English synopsis of Russian notes finds English articles
    by what they say, not only by their titles (bench/routing_recall.py measures it).
    """

    def __init__(self, catalog: Sequence[Summary], cards: Shortlist | None = None):
        self.entries = {e.rel: e for e in catalog}
        self.cards = cards if cards is not None else Shortlist((e.rel, search_text(e)) for e in catalog)
        self._bodies: Shortlist | None = None
        self._lock = threading.Lock()

    @property
    def bodies(self) -> Shortlist:
        with self._lock:
            if self._bodies is None:  # built on first use: only model runs need it
                self._bodies = Shortlist(((e.rel, " ".join(e.terms)) for e in self.entries.values()), b=BODY_B)
            return self._bodies

    def candidates(self, text: str, synopsis: str | None = None, k: int = 8, *,
                   exclude: set[str] = frozenset()) -> Candidates:
        """The k articles closest to text (and to the synopsis), best first."""
        if not self.entries:
            return Candidates((), ())
        if synopsis is None:
            found = self.cards.top(text, k)
        else:
            depth = FUSE_DEPTH + len(exclude)
            found = fuse([[d for d, _ in self.cards.top(text, depth)], [d for d, _ in self.cards.top(synopsis, depth)],
                          [d for d, _ in self.bodies.top(synopsis, depth)]], k + len(exclude))
        found = [(rel, score) for rel, score in found if rel not in exclude][:k]
        return Candidates(tuple(self.entries[r] for r, _ in found), tuple(s for _, s in found))


def follow_placement(group: Sequence[Input], catalog: Sequence[Summary]) -> Route | None:
    """A route the group's own placement instruction names ("add this to the X article"), before
    anything else is asked: an existing article whose title or file name the words match."""
    for item in group:
        found = placement.find(item.text)
        if found is None or found.placement.kind != "add":
            continue
        names = [(e.rel, [e.title, e.rel.rsplit("/", 1)[-1][:-3].replace("-", " ")]) for e in catalog]
        rel = placement.match(found.placement.target, names)
        if rel is not None:
            title = next(e.title for e in catalog if e.rel == rel)
            return Route("update", tuple(i.id for i in group), rel, title,
                         f"placement instruction: “{found.placement.phrase}”")
    return None
