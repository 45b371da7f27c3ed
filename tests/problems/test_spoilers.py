"""What another feature learns of the club's daily problems over some days (pairing's
question packs keep clear of them): the ones posted, and a forecast of the days ahead that
is what the daily job then posts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.problems import daily_problems_between
from bot.problems.store import ProblemStore
from tests.conftest import ADMIN, MONDAY, SETUP


@pytest.mark.parametrize(
    "settings",
    ["", "days:mon,wed,fri", 'mix:"coding daily" topics:tries', "time:18:00"],
)
async def test_the_forecast_of_the_days_ahead_is_what_they_post(club, settings):
    """Three days in (Thursday 08:00 in New York, the day's post not out), the days from
    the Monday before to the Wednesday after: what is posted by then, and what will be."""
    club.clock.set(MONDAY - timedelta(hours=2))
    await club.run(SETUP, as_user=ADMIN)
    if settings:
        await club.run(f"/admin problem settings {settings}", as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=3))
    store = club.runtime.store
    (found,) = await store.clubs.all()
    first, today = MONDAY.date(), MONDAY.date() + timedelta(days=3)
    last = today + timedelta(days=6)

    told = await daily_problems_between(store, found, first, last, today=today)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=7))
    posts = await store.repo(ProblemStore).posts(found.id)
    assert told == {p.problem_id for p in posts if first <= p.day <= last}
    assert len(told) >= 5  # a problem on each of five days at least (tries has five)


async def test_a_club_without_a_problems_channel_has_no_days_ahead(club):
    await club.run("/admin setup timezone:America/New_York", as_user=ADMIN)
    (found,) = await club.runtime.store.clubs.all()
    today = MONDAY.date()
    assert (
        await daily_problems_between(
            club.runtime.store, found, today, today + timedelta(days=6), today=today
        )
        == frozenset()
    )
