from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from notesmith.pipeline.grouping import group_by_time

T0 = datetime(2026, 2, 17, 8, 0, 0, tzinfo=timezone.utc)
WINDOW = timedelta(minutes=2)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ids(groups: list[list[tuple[str, datetime]]]) -> list[list[str]]:
    return [[name for name, _ in group] for group in groups]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], []),
        ([("a", at(0))], [["a"]]),
        # gap exactly the window still chains
        ([("a", at(0)), ("b", at(120))], [["a", "b"]]),
        ([("a", at(0)), ("b", at(121))], [["a"], ["b"]]),
        # a chain: first and last are 200 s apart, each gap is 100 s
        ([("a", at(0)), ("b", at(100)), ("c", at(200))], [["a", "b", "c"]]),
        # given out of order: sorted by time first
        ([("c", at(200)), ("a", at(0)), ("b", at(100))], [["a", "b", "c"]]),
        # equal times keep the order given
        ([("y", at(0)), ("x", at(0)), ("z", at(500))], [["y", "x"], ["z"]]),
        ([("a", at(0)), ("b", at(60)), ("c", at(1000)), ("d", at(1100))],
         [["a", "b"], ["c", "d"]]),
    ],
)
def test_group_by_time(items: list[tuple[str, datetime]], expected: list[list[str]]) -> None:
    assert ids(group_by_time(items, key=lambda item: item[1], window=WINDOW)) == expected


def test_chain_ignores_author() -> None:
    items = [("alice", at(0)), ("bob", at(90)), ("alice", at(180))]
    groups = group_by_time(items, key=lambda item: item[1], window=WINDOW)
    assert groups == [items]


def test_zero_window_groups_only_equal_times() -> None:
    items = [("a", at(0)), ("b", at(0)), ("c", at(1))]
    assert ids(group_by_time(items, key=lambda item: item[1], window=timedelta(0))) == [
        ["a", "b"],
        ["c"],
    ]


def test_offsets_compare_by_instant() -> None:
    plus3 = timezone(timedelta(hours=3))
    items = [("moscow", datetime(2026, 2, 17, 11, 1, tzinfo=plus3)), ("utc", at(0))]
    assert ids(group_by_time(items, key=lambda item: item[1], window=WINDOW)) == [["utc", "moscow"]]


def test_negative_window_is_rejected() -> None:
    with pytest.raises(ValueError):
        group_by_time([("a", at(0))], key=lambda item: item[1], window=timedelta(seconds=-1))


def test_input_is_not_mutated() -> None:
    items = [("b", at(100)), ("a", at(0))]
    group_by_time(items, key=lambda item: item[1], window=WINDOW)
    assert items == [("b", at(100)), ("a", at(0))]
