"""One object the commands and the scheduler get: the engine and its repositories."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.claims import Claims
from bot.store.clubs import AuditEntry, Clubs, recent_audit
from bot.store.db import make_engine, make_sessions, upgrade
from bot.store.deadlines import DeadlineStore
from bot.store.pairing import PairingStore
from bot.store.problems import ProblemStore


class Store:
    def __init__(self, engine: AsyncEngine, *, lease: timedelta = timedelta(minutes=5)) -> None:
        self.engine = engine
        self.sessions = make_sessions(engine)
        self.clubs = Clubs(self.sessions)
        self.claims = Claims(self.sessions, lease=lease)
        self.deadlines = DeadlineStore(self.sessions)
        self.problems = ProblemStore(self.sessions)
        self.pairing = PairingStore(self.sessions)

    @classmethod
    async def open(cls, url: str, *, lease: timedelta = timedelta(minutes=5)) -> Store:
        """Connect to `url` and bring its schema up to date."""
        engine = make_engine(url)
        try:
            await upgrade(engine)
        except BaseException:  # e.g. a database from a newer clubbot: close what was opened
            await engine.dispose()
            raise
        return cls(engine, lease=lease)

    async def audit(self, club_id: int, limit: int = 10) -> list[AuditEntry]:
        return await recent_audit(self.sessions, club_id, limit)

    async def close(self) -> None:
        await self.engine.dispose()
