"""How check findings are printed: text lines, JSON, or GitHub Actions annotations."""

from __future__ import annotations

import json
import os
from typing import Iterable

from notesmith.checking.rules import Finding

FORMATS = ("text", "json", "github")


def display_path(path: str, root: str) -> str:
    """A workspace-relative path as the user should see it from the current folder."""
    full = os.path.join(root, path)
    rel = os.path.relpath(full)
    return rel if not rel.startswith("../../..") else full


def summary_line(findings: list[Finding], files: int, fixed: int = 0, hidden: int = 0) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    fixable = sum(1 for f in findings if f.fixable)
    noun = "file" if files == 1 else "files"
    parts = []
    if fixed:
        parts.append(f"fixed {fixed}")
    if not findings:
        parts.append(f"no problems in {files} {noun}")
    else:
        parts.append(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} in {files} {noun}")
        if fixable:
            parts.append(f"{fixable} fixable with --fix")
    if hidden:
        parts.append(f"{hidden} warning{'s' * (hidden != 1)} not shown (-q)")
    return "; ".join(parts)


def render(findings: Iterable[Finding], fmt: str, root: str, files: int, fixed: list[str] = (), *,
           quiet: bool = False) -> str:
    """The whole output of a check in the chosen format; `quiet` lists only errors but counts everything."""
    counted = list(findings)
    findings = [f for f in counted if not quiet or f.severity == "error"]
    if fmt == "json":
        return json.dumps({
            "findings": [dict(f.as_dict(), path=display_path(f.path, root)) for f in findings],
            "fixed": list(fixed),
            "summary": {
                "files": files,
                "errors": sum(1 for f in counted if f.severity == "error"),
                "warnings": sum(1 for f in counted if f.severity == "warning"),
            },
        }, indent=2, ensure_ascii=False)
    lines = []
    if fmt == "github":
        for f in findings:
            level = "error" if f.severity == "error" else "warning"
            message = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            lines.append(f"::{level} file={display_path(f.path, root)},line={f.line},col={f.col},"
                         f"title={f.code}::{message}")
    else:
        lines.extend(f"fixed: {change}" for change in fixed)
        for f in findings:
            prefix = "" if f.severity == "error" else "warning: "
            lines.append(f"{display_path(f.path, root)}:{f.line}:{f.col}: {f.code} {prefix}{f.message}")
    lines.append(summary_line(counted, files, len(fixed), hidden=len(counted) - len(findings)))
    return "\n".join(lines)
