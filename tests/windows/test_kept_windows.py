"""Each process keeps a club's windows until the club's configuration moves (every change
to its deadlines moves it, from any process) or the day does: a deadline added by another
process, or edited and removed, is in the next read; nothing stale is kept."""

from __future__ import annotations

from datetime import date, timedelta

from bot.store.clubs import Actor
from bot.store.store import Store
from bot.windows.posts import club_windows
from bot.windows.store import DeadlineChanges, DeadlineStore
from tests.conftest import MONDAY

TODAY = date(2026, 11, 16)
OFFICER = Actor(id="U1", name="Alex")


def _titles(windows) -> set[str]:  # type: ignore[no-untyped-def]
    return {o.title for o in windows}


async def test_a_change_from_another_process_is_read_and_an_unchanged_club_is_kept(
    database_url: str,
) -> None:
    bot, web = await Store.open(database_url), await Store.open(database_url)
    try:
        club = await bot.clubs.get_or_create(
            platform="discord", workspace_id="G1", name="ML Club", now=MONDAY
        )
        before = await club_windows(bot, club, TODAY)
        assert "Career fair" not in _titles(before)
        assert await club_windows(bot, club, TODAY) == before  # kept, and equal
        fair = DeadlineChanges(title="Career fair", closes_on=TODAY + timedelta(days=10))
        added = await web.repo(DeadlineStore).add(club.id, fair, actor=OFFICER, now=MONDAY)
        club = await bot.clubs.get(club.id)  # what the bot's next command reads
        assert "Career fair" in _titles(await club_windows(bot, club, TODAY))

        moved = DeadlineChanges(title="Moved fair")
        await web.repo(DeadlineStore).edit(club.id, added.id, moved, actor=OFFICER, now=MONDAY)
        club = await bot.clubs.get(club.id)
        titles = _titles(await club_windows(bot, club, TODAY))
        assert "Moved fair" in titles
        assert "Career fair" not in titles

        await web.repo(DeadlineStore).remove(club.id, added.id, actor=OFFICER, now=MONDAY)
        club = await bot.clubs.get(club.id)
        assert "Moved fair" not in _titles(await club_windows(bot, club, TODAY))
        # Another day draws again: a year on, the next cycle's windows.
        now_keys = {o.key for o in await club_windows(bot, club, TODAY)}
        next_keys = {o.key for o in await club_windows(bot, club, TODAY + timedelta(days=365))}
        assert any(k.endswith(":2029") for k in next_keys - now_keys), next_keys - now_keys
    finally:
        await bot.close()
        await web.close()
