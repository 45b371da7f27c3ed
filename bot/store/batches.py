"""How many clubs (or claims) one statement reads or writes when many are handled at once:
well under any database's limit on bound parameters, small enough to keep memory flat."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Final, TypeVar

BATCH: Final = 500
_T = TypeVar("_T")


def chunks(items: Iterable[_T], size: int = BATCH) -> Iterator[Sequence[_T]]:
    """`items` in lists of at most `size`, in order."""
    listed = list(items)
    for start in range(0, len(listed), size):
        yield listed[start : start + size]
