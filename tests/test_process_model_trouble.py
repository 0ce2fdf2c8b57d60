"""Model trouble during a real run: rate limits, server errors, cut-off answers, retries running out."""

from __future__ import annotations

import json

import notesmith
from tests.fake_openai import DROP, Answer, Error
from tests.process_helpers import (BIKE, BREAD, INPUTS, KEY, Sleeps, decision, draft, git, model, new_workspace,
                                   para, purpose_of, routing, run_commits, tree)

TODAY = "2026-03-04"
CUT = "This paragraph was still being written when the limit"


def good_route() -> dict:
    return routing(decision("create", ["S1"], title="Derailleur"))


def good_draft() -> dict:
    return draft("Derailleur cable", para("Half a turn on the barrel adjuster fixed the lag.", "S1"))


def process(ws, server, sleeps, **kw):
    return notesmith.process(ws, llm=model(server, sleeps, **kw), jobs=1, today=TODAY)


def test_429_with_retry_after_is_waited_out(tmp_path, fake_openai):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    sleeps = Sleeps()
    fake_openai.queue(Error(429, "slow down", headers={"Retry-After": "2"}), good_route(), good_draft())
    report = process(ws, fake_openai, sleeps)
    assert len(report.created) == 1 and report.ok, report.summary_lines()
    assert sleeps and sleeps[0] >= 2
    assert len(fake_openai.requests) == 3


def test_503_and_a_dropped_connection_are_retried(tmp_path, fake_openai):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    sleeps = Sleeps()
    fake_openai.queue(Error(503, "overloaded"), good_route(), DROP, good_draft())
    report = process(ws, fake_openai, sleeps)
    assert len(report.created) == 1 and report.ok
    assert len(sleeps) == 2 and not report.waiting
    assert [purpose_of(r) for r in fake_openai.requests] == ["routing", "routing", "article", "article"]


def test_an_answer_cut_off_by_the_length_limit_is_not_content(tmp_path, fake_openai):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    cut = draft("Derailleur cable", para(CUT, "S1"))
    fake_openai.queue(good_route(), Answer(json.dumps(cut), finish_reason="length"), good_draft())
    report = process(ws, fake_openai, Sleeps())
    assert len(report.created) == 1
    text = (ws / report.created[0]).read_text(encoding="utf-8")
    assert CUT not in text and "barrel adjuster" in text
    retry = fake_openai.requests[2]["messages"]
    assert "cut off by the length limit" in retry[-1]["content"]
    assert all(CUT not in str(m["content"]) for m in retry)  # the cut text is not sent back as if it were good
    assert all(isinstance(r.get("max_tokens"), int) and r["max_tokens"] > 0 for r in fake_openai.requests)


def test_retries_running_out_leave_the_inputs_waiting(tmp_path, fake_openai):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    head = git(ws, "rev-parse", "HEAD")
    before = tree(ws)
    fake_openai.queue(*[Error(503, "down for maintenance")] * 3)
    report = process(ws, fake_openai, Sleeps(), retries=2)
    assert not report.ok and not report.created and not report.commits
    assert [rel for rel, *_ in report.waiting] == [f"inbox/{BIKE}"]
    assert "model failed while routing" in report.waiting[0][1] and "kept failing" in report.waiting[0][1]
    assert tree(ws) == before and git(ws, "rev-parse", "HEAD") == head
    assert git(ws, "status", "--porcelain", "-uall") == f"?? inbox/{BIKE}\n"


def test_a_failing_draft_keeps_only_its_own_inputs_back(tmp_path, fake_openai):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE], BREAD: INPUTS[BREAD]})
    fake_openai.queue(good_route(), routing(decision("create", ["S1"], title="Bread")),
                      *[Error(500, "boom")] * 2,
                      draft("Sourdough timing", para("The starter doubles in five hours.", "S1")))
    report = process(ws, fake_openai, Sleeps(), retries=1)
    assert len(report.created) == 1 and not report.ok
    assert [rel for rel, *_ in report.waiting] == [f"inbox/{BIKE}"]
    assert "model failed while drafting" in report.waiting[0][1]
    assert (ws / "inbox" / BIKE).exists() and (ws / "inbox/used" / BREAD).exists()
    assert run_commits(ws) == ["inbox: add 1 input", "notesmith: create 1 article"]
    assert git(ws, "status", "--porcelain", "-uall") == f"?? inbox/{BIKE}\n"


def test_cli_exits_1_when_the_model_keeps_failing(tmp_path, fake_openai, run_cli):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE]})
    head = git(ws, "rev-parse", "HEAD")
    fake_openai.queue(*[Error(503, "down", headers={"Retry-After": "0"})] * 2)
    proc = run_cli(ws, "process", extra_env={"NOTESMITH_MODEL": "test-model", "OPENAI_BASE_URL": fake_openai.url,
                                             "OPENAI_API_KEY": KEY, "NOTESMITH_RETRIES": "1"})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"waiting  inbox/{BIKE}: the model failed while routing" in proc.stdout
    assert "Traceback" not in proc.stderr and KEY not in proc.stdout + proc.stderr
    assert len(fake_openai.requests) == 2
    assert git(ws, "rev-parse", "HEAD") == head and (ws / "inbox" / BIKE).exists()
