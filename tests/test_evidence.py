"""Placing a draft's evidence in the stored inputs: one index per input, in order for verbatim
drafts, a reason instead of an anchor when a passage is not there."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from notesmith.inputs.reading import Input
from notesmith.pipeline.blocks import Block, Evidence
from notesmith.pipeline.evidence import SourceTexts, measure, place_all, quoted

TEXT = """---
source: telegram
---
Water the beans.

Water the beans.

The shed key is in the blue box by the gate.
"""


def stored(tmp_path: Path, name: str = "20261002_080000_mira_msg5.md", text: str = TEXT) -> Input:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Input(name, "message", dt.datetime(2026, 10, 2, tzinfo=dt.timezone.utc), None, text, {}, path, "0" * 64)


def para(item: Input, text: str, first: str = "", last: str = "", passage: str = "") -> Block:
    return Block("paragraph", text, evidence=(Evidence(item.id, first, last, passage=passage),))


def test_verbatim_paragraphs_in_order_take_the_next_place_of_repeated_words(tmp_path):
    item = stored(tmp_path)
    texts = SourceTexts()
    blocks = [para(item, t, t, t, passage=t) for t in ("Water the beans.", "Water the beans.",
                                                         "The shed key is in the blue box by the gate.")]
    placed = place_all(blocks, texts, {item.id: item}, in_order=True)
    assert [b.evidence[0].anchor.lines for b in placed] == [(4, 4), (6, 6), (8, 8)]
    assert texts.index(item) is texts.index(item)  # built once per input
    found = measure(texts.index(item), [e for b in placed for e in b.evidence])
    assert (found.words, found.covered_words, found.percent) == (17, 17, 100)


def test_a_quote_not_in_the_input_keeps_no_anchor_and_says_why(tmp_path):
    item = stored(tmp_path)
    blocks = [para(item, "Made up.", "the greenhouse roof was replaced", "by the council in May"),
              para(item, "Nothing quoted.")]
    placed = place_all(blocks, SourceTexts(), {item.id: item}, labels={item.id: "S1"})
    made_up, empty = placed[0].evidence[0], placed[1].evidence[0]
    assert made_up.anchor is None and made_up.unverified.startswith("S1 does not contain 'the greenhouse roof")
    assert empty.anchor is None and empty.unverified == "no passage was quoted"
    assert quoted(made_up) == "the greenhouse roof was replaced … by the council in May"


def test_an_input_too_large_to_index_is_cited_whole(tmp_path):
    item = stored(tmp_path)
    texts = SourceTexts(max_bytes=40)
    placed = place_all([para(item, "x", "Water the beans", "by the gate")], texts, {item.id: item})
    assert texts.index(item) is None and texts.too_large == {item.id}
    assert placed[0].evidence[0].anchor is None
    assert "over the 40 bytes up to which passages are anchored" in placed[0].evidence[0].unverified


def test_a_vanished_input_is_a_reason_not_a_crash(tmp_path):
    item = stored(tmp_path)
    item.path.unlink()
    texts = SourceTexts()
    placed = place_all([para(item, "x", "Water the beans", "by the gate")], texts, {item.id: item})
    assert texts.index(item) is None
    assert placed[0].evidence[0].unverified.startswith(f"cannot read {item.id} again")
