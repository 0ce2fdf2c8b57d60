"""Step 6 of a run, first half: place each paragraph's quoted passage in the stored input file
(SPEC §8, "Passage citations"), and measure how much of every input the placed passages cover.

One SourceIndex is built per input per run (SourceTexts) and serves every passage quoted from it,
whichever drafter quoted it. A passage that is not found keeps no anchor, only the reason: its
paragraph cites the input as a whole and the run counts it as unverified. Never a guess.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Iterable, Mapping, Sequence

from notesmith.errors import InputError
from notesmith.inputs import Input
from notesmith.inputs.reading import decode
from notesmith.pipeline.blocks import Anchor, Block, Evidence
from notesmith.pipeline.coverage import Coverage, coverage
from notesmith.pipeline.locate import locate, place_verbatim
from notesmith.pipeline.report import InputCoverage, Stretch, Unverified
from notesmith.pipeline.wordindex import SourceIndex

__all__ = ["MAX_ANCHORED_BYTES", "Ledger", "SourceTexts", "measure", "place", "place_all", "place_each", "quoted"]

NOTHING_QUOTED = "no passage was quoted"
# Inputs larger than this are not indexed: their paragraphs cite the whole file. Indexing costs
# about a second and 10 MB per MB of transcript; a 50 MB transcript would double a run's memory.
MAX_ANCHORED_BYTES = 8 * 1024 * 1024


class _TooLarge(Exception):
    pass


class SourceTexts:
    """The stored text of each input, indexed once per run on first use (safe across threads)."""

    def __init__(self, max_bytes: int = MAX_ANCHORED_BYTES) -> None:
        self.max_bytes = max_bytes
        self._indexes: dict[str, SourceIndex | None] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.unreadable: dict[str, str] = {}  # input id → why its passages cannot be placed
        self.too_large: set[str] = set()

    def index(self, item: Input) -> SourceIndex | None:
        """The input's SourceIndex; None when its stored file cannot be read again."""
        with self._lock:
            if item.id in self._indexes:
                return self._indexes[item.id]
            lock = self._locks.setdefault(item.id, threading.Lock())
        with lock:
            with self._lock:
                if item.id in self._indexes:
                    return self._indexes[item.id]
            try:
                size = item.path.stat().st_size
                if size > self.max_bytes:
                    self.too_large.add(item.id)
                    raise _TooLarge(f"{item.id} is {_mb(size)}, over the {_mb(self.max_bytes)} up to which "
                                    "passages are anchored; its paragraphs cite the whole file")
                built: SourceIndex | None = SourceIndex(decode(item.path.read_bytes()), item.id)
            except _TooLarge as exc:
                built = None
                self.unreadable[item.id] = str(exc)
            except OSError as exc:
                built = None
                self.unreadable[item.id] = f"cannot read {item.id} again ({exc.strerror or exc})"
            except InputError as exc:
                built = None
                self.unreadable[item.id] = exc.message
            with self._lock:
                self._indexes[item.id] = built
            return built


def _mb(size: int) -> str:
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{size} bytes"


def place(evidence: Evidence, index: SourceIndex | None, *, label: str, after: int = 0,
          unreadable: str = "") -> Evidence:
    """The evidence with its anchor, or with the reason it has none (label names the source in it).

    A verbatim passage is placed word for word first; a quote is located by its first and last words.
    """
    if not (evidence.first_words.strip() or evidence.last_words.strip()):
        return replace(evidence, anchor=None, unverified=NOTHING_QUOTED)
    if index is None:
        why = unreadable or f"{label} could not be read to place the passage"
        return replace(evidence, anchor=None, unverified=why)
    found = place_verbatim(index, evidence.passage, after=after, label=label) if evidence.passage else None
    if found is None or not found.found:
        found = locate(index, evidence.first_words, evidence.last_words, label=label, after=after)
    if not found.found:
        return replace(evidence, anchor=None, unverified=found.reason)
    span = found.span
    return replace(evidence, anchor=Anchor(span.lines, span.times, span.words), unverified="")


def place_all(blocks: Sequence[Block], texts: SourceTexts, inputs: Mapping[str, Input], *,
              labels: Mapping[str, str] | None = None, in_order: bool = False) -> tuple[Block, ...]:
    """Blocks with every evidence item placed in its input (items already placed are kept).

    labels: how reasons name each input (the prompt's alias, "S2"); in_order: each passage is
    looked for after the previous one of the same input (the offline drafter's paragraphs follow
    the file).
    """
    after: dict[str, int] = {}
    out = []
    for block in blocks:
        placed = []
        for item in block.evidence:
            source = inputs.get(item.source)
            if item.anchor is None and source is not None:
                item = place(item, texts.index(source), label=(labels or {}).get(item.source, item.source),
                             after=after.get(item.source, 0) if in_order else 0,
                             unreadable=texts.unreadable.get(item.source, ""))
            if item.anchor is not None:
                after[item.source] = item.anchor.words[1]
            placed.append(item)
        out.append(replace(block, evidence=tuple(placed)) if placed else block)
    return tuple(out)


def place_each(items: Sequence[Evidence], texts: SourceTexts, inputs: Mapping[str, Input], *,
               labels: Mapping[str, str] | None = None) -> list[Evidence]:
    """Evidence items placed one by one, in any order (instructions to the assistant, for coverage)."""
    return list(place_all([Block("paragraph", "", evidence=tuple(items))], texts, inputs, labels=labels)[0].evidence)


def quoted(evidence: Evidence) -> str:
    """The quote as the model gave it, for reports: "first words … last words"."""
    first, last = " ".join(evidence.first_words.split()), " ".join(evidence.last_words.split())
    return first if not last or last == first else f"{first} … {last}" if first else last


def measure(index: SourceIndex, evidence: Iterable[Evidence], asides: Iterable[Evidence] = ()) -> Coverage:
    """The input's coverage by the anchored passages, leaving out the instructions to the assistant."""
    return coverage(index, [e.anchor.words for e in evidence if e.anchor is not None],
                    excluded=[a.anchor.words for a in asides if a.anchor is not None])


class Ledger:
    """What a run's drafts take from each input: passages, instructions to the assistant and
    passages not found; and from them each input's coverage. Safe across threads."""

    def __init__(self, texts: SourceTexts):
        self.texts = texts
        self.unverified: list[Unverified] = []
        self._evidence: dict[str, list[Evidence]] = {}
        self._asides: dict[str, list[Evidence]] = {}
        self._inputs: dict[str, Input] = {}
        self._lock = threading.Lock()

    def take(self, article: str, blocks: Iterable[Block], inputs: Iterable[Input],
             asides: Iterable[Evidence] = ()) -> None:
        """Record what an article the run writes takes: its blocks' evidence, from these inputs."""
        with self._lock:
            for item in inputs:
                self._inputs[item.id] = item
            for aside in asides:
                self._asides.setdefault(aside.source, []).append(aside)
            for block in blocks:
                for item in block.evidence:
                    self._evidence.setdefault(item.source, []).append(item)
                    if item.anchor is None and item.unverified and item.source not in self.texts.too_large:
                        self.unverified.append(Unverified(item.source, article, quoted(item), item.unverified))

    def coverage(self, input_ids: Iterable[str]) -> tuple[list[InputCoverage], list[str]]:
        """The coverage of each of these inputs, in the order of their names, and notes on the ones
        too large to measure."""
        found, notes = [], []
        for input_id in sorted(set(input_ids) & set(self._inputs)):
            index = self.texts.index(self._inputs[input_id])
            if index is None:
                if input_id in self.texts.too_large:
                    notes.append(self.texts.unreadable[input_id])
                continue
            evidence = self._evidence.get(input_id, [])
            measured = measure(index, evidence, self._asides.get(input_id, []))
            found.append(InputCoverage(
                input_id, measured.percent, measured.words, measured.covered_words,
                sum(1 for e in evidence if e.anchor is not None),
                sum(1 for e in evidence if e.anchor is None and e.unverified),
                tuple(Stretch(s.lines, s.words[1] - s.words[0], s.times) for s in measured.uncovered)))
        return found, notes
