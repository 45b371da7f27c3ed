"""The club's weeks for the dashboard's chart: members active, solves, pairs met."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.club_time import local
from bot.pairing import PairingStore
from bot.problems import ProblemStore
from bot.store.store import Store

WEEKS = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class Week:
    monday: date
    active: int  # members who solved a problem or were paired
    solves: int
    pairs: int  # groups of two or more matched that week

    @property
    def label(self) -> str:
        return f"{self.monday:%d %b}"


async def club_weeks(store: Store, club_id: int, *, now: datetime) -> list[Week]:
    club = await store.clubs.get(club_id)
    today = local(now, club.timezone).date()
    first = today - timedelta(days=today.weekday(), weeks=WEEKS - 1)
    solves: defaultdict[date, int] = defaultdict(int)
    active: defaultdict[date, set[str]] = defaultdict(set)
    for solve in await store.repo(ProblemStore).solves(club_id):
        monday = solve.day - timedelta(days=solve.day.weekday())
        solves[monday] += 1
        active[monday].add(solve.user_id)
    pairs: defaultdict[date, int] = defaultdict(int)
    for group in await store.repo(PairingStore).groups(club_id, limit_rounds=WEEKS):
        if len(group.members) >= 2:
            pairs[group.week_of] += 1
            active[group.week_of].update(group.members)
    mondays = [first + timedelta(weeks=n) for n in range(WEEKS)]
    return [
        Week(monday=m, active=len(active[m]), solves=solves[m], pairs=pairs[m]) for m in mondays
    ]
