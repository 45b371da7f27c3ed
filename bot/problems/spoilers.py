"""The club's daily problems over some days, for a feature that must not give one away
(pairing's question packs, which an interviewer reads with the model answers days before
the session): those posted, and those the schedule will post on the days still to come.
Exported from the package."""

from __future__ import annotations

from datetime import date, timedelta

from bot.errors import UserError
from bot.problems.bank import Bank, load_bank
from bot.problems.posts import club_choice, problem_settings
from bot.problems.store import ProblemStore
from bot.store.clubs import Club
from bot.store.store import Store


async def daily_problems_between(
    store: Store, club: Club, first: date, last: date, *, today: date
) -> frozenset[str]:
    """The ids of the club's daily problems from `first` to `last` (club-local dates, both
    included): each posted, and for each day from `today` on with no post yet, the one the
    club's settings choose for it, as the daily job would, each counted as posted before
    the next. The days ahead are a forecast: an officer may change the settings, skip a day
    or post one early; a wrong guess only holds back a problem that was never posted."""
    posts = await store.repo(ProblemStore).posts(club.id, until=last)
    bank = load_bank()
    # As the bank knows them now: a post may name a problem merged into another since.
    found = {_now_known_as(bank, p.problem_id) for p in posts if p.day >= first}
    if "problems" not in club.channels:
        return frozenset(found)
    settings, posted_on = problem_settings(club), {p.day for p in posts}
    forecast: list[str] = []
    for day in _days(max(first, today), last):
        if day in posted_on or day.weekday() not in settings.days:
            continue
        # Every post before the day, repeats included, as the daily job counts them.
        before = [p.problem_id for p in posts if p.day < day] + forecast
        try:
            choice = club_choice(club, bank, day, before)
        except UserError:  # nothing of the day's kind passes the club's topics: no post
            continue
        forecast.append(choice.problem.id)
    return frozenset(found.union(forecast))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _now_known_as(bank: Bank, problem_id: str) -> str:
    problem = bank.by_id(problem_id)
    return problem.id if problem is not None else problem_id
