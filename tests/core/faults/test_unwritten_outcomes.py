"""An outcome the database would not take is kept and written when it answers again, so
the claim is never taken over and posted a second time (issue 27)."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy.exc import OperationalError

from bot.clock import ManualClock
from bot.delivery import POST_AT_ONCE
from tests.conftest import _postgres_url
from tests.core.faults.trial import (
    DUE,
    Platform,
    add_clubs,
    bot_process,
    count,
    fan_out,
    minutes_pass,
)

CLUBS = 300


def _failing_writes(claims, times: int) -> list[int]:
    """The next `times` outcome writes fail as a dropped connection does."""
    real, left = claims.finish_many, [times]

    async def finish_many(finished, **kwargs):
        if left[0] > 0:
            left[0] -= 1
            raise OperationalError("UPDATE claims", {}, ConnectionResetError("connection lost"))
        return await real(finished, **kwargs)

    claims.finish_many = finish_many
    return left


async def test_outcome_writes_that_fail_are_written_later_and_nothing_is_posted_twice(
    database_url,
):
    clock, platform = ManualClock(DUE), Platform()
    runtime = await bot_process(database_url, clock, platform, "a")
    try:
        ids = await add_clubs(runtime.store, CLUBS)
        left = _failing_writes(runtime.store.claims, times=3)
        await fan_out(runtime, ids, DUE)
        assert left == [0]
        # Long past the lease: the retry job would take over any claim still open.
        await minutes_pass(runtime, clock, 15)
        trial = count(platform.made, ids)
        assert (trial.lost, trial.doubled) == (0, 0), trial
        claims = await runtime.store.claims.get_many(k for k in await _keys(runtime, ids))
        assert {c.status for c in claims.values()} == {"posted"}
    finally:
        await runtime.close()


async def _keys(runtime, ids):
    from bot.store.claims import ClaimKey

    return [ClaimKey(club_id=c, kind="daily_problem", occurrence="2026-11-17") for c in ids]


@pytest.mark.skipif(_postgres_url() is None, reason="TEST_DATABASE_URL is not set")
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_backends_terminated_during_a_fanout_lose_nothing_and_double_nothing(seed):
    """Every connection of ours killed by `pg_terminate_backend` three times at random
    moments of a fan-out (a PostgreSQL restart, a failover): whatever statement it hits
    (claim, build, outcome), each club gets its post once."""
    import asyncpg

    from tests.conftest import _fresh_postgres

    url = _postgres_url()
    assert url is not None
    await _fresh_postgres(url)
    clock, platform = ManualClock(DUE), Platform(latency=0.01)
    runtime = await bot_process(url, clock, platform, "a")
    rng = random.Random(seed)
    kills = sorted(rng.sample(range(1, CLUBS), 3))

    async def terminate() -> None:
        killer = await asyncpg.connect(
            url.replace("postgresql+asyncpg://", "postgresql://"),
            server_settings={"application_name": "killer"},
        )
        try:
            await killer.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name <> 'killer'"
            )
        finally:
            await killer.close()

    pending: list[asyncio.Task[None]] = []
    platform.on_post = lambda n: (
        pending.append(asyncio.ensure_future(terminate())) if n in kills else None
    )
    try:
        ids = await add_clubs(runtime.store, CLUBS)
        await fan_out(runtime, ids, DUE)
        await asyncio.gather(*pending)
        await minutes_pass(runtime, clock, 15)
        trial = count(platform.made, ids)
        assert trial.lost == 0, trial
        assert trial.doubled == 0, trial
    finally:
        await runtime.close()


def test_the_bound_is_the_posts_in_flight():
    assert POST_AT_ONCE == 50


async def test_a_disk_that_fills_mid_fanout_loses_nothing_and_doubles_nothing(tmp_path):
    """600 clubs on a SQLite file on a small disk that fills while the fan-out posts (at
    the 100th post) and is freed a second later."""
    from bot.config import sqlite_url
    from tests.core.faults.disks import fill, tiny_disk

    with tiny_disk(tmp_path / "disk", size="6m") as disk:
        clock, platform = ManualClock(DUE), Platform(latency=0.002)
        runtime = await bot_process(sqlite_url(disk / "club.db"), clock, platform, "a")
        fillers: list = []
        freed = asyncio.Event()

        def fill_then_free(n: int) -> None:
            if n == 100:
                fillers.append(fill(disk))
                asyncio.get_running_loop().call_later(1.0, free)

        def free() -> None:
            fillers[0].unlink()
            freed.set()

        platform.on_post = fill_then_free
        try:
            ids = await add_clubs(runtime.store, 600)
            await fan_out(runtime, ids, DUE)
            await freed.wait()
            await minutes_pass(runtime, clock, 15)
            trial = count(platform.made, ids)
            assert (trial.lost, trial.doubled) == (0, 0), trial
        finally:
            await runtime.close()
