"""A club set with the zone it knows posts at its own 09:00 all year, and says so."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.model import Message, Place, plain
from bot.store.clubs import Actor, ClubChanges
from tests.conftest import ADMIN

NEW_YORK = ZoneInfo("America/New_York")


# Mondays at 12:00 UTC, before 09:00 in New York in winter (EST) and in summer (EDT).
@pytest.fixture(
    params=[datetime(2027, 1, 4, 12, tzinfo=UTC), datetime(2027, 7, 5, 12, tzinfo=UTC)],
    ids=["january", "july"],
)
def clock(request: pytest.FixtureRequest) -> ManualClock:
    return ManualClock(request.param)


def _record_post_times(club) -> list[datetime]:
    """When each post reached the platform, by the simulated clock."""
    times: list[datetime] = []
    post = club.poster.post

    async def timed(place: Place, message: Message, key=None) -> str:
        times.append(club.clock.now())
        return await post(place, message, key=key)

    club.poster.post = timed
    return times


async def test_a_club_set_with_est_posts_at_nine_new_york_time(club):
    said = await club.run(
        "/admin setup timezone:EST digest_time:9am alerts:#officers", as_user=ADMIN
    )
    assert "`EST` → America/New_York" in said.text
    assert "daylight saving" in said.text
    times = _record_post_times(club)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=1))
    assert [t.astimezone(NEW_YORK).strftime("%a %H:%M") for t in times] == ["Mon 09:00"]


async def test_a_club_saved_as_est_before_the_reader_also_posts_at_nine(club):
    await club.run("/admin setup alerts:#officers", as_user=ADMIN)
    saved = (await club.runtime.store.clubs.all())[0]
    await club.runtime.store.clubs.change(
        saved.id, ClubChanges(timezone="EST"), actor=Actor(id="a", name="a"), now=club.clock.now()
    )
    await club.runtime.scheduler.club_changed(saved.id)
    times = _record_post_times(club)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=1))
    assert [t.astimezone(NEW_YORK).strftime("%a %H:%M") for t in times] == ["Mon 09:00"]
    status = await club.run("/admin status", as_user=ADMIN)
    assert "Time zone: America/New_York" in status.fields[0].value


async def test_status_shows_next_runs_in_each_readers_zone_with_the_club_zone_fallback(club):
    await club.run("/admin setup timezone:NYC alerts:#officers", as_user=ADMIN)
    status = await club.run("/admin status", as_user=ADMIN)
    runs = {f.name: f.value for f in status.fields}["Next runs"]
    assert "\ue000" in runs  # a stamp each platform renders in the reader's zone
    hour = "09:00 EST" if club.clock.now().month == 1 else "09:00 EDT"
    assert "Weekly officer digest: Mon" in plain(runs)
    assert hour in plain(runs)


async def test_every_command_that_takes_a_zone_or_a_time_reads_it_as_people_write_it(club):
    from bot.pairing.store import PairingStore
    from tests.conftest import MEMBER

    await club.run("/admin setup timezone:London", as_user=ADMIN)
    joined = await club.run(
        '/mockpair join track:coding level:3 availability:"mon 18-20" timezone:EST', as_user=MEMBER
    )
    assert "`EST` → America/New_York" in joined.text
    club_id = (await club.runtime.store.clubs.all())[0].id
    member = await club.runtime.store.repo(PairingStore).member(club_id, MEMBER.id)
    assert member is not None
    assert member.timezone == "America/New_York"
    asked = await club.run(
        '/mockpair join track:coding level:3 availability:"mon 18-20" timezone:CST', as_user=MEMBER
    )
    assert "America/Chicago" in asked.text
    assert "Asia/Shanghai" in asked.text
    await club.run("/admin problem settings time:8:30pm", as_user=ADMIN)
    await club.run("/admin deadlines settings time:noon", as_user=ADMIN)
    await club.run('/admin mockpair settings time:"9:30 am"', as_user=ADMIN)
    settings = (await club.runtime.store.clubs.all())[0].settings
    assert settings["problem_time"] == "20:30"
    assert settings["deadline_time"] == "12:00"
    assert settings["pairing_time"] == "09:30"
