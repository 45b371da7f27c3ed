"""A year of scheduled runs' claims for many clubs, written a day at a time as the bot would
leave them, with the daily retention sweep (or without it, as before issue 27), sampling the
table's size and the time of the two queries that read it on every tick or command:
`retryable()` (the retry job, every minute) and `since()` (the officer digest, /admin
status). Used by tests/core/store/test_retention.py (small) and bench/bench_growth.py.

A club's week, as measured over 13 simulated weeks in issue 27 (41 claims a club a week):
the problem, its hint and key idea and the deadline reminders each day, the weekly windows
post, digest and pairing round, and about ten DMs (reminders, follows). One claim in a
thousand failed and waits for its retry.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text

from bot.jobs import SweepRun
from bot.retention import prune_claims
from bot.store.models import ClaimRow
from bot.store.store import Store
from tests.core.faults.trial import add_clubs

START = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)  # a Monday, 09:00 in New York
DAILY = ("daily_problem", "problem_hint", "problem_solution", "deadline_alerts")
WEEKLY = ("deadline_week", "officer_digest", "mockpair_round")
DMS_A_DAY = 10 / 7


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    day: int
    rows: int
    retryable_ms: float
    since_ms: float


def day_of_claims(
    clubs: int, day: int, rng: random.Random, *, sqlite: bool
) -> list[tuple[Any, ...]]:
    """Every claim the clubs' runs leave on day `day` (0 = START), as rows of `_COLUMNS`."""
    due = (START + timedelta(days=day)).astimezone(UTC).replace(tzinfo=None)
    at: Any = due.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else due
    occurrence = due.date().isoformat()
    kinds = list(DAILY) + (list(WEEKLY) if day % 7 == 0 else [])
    ok = ("posted", "host:1", at, at, 1, at, "1234567890.123456", None, False)
    failed = ("failed", "host:1", at, at, 1, None, None, "503 Service Unavailable", False)
    rows = []
    for club in range(1, clubs + 1):
        dms = int(DMS_A_DAY) + (rng.random() < DMS_A_DAY % 1)
        for kind, what in [(k, occurrence) for k in kinds] + [
            ("deadline_alerts:dm", f"{occurrence}:m{n}") for n in range(dms)
        ]:
            rows.append((club, kind, what, *(failed if rng.random() < 0.001 else ok)))
    return rows


async def simulate(
    store: Store,
    *,
    clubs: int,
    days: int,
    retention: bool = True,
    sample_every: int = 30,
    seed: int = 27,
    on_sample: Any = None,
) -> list[Sample]:
    """`days` days of `clubs` clubs' claims; a sample every `sample_every` days and at the end."""
    rng, samples = random.Random(seed), []
    await add_clubs(store, clubs)
    for day in range(days):
        sqlite = store.engine.dialect.name == "sqlite"
        await insert_claims(store, day_of_claims(clubs, day, rng, sqlite=sqlite))
        now = START + timedelta(days=day, hours=10)
        if retention:
            await prune_claims(_sweep_run(store, now))
        if (day + 1) % sample_every == 0 or day == days - 1:
            sample = await measure(store, now, clubs, rng, day + 1)
            samples.append(sample)
            if on_sample is not None:
                on_sample(sample)
    return samples


_COLUMNS = (
    "club_id",
    "kind",
    "occurrence",
    "status",
    "owner",
    "due_at",
    "claimed_at",
    "attempts",
    "posted_at",
    "message_ref",
    "error",
    "post_in_doubt",
)


async def insert_claims(store: Store, rows: list[tuple[Any, ...]]) -> None:
    """Rows straight to the driver: a year of 10,000 clubs is 21 million of them, and the
    ORM's per-row work would take longer than the year's queries being measured."""
    sqlite = store.engine.dialect.name == "sqlite"
    marks = ", ".join("?" if sqlite else f"${n}" for n in range(1, len(_COLUMNS) + 1))
    statement = f"INSERT INTO claims ({', '.join(_COLUMNS)}) VALUES ({marks})"
    async with store.engine.begin() as db:
        await db.exec_driver_sql(statement, rows)


async def measure(store: Store, now: datetime, clubs: int, rng: random.Random, day: int) -> Sample:
    async with store.sessions() as session:
        rows = int(await session.scalar(select(func.count()).select_from(ClaimRow)) or 0)
    # CPU time of this thread: on SQLite the query runs here (bot/store/db.py), and it barely
    # moves with the machine's load; on PostgreSQL it is the client's share only.
    clock = time.thread_time if store.engine.dialect.name == "sqlite" else time.perf_counter
    retryable = []
    for _ in range(5):
        started = clock()
        await store.claims.retryable(now=now, grace=timedelta(days=7))
        retryable.append(clock() - started)
    since = []
    for _ in range(30):
        club = rng.randint(1, clubs)
        started = clock()
        await store.claims.since(club, since=now - timedelta(days=7))
        since.append(clock() - started)
    return Sample(
        day=day,
        rows=rows,
        retryable_ms=round(statistics.median(retryable) * 1000, 2),
        since_ms=round(statistics.median(since) * 1000, 2),
    )


async def drop_club_index(store: Store) -> None:
    """The table as it was before issue 27: no index for a club's recent claims."""
    async with store.engine.begin() as db:
        await db.execute(text("DROP INDEX ix_claims_club_due"))


def _sweep_run(store: Store, now: datetime) -> SweepRun:
    async def deliver(job: Any, club_ids: Any) -> dict[int, Any]:
        return {}

    return SweepRun(
        kind="retention",
        slot=now.isoformat(),
        due_at=now,
        now=now,
        store=store,
        owner="b",
        deliver=deliver,
    )
