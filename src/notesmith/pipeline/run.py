"""`notesmith process`: one run, stage by stage (SPEC §5).

  lock → refuse a busy repository → finish a killed run's plan → read the inbox → group → route →
  draft, cite and render → index → check → plan (journal) → apply: write, move, commit → run log.

The model phase only reads the workspace; every change goes through the journaled plan.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from notesmith.files import remove_temporaries, state_dir
from notesmith.git.repo import Repository
from notesmith.inputs import Input
from notesmith.llm.base import LLM, estimate_messages_tokens, estimate_tokens
from notesmith.lock import WorkspaceLock
from notesmith.pipeline import report as outcome
from notesmith.pipeline.applying import Applied, Checkpoint, apply_plan
from notesmith.pipeline.catalog import load_catalog
from notesmith.pipeline.compose import Composer, Drafter, input_rel
from notesmith.pipeline.grouping import group_by_time
from notesmith.pipeline.duplicates import Fingerprints
from notesmith.pipeline.indexing import index_changes
from notesmith.pipeline.intake import Intake, read_inbox
from notesmith.pipeline.journal import Journal
from notesmith.pipeline.offline_routing import MergeRule
from notesmith.pipeline.planning import SKIPPED, Changes, Move, build_plan, describe_plan
from notesmith.pipeline.prompts import Prompts
from notesmith.pipeline.report import RunReport
from notesmith.pipeline.routing import Route, find_article, route_groups
from notesmith.pipeline.runlog import RecordingLLM, write_run_log
from notesmith.pipeline.selfcheck import new_errors
from notesmith.pipeline.synopsis import synopsis_request
from notesmith.pipeline.transcription import add_companions
from notesmith.workspace import Workspace

Progress = Callable[[str], None]
DRAFT_PROMPT_TOKENS = 2000  # a drafting prompt's fixed part (instructions, style), for dry-run estimates


@dataclass(frozen=True)
class RunOptions:
    """How to run: the CLI's flags, and `notesmith.process()`'s keyword arguments."""

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
                     temperature=ws.config.temperature, seed=ws.config.seed,
                     capabilities_file=ws.state / "endpoints.json")


def workers(ws: Workspace, options: RunOptions, model: LLM | None) -> int:
    """How many model calls run at once: --jobs, else `jobs`, except one for a server on this
    machine, which answers one request at a time anyway and keeps its prompt cache warm that way."""
    if options.jobs:
        return options.jobs
    if model is not None and is_loopback(ws.config.base_url):
        return 1
    return max(1, ws.config.jobs)


def is_loopback(url: str | None) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "") if url else ""
    return host in ("localhost", "::1") or host.startswith("127.")


def run(ws: Workspace, llm: LLM | None = None, *, options: RunOptions = RunOptions(),
        progress: Progress | None = None, transcriber=None, checkpoint: Checkpoint | None = None) -> RunReport:
    """Process the inbox once; see the module docstring for the stages.

    `transcriber` replaces the configured one for audio inputs; `checkpoint` is a test seam: it is
    called with the name of each apply step once it is done.
    """
    started = time.monotonic()
    say = progress or (lambda message: None)
    run_id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    model = choose_llm(ws, llm, options.offline)
    report = RunReport(run_id, model=model.name if model else "offline", offline=model is None,
                       dry_run=options.dry_run)
    recorder = RecordingLLM(model, progress=say) if model is not None and not options.dry_run else None
    state = state_dir(ws.root, ws.config.state)
    with WorkspaceLock(state / "lock", wait=options.wait):
        repo = Repository.open(ws.root)
        git = _committer(repo, options, report)
        if git is not None and checkpoint is not None:
            git.checkpoint = checkpoint
        journal = Journal(state / "journal")
        _finish_interrupted(ws, journal, git, options, report, say, checkpoint)
        if not options.dry_run:
            _tidy(ws, report)
        _process(ws, options, report, recorder, model, repo, git, journal, say, checkpoint, transcriber)
    report.seconds = time.monotonic() - started
    if recorder is not None:
        report.usage = recorder.usage
        config = ws.config
        if config.price_input or config.price_output:
            report.cost = (report.usage.prompt_tokens * config.price_input
                           + report.usage.completion_tokens * config.price_output) / 1_000_000
    if not options.dry_run:
        report.log_file = write_run_log(state / "runs", report, recorder, keep=ws.config.keep_runs, root=ws.root)
    return report


def _committer(git: Repository | None, options: RunOptions, report: RunReport) -> Repository | None:
    """The repository to commit to, or None to leave the changes in the working tree."""
    if not options.commit:
        return None
    if git is None:
        report.notes.append("not a git repository: changes are left in the working tree (--no-commit)")
        return None
    git.check_state(branch=options.branch)
    if not git.has_commits():
        report.notes.append("the repository has no commit yet: changes are left in the working tree (--no-commit)")
        return None
    name, email, configured = git.identity()
    if not configured:
        report.notes.append(f"no git identity configured: committed as {name} <{email}>")
    if options.branch:
        git.check_new_branch(options.branch)  # before any plan is written, so nothing is left half-done
    return git


def _finish_interrupted(ws: Workspace, journal: Journal, git: Repository | None, options: RunOptions,
                        report: RunReport, say: Progress, checkpoint: Checkpoint | None) -> None:
    pending = journal.pending()
    if pending is None:
        journal.forget_leftovers()
        return
    if options.dry_run:
        report.notes.append(f"run {pending.get('run_id')} was interrupted; the next run finishes it first")
        return
    say("finishing the run that was interrupted")
    _record_applied(report, apply_plan(pending, ws.root, journal, git, say, checkpoint))
    report.resumed = True
    report.notes.append(f"finished the interrupted run {pending.get('run_id')} first")


def _tidy(ws: Workspace, report: RunReport) -> None:
    """Remove what a killed run left half-written (nothing of a person's: only notesmith's temporary names)."""
    removed = remove_temporaries(ws.articles, deep=True)
    for key in ("inbox", "used", "failed"):
        removed += remove_temporaries(ws.path(key))
    removed += remove_temporaries(ws.state, deep=True)
    if removed:
        report.notes.append(f"removed {len(removed)} temporary file{'s' * (len(removed) != 1)} left by a killed run")


def _process(ws: Workspace, options: RunOptions, report: RunReport, recorder: RecordingLLM | None,
             model: LLM | None, repo: Repository | None, git: Repository | None, journal: Journal,
             say: Progress, checkpoint: Checkpoint | None, transcriber=None) -> None:
    config = ws.config
    say("reading the inbox")
    intake = read_inbox(ws, options.files, allow_secrets=options.allow_secrets,
                        duplicates=Fingerprints(ws.used, None if options.dry_run else ws.state / "fingerprints.json",
                                                root=ws.root, max_bytes=int(config.max_input_mb * 1024 * 1024)),
                        transcribe=not options.dry_run, transcriber=transcriber, progress=say)
    report.notes.extend(intake.notes)
    companions = {input_rel(ws, t): tuple(input_rel(ws, c) for c in mates) for t, mates in intake.companions.items()}
    changes = Changes()
    _record_intake(ws, intake, changes, report)
    if model is not None and intake.ready and options.dry_run:
        report.notes.append("dry run: no model call was made; the plan below is the offline router's, "
                            "and routing with the model may differ")
    elif model is None and intake.ready:
        report.notes.append("offline drafter: no model configured (set NOTESMITH_MODEL or --model); "
                            "text is kept verbatim, not translated; placement instructions (\"add this to …\") "
                            "are followed, other instructions inside inputs cannot be told from content")
    groups = group_by_time(intake.ready, key=lambda item: item.time,
                           window=dt.timedelta(seconds=config.group_window))
    ready = len(intake.ready)
    say(f"{ready} input{'s' * (ready != 1)} in {len(groups)} group{'s' * (len(groups) != 1)}")
    catalog = load_catalog(ws.root, config.articles, None if options.dry_run else ws.state / "catalog.json")
    prompts = Prompts(ws.path("prompts"), ws.path("style_file"))
    jobs = workers(ws, options, model)
    drafting_llm = None if options.dry_run else recorder
    composer = Composer(ws, Drafter(drafting_llm, prompts, config.language), changes, report,
                        today=options.today or dt.date.today().isoformat(),
                        edited=repo.dirty([config.articles]) if repo is not None and repo.has_commits() else set())
    if options.to:
        target = find_article(options.to, catalog, config.articles.strip("/"))
        routes = [Route("update", tuple(i.id for i in g), target.rel, target.title, "--to") for g in groups]
    else:
        if drafting_llm is not None:
            say(f"routing {len(groups)} groups with {drafting_llm.name}")
        routes = route_groups(groups, catalog, llm=drafting_llm, prompts=prompts, language=config.language,
                              k=config.shortlist, jobs=jobs, instructions=report.instructions,
                              hold=lambda group, why: composer.hold(group, why, outcome.MODEL),
                              root=ws.root, report=report,
                              merge=MergeRule(config.merge_window, config.merge_similarity), say=say)
    by_id = {item.id: item for item in intake.ready}
    if options.dry_run:
        _dry_plan(ws, composer, routes, by_id, model, report)
        return
    composer.compose(routes, by_id, jobs if drafting_llm is not None else 1, say)
    add_companions(changes, companions)
    index_changes(ws, changes, repo if repo is not None and repo.has_commits() else None, report)
    report.created, report.updated = list(changes.created), list(changes.updated)
    report.coverage, report.unverified = list(changes.coverage), list(changes.unverified)
    report.findings.extend(new_errors(ws, changes))
    if not (changes.writes or changes.moves or changes.fails):
        return
    tracked = git.tracked_paths([m.src for m in changes.moves] + [src for src, _, _ in changes.fails]) \
        if git is not None else set()
    plan, contents = build_plan(changes, run_id=report.run_id, commit=git is not None, branch=options.branch,
                                model=report.model, usage=recorder.usage if recorder is not None else report.usage,
                                tracked=tracked)
    journal.write_plan(plan, contents)
    say("applying")
    _record_applied(report, apply_plan(plan, ws.root, journal, git, say, checkpoint))


def _record_intake(ws: Workspace, intake: Intake, changes: Changes, report: RunReport) -> None:
    report.inputs_read = len(intake.ready) + len(intake.failed) + len(intake.skipped) + len(intake.waiting)
    config = ws.config
    taken: set[str] = set()
    for d in intake.failed:
        src = input_rel(ws, d.path)
        changes.fails.append((src, _free_name(ws, config.failed, d.path.name, taken), d.reason))
        report.failed.append(outcome.Outcome(src, d.reason, d.cause))
    for d in intake.skipped:
        src = input_rel(ws, d.path)
        changes.moves.append(Move(src, f"{config.skipped}/{d.path.name}", SKIPPED))
        report.skipped.append(outcome.Outcome(src, d.reason, d.cause))
    for d in intake.waiting:
        report.wait(input_rel(ws, d.path), d.reason, d.cause)


def _free_name(ws: Workspace, folder: str, name: str, taken: set[str]) -> str:
    """folder/name, or folder/stem-2.ext, -3 ... when an earlier input of that name failed too."""
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, dot + ext) if stem else (name, "")
    candidate, n = f"{folder.strip('/')}/{name}", 2
    while candidate in taken or os.path.lexists(ws.root / candidate):
        candidate, n = f"{folder.strip('/')}/{stem}-{n}{ext}", n + 1
    taken.add(candidate)
    return candidate


def _dry_plan(ws: Workspace, composer: Composer, routes: list[Route], by_id: dict[str, Input],
              model: LLM | None, report: RunReport) -> None:
    """The plan the offline router makes, and the tokens a model run would send (no model call)."""
    changes = composer.changes
    used = ws.config.used.strip("/")
    for route in routes:
        group = [by_id[i] for i in route.inputs]
        if route.action in ("feedback", "skip"):
            folder = (ws.config.feedback if route.action == "feedback" else ws.config.skipped).strip("/")
            changes.moves.extend(Move(input_rel(ws, i.path), f"{folder}/{i.id}") for i in group)
            if route.action == "feedback":
                report.feedback.extend(f"{folder}/{i.id}" for i in group)
            else:
                report.skipped.extend(outcome.Outcome(input_rel(ws, i.path), route.reason, outcome.EMPTY) for i in group)
            continue
        if route.action == "update" and route.article:
            changes.updated.append(route.article)
        else:
            rel = composer.new_path(route.title or "untitled")
            changes.created.append(rel)
            changes.titles[rel] = route.title
            changes.writes[rel] = ""
        changes.moves.extend(Move(input_rel(ws, i.path), f"{used}/{i.id}") for i in group)
    changes.created.sort()
    changes.updated = sorted(set(changes.updated))
    report.created, report.updated = list(changes.created), list(changes.updated)
    report.plan = describe_plan(changes)
    if model is not None:
        prompts = Prompts(ws.path("prompts"), ws.path("style_file"))
        groups = list({r.inputs: [by_id[i] for i in r.inputs] for r in routes}.values())
        texts = [item.text for group in groups for item in group]
        synopses = sum(estimate_messages_tokens(synopsis_request(prompts, g, ws.config.language).messages)
                       for g in groups)
        # a synopsis, a routing and a drafting call per group: the sources go to the last two
        report.estimated_tokens = synopses + 2 * sum(estimate_tokens(t) for t in texts) + \
            DRAFT_PROMPT_TOKENS * 2 * len(groups)
        if ws.config.price_input:
            report.cost = report.estimated_tokens * ws.config.price_input / 1_000_000  # prompt tokens only


def _record_applied(report: RunReport, done: Applied) -> None:
    report.commits += done.commits
    report.notes.extend(done.notes)
    kept = {path for path, _ in done.kept}
    report.created = [r for r in report.created if r not in kept]
    report.updated = [r for r in report.updated if r not in kept]
    for path, why in done.kept:
        report.notes.append(f"{path} {why}")
    for src, article in done.held.items():
        report.wait(src, f"{article} changed while the run was working; it waits for the next run",
                    outcome.CHANGED)
    if done.held or kept:  # inputs that wait were not used: no coverage, no unverified passage of theirs
        waiting = {Path(src).name for src in done.held}
        report.coverage = [c for c in report.coverage if c.input not in waiting]
        report.unverified = [u for u in report.unverified if u.input not in waiting and u.article not in kept]
