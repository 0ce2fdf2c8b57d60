"""`notesmith process` with a real model, SmolLM2-135M-Instruct, on both servers: invariants, not prose.

A 135M model writes poorly, so nothing here asserts on its wording. What must hold: on the garden
workspace (live/smol_inputs.py) at least one input ends in a valid, cited article; every input is
accounted for exactly once (created or updated into an article, feedback, skipped, failed, or
waiting in the inbox); whatever the model failed to do is reported by name, per input; nothing is
consumed uncited; `notesmith check` passes; and the run repeats (a fixed seed; conftest.smol_llm
says why it samples rather than decoding greedily).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import notesmith
from notesmith.pipeline import report as report_module
from smol_inputs import FILES, INPUTS
from tests.process_helpers import git, new_workspace

from conftest import smol_llm

FOOTNOTE = re.compile(r"^\[\^([^\]]+)\]: \[([^\]]+)\]\(((?:\.\./)+)inbox/used/([^)#]+)(?:#[^)]*)?\)", re.MULTILINE)
REASON = re.compile(r"^[^\n]*\b(routing|drafting|cites? nothing|uncited|edits? by a person)\b[^\n]*$")
WHY_WAITING = {report_module.MODEL, report_module.UNCITED, report_module.DRAFT, report_module.EDITED}


def test_smollm2_process_accounts_for_every_input(smol_url, smol_model, smol_n_ctx, tmp_path, record, request):
    server = request.node.callspec.params["smol_url"]
    ws = new_workspace(tmp_path / "garden", inputs=INPUTS, files=FILES)
    llm = smol_llm(smol_url, smol_model, smol_n_ctx, tmp_path)

    started = time.monotonic()
    report = notesmith.process(ws, llm=llm, jobs=1, today="2026-03-14")
    seconds = time.monotonic() - started
    lines = report.summary_lines()
    record(f"SmolLM2 process, {server}", {"seconds": round(seconds, 1), "summary": lines})
    if report.log_file:  # what the model answered, call by call (the run log holds every reply)
        calls = json.loads((ws / report.log_file).read_text(encoding="utf-8"))["calls"]
        record(f"SmolLM2 answers, {server}", [
            {k: (c.get(k) or "")[:400] if k in ("reply", "error") else c.get(k)
             for k in ("purpose", "format", "finish_reason", "usage", "reply", "error") if k in c} for c in calls])

    # Every input accounted for, exactly once.
    inputs = {f"inbox/{name}" for name in INPUTS}
    moved = {src for src, _ in report_moves(ws)}
    waiting = {o.path for o in report.waiting}
    failed = {o.path for o in report.failed}
    skipped = {o.path for o in report.skipped}
    feedback = {f"inbox/{Path(dst).name}" for dst in report.feedback}
    assert not (waiting & moved), lines
    assert waiting | moved | failed == inputs, lines
    assert skipped | feedback <= moved, lines
    for name in INPUTS:
        in_inbox = (ws / "inbox" / name).is_file()
        assert in_inbox == (f"inbox/{name}" in waiting), (name, lines)

    # What the model failed to do is named, per input, with the stage and the reason (and its cause as a value).
    for waits in report.waiting:
        assert waits.cause in WHY_WAITING and REASON.match(waits.reason), waits

    # At least one valid, cited article; every citation points at an input this run was given.
    articles = report.created + report.updated
    assert articles, f"SmolLM2 on {server} ended no input in an article:\n" + "\n".join(lines)
    cited: set[str] = set()
    for rel in articles:
        text = (ws / rel).read_text(encoding="utf-8")
        body = text.split("\n## Sources\n")[0]
        notes = FOOTNOTE.findall(text)
        assert notes, f"{rel} cites nothing:\n{text}"
        for label, shown, _, target in notes:
            assert (ws / "inbox/used" / target).is_file(), (rel, target)
            assert f"[^{label}]" in body, (rel, label)
        cited |= {target for *_, target in notes}
    given = set(INPUTS) | {Path(p).name for p in FILES if p.startswith("inbox/used/")}
    assert cited <= given, cited - given

    # Nothing consumed uncited: an input filed in inbox/used/ (not feedback, not skipped) is cited.
    for src in moved - skipped - feedback:
        assert Path(src).name in cited, (src, lines)

    result = notesmith.check(workspace=ws)
    assert result.ok, [str(f) for f in result.findings]
    # The run committed everything it changed; only inputs that wait are left, untracked, in the inbox.
    assert set(git(ws, "status", "--porcelain", "--untracked-files=all").splitlines()) == {f"?? {rel}" for rel in waiting}
    record(f"SmolLM2 articles, {server}", {rel: (ws / rel).read_text(encoding="utf-8") for rel in articles})


def report_moves(ws: Path) -> list[tuple[str, str]]:
    """(input, where it went) for each input the run's commit moved out of the inbox."""
    out = git(ws, "show", "--name-status", "--format=", "-M", "HEAD")
    moves = []
    for line in out.splitlines():
        parts = line.split("\t")
        if parts[0].startswith("R") and parts[1].startswith("inbox/") and parts[1].count("/") == 1:
            moves.append((parts[1], parts[2]))
    return moves


def test_doctor_on_the_smollm2_server(smol_url, smol_model, smol_n_ctx, tmp_path, record, request):
    server = request.node.callspec.params["smol_url"]
    env = {"PATH": "/usr/bin:/bin", "OPENAI_BASE_URL": smol_url, "NOTESMITH_MODEL": smol_model,
           "NOTESMITH_CONTEXT_TOKENS": str(smol_n_ctx), "NOTESMITH_TEMPERATURE": "0", "NOTESMITH_SEED": "42"}
    out = subprocess.run([sys.executable, "-m", "notesmith", "doctor", "--timeout", "300"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=900)
    record(f"doctor, {server}", out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr
    if server == "llama-server":
        assert re.search(r"^  ok +json_schema +works", out.stdout, re.MULTILINE)
        assert f"{smol_n_ctx} tokens (llama.cpp's /props)" in out.stdout
        assert out.stdout.rstrip().endswith("structured answers as json_schema")
    else:
        assert re.search(r"^  no +json_schema +refused \(HTTP 500", out.stdout, re.MULTILINE)
        assert out.stdout.rstrip().endswith("structured answers as json_object_schema")
