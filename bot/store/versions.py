"""Versions of shared data (`data_versions`): a writer bumps its data's counter in the
transaction that changes it; a reader keeps what it read under the counter it saw, so a
change made by any process is read again at the next read, and nothing else is."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Final, Generic, TypeVar

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.models import DataVersionRow
from bot.store.upsert import insert_if_absent

T = TypeVar("T")

# Asked at every read of kept data: built once.
_VERSION: Final = select(DataVersionRow.version).where(DataVersionRow.name == bindparam("name"))


async def bump(session: AsyncSession, name: str) -> None:
    """Within the writer's transaction: `name`'s data changed."""
    await insert_if_absent(session, DataVersionRow, {"name": name, "version": 0})
    await session.execute(
        update(DataVersionRow)
        .where(DataVersionRow.name == name)
        .values(version=DataVersionRow.version + 1)
    )


class Recent(Generic[T]):
    """The `size` most recently used values by key, each made by `make` the first time it
    is asked for (an LRU for what is worked out, not read: nothing else makes it stale)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, T] = OrderedDict()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        if key in self._values:
            self._values.move_to_end(key)
            return self._values[key]
        value = self._values[key] = make()
        if len(self._values) > self.size:
            self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        self._values.clear()


class Kept(Generic[T]):
    """What one process read of `name`'s data, by what was asked (the `size` most recently
    asked for): read again once the data's version moves. A value is kept with the version
    read before it was loaded, so a load that raced a change is never taken for the newer
    data."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], name: str, *, size: int = 16
    ) -> None:
        self._sessions, self._name, self._size = sessions, name, size
        self._kept: OrderedDict[Hashable, tuple[int, T]] = OrderedDict()

    async def version(self) -> int:
        async with self._sessions() as session:
            found = await session.scalar(_VERSION, {"name": self._name})
        return int(found or 0)

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        version = await self.version()
        kept = self._kept.get(key)
        if kept is not None and kept[0] == version:
            self._kept.move_to_end(key)
            return kept[1]
        value = await load()
        self._kept[key] = (version, value)
        self._kept.move_to_end(key)
        for old in [k for k, (v, _) in self._kept.items() if v != version]:
            del self._kept[old]
        while len(self._kept) > self._size:  # the least recently asked for goes
            self._kept.popitem(last=False)
        return value
