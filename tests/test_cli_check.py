"""`notesmith check` as a user runs it: a fresh interpreter, exit codes, formats, --fix and rule settings."""

from __future__ import annotations

import json
from pathlib import Path

from notesmith.config import ALLOWED
from notesmith.checking.rules import RULES

SOURCE = "20261001_081500_mira_holt_msg11_transcript.txt"
INDEX_HEAD = "# Articles\n\nNotes from the garden.\n\n| Title | Status | Last Updated | Description |\n|---|---|---|---|\n"


def article(title: str, body: str = "The butts are full[^1].", *, status: str = "draft",
            updated: str = "2026-10-05", depth: int = 1, extra: str = "") -> str:
    up = "../" * depth
    return (
        f'---\ntitle: "{title}"\ncreated: 2026-10-04\nupdated: {updated}\ntags: [garden]\nstatus: {status}\n---\n\n'
        f"# {title}\n\n{body}\n\n## Sources\n\n[^1]: [{SOURCE}]({up}inbox/used/{SOURCE})\n{extra}"
    )


def row(title: str, target: str, status: str = "draft", updated: str = "2026-10-05") -> str:
    return f"| [{title}]({target}) | {status} | {updated} | A note. |\n"


def base_files(**articles: str) -> dict[str, str]:
    files = {f"inbox/used/{SOURCE}": "---\nsource: telegram_voice\n---\n\nThe butts are full.\n"}
    files.update({f"articles/{name}": text for name, text in articles.items()})
    return files


def clean_workspace(workspace, **kwargs):
    files = base_files(**{"water.md": article("Water")})
    files["articles/_index.md"] = INDEX_HEAD + row("Water", "water.md")
    return workspace(files, **kwargs)


def test_clean_workspace_exits_0(workspace, run_cli):
    proc = run_cli(clean_workspace(workspace), "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "no problems in 2 files\n" and proc.stderr == ""


def test_errors_exit_1_with_sorted_lines_and_a_summary(workspace, run_cli):
    root = clean_workspace(workspace)
    (root / "articles" / "water.md").write_text(article("Water", "Full[^1][^2]. **Loud**."), encoding="utf-8")
    proc = run_cli(root, "check")
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "articles/water.md:11:9: FN001 footnote [^2] has no definition",
        "articles/water.md:11:15: ST001 warning: emphasis '**Loud**'; house style uses plain text",
        "1 error, 1 warning in 2 files",
    ]


def test_warnings_alone_exit_0_and_quiet_hides_them(workspace, run_cli):
    root = clean_workspace(workspace)
    (root / "articles" / "water.md").write_text(article("Water", "The butts are *full*[^1]."), encoding="utf-8")
    proc = run_cli(root, "check")
    assert proc.returncode == 0 and "ST001" in proc.stdout
    quiet = run_cli(root, "check", "-q")
    assert quiet.returncode == 0 and "ST001" not in quiet.stdout


def test_paths_and_running_from_a_sub_folder(workspace, run_cli):
    root = clean_workspace(workspace)
    (root / "articles" / "sub").mkdir()
    (root / "articles" / "sub" / "bad.md").write_text("no frontmatter\n", encoding="utf-8")
    proc = run_cli(root, "check", "articles/water.md")
    assert proc.returncode == 0 and proc.stdout == "no problems in 1 file\n"
    proc = run_cli(root / "articles" / "sub", "check", "bad.md")
    assert proc.returncode == 1
    assert proc.stdout.startswith("bad.md:1:1: FM001 ")  # paths as seen from where the user is


def test_usage_errors_exit_2(workspace, run_cli, tmp_path: Path):
    root = clean_workspace(workspace)
    assert run_cli(root, "check", "--format", "xml").returncode == 2
    both = run_cli(root, "check", "--fix", "--staged")
    assert both.returncode == 2 and "--staged" in both.stderr
    missing = run_cli(root, "check", "articles/nope.md")
    assert missing.returncode == 2 and "articles/nope.md: no such file or folder" in missing.stderr
    outside = tmp_path / "elsewhere.md"
    outside.write_text("x", encoding="utf-8")
    proc = run_cli(root, "check", str(outside))
    assert proc.returncode == 2 and "outside the workspace" in proc.stderr
    assert "Traceback" not in proc.stderr + missing.stderr + both.stderr


def test_unknown_config_key_exits_2_with_allowed_keys(workspace, run_cli):
    root = clean_workspace(workspace, config='articels = "docs"\n')
    proc = run_cli(root, "check")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "unknown setting 'articels'" in proc.stderr
    assert "allowed: " + ", ".join(ALLOWED) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_rules_table_changes_output_and_exit_code(workspace, run_cli):
    broken = article("Water", "The butts are **full**[^1].", extra="[^2]: An old note.\n")
    files = base_files(**{"water.md": broken})
    files["articles/_index.md"] = INDEX_HEAD + row("Water", "water.md")
    default = run_cli(workspace(files), "check")
    assert default.returncode == 1 and "FN002" in default.stdout and "ST001" in default.stdout
    tuned = run_cli(workspace(files, config='[rules]\nST001 = "off"\nFN002 = "warning"\n'), "check")
    assert tuned.returncode == 0
    assert tuned.stdout.splitlines() == [
        "articles/water.md:16:1: FN002 warning: footnote [^2] is defined but never referenced",
        "0 errors, 1 warning in 2 files",
    ]
    by_name = run_cli(workspace(files, config='[rules]\nemphasis = "error"\nFN002 = "off"\n'), "check")
    assert by_name.returncode == 1 and "FN002" not in by_name.stdout
    assert "ST001 emphasis" in by_name.stdout  # now an error: no "warning:" prefix
    bad = run_cli(workspace(files, config='[rules]\nST999 = "off"\n'), "check")
    assert bad.returncode == 2 and "unknown rule 'ST999'" in bad.stderr


def test_json_format(workspace, run_cli):
    root = clean_workspace(workspace)
    (root / "articles" / "water.md").write_text(article("Water", "Full[^2]."), encoding="utf-8")
    proc = run_cli(root, "check", "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["summary"] == {"files": 2, "errors": 2, "warnings": 0}
    assert [(f["path"], f["line"], f["code"], f["severity"]) for f in data["findings"]] == [
        ("articles/water.md", 11, "FN001", "error"), ("articles/water.md", 15, "FN002", "error")]
    assert set(data["findings"][0]) == {"path", "line", "col", "code", "severity", "message", "fixable"}


def test_github_format(workspace, run_cli):
    root = clean_workspace(workspace)
    (root / "articles" / "water.md").write_text(article("Water", "Full[^2] and *soft*[^1]."), encoding="utf-8")
    lines = run_cli(root, "check", "--format", "github").stdout.splitlines()
    assert lines[:2] == [
        "::error file=articles/water.md,line=11,col=5,title=FN001::footnote [^2] has no definition",
        "::warning file=articles/water.md,line=11,col=14,title=ST001::emphasis '*soft*'; house style uses plain text",
    ]
    assert lines[-1] == "1 error, 1 warning in 2 files"


def test_fix_repairs_depth_index_rows_and_stale_cells(workspace, run_cli):
    wrong_depth = article("Beds", "Beds rest over winter[^1].", depth=1, extra="[^9]: An unused note.\n")
    files = base_files(**{"water.md": article("Water", status="review"), "beds/raised.md": wrong_depth,
                          "new.md": article("New one", "A new article[^1].")})
    files["articles/_index.md"] = (INDEX_HEAD + row("Water", "water.md", status="draft", updated="2026-01-01")
                                   + row("Beds", "beds/raised.md") + "\nText after the table stays.\n")
    root = workspace(files)
    before = run_cli(root, "check")
    assert before.returncode == 1
    assert {line.split(" ")[1] for line in before.stdout.splitlines()[:-1]} == {"SR002", "IX001", "IX003", "FN002"}

    proc = run_cli(root, "check", "--fix")
    out = proc.stdout.splitlines()
    assert "fixed: articles/beds/raised.md:15: link ../inbox/used/" + SOURCE + " → ../../inbox/used/" + SOURCE in out
    assert "fixed: articles/_index.md: added a row for articles/new.md" in out
    assert "fixed: articles/_index.md:7: updated the row for articles/water.md" in out
    assert out[-2:] == ["articles/beds/raised.md:16:1: FN002 footnote [^9] is defined but never referenced",
                        "fixed 3; 1 error, 0 warnings in 4 files"]
    assert proc.returncode == 1  # what is left: the unused definition, which --fix never deletes

    raised = (root / "articles" / "beds" / "raised.md").read_text(encoding="utf-8")
    assert raised == wrong_depth.replace("](../inbox", "](../../inbox")
    index = (root / "articles" / "_index.md").read_text(encoding="utf-8")
    assert index == (INDEX_HEAD + "| [New one](new.md) | draft | 2026-10-05 | A new article. |\n"
                     + row("Water", "water.md", status="review") + row("Beds", "beds/raised.md")
                     + "\nText after the table stays.\n")

    again = run_cli(root, "check", "--fix")
    assert "fixed:" not in again.stdout and again.returncode == 1


def test_fix_creates_the_index_and_exits_0_when_all_is_fixed(workspace, run_cli):
    root = workspace(base_files(**{"water.md": article("Water"), "deep/beds.md": article("Beds", depth=2)}))
    proc = run_cli(root, "check", "--fix")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.splitlines()[-1] == "fixed 2; no problems in 3 files"
    text = (root / "articles" / "_index.md").read_text(encoding="utf-8")
    assert "| Title | Status | Last Updated | Description |" in text
    assert "| [Water](water.md) | draft | 2026-10-05 | The butts are full. |" in text
    assert "| [Beds](deep/beds.md) | draft | 2026-10-05 | The butts are full. |" in text
    assert run_cli(root, "check").returncode == 0


def test_fix_removes_a_bom_and_keeps_crlf(workspace, run_cli):
    text = article("Water").replace("\n", "\r\n")
    files = base_files()
    files["articles/water.md"] = "\ufeff" + text
    files["articles/_index.md"] = INDEX_HEAD + row("Water", "water.md")
    root = workspace(files)
    proc = run_cli(root, "check", "--fix")
    assert proc.returncode == 0 and "fixed: articles/water.md:1: removed the byte-order mark" in proc.stdout
    assert (root / "articles" / "water.md").read_bytes() == text.encode()


def test_last_check_is_remembered_for_status(workspace, run_cli):
    root = clean_workspace(workspace)
    (root / "articles" / "water.md").write_text(article("Water", "Full[^2]."), encoding="utf-8")
    run_cli(root, "check")
    data = json.loads((root / ".notesmith" / "last-check.json").read_text(encoding="utf-8"))
    assert data["errors"] == 2 and data["warnings"] == 0 and data["files"] == 2


def test_rules_command_lists_every_code(workspace, run_cli):
    proc = run_cli(clean_workspace(workspace), "rules")
    assert proc.returncode == 0
    assert [line.split()[0] for line in proc.stdout.splitlines()] == list(RULES)
    assert "(fixable)" in proc.stdout


def test_fix_rewrites_targets_not_link_texts_several_per_line(workspace, run_cli):
    body = ("See [plan.md](plan.md) and [hub.md](hub.md), ![bays.png](bays.png) and "
            '<img src="bays.png" alt="bays.png"> too[^1].')
    files = base_files(**{"notes/season.md": article("Season", body, depth=2),
                          "plans/plan.md": article("Plan", depth=2), "hub.md": article("Hub")})
    files["assets/bays.png"] = "png"
    files["articles/_index.md"] = (INDEX_HEAD + row("Season", "notes/season.md") + row("Plan", "plans/plan.md")
                                   + row("Hub", "hub.md"))
    root = workspace(files)
    proc = run_cli(root, "check", "--fix")
    assert proc.returncode == 0, proc.stdout
    fixed = [line for line in proc.stdout.splitlines() if line.startswith("fixed:")]
    assert fixed == [
        "fixed: articles/notes/season.md:11: link plan.md → ../plans/plan.md",
        "fixed: articles/notes/season.md:11: link hub.md → ../hub.md",
        "fixed: articles/notes/season.md:11: link bays.png → ../../assets/bays.png",
        "fixed: articles/notes/season.md:11: link bays.png → ../../assets/bays.png",
    ]
    text = (root / "articles" / "notes" / "season.md").read_text(encoding="utf-8")
    assert ("See [plan.md](../plans/plan.md) and [hub.md](../hub.md), ![bays.png](../../assets/bays.png) and "
            '<img src="../../assets/bays.png" alt="bays.png"> too[^1].') in text
