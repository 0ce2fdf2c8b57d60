"""What a new user sees in the first hour (issue 10): messages that are always right, a library
without traps, and an offline run that follows instructions and says what it merged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import notesmith
from notesmith.cli import main
from notesmith.errors import ConfigError, NotAWorkspace
from tests.process_helpers import git, new_workspace

TODAY = "2026-06-01"
NOTE = """---
source: telegram
date: 2026-06-01T08:00:00+00:00
---
The gate latch sticks when it rains; a drop of oil fixed it for a week last time.
"""


# --- the command line -------------------------------------------------------------------------

def test_status_outside_a_workspace_is_a_usage_error(tmp_path, run_cli):
    empty = tmp_path / "not-a-workspace"
    empty.mkdir()
    proc = run_cli(empty, "status")
    assert proc.returncode == 2, proc.stdout
    assert "not a workspace" in proc.stderr and "notesmith init" in proc.stderr
    assert "nothing waiting" not in proc.stdout


def test_process_refuses_a_file_outside_the_inbox(tmp_path, run_cli):
    ws = new_workspace(tmp_path / "ws", inputs={"20260601_080000_ada_msg1.md": NOTE})
    outside = tmp_path / "elsewhere.md"
    outside.write_text(NOTE, encoding="utf-8")
    for given in (outside, ws / "inbox/used/x.md", ws / "README.md"):
        given.parent.mkdir(parents=True, exist_ok=True)
        given.write_text(NOTE, encoding="utf-8")
        proc = run_cli(ws, "process", str(given))
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "is not in the inbox (inbox/)" in proc.stderr and "0 inputs read" not in proc.stdout
    assert (ws / "inbox/20260601_080000_ada_msg1.md").exists()  # nothing was processed
    inside = run_cli(ws, "process", "inbox/20260601_080000_ada_msg1.md")
    assert inside.returncode == 0, inside.stdout + inside.stderr
    assert "1 input read," in inside.stdout  # one input, not "1 inputs"


def test_check_quiet_counts_the_warnings_it_hides(workspace, run_cli):
    from tests.test_cli_check import article, clean_workspace

    root = clean_workspace(workspace)
    (root / "articles" / "water.md").write_text(article("Water", "The butts are *full*[^1]."), encoding="utf-8")
    quiet = run_cli(root, "check", "-q")
    assert quiet.returncode == 0
    assert quiet.stdout.splitlines() == ["0 errors, 1 warning in 2 files; 1 warning not shown (-q)"]
    as_json = run_cli(root, "check", "-q", "--format", "json")
    assert '"warnings": 1' in as_json.stdout


def test_top_level_help_shows_every_description_whole():
    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    assert result.exit_code == 0
    listing = " ".join(result.output.split("Commands:")[1].split())
    assert "..." not in listing
    for name, command in main.commands.items():
        first_line = " ".join((command.help or "").split("\n\n")[0].split())
        assert first_line in listing, name


def test_failed_inputs_are_never_told_to_leave_the_inbox_they_already_left(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs={"blob.txt": b"voice\x00data", "utf16.txt": "hi".encode("utf-16"),
                                                "note.xyz.md": b"\xff\xfe\x00"})
    report = notesmith.process(ws, today=TODAY)
    assert {Path(o.path).name for o in report.failed} == {"blob.txt", "utf16.txt", "note.xyz.md"}
    for outcome in report.failed:
        assert "remove it from the inbox" not in outcome.reason
        name = Path(outcome.path).name
        assert (ws / "inbox/failed" / name).exists()
        assert "remove it from the inbox" not in (ws / "inbox/failed" / f"{name}.reason.txt").read_text("utf-8")


def test_empty_inputs_are_skipped_into_used_skipped(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs={"empty.md": "", "blank.txt": " \n\n", "front.md": "---\na: 1\n---\n"})
    report = notesmith.process(ws, today=TODAY)
    assert not report.failed and report.ok
    assert {Path(o.path).name: o.cause for o in report.skipped} == {"empty.md": "empty", "blank.txt": "empty",
                                                                    "front.md": "empty"}
    for name in ("empty.md", "blank.txt", "front.md"):
        assert (ws / "inbox/used/skipped" / name).exists()


# --- the library --------------------------------------------------------------------------------

def test_process_on_a_folder_that_is_no_workspace_raises_what_the_cli_prints(tmp_path):
    with pytest.raises(NotAWorkspace, match="does not exist"):
        notesmith.process(tmp_path / "typo-dir")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(NotAWorkspace, match="not a workspace: no inbox folder") as caught:
        notesmith.process(plain)
    assert caught.value.exit_code == 2
    assert list(plain.iterdir()) == []  # nothing created there, not even the state folder


def test_process_files_must_be_inputs_of_the_inbox(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs={"20260601_080000_ada_msg1.md": NOTE})
    with pytest.raises(ConfigError, match="is not in the inbox"):
        notesmith.process(ws, files=["README.md"])
    with pytest.raises(TypeError, match="a list of paths"):
        notesmith.process(ws, files="inbox/20260601_080000_ada_msg1.md")
    report = notesmith.process(ws, files=["inbox/20260601_080000_ada_msg1.md"], today=TODAY)
    assert report.inputs_read == 1 and len(report.created) == 1


def test_check_takes_the_workspace_first_and_paths_inside_it(tmp_path, monkeypatch):
    ws = new_workspace(tmp_path / "ws", inputs={"20260601_080000_ada_msg1.md": NOTE})
    created = notesmith.process(ws, today=TODAY).created[0]
    monkeypatch.chdir(tmp_path)  # elsewhere: paths are still the workspace's
    result = notesmith.check(str(ws), paths=[created])
    assert result.ok and result.files == 1
    with pytest.raises(TypeError, match="paths must be a list"):
        notesmith.check(ws, paths=created)


# --- the offline run ----------------------------------------------------------------------------

PLACED = {
    "20260601_080000_ada_msg1.md": "---\ndate: 2026-06-01T08:00:00+00:00\n---\n"
                                   "The hose by the greenhouse splits at the tap; it needs a new washer.\n",
    "20260601_080500_ada_msg2.md": "---\ndate: 2026-06-01T08:05:00+00:00\n---\nadd this to the tool shed article\n",
}
SHED = """---
title: "Using the tool shed"
created: 2026-01-01
updated: 2026-01-01
tags: [tools]
status: draft
---

# Using the tool shed

Borrow tools from the shed and bring them back by Sunday.
"""


def test_an_offline_run_follows_a_placement_instruction_and_says_so(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs=PLACED, files={"articles/tool-shed.md": SHED})
    planned = notesmith.process(ws, today=TODAY, dry_run=True)
    assert planned.updated == ["articles/tool-shed.md"] and len(planned.feedback) == 1
    assert "move inbox/20260601_080500_ada_msg2.md \u2192 inbox/used/feedback/" in planned.plan
    report = notesmith.process(ws, today=TODAY)
    assert report.updated == ["articles/tool-shed.md"] and not report.created
    assert report.feedback == ["inbox/used/feedback/20260601_080500_ada_msg2.md"]
    text = (ws / "articles/tool-shed.md").read_text(encoding="utf-8")
    assert "## The hose by the greenhouse splits at the tap" in text
    assert "add this to" not in text  # the instruction is not drafted
    lines = report.summary_lines()
    assert any(line.startswith("  placed   20260601_080500_ada_msg2.md: \u201cadd this to the tool shed article\u201d"
                               ": added to articles/tool-shed.md") for line in lines), lines
    assert "articles/tool-shed.md" in git(ws, "show", "--stat", "--format=", "HEAD")
    assert git(ws, "log", "-1", "--format=%s").strip() == "notesmith: update 1 article, file 1 as feedback"
    assert notesmith.check(ws).ok


def test_an_offline_run_merges_consecutive_notes_on_one_topic_and_says_so(tmp_path):
    inputs = {
        "20260601_080000_ada_msg1.md": "---\ndate: 2026-06-01T08:00:00+00:00\n---\nThe rain barrels by the "
                                       "greenhouse are full, and the overflow pipe on the rain barrels is cracked.\n",
        "20260601_081000_ada_msg2.md": "---\ndate: 2026-06-01T08:10:00+00:00\n---\nFor the rain barrels: a new "
                                       "overflow pipe costs little; the cracked pipe leaks onto the greenhouse path.\n",
        "20260601_100000_ada_msg3.md": "---\ndate: 2026-06-01T10:00:00+00:00\n---\nThe library lent us a book on "
                                       "beekeeping for beginners with good photographs.\n",
    }
    ws = new_workspace(tmp_path / "ws", inputs=inputs)
    report = notesmith.process(ws, today=TODAY)
    assert len(report.created) == 2, report.summary_lines()
    merged = [line for line in report.summary_lines() if line.startswith("  merged ")]
    assert len(merged) == 1 and re.search(r"msg2\.md joined .*msg1\.md: consecutive notes on one topic \(10 min",
                                          merged[0]), merged
    barrels = next(rel for rel in report.created if "barrels" in rel)
    text = (ws / barrels).read_text(encoding="utf-8")
    assert "msg1.md" in text and "msg2.md" in text
    config = 'merge_similarity = 2\n'  # merging off
    ws2 = new_workspace(tmp_path / "ws2", inputs=inputs, config=config)
    assert len(notesmith.process(ws2, today=TODAY).created) == 3


def test_the_status_of_a_run_of_one_input_says_one_input(tmp_path, run_cli):
    ws = new_workspace(tmp_path / "ws", inputs={"20260601_080000_ada_msg1.md": NOTE})
    report = notesmith.process(ws, today=TODAY)
    assert report.summary_lines()[0].split(": ", 1)[1].startswith("1 input read,")
    proc = run_cli(ws, "status")
    assert proc.returncode == 0 and "1 input read" in proc.stdout and "1 inputs" not in proc.stdout
