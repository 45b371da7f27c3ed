"""What the web side's club page shows of the daily problem: this week's standings and
today's problem. Exported from the package."""

from __future__ import annotations

from datetime import date, timedelta

from bot.problems.bank import POINTS, Problem, load_bank
from bot.problems.rules import Standing, rank
from bot.problems.store import ProblemStore
from bot.store.store import Store


async def week_standings(store: Store, club_id: int, today: date) -> list[Standing]:
    """The leaderboard since Monday, as `/leaderboard` ranks it."""
    monday = today - timedelta(days=today.weekday())
    return rank(await store.repo(ProblemStore).totals(club_id, since=monday, points=POINTS))


async def problem_of_the_day(store: Store, club_id: int, today: date) -> Problem | None:
    post = await store.repo(ProblemStore).post_on(club_id, today)
    return None if post is None else load_bank().by_id(post.problem_id)
