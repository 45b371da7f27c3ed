"""A PostgreSQL server that restarts (here: every connection of ours killed) costs the bot
at most one failed statement, and none after an idle spell, without a ping per checkout."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import bot.store.db as db
from bot.store.store import Store
from tests.conftest import _postgres_url

pytestmark = pytest.mark.skipif(_postgres_url() is None, reason="TEST_DATABASE_URL is not set")


async def _kill_our_connections(url: str) -> None:
    import asyncpg

    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    killer = await asyncpg.connect(plain)
    try:
        await killer.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await killer.close()


async def _one(store: Store) -> int:
    async with store.sessions() as session:
        return int((await session.execute(text("SELECT 1"))).scalar_one())


def _pings(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The pings sent, counted at SQLAlchemy's asyncpg connection."""
    from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection as Adapted

    seen: list[object] = []
    original = Adapted.ping

    def counted(self: Adapted) -> None:
        seen.append(self)
        original(self)

    monkeypatch.setattr(Adapted, "ping", counted)
    return seen


async def test_after_an_idle_spell_a_dead_connection_is_replaced_before_use(monkeypatch):
    url = _postgres_url()
    assert url is not None
    store = await Store.open(url)
    try:
        pings = _pings(monkeypatch)
        assert await _one(store) == 1
        assert await _one(store) == 1
        assert pings == [], "a connection back in use at once is not pinged"
        await _kill_our_connections(url)
        monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)  # as if it had sat idle
        assert await _one(store) == 1, "the ping found it dead; a new one served"
        assert len(pings) == 1
    finally:
        await store.close()


async def test_while_busy_a_restart_fails_one_statement_and_the_next_reconnects():
    url = _postgres_url()
    assert url is not None
    store = await Store.open(url)
    try:
        assert await _one(store) == 1
        await _kill_our_connections(url)
        with pytest.raises(DBAPIError):
            await _one(store)
        assert await _one(store) == 1
    finally:
        await store.close()
