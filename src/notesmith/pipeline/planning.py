"""Turn a run's decisions into the apply plan: every path, the hash of every content and of what it
replaces, which inputs each article takes, and the commit message."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field

from notesmith.files import bytes_of
from notesmith.llm.base import Usage
from notesmith.pipeline.journal import sha256
from notesmith.pipeline.report import InputCoverage, Unverified, short_names

USED, FEEDBACK, SKIPPED = "used", "feedback", "skipped"
RUN_TRAILER = "Notesmith-Run"
COVERAGE_TRAILER = "Notesmith-Coverage"
MAX_NAME_BYTES = 255


@dataclass(frozen=True)
class Move:
    """An input leaving the inbox: to used/ (cited), feedback/ or skipped/."""

    src: str
    dst: str
    kind: str = USED


@dataclass
class Changes:
    """Everything a run will change, workspace-relative."""

    writes: dict[str, str] = field(default_factory=dict)  # articles and index files → new text
    pre: dict[str, str | None] = field(default_factory=dict)  # what each write was built on (sha256, None: no file)
    cites: dict[str, list[str]] = field(default_factory=dict)  # article → the inputs it takes (they wait with it)
    needs: dict[str, list[str]] = field(default_factory=dict)  # index file → the new articles its rows list
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    moves: list[Move] = field(default_factory=list)
    fails: list[tuple[str, str, str]] = field(default_factory=list)  # input, destination, reason
    coverage: list[InputCoverage] = field(default_factory=list)  # per input moved to used/, by name
    unverified: list[Unverified] = field(default_factory=list)  # quoted passages not found in their input

    def moved(self, kind: str) -> list[str]:
        """Destinations of the inputs moved as `kind`."""
        return [m.dst for m in self.moves if m.kind == kind]


def reason_path(destination: str) -> str:
    """Where a failed input's reason goes: beside it, as NAME.reason.txt (shortened to fit a file name)."""
    folder, name = posixpath.split(destination)
    suffix = ".reason.txt"
    if len(os.fsencode(name + suffix)) > MAX_NAME_BYTES:
        digest = sha256(os.fsencode(name))[:10]
        raw = os.fsencode(name)[: MAX_NAME_BYTES - len(suffix) - 12]
        name = raw.decode("utf-8", "ignore") + "-" + digest
    return posixpath.join(folder, name + suffix)


def summary_of(changes: Changes) -> dict:
    """What the commit message lists, kept in the plan so a finished plan can say what it did."""
    names = short_names([c.input for c in changes.coverage])
    return {
        "created": [[rel, changes.titles.get(rel, "")] for rel in changes.created],
        "updated": [[rel, changes.titles.get(rel, "")] for rel in changes.updated],
        "feedback": changes.moved(FEEDBACK),
        "skipped": changes.moved(SKIPPED),
        "coverage": [[names[c.input], c.percent] for c in changes.coverage],
    }


def commit_message(summary: dict, *, run_id: str, model: str, usage: Usage, inputs: int) -> str:
    """A message listing what was created and updated, with trailers for model, inputs and tokens."""
    created, updated, feedback = summary["created"], summary["updated"], summary["feedback"]
    parts = []
    if created:
        parts.append(f"create {len(created)}")
    if updated:
        parts.append(f"update {len(updated)}")
    if parts:
        parts = [", ".join(parts) + " article" + ("s" if len(created) + len(updated) != 1 else "")]
    if feedback:
        parts.append(f"file {len(feedback)} as feedback")
    subject = "notesmith: " + (", ".join(parts) if parts else f"process {inputs} input{'s' * (inputs != 1)}")
    body = []
    for heading, rows in (("Created", created), ("Updated", updated)):
        if rows:
            body.append(f"{heading}:")
            body.extend(f"- {rel}: {title}".rstrip(": ") for rel, title in rows)
    for heading, rels in (("Feedback", feedback), ("Skipped", summary["skipped"])):
        if rels:
            body.append(f"{heading}:")
            body.extend(f"- {rel}" for rel in rels)
    trailers = [
        f"{RUN_TRAILER}: {run_id}",
        f"Notesmith-Model: {model}",
        f"Notesmith-Inputs: {inputs}",
        f"Notesmith-Tokens: {usage.prompt_tokens} prompt, {usage.completion_tokens} completion",
    ]
    if summary.get("coverage"):  # plans written before coverage existed have none
        trailers.append(f"{COVERAGE_TRAILER}: " + ", ".join(f"{name} {percent}%" for name, percent in summary["coverage"]))
    return "\n\n".join(p for p in (subject, "\n".join(body), "\n".join(trailers)) if p) + "\n"


def build_plan(changes: Changes, *, run_id: str, commit: bool, branch: str | None, model: str,
               usage: Usage, tracked: set[str]) -> tuple[dict, dict[str, bytes]]:
    """The journal plan and the contents it refers to (by sha256)."""
    steps: list[dict] = []
    contents: dict[str, bytes] = {}
    if commit and branch:
        steps.append({"op": "branch", "name": branch})
    arrived = [m.src for m in changes.moves if m.src not in tracked]
    if commit and arrived:
        steps.append({"op": "commit_inputs", "paths": arrived, "message": "inbox: add {inputs}"})
    for rel, text in changes.writes.items():
        data = bytes_of(text)
        digest = sha256(data)
        contents[digest] = data
        steps.append({"op": "write", "path": rel, "sha": digest, "pre": changes.pre.get(rel),
                      "inputs": changes.cites.get(rel, []), "needs": changes.needs.get(rel, [])})
    for src, dst, reason in changes.fails:
        note = (f"{reason}\n\nThis input came from {src}. Once it is fixed, move it back there "
                "and run `notesmith process` again.")
        steps.append({"op": "fail", "from": src, "to": dst, "reason_path": reason_path(dst), "reason": note})
    for move in changes.moves:
        steps.append({"op": "move", "from": move.src, "to": move.dst, "kind": move.kind})
    if commit:
        paths = list(changes.writes)
        for move in changes.moves:
            paths += [move.src, move.dst]
        for src, dst, _ in changes.fails:
            if src in tracked:  # a tracked input is shown moving to failed/ with its reason
                paths += [src, dst, reason_path(dst)]
        inputs = len(changes.moves) + len(changes.fails)
        steps.append({"op": "commit", "run_id": run_id, "paths": sorted(set(paths)), "summary": summary_of(changes),
                      "model": model, "inputs": inputs,
                      "usage": [usage.prompt_tokens, usage.completion_tokens]})
    return {"run_id": run_id, "steps": steps}, contents


def describe_plan(changes: Changes) -> list[str]:
    """Plan lines for --dry-run."""
    lines = [f"create {rel}: {changes.titles.get(rel, '')}" for rel in changes.created]
    lines += [f"update {rel}" for rel in changes.updated]
    lines += [f"move {m.src} → {posixpath.dirname(m.dst)}/" for m in changes.moves]
    lines += [f"fail {src}: {reason}" for src, _, reason in changes.fails]
    lines += [f"write {rel}" for rel in changes.writes if rel not in changes.created and rel not in changes.updated]
    return lines
