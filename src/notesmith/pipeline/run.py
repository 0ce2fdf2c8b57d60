"""`notesmith process`: one run, stage by stage (SPEC §5).

  lock → finish a killed run's plan → read the inbox → group → route → draft → cite and render →
  check → plan (journal) → apply: write, move, index, commit → run log.

The model phase only reads the workspace; every change goes through the journaled plan.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Sequence

from notesmith.audio.stage import add_companions
from notesmith.pipeline.applying import apply_plan
from notesmith.text.article import Article
from notesmith.pipeline.catalog import Entry, load_catalog
from notesmith.checking.article_rules import Context, check_article
from notesmith.pipeline.drafting import draft_new_offline, draft_new_with_model, draft_update_offline, split_long, update_in_parts
from notesmith.pipeline.blocks import Route
from notesmith.pipeline.editing import apply_update
from notesmith.errors import ArticleError, ConfigError, ModelError
from notesmith.pipeline.grouping import group_by_time
from notesmith.checking.index_rules import article_info
from notesmith.pipeline.indexing import index_articles
from notesmith.inputs.reading import Input
from notesmith.pipeline.intake import read_inbox
from notesmith.pipeline.journal import Journal
from notesmith.llm.base import LLM, Usage, estimate_tokens
from notesmith.lock import WorkspaceLock
from notesmith.pipeline.planning import Changes, build_plan, commit_message, describe_plan
from notesmith.pipeline.prompts import Prompts
from notesmith.pipeline.rendering import render_new
from notesmith.pipeline.report import MODEL_FAILED, RunReport
from notesmith.pipeline.routing import Candidates, route_offline, route_with_model, shortlist
from notesmith.checking.rules import severities
from notesmith.pipeline.runlog import RecordingLLM, write_run_log
from notesmith.pipeline.shortlist import Shortlist
from notesmith.text.slugs import slugify, unique_slug
from notesmith.files import state_dir
from notesmith.checking.tree import DiskTree, PlannedTree, index_files
from notesmith.workspace import Workspace

Progress = Callable[[str], None]


@dataclass
class Options:
    """How to run; the CLI's flags."""

    dry_run: bool = False
    commit: bool = True
    branch: str | None = None
    jobs: int | None = None
    offline: bool = False
    files: Sequence[Path] | None = None
    to: str | None = None
    allow_secrets: bool = False
    wait: float = 0.0
    today: str | None = None


def choose_llm(ws: Workspace, llm: LLM | None, offline: bool) -> LLM | None:
    """The model to draft with: the one given, the configured one, or None for the offline drafter."""
    if offline or ws.config.offline:
        return None
    if llm is not None:
        return llm
    if not ws.config.model:
        return None
    from notesmith.llm import OpenAILLM

    return OpenAILLM(ws.config.model, base_url=ws.config.base_url, timeout=ws.config.timeout,
                     retries=ws.config.retries, context_tokens=ws.config.context_tokens,
                     capabilities_file=ws.state / "endpoints.json")


def run(ws: Workspace, llm: LLM | None = None, *, progress: Progress | None = None, transcriber=None,
        **options) -> RunReport:
    """Process the inbox once; see the module docstring for the stages (a transcriber replaces the configured one)."""
    opts = Options(**options)
    started = time.monotonic()
    say = progress or (lambda message: None)
    run_id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    model = choose_llm(ws, llm, opts.offline)
    report = RunReport(run_id, model=model.name if model else "offline", offline=model is None, dry_run=opts.dry_run)
    recorder = RecordingLLM(model) if model is not None else None
    state = state_dir(ws.root, ws.config.state)
    with WorkspaceLock(state / "lock", wait=opts.wait):
        journal = Journal(state / "journal")
        git = _open_git(ws, opts, report)
        pending = journal.pending()
        if pending is not None and not opts.dry_run:
            say("finishing the run that was interrupted")
            report.commits += apply_plan(pending, ws.root, journal, git, say)
            report.resumed = True
            report.notes.append(f"finished the interrupted run {pending.get('run_id')} first")
        elif pending is not None:
            report.notes.append(f"run {pending.get('run_id')} was interrupted; the next run finishes it first")
        if git is not None and opts.branch:
            git.check_new_branch(opts.branch)  # before any plan is written, so nothing is left half-done
        _process(ws, opts, report, recorder, git, journal, say, transcriber)
    report.seconds = time.monotonic() - started
    if recorder is not None:
        report.usage = recorder.usage
        config = ws.config
        if config.price_input or config.price_output:
            report.cost = (report.usage.prompt_tokens * config.price_input
                           + report.usage.completion_tokens * config.price_output) / 1_000_000
    if not opts.dry_run:
        report.log_file = write_run_log(state / "runs", report, recorder, keep=ws.config.keep_runs,
                                        root=ws.root)
    return report


def _open_git(ws: Workspace, opts: Options, report: RunReport):
    if not opts.commit:
        return None
    from notesmith.git.repo import Git

    git = Git.open(ws.root)
    if git is None:
        report.notes.append("not a git repository: changes are left in the working tree (--no-commit)")
        opts.commit = False
        return None
    if not git.has_commits():
        report.notes.append("the repository has no commit yet: changes are left in the working tree (--no-commit)")
        opts.commit = False
        return None
    name, email, configured = git.identity()
    if not configured:
        report.notes.append(f"no git identity configured: committed as {name} <{email}>")
    return git


def _process(ws: Workspace, opts: Options, report: RunReport, llm: LLM | None, git, journal: Journal,
             say: Progress, transcriber=None) -> None:
    config = ws.config
    say("reading the inbox")
    intake = read_inbox(ws, opts.files, allow_secrets=opts.allow_secrets, transcribe=not opts.dry_run,
                        transcriber=transcriber, progress=say)
    report.notes.extend(intake.notes)
    report.inputs_read = len(intake.ready) + len(intake.failed) + len(intake.skipped) + len(intake.waiting)
    if llm is None and intake.ready:
        report.notes.append("offline drafter: no model configured (set NOTESMITH_MODEL or --model); "
                            "text is kept verbatim, not translated, and instructions inside inputs "
                            "cannot be told from content")
    changes = Changes()
    rel = partial(_rel, ws)
    for d in intake.failed:
        dst = f"{config.failed}/{d.path.name}"
        changes.fails.append((rel(d.path), dst, d.reason))
        report.failed.append((rel(d.path), d.reason))
    for d in intake.skipped:
        changes.moves.append((rel(d.path), f"{config.skipped}/{d.path.name}"))
        report.skipped.append((rel(d.path), d.reason))
    for d in intake.waiting:
        report.waiting.append((rel(d.path), d.reason))
    edited = git.dirty([config.articles]) if git is not None else set()
    groups = group_by_time(intake.ready, key=lambda item: item.time,
                           window=dt.timedelta(seconds=config.group_window))
    say(f"{len(intake.ready)} inputs in {len(groups)} groups")
    catalog = load_catalog(ws.root, config.articles, None if opts.dry_run else ws.state / "catalog.json")
    routes = _route(ws, opts, llm, groups, catalog, report, say)
    by_id = {item.id: item for item in intake.ready}
    _draft_and_render(ws, opts, llm, routes, by_id, edited, changes, report, say)
    add_companions(changes.moves, changes.fails,
                   {rel(t): tuple(rel(c) for c in mates) for t, mates in intake.companions.items()})
    _index(ws, changes, git, report)
    report.created = list(changes.created)
    report.updated = list(changes.updated)
    report.plan = describe_plan(changes) if opts.dry_run else []
    _check_planned(ws, changes, report)
    if opts.dry_run or not (changes.writes or changes.moves or changes.fails):
        return
    usage = llm.usage if llm is not None else Usage()
    message = commit_message(changes, run_id=report.run_id, model=report.model, usage=usage,
                             inputs=len(changes.moves) + len(changes.fails))
    inputs_moved = [src for src, _ in changes.moves] + [src for src, _, _ in changes.fails]
    tracked = git.tracked_paths(inputs_moved) if git is not None else set()
    plan, contents = build_plan(changes, run_id=report.run_id, commit=opts.commit, branch=opts.branch,
                                message=message, tracked=tracked, inbox_commit=True)
    journal.write_plan(plan, contents)
    say("applying")
    report.commits += apply_plan(plan, ws.root, journal, git, say)


def _route(ws: Workspace, opts: Options, llm: LLM | None, groups: list[list[Input]], catalog: list[Entry],
           report: RunReport, say: Progress) -> list[Route]:
    config = ws.config
    if opts.to:
        target = _target_article(ws, opts.to, catalog)
        return [Route("update", tuple(i.id for i in g), target.rel, target.title, "--to") for g in groups]
    entries = {e.rel: e for e in catalog}
    index = Shortlist((e.rel, e.search_text()) for e in catalog)
    candidates = [shortlist(g, index, entries, config.shortlist) for g in groups]
    if llm is None:
        return [r for g, c in zip(groups, candidates) for r in route_offline(g, c)]
    say(f"routing {len(groups)} groups with {llm.name}")

    def one(pair: tuple[list[Input], Candidates]) -> list[Route]:
        group, cands = pair
        try:
            routes, _, instructions = route_with_model(llm, Prompts(ws.path("prompts"), ws.path("style_file")),
                                                       group, cands, config.language)
        except ModelError as exc:
            for item in group:
                report.waiting.append((_rel(ws, item.path), f"{MODEL_FAILED} while routing: {exc.message}"))
            return []
        report.instructions.extend(instructions)
        return routes

    with ThreadPoolExecutor(max_workers=max(1, opts.jobs or config.jobs)) as pool:
        return [r for routes in pool.map(one, zip(groups, candidates)) for r in routes]


def _target_article(ws: Workspace, name: str, catalog: list[Entry]) -> Entry:
    wanted = name.strip().lower()
    for entry in catalog:
        candidates = {entry.rel.lower(), posixpath.relpath(entry.rel, ws.config.articles).lower(),
                      entry.rel.rsplit("/", 1)[-1][:-3].lower(), entry.title.lower()}
        if wanted in candidates or wanted + ".md" in candidates:
            return entry
    raise ConfigError(f"--to {name}: no such article under {ws.config.articles}/; give its path or title")


def _draft_and_render(ws: Workspace, opts: Options, llm: LLM | None, routes: list[Route],
                      by_id: dict[str, Input], edited: set[str], changes: Changes, report: RunReport,
                      say: Progress) -> None:
    config = ws.config
    today = opts.today or dt.date.today().isoformat()
    prompts = Prompts(ws.path("prompts"), ws.path("style_file"))
    used = config.used.strip("/")
    creates: list[Route] = []
    updates: dict[str, list[Route]] = {}
    for route in routes:
        inputs = [by_id[i] for i in route.inputs]
        if route.action == "feedback":
            for item in inputs:
                dst = f"{config.feedback}/{item.id}"
                changes.moves.append((_rel(ws, item.path), dst))
                changes.feedback.append(dst)
                report.feedback.append(dst)
        elif route.action == "skip":
            for item in inputs:
                changes.moves.append((_rel(ws, item.path), f"{config.skipped}/{item.id}"))
                report.skipped.append((_rel(ws, item.path), route.reason or "no content"))
        elif route.action == "update" and route.article and (ws.root / route.article).is_file():
            if route.article in edited:
                for item in inputs:
                    report.waiting.append((_rel(ws, item.path), f"{route.article} has uncommitted edits by a "
                                                                "person; commit or discard them, then run again"))
                continue
            updates.setdefault(route.article, []).append(route)
        else:
            creates.append(route)
    if opts.dry_run:
        report.estimated_tokens = sum(estimate_tokens(by_id[i].text) for r in routes for i in r.inputs) + \
            2000 * (len(creates) + len(updates)) if llm is not None else 0
        for route in creates:
            changes.created.append(_new_path(ws, route.title or "untitled", changes))
            changes.titles[changes.created[-1]] = route.title
            _moved(ws, [by_id[i] for i in route.inputs], used, changes)
        changes.updated.extend(updates)
        for rel in updates:
            for route in updates[rel]:
                _moved(ws, [by_id[i] for i in route.inputs], used, changes)
        return
    taken_lock = threading.Lock()

    def create(route: Route) -> None:
        group = [by_id[i] for i in route.inputs]
        try:
            drafted = draft_new_with_model(llm, prompts, group, route.title, config.language) if llm \
                else draft_new_offline(group)
        except ModelError as exc:
            _wait(ws, group, f"{MODEL_FAILED} while drafting: {exc.message}", report)
            return
        with taken_lock:
            for part in split_long(drafted.content):
                rel = _new_path(ws, part.title, changes)
                changes.writes[rel] = render_new(part, article_rel=rel, today=today,
                                                 status=config.default_status, used_dir=used)
                changes.created.append(rel)
                changes.titles[rel] = part.title
            _moved(ws, group, used, changes)
            report.instructions.extend(drafted.instructions)

    def update(rel: str) -> None:
        path = ws.root / rel
        try:
            article = Article.load(path)
        except ArticleError as exc:
            for route in updates[rel]:
                _wait(ws, [by_id[i] for i in route.inputs], str(exc), report)
            return
        done: list[Input] = []
        for route in updates[rel]:
            group = [by_id[i] for i in route.inputs]
            def apply(current: Article, edits) -> Article:
                return apply_update(current, edits, article_rel=rel, today=today, used_dir=used)

            try:
                if llm:
                    article, drafted = update_in_parts(llm, prompts, article, rel, group, config.language, apply)
                else:
                    drafted = draft_update_offline(group)
                    article = apply(article, drafted.content)
            except ModelError as exc:
                _wait(ws, group, f"{MODEL_FAILED} while drafting: {exc.message}", report)
                continue
            except ValueError as exc:
                _wait(ws, group, f"the update for {rel} could not be applied ({exc})", report)
                continue
            done.extend(group)
            report.instructions.extend(drafted.instructions)
        if done:
            with taken_lock:
                changes.writes[rel] = article.dump()
                changes.updated.append(rel)
                changes.titles[rel] = article.title
                _moved(ws, done, used, changes)

    jobs = max(1, opts.jobs or config.jobs) if llm is not None else 1
    say(f"drafting {len(creates)} new and {len(updates)} updated articles")
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(create, r) for r in creates] + [pool.submit(update, rel) for rel in updates]
        for future in futures:
            future.result()
    changes.created.sort()
    changes.updated.sort()


def _wait(ws: Workspace, group: Iterable[Input], reason: str, report: RunReport) -> None:
    for item in group:
        report.waiting.append((_rel(ws, item.path), reason))


def _rel(ws: Workspace, path: Path) -> str:
    """An input's workspace-relative path; a symlink in the inbox is the link, never its target."""
    try:
        return Path(os.path.abspath(path)).relative_to(ws.root).as_posix()
    except ValueError:
        return ws.rel(path)


def _moved(ws: Workspace, group: Iterable[Input], used: str, changes: Changes) -> None:
    for item in group:
        changes.moves.append((_rel(ws, item.path), f"{used}/{item.id}"))


def _new_path(ws: Workspace, title: str, changes: Changes) -> str:
    """A new article's path: an ASCII slug of its title, unique in the folder (case-insensitively)."""
    folder = ws.config.articles.strip("/")
    base = ws.root / folder
    taken = {p.stem for p in base.glob("*.md")} if base.is_dir() else set()
    taken |= {posixpath.basename(r)[:-3] for r in changes.writes if posixpath.dirname(r) == folder}
    slug = unique_slug(slugify(title), taken)
    return f"{folder}/{slug}.md"


def _index(ws: Workspace, changes: Changes, git, report: RunReport) -> None:
    """Add rows for new articles and refresh rows of updated ones in _index.md."""
    config = ws.config
    articles_root = config.articles.strip("/")
    tree = DiskTree(ws.root)
    texts = {rel: (ws.root / rel).read_text(encoding="utf-8", errors="replace")
             for rel in index_files(tree, articles_root, config.index_name)}
    dirty = git.dirty(list(texts)) if git is not None and texts else set()
    articles = []
    for rel in [*changes.created, *changes.updated]:
        if rel not in changes.writes:
            continue
        article = Article(changes.writes[rel], rel)
        articles.append((article_info(article, rel), "\n".join(article.lines[article.body_start - 1:])))
    changed = index_articles(texts, articles, articles_root=articles_root, index_name=config.index_name)
    for index_rel, text in changed.items():
        if index_rel in dirty:
            report.notes.append(f"{index_rel} has uncommitted edits: left as it is; "
                                "run notesmith check --fix after committing them")
            continue
        changes.writes[index_rel] = text


def _check_planned(ws: Workspace, changes: Changes, report: RunReport) -> None:
    """Check what the run will write against the tree as it will be; report new errors."""
    added = set(changes.writes) | {dst for _, dst in changes.moves}
    removed = {src for src, _ in changes.moves} | {src for src, _, _ in changes.fails}
    tree = PlannedTree(DiskTree(ws.root), added, removed)
    ctx = Context(tree, ws.config, severities(ws.config.rules))
    old_ctx = Context(DiskTree(ws.root), ws.config, severities(ws.config.rules))
    for rel in [*changes.created, *changes.updated]:
        if rel not in changes.writes:
            continue
        new = check_article(Article(changes.writes[rel], rel), rel, ctx)
        before = set()
        if rel in changes.updated and (ws.root / rel).is_file():
            before = {(f.code, f.message) for f in check_article(Article.load(ws.root / rel), rel, old_ctx)}
        for finding in new:
            if finding.severity == "error" and (finding.code, finding.message) not in before:
                report.findings.append(f"{finding.path}:{finding.line}:{finding.col}: {finding.code} {finding.message}")
