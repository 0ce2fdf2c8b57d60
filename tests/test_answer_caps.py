"""Routing and drafting cap the model's answer, so a small model that never closes a string stops early."""

from __future__ import annotations

import notesmith
from notesmith.llm.base import estimate_tokens
from notesmith.pipeline.draft_model import DRAFT_ANSWER_TOKENS
from notesmith.pipeline.routing import ROUTE_ANSWER_TOKENS, ROUTE_TOKENS_PER_SOURCE
from tests.process_helpers import (BEES, BIKE, INPUTS, bees_workspace, decision, draft, edit, model, para,
                                   purpose_of, routing, update, user_prompt)


def test_each_request_is_capped_by_what_its_answer_needs(tmp_path, fake_openai):
    ws = bees_workspace(tmp_path / "ws", inputs={BEES: INPUTS[BEES], BIKE: INPUTS[BIKE]})
    fake_openai.queue(routing(decision("update", ["S1"], article="A1")),
                      routing(decision("create", ["S1"], title="Derailleur")),
                      draft("Derailleur", para("The cable had stretched.", "S1")),
                      update(edit("append", "sec2", para("Pollen by nine.", "S1"))))
    report = notesmith.process(ws, llm=model(fake_openai, context_tokens=32768), jobs=1, today="2026-03-04")
    assert report.ok, report.summary_lines()
    caps = {purpose_of(body): body["max_tokens"] for body in fake_openai.requests}
    assert caps["routing"] == ROUTE_ANSWER_TOKENS + ROUTE_TOKENS_PER_SOURCE
    for name in ("article", "article_update"):
        body = next(b for b in fake_openai.requests if purpose_of(b) == name)
        sources = user_prompt(body).split("Sources:\n\n", 1)[1]
        assert DRAFT_ANSWER_TOKENS < body["max_tokens"] <= DRAFT_ANSWER_TOKENS + 2 * estimate_tokens(sources) + 8
        assert body["max_tokens"] < 4000  # far below what a 32k context would leave
