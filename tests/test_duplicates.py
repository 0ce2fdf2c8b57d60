"""Duplicates by content: the same text under another name is skipped, naming the original."""

from __future__ import annotations

import json
from pathlib import Path

import notesmith
from notesmith.inputs.reading import read_input
from notesmith.pipeline.duplicates import Fingerprints, fingerprint
from tests.process_helpers import new_workspace

SRT = """1
00:00:01,000 --> 00:00:04,000
Welcome to the pruning workshop, everyone.

2
00:00:04,500 --> 00:00:09,000
We start with the apple trees by the gate, then the pears.
"""
WHISPER = ('{"language": "en", "segments": [{"start": 0.0, "end": 4.0, "text": " Grafting needs a sharp knife"},'
           ' {"start": 4.0, "end": 9.0, "text": " and a steady hand, so we practise on willow first."}]}')
NOTE = """---
source: telegram
date: 2026-05-02T10:00:00+00:00
---
The rain barrels by the shed are full again, so we can water the new beds from them this week.
"""
SAME_TEXT = """---
source: forwarded
date: 2026-05-09T18:30:00+00:00
---
The rain barrels by the shed are full again,
so we can water the new beds   from them this week.
"""


def test_fingerprints_ignore_frontmatter_and_whitespace_and_short_texts(tmp_path: Path):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(NOTE, encoding="utf-8")
    b.write_text(SAME_TEXT, encoding="utf-8")
    assert fingerprint(read_input(a).text) == fingerprint(read_input(b).text) is not None
    assert fingerprint("ok") is None and fingerprint("add this to the log") is None
    assert fingerprint("https://example.org/x") is not None  # a link said twice is a duplicate


def test_a_copy_under_a_new_name_is_skipped_naming_the_original(tmp_path: Path):
    ws = new_workspace(tmp_path / "ws", inputs={"20260502_100000_ada_msg1.md": NOTE,
                                                "workshop.srt": SRT, "talk.json": WHISPER})
    first = notesmith.process(ws, today="2026-05-02")
    assert len(first.created) >= 1 and not first.skipped
    (ws / "inbox/20260509_183000_ada_msg9.md").write_text(SAME_TEXT, encoding="utf-8")
    (ws / "inbox/workshop-copy.srt").write_text(SRT, encoding="utf-8")  # identical bytes, another name
    (ws / "inbox/workshop-again.srt").write_text(SRT.replace(",000", ",500"), encoding="utf-8")  # other times
    (ws / "inbox/talk (1).json").write_text(WHISPER.replace('"language": "en", ', ""), encoding="utf-8")
    second = notesmith.process(ws, today="2026-05-09")
    skipped = {Path(o.path).name: o for o in second.skipped}
    assert set(skipped) == {"20260509_183000_ada_msg9.md", "workshop-copy.srt", "workshop-again.srt", "talk (1).json"}
    assert "duplicate of inbox/used/talk.json" in skipped["talk (1).json"].reason
    assert "duplicate of inbox/used/20260502_100000_ada_msg1.md" in skipped["20260509_183000_ada_msg9.md"].reason
    assert "duplicate of inbox/used/workshop.srt" in skipped["workshop-copy.srt"].reason
    assert all(o.cause == "duplicate" for o in skipped.values())
    assert not second.created and not second.updated
    assert (ws / "inbox/used/skipped/workshop-copy.srt").exists()


def test_copies_within_one_run_are_caught_too(tmp_path: Path):
    ws = new_workspace(tmp_path / "ws", inputs={"a.md": NOTE, "b.md": SAME_TEXT})
    report = notesmith.process(ws, today="2026-05-02")
    assert [(Path(o.path).name, o.reason) for o in report.skipped] == [
        ("b.md", "duplicate of inbox/a.md (the same text)")]


def test_the_fingerprints_of_used_inputs_are_cached_and_read_once(tmp_path: Path, monkeypatch):
    used = tmp_path / "used"
    used.mkdir()
    for n in range(5):
        (used / f"n{n}.md").write_text(f"Note number {n} about the orchard, the pears and the ladder we share.",
                                       encoding="utf-8")
    cache = tmp_path / "fingerprints.json"
    probe = tmp_path / "probe.md"
    probe.write_text("Note number 3 about the orchard, the pears and the ladder we share.", encoding="utf-8")
    item = read_input(probe)
    assert Fingerprints(used, cache, root=tmp_path).original(item) == "used/n3.md"
    assert len(json.loads(cache.read_text(encoding="utf-8"))["files"]) == 5

    reads = []
    import notesmith.pipeline.duplicates as duplicates

    real = duplicates.read_input
    monkeypatch.setattr(duplicates, "read_input", lambda path, **kw: reads.append(path) or real(path, **kw))
    assert Fingerprints(used, cache, root=tmp_path).original(item) == "used/n3.md"
    assert reads == []  # nothing changed: every fingerprint came from the cache
    (used / "n5.md").write_text("A new note about the compost, the bins and the rota for turning it.",
                                encoding="utf-8")
    Fingerprints(used, cache, root=tmp_path).original(item)
    assert [p.name for p in reads] == ["n5.md"]
