"""`notesmith process` end to end on the live model: articles, citations, moved inputs, commits, check."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import notesmith
from tests.process_helpers import BIKE, BREAD, INPUTS, git, new_workspace

# A footnote cites a whole input, or (anchored) a passage: "[name, lines 3–5](../inbox/used/name#L3-L5)".
FOOTNOTE = re.compile(r"^\[\^(\d+)\]: \[([^\]]+)\]\(\.\./inbox/used/([^)#]+)(?:#L\d+(?:-L\d+)?)?\)$", re.MULTILINE)


def test_process_creates_cited_articles_and_commits(tmp_path, llm, live_model, record):
    # Two inputs most of a day apart: two groups, each routed and drafted by the model.
    given = {BIKE: INPUTS[BIKE], BREAD: INPUTS[BREAD]}
    ws = new_workspace(tmp_path / "ws", inputs=given)

    started = time.monotonic()
    report = notesmith.process(ws, llm=llm, jobs=1, today="2026-03-04")
    seconds = time.monotonic() - started

    assert report.ok and not report.offline, report.summary_lines()
    assert report.model == live_model
    assert len(report.created) == 2 and not report.updated and not report.waiting, report.summary_lines()
    cited: set[str] = set()
    for rel in report.created:
        text = (ws / rel).read_text(encoding="utf-8")
        notes = FOOTNOTE.findall(text)
        assert notes, f"{rel} has no source footnotes:\n{text}"
        for number, label, target in notes:
            assert label.split(", ")[0] == target and target in given, f"{rel} cites {target}, not a given input"
            assert f"[^{number}]" in text.split("\n[^")[0], f"{rel} defines [^{number}] but never cites it"
        cited |= {target for _, _, target in notes}
    assert cited == set(given)
    # A tiny model's quotes are rarely in its sources: those stay unverified, never guessed; every
    # input used still gets its coverage.
    assert sorted(c.input for c in report.coverage) == sorted(given)
    for name in given:
        assert (ws / "inbox/used" / name).is_file() and not (ws / "inbox" / name).exists()
    assert report.commits and report.usage.prompt_tokens > 0 and report.usage.completion_tokens > 0
    subjects = git(ws, "log", "--format=%s").splitlines()
    assert len(subjects) == 1 + len(report.commits), subjects
    assert f"Notesmith-Model: {live_model}" in git(ws, "log", "-1", "--format=%(trailers)")
    assert git(ws, "status", "--porcelain") == ""

    result = notesmith.check(workspace=ws)
    assert result.ok and not result.findings, [str(f) for f in result.findings]
    cli = subprocess.run([sys.executable, "-m", "notesmith", "check"], cwd=ws, capture_output=True, text=True)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    record("process", f"{report.created} in {seconds:.1f} s, {report.usage}, commits {report.commits}")
