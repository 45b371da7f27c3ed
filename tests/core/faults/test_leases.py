"""A claim's lease is renewed while its batch posts and judged by the database's clock: slow
posts, a host clock stepped forward and hosts whose clocks disagree never let a second
process post what the first is still posting (issue 27). Real time, scaled down: a lease of
about a second, posts of a fraction of one, and the other process's retry job ticking."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

import bot.delivery
from tests.core.faults.trial import (
    DUE,
    OffsetClock,
    Platform,
    add_clubs,
    bot_process,
    count,
    fan_out,
    retry_ticks,
)

AT_ONCE = 5


@pytest.fixture(autouse=True)
def _few_at_once(monkeypatch):
    """Five posts in flight, so a fan-out of a few dozen clubs takes several rounds."""
    monkeypatch.setattr(bot.delivery, "POST_AT_ONCE", AT_ONCE)


async def _two_processes(database_url, platform, *, clock_a, clock_b, lease):
    a = await bot_process(database_url, clock_a, platform, "host-a:1")
    b = await bot_process(database_url, clock_b, platform, "host-b:1")
    for runtime in (a, b):
        runtime.store.claims.lease = lease
    return a, b


async def _race(a, b, ids, *, every=0.05):
    """A fans out now; meanwhile B's retry job looks for abandoned claims."""
    due = a.scheduler.clock.now()
    fanning = asyncio.ensure_future(fan_out(a, ids, due))
    await retry_ticks(b, fanning, every)
    return await fanning


async def test_posts_slower_than_the_lease_are_not_taken_over_while_they_post(database_url):
    """40 clubs, 5 at a time, 0.25 s a post (a timeout or a 429 being waited out): the
    fan-out takes 2 s, twice the 1 s lease."""
    platform = Platform(latency=0.25)
    a, b = await _two_processes(
        database_url,
        platform,
        clock_a=OffsetClock(),
        clock_b=OffsetClock(),
        lease=timedelta(seconds=1),
    )
    try:
        ids = await add_clubs(a.store, 40)
        outcomes = await _race(a, b, ids)
        trial = count(platform.made, ids)
        assert (trial.lost, trial.doubled) == (0, 0), trial
        assert set(outcomes.values()) == {"posted"}
    finally:
        await a.close()
        await b.close()


async def test_a_host_whose_clock_runs_ten_minutes_ahead_takes_over_nothing_alive(database_url):
    platform = Platform(latency=0.05)
    a, b = await _two_processes(
        database_url,
        platform,
        clock_a=OffsetClock(),
        clock_b=OffsetClock(timedelta(minutes=10)),
        lease=timedelta(minutes=5),
    )
    try:
        ids = await add_clubs(a.store, 60)
        await _race(a, b, ids)
        trial = count(platform.made, ids)
        assert (trial.lost, trial.doubled) == (0, 0), trial
    finally:
        await a.close()
        await b.close()


async def test_a_clock_stepped_ten_minutes_forward_mid_fanout_reposts_nothing(database_url):
    """NTP steps this host's clock by +10 minutes while it posts; its own retry job then
    runs on the new time."""
    clock = OffsetClock()
    platform = Platform(latency=0.05)
    a = await bot_process(database_url, clock, platform, "host-a:1")

    def step(n: int) -> None:
        if n == 20:
            clock.offset = timedelta(minutes=10)

    platform.on_post = step
    try:
        ids = await add_clubs(a.store, 60)
        fanning = asyncio.ensure_future(fan_out(a, ids, clock.now()))
        await retry_ticks(a, fanning, 0.05)
        await fanning
        trial = count(platform.made, ids)
        assert (trial.lost, trial.doubled) == (0, 0), trial
    finally:
        await a.close()


__all__ = ["DUE"]
