"""`clubbot db ...` and the commands that only read: an operator's view of the schema."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.runtime import open_runtime
from bot.store import schema
from bot.store.db import make_engine, upgrade
from tests.conftest import MONDAY, RecordingPoster, _fresh_postgres, _postgres_url
from tests.ops.conftest import Clubbot

READ_ONLY = [
    ("clubs",),
    ("export", "--club", "1"),
    ("calendar", "--club", "1"),
    ("purge-left",),
    ("db", "current"),
    ("db", "check"),
    ("db", "upgrade", "--dry-run"),
]
NEWER = "this database was written by a newer clubbot (9999); upgrade clubbot or restore a backup"
# The newest migration and the one before, so the tests hold as migrations are added.
HEAD = schema.head()
PREVIOUS = schema.migrations()[-2].revision


def _set_revision(db: Path, revision: str) -> None:
    with closing(sqlite3.connect(db)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        connection.commit()


def _revision_of(db: Path) -> str:
    with closing(sqlite3.connect(db)) as connection:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def _backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.bak"))


async def _tables(url: str) -> list[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_a_read_only_command_names_a_missing_file_and_leaves_nothing_behind(
    clubbot: Clubbot, tmp_path: Path, command: tuple[str, ...]
) -> None:
    ran = clubbot(*command, "--db", "typo.db")
    assert ran.code != 0
    assert len(ran.err_lines) == 1
    assert "there is no database at typo.db" in ran.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "backend",
    [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(_postgres_url() is None, reason="TEST_DATABASE_URL not set"),
        ),
    ],
)
def test_a_read_only_command_creates_no_table_in_an_empty_database(
    clubbot: Clubbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    if backend == "sqlite":
        url = sqlite_url(tmp_path / "empty.db")
        sqlite3.connect(tmp_path / "empty.db").close()
    else:
        url = str(_postgres_url())
        asyncio.run(_fresh_postgres(url))
    monkeypatch.setenv("DATABASE_URL", url)
    for command in READ_ONLY:
        ran = clubbot(*command)
        if command[0] != "db":  # they need the tables; `db current` and friends report
            assert ran.code == 1, command
            assert "has no clubbot tables; `clubbot db upgrade` creates them" in ran.err
    assert asyncio.run(_tables(url)) == []


def test_db_check_exits_1_while_a_migration_is_pending_and_0_once_applied(
    clubbot: Clubbot, tmp_path: Path
) -> None:
    assert clubbot("db", "upgrade", "--db", "club.db").code == 0
    assert clubbot("db", "check", "--db", "club.db").code == 0
    down = clubbot("db", "downgrade", PREVIOUS, "--db", "club.db")
    assert down.out.splitlines()[1] == f"reverted {schema.migrations()[-1]}"
    pending = clubbot("db", "check", "--db", "club.db")
    assert pending.code == 1
    assert f"1 migration pending: {HEAD}" in pending.out
    assert clubbot("db", "upgrade", "--db", "club.db").code == 0
    assert clubbot("db", "check", "--db", "club.db").code == 0


def test_an_upgrade_backs_the_file_up_then_prints_each_migration_it_applied(
    clubbot: Clubbot, tmp_path: Path
) -> None:
    clubbot("db", "upgrade", "--db", "club.db")
    clubbot("db", "downgrade", "0004", "--db", "club.db")
    for backup in tmp_path.glob("*.bak"):
        backup.unlink()
    dry = clubbot("db", "upgrade", "--dry-run", "--db", "club.db")
    later = schema.between("0004", HEAD)
    assert dry.out.splitlines() == [
        "would apply 0005 Mock-interview members, rounds, groups, question packs and feedback",
        *(f"would apply {m}" for m in later[1:]),
        f"club.db: {len(later)} migrations to apply.",
    ]
    assert _revision_of(tmp_path / "club.db") == "0004"
    ran = clubbot("db", "upgrade", "--db", "club.db")
    lines = ran.out.splitlines()
    assert lines[0].startswith("backed up to club.db.0004-")
    assert lines[1:] == [*(f"applied {m}" for m in later), "club.db is up to date."]
    (backup,) = tmp_path.glob("club.db.0004-*.bak")
    assert _revision_of(backup) == "0004"
    assert _revision_of(tmp_path / "club.db") == HEAD
    again = clubbot("db", "upgrade", "--db", "club.db")
    assert again.out == "Nothing to apply: club.db is up to date.\n"
    assert len(list(tmp_path.glob("*.bak"))) == 1  # nothing to migrate, nothing to back up


@pytest.mark.parametrize(
    "command",
    [("clubs",), ("db", "current"), ("db", "upgrade"), ("db", "downgrade", "0001"), ("console",)],
    ids=" ".join,
)
def test_a_database_from_a_newer_clubbot_gets_one_clear_line(
    clubbot: Clubbot, tmp_path: Path, command: tuple[str, ...]
) -> None:
    clubbot("db", "upgrade", "--db", "club.db")
    _set_revision(tmp_path / "club.db", "9999")
    ran = clubbot(*command, "--db", "club.db")
    assert ran.code == 1
    assert ran.err_lines == [f"clubbot: {NEWER}"]
    assert _revision_of(tmp_path / "club.db") == "9999"


def test_db_history_lists_the_migrations_and_marks_the_databases(
    clubbot: Clubbot, tmp_path: Path
) -> None:
    clubbot("db", "upgrade", "--db", "club.db")
    clubbot("db", "downgrade", "0005", "--db", "club.db")
    lines = clubbot("db", "history", "--db", "club.db").out.splitlines()
    assert [line[:4] for line in lines] == [m.revision for m in schema.migrations()]
    assert [line for line in lines if line.endswith("<- the database")] == [
        "0005 Mock-interview members, rounds, groups, question packs and feedback  <- the database"
    ]


async def test_starting_the_bot_on_an_old_sqlite_file_backs_it_up_first(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "club.db"))
    await upgrade(engine, "0005")
    await engine.dispose()
    assert _backups(tmp_path) == []  # a new database: nothing to keep
    runtime = await open_runtime(
        database_url=sqlite_url(tmp_path / "club.db"),
        clock=ManualClock(MONDAY),
        poster=RecordingPoster(),
        directory=ConsoleDirectory(),
    )
    await runtime.close()
    (backup,) = _backups(tmp_path)
    assert backup.name.startswith("club.db.0005-")
    assert _revision_of(backup) == "0005"
    assert _revision_of(tmp_path / "club.db") == schema.head()


class _StoppedClock(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _StoppedClock:
        return cls(2026, 12, 2, 17, 5, 12, tzinfo=UTC)


def test_two_moves_within_a_second_keep_both_backups(
    clubbot: Clubbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.store.db.datetime", _StoppedClock)
    clubbot("db", "upgrade", "--db", "club.db")
    for move in (["downgrade", PREVIOUS], ["upgrade"], ["downgrade", PREVIOUS]):
        assert clubbot("db", *move, "--db", "club.db").code == 0
    assert [p.name for p in _backups(tmp_path)] == [
        f"club.db.{PREVIOUS}-2026-12-02T170512.bak",
        f"club.db.{HEAD}-2026-12-02T170512-2.bak",
        f"club.db.{HEAD}-2026-12-02T170512.bak",
    ]
