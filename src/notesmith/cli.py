"""The command line: parse options, call the library, turn NotesmithError into one line and an exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from notesmith import __version__
from notesmith.errors import ConfigError, NotesmithError


class Group(click.Group):
    """Turns notesmith's own errors into one clear line; anything else is a bug and shows a traceback."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list with each description whole (click cuts them at 45 characters with "...")."""
        rows = [(name, command.get_short_help_str(limit=1000)) for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NotesmithError as exc:
            if ctx.meta.get("debug"):
                raise
            click.echo(f"notesmith: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="notesmith")
@click.option("-C", "--workspace", "workspace", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Run as if started in this folder.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, workspace: Path | None, debug: bool) -> None:
    """notesmith: turn transcripts into cited Markdown articles, reviewed as git diffs."""
    ctx.meta["debug"] = debug or bool(os.environ.get("NOTESMITH_DEBUG"))
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 must not break the output
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    if workspace is not None and not workspace.is_dir():
        raise click.BadParameter(f"{workspace} is not a folder", param_hint="-C")
    ctx.obj = {"start": workspace or Path.cwd()}


def _set_debug(ctx: click.Context, _param, value: bool) -> None:
    if value:
        ctx.meta["debug"] = True  # meta is shared by every context of the command line


debug_option = click.option("--debug", is_flag=True, expose_value=False, callback=_set_debug,
                            help="Show tracebacks for errors.")


def open_workspace(ctx: click.Context, **flags):
    from notesmith.workspace import Workspace

    return Workspace.open(ctx.obj["start"], flags)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("--fix", is_flag=True, help="Repair what is safe to repair and report it.")
@click.option("--staged", is_flag=True, help="Check what is staged for commit (for the pre-commit hook).")
@click.option("--orphans", is_flag=True, help="Also report inputs in inbox/used/ that no article cites.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the summary.")
@click.option("--wait", type=float, default=0.0, show_default=True,
              help="With --fix: seconds to wait for a run that holds the workspace.")
@debug_option
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...], fmt: str, fix: bool, staged: bool,
          orphans: bool, quiet: bool, wait: float) -> None:
    """Check articles (default: the whole articles folder); exit 1 on errors."""
    from notesmith.checking.runner import run_check
    from notesmith.checking.output import render

    if fix and staged:
        raise click.UsageError("--fix works on the working tree; run it without --staged, then git add")
    if staged and paths:
        raise click.UsageError("--staged checks what is staged; give no paths with it")
    ws = open_workspace(ctx)
    if not paths and not staged and not ws.articles.is_dir():
        raise click.UsageError(f"no articles folder at {ws.articles}; run `notesmith init` there, "
                               "or set `articles` in notesmith.toml")
    if fix:
        from notesmith.checking.fixes import fix_workspace

        result = fix_workspace(ws, list(paths) or None, orphans=orphans, wait=wait)
    else:
        result = run_check(ws, list(paths) or None, staged=staged, orphans=orphans)
    click.echo(render(result.findings, fmt, str(ws.root), result.files, result.fixed, quiet=quiet))
    _remember(ws, result, staged)
    ctx.exit(0 if result.ok else 1)


def _remember(ws, result, staged: bool) -> None:
    """Keep the last check's counts for `notesmith status` (best effort)."""
    from notesmith.errors import WriteError
    from notesmith.files import state_dir, write_json

    try:
        write_json(state_dir(ws.root, ws.config.state) / "last-check.json", {
            "staged": staged, "files": result.files, "errors": result.errors, "warnings": result.warnings,
            "findings": [f.as_dict() for f in result.findings[:200]],
        })
    except WriteError:
        pass


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-hook", is_flag=True, help="Do not install the git pre-commit hook.")
@click.pass_context
def init(ctx: click.Context, directory: Path | None, no_hook: bool) -> None:
    """Create a workspace: folders, notesmith.toml, .gitignore, git repository and hook."""
    from notesmith.scaffold import init_workspace

    for line in init_workspace(directory or ctx.obj["start"], hook=not no_hook):
        click.echo(line)


@main.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Show inputs waiting by kind, articles by status, and problems found last time."""
    from notesmith.status import status_lines

    ws = open_workspace(ctx)
    ws.require_inbox()  # elsewhere "nothing waiting" would be wrong: there is no inbox to wait in
    for line in status_lines(ws):
        click.echo(line)


@main.group()
def hook() -> None:
    """Manage the git pre-commit hook that runs `notesmith check --staged`."""


@hook.command("install")
@click.option("--force", is_flag=True, help="Replace an existing pre-commit hook.")
@click.pass_context
def hook_install(ctx: click.Context, force: bool) -> None:
    """Write .git/hooks/pre-commit (honours core.hooksPath)."""
    from notesmith.git.hooks import install_hook

    path = install_hook(open_workspace(ctx).root, force=force)
    click.echo(f"installed {path}")


def _progress(verbose: bool, quiet: bool):
    """A progress printer for a terminal (or with -v); None when quiet."""
    if quiet or not (verbose or sys.stderr.isatty()):
        return None
    color = sys.stderr.isatty() and not os.environ.get("NO_COLOR")

    def show(message: str) -> None:
        click.echo(click.style(f"· {message}", dim=True) if color else f"· {message}", err=True)

    return show


def _process_options(f):
    options = [
        click.option("--dry-run", is_flag=True, help="Show the plan and a token estimate; write nothing."),
        click.option("--no-commit", is_flag=True, help="Leave the changes in the working tree, unstaged."),
        click.option("--branch", metavar="NAME", help="Commit on a new branch NAME and leave it checked out."),
        click.option("--jobs", type=click.IntRange(1, 64), help="Drafts to run at once (default: config jobs)."),
        click.option("--model", help="Model name; drafting with a model needs one (or NOTESMITH_MODEL)."),
        click.option("--base-url", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL or OpenAI)."),
        click.option("--offline", is_flag=True, help="Use the offline drafter even if a model is configured."),
        click.option("--to", "to", metavar="ARTICLE", help="Send every group to this existing article."),
        click.option("--allow-secrets", is_flag=True, help="Process inputs that look like they hold credentials."),
        click.option("--wait", type=float, default=0.0, show_default=True,
                     help="Seconds to wait for another run's lock."),
        click.option("-q", "--quiet", is_flag=True, help="Print only the summary's first line."),
        click.option("-v", "--verbose", is_flag=True, help="Show progress even when not on a terminal."),
        debug_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _run_options(options: dict, files: tuple[Path, ...] = ()):
    """The model flags (settings) apart from the run options."""
    from notesmith.pipeline.run import RunOptions

    flags = {"model": options.pop("model"), "base_url": options.pop("base_url")}
    commit = not options.pop("no_commit")
    return flags, RunOptions(commit=commit, files=tuple(p.resolve() for p in files) or None, **options)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_process_options
@click.pass_context
def process(ctx: click.Context, files: tuple[Path, ...], quiet: bool, verbose: bool, **options) -> None:
    """Turn the inbox (or the given inputs) into articles, move the inputs, commit."""
    from notesmith.pipeline.run import run

    flags, run_options = _run_options(options, files)
    ws = open_workspace(ctx, **flags)
    ws.require_inbox()
    try:
        ws.chosen_inputs(Path.cwd() / f for f in files)
    except ConfigError as exc:
        raise click.UsageError(exc.message) from None
    report = run(ws, options=run_options, progress=_progress(verbose, quiet))
    lines = report.summary_lines()
    click.echo("\n".join(lines[:1] if quiet else lines))
    ctx.exit(0 if report.ok else 1)


@main.command()
@click.option("--settle", type=float, help="Seconds the inbox must stay quiet before a run (default 120).")
@click.option("--poll", type=float, default=2.0, show_default=True, help="Seconds between looks at the inbox.")
@_process_options
@click.pass_context
def watch(ctx: click.Context, settle: float | None, poll: float, quiet: bool, verbose: bool, **options) -> None:
    """Process the inbox whenever it has been quiet for the settle time; Ctrl-C stops."""
    from notesmith.pipeline.watch import watch_inbox

    flags, run_options = _run_options(options)
    if settle is not None:
        flags["settle"] = settle
    ws = open_workspace(ctx, **flags)
    ws.require_inbox()
    progress = _progress(verbose, quiet)
    click.echo(f"watching {ws.inbox} (settle {ws.config.settle:g}s); Ctrl-C stops", err=True)
    try:
        watch_inbox(ws, options=run_options, poll=poll, progress=progress, echo=lambda line: click.echo(line))
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def demo(ctx: click.Context, directory: Path | None) -> None:
    """Copy the example workspace to a new folder and process it offline (the built-in defaults)."""
    from notesmith.demo import run_demo

    code = 0
    for line, status in run_demo(directory):
        click.echo(line)
        code = max(code, status)
    ctx.exit(code)


@main.command()
@click.argument("target")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@debug_option
@click.pass_context
def trace(ctx: click.Context, target: str, fmt: str) -> None:
    """Show which paragraphs cite an input and what of it none does; or an article's anchors."""
    from notesmith.tracing import render, trace as trace_target

    click.echo(render(trace_target(open_workspace(ctx), target), fmt))


@main.command()
@click.option("--model", help="Model name to check (default: NOTESMITH_MODEL or `model` in config).")
@click.option("--base-url", help="Endpoint to check (default: OPENAI_BASE_URL, `base_url` in config, or OpenAI).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds to wait for each request.")
@debug_option
@click.pass_context
def doctor(ctx: click.Context, model: str | None, base_url: str | None, fmt: str, timeout: float) -> None:
    """Check the model endpoint: reachable, key, model, structured output, context, latency; exit 1 if unusable."""
    from notesmith.llm.doctor import diagnose, render

    ws = open_workspace(ctx, model=model, base_url=base_url)
    diagnosis = diagnose(ws.config, timeout=timeout, state=ws.state if ws.state.is_dir() else None)
    click.echo(render(diagnosis, fmt))
    ctx.exit(0 if diagnosis.ok else 1)


@main.command()
def rules() -> None:
    """List the check codes, their default severity and what each means."""
    from notesmith.checking.rules import RULES

    for rule in RULES.values():
        fix = " (fixable)" if rule.fixable else ""
        click.echo(f"{rule.code}  {rule.name:<24} {rule.severity:<8} {rule.summary}{fix}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
