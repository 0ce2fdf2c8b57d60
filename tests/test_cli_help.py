"""Every command and option says what it does (as sqlite-utils insists for its own CLI)."""

from __future__ import annotations

import click
from click.testing import CliRunner

from notesmith.cli import main


def commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from commands(command, prefix + (name,))


def test_every_command_and_option_has_help_text():
    missing = []
    for path, command in commands(main):
        if not (command.help or "").strip():
            missing.append(" ".join(path))
        for param in command.params:
            if isinstance(param, click.Option) and not (param.help or "").strip():
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert missing == []


def test_help_runs_for_every_command():
    runner = CliRunner()
    for path, _ in commands(main):
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage: " in result.output


def test_version_and_unknown_command_exit_codes():
    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).output.startswith("notesmith, version ")
    assert runner.invoke(main, ["no-such-command"]).exit_code == 2


def test_a_missing_workspace_folder_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["-C", str(tmp_path / "nope"), "rules"])
    assert result.exit_code == 2 and "is not a folder" in result.output
    result = CliRunner().invoke(main, ["-C", str(tmp_path), "check"])
    assert result.exit_code == 2 and "no articles folder" in result.output


def test_errors_are_one_line_and_a_traceback_only_with_debug(tmp_path):
    (tmp_path / "articles").mkdir()
    quiet = CliRunner().invoke(main, ["-C", str(tmp_path), "check", str(tmp_path / "nope.md")])
    assert quiet.exit_code == 2 and quiet.output.strip().endswith("no such file or folder")
    assert quiet.exception is None or isinstance(quiet.exception, SystemExit)
    loud = CliRunner().invoke(main, ["-C", str(tmp_path), "check", "--debug", str(tmp_path / "nope.md")])
    assert type(loud.exception).__name__ == "ConfigError"
