"""The dashboard's signing key: one random secret for every process on a database, made by
whichever asks first, and read by each process once (every dashboard request and sign-in
link signs or checks with it)."""

import asyncio

from sqlalchemy import event

from bot.store.store import Store
from bot.web.store import WebStore


async def test_every_process_signs_with_the_same_key_and_reads_it_once(database_url):
    first, second = await Store.open(database_url), await Store.open(database_url)
    try:
        keys = await asyncio.gather(
            first.repo(WebStore).key("signin"), second.repo(WebStore).key("signin")
        )
        assert keys[0] == keys[1]
        assert len(keys[0]) == 64
        sent: list[str] = []
        engine = first.engine.sync_engine

        def record(_conn, _cursor, statement, *_args):
            sent.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert await first.repo(WebStore).key("signin") == keys[0]
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert sent == []
        third = await Store.open(database_url)  # a restart reads the same key
        try:
            assert await third.repo(WebStore).key("signin") == keys[0]
            assert await third.repo(WebStore).key("other") != keys[0]
        finally:
            await third.close()
    finally:
        await first.close()
        await second.close()
