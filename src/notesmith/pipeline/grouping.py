"""Group inputs sent close together so they are read as one (SPEC §5 step 3)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

__all__ = ["group_by_time"]

T = TypeVar("T")


def group_by_time(
    items: Sequence[T], *, key: Callable[[T], datetime], window: timedelta
) -> list[list[T]]:
    """Sort items by time and chain each one whose gap to the previous is at most window."""
    if window < timedelta(0):
        raise ValueError(f"window must not be negative, got {window}")
    groups: list[list[T]] = []
    previous: datetime | None = None
    for item in sorted(items, key=key):  # stable: equal times keep the order given
        when = key(item)
        if previous is None or when - previous > window:
            groups.append([item])
        else:
            groups[-1].append(item)
        previous = when
    return groups
