"""An outage longer than the grace does not lose the day (issue 27): a run missed by more
than the grace is posted late, saying so, while it still matters (`Job.late`); never one
whose next run is already due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import OperationalError

from bot.jobs import Delivery, Job, When
from bot.model import Message, plain
from bot.problems.posts import DAILY
from bot.scheduler import Scheduler
from tests.conftest import ADMIN, SETUP, Club

# Tuesday 17 November 2026 in New York (UTC-5): the problem is due at 09:00 = 14:00 UTC.
TUESDAY_NINE = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)


def _problems(club: Club) -> list[Message]:
    return club.poster.messages("daily-problem")


async def test_a_restart_at_half_past_ten_posts_the_nine_oclock_problem_late_saying_so(club):
    await club.run(SETUP, as_user=ADMIN)
    club.clock.set(TUESDAY_NINE + timedelta(hours=1, minutes=30))  # down since before 09:00
    outcomes = {job.kind: o for job, o in await club.runtime.scheduler.catch_up()}
    assert outcomes[DAILY] == "posted"
    [post] = _problems(club)
    assert post.title.startswith("Daily problem · Tue 17 Nov")
    assert plain(post.text).startswith("Posted late: this was due Tue 17 Nov 2026, 09:00 EST.")
    # The day goes on as usual: the hint at 15:00 in the problem's thread, on time.
    await club.runtime.scheduler.run_until(club.clock, TUESDAY_NINE + timedelta(hours=6, minutes=1))
    hint = _problems(club)[-1]
    assert hint.title.startswith("Hint:")
    assert hint.thread_of is not None
    assert "Posted late" not in hint.text


async def test_a_missed_problem_is_posted_late_only_until_the_next_one_is_due(club):
    await club.run(SETUP, as_user=ADMIN)
    # Down from Tuesday 08:00 to Wednesday 08:30: Tuesday's problem still goes out...
    club.clock.set(TUESDAY_NINE + timedelta(hours=23, minutes=30))
    await club.runtime.scheduler.catch_up()
    # ...and its hint, as the key idea is not out before 09:00.
    await club.runtime.scheduler.run_until(club.clock, TUESDAY_NINE + timedelta(days=1, hours=1))
    assert [(m.title.split(":")[0], "Posted late" in m.text) for m in _problems(club)] == [
        ("Daily problem · Tue 17 Nov", True),
        ("Hint", True),
        ("Daily problem · Wed 18 Nov", False),
        ("Key idea", False),
    ]


async def test_a_hint_is_not_posted_late_once_its_key_idea_is_due(club):
    await club.run(SETUP, as_user=ADMIN)
    club.clock.set(TUESDAY_NINE + timedelta(hours=1))
    await club.runtime.scheduler.catch_up()  # Tuesday's problem, on time
    club.clock.set(TUESDAY_NINE + timedelta(days=1, minutes=30))  # down from 14:00 to 09:30
    await club.runtime.scheduler.catch_up()
    titles = [m.title.split(":")[0] for m in _problems(club)]
    assert titles == ["Daily problem · Tue 17 Nov", "Daily problem · Wed 18 Nov", "Key idea"]


async def test_down_past_the_next_problem_posts_only_the_current_one(club):
    await club.run(SETUP, as_user=ADMIN)
    club.clock.set(TUESDAY_NINE + timedelta(days=1, hours=1, minutes=30))  # Wednesday 10:30
    await club.runtime.scheduler.catch_up()
    [post] = [m for m in _problems(club) if m.title.startswith("Daily problem")]
    assert post.title.startswith("Daily problem · Wed 18 Nov")
    assert "Posted late" in plain(post.text)


async def test_a_database_away_past_the_grace_posts_late_when_it_answers(club):
    await club.run(SETUP, as_user=ADMIN)
    clubs = club.runtime.store.clubs
    real, back_at = clubs.get_many, TUESDAY_NINE + timedelta(hours=1, minutes=30)

    async def away_until_half_past_ten(club_ids):
        if TUESDAY_NINE - timedelta(minutes=5) <= club.clock.now() < back_at:
            raise OperationalError("SELECT", {}, ConnectionRefusedError("connection refused"))
        return await real(club_ids)

    clubs.get_many = away_until_half_past_ten
    await club.runtime.scheduler.run_until(club.clock, back_at + timedelta(minutes=2))
    [post] = [m for m in _problems(club) if m.title.startswith("Daily problem")]
    assert "Posted late: this was due Tue 17 Nov 2026, 09:00 EST." in plain(post.text)


async def test_a_job_without_a_late_rule_is_not_posted_past_the_grace(club):
    await club.run(SETUP, as_user=ADMIN)

    async def build(run):
        return Delivery(purpose="problems", message=Message(text=run.occurrence))

    job = Job(
        kind="only_on_time",
        description="On time only",
        period="day",
        when=lambda c: When(hour=9, minute=0),
        build=build,
    )
    scheduler = Scheduler(
        store=club.runtime.store, poster=club.poster, clock=club.clock, jobs=[job]
    )
    club.clock.set(TUESDAY_NINE + timedelta(hours=1, minutes=1))
    assert await scheduler.catch_up() == []
    assert club.poster.posts == []


ZONES = {"ws-la": "America/Los_Angeles", "ws-berlin": "Europe/Berlin", "ws-kolkata": "Asia/Kolkata"}


async def test_after_a_five_hour_outage_each_zone_gets_its_day_late_or_on_time(club):
    """Clubs in three zones; the bot is down from 09:30 to 14:30 UTC on Tuesday. Kolkata
    (09:00 = 03:30 UTC) and Berlin (08:00 UTC) get Tuesday's problem late, saying so; Los
    Angeles (17:00 UTC) on time; Wednesday is on time everywhere, once."""
    for workspace, zone in ZONES.items():
        club.workspace = workspace
        await club.run(SETUP.replace("America/New_York", zone), as_user=ADMIN)
    scheduler = club.runtime.scheduler
    await scheduler.run_until(club.clock, datetime(2026, 11, 17, 2, 0, tzinfo=UTC))
    club.clock.set(datetime(2026, 11, 17, 14, 30, tzinfo=UTC))  # the restart
    await scheduler.catch_up()
    await scheduler.run_until(club.clock, datetime(2026, 11, 18, 18, 0, tzinfo=UTC))

    def dailies(workspace):
        return [
            (m.title[16:26], "Posted late" in plain(m.text))
            for p, m in club.poster.posts
            if p.workspace_id == workspace and m.title.startswith("Daily problem")
        ]

    assert dailies("ws-kolkata") == [("Tue 17 Nov", True), ("Wed 18 Nov", False)]
    assert dailies("ws-berlin") == [("Tue 17 Nov", True), ("Wed 18 Nov", False)]
    assert dailies("ws-la") == [("Mon 16 Nov", False), ("Tue 17 Nov", False), ("Wed 18 Nov", False)]


async def test_a_late_post_the_platform_keeps_refusing_is_tried_every_half_hour(club):
    """Within the grace a failed post is retried every minute; posted late, every 30."""
    await club.run(SETUP, as_user=ADMIN)
    tries = []
    post = club.poster.post

    async def counted(place, message, key=None):
        if place.channel_id == "daily-problem" and message.title.startswith("Daily problem"):
            tries.append(club.clock.now())
        return await post(place, message, key=key)

    club.poster.post = counted
    club.poster.failing["daily-problem"] = 2  # two 503s, then it takes the post
    club.clock.set(TUESDAY_NINE + timedelta(hours=1, minutes=30))
    await club.runtime.scheduler.catch_up()
    for _ in range(65):
        club.clock.advance(timedelta(minutes=1))
        await club.runtime.scheduler.retry_failed()
    assert [round((t - tries[0]).total_seconds() / 60) for t in tries] == [0, 30, 60]
    assert len([m for m in _problems(club) if m.title.startswith("Daily problem")]) == 1
