"""Step 4 without a model: where each group goes, decided from its words alone (SPEC §5.3).

  1. Placement. A note's instruction ("add this to X", placement.py) places the group it arrived
     with; an instruction sent on its own places the group before it (at most merge_window
     earlier). "Not for X but for Y" corrects the instruction before it. Notes that are only an
     instruction are filed as feedback: there is no text in them to cite.
  2. Language. The offline drafter does not translate, so a group written in two languages becomes
     one unit per language; a note too short to tell (a link) goes with the note sent before it.
  3. Merging. Consecutive units in one language, at most merge_window apart, whose words are alike
     (cosine of idf-weighted terms at least merge_similarity) become one article. Conservative on
     purpose: a person merges two articles more easily than they untangle one.
  4. Routing. A unit an instruction names an article for goes there when that article (existing,
     or created earlier in this run) is in its language; an unknown name becomes the title of a new
     article. Other units are routed lexically (routing.route_offline), never into an article in
     another language.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from notesmith.errors import ArticleError
from notesmith.inputs import Input
from notesmith.pipeline import placement
from notesmith.pipeline.draft_offline import offline_title
from notesmith.pipeline.placement import Placement
from notesmith.pipeline.routing import Route, route_offline, shortlist
from notesmith.pipeline.shortlist import Shortlist, tokenize
from notesmith.text.article import Article, Summary
from notesmith.text.slugs import detect_language, language_of
from notesmith.text.titles import distinct_title

__all__ = ["MergeRule", "OfflinePlan", "article_language", "plan_offline", "similarity"]


MERGE_CONTEXT = 3  # a note is compared with the last few notes of the article it may join


@dataclass(frozen=True)
class MergeRule:
    """When consecutive notes on one topic become one article: at most `window` seconds apart,
    and words at least `similarity` alike (0..1; above 1 turns merging off)."""

    window: float = 1800.0
    similarity: float = 0.35


@dataclass
class OfflinePlan:
    """The routes, and what the run summary says about them."""

    routes: list[Route] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # notes merged into one article
    followed: list[str] = field(default_factory=list)  # placement instructions recognised, and what was done
    notes: list[str] = field(default_factory=list)  # languages kept apart


@dataclass
class _Note:
    item: Input
    placement: Placement | None
    content: str
    language: str | None


@dataclass
class _Unit:
    inputs: list[Input]
    language: str
    group: int
    placement: Placement | None = None
    source: str = ""  # the input that holds the instruction

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.inputs)


@dataclass
class _Target:
    action: str
    inputs: list[str]
    article: str | None
    title: str
    reason: str
    language: str


def _resolve(placements: Sequence[Placement]) -> Placement | None:
    """The instruction that holds after corrections: the last one, "not X but Y" applied to the one before."""
    current: Placement | None = None
    for found in placements:
        if found.kind == "fix":
            current = placement.corrected(current, found) if current else Placement("add", found.target, found.phrase)
        else:
            current = found
    return current


def similarity(a: str, b: str, idf: Callable[[str], float]) -> float:
    """Cosine of two texts' idf-weighted terms (stems, transliterations; stop words left out)."""
    def vector(text: str) -> dict[str, float]:
        return {t: (1 + math.log(n)) * idf(t) for t, n in Counter(tokenize(text)).items()}

    va, vb = vector(a), vector(b)
    dot = sum(w * vb.get(t, 0.0) for t, w in va.items())
    norm = math.sqrt(sum(w * w for w in va.values())) * math.sqrt(sum(w * w for w in vb.values()))
    return dot / norm if norm else 0.0


def _units(groups: Sequence[Sequence[Input]], default: str, window: float,
           plan: OfflinePlan) -> list[_Unit]:
    """Step 1 and 2: placements resolved per group, then one unit per language of each group."""
    notes = [[_note(item) for item in group] for group in groups]
    placed: list[tuple[Placement | None, str]] = [(None, "")] * len(notes)
    for n, rows in enumerate(notes):
        found = [row for row in rows if row.placement is not None]
        if not found:
            continue
        source, said = found[-1].item.id, found[-1].placement.phrase
        if any(row.content.strip() for row in rows):
            placed[n] = (_resolve([row.placement for row in found]), source)
            continue
        earlier = _previous_with_content(notes, n)
        if earlier is None or (rows[0].item.time - notes[earlier][-1].item.time).total_seconds() > window:
            plan.followed.append(f"{source}: \u201c{said}\u201d: no notes just before it to place")
            continue
        before = [placed[earlier][0]] if placed[earlier][0] is not None else []
        placed[earlier] = (_resolve(before + [row.placement for row in found]), source)
    units: list[_Unit] = []
    for n, rows in enumerate(notes):
        content = [row for row in rows if row.content.strip()]
        if not content:
            continue
        weights: Counter = Counter()
        for row in content:
            if row.language:
                weights[row.language] += len(row.content)
        main = weights.most_common(1)[0][0] if weights else default
        by_language: dict[str, _Unit] = {}
        for i, row in enumerate(content):
            # a note too short to tell (a link) goes with the note before it, else the one after it
            language = row.language or next(
                (r.language for r in [*reversed(content[:i]), *content[i + 1:]] if r.language), main)
            if language not in by_language:
                by_language[language] = _Unit([], language, n, *placed[n])
            by_language[language].inputs.append(row.item)
        if len(by_language) > 1:
            others = [u for u in by_language.values() if u.language != main] or list(by_language.values())[1:]
            apart = "; ".join(f"{', '.join(u.ids)} ({u.language})" for u in others)
            plan.notes.append(f"{apart}: sent with notes in {main}, kept as an article of its own "
                              "(the offline drafter does not translate; a model run would translate and merge them)")
        units.extend(by_language.values())
    return units


def article_language(path: Path, default: str) -> str:
    """An article's language: its `language:` key, else guessed from its text, else default."""
    try:
        article = Article.load(path)
    except (ArticleError, OSError):
        return default
    declared = article.frontmatter.get("language")
    if isinstance(declared, str) and declared.strip():
        return declared.strip().lower()
    return language_of(article.body[:8000], default)


def _note(item: Input) -> _Note:
    found = placement.find(item.text)
    content = found.rest if found else item.text
    return _Note(item, found.placement if found else None, content,
                 detect_language(content) if content.strip() else None)


def _previous_with_content(notes: list[list[_Note]], n: int) -> int | None:
    for earlier in range(n - 1, -1, -1):
        if any(row.content.strip() for row in notes[earlier]):
            return earlier
    return None


def _merge(units: list[_Unit], rule: MergeRule, idf: Callable[[str], float], plan: OfflinePlan) -> list[_Unit]:
    """Step 3: consecutive units in one language, close in time and alike in words, become one."""
    out: list[_Unit] = []
    for unit in units:
        previous = next((u for u in reversed(out) if u.language == unit.language), None)
        if (previous is not None and previous.group != unit.group and unit.placement is None
                and previous.placement is None and rule.similarity <= 1):
            gap = (unit.inputs[0].time - previous.inputs[-1].time).total_seconds()
            if 0 <= gap <= rule.window:
                score = similarity(_text(previous.inputs[-MERGE_CONTEXT:]), _text(unit.inputs), idf)
                if score >= rule.similarity:
                    plan.merged.append(f"{', '.join(unit.ids)} joined {', '.join(previous.ids)}: consecutive notes "
                                       f"on one topic ({gap / 60:.0f} min apart, similarity {score:.2f})")
                    previous.inputs.extend(unit.inputs)
                    previous.group = unit.group
                    continue
        out.append(unit)
    return out


def _text(inputs: Sequence[Input], limit: int = 4000) -> str:
    return "\n".join(placement.strip(item.text[:limit]) for item in inputs)


def _names(entry: Summary) -> list[str]:
    return [entry.title, entry.rel.rsplit("/", 1)[-1][:-3].replace("-", " ")]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def plan_offline(groups: Sequence[Sequence[Input]], catalog: Sequence[Summary], *, index: Shortlist,
                 k: int, language: str, rule: MergeRule = MergeRule(),
                 article_language: Callable[[str], str] = lambda rel: "en") -> OfflinePlan:
    """Routes for every group without a model, with what the summary says about merges,
    instructions and languages. `article_language(rel)` is an existing article's language."""
    plan = OfflinePlan()
    entries = {e.rel: e for e in catalog}
    for group in groups:
        instructions = [item for item in group if placement.find(item.text) is not None
                        and not placement.strip(item.text).strip()]
        if instructions:
            plan.routes.append(Route("feedback", tuple(i.id for i in instructions), None, "",
                                     "a placement instruction, followed"))
    units = _merge(_units(groups, language, rule.window, plan), rule, index.idf, plan)
    taken = [e.title for e in catalog]
    targets: list[_Target] = []

    def create(unit: _Unit, title: str, reason: str) -> _Target:
        title = distinct_title(title, taken, unit.inputs[0].time)
        taken.append(title)
        target = _Target("create", list(unit.ids), None, title, reason, unit.language)
        targets.append(target)
        return target

    def lexical(unit: _Unit, title: str | None = None) -> _Target:
        route = route_offline(unit.inputs, shortlist(unit.inputs, index, entries, k))[0]
        if route.action == "update" and route.article:
            other = article_language(route.article)
            if other == unit.language:
                target = _Target("update", list(unit.ids), route.article, route.title, route.reason, other)
                targets.append(target)
                return target
            plan.notes.append(f"{', '.join(unit.ids)} ({unit.language}) is closest to {route.article} ({other}): "
                              "the offline drafter does not translate, so it makes its own article; a model run "
                              "would translate and merge it")
        return create(unit, title or offline_title(unit.inputs), "no close article")

    for unit in units:
        found = unit.placement
        said = f"{unit.source}: \u201c{found.phrase}\u201d" if found else ""
        if found is None:
            lexical(unit)
            continue
        designated = unit.source in unit.ids or not any(unit.source in u.ids for u in units)
        if found.kind == "new" and designated and not any(t.title == _cap(found.target) for t in targets):
            made = create(unit, _cap(found.target), "a new article, as the note asks")
            plan.followed.append(f"{said}: new article \u201c{made.title}\u201d")
            continue
        names = [(f"run:{n}", [t.title]) for n, t in enumerate(targets) if t.action == "create"]
        names += [(e.rel, _names(e)) for e in catalog]
        key = placement.match(found.target, names)
        if key is not None and key.startswith("run:"):
            target = targets[int(key[4:])]
            if target.language == unit.language:
                target.inputs.extend(unit.ids)
                plan.followed.append(f"{said}: added to the new article \u201c{target.title}\u201d")
                continue
            made = create(unit, offline_title(unit.inputs), "its own article: another language")
            plan.followed.append(f"{said}: \u201c{target.title}\u201d is in {target.language}, these notes in "
                                 f"{unit.language}; they make the article \u201c{made.title}\u201d, and a model run "
                                 "would translate and merge them")
        elif key is not None:
            other = article_language(key)
            if other == unit.language:
                targets.append(_Target("update", list(unit.ids), key, entries[key].title, "the note names it",
                                       other))
                plan.followed.append(f"{said}: added to {key}")
                continue
            made = create(unit, offline_title(unit.inputs), "its own article: another language")
            plan.followed.append(f"{said}: {key} is in {other}, these notes in {unit.language}; they make the "
                                 f"article \u201c{made.title}\u201d, and a model run would translate and merge them")
        else:
            target = lexical(unit, _cap(found.target))
            where = target.article or f"the new article \u201c{target.title}\u201d"
            plan.followed.append(f"{said}: no article is named \u201c{found.target}\u201d; added to {where}")
    plan.routes.extend(Route(t.action, tuple(t.inputs), t.article, t.title, t.reason) for t in targets)
    return plan
