"""Engine, sessions and migrations. SQLite by default, PostgreSQL for several processes."""

from __future__ import annotations

import asyncio
import fcntl
import itertools
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import URL, event, make_url, text
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.store import schema
from bot.store.schema import StepListener

log = logging.getLogger(__name__)


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
    engine = create_async_engine(url)
    event.listen(engine.sync_engine.pool, "checkin", _idle_from)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


# A pooled PostgreSQL connection idle this long is pinged before it is used again: the
# server may have restarted or a proxy dropped it meanwhile. A connection back in use
# within seconds skips the ping, a round trip that was a third of a short command's
# session (pool_pre_ping pings at every checkout). If the server goes away while the bot
# is busy, the statement that finds out fails once, like any database error (a command
# says so, a post is retried), and SQLAlchemy replaces every pooled connection.
PING_AFTER_IDLE = 10.0  # seconds


def _idle_from(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:  # a dead connection fails in many ways; the pool reconnects
        raise InvalidatePoolError(f"ping after {PING_AFTER_IDLE:.0f}s idle: {error}") from error


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


async def commit_without_flush_wait(session: AsyncSession) -> None:
    """Let this write transaction's commit return before PostgreSQL has flushed it to disk
    (`synchronous_commit` off for it alone), for records a member can simply make again: a
    solve, a "last seen". The database stays consistent; only a crash of the database
    server itself in the next fraction of a second (`wal_writer_delay`, 200 ms by default)
    can lose it, as SQLite's `synchronous=NORMAL` already accepts for every write. A flush
    costs about 4 ms on this project's VM, most of a short command. Claims, settings and
    everything officers change keep waiting for it. Nothing to do on SQLite."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def upgrade(
    engine: AsyncEngine, revision: str = "head", *, on_step: StepListener | None = None
) -> Path | None:
    """Migrate up to `revision` (every command that runs the bot does on start); the backup
    taken first, if any.

    On SQLite the migration runs under a file lock, so two processes starting on a fresh
    file do not both create the tables, and after an online backup whenever an existing
    schema is about to change. PostgreSQL serialises migrations with an advisory lock
    (migrations/env.py) and is backed up with pg_dump.
    """
    async with _migration_lock(engine):
        at = await schema.current(engine)
        schema.require_known(at)
        revision = schema.head() if revision == "head" else revision
        if at == revision:
            return None
        saved = _backup_before_migrating(engine, at)
        async with engine.begin() as connection:
            await connection.run_sync(schema.run_alembic, "upgrade", revision, on_step)
        _log_move(engine, at, revision, saved)
        return saved


async def downgrade(
    engine: AsyncEngine, revision: str, *, on_step: StepListener | None = None
) -> Path | None:
    """Undo the migrations after `revision` (an operator's rollback); the backup taken first."""
    async with _migration_lock(engine):
        at = await schema.current(engine)
        schema.require_known(at)
        if revision != "base" and not schema.known(revision):
            raise schema.SchemaError(f"there is no migration {revision}; see `clubbot db history`")
        if at is None or revision == at:
            return None
        if revision != "base" and revision not in {m.revision for m in schema.between(None, at)}:
            raise schema.SchemaError(f"the database is at {at}, below {revision}: nothing to undo")
        saved = _backup_before_migrating(engine, at)
        async with engine.begin() as connection:
            await connection.run_sync(schema.run_alembic, "downgrade", revision, on_step)
        _log_move(engine, at, revision, saved)
        return saved


def _log_move(engine: AsyncEngine, at: str | None, to: str, backup: Path | None) -> None:
    """Moving data is news for the operator; creating the tables of a new database isn't."""
    where = engine.url.render_as_string(hide_password=True)
    kept = f"; the backup is {backup}" if backup else ""
    level = logging.DEBUG if at is None else logging.INFO
    log.log(level, "migrated %s from %s to %s%s", where, at or "an empty database", to, kept)


def sqlite_path(url: str | URL) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL and in-memory databases."""
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    return Path(name)


def _backup_before_migrating(engine: AsyncEngine, revision: str | None) -> Path | None:
    """An online copy next to the file, named by the revision it holds and the time:
    clubbot.db -> clubbot.db.0005-2026-12-02T170512.bak. Nothing for an empty database."""
    path = sqlite_path(engine.url)
    if path is None or revision is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%S")
    target = path.with_name(f"{path.name}.{revision}-{stamp}.bak")
    for n in itertools.count(2):  # two moves within a second (a script, a test) keep both
        if not target.exists():
            break
        target = path.with_name(f"{path.name}.{revision}-{stamp}-{n}.bak")
    backup_sqlite(str(engine.url), target)
    return target


@asynccontextmanager
async def _migration_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """Hold `<database file>.lock` (flock) while migrating a SQLite file.

    A lock file of our own rather than the database: closing any descriptor of the
    database file would drop SQLite's own POSIX locks on it. Polled without blocking, so
    two stores opened in one process (tests) wait for each other instead of freezing the
    event loop; the kernel frees the lock of a process that dies.
    """
    path = sqlite_path(engine.url)
    if path is None:
        yield
        return
    # os.open: a few microseconds, and no file object to close by accident.
    try:
        lock = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:  # e.g. a folder that does not exist: say which
        raise schema.SchemaError(f"can't use {path}: {error.strerror} ({error.filename})") from None
    try:
        deadline = time.monotonic() + _LOCK_WAIT
        while not _try_lock(lock):
            if time.monotonic() > deadline:
                raise schema.SchemaError(f"another clubbot has been migrating {path} too long")
            await asyncio.sleep(0.05)
        yield
    finally:
        os.close(lock)  # which releases the lock


_LOCK_WAIT = 300.0  # seconds; a migration of a big database may take a while


def _try_lock(descriptor: int) -> bool:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
