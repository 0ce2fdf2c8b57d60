"""ScriptedLLM answers from a script and records what it was asked."""

from __future__ import annotations

import pytest

from notesmith.errors import ModelUnavailable
from notesmith.llm import LLM, Reply, Request, ScriptedLLM, Usage


def test_answers_in_order_and_records_requests():
    done = Reply("{}", "length", Usage(1, 2), "m", "json_schema")
    llm = ScriptedLLM(["hello", {"a": "é"}, done], name="tiny", context_tokens=4096)
    first = Request(messages=[{"role": "user", "content": "one"}], purpose="route")
    second = Request(messages=[{"role": "user", "content": "two"}], schema={"type": "object"})
    a, b, c = llm.complete(first), llm.complete(second), llm.complete(first)
    assert (a.text, a.format, a.model, a.finish_reason) == ("hello", "text", "tiny", "stop")
    assert (b.text, b.format) == ('{"a": "é"}', "json_schema")
    assert c is done
    assert llm.requests == [first, second, first]
    assert isinstance(llm, LLM) and llm.context_tokens == 4096


def test_usage_is_estimated_from_characters():
    llm = ScriptedLLM(["x" * 7])
    reply = llm.complete(Request(messages=[{"role": "user", "content": "y" * 35}]))
    assert reply.usage == Usage(prompt_tokens=10 + 4, completion_tokens=2)


def test_exceptions_are_raised_and_callables_see_the_request():
    llm = ScriptedLLM([ModelUnavailable("down"), lambda request: request.purpose.upper()])
    with pytest.raises(ModelUnavailable):
        llm.complete(Request(messages=[]))
    assert llm.complete(Request(messages=[], purpose="draft")).text == "DRAFT"
    assert len(llm.requests) == 2


def test_running_out_of_script_is_a_clear_error():
    llm = ScriptedLLM(["only one"])
    llm.complete(Request(messages=[]))
    with pytest.raises(RuntimeError, match="ran out of replies at request 2 .*'update'"):
        llm.complete(Request(messages=[], purpose="update"))


def test_public_names_resolve():
    import notesmith.llm as llm

    assert llm.__all__ == sorted(llm.__all__)
    assert all(getattr(llm, name) is not None for name in llm.__all__)
    with pytest.raises(AttributeError):
        llm.NoSuchThing  # noqa: B018


# --- answers built by the helpers, never by hand (issue 10) -----------------------------------

def test_the_answer_helpers_follow_the_schemas():
    from notesmith.llm import scripted as answer
    from notesmith.llm.jsonschema import validate
    from notesmith.pipeline.schemas import draft_schema, route_schema, update_schema

    routing = answer.route(answer.create("S1", title="Bees"), answer.extend("A1", "S2"), answer.feedback("S3"),
                           answer.skip("S4"), instructions=["rename the folder"])
    assert validate(routing, route_schema(["S1", "S2", "S3", "S4"], ["A1"])) == []
    new = answer.new_article("Bees", answer.heading("Spring"), "They came out early.",
                             answer.paragraph("Two sources.", "S1", "S2"), tags=["bees"], description="About bees.")
    assert validate(new, draft_schema(["S1", "S2"], 8)) == []
    assert [e["source"] for e in new["blocks"][1]["evidence"]] == ["S1"]  # a plain string cites the answer's sources
    update = answer.article_update(answer.append("sec2", "More."), answer.add_section("sec1", "Autumn", "Late."),
                                   answer.revise("sec3", answer.paragraph("New text.", "S2")), tags=["autumn"])
    assert validate(update, update_schema(["S1", "S2"], ["sec1", "sec2", "sec3"], 8)) == []
    wrong = answer.new_article("Bees", "x", sources=["S9"])
    assert validate(wrong, draft_schema(["S1"], 8)) != []  # the schema still guards the ids given


def test_a_run_scripted_with_the_helpers_creates_then_updates(tmp_path):
    import notesmith
    from notesmith.llm import scripted as answer
    from notesmith.text.article import Article
    from tests.process_helpers import new_workspace

    first = "20260601_080000_ada_msg1.md"
    ws = new_workspace(tmp_path / "ws", inputs={first: "The bees came out early today.\n"})
    llm = ScriptedLLM([answer.route(answer.create("S1", title="Bees")),
                       answer.new_article("Bees", answer.paragraph("The bees came out early.", "S1",
                                                                   quote="The bees came out early today."),
                                          tags=["bees"])])
    report = notesmith.process(ws, llm=llm, today="2026-06-01")
    assert report.created == ["articles/bees.md"], report.summary_lines()
    assert [r.purpose for r in llm.requests] == ["route", "draft"]

    (ws / "inbox/20260602_080000_ada_msg2.md").write_text("The bees swarmed at noon.\n", encoding="utf-8")
    llm = ScriptedLLM([answer.route(answer.extend("A1", "S1")),
                       answer.article_update(answer.add_section("sec1", "Swarming", answer.paragraph(
                           "They swarmed at noon.", "S1", quote="The bees swarmed at noon.")))])
    report = notesmith.process(ws, llm=llm, today="2026-06-02")
    assert report.updated == ["articles/bees.md"], report.summary_lines()
    text = Article.load(ws / "articles/bees.md").dump()
    assert "## Swarming\n\nThey swarmed at noon.[^2]" in text
