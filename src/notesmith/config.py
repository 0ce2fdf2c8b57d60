"""Configuration: built-in defaults, then notesmith.toml or [tool.notesmith], then NOTESMITH_* variables, then flags."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from notesmith.errors import ConfigError

SEVERITIES = ("error", "warning", "off")
CITATIONS = ("passage", "source")
TRANSCRIBE = ("local", "api", "off")


@dataclass(frozen=True)
class Config:
    """Every setting notesmith reads; paths are relative to the workspace root."""

    inbox: str = "inbox"
    used: str = "inbox/used"
    feedback: str = "inbox/used/feedback"
    skipped: str = "inbox/used/skipped"
    failed: str = "inbox/failed"
    articles: str = "articles"
    assets: str = "assets"
    prompts: str = "prompts"
    state: str = ".notesmith"
    style_file: str = "prompts/style.md"
    index_name: str = "_index.md"
    language: str = "en"
    statuses: tuple[str, ...] = ("draft", "review", "published")
    default_status: str = "draft"
    required: tuple[str, ...] = ("title", "created", "updated", "tags", "status")
    group_window: float = 120.0
    merge_window: float = 1800.0  # offline: consecutive notes on one topic this close become one article
    merge_similarity: float = 0.35  # ... when their words are this alike (0..1; above 1: never)
    settle: float = 120.0
    model: str | None = None
    base_url: str | None = None
    context_tokens: int = 32768
    temperature: float | None = None  # None: the endpoint's default (reasoning models refuse others)
    seed: int | None = None
    jobs: int = 4
    retries: int = 5
    timeout: float = 120.0
    shortlist: int = 8
    keep_runs: int = 20
    max_input_mb: float = 60.0
    price_input: float = 0.0
    price_output: float = 0.0
    offline: bool = False
    citations: str = "passage"  # "passage": a footnote per anchored passage; "source": one per input
    transcribe: str = "local"  # audio in the inbox: "local" (faster-whisper), "api" or "off"
    transcribe_model: str | None = None  # local: a name ("base") or a model folder; api: "whisper-1"
    transcribe_language: str | None = None  # None: detected per recording
    transcribe_base_url: str | None = None  # api: the endpoint, else base_url
    rules: Mapping[str, str] = field(default_factory=dict)

    def replace(self, **changes: Any) -> "Config":
        """A copy with some settings changed, validated like any other source."""
        return merge(self, changes, source="arguments")


_FIELDS = {f.name: f for f in fields(Config)}
ALLOWED = tuple(sorted(_FIELDS))
PATH_KEYS = ("inbox", "used", "feedback", "skipped", "failed", "articles", "assets", "prompts", "state", "style_file")
FILE_NAME_KEYS = ("index_name",)
_OPTIONAL_NUMBERS = {"temperature": float, "seed": int}


def _coerce(key: str, value: Any, source: str) -> Any:
    default = getattr(Config(), key)
    def bad(expected: str) -> ConfigError:
        return ConfigError(f"{source}: '{key}' must be {expected}, got {value!r}")
    if key == "rules":
        if not isinstance(value, Mapping):
            raise bad("a table of CODE = \"error\" | \"warning\" | \"off\"")
        for code, severity in value.items():
            if severity not in SEVERITIES:
                raise ConfigError(f"{source}: rule {code} must be one of {', '.join(SEVERITIES)}, got {severity!r}")
        return dict(value)
    if key in _OPTIONAL_NUMBERS:
        if value is None or value == "":
            return None
        try:
            number = _OPTIONAL_NUMBERS[key](value)
        except (TypeError, ValueError):
            raise bad("a number") from None
        if number < 0 or isinstance(value, bool):
            raise bad("a number ≥ 0")
        return number
    if isinstance(default, tuple):
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise bad("a list of strings")
        return tuple(value)
    if isinstance(default, bool):
        if isinstance(value, str):
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off", ""):
                return False
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        try:
            number = type(default)(value)
        except (TypeError, ValueError):
            raise bad("a number") from None
        if number < 0:
            raise bad("a number ≥ 0")
        return number
    if value is None or value == "":
        return None if default is None else default
    if not isinstance(value, str):
        raise bad("a string")
    if key == "transcribe" and value not in TRANSCRIBE:
        raise bad(" or ".join(f'"{v}"' for v in TRANSCRIBE))
    if key in PATH_KEYS:
        parts = Path(value).parts
        if Path(value).is_absolute() or ".." in parts:
            raise bad("a path inside the workspace")
    if key == "citations" and value not in CITATIONS:
        raise bad(" or ".join(f'"{c}"' for c in CITATIONS))
    if key in FILE_NAME_KEYS and (Path(value).name != value or value in (".", "..")):
        raise bad("a plain file name (no folders)")
    return value


def merge(base: Config, values: Mapping[str, Any], *, source: str) -> Config:
    """Return base updated with values; unknown keys are rejected with the list of allowed ones."""
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown:
        raise ConfigError(
            f"{source}: unknown setting {', '.join(map(repr, unknown))}; allowed: {', '.join(ALLOWED)}"
        )
    changes = {k: _coerce(k, v, source) for k, v in values.items() if v is not None}
    current = {f: getattr(base, f) for f in _FIELDS}
    return Config(**{**current, **changes})


def read_file_settings(root: Path) -> tuple[dict[str, Any], str | None]:
    """Settings from notesmith.toml, else [tool.notesmith] of pyproject.toml, and where they came from."""
    for name, table in (("notesmith.toml", None), ("pyproject.toml", ("tool", "notesmith"))):
        path = root / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or remove it") from None
        if table:
            data = data.get(table[0], {}).get(table[1])
            if data is None:
                continue
        return dict(data), str(path)
    return {}, None


def env_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings from NOTESMITH_* variables (NOTESMITH_MODEL → model); unknown names are rejected."""
    values: dict[str, Any] = {}
    ignored = {"NOTESMITH_DEBUG", "NOTESMITH_CRASH_AFTER_STEP"}  # the second is the crash tests' seam
    for name, value in environ.items():
        if name.startswith("NOTESMITH_") and name not in ignored:
            values[name[len("NOTESMITH_"):].lower()] = value
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown:
        names = ", ".join("NOTESMITH_" + k.upper() for k in unknown)
        raise ConfigError(f"environment: unknown variable {names}; allowed: NOTESMITH_<SETTING> for {', '.join(ALLOWED)}")
    return values


def load_config(root: Path, flags: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> Config:
    """The workspace's configuration: defaults, file, environment, then flags (None means not given)."""
    environ = os.environ if environ is None else environ
    config = Config()
    if environ.get("OPENAI_BASE_URL"):
        config = merge(config, {"base_url": environ["OPENAI_BASE_URL"]}, source="OPENAI_BASE_URL")
    file_values, where = read_file_settings(root)
    config = merge(config, file_values, source=where or "config")
    config = merge(config, env_settings(environ), source="environment")
    return merge(config, dict(flags or {}), source="command line")
