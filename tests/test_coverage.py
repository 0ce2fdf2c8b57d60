"""Coverage: the share of an input's words inside located passages, and the long gaps."""

from __future__ import annotations

from notesmith.pipeline.coverage import Coverage, coverage
from notesmith.pipeline.locate import locate
from notesmith.pipeline.wordindex import SourceIndex


def numbered(count: int = 100, per_line: int = 10) -> SourceIndex:
    words = [f"w{n}" for n in range(count)]
    lines = [" ".join(words[i:i + per_line]) for i in range(0, count, per_line)]
    return SourceIndex("\n".join(lines) + "\n", "numbered.txt")


def test_overlapping_passages_count_once_and_long_gaps_are_listed():
    ix = numbered()
    result = coverage(ix, [(0, 10), (5, 20), (60, 70)], min_words=15)
    assert (result.words, result.covered_words) == (100, 30)
    assert result.share == 0.3
    assert [s.words for s in result.covered] == [(0, 20), (60, 70)]
    assert [s.words for s in result.uncovered] == [(20, 60), (70, 100)]
    assert [s.lines for s in result.uncovered] == [(3, 6), (8, 10)]


def test_short_gaps_are_not_listed():
    result = coverage(numbered(), [(0, 10), (5, 20), (60, 70)], min_words=35)
    assert [s.words for s in result.uncovered] == [(20, 60)]


def test_excluded_stretches_count_neither_way():
    result = coverage(numbered(), [(0, 20), (60, 70), (25, 35)], excluded=[(20, 40)], min_words=15)
    assert (result.words, result.covered_words) == (80, 30)
    assert [s.words for s in result.uncovered] == [(40, 60), (70, 100)]


def test_percent_rounds_down_so_only_everything_is_100():
    assert Coverage(200, 199, (), ()).percent == 99
    assert Coverage(200, 200, (), ()).percent == 100
    assert Coverage(0, 0, (), ()).share == 1.0


def test_located_passages_and_spans_are_accepted():
    ix = SourceIndex("One two three four five six seven eight nine ten.\nEleven twelve thirteen fourteen.\n",
                     "n.txt")
    passage = locate(ix, "one two three four", "eight nine ten")
    assert passage.found
    result = coverage(ix, [passage, ix.span(10, 11)], min_words=1)
    assert result.covered_words == 12
    assert [s.words for s in result.uncovered] == [(12, 14)]
    assert result.uncovered[0].lines == (2, 2)


def test_ranges_outside_the_source_are_clipped():
    result = coverage(numbered(20), [(-5, 3), (18, 40)], min_words=1)
    assert result.covered_words == 5
    assert [s.words for s in result.uncovered] == [(3, 18)]


def test_anchors_read_back_as_lines_give_the_same_coverage_as_the_passages():
    ix = numbered()
    assert ix.words_in_lines(3, 4) == (20, 40)
    assert ix.words_in_lines(10, 12) == (90, 100)
    assert ix.words_in_lines(11, 12) == (100, 100)
    passage = locate(ix, "w23 w24 w25 w26", "w35 w36 w37 w38")
    assert passage.found and passage.lines == (3, 4)
    from_lines = coverage(ix, [ix.words_in_lines(*passage.lines)], min_words=1)
    assert from_lines.covered_words == 20  # whole lines: a little more than the passage's 16 words
    assert coverage(ix, [passage], min_words=1).covered_words == 16
