"""Steps 5 and 6 of a run: draft each routed group, then render and cite it into article text.

Each group ends as article text the run will write (with the inputs it takes), or as inputs that
wait in the inbox with a reason: a model that failed, a draft that cites nothing from them, a
draft that cannot be rendered or applied, an article a person is editing or made read-only.
Drafts for different articles run concurrently. Every quoted passage is placed in its stored
input before rendering; once all drafts are in, each input the run takes gets its coverage.
"""

from __future__ import annotations

import os
import posixpath
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from notesmith.errors import ArticleError, DraftError, ModelError
from notesmith.files import is_read_only
from notesmith.inputs import Input
from notesmith.llm.base import LLM
from notesmith.pipeline import report as outcome
from notesmith.pipeline.blocks import ArticleUpdate, Block, Drafted, NewArticle, split_long
from notesmith.pipeline.draft_model import draft_new_with_model, update_in_parts
from notesmith.pipeline.draft_offline import draft_new_offline, draft_update_offline
from notesmith.pipeline.editing import apply_update
from notesmith.pipeline.evidence import Ledger, SourceTexts, place_all, place_each
from notesmith.pipeline.journal import sha256
from notesmith.pipeline.planning import FEEDBACK, SKIPPED, USED, Changes, Move
from notesmith.pipeline.prompts import Prompts
from notesmith.pipeline.rendering import render_new
from notesmith.pipeline.runlog import Countdown
from notesmith.pipeline.report import RunReport
from notesmith.pipeline.routing import Route
from notesmith.text.article import Article
from notesmith.text.slugs import slugify, unique_slug
from notesmith.workspace import Workspace


@dataclass(frozen=True)
class Drafter:
    """Drafts new articles and updates, with the model or offline, their passages placed in texts."""

    llm: LLM | None
    prompts: Prompts
    language: str
    texts: SourceTexts = field(default_factory=SourceTexts)

    def new(self, group: Sequence[Input], title: str) -> Drafted:
        if self.llm is None:
            drafted = draft_new_offline(group, title, language=self.language)
            draft = drafted.content
            assert isinstance(draft, NewArticle)
            drafted.content = replace(draft, blocks=self._in_order(draft.blocks, group))
            drafted.asides = place_each(drafted.asides, self.texts, {item.id: item for item in group})
            return drafted
        return draft_new_with_model(self.llm, self.prompts, group, title, self.language, self.texts)

    def update(self, article: Article, rel: str, group: Sequence[Input],
               apply: Callable[[Article, ArticleUpdate], Article]) -> tuple[Article, Drafted]:
        if self.llm is None:
            drafted = draft_update_offline(group, article)
            content = drafted.content
            assert isinstance(content, ArticleUpdate)
            drafted.content = replace(content, edits=tuple(replace(e, blocks=self._in_order(e.blocks, group))
                                                           for e in content.edits))
            drafted.asides = place_each(drafted.asides, self.texts, {item.id: item for item in group})
            return apply(article, drafted.content), drafted
        return update_in_parts(self.llm, self.prompts, article, rel, group, self.language, apply, self.texts)

    def _in_order(self, blocks: tuple[Block, ...], group: Sequence[Input]) -> tuple[Block, ...]:
        """The offline drafter's paragraphs follow their files: each is looked for after the one before."""
        return place_all(blocks, self.texts, {item.id: item for item in group}, in_order=True)


def input_rel(ws: Workspace, path: Path) -> str:
    """An input's workspace-relative path; a symlink in the inbox is the link, never its target."""
    return Path(os.path.abspath(path)).relative_to(ws.root).as_posix()


class Composer:
    """Collects what the drafts of one run change; safe to call from several threads."""

    def __init__(self, ws: Workspace, drafter: Drafter, changes: Changes, report: RunReport, *,
                 today: str, edited: set[str]):
        self.ws = ws
        self.drafter = drafter
        self.changes = changes
        self.report = report
        self.today = today
        self.edited = edited
        self.used = ws.config.used.strip("/")
        self.citations = ws.config.citations
        self._lock = threading.Lock()
        self.ledger = Ledger(drafter.texts)

    # -- sorting routes ----------------------------------------------------------------------

    def compose(self, routes: Sequence[Route], by_id: dict[str, Input], jobs: int, say) -> None:
        """Draft every route; feedback and skips are filed at once."""
        creates: list[tuple[Route, list[Input]]] = []
        updates: dict[str, list[tuple[Route, list[Input]]]] = {}
        for route in routes:
            group = [by_id[i] for i in route.inputs]
            if route.action == "feedback":
                self._file(group, self.ws.config.feedback, FEEDBACK)
            elif route.action == "skip":
                self._file(group, self.ws.config.skipped, SKIPPED, route.reason or "no content")
            elif route.action == "update" and route.article and (self.ws.root / route.article).is_file():
                if self._may_update(route.article, group):
                    updates.setdefault(route.article, []).append((route, group))
            else:
                creates.append((route, group))
        say(f"drafting {len(creates)} new and {len(updates)} updated articles")
        countdown = Countdown("drafting", len(creates) + len(updates), say)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(self.create, route, group) for route, group in creates]
            futures += [pool.submit(self.update, rel, pairs) for rel, pairs in updates.items()]
            for future in as_completed(futures):
                future.result()
                countdown.tick()
        self.changes.created.sort()
        self.changes.updated.sort()
        used = [posixpath.basename(m.dst) for m in self.changes.moves if m.kind == USED]
        self.changes.coverage, notes = self.ledger.coverage(used)
        self.changes.unverified = list(self.ledger.unverified)
        self.report.notes.extend(notes)

    def _file(self, group: Sequence[Input], folder: str, kind: str, reason: str = "") -> None:
        for item in group:
            src, dst = input_rel(self.ws, item.path), f"{folder.strip('/')}/{item.id}"
            self.changes.moves.append(Move(src, dst, kind))
            if kind == FEEDBACK:
                self.report.feedback.append(dst)
            else:
                self.report.skipped.append(outcome.Outcome(src, reason, outcome.EMPTY))

    def _may_update(self, rel: str, group: Sequence[Input]) -> bool:
        if rel in self.edited:
            self.hold(group, f"{rel} has uncommitted edits by a person; commit or discard them, then run again",
                      outcome.EDITED)
            return False
        if is_read_only(self.ws.root / rel):
            self.hold(group, f"{rel} is read-only; make it writable to let notesmith update it", outcome.READ_ONLY)
            return False
        return True

    def hold(self, group: Sequence[Input], reason: str, cause: str) -> None:
        """These inputs stay in the inbox this run."""
        with self._lock:
            for item in group:
                self.report.wait(input_rel(self.ws, item.path), reason, cause)

    # -- new articles -------------------------------------------------------------------------

    def create(self, route: Route, group: list[Input]) -> None:
        try:
            drafted = self.drafter.new(group, route.title)
        except ModelError as exc:
            self.hold(group, f"the model failed while drafting: {exc.message}", outcome.MODEL)
            return
        draft = drafted.content
        assert isinstance(draft, NewArticle)
        cited = {s for b in draft.blocks for s in b.sources}
        taken = [item for item in group if item.id in cited]
        self.hold([item for item in group if item.id not in cited],
                  "the draft cites nothing from it; it waits for the next run", outcome.UNCITED)
        if not taken:
            return
        with self._lock:
            try:
                texts = [(part, self.new_path(part.title)) for part in split_long(draft)]
                rendered = [(rel, part, render_new(part, article_rel=rel, today=self.today,
                                                   status=self.ws.config.default_status, used_dir=self.used,
                                                   citations=self.citations))
                            for part, rel in texts]
            except DraftError as exc:
                self.hold(taken, f"the draft could not be written: {exc.message}", outcome.DRAFT)
                return
            for rel, part, text in rendered:
                self.changes.writes[rel] = text
                self.changes.pre[rel] = None
                self.changes.cites[rel] = [input_rel(self.ws, item.path) for item in taken]
                self.changes.created.append(rel)
                self.changes.titles[rel] = part.title
                self.ledger.take(rel, part.blocks, taken)
            self.ledger.take(rendered[0][0], (), taken, drafted.asides)
            self._moved(taken)
            self.report.instructions.extend(drafted.instructions)

    def new_path(self, title: str) -> str:
        """A new article's path: an ASCII slug of its title, unique in the folder (case-insensitively)."""
        folder = self.ws.config.articles.strip("/")
        base = self.ws.root / folder
        taken = {p.stem for p in base.glob("*.md")} if base.is_dir() else set()
        taken |= {posixpath.basename(r)[:-3] for r in self.changes.writes if posixpath.dirname(r) == folder}
        return f"{folder}/{unique_slug(slugify(title), taken)}.md"

    def _moved(self, group: Sequence[Input]) -> None:
        for item in group:
            self.changes.moves.append(Move(input_rel(self.ws, item.path), f"{self.used}/{item.id}"))

    # -- updates ------------------------------------------------------------------------------

    def update(self, rel: str, pairs: list[tuple[Route, list[Input]]]) -> None:
        path = self.ws.root / rel
        try:
            data = path.read_bytes()
            article = Article.from_bytes(data, rel)
        except OSError as exc:
            self.hold([i for _, g in pairs for i in g], f"cannot read {rel} ({exc.strerror})", outcome.UNREADABLE)
            return
        except ArticleError as exc:
            self.hold([i for _, g in pairs for i in g], str(exc), outcome.DRAFT)
            return

        def apply(current: Article, edits: ArticleUpdate) -> Article:
            return apply_update(current, edits, article_rel=rel, today=self.today, used_dir=self.used,
                                citations=self.citations)

        done: list[Input] = []
        drafts: list[Drafted] = []
        for _, group in pairs:
            try:
                updated, drafted = self.drafter.update(article, rel, group, apply)
            except ModelError as exc:
                self.hold(group, f"the model failed while drafting: {exc.message}", outcome.MODEL)
                continue
            except DraftError as exc:
                self.hold(group, f"the update for {rel} could not be applied: {exc.message}", outcome.DRAFT)
                continue
            cited = {s for e in drafted.content.edits for b in e.blocks for s in b.sources}
            self.hold([i for i in group if i.id not in cited],
                      "the update cites nothing from it; it waits for the next run", outcome.UNCITED)
            taken = [i for i in group if i.id in cited]
            if taken:
                article = updated
                done.extend(taken)
                drafts.append(drafted)
                self.report.instructions.extend(drafted.instructions)
        if done:
            with self._lock:
                self.changes.writes[rel] = article.dump()
                self.changes.pre[rel] = sha256(data)
                self.changes.cites[rel] = [input_rel(self.ws, item.path) for item in done]
                self.changes.updated.append(rel)
                self.changes.titles[rel] = article.title
                self._moved(done)
                for drafted in drafts:
                    self.ledger.take(rel, drafted.blocks(), done, drafted.asides)
