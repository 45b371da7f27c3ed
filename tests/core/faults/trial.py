"""Fault trials in one process: bot runtimes sharing a real database fan out the daily problem
to many clubs while a failure is injected, then what the platform made is counted: clubs that
got no post (lost) and messages made beyond one per post (doubled).

The platform here is `Platform`, which records a message the moment it exists (half a post's
latency before it answers), so a post cut off mid-way still counts as made: a platform with
no way to recognise a post sent twice. tests/adapters/test_fault_trials.py runs the same
trials through the real Discord and Slack adapters.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from adapters.console import ConsoleDirectory
from bot.clock import Clock, ManualClock, SystemClock
from bot.model import Message, Place
from bot.posting import Poster, PostKey
from bot.problems.posts import DAILY
from bot.runtime import Runtime, open_runtime
from bot.store.models import ChannelRow, ClubRow
from bot.store.store import Store

# Tuesday 17 November 2026, 09:00 in New York: every club's daily problem is due at once.
DUE = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
FIRST_CHANNEL = 100_000


@dataclass
class Platform:
    """Makes every message it is sent; `latency` seconds a post, half before the message
    exists and half after. `on_post(n)` is called as the n-th message is made."""

    latency: float = 0.0
    made: list[tuple[str, str]] = field(default_factory=list)
    on_post: Callable[[int], None] | None = None

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        await asyncio.sleep(self.latency / 2)
        self.made.append((place.channel_id, message.title))
        if self.on_post is not None:
            self.on_post(len(self.made))
        await asyncio.sleep(self.latency / 2)
        return f"m{len(self.made)}"

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        return await self.post(place, message, key=key)


@dataclass(frozen=True, slots=True, kw_only=True)
class Count:
    clubs: int
    posts: int
    lost: int
    doubled: int


def count(made: Iterable[tuple[str, str]], club_ids: Iterable[int]) -> Count:
    """Lost: clubs whose problems channel got nothing; doubled: copies beyond the first."""
    made = list(made)
    copies = Counter(made)
    channels = {channel for channel, _ in made}
    ids = list(club_ids)
    return Count(
        clubs=len(ids),
        posts=len(made),
        lost=sum(1 for c in ids if channel_of(c) not in channels),
        doubled=sum(n - 1 for n in copies.values()),
    )


def channel_of(club_id: int) -> str:
    return str(FIRST_CHANNEL + club_id)


async def add_clubs(store: Store, clubs: int, *, platform: str = "console") -> list[int]:
    """`clubs` clubs in New York, each with only a problems channel (numeric ids, as Discord's)."""
    async with store.engine.begin() as db:
        await db.execute(
            insert(ClubRow),
            [
                {
                    "id": c,
                    "platform": platform,
                    "workspace_id": f"{900_000 + c}",
                    "name": f"club {c}",
                    "timezone": "America/New_York",
                    "digest_weekday": 0,
                    "digest_time": "09:00",
                    "created_at": DUE - timedelta(days=7),
                }
                for c in range(1, clubs + 1)
            ],
        )
        await db.execute(
            insert(ChannelRow),
            [
                {
                    "club_id": c,
                    "purpose": "problems",
                    "channel_id": channel_of(c),
                    "channel_name": f"problems-{c}",
                }
                for c in range(1, clubs + 1)
            ],
        )
    return list(range(1, clubs + 1))


async def bot_process(url: str, clock: Clock, poster: Poster, owner: str) -> Runtime:
    """One bot process's runtime (its scheduler not started: the trial drives it)."""
    return await open_runtime(
        database_url=url, clock=clock, poster=poster, directory=ConsoleDirectory(), owner=owner
    )


async def fan_out(runtime: Runtime, club_ids: Iterable[int], due: datetime) -> dict[int, str]:
    """What the APScheduler job of the clubs' daily problem does when it fires."""
    job = runtime.scheduler.jobs[DAILY]
    return dict(await runtime.scheduler.run_many(job, dict.fromkeys(club_ids, due)))


class OffsetClock(SystemClock):
    """The host's real clock, `offset` off (another host's clock, or one NTP just stepped)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return super().now() + self.offset


async def minutes_pass(runtime: Runtime, clock: ManualClock, minutes: int) -> None:
    """`minutes` of a running process's retry job, which looks every minute."""
    for _ in range(minutes):
        clock.advance(timedelta(minutes=1))
        await runtime.scheduler.retry_failed()


async def retry_ticks(runtime: Runtime, until: asyncio.Future[object], every: float) -> int:
    """The retry job of a running process, every `every` seconds until `until` is done."""
    ticks = 0
    while not until.done():
        await runtime.scheduler.retry_failed()
        ticks += 1
        await asyncio.wait([until], timeout=every)
    await runtime.scheduler.retry_failed()
    return ticks + 1
