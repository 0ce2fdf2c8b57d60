"""`notesmith trace`: which paragraphs cite an input and which of its lines none does; an article's
paragraphs with their anchors. Articles written by hand here, so the trace is judged on its own."""

from __future__ import annotations

import json

import pytest

import notesmith
from notesmith.errors import ConfigError
from notesmith.pipeline.planning import Changes, build_plan, commit_message
from notesmith.pipeline.report import InputCoverage, RunReport, Stretch
from notesmith.llm.base import Usage

NAME = "20261001_081500_mira_holt_msg11_transcript.txt"
STORED = """---
source: telegram_voice
---
The water butts are full after the storm, so nobody needs
the hose this week.

The shed key moved to the blue lockbox by the gate.

Sam wants the compost turned before the frost comes, and
the leaves from the lane go on the second bay.
"""
HEAD = '---\ntitle: "{t}"\ncreated: 2026-10-04\nupdated: 2026-10-05\ntags: [garden]\nstatus: draft\n---\n\n# {t}\n\n'
WATER = HEAD.format(t="Water") + f"""The butts are full, so the hose rests[^1].

The key is in the lockbox[^2], see also the rota[^3].

## Sources

[^1]: [{NAME}, lines 4–5](../inbox/used/{NAME}#L4-L5)
[^2]: [{NAME}, line 7](../inbox/used/{NAME}#L7)
[^3]: A paper rota on the shed door.
"""
SHED = HEAD.format(t="Shed") + f"""Everything about the shed[^1].

## Sources

[^1]: [{NAME}](../../inbox/used/{NAME})
"""
INDEX = ("| Title | Status | Last Updated | Description |\n|---|---|---|---|\n"
         "| [Water](water.md) | draft | 2026-10-05 | x |\n| [Shed](places/shed.md) | draft | 2026-10-05 | x |\n")


@pytest.fixture
def ws(workspace):
    return workspace({f"inbox/used/{NAME}": STORED, "articles/water.md": WATER, "articles/places/shed.md": SHED,
                      "articles/_index.md": INDEX})


def test_trace_input_lists_citing_paragraphs_and_marks_what_none_covers(ws):
    traced = notesmith.trace(ws, NAME)
    assert traced.input == f"inbox/used/{NAME}"
    assert [(p.article, p.line, p.text, [(c.label, c.lines) for c in p.citations]) for p in traced.paragraphs] == [
        ("articles/places/shed.md", 11, "Everything about the shed.", [("1", None)]),
        ("articles/water.md", 11, "The butts are full, so the hose rests.", [("1", (4, 5))]),
        ("articles/water.md", 13, "The key is in the lockbox, see also the rota.", [("2", (7, 7))]),
    ]
    assert [(line.number, line.mark) for line in traced.lines] == [
        (1, ""), (2, ""), (3, ""), (4, "covered"), (5, "covered"), (6, ""), (7, "covered"), (8, ""),
        (9, "uncovered"), (10, "uncovered")]
    assert (traced.words, traced.covered_words, traced.percent) == (46, 26, 56)  # 11+4+11 of 11+4+11+10+10


def test_trace_input_on_the_command_line_as_text_and_json(ws, run_cli):
    proc = run_cli(ws, "trace", f"inbox/used/{NAME}")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == (f"inbox/used/{NAME}: cited by 3 paragraphs in 2 articles; 56% of its words are in "
                        "anchored passages (26 of 46)")
    assert '  articles/water.md:13 [^2] line 7: "The key is in the lockbox, see also the rota."' in lines
    assert '  articles/places/shed.md:11 [^1] whole file, no anchor: "Everything about the shed."' in lines
    assert "   9 - Sam wants the compost turned before the frost comes, and" in lines
    assert "   4 + The water butts are full after the storm, so nobody needs" in lines
    data = json.loads(run_cli(ws, "trace", NAME, "--format", "json").stdout)
    assert data["percent"] == 56 and data["lines"][8] == {"number": 9, "mark": "uncovered",
                                                          "text": "Sam wants the compost turned before the frost comes, and"}


def test_trace_article_lists_each_paragraph_with_its_anchors(ws, run_cli):
    proc = run_cli(ws, "trace", "articles/water.md")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "articles/water.md: 2 cited paragraphs",
        '  line 11: "The butts are full, so the hose rests."',
        f'    [^1] inbox/used/{NAME} lines 4–5: "The water butts are full after the storm, so nobody needs the hose '
        'this week."',
        '  line 13: "The key is in the lockbox, see also the rota."',
        f'    [^2] inbox/used/{NAME} line 7: "The shed key moved to the blue lockbox by the gate."',
        "    [^3] A paper rota on the shed door.",
    ]


def test_trace_says_what_is_wrong_with_an_anchor(workspace):
    broken = WATER.replace("#L7)", "#L70)")
    ws = workspace({f"inbox/used/{NAME}": STORED, "articles/water.md": broken})
    cited = notesmith.trace(ws, "articles/water.md").paragraphs[1].citations[0]
    assert cited.lines == (70, 70) and cited.problem == "past the end: the file has 10 lines" and not cited.excerpt


def test_trace_of_nothing_is_a_usage_error(ws, run_cli):
    with pytest.raises(ConfigError, match="no such article or input"):
        notesmith.trace(ws, "nothing.txt")
    proc = run_cli(ws, "trace", "nothing.txt")
    assert proc.returncode == 2 and "no such article or input" in proc.stderr


def test_the_coverage_trailer_comes_from_the_plan_so_a_resumed_commit_has_it_too():
    changes = Changes(coverage=[InputCoverage("20260504_100000_ivan_k_msg301_transcript.txt", 85, 87, 74, 3, 0),
                                InputCoverage("20260504_100200_ivan_k_msg302.md", 90, 10, 9, 1, 0),
                                InputCoverage("20260504_100200_ivan_k_msg302.txt", 80, 10, 8, 1, 0),
                                InputCoverage("call.srt", 100, 32, 32, 1, 0)])
    plan, _ = build_plan(changes, run_id="r1", commit=True, branch=None, model="m", usage=Usage(), tracked=set())
    summary = plan["steps"][-1]["summary"]
    # as the journal keeps it; two inputs sharing a message id keep their file names
    assert json.loads(json.dumps(summary))["coverage"] == [
        ["msg301", 85], ["20260504_100200_ivan_k_msg302.md", 90], ["20260504_100200_ivan_k_msg302.txt", 80],
        ["call.srt", 100]]
    message = commit_message(summary, run_id="r1", model="m", usage=Usage(), inputs=2)
    assert message.endswith("Notesmith-Coverage: msg301 85%, 20260504_100200_ivan_k_msg302.md 90%, "
                            "20260504_100200_ivan_k_msg302.txt 80%, call.srt 100%\n")
    older = {k: v for k, v in summary.items() if k != "coverage"}  # a plan journaled before coverage existed
    assert "Notesmith-Coverage" not in commit_message(older, run_id="r1", model="m", usage=Usage(), inputs=2)


def test_the_summary_lists_long_uncovered_stretches():
    report = RunReport("r1", coverage=[InputCoverage("20261001_081500_mira_msg7.txt", 40, 200, 80, 2, 0,
                                                     (Stretch((12, 18), 64), Stretch((30, 30), 55)))])
    lines = report.summary_lines()
    assert "  coverage msg7 40% (2 anchored passages, 0 unverified)" in lines
    assert "  uncovered msg7 lines 12–18 (64 words): no paragraph took them" in lines
    assert "  uncovered msg7 line 30 (55 words): no paragraph took them" in lines
    assert report.as_dict()["coverage"][0]["uncovered"][0] == {"lines": (12, 18), "words": 64, "times": None}
