"""Fakes only at the edge: a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set), a hand-moved clock, a recording poster and a console-like directory."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.model import CommandEvent, Message, Place, User
from bot.posting import PostFailed, PostKey, PostRefused
from bot.runtime import Runtime, open_runtime
from bot.store.store import Store

WORKSPACE = "ws-1"
# Monday 16 November 2026, 10:00 in New York.
MONDAY = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    return url


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(_postgres_url() is None, reason="TEST_DATABASE_URL is not set"),
    ),
]


async def _fresh_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(autouse=True)
def _collectable_again() -> Iterator[None]:
    """A bot's start freezes what its process holds (`bot.runtime.settled`); a test
    process starts hundreds of bots, so each test's frozen objects are given back to the
    collector after it."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "club.db")
    url = _postgres_url()
    assert url is not None
    await _fresh_postgres(url)
    return url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(database_url)
    yield opened
    await opened.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)


@dataclass
class RecordingPoster:
    """Records what would reach the platform; can be told to refuse or fail a channel."""

    posts: list[tuple[Place, Message]] = field(default_factory=list)
    dms: list[tuple[str, Message]] = field(default_factory=list)
    refusing: set[str] = field(default_factory=set)
    failing: dict[str, int] = field(default_factory=dict)

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        if place.channel_id in self.refusing:
            raise PostRefused("403 Forbidden")
        if self.failing.get(place.channel_id, 0) > 0:
            self.failing[place.channel_id] -= 1
            raise PostFailed("503 Service Unavailable")
        self.posts.append((place, message))
        return f"m{len(self.posts)}"

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        self.dms.append((user_id, message))
        return f"d{len(self.dms)}"

    def messages(self, channel: str) -> list[Message]:
        return [m for p, m in self.posts if p.channel_id == channel]

    def titles(self, channel: str | None = None) -> list[str]:
        return [m.title for p, m in self.posts if channel is None or p.channel_id == channel]


@dataclass
class Club:
    """A club driven through the core exactly as an adapter would drive it."""

    runtime: Runtime
    poster: RecordingPoster
    clock: ManualClock
    workspace: str = WORKSPACE

    async def run(self, line: str, *, as_user: User) -> Message:
        from adapters.command_text import parse_command

        name, args = parse_command(line, (c.name for c in self.runtime.bot.commands))
        place = Place(platform="console", workspace_id=self.workspace, channel_id="general")
        return await self.runtime.bot.handle(
            CommandEvent(name=name, args=args, user=as_user, place=place)
        )


ADMIN = User(id="alex", name="alex", is_admin=True)
MEMBER = User(id="sam", name="sam")

SETUP = (
    "/admin setup timezone:America/New_York deadlines:#deadlines "
    "problems:#daily-problem pairing:#mock-interviews alerts:#officers"
)


async def _runtime(
    database_url: str, clock: ManualClock, poster: RecordingPoster, owner: str = "test"
) -> Runtime:
    return await open_runtime(
        database_url=database_url,
        clock=clock,
        poster=poster,
        directory=ConsoleDirectory(refusing=poster.refusing),
        owner=owner,
    )


@pytest.fixture
async def club(database_url: str, clock: ManualClock) -> AsyncIterator[Club]:
    poster = RecordingPoster()
    made = Club(runtime=await _runtime(database_url, clock, poster), poster=poster, clock=clock)
    yield made
    await made.runtime.close()  # the one running now, after any restart


async def restart(club: Club, database_url: str) -> None:
    """The bot stops and starts again on the same database, catching up as it does at start."""
    await club.runtime.close()
    club.runtime = await _runtime(database_url, club.clock, club.poster, owner="test-restarted")
    await club.runtime.scheduler.catch_up()
