"""Bad article files: each gives exactly one finding naming the file and line, exit code 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from notesmith.checking.runner import MAX_ARTICLE_BYTES, run_check
from notesmith.workspace import Workspace

FRONT = (
    "---\n"
    'title: "Bed rota"\n'
    "created: 2026-10-04\n"
    "updated: 2026-10-05\n"
    "tags: [garden]\n"
    "status: draft\n"
    "---\n"
)
BODY = "\n# Bed rota\n\nEvery bed has a keeper.\n"
INDEX = (
    "# Articles\n\n| Title | Status | Last Updated | Description |\n|---|---|---|---|\n"
    "| [Bed rota](article.md) | draft | 2026-10-05 | Every bed has a keeper. |\n"
)

CASES = [  # name, content, the one code, its line
    ("bom", ("\ufeff" + FRONT + BODY).encode(), "FM010", 1),
    ("bom_crlf", ("\ufeff" + FRONT + BODY).replace("\n", "\r\n").encode(), "FM010", 1),
    ("crlf_broken_date", (FRONT.replace("2026-10-04", "4 Oct 2026") + BODY).replace("\n", "\r\n").encode(), "FM007", 3),
    ("not_utf8", (FRONT + "\n# Caf").encode() + b"\xe9 opening\n", "FL001", 9),
    ("utf16", (FRONT + BODY).encode("utf-16"), "FL002", 1),
    ("binary", bytes(range(256)) * 4, "FL002", 1),
    ("empty", b"", "FM001", 1),
    ("whitespace_only", b"\n\n  \n", "FM001", 1),
    ("unclosed", FRONT[:-4].encode() + BODY.encode(), "FM002", 1),
    ("yaml_error", FRONT.replace("tags: [garden]", "tags: [garden, beds").encode() + BODY.encode(), "FM003", 5),
    ("yaml_tab", FRONT.replace("status: draft", "status:\tdraft\n\tkeeper: mira").encode() + BODY.encode(), "FM003", 7),
    ("list", b"---\n- title\n- created\n---\n" + BODY.encode(), "FM004", 2),
    ("scalar", b"---\njust a sentence\n---\n" + BODY.encode(), "FM004", 2),
    ("no_frontmatter", BODY.encode(), "FM001", 1),
]


@pytest.fixture
def ws_with(workspace):
    def make(content: bytes) -> Path:
        return workspace({"articles/_index.md": INDEX, "articles/article.md": content})
    return make


@pytest.mark.parametrize("name, content, code, line", CASES, ids=[c[0] for c in CASES])
def test_library_gives_one_finding(ws_with, name, content, code, line):
    result = run_check(Workspace.open(ws_with(content)))
    assert [(f.path, f.line, f.code) for f in result.findings] == [("articles/article.md", line, code)]
    assert result.errors == 1 and result.files == 2  # the article and _index.md


@pytest.mark.parametrize("name, content, code, line", CASES, ids=[c[0] for c in CASES])
def test_cli_exits_1_with_one_line(ws_with, run_cli, name, content, code, line):
    root = ws_with(content)
    proc = run_cli(root, "check")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr == ""
    findings = proc.stdout.splitlines()[:-1]
    assert len(findings) == 1
    assert findings[0].startswith(f"articles/article.md:{line}:1: {code} ")
    assert proc.stdout.splitlines()[-1].startswith("1 error, 0 warnings in 2 files")


def test_the_valid_article_itself_is_clean(ws_with):
    assert run_check(Workspace.open(ws_with((FRONT + BODY).encode()))).findings == []


def test_huge_file_is_one_finding_without_reading_it(ws_with, run_cli):
    root = ws_with(b"")
    with open(root / "articles" / "article.md", "wb") as handle:
        handle.write(FRONT.encode())
        chunk = b"A line of compost notes that goes on and on.\n" * 1000
        while handle.tell() < 20 * 1024 * 1024:
            handle.write(chunk)
    assert (root / "articles" / "article.md").stat().st_size > MAX_ARTICLE_BYTES
    proc = run_cli(root, "check")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("articles/article.md:1:1: FL003 file is 20.0 MB")


def test_a_bad_file_does_not_stop_the_others(workspace):
    good = FRONT + BODY
    root = workspace({
        "articles/_index.md": INDEX + "| [Two](two.md) | draft | 2026-10-05 | x |\n",
        "articles/article.md": b"\xff\xfe\x00garbage",
        "articles/two.md": good.replace("Bed rota", "Two") + "A claim[^1].\n",
    })
    result = run_check(Workspace.open(root))
    assert [(f.path, f.code) for f in result.findings] == [
        ("articles/article.md", "FL002"), ("articles/two.md", "FN001")]
    assert result.files == 3


def test_yaml_error_behind_a_bom_keeps_its_line(ws_with):
    content = ("\ufeff" + FRONT.replace('"Bed rota"', '"Bed rota')).encode() + BODY.encode()
    result = run_check(Workspace.open(ws_with(content)))
    assert [(f.line, f.code) for f in result.findings] == [(1, "FM010"), (2, "FM003")]
