"""Scheduled posts go out once per occurrence, whatever happens around them."""

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.jobs import Delivery, Job, SkipRun, When, occurrence_of
from bot.model import Message, plain
from bot.runtime import Runtime, open_runtime
from bot.scheduler import Scheduler
from bot.store.clubs import Actor, ClubChanges
from tests.conftest import ADMIN, MONDAY, SETUP, Club

DIGEST = "Weekly officer digest · ws-1"
# Only the alerts channel: the digest is the one job with somewhere to post.
DIGEST_ONLY = "/admin setup timezone:America/New_York alerts:#officers"
# Monday 23 November 2026, 09:00 in New York.
NEXT_DIGEST = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


async def test_the_weekly_digest_goes_out_once_each_monday_in_the_club_zone(club):
    await club.run(DIGEST_ONLY, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=14))
    assert club.poster.titles("officers") == [DIGEST, DIGEST]
    week_one = club.poster.messages("officers")[0]
    assert week_one.text == "Week of Mon 16 Nov to Sun 22 Nov 2026."
    fields = {f.name: f.value for f in week_one.fields}
    assert fields["Members"] == "1 members have used clubbot (1 new this week)."
    assert plain(fields["Coming up"]) == "• Weekly officer digest: Mon 30 Nov 2026, 09:00 EST"


async def test_the_digest_reports_what_ran_and_what_is_broken(club):
    await club.run(DIGEST_ONLY + " deadlines:#deadlines", as_user=ADMIN)
    club_id = (await club.runtime.store.clubs.all())[0].id
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST)
    await club.runtime.store.clubs.mark_channel_broken(club_id, "deadlines", "403", NEXT_DIGEST)
    club.poster.refusing.add("deadlines")  # still refusing when its next post tries again
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST + timedelta(days=7))
    fields = {f.name: f.value for f in club.poster.messages("officers")[-1].fields}
    assert "• Weekly officer digest: 1 posted" in fields["What ran this week"].splitlines()
    assert "#deadlines refuses my posts (403)" in fields["Needs attention"]


async def test_a_restart_inside_the_grace_window_does_not_post_twice(club, database_url):
    await club.run(DIGEST_ONLY, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST + timedelta(minutes=30))
    assert len(club.poster.posts) == 1
    restarted = await open_runtime(
        database_url=database_url,
        clock=club.clock,
        poster=club.poster,
        directory=club.runtime.bot.directory,
    )
    try:
        outcomes = await restarted.scheduler.catch_up()
        assert [o for _, o in outcomes] == ["taken"]
        assert len(club.poster.posts) == 1
    finally:
        await restarted.close()


async def test_missed_while_down_is_posted_once_on_start_within_the_grace_window(club):
    await club.run(DIGEST_ONLY, as_user=ADMIN)
    club.clock.set(NEXT_DIGEST + timedelta(minutes=59))
    assert [o for _, o in await club.runtime.scheduler.catch_up()] == ["posted"]
    assert [o for _, o in await club.runtime.scheduler.catch_up()] == ["taken"]
    assert club.poster.titles() == [DIGEST]


async def test_missed_by_more_than_the_grace_window_is_posted_late_saying_so(club):
    """Issue 27: the digest is worth reading any day until the next one (`Job.late`)."""
    await club.run(DIGEST_ONLY, as_user=ADMIN)
    club.clock.set(NEXT_DIGEST + timedelta(days=2))
    assert [o for _, o in await club.runtime.scheduler.catch_up()] == ["posted"]
    [digest] = club.poster.messages("officers")
    assert plain(digest.text).startswith("Posted late: this was due Mon 23 Nov 2026, 09:00 EST.")
    club.clock.set(NEXT_DIGEST + timedelta(days=6, hours=1))
    assert await club.runtime.scheduler.catch_up() == [], "taken already, and the next is near"


async def test_a_long_outage_posts_one_catch_up_not_one_per_missed_day(club, database_url):
    await club.run(SETUP, as_user=ADMIN)
    scheduler = _daily(club, _build_to("problems"), grace=timedelta(days=10))
    club.clock.set(club.clock.now() + timedelta(days=5))
    outcomes = await scheduler.catch_up()
    assert [o for _, o in outcomes] == ["posted"]
    assert len(club.poster.posts) == 1


NINE_AM = When(hour=9, minute=0)


def _daily(club, build, *, at=NINE_AM, clock=None, grace=timedelta(hours=1)):
    """A scheduler with one daily test job, on the club's store and poster."""
    job = Job(
        kind="daily_test", description="Daily test", period="day", when=lambda c: at, build=build
    )
    return Scheduler(
        store=club.runtime.store,
        poster=club.poster,
        clock=clock or club.clock,
        jobs=[job],
        grace=grace,
    )


def _build_to(purpose):
    async def build(run):
        return Delivery(purpose=purpose, message=Message(text=f"{run.occurrence}"))

    return build


async def test_a_daily_job_posts_once_per_local_date_across_the_dst_change(club):
    await club.run(SETUP, as_user=ADMIN)
    # 01:30 happens twice in New York on Sunday 1 November 2026.
    clock = ManualClock(datetime(2026, 10, 30, 12, 0, tzinfo=UTC))
    scheduler = _daily(club, _build_to("problems"), at=When(hour=1, minute=30), clock=clock)
    await scheduler.run_until(clock, datetime(2026, 11, 3, 12, 0, tzinfo=UTC))
    assert [m.text for _, m in club.poster.posts] == [
        "2026-10-31",
        "2026-11-01",
        "2026-11-02",
        "2026-11-03",
    ]


# (zone, local time of the post, a day shortly before the zone's DST change, what happens)
DST_CASES = [
    ("America/New_York", When(hour=2, minute=30), date(2026, 3, 6), "02:30 is skipped"),
    ("America/New_York", When(hour=1, minute=30), date(2026, 10, 30), "01:30 comes twice"),
    ("Europe/London", When(hour=1, minute=30), date(2026, 3, 27), "01:30 is skipped"),
    ("Europe/London", When(hour=1, minute=30), date(2026, 10, 23), "01:30 comes twice"),
    ("Australia/Sydney", When(hour=2, minute=30), date(2026, 4, 3), "02:30 comes twice"),
    ("Australia/Sydney", When(hour=2, minute=30), date(2026, 10, 2), "02:30 is skipped"),
    ("Asia/Kolkata", When(hour=9, minute=0), date(2026, 3, 6), "no DST; UTC+5:30"),
]


@pytest.mark.parametrize(
    ("zone", "at", "first", "case"), DST_CASES, ids=[f"{z}-{c}" for z, _, _, c in DST_CASES]
)
async def test_a_daily_post_goes_out_once_on_every_local_date_across_each_zones_dst_change(
    club, zone, at, first, case
):
    await club.run(f"/admin setup timezone:{zone} problems:#daily-problem", as_user=ADMIN)
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(12, 0), tzinfo=tz)
    clock = ManualClock(start.astimezone(UTC))
    scheduler = _daily(club, _build_to("problems"), at=at, clock=clock)
    await scheduler.run_until(clock, (start + timedelta(days=5)).astimezone(UTC))
    days = [first + timedelta(days=d) for d in range(1, 6)]
    assert [m.text for _, m in club.poster.posts] == [d.isoformat() for d in days]
    # Each went out at the club's time, or an hour later on the night that time did not exist.
    club_id = (await club.runtime.store.clubs.all())[0].id
    claims = await club.runtime.store.claims.since(club_id, since=start)
    for claim, day in zip(claims, days, strict=True):
        posted = claim.due_at.astimezone(tz)
        assert posted.date() == day
        assert (posted.hour, posted.minute) in {(at.hour, at.minute), (at.hour + 1, at.minute)}


async def test_a_clock_that_jumps_forward_posts_the_missed_run_once_and_back_posts_nothing_twice(
    club,
):
    await club.run(SETUP, as_user=ADMIN)
    scheduler = _daily(club, _build_to("problems"))
    # 08:50 in New York, then the host's clock is corrected 40 minutes forward.
    club.clock.set(NEXT_DIGEST - timedelta(minutes=10))
    assert await scheduler.catch_up() == []
    club.clock.set(NEXT_DIGEST + timedelta(minutes=30))
    assert [o for _, o in await scheduler.catch_up()] == ["posted"]
    # ...and back again by an hour: 09:00 comes round a second time.
    club.clock.set(NEXT_DIGEST - timedelta(minutes=30))
    await scheduler.run_until(club.clock, NEXT_DIGEST + timedelta(minutes=30))
    assert [m.text for _, m in club.poster.posts] == ["2026-11-23"]


async def test_a_passing_failure_is_retried_within_the_grace_window_and_posted_once(club):
    await club.run(DIGEST_ONLY, as_user=ADMIN)
    club.poster.failing["officers"] = 2
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST)
    assert club.poster.posts == []
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST + timedelta(minutes=2))
    assert club.poster.titles() == [DIGEST]
    club_id = (await club.runtime.store.clubs.all())[0].id
    runs = await club.runtime.store.claims.since(club_id, since=NEXT_DIGEST)
    assert [(c.status, c.attempts) for c in runs] == [("posted", 3)]


async def test_a_refusing_channel_is_marked_broken_and_officers_are_told(club):
    await club.run(SETUP, as_user=ADMIN)
    scheduler = _daily(club, _build_to("problems"))
    club.poster.refusing.add("daily-problem")
    await scheduler.run_until(club.clock, club.clock.now() + timedelta(days=3))
    assert club.poster.titles("officers") == ["A channel refuses my posts"], "told once"
    config = (await club.runtime.store.clubs.all())[0]
    assert config.channels["problems"].broken_reason == "403 Forbidden"
    status = await club.run("/admin status", as_user=ADMIN)
    assert "#daily-problem refuses my posts" in {f.name: f.value for f in status.fields}["Problems"]


async def test_one_clubs_failure_does_not_stop_another_clubs_post(club):
    """A build that fails is tried once per occurrence, not every minute, and its officers
    are told once while it keeps failing (issue 26's delivery policy)."""
    await club.run(SETUP, as_user=ADMIN)
    club.workspace = "ws-2"
    await club.run(SETUP, as_user=ADMIN)
    tries = []

    async def build(run):
        if run.club.workspace_id == "ws-1":
            tries.append(run.occurrence)
            raise RuntimeError("bad data in club 1")
        return Delivery(purpose="alerts", message=Message(text="ok"))

    scheduler = _daily(club, build)
    await scheduler.run_until(club.clock, club.clock.now() + timedelta(days=3))
    assert tries == ["2026-11-17", "2026-11-18", "2026-11-19"]
    posts = sorted((p.workspace_id, m.title or m.text) for p, m in club.poster.posts)
    assert posts == [
        ("ws-1", "A scheduled post failed"),
        ("ws-2", "ok"),
        ("ws-2", "ok"),
        ("ws-2", "ok"),
    ]
    [note] = [m for p, m in club.poster.posts if p.workspace_id == "ws-1"]
    assert "(RuntimeError: bad data in club 1)" in note.text
    assert "try again at its next time" in plain(note.text)
    ws_1 = (await club.runtime.store.clubs.all())[0].id
    ran = await club.runtime.store.claims.since(ws_1, since=MONDAY)
    assert {c.status for c in ran} == {"build failed"}


async def test_a_club_without_an_alerts_channel_skips_the_digest_and_says_why(club):
    await club.run("/admin setup timezone:America/New_York", as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST)
    assert club.poster.posts == []
    status = await club.run("/admin status", as_user=ADMIN)
    last = {f.name: f.value for f in status.fields}["Last runs"]
    assert last == "Weekly officer digest, Mon 23 Nov 09:00: skipped (no alerts channel set)"


async def test_clubs_on_the_same_schedule_share_one_apscheduler_job_that_follows_changes(club):
    for workspace in ("ws-1", "ws-2"):
        club.workspace = workspace
        await club.run(DIGEST_ONLY, as_user=ADMIN)
    scheduler = club.runtime.scheduler
    await scheduler.start()
    new_york = "officer_digest 09:00 mon America/New_York"
    assert scheduler.aps_job_ids() == [
        new_york,
        "retry",
        "sweep postings_poll",
        "sweep retention",
        "sync",
    ]
    await club.run(
        "/admin setup timezone:Asia/Kolkata digest_day:wed digest_time:18:00", as_user=ADMIN
    )
    kolkata = "officer_digest 18:00 wed Asia/Kolkata"
    assert scheduler.aps_job_ids() == [
        new_york,
        kolkata,
        "retry",
        "sweep postings_poll",
        "sweep retention",
        "sync",
    ]
    ws_2 = next(c for c in await club.runtime.store.clubs.all() if c.workspace_id == "ws-2")
    runs = scheduler.next_runs(ws_2, club.clock.now())
    assert runs[0].at == datetime(2026, 11, 18, 12, 30, tzinfo=UTC)
    club.workspace = "ws-1"
    await club.run("/admin setup timezone:Asia/Kolkata digest_day:wed", as_user=ADMIN)
    await club.run("/admin setup digest_time:18:00", as_user=ADMIN)
    assert scheduler.aps_job_ids() == [
        kolkata,
        "retry",
        "sweep postings_poll",
        "sweep retention",
        "sync",
    ], "the emptied job is gone"


async def _dashboard_process(club: Club, database_url: str) -> tuple[Runtime, Club]:
    """A `clubbot web` process on the same database (it schedules nothing), and the club
    as an officer on its dashboard drives it; the caller closes the runtime."""
    web = await open_runtime(
        database_url=database_url,
        clock=club.clock,
        poster=club.poster,
        directory=ConsoleDirectory(),
        owner="web",
        scheduled_here=False,
    )
    return web, Club(runtime=web, poster=club.poster, clock=club.clock)


async def test_a_change_made_in_another_process_reaches_this_ones_schedule(club, database_url):
    """An officer on the dashboard of a `clubbot web` process (which schedules nothing)
    moves the digest and a new club appears: the bot process takes both in at its next
    sync, and the digest that fell due in between goes out then, once."""
    await club.run(DIGEST_ONLY + " digest_day:wed", as_user=ADMIN)
    scheduler = club.runtime.scheduler
    await scheduler.start()
    web, elsewhere = await _dashboard_process(club, database_url)
    try:
        await elsewhere.run("/admin setup digest_day:mon digest_time:10:30", as_user=ADMIN)
        elsewhere.workspace = "ws-2"
        await elsewhere.run(
            "/admin setup timezone:Asia/Kolkata alerts:#officers digest_day:wed", as_user=ADMIN
        )
        old = "officer_digest 09:00 wed America/New_York"
        assert old in scheduler.aps_job_ids(), "not known here before the sync"
        club.clock.advance(timedelta(minutes=45))  # Monday 10:45 in New York: 10:30 passed

        outcomes = await scheduler.sync()

        assert [(job.kind, outcome) for job, outcome in outcomes] == [("officer_digest", "posted")]
        assert [m.title for _, m in club.poster.posts] == [DIGEST]
        assert scheduler.aps_job_ids() == [
            "officer_digest 09:00 wed Asia/Kolkata",
            "officer_digest 10:30 mon America/New_York",
            "retry",
            "sweep postings_poll",
            "sweep retention",
            "sync",
        ]
        assert await scheduler.sync() == [], "nothing changed since"
        await scheduler.run_until(club.clock, club.clock.now() + timedelta(days=7))
        assert [m.title for _, m in club.poster.posts] == [
            DIGEST,
            "Weekly officer digest · ws-2",
            DIGEST,
        ], "each digest on its new day, the moved one not again on the Monday it went out"
    finally:
        await web.close()


async def test_a_change_that_moves_a_run_into_the_past_before_it_went_out_posts_it_now(club):
    """Monday 08:30, the digest due at 09:00: moved to 08:00, this week's goes out at the
    change; moved again, it does not go out again; the next is at the new time."""
    await club.run(DIGEST_ONLY, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST - timedelta(minutes=30))
    assert club.poster.posts == []
    await club.run("/admin setup digest_time:8am", as_user=ADMIN)
    assert club.poster.titles() == [DIGEST]
    await club.run("/admin setup digest_time:7am", as_user=ADMIN)
    await club.run("/admin setup digest_time:11am", as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST + timedelta(days=7, hours=3))
    assert club.poster.titles() == [DIGEST, DIGEST]
    assert "Posted late" not in club.poster.messages("officers")[0].text, "inside the grace"


PROBLEMS_ONLY = "/admin setup problems:#daily-problem timezone:"


def _problem_days(club) -> list[str]:
    return [t[16:26] for t in club.poster.titles("daily-problem") if t.startswith("Daily problem")]


async def test_a_zone_corrected_after_the_new_zones_time_posts_the_days_problem_late(club):
    """Set up in Los Angeles (09:00 there is 12:00 in New York), corrected to New York at
    11:00 there: Monday's problem was still to come, so it goes out now, saying so."""
    await club.run(PROBLEMS_ONLY + "America/Los_Angeles", as_user=ADMIN)  # 07:00 there
    club.clock.advance(timedelta(hours=1))
    await club.run("/admin setup timezone:America/New_York", as_user=ADMIN)
    assert _problem_days(club) == ["Mon 16 Nov"]
    [post] = club.poster.messages("daily-problem")
    assert plain(post.text).startswith("Posted late: this was due Mon 16 Nov 2026, 09:00 EST.")
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=1))
    assert _problem_days(club) == ["Mon 16 Nov", "Tue 17 Nov"]


async def test_a_zone_moved_after_the_days_post_does_not_post_the_day_again(club):
    await club.run(PROBLEMS_ONLY + "America/New_York", as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=1))
    assert _problem_days(club) == ["Tue 17 Nov"]
    await club.run("/admin setup timezone:Asia/Tokyo", as_user=ADMIN)  # Wednesday 00:00 there
    await club.run("/admin setup timezone:America/Los_Angeles", as_user=ADMIN)  # Tuesday 07:00
    end = club.clock.now() + timedelta(days=1, hours=3)  # Wednesday 10:00 in Los Angeles
    await club.runtime.scheduler.run_until(club.clock, end)
    assert _problem_days(club) == ["Tue 17 Nov", "Wed 18 Nov"]


async def test_a_run_another_process_moved_into_the_past_goes_out_at_the_next_sync(
    club, database_url
):
    """The dashboard's process moves Monday's 09:00 digest to 08:00 at 08:30: the bot
    process posts it at its next sync, once."""
    await club.run(DIGEST_ONLY, as_user=ADMIN)
    scheduler = club.runtime.scheduler
    await scheduler.run_until(club.clock, NEXT_DIGEST - timedelta(minutes=30))
    await scheduler.start()
    web, elsewhere = await _dashboard_process(club, database_url)
    try:
        await elsewhere.run("/admin setup digest_time:8am", as_user=ADMIN)
        assert club.poster.posts == [], "the dashboard's process had not scheduled the club"
        club.clock.advance(timedelta(seconds=30))
        outcomes = await scheduler.sync()
        assert [(job.kind, outcome) for job, outcome in outcomes] == [("officer_digest", "posted")]
        club.clock.advance(timedelta(seconds=30))
        await elsewhere.run("/admin setup digest_time:7am", as_user=ADMIN)
        assert await scheduler.sync() == [], "this week's went out at 08:30"
        assert club.poster.titles() == [DIGEST]
    finally:
        await web.close()


async def test_the_occurrence_key_is_the_local_date_or_iso_week():
    local = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
    assert occurrence_of("day", local) == "2027-01-01"
    assert occurrence_of("week", local) == "2026-W53"


async def test_a_timezone_change_moves_the_schedule(club):
    await club.run(DIGEST_ONLY, as_user=ADMIN)
    store = club.runtime.store
    config = (await store.clubs.all())[0]
    await store.clubs.change(
        config.id,
        ClubChanges(timezone="Australia/Sydney"),
        actor=Actor(id="a", name="a"),
        now=club.clock.now(),
    )
    runs = club.runtime.scheduler.next_runs(await store.clubs.get(config.id), club.clock.now())
    # Monday 23 November, 09:00 in Sydney (UTC+11) is Sunday 22:00 UTC.
    assert runs[0].at == datetime(2026, 11, 22, 22, 0, tzinfo=UTC)


async def test_a_job_dms_each_member_once_even_when_it_runs_again(club):
    await club.run(SETUP, as_user=ADMIN)

    async def build(run):
        for user in ("sam", "kim"):
            await run.dm(user, Message(text=f"hi {user}"), about="hello")
        return Delivery(purpose="problems", message=Message(text="posted"))

    scheduler = _daily(club, build)
    club.poster.failing["daily-problem"] = 1  # the post fails once, so the job runs twice
    await scheduler.run_until(club.clock, club.clock.now() + timedelta(days=1))
    assert [u for u, _ in club.poster.dms] == ["sam", "kim"]
    assert [m.text for _, m in club.poster.posts] == ["posted"]


async def test_an_officer_can_post_now_or_skip_and_the_schedule_then_leaves_it(club):
    await club.run(SETUP, as_user=ADMIN)
    scheduler = _daily(club, _build_to("problems"))
    club_id = (await club.runtime.store.clubs.all())[0].id
    assert await scheduler.run_now(club_id, "daily_test") == "posted"
    assert await scheduler.run_now(club_id, "daily_test") == "taken"
    club.clock.advance(timedelta(hours=18))  # Tuesday 04:00, before Tuesday's 09:00 run
    assert await scheduler.skip(club_id, "daily_test")
    assert not await scheduler.skip(club_id, "daily_test")
    await scheduler.run_until(club.clock, club.clock.now() + timedelta(hours=20))
    assert [m.text for _, m in club.poster.posts] == ["2026-11-16"]


async def test_a_database_that_drops_out_at_post_time_delays_the_post_not_loses_it(club):
    from sqlalchemy.exc import OperationalError

    await club.run(DIGEST_ONLY, as_user=ADMIN)
    clubs = club.runtime.store.clubs
    real_get, outages = clubs.get_many, [3]

    async def flaky_get(club_ids):
        if club.clock.now() >= NEXT_DIGEST and outages[0] > 0:
            outages[0] -= 1
            raise OperationalError(
                "SELECT", {}, ConnectionResetError("server closed the connection")
            )
        return await real_get(club_ids)

    clubs.get_many = flaky_get
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST + timedelta(minutes=10))
    assert outages == [0], "the database was away three times"
    assert club.poster.titles("officers") == [DIGEST]


async def _clubs(club, count):
    """`count` clubs set up alike, in workspaces ws-1, ws-2, ...; their ids in that order."""
    for n in range(1, count + 1):
        club.workspace = f"ws-{n}"
        await club.run(SETUP, as_user=ADMIN)
    return [c.id for c in await club.runtime.store.clubs.all()]


async def test_clubs_due_together_are_claimed_as_one_batch_and_each_ends_on_its_own(club):
    ids = await _clubs(club, 4)

    async def build(run):
        match run.club.workspace_id:
            case "ws-1":
                raise RuntimeError("bad data in club 1")
            case "ws-2":
                raise SkipRun("nothing for club 2 today")
            case "ws-3":
                return Delivery(purpose="alerts", message=Message(text="to #officers"))
        return Delivery(purpose="problems", message=Message(text="to #daily-problem"))

    scheduler = _daily(club, build)
    claims, batches = club.runtime.store.claims, []
    real_claim_each = claims.claim_each

    async def spy(due, **kwargs):
        batches.append(len(due))
        return await real_claim_each(due, **kwargs)

    claims.claim_each = spy
    club.poster.failing["officers"] = 1
    club.clock.set(NEXT_DIGEST)
    # What the APScheduler job of clubs posting at 09:00 in New York does at 09:00.
    await scheduler.fire_due("daily_test", ids)
    assert batches == [4]
    ended = [await claims.since(i, since=NEXT_DIGEST) for i in ids]
    assert [(c.status, c.error) for [c] in ended] == [
        ("build failed", "RuntimeError: bad data in club 1"),
        ("skipped", "nothing for club 2 today"),
        ("failed", "503 Service Unavailable"),
        ("posted", None),
    ]
    assert [m.text for p, m in club.poster.posts if p.workspace_id != "ws-1"] == [
        "to #daily-problem"
    ]
    await scheduler.run_until(club.clock, NEXT_DIGEST + timedelta(minutes=2))
    assert sorted(m.text for p, m in club.poster.posts if p.workspace_id != "ws-1") == [
        "to #daily-problem",
        "to #officers",
    ]


async def test_a_slow_post_does_not_hold_back_the_record_of_posts_already_out(club):
    ids = await _clubs(club, 3)
    scheduler = _daily(club, _build_to("problems"))
    released, slow_started = asyncio.Event(), asyncio.Event()
    post = club.poster.post

    async def slow_for_ws_1(place, message, key=None):
        if place.workspace_id == "ws-1":  # e.g. a 429 being waited out
            slow_started.set()
            await released.wait()
        return await post(place, message, key=key)

    club.poster.post = slow_for_ws_1
    club.clock.set(NEXT_DIGEST)
    batch = asyncio.create_task(scheduler.fire_due("daily_test", ids))
    await slow_started.wait()

    async def statuses():
        return [
            [c.status for c in await club.runtime.store.claims.since(i, since=NEXT_DIGEST)]
            for i in ids
        ]

    for _ in range(100):  # until the others' endings are written (a few event-loop turns)
        if await statuses() == [["claimed"], ["posted"], ["posted"]]:
            break
        await asyncio.sleep(0.01)
    assert await statuses() == [["claimed"], ["posted"], ["posted"]]
    released.set()
    assert await batch == {ids[0]: "posted", ids[1]: "posted", ids[2]: "posted"}
    assert await statuses() == [["posted"], ["posted"], ["posted"]]


async def test_a_poster_that_raises_pauses_only_its_own_clubs_channel_until_its_next_post(club):
    ids = await _clubs(club, 3)
    scheduler = _daily(club, _build_to("problems"))
    post, broken = club.poster.post, ["ws-2"]

    async def buggy_for_ws_2(place, message, key=None):
        if place.workspace_id in broken and place.channel_id == "daily-problem":
            raise KeyError("blocks")  # e.g. a bug in an adapter, not a platform answer
        return await post(place, message, key=key)

    club.poster.post = buggy_for_ws_2
    club.clock.set(NEXT_DIGEST)
    # Like a 403, not retried blindly: the channel is paused and the officers told.
    assert await scheduler.fire_due("daily_test", ids) == {
        ids[0]: "posted",
        ids[1]: "skipped",
        ids[2]: "posted",
    }
    await scheduler.run_until(club.clock, NEXT_DIGEST + timedelta(minutes=30))
    problems = [p.workspace_id for p, _ in club.poster.posts if p.channel_id == "daily-problem"]
    assert sorted(problems) == ["ws-1", "ws-3"]
    [told] = [m for p, m in club.poster.posts if p.channel_id == "officers"]
    assert "(KeyError: 'blocks')" in told.text
    assert "I'll resume by myself" in told.text
    broken.clear()
    await scheduler.run_until(club.clock, NEXT_DIGEST + timedelta(days=1, minutes=2))
    ws_2 = [(p.channel_id, m.title) for p, m in club.poster.posts if p.workspace_id == "ws-2"]
    assert ws_2[-2:] == [("daily-problem", ""), ("officers", "A channel takes my posts again")]
    assert (await club.runtime.store.clubs.get(ids[1])).channels["problems"].broken_reason is None


async def test_a_sync_that_fails_looks_again_from_the_same_point(club, database_url, monkeypatch):
    """The database drops out while a sync reads the changed club: the next sync still
    posts the digest that fell due under the new schedule."""
    from sqlalchemy.exc import OperationalError

    await club.run(DIGEST_ONLY + " digest_day:wed", as_user=ADMIN)
    scheduler = club.runtime.scheduler
    await scheduler.start()
    web, elsewhere = await _dashboard_process(club, database_url)
    try:
        await elsewhere.run("/admin setup digest_day:mon digest_time:10:30", as_user=ADMIN)
        club.clock.advance(timedelta(minutes=45))
        clubs = scheduler.store.clubs
        real = clubs.get_many

        async def away(*args, **kwargs):
            raise OperationalError("SELECT", {}, Exception("database is away"))

        monkeypatch.setattr(clubs, "get_many", away)
        with pytest.raises(OperationalError):
            await scheduler.sync()
        monkeypatch.setattr(clubs, "get_many", real)
        club.clock.advance(timedelta(seconds=30))
        outcomes = await scheduler.sync()
        assert [(job.kind, outcome) for job, outcome in outcomes] == [("officer_digest", "posted")]
        assert [m.title for _, m in club.poster.posts] == [DIGEST]
    finally:
        await web.close()


async def test_a_change_here_is_scheduled_from_its_snapshot_and_one_elsewhere_is_read(
    club, database_url
):
    """`club_changed` reads nothing for the club a change of this process returned, only
    the version when this process's change is the latest,
    and reads the club again when another process changed it since (e.g. after a
    channel probe, or an officer on the dashboard's process)."""
    from bot.store.store import Store

    await club.run(DIGEST_ONLY, as_user=ADMIN)
    store, scheduler = club.runtime.store, club.runtime.scheduler
    club_id = (await store.clubs.all())[0].id

    def digest_zones() -> list[str]:
        return [
            j.rsplit(" ", 1)[1] for j in scheduler.aps_job_ids() if j.startswith("officer_digest")
        ]

    officer = Actor(id="a", name="a")
    changed = await store.clubs.change(
        club_id, ClubChanges(timezone="Europe/Paris"), actor=officer, now=club.clock.now()
    )
    sent: list[str] = []
    event.listen(store.engine.sync_engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    await scheduler.club_changed(club_id, to=changed)
    assert digest_zones() == ["Europe/Paris"]
    assert sent == [], "the club the change returned is scheduled without a read"
    changed = await store.clubs.change(
        club_id, ClubChanges(timezone="Europe/Rome"), actor=officer, now=club.clock.now()
    )
    sent.clear()
    await scheduler.club_changed(club_id)
    assert digest_zones() == ["Europe/Rome"]
    assert len(sent) == 1, "without the club, only its version is read"
    other = await Store.open(database_url)
    try:
        await other.clubs.change(
            club_id, ClubChanges(timezone="Asia/Tokyo"), actor=officer, now=club.clock.now()
        )
    finally:
        await other.close()
    await scheduler.club_changed(club_id)
    assert digest_zones() == ["Asia/Tokyo"], "the snapshot this process kept is out of date"


@settings(max_examples=60, deadline=None)
@given(
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 59]),
    days=st.lists(st.integers(0, 6), max_size=3),
    zone_name=st.sampled_from(
        ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "UTC"]
    ),
    steps=st.lists(st.integers(-3 * 86_400, 9 * 86_400), min_size=1, max_size=25),
)
def test_a_first_fire_remembered_is_the_one_apscheduler_works_out(
    hour, minute, days, zone_name, steps
):
    """`ForwardCron` remembers the last first fire it was asked for; across DST changes,
    clock steps back and asks at the fire itself, it answers as APScheduler does."""
    from bot.scheduler import ForwardCron, _cron

    when = When(hour=hour, minute=minute, weekdays=tuple(days))
    remembered = ForwardCron(_cron(when, zone_name).cron)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    for step in steps:
        now += timedelta(seconds=step)
        fresh = remembered.cron.get_next_fire_time(None, now)
        assert remembered.get_next_fire_time(None, now) == fresh, now
        assert remembered.get_next_fire_time(None, fresh) == fresh, "asked at the fire itself"


async def test_a_started_bot_keeps_what_it_holds_for_life_out_of_the_collector(club):
    """`Runtime.start` freezes what the process holds once started (`settled`): a full
    collection no longer walks every club's snapshot while a command waits."""
    import gc

    await club.run(DIGEST_ONLY, as_user=ADMIN)
    gc.unfreeze()
    await club.runtime.start()
    assert club.runtime.scheduler.running
    assert gc.get_freeze_count() > 10_000
