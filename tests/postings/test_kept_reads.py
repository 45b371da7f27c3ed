"""What postings commands read is kept per process until any process's poll changes the
postings (`data_versions`): a second store on the same database, as a second process, sees
each change at its next read, and a read that raced a change is never kept as the new one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta

from bot.postings.diff import Changes, diff
from bot.postings.listing import Posting
from bot.postings.store import PostingStore
from bot.store.store import Store
from bot.store.versions import Kept, bump

NOW = datetime(2026, 11, 16, 15, 20, tzinfo=UTC)
SOURCE = "SimplifyJobs/Summer2026-Internships"


def _posting(n: int, *, where: str = "New York, NY") -> Posting:
    return Posting(
        source=SOURCE,
        ext_id=f"id-{n}",
        company="Acme",
        title=f"Software Engineer Intern {n}",
        url=f"https://example.org/{n}",
        locations=(where,),
        posted_at=NOW - timedelta(days=n),
    )


async def test_a_second_process_sees_each_change_at_its_next_read(database_url: str) -> None:
    writer, reader = await Store.open(database_url), await Store.open(database_url)
    try:
        mine, theirs = writer.repo(PostingStore), reader.repo(PostingStore)
        await mine.apply(Changes(new=[_posting(1), _posting(2)]), now=NOW)
        since = NOW - timedelta(days=30)
        first = await theirs.posted_read(since)
        assert {r.stored.posting.ext_id for r in first} == {"id-1", "id-2"}

        # New, changed (now in Boston) and gone, by the other process.
        fetched = [_posting(1, where="Boston, MA"), _posting(3)]
        await mine.apply(diff(SOURCE, fetched, await mine.known()), now=NOW)
        read = {r.stored.posting.ext_id: r for r in await theirs.posted_read(since)}
        assert set(read) == {"id-1", "id-2", "id-3"}
        assert read["id-1"].stored.posting.locations == ("Boston, MA",)
        assert "boston" in read["id-1"].facts.locations
        assert not read["id-2"].stored.open
        seen = await theirs.seen_read(NOW - timedelta(days=1), posted_since=NOW - timedelta(days=5))
        assert {r.stored.posting.ext_id for r in seen} == {"id-1", "id-2", "id-3"}
    finally:
        await writer.close()
        await reader.close()


async def test_a_kept_read_is_narrowed_to_the_moment_asked(store: Store) -> None:
    repo = store.repo(PostingStore)
    await repo.apply(Changes(new=[_posting(n) for n in range(1, 6)]), now=NOW)
    for days in (1, 2, 3, 5):
        since = NOW - timedelta(days=days) + timedelta(minutes=1)
        got = [r.stored.posting.ext_id for r in await repo.posted_read(since)]
        assert got == [f"id-{n}" for n in range(1, days)], days


async def test_a_load_that_raced_a_change_is_read_again(store: Store) -> None:
    kept: Kept[int] = Kept(store.sessions, "test")
    loads = 0

    async def load() -> int:
        nonlocal loads
        loads += 1
        if loads == 1:  # another process changes the data while this one reads it
            async with store.sessions() as session, session.begin():
                await bump(session, "test")
        return loads

    assert await kept.get("k", load) == 1
    assert await kept.get("k", load) == 2  # kept under the version before the change
    assert await kept.get("k", load) == 2  # now it is current
    assert loads == 2


async def test_reads_under_way_together_keep_one_answer(store: Store) -> None:
    kept: Kept[str] = Kept(store.sessions, "test")

    def reading(n: int) -> Awaitable[str]:
        return kept.get(n % 3, lambda: _slow(str(n % 3)))

    answers = await asyncio.gather(*(reading(n) for n in range(9)))
    assert answers == [str(n % 3) for n in range(9)]
    async with store.sessions() as session, session.begin():
        await bump(session, "test")
    assert await kept.get(0, lambda: _slow("new")) == "new"


async def _slow(value: str) -> str:
    await asyncio.sleep(0)
    return value


async def test_only_the_most_recently_asked_are_kept(store: Store) -> None:
    kept: Kept[int] = Kept(store.sessions, "test", size=2)
    loads: list[str] = []

    async def load(key: str) -> int:
        loads.append(key)
        return len(loads)

    for key in ("a", "b", "a", "c", "a", "b"):
        await kept.get(key, lambda key=key: load(key))
    assert loads == ["a", "b", "c", "b"]  # b went when c came; a, asked last, stayed
