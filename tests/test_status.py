"""`notesmith status`: a quick look at the inbox, failures, articles, the last check and the last run."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from notesmith.status import kind_of, read_frontmatter, status_lines
from notesmith.workspace import Workspace

FRONT = "---\ntitle: {title}\ncreated: 2026-10-04\nupdated: 2026-10-04\ntags: []\nstatus: {status}\n---\n\n# T\n"
WHEN = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"


def lines_for(root: Path) -> list[str]:
    return status_lines(Workspace.open(root, environ={}))


def test_empty_workspace(workspace):
    assert lines_for(workspace()) == [
        "inbox: nothing waiting in inbox/",
        "articles: none yet in articles/",
        "last check: none recorded (run `notesmith check`)",
    ]


def test_kinds_from_names():
    assert [kind_of(n) for n in ("a_msg1_transcript.txt", "b_photo.md", "c.MD", "d.txt", "e.srt", "f.vtt",
                                 "g.json", "h.docx")] == [
        "transcript", "photo", "message", "message", "subtitles", "subtitles", "whisper", "other"]


def test_inbox_by_kind_and_what_is_not_an_input(workspace):
    root = workspace({
        "inbox/20261101_080000_mira_msg1_transcript.txt": "a" * 2048,
        "inbox/20261101_080100_mira_msg2_transcript.txt": "b",
        "inbox/20261101_080200_mira_msg3.md": "c",
        "inbox/meeting.vtt": "WEBVTT\n",
        "inbox/talk.json": "{}",
        "inbox/.hidden.md": "ignored",
        "inbox/partial.txt.part": "ignored",
        "inbox/sub/deeper.md": "ignored",
        "inbox/holiday.jpg": b"\xff\xd8",
    })
    lines = lines_for(root)
    assert lines[0] == ("inbox: 5 inputs waiting in inbox/ (transcript: 2, message: 1, subtitles: 1, "
                        "whisper: 1; 2.0 KB)")
    assert lines[1].startswith("  not an input: holiday.jpg: image file")


def test_failed_inputs_with_reasons(workspace):
    root = workspace({
        "inbox/failed/20261101_080000_mira_msg1.md": "x",
        "inbox/failed/20261101_080000_mira_msg1.md.reason.txt": "not UTF-8 (byte 0xe9); re-save it\nmore\n",
        "inbox/failed/blob.bin": "y",
    })
    lines = lines_for(root)
    assert lines[1:4] == [
        "failed: 2 inputs in inbox/failed/",
        "  20261101_080000_mira_msg1.md: not UTF-8 (byte 0xe9); re-save it",
        "  blob.bin: no reason recorded",
    ]


def test_articles_by_status_reading_frontmatter_only(workspace):
    body = "Text.\n" * 10
    root = workspace({
        "articles/a.md": FRONT.format(title="A", status="draft") + body,
        "articles/b.md": FRONT.format(title="B", status="draft").replace("\n", "\r\n"),
        "articles/sub/c.md": "\ufeff" + FRONT.format(title="C", status="published"),
        "articles/d.md": FRONT.format(title="D", status="idea"),
        "articles/e.md": "no frontmatter\n",
        "articles/f.md": "---\ntitle: [broken\n---\n",
        "articles/g.md": "---\ntitle: G\n---\n",
        "articles/_index.md": "# Index\n",
    })
    assert lines_for(root)[1] == ("articles: 7 (draft: 2, published: 1, idea: 1, "
                                  "without readable frontmatter: 2, without status: 1)")


def test_read_frontmatter_stops_at_the_block(tmp_path: Path):
    path = tmp_path / "big.md"
    with open(path, "wb") as handle:
        handle.write(FRONT.format(title="Big", status="review").encode())
        handle.write(b"\xff not utf-8 and long " * 200_000)
    assert read_frontmatter(path)["status"] == "review"


def test_last_check_and_last_run(workspace, run_cli):
    root = workspace({"articles/x.md": "no frontmatter\n"})
    assert run_cli(root, "check").returncode == 1
    runs = root / ".notesmith" / "runs"
    runs.mkdir(parents=True)
    (runs / "20261101T080000Z-aaaaaa.json").write_text(json.dumps({"run_id": "old"}), encoding="utf-8")
    os.utime(runs / "20261101T080000Z-aaaaaa.json", (1_700_000_000, 1_700_000_000))
    (runs / "20261102T080000Z-bbbbbb.json").write_text(json.dumps({
        "run_id": "20261102T080000Z-bbbbbb",
        "report": {"inputs_read": 3, "created": ["articles/a.md"], "updated": [], "failed": [["x", "why"]]},
    }), encoding="utf-8")
    lines = lines_for(root)
    assert re.fullmatch(rf"last check: 1 error, 0 warnings in 1 file, {WHEN}", lines[2])
    assert re.fullmatch(rf"last run: 20261102T080000Z-bbbbbb, {WHEN}: 3 inputs read, 1 created, 0 updated, "
                        r"1 failed", lines[3])


def test_run_log_with_finished_and_summary_keys(workspace):
    root = workspace()
    runs = root / ".notesmith" / "runs"
    runs.mkdir(parents=True)
    (runs / "r.json").write_text(json.dumps({"finished": "2026-11-02T08:01:00Z", "summary": "2 created"}),
                                 encoding="utf-8")
    assert lines_for(root)[-1] == "last run: r, 2026-11-02T08:01:00Z: 2 created"
    (runs / "r.json").write_text("{not json", encoding="utf-8")
    assert lines_for(root)[-1] == "last run: r.json (unreadable)"


def test_cli_status(workspace, run_cli):
    root = workspace({"inbox/20261101_080000_mira_msg1_transcript.txt": "hello"})
    proc = run_cli(root, "status")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[0] == "inbox: 1 input waiting in inbox/ (transcript: 1; 5 bytes)"
