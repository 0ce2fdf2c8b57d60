"""Fidelity by construction (issue 9): a model run whose answers quote real passages of the inputs it
was given, and some invented words; every anchored footnote must point at lines that hold its
passage, every invented passage must end unverified with no anchor, and coverage must reach the
summary, the run log and the commit. Also: an input no paragraph cites is asked for once more,
then waits (issue 7, item 9). The real openai SDK talks to the fake server on localhost."""

from __future__ import annotations

import json

import notesmith
from notesmith.pipeline import report as outcome
from notesmith.pipeline.draft_model import QUOTE_TOKENS_PER_ITEM, QUOTES_ANSWER_TOKENS
from tests.process_helpers import (aside, cited_paragraphs, decision, draft, footnotes, git, heading, lines_hold,
                                   model, new_workspace, para, purpose_of, routing, user_prompt)

TODAY = "2026-05-05"
RU = "20260504_100000_ivan_k_msg301_transcript.txt"
EN = "20260504_100100_ivan_k_msg302.md"
SRT = "20260504_100130_build-call.srt"
INPUTS = {
    RU: """---
source: telegram_voice
date: 2026-05-04T10:00:00+00:00
username: ivan_k
---
Сегодня хочу рассказать, как мы переносили сборку проекта на новый сервер. Сначала мы
скопировали все скрипты, но ничего не заработало, потому что на старом сервере стоял другой
питон, и половина зависимостей была прибита к версии три и восемь.

Потом мы сделали так: завели отдельное виртуальное окружение под каждую сборку и записали
все версии в один файл. После этого сборка прошла с первого раза и заняла вдвое меньше
времени, чем раньше.

Ну и последнее: надо не забыть выключить старый сервер в конце месяца, иначе за него снова
спишут деньги.
""",
    EN: """---
source: telegram
date: 2026-05-04T10:01:00+00:00
username: ivan_k
---
One more thing about the build move: the cache folder has to live on the fast disk, not on the
network share, or every build spends four minutes copying wheels around.

Put this in the build article, please.
""",
    SRT: """1
00:00:01,000 --> 00:00:04,500
ANNA: So the new runner is up since Monday.

2
00:00:04,500 --> 00:00:09,000
ANNA: It picks jobs from the same queue as the old one.

3
00:00:09,000 --> 00:00:14,000
BORIS: Then we can switch the nightly builds over on Friday.
""",
}

# (first words, last words) the scripted model quotes; the invented ones are in no input.
ENVS = ("Сначала мы скопировали все скрипты", "прибита к версии три и восемь")
PINNED = ("Потом мы сделали так: завели отдельное", "вдвое меньше времени, чем раньше")
CACHE = ("One more thing about the build move", "four minutes copying wheels around")
RUNNER = ("ANNA: So the new runner is up", "switch the nightly builds over on Friday")
INVENTED = ("we will move the artifact storage", "to a cloud bucket next quarter")
SWITCH_OFF = ("надо не забыть выключить старый сервер", "иначе за него снова спишут деньги")
INVENTED_AGAIN = ("we are moving the artifact storage", "cloud bucket in the next quarter")

ARTICLE = draft(
    "Moving the build to the new server",
    heading("What broke"),
    para("We first copied all the scripts, and nothing worked: the old server ran another Python, and half "
         "the dependencies were pinned to 3.8.", "S1", quote=ENVS),
    para("So we made a virtual environment for every build and wrote all versions into one file. The build "
         "then passed the first time and took half as long.", "S1", quote=PINNED),
    para("The cache folder must live on the fast disk, not on the network share, or every build spends four "
         "minutes copying wheels.", "S2", quote=CACHE),
    para("The new runner has been up since Monday and takes jobs from the old queue, so the nightly builds "
         "move over on Friday.", "S3", quote=RUNNER),
    para("The artifact storage moves to a cloud bucket next quarter.", "S2", quote=INVENTED),
    para("The old server must be switched off at the end of the month, or it is billed again.", "S3",
         quote=SWITCH_OFF),  # the right words, the wrong source: S3 is the call
    tags=["build", "servers"], description="How the build moved to a new server.",
    instructions=[aside("file it in the build article", "S2", "Put this in the build article, please.")],
)
QUOTED_AGAIN = {"passages": [
    {"item": "Q1", "source": "S2", "first_words": INVENTED_AGAIN[0], "last_words": INVENTED_AGAIN[1]},
    {"item": "Q2", "source": "S1", "first_words": SWITCH_OFF[0], "last_words": SWITCH_OFF[1]},
]}


def workspace(tmp_path, config: str = ""):
    return new_workspace(tmp_path / "ws", inputs=INPUTS, config=config)


def run_with_model(ws, server, *answers):
    server.queue(routing(decision("create", ["S1", "S2", "S3"], title="Build move")), *answers)
    return notesmith.process(ws, llm=model(server), jobs=1, today=TODAY)


def test_anchors_point_at_the_quoted_lines_and_invented_passages_stay_unverified(tmp_path, fake_openai):
    ws = workspace(tmp_path)
    report = run_with_model(ws, fake_openai, ARTICLE, QUOTED_AGAIN)

    assert report.created == ["articles/moving-the-build-to-the-new-server.md"], report.summary_lines()
    rel = report.created[0]
    text = (ws / rel).read_text(encoding="utf-8")
    notes = footnotes(text)
    quotes = {"We first copied": (RU, ENVS), "So we made": (RU, PINNED), "The cache folder": (EN, CACHE),
              "The new runner": (SRT, RUNNER), "The old server": (RU, SWITCH_OFF)}
    paragraphs = cited_paragraphs(text)
    assert len(paragraphs) == 6
    for paragraph, labels in paragraphs:
        assert len(labels) == 1
        path, lines = notes[labels[0]]
        start = next((k for k in quotes if paragraph.startswith(k)), None)
        if start is None:  # the invented passage: the whole input is cited, with no anchor
            assert paragraph.startswith("The artifact storage") and (path, lines) == (f"../inbox/used/{EN}", None)
            continue
        name, (first, last) = quotes[start]
        assert path == f"../inbox/used/{name}" and lines is not None
        assert lines_hold(INPUTS[name], lines, first, last), (paragraph, lines)
    # The call is timed: its footnote shows the time range and links to the lines of the cues.
    assert f"[^4]: [{SRT}, 00:00:01–00:00:14](../inbox/used/{SRT}#L3-L11)" in text
    assert "artifact storage" not in text.split("## Sources")[1]

    # Asked again once, in one small request, for the two passages not found, with the reasons.
    assert [purpose_of(r) for r in fake_openai.requests] == ["routing", "article", "passages"]
    again = fake_openai.requests[2]
    schema = again["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["passages"]["items"]["properties"]["item"]["enum"] == ["Q1", "Q2"]
    # Bounded: two passages asked for, two at most given, and an answer the size of two quotes.
    assert schema["properties"]["passages"]["maxItems"] == 2
    assert again["max_tokens"] == QUOTES_ANSWER_TOKENS + 2 * QUOTE_TOKENS_PER_ITEM
    asked = user_prompt(again)
    assert f"S2 does not contain '{INVENTED[0]}'" in asked and f"S3 does not contain '{SWITCH_OFF[0]}'" in asked
    assert "The artifact storage moves" in asked and "We first copied" not in asked
    assert "[S1]" in asked and "Сначала мы" in asked  # the sources, so the words can be copied

    # The invented passage is reported, with the reason from the second try.
    assert [(u.input, u.article, u.quote) for u in report.unverified] == [(EN, rel, " … ".join(INVENTED))]
    assert f"S2 does not contain '{INVENTED_AGAIN[0]}'" in report.unverified[0].reason
    summary = report.summary_lines()
    assert any(line.startswith(f"  unverified {rel}: msg302 '{INVENTED[0]}") for line in summary), summary

    # Coverage: the call and the note entirely (the note's 7-word request to the assistant left out of
    # its 38); of the voice note's 87 words (88, less the filler "ну") all but its opening sentence and
    # "и последнее" (11 + 2): 74 / 87 = 85%.
    assert [(c.name, c.percent, c.words, c.covered_words, c.passages, c.unverified) for c in report.coverage] == [
        ("msg301", 85, 87, 74, 3, 0), ("msg302", 100, 31, 31, 1, 1), (SRT, 100, 32, 32, 1, 0)]
    line = f"  coverage msg301 85%, msg302 100%, {SRT} 100% (5 anchored passages, 1 unverified)"
    assert line in summary
    log = json.loads((ws / report.log_file).read_text(encoding="utf-8"))
    assert [(c["name"], c["percent"]) for c in log["report"]["coverage"]] == [("msg301", 85), ("msg302", 100),
                                                                              (SRT, 100)]
    assert log["report"]["unverified"][0]["quote"] == " … ".join(INVENTED)
    assert [c["purpose"] for c in log["calls"]] == ["route", "draft", "quotes"]
    trailers = git(ws, "log", "-1", "--format=%(trailers)")
    assert f"Notesmith-Coverage: msg301 85%, msg302 100%, {SRT} 100%" in trailers

    checked = notesmith.check(workspace=ws)
    assert checked.ok and not checked.findings, checked.findings
    assert report.ok

    # trace reads the anchors back from the article: whole lines, so the voice note's opening
    # sentence counts (it shares line 6); the note's request to the assistant does not.
    traced = notesmith.trace(ws, RU)
    assert traced.percent == 100 and [p.line for p in traced.paragraphs] == [14, 16, 24]
    traced = notesmith.trace(ws, EN)
    assert [(p.line, [(c.label, c.lines) for c in p.citations]) for p in traced.paragraphs] == [
        (18, [("3", (6, 7))]), (22, [("5", None)])]
    assert (traced.words, traced.covered_words) == (38, 31)
    assert [(line.number, line.mark) for line in traced.lines[4:]] == [
        (5, ""), (6, "covered"), (7, "covered"), (8, ""), (9, "uncovered")]


def test_the_offline_drafter_anchors_every_paragraph_of_the_same_inputs(tmp_path):
    ws = workspace(tmp_path)
    report = notesmith.process(ws, today=TODAY)
    assert report.created and not report.unverified
    count = 0
    for rel in report.created:
        text = (ws / rel).read_text(encoding="utf-8")
        notes = footnotes(text)
        for paragraph, labels in cited_paragraphs(text):
            for label in labels:
                path, lines = notes[label]
                assert lines is not None, (rel, paragraph)
                words = [w for w in paragraph.split() if not w.startswith("[")]
                assert lines_hold(INPUTS[path.rsplit("/", 1)[1]], lines, " ".join(words[:3]), " ".join(words[-3:]))
                count += 1
    assert count == 6  # three paragraphs of the voice note, one of the note (its placement instruction is not text), two of the call
    assert [(c.name, c.percent) for c in report.coverage] == [("msg301", 100), ("msg302", 100), (SRT, 100)]
    assert f"Notesmith-Coverage: msg301 100%, msg302 100%, {SRT} 100%" in git(ws, "log", "-1", "--format=%B")
    assert notesmith.check(workspace=ws).ok


def test_citations_by_source_keep_one_footnote_per_input(tmp_path, fake_openai):
    ws = workspace(tmp_path, config='citations = "source"\n')
    report = run_with_model(ws, fake_openai, ARTICLE, QUOTED_AGAIN)
    text = (ws / report.created[0]).read_text(encoding="utf-8")
    assert footnotes(text) == {"1": (f"../inbox/used/{RU}", None), "2": (f"../inbox/used/{EN}", None),
                               "3": (f"../inbox/used/{SRT}", None)}
    assert [labels for _, labels in cited_paragraphs(text)] == [["1"], ["1"], ["2"], ["3"], ["2"], ["1"]]
    assert [c.percent for c in report.coverage] == [85, 100, 100]  # passages are still placed and measured


def test_a_source_no_paragraph_cites_is_asked_for_again(tmp_path, fake_openai):
    ws = workspace(tmp_path)
    first = draft("Moving the build", para("We copied the scripts first.", "S1", quote=ENVS),
                  para("The runner is up.", "S3", quote=RUNNER))
    second = draft("Moving the build", para("We copied the scripts first.", "S1", quote=ENVS),
                   para("Keep the cache on the fast disk.", "S2", quote=CACHE),
                   para("The runner is up.", "S3", quote=RUNNER))
    report = run_with_model(ws, fake_openai, first, second)
    assert [purpose_of(r) for r in fake_openai.requests] == ["routing", "article", "article"]
    again = fake_openai.requests[2]["messages"]
    assert again[-2] == {"role": "assistant", "content": json.dumps(first)}
    assert again[-1]["content"].startswith("No paragraph cites S2.")
    assert report.ok and not report.waiting and len(report.coverage) == 3
    assert all((ws / "inbox/used" / name).exists() for name in INPUTS)


def test_an_input_still_uncited_waits_and_a_draft_citing_nothing_is_never_written(tmp_path, fake_openai):
    ws = workspace(tmp_path)
    partial = draft("Moving the build", para("We copied the scripts first.", "S1", quote=ENVS),
                    para("The runner is up.", "S3", quote=RUNNER))
    report = run_with_model(ws, fake_openai, partial, partial)
    assert [(w.path, w.cause) for w in report.waiting] == [(f"inbox/{EN}", outcome.UNCITED)]
    assert not report.ok and (ws / "inbox" / EN).exists() and (ws / "inbox/used" / RU).exists()
    assert [c.name for c in report.coverage] == ["msg301", SRT]

    ws2 = new_workspace(tmp_path / "ws2", inputs=INPUTS)
    fake_openai.requests.clear()
    headings = draft("Moving the build", heading("What broke"), heading("What we did"))
    fake_openai.queue(routing(decision("create", ["S1", "S2", "S3"], title="Build move")), headings, headings)
    report = notesmith.process(ws2, llm=model(fake_openai), jobs=1, today=TODAY)
    assert [purpose_of(r) for r in fake_openai.requests] == ["routing", "article", "article"]
    assert report.created == [] and not report.ok
    assert sorted((w.path, w.cause) for w in report.waiting) == sorted(
        (f"inbox/{name}", outcome.UNCITED) for name in INPUTS)
    assert not [p for p in (ws2 / "articles").rglob("*.md") if not p.name.startswith("_")]
    assert all((ws2 / "inbox" / name).exists() for name in INPUTS)
