"""A club date far in the future (issue 27): refused beyond a sensible horizon when an
officer adds it, and any date already stored (an old version accepted 9999-12-31, an
import) leaves /calendar, /deadlines, the feeds and the posts working for everyone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.store.clubs import Actor
from bot.windows.calendar import club_occurrence
from bot.windows.ics import build_ics
from bot.windows.posts import club_feed
from bot.windows.store import DeadlineChanges, DeadlineStore
from tests.conftest import ADMIN, MEMBER, MONDAY, SETUP, Club

CLERK = Actor(id="import", name="an old import")


async def test_a_date_beyond_the_horizon_is_refused_with_the_reason(club: Club):
    await club.run(SETUP, as_user=ADMIN)
    refused = await club.run(
        '/admin deadlines add title:"Far future" date:9999-12-31', as_user=ADMIN
    )
    assert "9999" in refused.text
    assert "at most" in refused.text
    listed = await club.run("/admin deadlines list", as_user=ADMIN)
    assert "Far future" not in listed.text
    accepted = await club.run(
        '/admin deadlines add title:"Career fair" date:2028-03-01', as_user=ADMIN
    )
    assert accepted.text.startswith("Added #")


@pytest.mark.parametrize(
    ("opens", "closes"),
    [
        (None, date.max),
        (date(2026, 12, 1), date.max),
        (date.min, date(2026, 12, 3)),
        (None, date.min),
    ],
)
async def test_any_stored_date_leaves_every_view_of_the_calendar_working(club: Club, opens, closes):
    await club.run(SETUP, as_user=ADMIN)
    the_club = (await club.runtime.store.clubs.all())[0]
    await club.runtime.store.repo(DeadlineStore).add(
        the_club.id,
        DeadlineChanges(title="Odd date", opens_on=opens, closes_on=closes),
        actor=CLERK,
        now=MONDAY,
    )
    for command in (
        "/calendar",
        "/deadlines",
        "/deadlines when:all",
        "/admin deadlines list",
        "/whatnow",
    ):
        answer = await club.run(command, as_user=MEMBER if "admin" not in command else ADMIN)
        assert "Something went wrong" not in answer.text, (command, answer.text)
    feed = await club_feed(club.runtime.store, the_club, club.clock.now())
    assert feed.startswith(b"BEGIN:VCALENDAR")
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=8))
    assert club.poster.messages("deadlines"), "the weekly post still goes out"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    opens=st.one_of(st.none(), st.dates()),
    closes=st.dates(),
    stamp=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
)
@example(opens=None, closes=date.max, stamp=datetime(2026, 11, 16))
@example(opens=date.min, closes=date.max, stamp=datetime(2026, 11, 16))
@example(opens=date.max, closes=date.max, stamp=datetime(2026, 11, 16))
def test_the_feed_is_built_for_any_dates_whatever(opens, closes, stamp):
    occurrence = club_occurrence(
        deadline_id=1, title="Any", track=None, opens_on=opens, closes_on=closes, url=None
    )
    feed = build_ics([occurrence], calendar_name="c", stamp=stamp.replace(tzinfo=UTC))
    assert feed.startswith(b"BEGIN:VCALENDAR")
