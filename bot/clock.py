"""The injected clock: real time in production, a hand-moved one in tests and the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = _aware(instant)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("the clock needs an aware datetime")
    return instant.astimezone(UTC)
