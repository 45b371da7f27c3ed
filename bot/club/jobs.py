"""The club's own scheduled job: the weekly officer digest."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.club.admin import problems
from bot.club.digest import DigestData, officer_digest
from bot.club_time import local, parse_hhmm, zone
from bot.jobs import Delivery, Job, JobRun, Late, When
from bot.store.clubs import Club


def _digest_when(club: Club) -> When:
    at = parse_hhmm(club.digest_time)
    return When(hour=at.hour, minute=at.minute, day_of_week=club.digest_weekday)


async def _build_digest(run: JobRun) -> Delivery:
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
    )
    return Delivery(purpose="alerts", message=officer_digest(club, data))


OFFICER_DIGEST = Job(
    kind="officer_digest",
    description="Weekly officer digest",
    period="week",
    when=_digest_when,
    build=_build_digest,
    # Last week's summary is worth reading any day until the next one.
    late=Late(at_most=timedelta(days=6)),
)

JOBS: tuple[Job, ...] = (OFFICER_DIGEST,)
