"""The club's weeks for the dashboard's chart and the officer digest: members active,
solves, pairs met, no-shows reported; and the same weeks as the applications' `ClubActivity`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.applications import (
    ApplicationStore,
    ClubActivity,
    ClubView,
    club_view,
    load_facts,
    season_of,
)
from bot.club_time import local
from bot.pairing import PairingStore
from bot.problems import ProblemStore
from bot.store.clubs import Club
from bot.store.store import Store

WEEKS = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class Week:
    monday: date
    active: int  # members who solved a problem or were paired
    solves: int
    pairs: int  # groups of two or more matched that week
    no_shows: int = 0  # no-show reports about that week's groups

    @property
    def label(self) -> str:
        return f"{self.monday:%d %b}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClubWeeks:
    weeks: list[Week]
    members_active: int  # in any of the weeks


async def club_weeks(store: Store, club_id: int, *, now: datetime) -> list[Week]:
    return (await _club_weeks(store, club_id, now=now)).weeks


async def club_activity(store: Store, club_id: int, *, now: datetime) -> ClubActivity:
    """What the club did in the weeks the dashboard charts, as the club view shows it."""
    found = await _club_weeks(store, club_id, now=now)
    return ClubActivity(
        solves_per_week=tuple(w.solves for w in found.weeks),
        sessions_held=sum(w.pairs for w in found.weeks),
        no_shows=sum(w.no_shows for w in found.weeks),
        members_active=found.members_active,
    )


async def _club_weeks(store: Store, club_id: int, *, now: datetime) -> ClubWeeks:
    club = await store.clubs.get(club_id)
    today = local(now, club.timezone).date()
    first = today - timedelta(days=today.weekday(), weeks=WEEKS - 1)
    mondays = [first + timedelta(weeks=n) for n in range(WEEKS)]
    solves: defaultdict[date, int] = defaultdict(int)
    active: defaultdict[date, set[str]] = defaultdict(set)
    for solve in await store.repo(ProblemStore).solves(club_id):
        monday = solve.day - timedelta(days=solve.day.weekday())
        solves[monday] += 1
        active[monday].add(solve.user_id)
    pairs: defaultdict[date, int] = defaultdict(int)
    week_of: dict[int, date] = {}
    pairing = store.repo(PairingStore)
    for group in await pairing.groups(club_id, limit_rounds=WEEKS):
        week_of[group.id] = group.week_of
        if len(group.members) >= 2:
            pairs[group.week_of] += 1
            active[group.week_of].update(group.members)
    no_shows: defaultdict[date, int] = defaultdict(int)
    for feedback in await pairing.feedback(club_id):
        if feedback.no_show and feedback.group_id in week_of:
            no_shows[week_of[feedback.group_id]] += 1
    weeks = [
        Week(
            monday=m,
            active=len(active[m]),
            solves=solves[m],
            pairs=pairs[m],
            no_shows=no_shows[m],
        )
        for m in mondays
    ]
    members = set().union(*(active[m] for m in mondays))
    return ClubWeeks(weeks=weeks, members_active=len(members))


async def club_view_now(store: Store, club: Club, *, now: datetime) -> ClubView:
    """The club view of the season `now` falls in, with the club's activity beside it."""
    today = local(now, club.timezone).date()
    season = season_of(today)
    applications, members = await store.repo(ApplicationStore).counted(club.id, season.summer)
    return club_view(
        applications,
        members_counted=members,
        season=season,
        today=today,
        facts=load_facts(),
        activity=await club_activity(store, club.id, now=now),
    )
