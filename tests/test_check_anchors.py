"""SR004: a footnote's line anchor (#L12-L18) must name lines its file has, on disk and as staged;
`--fix` never touches anchors; the check stays light with anchors to judge."""

from __future__ import annotations

import subprocess
import sys

from tests.test_cli_check import INDEX_HEAD, SOURCE, article, base_files, row
from tests.test_import_boundaries import assert_light, imported

STORED = "---\nsource: telegram_voice\n---\n\nThe butts are full.\nThe hose stays coiled.\n"  # 6 lines


def anchored(title: str, anchor: str, depth: int = 1) -> str:
    text = article(title, depth=depth)
    return text.replace(f"[{SOURCE}]", f"[{SOURCE}, lines]").replace(f"{SOURCE})", f"{SOURCE}#{anchor})")


def files_with(**articles: str) -> dict[str, str]:
    files = base_files(**articles)
    files[f"inbox/used/{SOURCE}"] = STORED
    files["articles/_index.md"] = INDEX_HEAD + "".join(row(name[:-3].title(), name) for name in articles)
    return files


def test_anchors_inside_the_file_pass_and_past_its_end_fail(workspace, run_cli):
    root = workspace(files_with(**{"water.md": anchored("Water", "L5-L6"), "hose.md": anchored("Hose", "L6"),
                                   "rain.md": anchored("Rain", "L5-L7")}))
    proc = run_cli(root, "check")
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[:-1] == [
        f"articles/rain.md:15:7: SR004 anchor #L5-L7 is past the end of inbox/used/{SOURCE}, which has 6 lines; "
        "point it at lines the file has"]


def test_staged_anchors_are_judged_against_the_staged_file(workspace, git, run_cli):
    root = workspace(files_with(**{"water.md": anchored("Water", "L5-L6")}), repo=True)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    # The transcript grows on disk, and an article anchors to the new line: the commit would not hold it.
    (root / "inbox/used" / SOURCE).write_text(STORED + "Nobody waters this week.\n", encoding="utf-8")
    (root / "articles/water.md").write_text(anchored("Water", "L5-L7"), encoding="utf-8")
    git(root, "add", "articles/water.md")
    assert run_cli(root, "check").returncode == 0  # the working tree holds line 7
    proc = run_cli(root, "check", "--staged")
    assert proc.returncode == 1
    assert "SR004 anchor #L5-L7 is past the end of inbox/used/" in proc.stdout and "which has 6 lines" in proc.stdout
    git(root, "add", f"inbox/used/{SOURCE}")
    assert run_cli(root, "check", "--staged").returncode == 0


def test_fix_repairs_a_links_depth_and_keeps_its_anchor(workspace, run_cli):
    deep = anchored("Beds", "L5-L6", depth=1)  # written one folder deeper than its links assume
    out_of_range = anchored("Rain", "L5-L9")
    files = files_with(**{"water.md": out_of_range})
    files["articles/beds/raised.md"] = deep
    files["articles/_index.md"] += row("Beds", "beds/raised.md")
    root = workspace(files)
    proc = run_cli(root, "check", "--fix")
    assert f"fixed: articles/beds/raised.md:15: link ../inbox/used/{SOURCE} → ../../inbox/used/{SOURCE}" in proc.stdout
    fixed = (root / "articles/beds/raised.md").read_text(encoding="utf-8")
    assert fixed == deep.replace("](../inbox", "](../../inbox")
    assert f"(../../inbox/used/{SOURCE}#L5-L6)" in fixed
    # An anchor past the end is reported, never "repaired": only a person knows which lines were meant.
    assert (root / "articles/water.md").read_text(encoding="utf-8") == out_of_range
    assert proc.returncode == 1 and "SR004 anchor #L5-L9" in proc.stdout


def test_checking_anchors_imports_nothing_heavy(workspace, env):
    root = workspace(files_with(**{"water.md": anchored("Water", "L5-L9")}))
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "notesmith", "check"], cwd=root, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "SR004" in proc.stdout, proc.stdout + proc.stderr
    assert_light(imported(proc.stderr))
