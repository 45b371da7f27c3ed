"""A database that can't be written says so (issue 27): members are told the bot can't save
right now (and commands that only read still answer), `/healthz` fails, `clubbot db check`
tests a write, and the officers are told once by a post that needs no write; when writes
work again nothing scheduled meanwhile is lost."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.exc import OperationalError

import bot.store.saving
from adapters.cli.main import main
from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.runtime import open_runtime
from bot.web import Site
from bot.web.server import make_app
from tests.conftest import (
    ADMIN,
    MEMBER,
    SETUP,
    Club,
    RecordingPoster,
    _fresh_postgres,
    _postgres_url,
)
from tests.core.faults.disks import fill, read_only, tiny_disk

# Tuesday 17 November 2026, 08:00 in New York: the problem is due at 09:00.
TUESDAY_EIGHT = datetime(2026, 11, 17, 13, 0, tzinfo=UTC)
CANT_SAVE = "Sorry, the bot can't save right now"
NOTICE = "The bot can't save right now"


async def _set_up(url: str, clock: ManualClock, poster: RecordingPoster) -> None:
    """A club as it was the day before the trouble: set up, Monday's problem posted, a
    member who has used the bot."""
    clock.set(TUESDAY_EIGHT - timedelta(hours=23))  # Monday 09:00
    runtime = await open_runtime(
        database_url=url, clock=clock, poster=poster, directory=ConsoleDirectory(), owner="t"
    )
    try:
        club = Club(runtime=runtime, poster=poster, clock=clock)
        await club.run(SETUP, as_user=ADMIN)
        await runtime.scheduler.catch_up()
        await club.run("/help", as_user=MEMBER)
    finally:
        await runtime.close()
    poster.posts.clear()
    clock.set(TUESDAY_EIGHT)


async def _healthz(club: Club) -> tuple[int, dict[str, object]]:
    app = make_app(bot=club.runtime.bot, site=Site(), scheduler=club.runtime.scheduler)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/healthz")
        return response.status, await response.json()


def _assert_the_morning_went_out(poster: RecordingPoster, *, late: bool) -> None:
    """Tuesday's problem and Monday's key idea, both due at 09:00, posted once (late,
    saying so, when nothing could be written until after the grace)."""
    posted = [
        (m.title.split(" ·")[0].split(":")[0], m.text) for m in poster.messages("daily-problem")
    ]
    assert sorted(title for title, _ in posted) == ["Daily problem", "Key idea"]
    if late:
        assert all("Posted late" in text for _, text in posted), posted


def _notices(poster: RecordingPoster) -> list[str]:
    return [m.text for m in poster.messages("officers") if m.title == NOTICE]


async def _what_members_and_officers_see(club: Club, capsys, db: Path, why: str) -> None:
    newcomer = MEMBER.__class__(id="kim", name="kim")
    assert (await club.run("/help", as_user=newcomer)).title, "reading still works"
    assert CANT_SAVE not in (await club.run("/progress", as_user=MEMBER)).text
    assert CANT_SAVE not in (await club.run("/admin status", as_user=ADMIN)).text
    solved = await club.run("/solved", as_user=MEMBER)
    assert solved.text.startswith(f"{CANT_SAVE}: {why}."), solved.text
    status, body = await _healthz(club)
    assert status == 503
    assert body["database"] == f"can't save: {why}"
    assert await asyncio.to_thread(main, ["db", "check", "--db", str(db)]) == 3
    assert why in capsys.readouterr().err
    for _ in range(3):  # three minutes of the retry job
        club.clock.advance(timedelta(minutes=1))
        await club.runtime.scheduler.retry_failed()
    [told] = _notices(club.poster)
    assert why in told


async def test_a_read_only_database_file_says_so_everywhere_and_loses_nothing(tmp_path, capsys):
    db, clock, poster = tmp_path / "club.db", ManualClock(TUESDAY_EIGHT), RecordingPoster()
    await _set_up(sqlite_url(db), clock, poster)
    with read_only(db):
        runtime = await open_runtime(
            database_url=sqlite_url(db), clock=clock, poster=poster, directory=ConsoleDirectory()
        )
        club = Club(runtime=runtime, poster=poster, clock=clock)
        try:
            await runtime.scheduler.catch_up()
            clock.set(TUESDAY_EIGHT + timedelta(hours=1))  # the problem is due: can't be claimed
            await runtime.scheduler.fire_due("daily_problem", [1])
            await _what_members_and_officers_see(club, capsys, db, "its database is read-only")
        finally:
            pass
    try:  # writable again, two hours later: the day's problem goes out, late and saying so
        clock.set(TUESDAY_EIGHT + timedelta(hours=3))
        await runtime.scheduler.retry_failed()
        _assert_the_morning_went_out(poster, late=True)
        status, _ = await _healthz(club)
        assert status == 503  # the scheduler isn't started in this test, the database is fine
        assert (await _healthz(club))[1]["database"] == "reachable"
        assert await asyncio.to_thread(main, ["db", "check", "--db", str(db)]) == 0
        assert len(_notices(poster)) == 1
    finally:
        await runtime.close()


async def test_a_full_disk_says_so_everywhere_and_loses_nothing(tmp_path, capsys):
    with tiny_disk(tmp_path / "disk") as disk:
        db, clock, poster = disk / "club.db", ManualClock(TUESDAY_EIGHT), RecordingPoster()
        await _set_up(sqlite_url(db), clock, poster)
        runtime = await open_runtime(
            database_url=sqlite_url(db), clock=clock, poster=poster, directory=ConsoleDirectory()
        )
        club = Club(runtime=runtime, poster=poster, clock=clock)
        try:
            filler = fill(disk)
            clock.set(TUESDAY_EIGHT + timedelta(hours=1))
            await runtime.scheduler.fire_due("daily_problem", [1])
            why = "the disk of its database is full"
            await _what_members_and_officers_see(club, capsys, db, why)
            filler.unlink()
            clock.set(TUESDAY_EIGHT + timedelta(hours=1, minutes=30))
            await runtime.scheduler.retry_failed()
            # A full disk may still take a small write (SQLite reuses its log's space): what
            # fitted went out on time, the rest once the disk had room; each once.
            _assert_the_morning_went_out(poster, late=False)
            assert len(_notices(poster)) == 1
        finally:
            await runtime.close()


def _sqlite_full_error() -> sqlite3.OperationalError:
    """A real SQLITE_FULL, as SQLite raises it on a full disk."""
    with closing(sqlite3.connect(":memory:")) as db:
        db.execute("CREATE TABLE t (x)")
        db.execute("PRAGMA max_page_count = 2")
        try:
            db.executemany("INSERT INTO t VALUES (?)", [("x" * 4000,)] * 10)
        except sqlite3.OperationalError as error:
            return error
    raise AssertionError("SQLite took more than two pages")


def _disk_full(backend: str) -> OperationalError:
    if backend == "sqlite":
        cause: BaseException = _sqlite_full_error()
    else:
        import asyncpg

        cause = asyncpg.exceptions.DiskFullError("could not extend file: No space left on device")
    error = OperationalError("INSERT INTO claims", {}, cause)
    error.__cause__ = cause
    return error


async def test_an_injected_full_disk_on_either_backend_tells_officers_once(
    club, database_url, monkeypatch
):
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    await club.run(SETUP, as_user=ADMIN)
    full = [True]
    real_claim = club.runtime.store.claims.claim_each

    async def claim_each(*args, **kwargs):
        if full[0]:
            raise _disk_full(backend)
        return await real_claim(*args, **kwargs)

    async def check_write(sessions, now):
        if full[0]:
            raise _disk_full(backend)

    club.runtime.store.claims.claim_each = claim_each
    monkeypatch.setattr(bot.store.saving, "check_write", check_write)
    club.clock.set(TUESDAY_EIGHT + timedelta(hours=1))
    await club.runtime.scheduler.fire_due("daily_problem", [1])
    for _ in range(5):
        club.clock.advance(timedelta(minutes=1))
        await club.runtime.scheduler.retry_failed()
    assert len(_notices(club.poster)) == 1
    assert club.poster.messages("daily-problem") == []
    full[0] = False
    club.clock.advance(timedelta(minutes=1))
    await club.runtime.scheduler.retry_failed()
    assert len(club.poster.messages("daily-problem")) == 1


def test_what_a_full_disk_or_a_read_only_file_reads_as():
    from bot.store.saving import cannot_save

    assert cannot_save(_disk_full("sqlite")) == "the disk of its database is full"
    assert cannot_save(_disk_full("postgresql")) == "the disk of its database is full"
    assert cannot_save(OperationalError("SELECT", {}, ConnectionRefusedError(111, "refused"))) == (
        "it can't reach its database"
    )
    assert cannot_save(RuntimeError("a bug")) is None


__all__ = ["pytest"]


@pytest.mark.skipif(_postgres_url() is None, reason="TEST_DATABASE_URL is not set")
async def test_processes_sharing_postgresql_tell_the_officers_once_between_them(monkeypatch):
    url = _postgres_url()
    assert url is not None
    await _fresh_postgres(url)
    clock, poster = ManualClock(TUESDAY_EIGHT), RecordingPoster()
    await _set_up(url, clock, poster)
    full = [True]

    async def check_write(sessions, now):
        if full[0]:
            raise _disk_full("postgresql")

    monkeypatch.setattr(bot.store.saving, "check_write", check_write)
    processes = [
        await open_runtime(
            database_url=url, clock=clock, poster=poster, directory=ConsoleDirectory(), owner=o
        )
        for o in ("a", "b", "c")
    ]
    try:
        for _ in range(3):
            clock.advance(timedelta(minutes=1))
            for process in processes:
                await process.scheduler.retry_failed()
        assert len(_notices(poster)) == 1
        full[0] = False  # fixed, then full again: a new episode, told once more
        clock.advance(timedelta(minutes=1))
        for process in processes:
            await process.scheduler.retry_failed()
        full[0] = True
        clock.advance(timedelta(minutes=1))
        for process in reversed(processes):
            await process.scheduler.retry_failed()
        assert len(_notices(poster)) == 2
    finally:
        for process in processes:
            await process.close()
