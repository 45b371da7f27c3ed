"""The sign-in throttle against an independent oracle: an address may try again exactly
when fewer than FAILURES of its failures fall within the window, and the wait it is told
ends when the oldest of those leaves the window."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.web.throttle import ADDRESSES, FAILURES, WITHIN, Throttle

START = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
# (address, seconds since the previous attempt, whether the attempt fails)
ATTEMPTS = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 400), st.booleans()),
    max_size=120,
)


def _oracle_wait(failures: list[datetime], now: datetime) -> int:
    recent = sorted(t for t in failures if t > now - WITHIN)
    if len(recent) < FAILURES:
        return 0
    return max(1, math.ceil((recent[-FAILURES] + WITHIN - now).total_seconds()))


@settings(max_examples=300, deadline=None)
@given(ATTEMPTS)
def test_the_throttle_waits_exactly_as_long_as_the_oracle_says(attempts: list) -> None:
    throttle, now = Throttle(), START
    failures: dict[str, list[datetime]] = {}
    for address, seconds, fails in attempts:
        now += timedelta(seconds=seconds)
        wait = throttle.wait(address, now)
        assert wait == _oracle_wait(failures.get(address, []), now)
        if wait == 0 and fails:  # a waiting address isn't asked about, so it can't fail
            throttle.failed(address, now)
            failures.setdefault(address, []).append(now)


def test_it_remembers_a_bounded_number_of_addresses() -> None:
    throttle = Throttle()
    for number in range(ADDRESSES + 500):
        throttle.failed(f"10.0.{number // 256}.{number % 256}", START)
    assert len(throttle._seen) == ADDRESSES
    assert throttle.wait("10.0.0.0", START) == 0  # the oldest forgotten, not wrongly kept


def test_asking_remembers_nothing() -> None:
    throttle = Throttle()
    for number in range(1000):
        assert throttle.wait(f"10.1.{number // 256}.{number % 256}", START) == 0
    assert len(throttle._seen) == 0
