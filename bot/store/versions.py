"""Versions of shared data (`data_versions`): a writer bumps its data's counter in the
transaction that changes it; a reader keeps what it read under the counter it saw, so a
change made by any process is read again at the next read, and nothing else is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.models import DataVersionRow
from bot.store.upsert import insert_if_absent

T = TypeVar("T")


async def bump(session: AsyncSession, name: str) -> None:
    """Within the writer's transaction: `name`'s data changed."""
    await insert_if_absent(session, DataVersionRow, {"name": name, "version": 0})
    await session.execute(
        update(DataVersionRow)
        .where(DataVersionRow.name == name)
        .values(version=DataVersionRow.version + 1)
    )


class Kept(Generic[T]):
    """What one process read of `name`'s data, by what was asked: read again once the
    data's version moves. A value is kept with the version read before it was loaded, so a
    load that raced a change is never taken for the newer data."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], name: str) -> None:
        self._sessions, self._name = sessions, name
        self._kept: dict[Hashable, tuple[int, T]] = {}

    async def version(self) -> int:
        async with self._sessions() as session:
            found = await session.scalar(
                select(DataVersionRow.version).where(DataVersionRow.name == self._name)
            )
        return int(found or 0)

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        version = await self.version()
        kept = self._kept.get(key)
        if kept is not None and kept[0] == version:
            return kept[1]
        value = await load()
        if any(v != version for v, _ in self._kept.values()):
            self._kept = {k: kv for k, kv in self._kept.items() if kv[0] == version}
        self._kept[key] = (version, value)
        return value
