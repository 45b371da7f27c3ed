"""Officers told, once, when the database can't be written (a full disk, a read-only file).

Nothing about it can be recorded, so the notice needs no write: each club's alerts channel
gets one post straight from the poster, no claim, and "told" lives in memory until the
database takes writes again. On PostgreSQL the processes sharing it elect one teller with
an advisory lock, held (on a connection kept open) while the trouble lasts; on SQLite the
one process that runs the scheduler tells.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.clock import Clock
from bot.jobs import place_of
from bot.model import Message
from bot.posting import Poster
from bot.store.clubs import Club
from bot.store.store import Store

log = logging.getLogger(__name__)

# The advisory lock's key: any fixed number no other code of this database uses.
_TELLER_LOCK = 0x636C7562  # "club"
_AT_ONCE = 50


class OutageNotice:
    def __init__(self, *, store: Store, poster: Poster, clock: Clock) -> None:
        self.store, self.poster, self.clock = store, poster, clock
        self.told: str | None = None  # the reason officers were told of, while it lasts
        self._lock: AsyncConnection | None = None

    async def check(self) -> str | None:
        """Whether the database can be written; the first time it can't, tell every club's
        officers. Called by the scheduler's retry job every minute."""
        reason = await self.store.saving.check(self.clock.now())
        if reason is None:
            if self.told is not None:
                log.warning("the database takes writes again")
            self.told = None
            await self._release()
            return None
        if self.told is None:
            self.told = reason
            log.error("the bot can't save: %s", reason)
            if await self._elected():
                await self._tell_everyone(reason)
        return reason

    async def _tell_everyone(self, reason: str) -> None:
        try:
            clubs = await self.store.clubs.all()
        except (SQLAlchemyError, OSError) as error:  # not even a read: nobody to tell
            log.warning("can't read the clubs to tell their officers: %s", error)
            return
        message, slots = notice(reason), asyncio.Semaphore(_AT_ONCE)

        async def tell(club: Club) -> None:
            async with slots:
                try:
                    await self.poster.post(place_of(club, club.channels["alerts"].id), message)
                except Exception as error:  # best effort, like every notice
                    log.warning("club %s: the can't-save notice failed: %s", club.id, error)

        await asyncio.gather(
            *(
                tell(club)
                for club in clubs
                if "alerts" in club.channels and not club.channels["alerts"].broken_reason
            )
        )

    async def _elected(self) -> bool:
        """Whether this process tells (PostgreSQL: it holds the advisory lock)."""
        if self.store.engine.dialect.name != "postgresql":
            return True
        try:
            self._lock = await self.store.engine.connect()
            got = await self._lock.scalar(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": _TELLER_LOCK}
            )
            await self._lock.commit()  # the lock is the session's: no transaction left open
        except (SQLAlchemyError, OSError) as error:
            log.warning("can't agree who tells the officers (%s); telling them", error)
            return True
        if not got:
            await self._release()
        return bool(got)

    async def stop(self) -> None:
        """Let go of the teller's lock (the process is closing)."""
        await self._release()

    async def _release(self) -> None:
        if self._lock is not None:
            lock, self._lock = self._lock, None
            with contextlib.suppress(SQLAlchemyError, OSError):
                # Closed for good, not back to the pool: the lock is the session's.
                await lock.invalidate()
                await lock.close()


def notice(reason: str) -> Message:
    return Message(
        title="The bot can't save right now",
        text=(
            f"I can't save anything right now: {reason}. Until it's fixed, scheduled posts "
            "wait and commands that change something are refused; nothing saved so far is "
            "lost, and what is missed goes out once I can save again (late, saying so, "
            "while it still matters). Whoever runs the bot should look at its database "
            "(docs/deploy.md, 'When the database can't be written'). I won't repeat this "
            "while it lasts."
        ),
    )
