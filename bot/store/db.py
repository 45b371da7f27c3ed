"""Engine, sessions and migrations. SQLite by default, PostgreSQL for several processes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import aiosqlite
from alembic import command
from alembic.config import Config
from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> AsyncEngine:
    """An engine for `url`; SQLite files get WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        # No extra rollback when a connection goes back to the pool: SQLAlchemy has already
        # ended its transaction, and each rollback would be one more call to SQLite.
        engine = create_async_engine(
            url,
            connect_args={"timeout": 30, "async_creator_fn": _connect_inline},
            pool_reset_on_return=None,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


class _InlineConnection(aiosqlite.Connection):
    """aiosqlite's connection with each call run on the event loop's own thread.

    aiosqlite hands every call (cursor, execute, fetch, close, commit) to a worker thread
    and back: four round trips per statement, about 1 ms on a small VM and far more than
    the SQLite work of an indexed read. Run inline, a statement holds the loop for just
    that work, and commands' latency about halves.

    The condition: a write transaction must never stay open across a suspension, or a
    second connection's write would wait on its lock while holding the loop (it would
    time out after `busy_timeout`). So the store opens write sessions as
    `async with sessions() as session, session.begin():`, which commits before anything
    else runs, never `sessions.begin()`, whose exit commits in a task of its own
    (tests/test_architecture.py holds bot/ to this), and no transaction awaits anything
    but the database. Connecting and closing still go through aiosqlite's thread.
    aiosqlite is pinned below 0.23: `_execute` is its internal hook.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def _connect_inline(database: str, **kwargs: Any) -> aiosqlite.Connection:
    """What aiosqlite.connect does, with the inline connection (SQLAlchemy awaits it)."""
    connection = _InlineConnection(lambda: sqlite3.connect(database, **kwargs), 64)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connections
    return connection


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL skips the sync at each commit, not the database's consistency:
    # a crash of the bot loses nothing; a power cut may lose the last moments' writes.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def backup_sqlite(url: str, target: Path) -> int:
    """Copy the SQLite database of `url` to `target` with SQLite's online backup, which
    is safe while the bot runs (a file copy of a WAL database may not be); its pages."""
    source_path = make_url(url).database
    if not url.startswith("sqlite") or not source_path:
        raise ValueError("only a SQLite database is backed up this way; for PostgreSQL use pg_dump")
    if not Path(source_path).exists():
        raise ValueError(f"there is no database at {source_path}")
    if target.exists():
        raise ValueError(f"{target} exists already; name a new file")
    with closing(sqlite3.connect(source_path)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
        return int(copy.execute("PRAGMA page_count").fetchone()[0])


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply the Alembic migrations up to `revision` (run on every start)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, revision)


def _upgrade(connection: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
