"""The rules `notesmith check` applies: stable codes, default severities, and the finding type."""

from __future__ import annotations

from typing import Mapping, NamedTuple

from notesmith.errors import ConfigError


class Rule(NamedTuple):
    code: str
    name: str
    severity: str  # default: "error" | "warning" | "off"
    summary: str
    fixable: bool = False


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("FL001", "not-utf8", "error", "the file is not valid UTF-8"),
        Rule("FL002", "binary", "error", "the file is binary, not Markdown"),
        Rule("FL003", "too-large", "error", "the file is larger than an article can be"),
        Rule("FM001", "no-frontmatter", "error", "the article has no frontmatter block (or is empty)"),
        Rule("FM002", "unclosed-frontmatter", "error", "the frontmatter block is never closed"),
        Rule("FM003", "yaml-error", "error", "the frontmatter is not valid YAML"),
        Rule("FM004", "frontmatter-not-mapping", "error", "the frontmatter is not a mapping of keys"),
        Rule("FM005", "missing-key", "error", "a required frontmatter key is missing"),
        Rule("FM006", "wrong-type", "error", "a frontmatter value has the wrong type"),
        Rule("FM007", "bad-date", "error", "a date is not YYYY-MM-DD"),
        Rule("FM008", "updated-before-created", "error", "`updated` is before `created`"),
        Rule("FM009", "bad-status", "error", "`status` is not one of the allowed values"),
        Rule("FM010", "bom", "error", "the file starts with a byte-order mark", fixable=True),
        Rule("FN001", "undefined-footnote", "error", "a footnote reference has no definition"),
        Rule("FN002", "unused-definition", "error", "a footnote definition is never referenced"),
        Rule("FN003", "duplicate-definition", "error", "a footnote is defined twice"),
        Rule("FN004", "glued-footnote", "error", "a footnote reference touches a URL"),
        Rule("SR001", "missing-source", "error", "a cited source file does not exist"),
        Rule("SR002", "source-wrong-path", "error", "a cited source exists, but at another path", fixable=True),
        Rule("SR003", "source-not-moved", "error", "a cited source is still in inbox/, never moved to inbox/used/"),
        Rule("SR004", "anchor-out-of-range", "error",
             "a line anchor (#L12-L18) names lines the linked file does not have"),
        Rule("LK001", "broken-link", "error", "a relative link points to nothing in the workspace"),
        Rule("LK002", "link-wrong-path", "error", "a linked file exists, but at another path", fixable=True),
        Rule("IM001", "missing-image", "error", "a local image does not exist"),
        Rule("IM002", "image-wrong-path", "error", "an image exists, but at another path", fixable=True),
        Rule("IX001", "not-indexed", "error", "an article is missing from _index.md", fixable=True),
        Rule("IX002", "dangling-index-row", "error", "an index row points to no article"),
        Rule("IX003", "stale-index-row", "warning", "an index row's status or date differs from the article", fixable=True),
        Rule("OR001", "orphan-input", "warning", "a file in inbox/used/ that no article cites (--orphans)"),
        Rule("ST001", "emphasis", "warning", "bold or italic emphasis (house style)"),
        Rule("ST002", "horizontal-rule", "warning", "a horizontal rule (house style)"),
        Rule("ST003", "adjacent-code-blocks", "warning", "two code blocks back to back (house style)"),
    )
}
_BY_NAME = {rule.name: rule.code for rule in RULES.values()}


class Finding(NamedTuple):
    """One problem: where (workspace-relative path, 1-based line and column), which rule, what."""

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: str = "error"
    fixable: bool = False

    def as_dict(self) -> dict:
        return {
            "path": self.path, "line": self.line, "col": self.col, "code": self.code,
            "severity": self.severity, "message": self.message, "fixable": self.fixable,
        }


def severities(overrides: Mapping[str, str]) -> dict[str, str]:
    """Each rule's severity after the workspace's [rules] table (by code or name)."""
    result = {code: rule.severity for code, rule in RULES.items()}
    for key, severity in overrides.items():
        code = key.upper() if key.upper() in RULES else _BY_NAME.get(key)
        if code is None:
            allowed = ", ".join(f"{r.code} ({r.name})" for r in RULES.values())
            raise ConfigError(f"rules: unknown rule {key!r}; known rules: {allowed}")
        result[code] = severity
    return result
