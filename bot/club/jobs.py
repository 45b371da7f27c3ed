"""The club's own scheduled job: the weekly officer digest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, time, timedelta

from bot.club.admin import problems
from bot.club.digest import DigestData, officer_digest
from bot.club_time import local, parse_hhmm, zone
from bot.jobs import Delivery, Job, JobRun, Late, When
from bot.model import Field
from bot.store.clubs import Club

# What the club's people did this week, as digest fields: given by the composition root
# (bot/people.py reads the other features, which this feature may not import).
PeopleFacts = Callable[[JobRun], Awaitable[Sequence[Field]]]


def _digest_when(club: Club) -> When:
    at = parse_hhmm(club.digest_time)
    return When(hour=at.hour, minute=at.minute, day_of_week=club.digest_weekday)


async def _no_people(run: JobRun) -> Sequence[Field]:
    return ()


async def _build_digest(run: JobRun, people: PeopleFacts = _no_people) -> Delivery:
    """The seven club-local days before the digest's own day, midnight to midnight."""
    club = run.club
    today = local(run.due_at, club.timezone).date()
    since, until = (
        datetime.combine(day, time(0), tzinfo=zone(club.timezone))
        for day in (today - timedelta(days=7), today)
    )
    members, new_members = await run.store.clubs.member_counts(club.id, since=since)
    ran = [c for c in await run.store.claims.since(club.id, since=since) if c.due_at < until]
    data = DigestData(
        week_start=since,
        week_end=until - timedelta(days=1),
        members=members,
        new_members=new_members,
        ran=ran,
        problems=problems(club),
        next_runs=run.timetable.next_runs(club, run.due_at),
        people=await people(run),
    )
    return Delivery(purpose="alerts", message=officer_digest(club, data))


def jobs(people: PeopleFacts = _no_people) -> tuple[Job, ...]:
    """The club's jobs, the officer digest leading with `people`."""

    async def build(run: JobRun) -> Delivery:
        return await _build_digest(run, people)

    digest = Job(
        kind="officer_digest",
        description="Weekly officer digest",
        period="week",
        when=_digest_when,
        build=build,
        # Last week's summary is worth reading any day until the next one.
        late=Late(at_most=timedelta(days=6)),
    )
    return (digest,)


JOBS: tuple[Job, ...] = jobs()
