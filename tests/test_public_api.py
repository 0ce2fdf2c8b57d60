"""The public API: an honest, sorted __all__, and a check path that stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import notesmith


def test_all_is_sorted_and_unique():
    assert notesmith.__all__ == sorted(set(notesmith.__all__))


def test_every_name_in_all_resolves():
    for name in notesmith.__all__:
        assert getattr(notesmith, name) is not None, name


def test_dir_lists_the_public_names():
    assert set(notesmith.__all__) <= set(dir(notesmith))


def test_unknown_attribute_is_an_attribute_error():
    try:
        notesmith.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_public_callables_have_docstrings():
    for name in notesmith.__all__:
        value = getattr(notesmith, name)
        if callable(value):
            assert (value.__doc__ or "").strip(), name


PROBE = """
import json, sys
import notesmith
result = notesmith.check(workspace=sys.argv[1])
print(json.dumps({"ok": result.ok, "codes": [f.code for f in result],
                  "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("openai", "git", "httpx"))}))
"""


def test_check_does_not_import_openai_or_git(workspace, env):
    root = workspace({"articles/x.md": "no frontmatter\n"})
    proc = subprocess.run([sys.executable, "-c", PROBE, str(root)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["codes"] == ["FM001"] and data["ok"] is False
    assert data["loaded"] == []


def test_cli_check_does_not_import_openai_or_git(workspace, env):
    root = workspace()
    code = ("import sys, runpy; sys.argv = ['notesmith', 'check']\n"
            "try:\n    runpy.run_module('notesmith', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openai', 'git')))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"
