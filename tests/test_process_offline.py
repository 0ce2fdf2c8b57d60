"""`notesmith process` with the offline drafter, end to end in a real git repository."""

from __future__ import annotations

import re
from pathlib import Path

import notesmith
from notesmith.text.article import Article
from tests.process_helpers import (BEES, BIKE, INPUTS, cited_paragraphs, footnotes, git, lines_hold, new_workspace,
                                   run_commits, tree, write)

TODAY = "2026-03-04"

# Bad inputs dropped beside the good ones (SPEC §6); each must end somewhere, with a reason.
SECRET = "20260305_101000_lena_p_msg210.md"
BAD: dict[str, str | bytes] = {
    "empty.txt": b"",
    "blob.txt": b"voice\x00\x01\x02 data",
    "latin1.txt": "Notiz zum Gem\u00fcsebeet".encode("latin-1"),
    "broken-front.md": "---\ntitle: [unclosed\n---\nA note with a broken header.\n",
    "taken.txt": "This text differs from the file of the same name in inbox/used.\n",
    "copy-of-bike.txt": None,  # filled in below: same bytes as the bike note
    SECRET: "Wifi for the shed, password: hunter2xyz\n",
    "upload.txt.part": "still downloading",
}
BAD["copy-of-bike.txt"] = INPUTS[BIKE]
FAILED = ("blob.txt", "latin1.txt", "broken-front.md", "taken.txt")


def first_title(path: Path) -> str:
    return Article.load(path).title


def _workspace(tmp_path: Path, **kw) -> Path:
    files = {"inbox/used/taken.txt": "An older note that was already processed.\n"}
    return new_workspace(tmp_path / "ws", inputs={**INPUTS, **BAD}, files=files, **kw)


def test_offline_run_writes_cited_articles_moves_inputs_and_commits_twice(tmp_path):
    ws = _workspace(tmp_path)
    report = notesmith.process(ws, today=TODAY)

    assert report.offline and report.model == "offline"
    assert any("offline drafter" in note for note in report.notes)
    assert len(report.created) == 3, report.summary_lines()
    for rel in report.created:
        text = (ws / rel).read_text(encoding="utf-8")
        article = Article(text, rel)
        assert article.frontmatter["created"] == TODAY and article.frontmatter["status"] == "draft"
        assert "[^1]" in text and "\n## Sources\n" in text
        notes = footnotes(text)
        assert notes and all(path.startswith("../inbox/used/") and path[len("../inbox/used/"):] in INPUTS
                             for path, _ in notes.values())
        # The offline drafter anchors every paragraph, on the lines of the stored file that hold it.
        for paragraph, labels in cited_paragraphs(text):
            for label in labels:
                path, lines = notes[label]
                assert lines is not None, (rel, label)
                words = paragraph.split()
                assert lines_hold(INPUTS[path.rsplit("/", 1)[1]], lines, " ".join(words[:4]),
                                  " ".join(words[-4:])), (paragraph, lines)
    for name in INPUTS:
        assert not (ws / "inbox" / name).exists()
        assert (ws / "inbox/used" / name).read_text(encoding="utf-8") == INPUTS[name]
    index = (ws / "articles/_index.md").read_text(encoding="utf-8")
    for rel in report.created:
        assert f"]({Path(rel).name})" in index

    # Two commits: the inputs as they arrived, then the run's commit showing them as renames.
    # Failed inputs are not committed (they may be huge or binary); the duplicate is.
    assert run_commits(ws)[0] == "inbox: add 5 inputs"  # 3 inputs, the duplicate and the empty one
    assert run_commits(ws)[1] == "notesmith: create 3 articles"
    assert len(run_commits(ws)) == 2 and len(report.commits) == 2
    status = git(ws, "show", "--name-status", "-M", "--format=", "HEAD")
    for name in INPUTS:
        assert re.search(rf"^R100\tinbox/{re.escape(name)}\tinbox/used/{re.escape(name)}$", status, re.M), status
    message = git(ws, "log", "-1", "--format=%B")
    for rel in report.created:
        assert f"- {rel}" in message
    trailers = git(ws, "log", "-1", "--format=%(trailers)")
    assert f"Notesmith-Run: {report.run_id}" in trailers
    assert "Notesmith-Model: offline" in trailers
    assert "Notesmith-Inputs: " in trailers and "Notesmith-Tokens: 0 prompt, 0 completion" in trailers
    # Coverage: every word of each input is in some paragraph's anchored passage.
    assert [(c.name, c.percent, c.unverified) for c in report.coverage] == [
        ("msg201", 100, 0), ("msg202", 100, 0), ("msg203", 100, 0)]
    assert "Notesmith-Coverage: msg201 100%, msg202 100%, msg203 100%" in trailers
    assert "  coverage msg201 100%, msg202 100%, msg203 100% (4 anchored passages, 0 unverified)" in \
        report.summary_lines()

    assert "R100\tinbox/copy-of-bike.txt\tinbox/used/skipped/copy-of-bike.txt" in status
    assert "inbox/used/skipped/empty.txt" in status  # an empty input is skipped, as the README says
    left = sorted(git(ws, "status", "--porcelain", "--untracked-files=all").splitlines())
    assert left == sorted(["?? inbox/" + SECRET, "?? inbox/upload.txt.part"]
                          + [f"?? inbox/failed/{n}{s}" for n in FAILED for s in ("", ".reason.txt")])

    checked = notesmith.check(workspace=ws)
    assert checked.ok and not checked.findings, checked.findings


def test_every_input_is_accounted_for(tmp_path):
    ws = _workspace(tmp_path)
    report = notesmith.process(ws, today=TODAY)
    cited = set()
    for rel in report.created:
        cited |= set(re.findall(r"\(\.\./inbox/used/([^)#]+)(?:#L[0-9-L]+)?\)", (ws / rel).read_text(encoding="utf-8")))
    failed = {Path(rel).name: why for rel, why, _ in report.failed}
    skipped = {Path(rel).name: why for rel, why, _ in report.skipped}
    waiting = {Path(rel).name: why for rel, why, _ in report.waiting}

    assert cited == set(INPUTS)
    assert set(failed) == set(FAILED)
    assert "binary" in failed["blob.txt"]
    assert "UTF-8" in failed["latin1.txt"] and "frontmatter" in failed["broken-front.md"]
    assert "already in inbox/used" in failed["taken.txt"]
    for name, why in failed.items():
        assert not (ws / "inbox" / name).exists()
        content = BAD[name]
        assert (ws / "inbox/failed" / name).read_bytes() == (content if isinstance(content, bytes)
                                                             else content.encode("utf-8"))
        reason = (ws / "inbox/failed" / f"{name}.reason.txt").read_text(encoding="utf-8")
        assert reason.splitlines()[0] == why
        assert f"came from inbox/{name}. Once it is fixed, move it back there" in reason
    # The older file that owns the name is untouched.
    assert (ws / "inbox/used/taken.txt").read_text(encoding="utf-8").startswith("An older note")

    assert set(skipped) == {"copy-of-bike.txt", "empty.txt"} and "duplicate" in skipped["copy-of-bike.txt"]
    assert "empty" in skipped["empty.txt"] and (ws / "inbox/used/skipped/empty.txt").exists()
    assert (ws / "inbox/used/skipped/copy-of-bike.txt").exists()
    assert set(waiting) == {SECRET} and "credential" in waiting[SECRET] and "--allow-secrets" in waiting[SECRET]
    assert (ws / "inbox" / SECRET).exists()
    assert (ws / "inbox/upload.txt.part").exists()  # a partial download is not an input
    assert all("upload" not in name for name in [*failed, *skipped, *waiting])
    assert report.inputs_read == len(INPUTS) + len(BAD) - 1
    assert not any("hunter2xyz" in (ws / rel).read_text(encoding="utf-8") for rel in report.created)
    assert "hunter2xyz" not in git(ws, "log", "-p", "--all")

    # The secret waits with its reason and is processed only when the user allows it.
    again = notesmith.process(ws, today=TODAY, allow_secrets=True)
    assert not again.waiting and len(again.created) == 1
    assert (ws / "inbox/used" / SECRET).exists()
    assert "hunter2xyz" in (ws / again.created[0]).read_text(encoding="utf-8")


def test_revert_of_the_run_commit_puts_inputs_back(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs=INPUTS)
    report = notesmith.process(ws, today=TODAY)
    assert len(report.created) == 3
    git(ws, "revert", "--no-edit", "HEAD")
    for name, text in INPUTS.items():
        assert (ws / "inbox" / name).read_text(encoding="utf-8") == text
        assert not (ws / "inbox/used" / name).exists()
    for rel in report.created:
        assert not (ws / rel).exists()
    assert git(ws, "status", "--porcelain") == ""
    # History keeps every input.
    assert git(ws, "log", "--all", "--format=%s").count("inbox: add 3 inputs") == 1


def test_tracked_inputs_get_no_inbox_commit_and_nothing_left_over(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    write(ws, {f"inbox/{name}": text for name, text in INPUTS.items()})
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "inputs by hand")
    report = notesmith.process(ws, today=TODAY)
    assert len(report.commits) == 1
    assert run_commits(ws) == ["inputs by hand", "notesmith: create 3 articles"]
    assert git(ws, "status", "--porcelain") == ""
    # A second run finds nothing to do and commits nothing.
    before = tree(ws)
    second = notesmith.process(ws, today=TODAY)
    assert not second.created and not second.commits and tree(ws) == before


def test_to_sends_new_material_to_an_existing_article_offline(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs={BEES: INPUTS[BEES]})
    first = notesmith.process(ws, today="2026-03-02")
    rel = first.created[0]
    before = (ws / rel).read_text(encoding="utf-8")
    more = INPUTS[BEES].replace("voice_0201", "voice_0205").replace("08:15:00", "18:15:00") \
        .replace("Next step", "After that the next step")
    name = "20260302_181500_lena_p_msg205_transcript.txt"
    write(ws, {f"inbox/{name}": more})
    second = notesmith.process(ws, today="2026-03-04", to=first_title(ws / rel))
    assert second.updated == [rel] and not second.created
    after = (ws / rel).read_text(encoding="utf-8")
    assert after.startswith(before.split("updated:")[0])
    assert "updated: 2026-03-04" in after and "[^3]" in after and "[^4]" in after
    # the new input's paragraphs take the next numbers, each anchored to its own lines
    assert f"[^3]: [{name}, lines 8–10](../inbox/used/{name}#L8-L10)" in after
    assert f"[^4]: [{name}, line 12](../inbox/used/{name}#L12)" in after
    assert "After that the next step is to order two more supers before the lime trees flower in June.[^4]" in after
    assert notesmith.check(workspace=ws).ok


def test_symlinks_and_odd_names(tmp_path):
    odd = {"note with spaces.txt": "A note about the pond liner and its slow leak.\n",
           "Заметка про грядки.md": "Грядки нужно укрыть соломой до первых заморозков.\n",
           "-dash (1).txt": "Dash note about gloves [and] (parens).\n",
           "*.md": "Star note about the wheelbarrow tyre.\n"}
    ws = new_workspace(tmp_path / "ws", inputs=odd, files={"notes/real.txt": "Seed potatoes chit on the sill.\n"})
    (ws / "inbox/inside.txt").symlink_to("../notes/real.txt")
    outside = tmp_path / "outside.txt"
    outside.write_text("Not part of the workspace.\n", encoding="utf-8")
    (ws / "inbox/outside.txt").symlink_to(outside)

    report = notesmith.process(ws, today=TODAY)

    assert [w.path for w in report.waiting] == ["inbox/outside.txt"]
    assert "symlink leads outside the workspace" in report.waiting[0][1]
    # A link inside the workspace is read; its target stays, inbox/used/ gets a copy.
    assert (ws / "notes/real.txt").read_text(encoding="utf-8") == "Seed potatoes chit on the sill.\n"
    assert not (ws / "inbox/inside.txt").is_symlink() and not (ws / "inbox/inside.txt").exists()
    used = ws / "inbox/used/inside.txt"
    assert not used.is_symlink() and used.read_text(encoding="utf-8") == "Seed potatoes chit on the sill.\n"
    for name in odd:
        assert (ws / "inbox/used" / name).read_text(encoding="utf-8") == odd[name]
    text = "".join((ws / rel).read_text(encoding="utf-8") for rel in report.created)
    assert "../inbox/used/note%20with%20spaces.txt" in text
    assert notesmith.check(workspace=ws).ok
    assert git(ws, "status", "--porcelain", "-uall") == "?? inbox/outside.txt\n"
    assert "notes/real.txt" not in git(ws, "show", "--name-only", "--format=", "HEAD")


def test_an_input_over_the_size_limit_fails_with_a_reason(tmp_path):
    ws = new_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE], "big.txt": "word " * 400},
                       config="max_input_mb = 0.001\n")
    report = notesmith.process(ws, today=TODAY)
    assert [r for r, *_ in report.failed] == ["inbox/big.txt"] and "max_input_mb" in report.failed[0][1]
    assert len(report.created) == 1
    assert (ws / "inbox/failed/big.txt.reason.txt").exists()
