"""How much of an input the located passages cover, and the long stretches none of them does.

Pure: a SourceIndex and word ranges in, a Coverage out. Words are counted as the index counts
them (filler words and a word said twice at once left out), so "86%" means 86% of the words a
reader would quote.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from notesmith.pipeline.locate import Passage
from notesmith.pipeline.wordindex import SourceIndex, Span

__all__ = ["MIN_UNCOVERED_WORDS", "Coverage", "coverage"]

# An uncovered stretch is reported from this many words on: a few sentences of speech.
MIN_UNCOVERED_WORDS = 50


@dataclass(frozen=True)
class Coverage:
    """words: the input's words that count (excluded stretches left out); covered_words: those
    inside some passage; covered: the merged passages; uncovered: the stretches of at least
    min_words words inside no passage and not excluded, in order."""

    words: int
    covered_words: int
    covered: tuple[Span, ...]
    uncovered: tuple[Span, ...]

    @property
    def share(self) -> float:
        """covered_words / words; 1.0 for an input with no words that count."""
        return self.covered_words / self.words if self.words else 1.0

    @property
    def percent(self) -> int:
        """The share in whole percent, rounded down: 100 only when every word is covered."""
        return math.floor(100 * self.share)


def coverage(index: SourceIndex, passages: Iterable[Passage | Span | tuple[int, int]], *,
             excluded: Iterable[Passage | Span | tuple[int, int]] = (),
             min_words: int = MIN_UNCOVERED_WORDS) -> Coverage:
    """The coverage of the source by passages (located passages, spans, or word ranges [a, b)).

    excluded: stretches that are not content (what the model listed as instructions to the
    assistant, located like passages); they count neither as covered nor as uncovered.
    """
    total = len(index)
    covered = _merge(passages, total)
    skipped = _merge(excluded, total)
    covered_words = sum(b - a for a, b in _subtract(covered, skipped))
    words = total - sum(b - a for a, b in skipped)
    gaps = _subtract([(0, total)], _merge([*covered, *skipped], total))
    return Coverage(
        words, covered_words,
        tuple(index.span(a, b - 1) for a, b in covered),
        tuple(index.span(a, b - 1) for a, b in gaps if b - a >= min_words),
    )


def _range(item: Passage | Span | tuple[int, int]) -> tuple[int, int]:
    if isinstance(item, Passage):
        return item.span.words
    if isinstance(item, Span):
        return item.words
    return item


def _merge(items: Iterable, total: int) -> list[tuple[int, int]]:
    """Word ranges, clipped to the source, sorted and merged where they touch or overlap."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(_range(item) for item in items):
        a, b = max(0, a), min(total, b)
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _subtract(ranges: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merged ranges minus merged holes."""
    out: list[tuple[int, int]] = []
    k = 0
    for a, b in ranges:
        while k < len(holes) and holes[k][1] <= a:
            k += 1
        j = k
        while a < b:
            if j >= len(holes) or holes[j][0] >= b:
                out.append((a, b))
                break
            if holes[j][0] > a:
                out.append((a, holes[j][0]))
            a = max(a, holes[j][1])
            j += 1
    return out
