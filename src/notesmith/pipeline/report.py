"""What a run did: the report returned by notesmith.process() and printed by the CLI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from notesmith.inputs.filenames import parse_filename
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
TRANSCRIPTION = "transcription"  # audio that cannot be transcribed now (off, not installed, a dry run)
DUPLICATE = "duplicate"
EMPTY = "empty"
INVALID = "invalid"        # failed: the file cannot be read as an input
NOT_OK = frozenset({MODEL, DRAFT, UNCITED})
MAX_LISTED = 20  # unverified passages listed in the summary; the run log holds all


class Outcome(NamedTuple):
    """One input that did not become part of an article this run: where it is, why, and why as a value."""

    path: str
    reason: str
    cause: str = ""


def short_name(input_id: str) -> str:
    """An input as the summary and the commit trailer name it: `msg4791` when its file name has a
    message id, else the file name."""
    message = parse_filename(input_id).message_id
    return f"msg{message}" if message else input_id


def short_names(input_ids: list[str]) -> dict[str, str]:
    """Short names for the inputs of one run; two that would share one (msg4791.md, msg4791.txt) keep
    their file names."""
    names = {i: short_name(i) for i in input_ids}
    taken = [n for n in names.values()]
    return {i: n if taken.count(n) == 1 else i for i, n in names.items()}


@dataclass(frozen=True)
class Stretch:
    """Part of an input that no anchored passage covers: its lines, words and (timed inputs) times."""

    lines: tuple[int, int]
    words: int
    times: tuple[float, float] | None = None


@dataclass(frozen=True)
class InputCoverage:
    """How much of one input the run's anchored passages cover (instructions to the assistant left out)."""

    input: str  # the input's id (file name)
    percent: int  # whole percent, rounded down
    words: int  # words that count
    covered_words: int
    passages: int  # anchored passages citing it
    unverified: int  # passages quoted from it that could not be found
    uncovered: tuple[Stretch, ...] = ()  # stretches longer than a few sentences that no passage covers

    @property
    def name(self) -> str:
        return short_name(self.input)


@dataclass(frozen=True)
class Unverified:
    """A passage the model quoted that is not in the input: its paragraph cites the input as a whole."""

    input: str
    article: str
    quote: str
    reason: str


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
    coverage: list[InputCoverage] = field(default_factory=list)
    unverified: list[Unverified] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # offline: consecutive notes made into one article
    followed: list[str] = field(default_factory=list)  # placement instructions recognised, and what was done
    routing: list[dict] = field(default_factory=list)  # per group, with a model: synopsis, candidates, decision
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

    def coverage_lines(self) -> list[str]:
        """Coverage per input, the long stretches no paragraph took, and the passages not found."""
        if not self.coverage and not self.unverified:
            return []
        lines = []
        names = short_names([c.input for c in self.coverage] + [u.input for u in self.unverified])
        if self.coverage:
            anchored = sum(c.passages for c in self.coverage)
            lines.append(f"  coverage {', '.join(f'{names[c.input]} {c.percent}%' for c in self.coverage)} "
                         f"({anchored} anchored passage{'s' * (anchored != 1)}, {len(self.unverified)} unverified)")
        for c in self.coverage:
            for s in c.uncovered:
                where = f"lines {s.lines[0]}–{s.lines[1]}" if s.lines[0] != s.lines[1] else f"line {s.lines[0]}"
                lines.append(f"  uncovered {names[c.input]} {where} ({s.words} words): no paragraph took them")
        for u in self.unverified[:MAX_LISTED]:
            lines.append(f"  unverified {u.article}: {names[u.input]} '{u.quote}': {u.reason}")
        if len(self.unverified) > MAX_LISTED:
            lines.append(f"  unverified … and {len(self.unverified) - MAX_LISTED} more (the run log lists them all)")
        return lines

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("skipped", "failed", "waiting"):
            data[key] = [o._asdict() for o in getattr(self, key)]
        names = short_names([c.input for c in self.coverage])
        data["coverage"] = [{"name": names[c.input], **asdict(c)} for c in self.coverage]
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
        lines.extend(self.coverage_lines())
        for finding in self.findings:
            lines.append(f"  check    {finding}")
        if self.usage.total or (not self.offline and not self.dry_run):
            cost = f", cost {self.cost:.4f}" if self.cost is not None else ""
            lines.append(f"  tokens   {self.usage.prompt_tokens} prompt + {self.usage.completion_tokens} completion{cost}")
        if self.dry_run and self.estimated_tokens:
            cost = f", about {self.cost:.4f} in prompt tokens' price" if self.cost else ""
            lines.append(f"  estimate about {self.estimated_tokens} prompt tokens for the model calls{cost}")
        for sha in self.commits:
            lines.append(f"  commit   {sha[:12]}")
        for note in self.notes:
            lines.append(f"  note     {note}")
        if self.log_file:
            lines.append(f"  log      {self.log_file}")
        return lines
