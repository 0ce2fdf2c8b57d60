"""What notesmith writes: modes as a user expects them, and bytes it does not own left exactly as they were."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import notesmith
from tests.process_helpers import BEES_ARTICLE_REL, BIKE, INDEX, INPUTS, bees_workspace, git

TODAY = "2026-03-05"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_atomic_gives_new_files_the_umask_mode_and_keeps_an_existing_mode(tmp_path):
    script = (
        "import os, sys; from pathlib import Path; from notesmith.files import write_atomic\n"
        "root = Path(sys.argv[1])\n"
        "write_atomic(root / 'new.md', b'new')\n"
        "(root / 'kept.md').write_bytes(b'old'); os.chmod(root / 'kept.md', 0o640)\n"
        "write_atomic(root / 'kept.md', b'replaced')\n"
    )
    for umask, expected in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664)):
        folder = tmp_path / f"u{umask:o}"
        folder.mkdir()
        subprocess.run([sys.executable, "-c", script, str(folder)], check=True,
                       preexec_fn=lambda m=umask: os.umask(m))
        assert mode(folder / "new.md") == expected, oct(umask)
        assert mode(folder / "kept.md") == 0o640 and (folder / "kept.md").read_bytes() == b"replaced"
        assert sorted(p.name for p in folder.iterdir()) == ["kept.md", "new.md"]  # no temporary left


def test_a_run_writes_0644_under_umask_022_and_an_updated_article_keeps_its_mode(tmp_path, env, run_cli):
    ws = bees_workspace(tmp_path / "ws", inputs={BIKE: INPUTS[BIKE], "notes.docx": b"PK\x03\x04 binary"})
    os.chmod(ws / BEES_ARTICLE_REL, 0o640)
    more = "20260302_150000_lena_p_msg205.md"
    (ws / "inbox" / more).write_text("More on the bees: the second hive was carrying pollen again.\n")
    proc = subprocess.run([sys.executable, "-m", "notesmith", "process", "--to", BEES_ARTICLE_REL,
                           f"inbox/{more}"], cwd=ws, env=env, capture_output=True, text=True,
                          preexec_fn=lambda: os.umask(0o022))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 updated" in proc.stdout
    assert mode(ws / BEES_ARTICLE_REL) == 0o640  # an existing file keeps its mode
    proc = subprocess.run([sys.executable, "-m", "notesmith", "process"], cwd=ws, env=env, capture_output=True,
                          text=True, preexec_fn=lambda: os.umask(0o022))
    assert "1 created" in proc.stdout and "1 failed" in proc.stdout, proc.stdout + proc.stderr
    created = next((ws / "articles").glob("fixing-*.md"))
    assert mode(created) == 0o644
    assert mode(ws / "articles/_index.md") == 0o644
    assert mode(ws / "inbox/failed/notes.docx.reason.txt") == 0o644
    assert mode(ws / "inbox/used" / BIKE) == 0o644  # moved, not rewritten


LATIN1_INDEX = INDEX.replace("Notes from the allotment.", "Notes from the allotment, caf\xe9 corner.").encode("latin-1")


def test_an_index_with_a_latin1_byte_is_kept_byte_for_byte_by_check_fix_and_process(tmp_path):
    ws = bees_workspace(tmp_path / "ws", files={"articles/_index.md": LATIN1_INDEX,
                                                "articles/unlisted.md": "---\ntitle: \"Unlisted\"\n"
                                                "created: 2026-01-01\nupdated: 2026-01-01\ntags: []\n"
                                                "status: draft\n---\n\n# Unlisted\n\nNobody listed me.\n"})
    result = notesmith.check(ws, fix=True)
    assert any("added a row for articles/unlisted.md" in change for change in result.fixed)
    data = (ws / "articles/_index.md").read_bytes()
    assert b"caf\xe9 corner" in data  # the author's byte, untouched
    assert b"| [Unlisted](unlisted.md) |" in data
    git(ws, "commit", "-qam", "fixed the index")
    (ws / "inbox" / BIKE).write_text(INPUTS[BIKE], encoding="utf-8")
    report = notesmith.process(ws, today=TODAY)
    assert len(report.created) == 1 and report.ok
    data = (ws / "articles/_index.md").read_bytes()
    assert b"caf\xe9 corner" in data and "\ufffd".encode() not in data
    assert data.count(b"| [") == 3  # the bees, the unlisted one, and the new one
    assert data.replace(b"caf\xe9", b"cafe").decode("utf-8")  # everything else is UTF-8
