"""Turn a run's decisions into the apply plan: every path, every content hash, the commit message."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from notesmith.pipeline.journal import sha256
from notesmith.llm.base import Usage


@dataclass
class Changes:
    """Everything a run will change, workspace-relative."""

    writes: dict[str, str] = field(default_factory=dict)  # articles and index files → new text
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    moves: list[tuple[str, str]] = field(default_factory=list)  # inputs → used/, feedback/, skipped/
    fails: list[tuple[str, str, str]] = field(default_factory=list)  # input, destination, reason
    feedback: list[str] = field(default_factory=list)

    def inputs_moved(self) -> list[str]:
        return [src for src, _ in self.moves]


def reason_path(destination: str) -> str:
    return destination + ".reason.txt"


def commit_message(changes: Changes, *, run_id: str, model: str, usage: Usage, inputs: int) -> str:
    """A message listing what was created and updated, with trailers for model, inputs and tokens."""
    parts = []
    if changes.created:
        parts.append(f"create {len(changes.created)}")
    if changes.updated:
        parts.append(f"update {len(changes.updated)}")
    if changes.feedback:
        parts.append(f"file {len(changes.feedback)} as feedback")
    subject = "notesmith: " + (", ".join(parts) if parts else f"process {inputs} inputs")
    if changes.created or changes.updated:
        subject += " article" + ("s" if len(changes.created) + len(changes.updated) != 1 else "")
    body = []
    for title, rels in (("Created", changes.created), ("Updated", changes.updated)):
        if rels:
            body.append(f"{title}:")
            body.extend(f"- {rel}: {changes.titles.get(rel, '')}".rstrip(": ") for rel in rels)
    if changes.feedback:
        body.append("Feedback:")
        body.extend(f"- {rel}" for rel in changes.feedback)
    skipped = [dst for _, dst in changes.moves if "/skipped/" in f"/{dst}"]
    if skipped:
        body.append("Skipped:")
        body.extend(f"- {rel}" for rel in skipped)
    trailers = [
        f"Notesmith-Run: {run_id}",
        f"Notesmith-Model: {model}",
        f"Notesmith-Inputs: {inputs}",
        f"Notesmith-Tokens: {usage.prompt_tokens} prompt, {usage.completion_tokens} completion",
    ]
    return "\n\n".join(p for p in (subject, "\n".join(body), "\n".join(trailers)) if p) + "\n"


def build_plan(changes: Changes, *, run_id: str, commit: bool, branch: str | None, message: str,
               tracked: set[str], inbox_commit: bool) -> tuple[dict, dict[str, bytes]]:
    """The journal plan and the contents it refers to (by sha256)."""
    steps: list[dict] = []
    contents: dict[str, bytes] = {}
    if commit and branch:
        steps.append({"op": "branch", "name": branch})
    arrived = [src for src, _ in changes.moves if src not in tracked]
    if commit and inbox_commit and arrived:
        steps.append({"op": "commit_inputs", "paths": arrived, "message": "inbox: add {n} inputs"})
    for rel, text in changes.writes.items():
        data = text.encode("utf-8")
        digest = sha256(data)
        contents[digest] = data
        steps.append({"op": "write", "path": rel, "sha": digest})
    for src, dst, reason in changes.fails:
        note = (f"{reason}\n\nThis input came from {src}. Once it is fixed, move it back there "
                "and run `notesmith process` again.")
        steps.append({"op": "fail", "from": src, "to": dst, "reason_path": reason_path(dst), "reason": note})
    for src, dst in changes.moves:
        steps.append({"op": "move", "from": src, "to": dst})
    if commit:
        paths = list(changes.writes)
        for src, dst in changes.moves:
            paths += [src, dst]
        for src, dst, _ in changes.fails:
            if src in tracked:  # a tracked input is shown moving to failed/ with its reason
                paths += [src, dst, reason_path(dst)]
        steps.append({"op": "commit", "run_id": run_id, "paths": sorted(set(paths)), "message": message})
    return {"run_id": run_id, "steps": steps}, contents


def describe_plan(changes: Changes) -> list[str]:
    """Plan lines for --dry-run."""
    lines = [f"create {rel}: {changes.titles.get(rel, '')}" for rel in changes.created]
    lines += [f"update {rel}" for rel in changes.updated]
    lines += [f"move {src} → {posixpath.dirname(dst)}/" for src, dst in changes.moves]
    lines += [f"fail {src}: {reason}" for src, _, reason in changes.fails]
    lines += [f"write {rel}" for rel in changes.writes if rel not in changes.created and rel not in changes.updated]
    return lines
