"""Configuration: defaults, then the file, then NOTESMITH_* variables, then flags; unknown keys rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from notesmith.config import ALLOWED, Config, load_config
from notesmith.errors import ConfigError
from notesmith.checking.rules import RULES, severities
from notesmith.workspace import Workspace, find_root


def write(root: Path, name: str, text: str) -> Path:
    (root / name).write_text(text, encoding="utf-8")
    return root


def test_defaults_without_any_file(tmp_path: Path):
    config = load_config(tmp_path, environ={})
    assert config == Config()
    assert config.statuses == ("draft", "review", "published")
    assert config.articles == "articles" and config.used == "inbox/used"


def test_notesmith_toml_wins_over_pyproject(tmp_path: Path):
    write(tmp_path, "pyproject.toml", '[tool.notesmith]\narticles = "docs"\n')
    write(tmp_path, "notesmith.toml", 'articles = "notes"\nstatuses = ["idea", "done"]\n')
    config = load_config(tmp_path, environ={})
    assert config.articles == "notes" and config.statuses == ("idea", "done")


def test_pyproject_tool_table(tmp_path: Path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.notesmith]\nlanguage = "de"\n')
    assert load_config(tmp_path, environ={}).language == "de"


def test_environment_then_flags(tmp_path: Path):
    write(tmp_path, "notesmith.toml", 'model = "from-file"\njobs = 2\n')
    environ = {"NOTESMITH_MODEL": "from-env", "NOTESMITH_JOBS": "3", "NOTESMITH_DEBUG": "1"}
    assert load_config(tmp_path, environ=environ).model == "from-env"
    config = load_config(tmp_path, {"model": "from-flag", "jobs": None}, environ=environ)
    assert config.model == "from-flag" and config.jobs == 3


def test_unknown_file_key_names_the_allowed_ones(tmp_path: Path):
    write(tmp_path, "notesmith.toml", 'artcles = "docs"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={})
    message = str(info.value)
    assert "notesmith.toml" in message and "'artcles'" in message
    assert "allowed: " + ", ".join(ALLOWED) in message
    assert info.value.exit_code == 2


def test_unknown_environment_variable(tmp_path: Path):
    with pytest.raises(ConfigError, match="NOTESMITH_MODDEL"):
        load_config(tmp_path, environ={"NOTESMITH_MODDEL": "x"})


@pytest.mark.parametrize("text, fragment", [
    ('jobs = "many"\n', "'jobs' must be a number"),
    ("jobs = -1\n", "'jobs' must be a number ≥ 0"),
    ("statuses = [1, 2]\n", "'statuses' must be a list of strings"),
    ('offline = "perhaps"\n', "'offline' must be true or false"),
    ('articles = "../elsewhere"\n', "'articles' must be a path inside the workspace"),
    ('articles = "/abs"\n', "'articles' must be a path inside the workspace"),
    ('rules = "all"\n', "'rules' must be a table"),
    ('citations = "paragraph"\n', ''''citations' must be "passage" or "source"'''),
    ('[rules]\nST001 = "loud"\n', "rule ST001 must be one of error, warning, off"),
    ("this is not toml\n", "not valid TOML"),
])
def test_bad_values_are_one_clear_error(tmp_path: Path, text: str, fragment: str):
    write(tmp_path, "notesmith.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={})
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_strings_become_lists_and_booleans():
    config = Config().replace(statuses="idea, draft ,done", offline="yes")
    assert config.statuses == ("idea", "draft", "done") and config.offline is True


def test_rules_by_code_or_name(tmp_path: Path):
    write(tmp_path, "notesmith.toml", '[rules]\nST001 = "off"\nunused-definition = "warning"\nix003 = "error"\n')
    result = severities(load_config(tmp_path, environ={}).rules)
    assert result["ST001"] == "off" and result["FN002"] == "warning" and result["IX003"] == "error"
    assert result["FN001"] == RULES["FN001"].severity


def test_unknown_rule_lists_the_known_ones():
    with pytest.raises(ConfigError) as info:
        severities({"XX999": "off"})
    assert "XX999" in str(info.value) and "FN002 (unused-definition)" in str(info.value)


def test_find_root_prefers_config_then_git(tmp_path: Path):
    write(tmp_path, "notesmith.toml", "")
    deep = tmp_path / "articles" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_root(deep) == tmp_path.resolve()
    other = tmp_path / "repo"
    (other / ".git").mkdir(parents=True)
    (other / "sub").mkdir()
    assert find_root(other / "sub") == other.resolve()


def test_pyproject_without_tool_table_is_not_a_workspace_marker(tmp_path: Path):
    write(tmp_path, "notesmith.toml", "")
    project = tmp_path / "project"
    project.mkdir()
    write(project, "pyproject.toml", '[project]\nname = "x"\n')
    assert find_root(project) == tmp_path.resolve()


def test_workspace_paths(tmp_path: Path):
    write(tmp_path, "notesmith.toml", 'articles = "docs"\n')
    ws = Workspace.open(tmp_path, environ={})
    assert ws.articles == tmp_path.resolve() / "docs"
    assert ws.rel(ws.articles / "x.md") == "docs/x.md"


def test_citations_by_passage_unless_set_to_source(tmp_path: Path):
    assert load_config(tmp_path, environ={}).citations == "passage"
    write(tmp_path, "notesmith.toml", 'citations = "source"\n')
    assert load_config(tmp_path, environ={}).citations == "source"
