"""The fault trials of tests/core/faults through the real Discord and Slack adapters, to
mocks that implement Discord's nonce and Slack's message metadata as documented: an outcome
the database would not take, a batch slower than its lease, a host clock ten minutes ahead.
Discord here has forgotten every nonce (as it does after a few minutes, before any lease
runs out), so nothing rests on it: no post is even sent twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import discord
import pytest

import bot.delivery
from adapters.discord.posting import DiscordPoster
from adapters.slack.posting import SlackPoster
from adapters.slack.workspace import SingleWorkspace, web_client
from bot.clock import ManualClock
from bot.posting import Poster
from tests.adapters.idempotent_mocks import MetadataSlackMock, NonceDiscordMock
from tests.core.faults.test_unwritten_outcomes import _failing_writes
from tests.core.faults.trial import (
    DUE,
    OffsetClock,
    add_clubs,
    bot_process,
    channel_of,
    fan_out,
    minutes_pass,
    retry_ticks,
)


@dataclass
class Platform:
    name: str
    poster: Poster
    mock: NonceDiscordMock | MetadataSlackMock

    def made(self) -> list[str]:
        """The channel of every message the platform made."""
        if isinstance(self.mock, NonceDiscordMock):
            return [channel for channel, _ in self.mock.created]
        return [m["channel"] for m in self.mock.created]

    def lost_and_doubled(self, ids: list[int]) -> tuple[int, int]:
        made = self.made()
        return (
            sum(1 for c in ids if channel_of(c) not in made),
            len(made) - len(set(made)),
        )


@pytest.fixture(params=["discord", "slack"])
async def platform(request: pytest.FixtureRequest, monkeypatch) -> AsyncIterator[Platform]:
    if request.param == "discord":
        mock: Any = NonceDiscordMock(latency=0.01, nonce_window=0.0)
        await mock.start()
        monkeypatch.setattr(discord.http.Route, "BASE", mock.url)
        client = discord.Client(intents=discord.Intents.none())
        await client.login("fake-token")
        yield Platform(name="discord", poster=DiscordPoster(client), mock=mock)
        await client.close()
    else:
        mock = MetadataSlackMock(latency=0.01, accept_any_channel=True)
        await mock.start()
        poster = SlackPoster(SingleWorkspace(web_client("xoxb-trial", base_url=mock.api_url)))
        yield Platform(name="slack", poster=poster, mock=mock)
    await mock.stop()


async def test_outcomes_not_written_at_first_are_never_posted_again(database_url, platform):
    clock = ManualClock(DUE)
    runtime = await bot_process(database_url, clock, platform.poster, "a")
    try:
        ids = await add_clubs(runtime.store, 150, platform=platform.name)
        _failing_writes(runtime.store.claims, times=3)
        await fan_out(runtime, ids, DUE)
        await minutes_pass(runtime, clock, 15)
        assert platform.lost_and_doubled(ids) == (0, 0)
    finally:
        await runtime.close()


async def test_a_batch_slower_than_its_lease_and_a_host_ahead_double_nothing(
    database_url, platform, monkeypatch
):
    """Five posts at a time of 0.1 s for 40 clubs: twice the 0.4 s lease; the other host's
    clock runs ten minutes ahead."""
    monkeypatch.setattr(bot.delivery, "POST_AT_ONCE", 5)
    platform.mock.latency = 0.1
    a = await bot_process(database_url, OffsetClock(), platform.poster, "host-a:1")
    b = await bot_process(database_url, OffsetClock(timedelta(minutes=10)), platform.poster, "b:1")
    for runtime in (a, b):
        runtime.store.claims.lease = timedelta(seconds=0.4)
    try:
        ids = await add_clubs(a.store, 40, platform=platform.name)
        fanning = asyncio.ensure_future(fan_out(a, ids, a.scheduler.clock.now()))
        await retry_ticks(b, fanning, 0.05)
        await fanning
        assert platform.lost_and_doubled(ids) == (0, 0)
    finally:
        await a.close()
        await b.close()
