"""A club its platform cut the bot off from: nothing is posted or DMed for it, other
processes learn it at their next sync, and it resumes with its settings when it is back.

The property test plays random removals, returns and stretches of time against an oracle
that knows only the club's daily-problem time and when it was away."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.model import Message, Place, User
from bot.posting import CutOff, PostKey
from bot.runtime import open_runtime
from bot.store.away import away, come_back, last_absence, leave
from bot.store.clubs import Actor
from tests.conftest import ADMIN, MONDAY, Club, RecordingPoster

PLATFORM = Actor(id="discord", name="Discord")
PROBLEMS_ONLY = "/admin setup timezone:America/New_York problems:#daily-problem"
# The daily problem's time in November: 09:00 in New York.
PROBLEM_UTC_HOUR = 14


@dataclass
class TimedPoster(RecordingPoster):
    """Records when each post and DM went out."""

    clock: ManualClock = field(default_factory=lambda: ManualClock(MONDAY))
    at: list[datetime] = field(default_factory=list)

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        self.at.append(self.clock.now())
        return await super().post(place, message, key=key)


Step = tuple[Literal["leave", "back", "wait"], int]
STEPS = st.lists(
    st.tuples(st.sampled_from(["leave", "back", "wait"]), st.integers(min_value=1, max_value=40)),
    min_size=1,
    max_size=12,
)


async def _opened(database_url: str, poster: RecordingPoster, clock: ManualClock) -> Club:
    runtime = await open_runtime(
        database_url=database_url,
        clock=clock,
        poster=poster,
        directory=ConsoleDirectory(),
        owner="test",
    )
    return Club(runtime=runtime, poster=poster, clock=clock)


async def _play(folder: str, steps: list[Step]) -> None:
    clock = ManualClock(MONDAY)
    poster = TimedPoster(clock=clock)
    club = await _opened(sqlite_url(Path(folder) / "a.db"), poster, clock)
    runtime = club.runtime
    try:
        await club.run(PROBLEMS_ONLY, as_user=ADMIN)
        [found] = await runtime.store.clubs.all()
        clubs, scheduler = runtime.store.clubs, runtime.scheduler
        absences: list[tuple[datetime, datetime]] = []
        left: datetime | None = None
        for action, hours in steps:
            now = clock.now()
            if action == "leave":
                gone = await leave(clubs, found.id, why="removed", actor=PLATFORM, now=now)
                assert gone is (left is None)
                left = left or now
            elif action == "back":
                ended = await come_back(clubs, found.id, actor=PLATFORM, now=now)
                assert (ended is None) is (left is None)
                if left is not None:
                    absences.append((left, now))
                    left = None
            await scheduler.run_until(clock, now + timedelta(hours=hours))
            snapshot = await clubs.get(found.id)
            assert (away(snapshot) is None) is (left is None)
            assert (scheduler.next_runs(snapshot, clock.now()) == []) is (left is not None)
        if left is not None:
            absences.append((left, clock.now() + timedelta(days=1)))
        _check(poster, absences, clock.now())
        ended = last_absence(await clubs.get(found.id))
        closed = [a for a in absences if a[1] <= clock.now()]
        assert (ended is None) is (not closed)
        if ended is not None:
            assert (ended.since, ended.until) == closed[-1]
    finally:
        await runtime.close()


def _check(poster: TimedPoster, absences: list[tuple[datetime, datetime]], end: datetime) -> None:
    """The oracle: a top-level post at each day's 09:00 while present, none while away
    (away from the moment it left, up to and including the moment it came back)."""
    expected, day = [], MONDAY.replace(hour=PROBLEM_UTC_HOUR, minute=0)
    while day <= end:
        if day > MONDAY and not any(since < day <= until for since, until in absences):
            expected.append(day)
        day += timedelta(days=1)
    posted = [
        at
        for at, (_, message) in zip(poster.at, poster.posts, strict=True)
        if message.thread_of is None
    ]
    assert posted == expected


@given(steps=STEPS)
@settings(max_examples=15, deadline=None)
def test_nothing_is_posted_while_away_and_everything_due_while_present(steps: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_play(folder, steps))


async def test_a_removal_recorded_by_another_process_stops_this_ones_jobs(club, database_url):
    await club.run(PROBLEMS_ONLY, as_user=ADMIN)
    scheduler = club.runtime.scheduler
    await scheduler.start()
    daily = "daily_problem 09:00 mon,tue,wed,thu,fri,sat,sun America/New_York"
    assert daily in scheduler.aps_job_ids()
    club.poster.posts.clear()  # Monday's problem, caught up at start
    other = await open_runtime(
        database_url=database_url,
        clock=club.clock,
        poster=club.poster,
        directory=ConsoleDirectory(),
        owner="other",
    )
    try:
        [found] = await other.store.clubs.all()
        now = club.clock.now()
        await leave(other.store.clubs, found.id, why="removed", actor=PLATFORM, now=now)
        # Before this process syncs, its next run already reads the club as away.
        club.clock.set(datetime(2026, 11, 17, 14, 0, tzinfo=UTC))
        assert await scheduler.fire_due("daily_problem", [found.id]) == {found.id: "unscheduled"}
        assert club.poster.posts == []
        await scheduler.sync()
        assert scheduler.aps_job_ids() == [
            "retry",
            "sweep postings_poll",
            "sweep retention",
            "sync",
        ], "the club's jobs are gone"
        await come_back(other.store.clubs, found.id, actor=PLATFORM, now=club.clock.now())
        await scheduler.sync()
        assert daily in scheduler.aps_job_ids(), "back in the schedule with its settings"
    finally:
        await other.close()


async def test_dms_for_a_club_that_is_away_are_not_sent(club):
    await club.run(PROBLEMS_ONLY, as_user=ADMIN)
    [found] = await club.runtime.store.clubs.all()
    await leave(club.runtime.store.clubs, found.id, why="removed", actor=PLATFORM, now=MONDAY)
    delivery = club.runtime.scheduler.delivery
    away_now = await club.runtime.store.clubs.get(found.id)
    sent = await delivery.dm_once(
        away_now, kind="t", occurrence="x", user_id="sam", message=Message(text="hi")
    )
    assert sent == "unscheduled"
    assert not await delivery.notify(found.id, "sam", Message(text="hi"))
    assert club.poster.dms == []


async def test_status_says_what_was_missed_while_away(club):
    await club.run(PROBLEMS_ONLY + " alerts:#officers", as_user=ADMIN)
    [found] = await club.runtime.store.clubs.all()
    clubs = club.runtime.store.clubs
    await leave(clubs, found.id, why="the server removed clubbot", actor=PLATFORM, now=MONDAY)
    status = await club.run("/admin status", as_user=ADMIN)
    fields = {f.name: f.value for f in status.fields}
    assert fields["Next runs"] == "Nothing is scheduled."
    assert "the server removed clubbot" in fields["Paused by the platform"]
    back = MONDAY + timedelta(days=8)
    club.clock.set(back)
    await come_back(clubs, found.id, actor=PLATFORM, now=back)
    fields = {f.name: f.value for f in (await club.run("/admin status", as_user=ADMIN)).fields}
    missed = fields["While I was away"]
    assert "Daily problem: 8" in missed
    assert "Weekly officer digest: 1" in missed
    club.clock.set(back + timedelta(days=31))
    fields = {f.name: f.value for f in (await club.run("/admin status", as_user=ADMIN)).fields}
    assert "While I was away" not in fields, "said for a month, then dropped"


@dataclass
class UninstalledPoster(RecordingPoster):
    """A workspace that uninstalled the app: every call answers invalid_auth."""

    tried: int = 0

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        self.tried += 1
        raise CutOff("invalid_auth")

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        self.tried += 1
        raise CutOff("invalid_auth")


async def test_the_first_refusal_stops_the_rest_of_a_rounds_dms(database_url, clock):
    poster = UninstalledPoster()
    club = await _opened(database_url, poster, clock)
    runtime = club.runtime
    try:
        await club.run(
            "/admin setup timezone:America/New_York pairing:#mock-interviews", as_user=ADMIN
        )
        for n in range(6):
            await club.run(
                '/mockpair join track:coding level:3 availability:"daily 0-24"',
                as_user=User(id=f"m{n}", name=f"m{n}"),
            )
        answer = await club.run("/admin mockpair run-now", as_user=ADMIN)
        assert poster.tried == 1, answer.text
        [found] = await runtime.store.clubs.all()
        gone = away(found)
        assert gone is not None
        assert gone.why == "Console answered invalid_auth"
        runs = await runtime.store.claims.since(found.id, since=MONDAY - timedelta(days=1))
        assert all(r.status != "failed" for r in runs), "nothing left to retry"
    finally:
        await runtime.close()
