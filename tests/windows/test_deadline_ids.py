"""A club deadline's id names its calendar events (`club-{id}-…@clubbot`), so a removed
deadline's id is never given to the next one, on either backend, and a database migrated
from before keeps clear of the ids its audit log says were used."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from icalendar import Calendar
from sqlalchemy import text

from bot.config import sqlite_url
from bot.store.clubs import Actor
from bot.store.db import make_engine, upgrade
from bot.store.store import Store
from bot.windows import club_feed
from bot.windows.store import DeadlineChanges, DeadlineStore
from tests.conftest import ADMIN, Club


async def _ids(club: Club) -> list[int]:
    listed = await club.run("/admin deadlines list", as_user=ADMIN)
    shown = listed.text + "".join(f.value for f in listed.fields)
    return [int(found) for found in re.findall(r"#(\d+)", shown)]


async def _uids(club: Club) -> set[str]:
    (stored,) = await club.runtime.store.clubs.all()
    feed = Calendar.from_ical(await club_feed(club.runtime.store, stored, club.clock.now()))
    return {str(e["UID"]) for e in feed.walk("VEVENT") if str(e["UID"]).startswith("club-")}


async def test_the_last_deadline_removed_leaves_its_id_and_uid_unused(club: Club) -> None:
    await club.run('/admin deadlines add title:"Resume review" date:2026-12-04', as_user=ADMIN)
    await club.run('/admin deadlines add title:"Mock night" date:2026-12-10', as_user=ADMIN)
    _, last = await _ids(club)
    gone = {u for u in await _uids(club) if u.startswith(f"club-{last}-")}
    await club.run(f"/admin deadlines remove id:{last}", as_user=ADMIN)
    await club.run('/admin deadlines add title:"Career fair" date:2026-12-12', as_user=ADMIN)
    ids = await _ids(club)
    assert last not in ids
    assert len(ids) == 2
    assert max(ids) > last
    # A calendar that kept "Mock night" sees it removed, not turned into the career fair.
    assert not gone & await _uids(club)


async def test_a_migrated_sqlite_database_skips_the_ids_its_audit_log_names(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path / "old.db")
    engine = make_engine(url)
    try:
        await upgrade(engine, "0012")
        async with engine.begin() as db:
            await db.execute(
                text(
                    "INSERT INTO clubs (id, platform, workspace_id, name, timezone,"
                    " digest_weekday, digest_time, created_at)"
                    " VALUES (1, 'slack', 'T1', 'ML Club', 'UTC', 0, '09:00', '2026-11-01')"
                )
            )
            for deadline_id in (1, 2):
                await db.execute(
                    text(
                        "INSERT INTO club_deadlines (id, club_id, title, closes_on,"
                        " created_by, created_at) VALUES"
                        f" ({deadline_id}, 1, 'Kept', '2026-12-01', 'alex', '2026-11-01')"
                    )
                )
            await db.execute(
                text(
                    "INSERT INTO audit_log (club_id, actor_id, actor_name, action, detail, at)"
                    " VALUES (1, 'alex', 'alex', 'remove deadline 5', 'Gone', '2026-11-02')"
                )
            )
    finally:
        await engine.dispose()
    store = await Store.open(url)  # migrates to the head
    try:
        repo = store.repo(DeadlineStore)
        assert [d.id for d in await repo.club_deadlines(1)] == [1, 2]
        added = await repo.add(
            1,
            DeadlineChanges(title="New", closes_on=date(2026, 12, 9)),
            actor=Actor(id="alex", name="alex"),
            now=datetime(2026, 11, 16, tzinfo=UTC),
        )
        assert added.id == 6
    finally:
        await store.close()
