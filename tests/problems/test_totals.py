"""The all-time leaderboard reads members' running totals. Whatever the solves, those
totals rank exactly as adding up every solve with the pure rules does (the oracle), and
a recount from the solves gives them back."""

from __future__ import annotations

import asyncio
import random
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import sqlite_url
from bot.problems.bank import POINTS
from bot.problems.rules import Solve, Standing, rank, totals
from bot.problems.store import ProblemStore, SolveRecord
from bot.store.store import Store

START = datetime(2026, 9, 1, 14, 0, tzinfo=UTC)
DIFFICULTY = {f"p{n}": ("easy", "medium", "hard")[n % 3] for n in range(12)}


@dataclass(frozen=True)
class Event:
    user: str
    name: str
    problem: str
    gap_hours: int  # after the event before it: solves arrive in time order


EVENTS = st.lists(
    st.builds(
        Event,
        user=st.sampled_from(["sam", "kim", "lee", "ana", "Zoe", "bo", "al"]),
        name=st.sampled_from(["Sam", "Kim", "Lee", "A.", "zed"]),
        problem=st.sampled_from(sorted(DIFFICULTY)),
        gap_hours=st.integers(min_value=0, max_value=30),
    ),
    max_size=60,
)


def _ranked(recorded: list[SolveRecord], since: date | None = None) -> list[Standing]:
    """The oracle: every recorded solve added up by the pure rules, then ranked."""
    solves = [
        Solve(
            user_id=s.user_id,
            name=s.name,
            problem_id=s.problem_id,
            difficulty=s.difficulty,
            day=s.day,
        )
        for s in recorded
    ]
    return rank(totals(solves, since=since))


async def _play(store: Store, events: list[Event], limit: int) -> None:
    club = await store.clubs.get_or_create(
        platform="console", workspace_id="w", name="c", now=START
    )
    repo = store.repo(ProblemStore)
    at, recorded = START, []
    for event in events:
        at += timedelta(hours=event.gap_hours, seconds=1)
        solve = SolveRecord(
            user_id=event.user,
            name=event.name,
            problem_id=event.problem,
            difficulty=DIFFICULTY[event.problem],
            day=at.date(),
            solved_at=at,
        )
        if await repo.record_solve(club.id, solve):
            recorded.append(solve)
    oracle = _ranked(recorded)
    days = sorted({s.day for s in recorded})
    for since in days[len(days) // 2 :][:1] or [START.date()]:  # the week's leaderboard
        week = rank(await repo.totals(club.id, since=since, points=POINTS))
        assert week == _ranked(recorded, since=since)
    for when in ("kept", "recounted"):
        top, members = await repo.top(club.id, limit=limit)
        assert members == len(oracle), when
        assert rank(top) == oracle[:limit], when
        await repo.recount_totals()


@given(events=EVENTS, limit=st.integers(min_value=1, max_value=8))
@settings(max_examples=40, deadline=None)
def test_running_totals_rank_as_adding_up_every_solve(events: list[Event], limit: int) -> None:
    async def run() -> None:
        with tempfile.TemporaryDirectory() as folder:
            store = await Store.open(sqlite_url(Path(folder) / "t.db"))
            try:
                await _play(store, events, limit)
            finally:
                await store.close()

    asyncio.run(run())


async def test_running_totals_on_each_backend(store: Store) -> None:
    """The same check on a long random history, on SQLite and PostgreSQL (its collation
    would order "Zoe" after "al"; the leaderboard orders by code point everywhere)."""
    rng = random.Random(21)
    events = [
        Event(
            user=rng.choice(["sam", "kim", "lee", "ana", "Zoe", "bo", "al", "Émile"]),
            name=rng.choice(["Sam", "Kim", "Lee", "A.", "zed"]),
            problem=rng.choice(sorted(DIFFICULTY)),
            gap_hours=rng.randint(0, 30),
        )
        for _ in range(400)
    ]
    await _play(store, events, limit=5)


async def test_the_migration_counts_the_totals_of_solves_recorded_before_it(
    database_url: str,
) -> None:
    from sqlalchemy import insert

    from bot.store.db import make_engine, upgrade
    from bot.store.models import Base

    engine = make_engine(database_url)
    await upgrade(engine, "0011")
    rng, at, solves = random.Random(5), START, []
    for _ in range(120):
        at += timedelta(hours=rng.randint(0, 20), seconds=1)
        problem = rng.choice(sorted(DIFFICULTY))
        user = rng.choice(["sam", "kim", "lee", "Zoe"])
        if any(s["user_id"] == user and s["problem_id"] == problem for s in solves):
            continue
        solves.append(
            {
                "club_id": 1,
                "user_id": user,
                "problem_id": problem,
                "name": rng.choice(["Sam", "Kim", "x"]),
                "difficulty": DIFFICULTY[problem],
                "day": at.date(),
                "solved_at": at,
            }
        )
    async with engine.begin() as connection:
        await connection.execute(
            insert(Base.metadata.tables["clubs"]),
            {
                "id": 1,
                "platform": "console",
                "workspace_id": "w",
                "name": "c",
                "timezone": "UTC",
                "digest_weekday": 0,
                "digest_time": "09:00",
                "created_at": START,
                "config_version": 0,
            },
        )
        await connection.execute(insert(Base.metadata.tables["solves"]), solves)
    await engine.dispose()

    store = await Store.open(database_url)  # migrates to the head: 0012 counts the totals
    try:
        oracle = _ranked(
            [SolveRecord(**{k: v for k, v in s.items() if k != "club_id"}) for s in solves]
        )
        top, members = await store.repo(ProblemStore).top(1, limit=10)
        assert members == len(oracle) == 4
        assert rank(top) == oracle
    finally:
        await store.close()


async def test_the_weeks_board_holds_solves_that_have_no_running_total(store: Store) -> None:
    """As after importing an export written before the running totals existed."""
    from sqlalchemy import delete

    from bot.problems.store import SolveTotalRow

    club = await store.clubs.get_or_create(
        platform="console", workspace_id="w", name="c", now=START
    )
    repo = store.repo(ProblemStore)
    solve = SolveRecord(
        user_id="sam",
        name="Sam",
        problem_id="p1",
        difficulty="medium",
        day=START.date(),
        solved_at=START,
    )
    assert await repo.record_solve(club.id, solve)
    async with store.sessions() as session, session.begin():
        await session.execute(delete(SolveTotalRow))
    week = await repo.totals(club.id, since=START.date(), points=POINTS)
    assert [(t.user_id, t.name, t.points) for t in week] == [("sam", "Sam", 3)]
