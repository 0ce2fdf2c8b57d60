"""What a run did: the report returned by notesmith.process() and printed by the CLI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from notesmith.llm.base import Usage

# Why an input did not go through, as a value (never read back out of the reason's text).
MODEL = "model"            # the model failed or its answers stayed invalid: not ok
DRAFT = "draft"            # the draft could not be rendered or applied: not ok
UNCITED = "uncited"        # the draft cited nothing from this input: not ok
EDITED = "edited"          # its article has uncommitted edits by a person
CHANGED = "changed"        # its article changed while the run was working (a person's edit kept)
READ_ONLY = "read-only"    # its article is read-only
CREDENTIAL = "credential"  # it looks like it holds a credential
UNREADABLE = "unreadable"  # it cannot be read or moved now (permissions, a file being written)
INBOX = "inbox"            # not an input notesmith can take as it is (link, special file, media)
DUPLICATE = "duplicate"
EMPTY = "empty"
INVALID = "invalid"        # failed: the file cannot be read as an input
NOT_OK = frozenset({MODEL, DRAFT, UNCITED})


class Outcome(NamedTuple):
    """One input that did not become part of an article this run: where it is, why, and why as a value."""

    path: str
    reason: str
    cause: str = ""


@dataclass
class RunReport:
    """Everything a person or a program needs to know about one run."""

    run_id: str
    model: str = "offline"
    offline: bool = True
    dry_run: bool = False
    inputs_read: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    waiting: list[Outcome] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # offline: consecutive notes made into one article
    followed: list[str] = field(default_factory=list)  # placement instructions recognised, and what was done
    notes: list[str] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    commits: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    estimated_tokens: int = 0
    cost: float | None = None
    seconds: float = 0.0
    resumed: bool = False
    log_file: str | None = None

    @property
    def ok(self) -> bool:
        """True when no input failed, the model left no input waiting and the check found no new error."""
        return not self.failed and not self.findings and not any(w.cause in NOT_OK for w in self.waiting)

    def wait(self, path: str, reason: str, cause: str) -> None:
        """Record an input that stays in the inbox."""
        self.waiting.append(Outcome(path, reason, cause))

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("skipped", "failed", "waiting"):
            data[key] = [o._asdict() for o in getattr(self, key)]
        data["usage"] = {"prompt_tokens": self.usage.prompt_tokens,
                         "completion_tokens": self.usage.completion_tokens}
        return data

    def summary_lines(self) -> list[str]:
        """The summary printed at the end of a run."""
        lines = []
        head = "dry run" if self.dry_run else "run"
        drafter = "offline drafter (no model configured)" if self.offline else f"model {self.model}"
        noun = "input" if self.inputs_read == 1 else "inputs"
        lines.append(f"notesmith {head} {self.run_id}: {self.inputs_read} {noun} read, "
                     f"{len(self.created)} created, {len(self.updated)} updated, "
                     f"{len(self.feedback)} feedback, {len(self.skipped)} skipped, {len(self.failed)} failed, "
                     f"{len(self.waiting)} waiting; {drafter}; {self.seconds:.1f}s")
        for rel in self.created:
            lines.append(f"  created  {rel}")
        for rel in self.updated:
            lines.append(f"  updated  {rel}")
        for rel in self.feedback:
            lines.append(f"  feedback {rel}")
        for rel, why, _ in self.skipped:
            lines.append(f"  skipped  {rel}: {why}")
        for rel, why, _ in self.failed:
            lines.append(f"  failed   {rel}: {why}")
        for rel, why, _ in self.waiting:
            lines.append(f"  waiting  {rel}: {why}")
        for line in self.plan:
            lines.append(f"  plan     {line}")
        for text in self.merged:
            lines.append(f"  merged   {text}")
        for text in self.followed:
            lines.append(f"  placed   {text}")
        for text in dict.fromkeys(self.instructions):  # routing and drafting may both report one
            lines.append(f"  not done (asked of the assistant): {text}")
        for finding in self.findings:
            lines.append(f"  check    {finding}")
        if self.usage.total or not self.offline:
            cost = f", cost {self.cost:.4f}" if self.cost is not None else ""
            lines.append(f"  tokens   {self.usage.prompt_tokens} prompt + {self.usage.completion_tokens} completion{cost}")
        if self.dry_run and self.estimated_tokens:
            lines.append(f"  estimate about {self.estimated_tokens} prompt tokens for the model calls")
        for sha in self.commits:
            lines.append(f"  commit   {sha[:12]}")
        for note in self.notes:
            lines.append(f"  note     {note}")
        if self.log_file:
            lines.append(f"  log      {self.log_file}")
        return lines
