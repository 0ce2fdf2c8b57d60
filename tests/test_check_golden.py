"""Golden files: tests/fixtures/check/<case>.md is a (mostly broken) article, <case>.expected its findings.

Each case runs in its own workspace: the files of fixtures/check/_workspace/, the case placed at
articles/<case path>, the files of an optional <case>.files/ folder, and an articles/_index.md
listing every article (except cases named *not_indexed*; cases named *stale_index* get a stale row).
Every case also runs with CRLF line endings and must give the same findings.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from notesmith.checking.runner import run_check
from notesmith.checking.rules import RULES
from notesmith.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "check"
BASE = FIXTURES / "_workspace"
CASES = sorted(
    p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.md")
    if not p.relative_to(FIXTURES).parts[0].startswith("_workspace")
    and not any(part.endswith(".files") for part in p.relative_to(FIXTURES).parts)
)
_FIELD = re.compile(r"^(status|updated):[ \t]*(\S+)", re.M)


def _textual(case: str) -> bool:
    data = (FIXTURES / case).read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\0" not in data


def _index(root: Path) -> str:
    rows = []
    for path in sorted((root / "articles").rglob("*.md")):
        rel = path.relative_to(root / "articles").as_posix()
        if path.name.startswith("_") or "not_indexed" in rel:
            continue
        fields = dict(_FIELD.findall(path.read_bytes().decode("utf-8", "replace").replace("\r", "")))
        status, updated = fields.get("status", "draft"), fields.get("updated", "2026-10-01")
        if "stale_index" in rel:
            status, updated = "review", "2026-01-01"
        rows.append(f"| [{path.stem}]({rel}) | {status} | {updated} | A note. |")
    return ("# Articles\n\nEverything the garden team has written down.\n\n"
            "| Title | Status | Last Updated | Description |\n|---|---|---|---|\n" + "\n".join(rows) + "\n")


def build(tmp_path: Path, case: str, newline: bytes = b"\n") -> Workspace:
    root = tmp_path / "ws"
    shutil.copytree(BASE, root)
    (root / "notesmith.toml").write_text("", encoding="utf-8")
    data = (FIXTURES / case).read_bytes().replace(b"\r\n", b"\n")  # whatever a checkout did
    target = root / "articles" / case
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data.replace(b"\n", newline))
    extra = FIXTURES / (case[:-3] + ".files")
    if extra.is_dir():
        shutil.copytree(extra, root, dirs_exist_ok=True)
    if not (root / "articles" / "_index.md").exists():
        (root / "articles" / "_index.md").write_text(_index(root), encoding="utf-8")
    return Workspace.open(root)


def findings_text(ws: Workspace) -> list[str]:
    result = run_check(ws, orphans=True)
    return [f"{f.path}:{f.line}:{f.col}: {f.code} {'warning: ' * (f.severity == 'warning')}{f.message}"
            for f in result.findings]


def expected(case: str) -> list[str]:
    text = (FIXTURES / (case[:-3] + ".expected")).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("case", CASES)
def test_golden(tmp_path: Path, case: str):
    assert findings_text(build(tmp_path, case)) == expected(case)


@pytest.mark.parametrize("case", [c for c in CASES if _textual(c)])
def test_golden_crlf_gives_the_same_findings(tmp_path: Path, case: str):
    assert findings_text(build(tmp_path, case, b"\r\n")) == expected(case)


def test_base_workspace_is_clean(tmp_path: Path):
    root = tmp_path / "ws"
    shutil.copytree(BASE, root)
    (root / "notesmith.toml").write_text("", encoding="utf-8")
    (root / "articles" / "_index.md").write_text(_index(root), encoding="utf-8")
    result = run_check(Workspace.open(root), orphans=True)
    assert result.findings == [] and result.files == 3


def test_every_case_has_expected_findings_file():
    assert len(CASES) > 30
    missing = [c for c in CASES if not (FIXTURES / (c[:-3] + ".expected")).is_file()]
    assert missing == []


def test_every_rule_is_covered_by_a_golden_file():
    covered = set()
    for case in CASES:
        covered.update(line.split(" ", 2)[1] for line in expected(case))
    # FL003 needs a file over 5 MB: tests/test_check_bad_inputs.py generates one.
    assert set(RULES) - covered == {"FL003"}


def test_clean_cases_are_a_real_set():
    clean = [c for c in CASES if not expected(c)]
    assert len(clean) >= 8
    assert all(c.startswith("good") for c in clean)
