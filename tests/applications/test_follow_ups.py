"""Follow-ups: a DM when an application has waited two weeks without news, at most once per
application per two weeks and exactly once under the scheduler; and once a season has ended
without an offer, where to go from there."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.console import ConsoleDirectory
from bot.applications import ApplicationStore
from bot.applications.follow_ups import FOLLOW_UP_JOB
from bot.model import User
from bot.runtime import open_runtime
from tests.applications.helpers import click
from tests.conftest import ADMIN, MEMBER

KIM = User(id="kim", name="Kim")
# No channels: follow-ups are DMs, and a quiet club plays months quickly.
ZONE = "/admin setup timezone:America/New_York"


# 10:30 in New York, just after the follow-ups' 10:00.
def _day(month: int, day: int, year: int = 2026) -> datetime:
    hour = 15 if (month, day) < (3, 14) or (month, day) >= (11, 1) else 14  # EST or EDT
    return datetime(year, month, day, hour, 30, tzinfo=UTC)


def _follow_ups(club, user: str = "sam") -> list[str]:
    return [m.title for u, m in club.poster.dms if u == user]


async def _until(club, moment: datetime) -> None:
    await club.runtime.scheduler.run_until(club.clock, moment)


async def test_two_weeks_without_news_brings_one_dm_then_another_two_weeks_later(club):
    await club.run(ZONE, as_user=ADMIN)
    await club.run('/applied company:Stripe role:"ML intern"', as_user=MEMBER)  # Mon 16 Nov
    await _until(club, _day(11, 29))
    assert _follow_ups(club) == [], "13 days: not yet"
    await _until(club, _day(11, 30))
    assert _follow_ups(club) == ["Any news from Stripe?"]
    [(_, dm)] = club.poster.dms
    assert "#1 Stripe — ML intern · applied 16 Nov (14 days ago)" in dm.text
    assert "/applications id:1 stage:interview" in dm.text
    assert "/applications nudges:off" in dm.text
    await _until(club, _day(12, 13))
    assert len(_follow_ups(club)) == 1, "at most once in two weeks"
    await _until(club, _day(12, 14))
    assert len(_follow_ups(club)) == 2


async def test_news_starts_the_two_weeks_again_and_a_final_stage_ends_them(club):
    await club.run(ZONE, as_user=ADMIN)
    await club.run("/applied company:Stripe", as_user=MEMBER)
    await club.run("/applied company:Figma", as_user=MEMBER)
    await _until(club, _day(11, 25))
    await click(club, "app-stage", "1.interview", as_user=MEMBER)  # news on the 25th
    await click(club, "app-stage", "2.rejected", as_user=MEMBER)
    await _until(club, _day(12, 8))
    assert _follow_ups(club) == []
    await _until(club, _day(12, 9))
    assert _follow_ups(club) == ["Any news from Stripe?"]
    assert "interview 25 Nov (14 days ago)" in club.poster.dms[0][1].text


async def test_several_waiting_applications_come_in_one_dm_and_a_member_can_stop_them(club):
    await club.run(ZONE, as_user=ADMIN)
    for company in ("Stripe", "Figma", "Notion"):
        await club.run(f"/applied company:{company}", as_user=MEMBER)
    await club.run("/applied company:Datadog", as_user=KIM)
    await club.run("/applications nudges:off", as_user=KIM)
    await _until(club, _day(11, 30))
    assert _follow_ups(club) == ["Any news on 3 applications?"]
    assert _follow_ups(club, "kim") == []


async def test_a_follow_up_goes_out_once_however_often_its_day_is_run(club, database_url):
    await club.run(ZONE, as_user=ADMIN)
    await club.run("/applied company:Stripe", as_user=MEMBER)
    club_id = (await club.runtime.store.clubs.all())[0].id
    club.clock.set(_day(11, 30))
    other = await open_runtime(
        database_url=database_url,
        clock=club.clock,
        poster=club.poster,
        directory=ConsoleDirectory(),
        owner="other",
    )
    try:
        outcomes = [
            await club.runtime.scheduler.run_now(club_id, FOLLOW_UP_JOB),
            await other.scheduler.run_now(club_id, FOLLOW_UP_JOB),
            await club.runtime.scheduler.run_now(club_id, FOLLOW_UP_JOB),
        ]
    finally:
        await other.close()
    assert outcomes == ["skipped", "taken", "taken"]
    assert _follow_ups(club) == ["Any news from Stripe?"]


async def test_a_run_that_died_after_marking_sends_the_dm_when_tried_again(club):
    await club.run(ZONE, as_user=ADMIN)
    await club.run("/applied company:Stripe", as_user=MEMBER)
    club_id = (await club.runtime.store.clubs.all())[0].id
    repo = club.runtime.store.repo(ApplicationStore)
    day = _day(11, 30)
    await repo.mark_followed_up(club_id, "sam", [1], day.date())  # marked, then the run died
    club.clock.set(day)
    assert await club.runtime.scheduler.run_now(club_id, FOLLOW_UP_JOB) == "skipped"
    assert _follow_ups(club) == ["Any news from Stripe?"]


async def test_a_season_that_ends_without_an_offer_points_to_the_routes_once(club):
    await club.run(ZONE, as_user=ADMIN)
    club.clock.set(_day(2, 1, 2027))
    for member in (MEMBER, KIM):
        await club.run("/applied company:Stripe", as_user=member)
        await club.run("/applications id:1 stage:rejected", as_user=member)
    await club.run("/applied company:Figma", as_user=KIM)
    await club.run("/applications id:2 stage:offer", as_user=KIM)
    await _until(club, _day(4, 30, 2027))
    assert [m.title for _, m in club.poster.dms] == []
    await _until(club, _day(5, 31, 2027))
    assert _follow_ups(club) == ["Where to go from here"]
    assert _follow_ups(club, "kim") == [], "an offer: no fallback"
    text = club.poster.dms[0][1].text
    assert "none of your 1 application in ws-1 has led to an offer yet" in text
    assert "Research assistant work with a professor" in text
    overview = await club.run("/applications", as_user=MEMBER)
    fields = {f.name: f.value for f in overview.fields}
    assert "Open-source ML contributions" in fields["No offer this season: where to go from here"]
