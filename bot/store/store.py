"""One object the commands and the scheduler get: the engine, the core's repositories, and
each feature's repository built on the same sessions.

The core knows no feature: a feature asks for its repository by type,
`store.repo(PairingStore)`, and gets one instance per store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.claims import Claims
from bot.store.clubs import AuditEntry, Clubs, recent_audit
from bot.store.db import make_engine, make_sessions, upgrade
from bot.store.saving import Saving

Sessions = async_sessionmaker[AsyncSession]
R = TypeVar("R")


class Store:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        lease: timedelta = timedelta(minutes=5),
        database_clock: bool = False,
    ) -> None:
        self.engine = engine
        self.sessions = make_sessions(engine)
        self.clubs = Clubs(self.sessions)
        self.claims = Claims(self.sessions, lease=lease, database_clock=database_clock)
        self.saving = Saving(self.sessions, engine)
        self._repos: dict[Callable[[Sessions], Any], Any] = {}

    @classmethod
    async def open(
        cls, url: str, *, lease: timedelta = timedelta(minutes=5), database_clock: bool = False
    ) -> Store:
        """Connect to `url` and bring its schema up to date. `database_clock`: judge claims'
        leases by the database's clock (see bot/store/claims.py)."""
        engine = make_engine(url)
        try:
            await upgrade(engine)
        except BaseException:  # e.g. a database from a newer clubbot: close what was opened
            await engine.dispose()
            raise
        return cls(engine, lease=lease, database_clock=database_clock)

    def repo(self, kind: Callable[[Sessions], R]) -> R:
        """A feature's repository on this store's sessions, built once."""
        if kind not in self._repos:
            self._repos[kind] = kind(self.sessions)
        return cast(R, self._repos[kind])

    async def audit(self, club_id: int, limit: int = 10) -> list[AuditEntry]:
        return await recent_audit(self.sessions, club_id, limit)

    async def close(self) -> None:
        await self.engine.dispose()
