"""Find a passage, given by its first and last words, in the stored file it was quoted from.

Pure: text in, values out. Build a SourceIndex once per input file and call locate() for every
passage quoted from it. The result is a Passage (lines, characters, word positions and, for
timed inputs, a time range) or a NotFound whose reason can be put to the model as it is.

The acceptance rule, which decides between an anchor and "not found" (never a guess):

1. Words. Quote and source are compared as normalised words (see wordindex): case,
   punctuation, typographic quotes, dashes and ellipses, ё/е, accents, filler words, a word said
   twice, whitespace and hard wraps make no difference; so do the reader's [HH:MM:SS] anchors.
   A quoted word the source lacks is split where all its parts are source words ("dont",
   "вовторых", "stateoftheart": dropped apostrophes or hyphens). Each phrase needs
   MIN_PHRASE_WORDS words left.
2. A phrase (the first words, or the last words, of n words) is found at a place when at least
   SHARE of its words are there in order (all of them when n <= 3), with at most max(2, n // 3)
   source words between them that the phrase lacks, and at most max(1, n // 4) of them matched
   only by spelling (one edit away; two for words of eight letters or more).
3. Order. The last words start at or after the first words start and the passage spans at most
   MAX_PASSAGE_WORDS words. When the last words are found only before the first words, the
   stretch from the last words to the first words is taken and the note says so.
4. Choice. Where a phrase is found at several places, the pair with the fewest differences
   wins, then the shortest pair (the nearest sensible one: it claims no more of the source than
   the quote shows), then the earliest; the note says how many places there were.
5. Evidence. The chosen pair must be too specific to be there by chance:
       evidence = sum of the matched words' bits
                  - MISSING_BITS * (quoted words not found) - EXTRA_BITS * (source words inside
                    a phrase that it lacks) - SWAPPED_BITS (when the phrases came reversed)
                  - log2(source words) - log2(words between the two phrases + 1)
   must exceed MARGIN_BITS, so fewer than one place in 2**MARGIN_BITS would show these words by
   chance. A word's bits are log2(source words / its occurrences); when the word before it is
   matched too, the surprisal of the pair instead, if smaller (counted leaving this occurrence
   out, so "скорее всего" weighs little more than "скорее"). A few common words ("and then I
   think") are refused as too common even when they are there. bench/bench_locator.py measures
   what these constants buy on real transcripts.

A quote with first words only (or the same words twice) is one phrase, placed by rules 1, 2, 4
(the first of equal places) and 5.

6. The whole source. A quote that is every word of a short source, in order, none missing and
   none extra, is placed whatever rule 5 says: a five-word note quoted whole has nowhere else to be.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import ClassVar, Sequence

from notesmith.pipeline.wordindex import SourceIndex, Span, words_of

__all__ = [
    "EXTRA_BITS", "MARGIN_BITS", "MAX_PASSAGE_WORDS", "MIN_PHRASE_WORDS", "MISSING_BITS", "NotFound",
    "Passage", "SHARE", "SWAPPED_BITS", "locate", "place_verbatim", "quote_ends",
]

SHARE = 0.75
MAX_PASSAGE_WORDS = 5000
MARGIN_BITS = 10.0
MISSING_BITS = 6.0
EXTRA_BITS = 6.0
SWAPPED_BITS = 8.0  # last words before the first: a model rarely does it, chance often does
MIN_PHRASE_WORDS = 2  # a first or last phrase of one word (after fillers) places nothing
MAX_QUOTE_WORDS = 40  # longer phrases are cut to their first (start) or last (end) words
_FUZZY_COST = 0.4  # a word matched by spelling only
_EXTRA_COST = 0.4  # a source word the phrase lacks: cheaper than a phrase word not found
_TIMESTAMP = re.compile(r"\[?\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?\b\]?")  # the reader's [HH:MM:SS]
_QUOTE_SHOWN = 80


@dataclass(frozen=True)
class Passage:
    """A located passage: where it is (span), how many of the quoted words were found, and a note
    when a choice was made (the phrase occurs several times; the phrases came in reverse order)."""

    span: Span
    matched: int
    asked: int
    evidence: float  # -log2 of the places the matched words would be expected at by chance
    note: str = ""
    found: ClassVar[bool] = True

    @property
    def lines(self) -> tuple[int, int]:
        """First and last line of the stored file (1-based, inclusive)."""
        return self.span.lines

    @property
    def times(self) -> tuple[float, float] | None:
        """Start and end in seconds of the cues covered (subtitles and Whisper JSON only)."""
        return self.span.times


@dataclass(frozen=True)
class NotFound:
    """A passage that could not be placed, and why, phrased to be put to the model as it is."""

    reason: str
    found: ClassVar[bool] = False


@dataclass(frozen=True)
class _Hit:
    a: int  # first matched position
    b: int  # last matched position (inclusive)
    matched: int
    fuzzy: int
    extra: int  # source words inside the match that the phrase lacks
    cost: float
    positions: tuple[int, ...]


class _Query:
    """One phrase's words as token ids of the source: exact, and near in spelling."""

    def __init__(self, index: SourceIndex, words: list[str]):
        self.words = _split_joined(index, words)
        self.exact = [index.token_id(w) for w in self.words]
        self.near = [frozenset(index.similar(w)) for w in self.words]
        self.places: list[Sequence[int]] = []
        for exact, near in zip(self.exact, self.near):
            places: Sequence[int] = index.positions(exact) if exact is not None else ()
            if near:
                places = sorted([*places, *(p for token in near for p in index.positions(token))])
            self.places.append(places)

    def __len__(self) -> int:
        return len(self.words)

    def need(self) -> int:
        n = len(self.words)
        return n if n <= 3 else math.ceil(SHARE * n)


def _split_joined(index: SourceIndex, words: list[str]) -> list[str]:
    """Words the source does not have, split where all the parts are its words ("dont",
    "вовторых", "stateoftheart": the quote dropped hyphens or apostrophes the source has).

    A split into parts of two letters or more (or an English contraction's tail) is preferred
    to a near spelling; any split is tried when no word is spelt near it.
    """
    out = []
    for word in words:
        parts = None
        if index.token_id(word) is None and len(word) >= 3:
            parts = _word_break(index, word, strict=True)
            if parts is None and not index.similar(word):
                parts = _word_break(index, word, strict=False)
        out.extend(parts or (word,))
    return out


_TAILS = frozenset({"s", "t", "d", "m", "ll", "re", "ve"})


def _word_break(index: SourceIndex, word: str, strict: bool, most: int = 4) -> list[str] | None:
    """word as the fewest (2 to most) words of the source, or None; strict: no one-letter parts
    but a contraction's tail."""
    best: list[list[str] | None] = [[]] + [None] * len(word)  # best[i]: word[:i] in fewest parts
    for end in range(1, len(word) + 1):
        for start in range(end):
            head, part = best[start], word[start:end]
            if head is None or len(head) >= most or index.token_id(part) is None:
                continue
            if strict and len(part) < 2 and not (end == len(word) and part in _TAILS):
                continue
            if best[end] is None or len(head) + 1 < len(best[end]):
                best[end] = head + [part]
    parts = best[len(word)]
    return parts if parts and len(parts) >= 2 else None


def quote_ends(text: str, words: int = 8) -> tuple[str, str]:
    """The first and last `words` words of text, as a model would quote them (offline anchors)."""
    reach = 64 * words  # characters that surely hold `words` words at each end of a long text
    if len(text) > 4 * reach:  # the ends only; the cut word at each inner edge is dropped
        head = re.findall(r"\S+", _TIMESTAMP.sub(" ", text[:reach]))[:-1]
        tail = re.findall(r"\S+", _TIMESTAMP.sub(" ", text[-reach:]))[1:]
        if len(head) >= words and len(tail) >= words:
            return " ".join(head[:words]), " ".join(tail[-words:])
    found = re.findall(r"\S+", _TIMESTAMP.sub(" ", text))
    return " ".join(found[:words]), " ".join(found[-words:])


def place_verbatim(index: SourceIndex, text: str, *, after: int = 0, label: str = "the source") -> Passage | NotFound:
    """Place a passage copied verbatim and in order (the offline drafter's paragraphs): the first
    place from word position `after` on where the source's words are exactly the passage's words.

    Words are compared as locate compares them (rule 1, the reader's [HH:MM:SS] anchors left out),
    all of them and in order, so a paragraph of one word is placed as surely as a long one: the
    drafter took it from right there, after the paragraph before. The evidence threshold of rule 5
    does not apply; a passage whose words are not all there, in order, is NotFound (use locate).
    """
    words = _words(text)
    tokens = [index.token_id(word) for word in words]
    if not tokens or None in tokens:
        return NotFound(f"{label} does not hold '{_shown(text)}' word for word")
    n, source = len(tokens), index.tokens
    places = index.positions(tokens[0])
    for p in places[bisect_left(places, after):]:
        if p + n <= len(source) and all(source[p + i] == tokens[i] for i in range(1, n)):
            shown = min(n, MAX_QUOTE_WORDS)  # evidence of the first words, as much as a quote would show
            hit = _Hit(p, p + shown - 1, shown, 0, 0, 0.0, tuple(range(p, p + shown)))
            return Passage(index.span(p, p + n - 1), n, n, round(_evidence(index, (hit,), shown, 0), 1))
    return NotFound(f"{label} does not hold '{_shown(text)}' word for word after the passage before it")


def locate(index: SourceIndex, first_words: str, last_words: str = "", *, label: str = "the source",
           after: int = 0) -> Passage | NotFound:
    """Place the passage that starts with first_words and ends with last_words in the source.

    label names the source in reasons ("S2 does not contain …"); after is the word position
    where the search starts (to place a source's paragraphs in order). See the module docstring
    for when a passage counts as found.
    """
    start_words = _words(first_words)[:MAX_QUOTE_WORDS]
    end_words = _words(last_words)[-MAX_QUOTE_WORDS:]
    if not start_words and not end_words:
        return NotFound(f"the passage quoted from {label} has no words; copy its first and last words "
                        f"from {label}")
    if not start_words or not end_words or start_words == end_words:
        words, text = (start_words or end_words), (first_words if start_words else last_words)
        return _single(index, _Query(index, words), text, label, after)
    for words, text, which in ((start_words, first_words, "first"), (end_words, last_words, "last")):
        if len(words) < MIN_PHRASE_WORDS:
            return NotFound(f"the {which} words '{_shown(text)}' are too few to place in {label}; quote "
                            f"8 or so words, verbatim from {label}")
    start, end = _Query(index, start_words), _Query(index, end_words)
    starts = _hits(index, start, after)
    if not starts:
        return NotFound(f"{label} does not contain '{_shown(first_words)}'; copy the first words "
                        f"verbatim from {label}")
    ends = _hits(index, end, after)
    if not ends:
        return NotFound(f"{label} does not contain '{_shown(last_words)}'; copy the last words "
                        f"verbatim from {label}")
    return _pair(index, starts, ends, start, end, first_words, last_words, label)


def _words(text: str) -> list[str]:
    return words_of(_TIMESTAMP.sub(" ", text or ""))


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE_SHOWN else text[:_QUOTE_SHOWN].rsplit(" ", 1)[0] + " …"


def _too_common(first_words: str, last_words: str, label: str) -> NotFound:
    quote = _shown(first_words) + (f" … {_shown(last_words)}" if last_words.strip() else "")
    return NotFound(f"'{quote}' is too common in {label} to place; quote more of the passage's own "
                    f"words (8 or so at each end), verbatim from {label}")


def _evidence(index: SourceIndex, hits: tuple[_Hit, ...], asked: int, between: int) -> float:
    """-log2 of the places where the matched words would be expected by chance (rule 5).

    Each matched word carries its surprisal in the source, given the word before it when that
    one is matched too (so "скорее всего" weighs little more than "скорее"); each quoted word not
    found takes MISSING_BITS off; the places are the source's words times the words between
    the two phrases.
    """
    positions = sorted({p for hit in hits for p in hit.positions})
    tokens = index.tokens
    bits = 0.0
    for n, p in enumerate(positions):
        if n and positions[n - 1] == p - 1:
            bits += index.next_bits(tokens[p - 1], tokens[p])
        else:
            bits += index.bits(tokens[p])
    missing = asked - sum(hit.matched for hit in hits)
    extra = sum(hit.extra for hit in hits)
    return (bits - MISSING_BITS * missing - EXTRA_BITS * extra
            - math.log2(max(2, len(index))) - math.log2(between + 1))


def _whole(index: SourceIndex, hits: tuple[_Hit, ...], asked: int) -> bool:
    """Rule 6: the hits are every word of the source, in order, with nothing missing or extra."""
    positions = sorted({p for hit in hits for p in hit.positions})
    return (bool(positions) and positions == list(range(len(index))) and not any(h.extra for h in hits)
            and sum(h.matched for h in hits) >= min(asked, len(index)))


def _single(index: SourceIndex, query: _Query, text: str, label: str, after: int) -> Passage | NotFound:
    hits = _hits(index, query, after)
    if not hits:
        return NotFound(f"{label} does not contain '{_shown(text)}'; copy the words verbatim from {label}")
    best = min(hits, key=lambda h: (h.cost, h.a))
    evidence = _evidence(index, (best,), len(query), 0)
    if evidence <= MARGIN_BITS and not _whole(index, (best,), len(query)):
        return _too_common(text, "", label)
    ties = sum(1 for h in hits if h.cost == best.cost)
    note = f"the words occur at {ties} places in {label}; took the first" if ties > 1 else ""
    return Passage(index.span(best.a, best.b), best.matched, len(query), round(evidence, 1), note)


def _pair(index, starts, ends, start, end, first_words, last_words, label) -> Passage | NotFound:
    ends_by_a = sorted(ends, key=lambda h: h.a)
    keys = [h.a for h in ends_by_a]
    ordered = [(s, e) for s in starts
               for e in ends_by_a[bisect_left(keys, s.a):bisect_right(keys, s.a + MAX_PASSAGE_WORDS)]
               if max(e.b, s.b) - s.a < MAX_PASSAGE_WORDS]
    swapped = [] if ordered else [
        (e, s) for s in starts for e in ends_by_a[bisect_left(keys, s.a - MAX_PASSAGE_WORDS):bisect_left(keys, s.a)]
        if max(e.b, s.b) - e.a < MAX_PASSAGE_WORDS]
    pairs = ordered or swapped
    if not pairs:
        return NotFound(f"in {label}, '{_shown(last_words)}' does not come after '{_shown(first_words)}' "
                        f"within {MAX_PASSAGE_WORDS} words; quote the first and last words of one passage")
    first, last = min(pairs, key=lambda p: (p[0].cost + p[1].cost, max(p[0].b, p[1].b) - p[0].a, p[0].a))
    evidence = _evidence(index, (first, last), len(start) + len(end), max(0, last.a - first.b - 1))
    if swapped:
        evidence -= SWAPPED_BITS
    if evidence <= MARGIN_BITS and not (not swapped and _whole(index, (first, last), len(start) + len(end))):
        if swapped:
            return NotFound(f"in {label}, '{_shown(last_words)}' comes before '{_shown(first_words)}'; give "
                            f"the first words of the passage as first words, verbatim from {label}")
        return _too_common(first_words, last_words, label)
    notes = []
    if swapped:
        notes.append(f"the last words come before the first words in {label}; took the stretch between them")
    best_start, best_end = min(h.cost for h in starts), min(h.cost for h in ends)
    n_s = sum(1 for h in starts if h.cost == best_start)
    n_e = sum(1 for h in ends if h.cost == best_end)
    if n_s > 1 or n_e > 1:
        notes.append(f"the first words occur at {n_s} places and the last words at {n_e} in {label}; "
                     "took the closest pair")
    return Passage(index.span(first.a, max(first.b, last.b)), first.matched + last.matched,
                   len(start) + len(end), round(evidence, 1), "; ".join(notes))


def _hits(index: SourceIndex, query: _Query, after: int) -> list[_Hit]:
    """Every place where the phrase is found (rule 1), one hit per distinct (first, last) place."""
    n = len(query)
    need = query.need()
    present = [i for i in range(n) if query.places[i]]
    if len(present) < need:
        return []
    seeds = sorted(present, key=lambda i: len(query.places[i]))[:len(present) - need + 1]
    slack = 2 + n // 3
    diagonals = sorted({p - i for i in seeds for p in query.places[i] if p >= after})
    found: dict[tuple[int, int], _Hit] = {}
    total = len(index)
    k = 0
    while k < len(diagonals):
        first = last = diagonals[k]
        k += 1
        while k < len(diagonals) and diagonals[k] - last <= slack and diagonals[k] - first <= n:
            last = diagonals[k]  # nearby diagonals share one window
            k += 1
        lo, hi = max(after, first - slack), min(total, last + n + slack)
        absent = 0
        for places in query.places:
            if not places or bisect_left(places, lo) == bisect_left(places, hi):
                absent += 1
                if absent > n - need:
                    break
        if absent > n - need:
            continue
        hit = _align(index, query, lo, hi)
        if hit is not None and (hit.a, hit.b) not in found:
            found[(hit.a, hit.b)] = hit
    return list(found.values())


def _align(index: SourceIndex, query: _Query, lo: int, hi: int) -> _Hit | None:
    """Align the phrase with the source's words lo..hi (the phrase whole, the source any part)."""
    window = index.tokens[lo:hi]
    n, m = len(query), len(window)
    inf = float("inf")
    # cost[i][j]: phrase words :i against source words ending at j (free start in the source)
    cost = [[0.0] * (m + 1)] + [[float(i)] + [inf] * m for i in range(1, n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]  # 1 diagonal, 2 phrase word missing, 3 extra source word
    for i in range(1, n + 1):
        exact, near = query.exact[i - 1], query.near[i - 1]
        row, above = cost[i], cost[i - 1]
        moves = move[i]
        moves[0] = 2
        for j in range(1, m + 1):
            token = window[j - 1]
            step = 0.0 if token == exact else _FUZZY_COST if token in near else 1.0
            best, how = above[j - 1] + step, 1
            if above[j] + 1 < best:
                best, how = above[j] + 1, 2
            if row[j - 1] + _EXTRA_COST < best:
                best, how = row[j - 1] + _EXTRA_COST, 3
            row[j], moves[j] = best, how
    end = min(range(m + 1), key=lambda j: (cost[n][j], j))
    i, j = n, end
    positions: list[int] = []
    fuzzy = 0
    while i > 0:
        how = move[i][j]
        if how == 1:
            token = window[j - 1]
            if token == query.exact[i - 1] or token in query.near[i - 1]:
                positions.append(lo + j - 1)
                fuzzy += token != query.exact[i - 1]
            i, j = i - 1, j - 1
        elif how == 2:
            i -= 1
        else:
            j -= 1
    if len(positions) < query.need():
        return None
    positions.reverse()
    extra = positions[-1] - positions[0] + 1 - len(positions)
    if extra > max(2, n // 3) or fuzzy > max(1, n // 4):
        return None
    return _Hit(positions[0], positions[-1], len(positions), fuzzy, extra, cost[n][end], tuple(positions))
