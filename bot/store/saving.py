"""Whether the database takes writes: a full disk, a read-only file or a database that is
away, told apart from a bug, in words a member or an officer can act on.

A read-only file or a full disk shows only when something is written: `check_write`
updates one row (the `store_write_checks` table) and commits, waiting for the disk as
claims do. `/healthz`, `clubbot db check` and the scheduler's notice to officers
(bot/outage.py) ask through `Saving`, which also remembers a failure any write met.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.models import WriteCheckRow
from bot.store.upsert import insert_if_absent

READ_ONLY: Final = "its database is read-only"
FULL: Final = "the disk of its database is full"
AWAY: Final = "it can't reach its database"
FAILING: Final = "the disk of its database fails"

# SQLite's result codes (sqlite3 errors carry the name) and PostgreSQL's SQLSTATEs.
_SQLITE: Final = {
    "SQLITE_READONLY": READ_ONLY,
    "SQLITE_FULL": FULL,
    "SQLITE_IOERR": FAILING,
    "SQLITE_CANTOPEN": AWAY,
}
_SQLSTATE: Final = {
    "53100": FULL,  # disk_full
    "25006": READ_ONLY,  # read_only_sql_transaction (a standby, default_transaction_read_only)
    "53000": FULL,  # insufficient_resources
    "57P01": AWAY,  # admin_shutdown
    "57P02": AWAY,  # crash_shutdown
    "57P03": AWAY,  # cannot_connect_now
    "08006": AWAY,  # connection_failure
}
_ERRNO: Final = {
    errno.ENOSPC: FULL,
    errno.EDQUOT: FULL,
    errno.EROFS: READ_ONLY,
    errno.EACCES: READ_ONLY,
    errno.ECONNREFUSED: AWAY,
    errno.EHOSTUNREACH: AWAY,
    errno.ETIMEDOUT: AWAY,
}
# A write check's answer is good for this long (a load balancer may ask every second).
_CHECKED_FOR = timedelta(seconds=5)


def cannot_save(error: BaseException) -> str | None:
    """Why the database can't take a write, if that is what `error` says; None for
    anything else (a bug, bad input)."""
    for link in _chain(error):
        name = getattr(link, "sqlite_errorname", None)
        if isinstance(link, sqlite3.Error) and isinstance(name, str):
            found = next((why for code, why in _SQLITE.items() if name.startswith(code)), None)
            if found:
                return found
        state = getattr(link, "sqlstate", None)
        if isinstance(state, str) and state in _SQLSTATE:
            return _SQLSTATE[state]
        if isinstance(link, OSError) and link.errno in _ERRNO:
            return _ERRNO[link.errno]
        if isinstance(link, ConnectionError):
            return AWAY
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    waiting: list[BaseException | None] = [error]
    while waiting:
        link = waiting.pop()
        if link is None or id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        waiting += [link.__cause__, link.__context__, getattr(link, "orig", None)]


async def check_write(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """Write and commit one row; raises what the database raises when it can't."""
    async with sessions() as session, session.begin():
        result = await session.execute(
            update(WriteCheckRow).where(WriteCheckRow.id == 1).values(at=now)
        )
        if not getattr(result, "rowcount", 0):
            await insert_if_absent(session, WriteCheckRow, {"id": 1, "at": now})


class Saving:
    """What the database's writes look like from this process lately."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine) -> None:
        self._sessions, self._engine = sessions, engine
        # The last failure a write met, numbered, and the number the last check saw.
        self._noticed: tuple[int, str] | None = None
        self._count = 0
        self._checked: tuple[datetime, int, str | None] | None = None

    def noticed(self, error: BaseException) -> str | None:
        """Take note of a write that failed; why it can't save, if that was the reason."""
        reason = cannot_save(error)
        if reason is not None:
            self._count += 1
            self._noticed = (self._count, reason)
        return reason

    async def check(self, now: datetime) -> str | None:
        """Why the database can't be written now, or None: a write (at most every few
        seconds), or a failure some write met since the last check that passed."""
        if (
            self._checked is None
            or now - self._checked[0] >= _CHECKED_FOR
            or now < self._checked[0]
        ):
            try:
                await check_write(self._sessions, now)
                self._checked = (now, self._count, None)
            except Exception as error:  # anything the database raises is the answer
                why = cannot_save(error) or f"its database fails ({error})"[:200]
                self._checked = (now, self._count, why)
                # A SQLite connection opened while the file was read-only stays read-only:
                # the next check (and everything else) opens fresh ones.
                if self._engine.dialect.name == "sqlite":
                    await self._engine.dispose()
        if self._checked[2] is not None:
            return self._checked[2]
        if self._noticed is not None and self._noticed[0] > self._checked[1]:
            return self._noticed[1]
        return None
