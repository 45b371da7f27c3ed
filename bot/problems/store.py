"""Daily problem posts and members' solves, per club.

A post row is written when the daily job builds its post, before it reaches the
platform, so a retried run posts the same problem; the claim of that run holds
the platform's message ref (the thread the hint and solution go to).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    Row,
    Select,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    over,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, aliased, mapped_column
from sqlalchemy.sql.expression import Executable

from bot.problems.bank import POINTS
from bot.problems.rules import Total
from bot.store.batches import chunks
from bot.store.db import commit_without_flush_wait
from bot.store.models import Base, ClaimRow, UTCDateTime
from bot.store.upsert import dialect_insert, dialect_name, insert_many_if_absent


class ProblemPostRow(Base):
    __tablename__ = "problem_posts"
    __table_args__ = (
        UniqueConstraint("club_id", "day"),
        Index("ix_problem_posts_club_problem", "club_id", "problem_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    problem_id: Mapped[str] = mapped_column(String(80))
    cycle: Mapped[int] = mapped_column(default=1)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SolveRow(Base):
    __tablename__ = "solves"
    __table_args__ = (
        Index("ix_solves_club_day", "club_id", "day"),
        # Everything `totals` reads, so the leaderboard never touches the table (migration 0010).
        Index("ix_solves_club_user_totals", "club_id", "user_id", "day", "difficulty", "name"),
    )

    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    problem_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    difficulty: Mapped[str] = mapped_column(String(8))
    day: Mapped[date] = mapped_column(Date)  # the club-local date of the solve
    solved_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SolveTotalRow(Base):
    """A member's all-time counted solves, kept up to date with each first solve (and
    recounted from the solves by migration 0011 and `recount_totals`): the all-time
    leaderboard reads the top of this instead of adding up every solve of the club."""

    __tablename__ = "solve_totals"

    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))  # as of their latest solve
    points: Mapped[int]
    solves: Mapped[int]
    last_day: Mapped[date] = mapped_column(Date)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemPost:
    day: date
    problem_id: str
    cycle: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SolveRecord:
    user_id: str
    name: str
    problem_id: str
    difficulty: str
    day: date
    solved_at: datetime


class ProblemStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def record_post(
        self, club_id: int, *, day: date, problem_id: str, cycle: int, now: datetime
    ) -> ProblemPost:
        """The day's post: the one already recorded, else this one."""
        post = ProblemPost(day=day, problem_id=problem_id, cycle=cycle)
        await self.record_posts({club_id: post}, now=now)
        found = await self.post_on(club_id, day)
        assert found is not None
        return found

    async def record_posts(self, posts: Mapping[int, ProblemPost], *, now: datetime) -> None:
        """Record each club's post of its day, where none is recorded yet, in one transaction."""
        rows = [
            {
                "club_id": club_id,
                "day": p.day,
                "problem_id": p.problem_id,
                "cycle": p.cycle,
                "posted_at": now,
            }
            for club_id, p in posts.items()
        ]
        async with self._sessions() as session, session.begin():
            await insert_many_if_absent(session, ProblemPostRow, rows)

    async def post_on(self, club_id: int, day: date) -> ProblemPost | None:
        return (await self.posts_on({club_id: day})).get(club_id)

    async def posts_on(self, days: Mapping[int, date]) -> dict[int, ProblemPost]:
        """Each club's recorded post of its day (club id -> club-local date), where there is one."""
        found: dict[int, ProblemPost] = {}
        async with self._sessions() as session:
            for chunk in chunks(days):
                rows = await session.execute(
                    select(ProblemPostRow).where(
                        ProblemPostRow.club_id.in_(chunk),
                        ProblemPostRow.day.in_({days[c] for c in chunk}),
                    )
                )
                found.update(
                    (r.club_id, _post(r)) for r in rows.scalars() if days[r.club_id] == r.day
                )
        return found

    async def post_counts(self, until: Mapping[int, date]) -> dict[int, Counter[str]]:
        """How often each club posted each problem, up to its date in `until` inclusive."""
        counts: dict[int, Counter[str]] = {club_id: Counter() for club_id in until}
        by_day: dict[date, list[int]] = {}
        for club_id, day in until.items():
            by_day.setdefault(day, []).append(club_id)
        async with self._sessions() as session:
            for day, club_ids in by_day.items():
                # Smaller chunks here: a year of history is ~365 rows per club.
                for chunk in chunks(club_ids, 100):
                    rows = await session.execute(
                        select(ProblemPostRow.club_id, ProblemPostRow.problem_id, func.count())
                        .where(ProblemPostRow.club_id.in_(chunk), ProblemPostRow.day <= day)
                        .group_by(ProblemPostRow.club_id, ProblemPostRow.problem_id)
                    )
                    for club_id, problem_id, times in rows:
                        counts[club_id][problem_id] = times
        return counts

    async def posts_and_counts(
        self, days: Mapping[int, date]
    ) -> tuple[dict[int, ProblemPost], dict[int, Counter[str]]]:
        """Each club's recorded post of its day (club id -> club-local date), where there is
        one, as `posts_on`; and how often it posted each problem before that day, as
        `post_counts` of the day before. One read per day and 100 clubs, of a row per club:
        the ids posted before the day come as one text, counted here (a year of history is
        ~365 posts of ~200 problems, which as a row each cost more than the rest of the
        daily post)."""
        posts: dict[int, ProblemPost] = {}
        counts: dict[int, Counter[str]] = {club_id: Counter() for club_id in days}
        by_day: dict[date, list[int]] = {}
        for club_id, day in days.items():
            by_day.setdefault(day, []).append(club_id)
        async with self._sessions() as session:
            query = _posts_and_counts(dialect_name(session))
            for day, club_ids in by_day.items():
                for chunk in chunks(club_ids, 100):
                    values = {"club_ids": chunk, "day": day}
                    for club_id, before, problem_id, cycle in await session.execute(query, values):
                        if before:
                            counts[club_id].update(before.split(_SEPARATOR))
                        if problem_id is not None and cycle is not None:
                            posts[club_id] = ProblemPost(
                                day=day, problem_id=problem_id, cycle=int(cycle)
                            )
        return posts, counts

    async def posts(self, club_id: int, *, until: date | None = None) -> list[ProblemPost]:
        """The club's posts, oldest first (up to `until` inclusive)."""
        query = select(ProblemPostRow).where(ProblemPostRow.club_id == club_id)
        if until is not None:
            query = query.where(ProblemPostRow.day <= until)
        async with self._sessions() as session:
            rows = await session.execute(query.order_by(ProblemPostRow.day))
            return [_post(r) for r in rows.scalars()]

    async def latest_post_and_claim(
        self, club_id: int, *, until: date, kind: str
    ) -> tuple[ProblemPost | None, str | None]:
        """The club's latest post up to `until` inclusive (on a day without a post: the one
        before) and the status of its claim of `kind` for that post's day, if one was
        made, in one read."""
        values = {"club_id": club_id, "until": until, "kind": kind}
        async with self._sessions() as session:
            query = _latest_post_and_claim(dialect_name(session))
            row = (await session.execute(query, values)).first()
        if row is None:
            return None, None
        return ProblemPost(day=row.day, problem_id=row.problem_id, cycle=row.cycle), row.status

    async def claim_states(
        self, club_id: int, keys: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """The status of each of the club's claims of these (kind, occurrence) keys that
        exist, in one statement built once: a command's few keys of several kinds, which
        `Claims.get_many` would read in a statement built for each call."""
        asked = set(keys)
        if not asked:
            return {}
        values = {
            "club_id": club_id,
            "kinds": sorted({kind for kind, _ in asked}),
            "occurrences": sorted({occurrence for _, occurrence in asked}),
        }
        async with self._sessions() as session:
            rows = await session.execute(_CLAIM_STATES, values)
            # The kinds and occurrences cross: keep only the keys asked for.
            return {(k, o): status for k, o, status in rows if (k, o) in asked}

    async def latest_post_and_solves(
        self, club_id: int, user_id: str, *, until: date
    ) -> tuple[ProblemPost | None, list[SolveRecord]]:
        """The club's latest post up to `until` inclusive and, if there is one, the member's
        solves (as `solves`), in one read: the post joined to each solve."""
        values = {"club_id": club_id, "user_id": user_id, "until": until}
        async with self._sessions() as session:
            rows = (await session.execute(_LATEST_POST_AND_SOLVES, values)).all()
        if not rows:
            return None, []
        head = rows[0]
        found = ProblemPost(day=head.post_day, problem_id=head.post_problem, cycle=head.post_cycle)
        return found, _solves(rows)

    async def posted_and_solves(
        self, club_id: int, user_id: str, problem_ids: Collection[str], *, until: date
    ) -> tuple[bool, list[SolveRecord]]:
        """Whether the club posted any of these ids up to `until` inclusive (a merged
        problem was posted under its old id) and the member's solves, in one read."""
        values = {
            "club_id": club_id,
            "user_id": user_id,
            "until": until,
            "problem_ids": sorted(problem_ids),
        }
        async with self._sessions() as session:
            rows = (await session.execute(_POSTED_AND_SOLVES, values)).all()
        return bool(rows[0].posted), _solves(rows)

    async def record_solve(self, club_id: int, solve: SolveRecord) -> bool:
        """True the first time this member solves this problem; later solves count once.
        A first solve adds to the member's running total in the same transaction."""
        values = {
            "club_id": club_id,
            "user_id": solve.user_id,
            "problem_id": solve.problem_id,
            "name": solve.name[:100],
            "difficulty": solve.difficulty,
            "day": solve.day,
            "solved_at": solve.solved_at,
        }
        async with self._sessions() as session, session.begin():
            await commit_without_flush_wait(session)
            dialect = dialect_name(session)
            first = (await session.execute(_new_solve(dialect), values)).first() is not None
            if first:
                points = POINTS.get(solve.difficulty, 0)
                await session.execute(_add_to_total(dialect), {**values, "points": points})
            return first

    async def top(self, club_id: int, *, limit: int) -> tuple[list[Total], int]:
        """The all-time leaderboard's first `limit` members in its order (points, solves,
        who got there first, user id), and how many members have solved anything."""
        everyone = over(func.count())
        query = (
            select(
                SolveTotalRow.user_id,
                SolveTotalRow.name,
                SolveTotalRow.points,
                SolveTotalRow.solves,
                SolveTotalRow.last_day,
                everyone,
            )
            .where(SolveTotalRow.club_id == club_id)
            .limit(limit)
        )
        async with self._sessions() as session:
            # By code point, as Python sorts (PostgreSQL's default collation would not).
            postgres = session.bind is not None and session.bind.dialect.name == "postgresql"
            user_order = SolveTotalRow.user_id.collate("C") if postgres else SolveTotalRow.user_id
            rows = list(
                await session.execute(
                    query.order_by(
                        SolveTotalRow.points.desc(),
                        SolveTotalRow.solves.desc(),
                        SolveTotalRow.last_day,
                        user_order,
                    )
                )
            )
        totals = [
            Total(user_id=u, name=n, points=p, solves=c, last_day=d) for u, n, p, c, d, _ in rows
        ]
        return totals, (int(rows[0][5]) if rows else 0)

    async def recount_totals(self, club_ids: list[int] | None = None) -> None:
        """Rebuild members' running totals from their solves (for data written around
        `record_solve`, as the benchmarks' bulk loads do)."""
        latest = (
            select(SolveRow.name)
            .where(SolveRow.club_id == _LATEST.club_id, SolveRow.user_id == _LATEST.user_id)
            .order_by(SolveRow.solved_at.desc(), SolveRow.day.desc())
            .limit(1)
            .scalar_subquery()
        )
        counted = select(
            _LATEST.club_id,
            _LATEST.user_id,
            latest,
            func.sum(case(*((_LATEST.difficulty == d, n) for d, n in POINTS.items()), else_=0)),
            func.count(),
            func.max(_LATEST.day),
        ).group_by(_LATEST.club_id, _LATEST.user_id)
        async with self._sessions() as session, session.begin():
            wipe = delete(SolveTotalRow)
            if club_ids is not None:
                wipe = wipe.where(SolveTotalRow.club_id.in_(club_ids))
                counted = counted.where(_LATEST.club_id.in_(club_ids))
            await session.execute(wipe)
            await session.execute(
                insert(SolveTotalRow).from_select(
                    ["club_id", "user_id", "name", "points", "solves", "last_day"], counted
                )
            )

    async def totals(
        self, club_id: int, *, since: date | None, points: Mapping[str, int]
    ) -> list[Total]:
        """Each member's points, solves and last solve day since `since`, added up by the
        database; each under the name of their latest solve, as the running totals keep it."""
        worth = case(*((SolveRow.difficulty == d, n) for d, n in points.items()), else_=0)
        query = (
            select(
                SolveRow.user_id,
                # The running total's name; the solves' own where it has none (imported
                # from an export older than the totals).
                func.coalesce(func.max(SolveTotalRow.name), func.max(SolveRow.name)),
                func.sum(worth),
                func.count(),
                func.max(SolveRow.day),
            )
            .outerjoin(
                SolveTotalRow,
                (SolveTotalRow.club_id == SolveRow.club_id)
                & (SolveTotalRow.user_id == SolveRow.user_id),
            )
            .where(SolveRow.club_id == club_id)
        )
        if since is not None:
            query = query.where(SolveRow.day >= since)
        async with self._sessions() as session:
            rows = await session.execute(query.group_by(SolveRow.user_id))
            return [
                Total(user_id=u, name=n, points=int(p), solves=int(c), last_day=d)
                for u, n, p, c, d in rows
            ]

    async def solves(self, club_id: int, *, user_id: str | None = None) -> list[SolveRecord]:
        query = select(*_SOLVE_COLUMNS).where(SolveRow.club_id == club_id)
        if user_id is not None:
            query = query.where(SolveRow.user_id == user_id)
        async with self._sessions() as session:
            rows = await session.execute(query.order_by(SolveRow.solved_at, SolveRow.user_id))
            return _solves(rows)


# What a SolveRecord holds, read as plain rows (no entities: a member has hundreds).
_SOLVE_COLUMNS = (
    SolveRow.user_id,
    SolveRow.name,
    SolveRow.problem_id,
    SolveRow.difficulty,
    SolveRow.day,
    SolveRow.solved_at,
)


def _solves(rows: Iterable[Row[*tuple[Any, ...]]]) -> list[SolveRecord]:
    """The solves of rows of `_SOLVE_COLUMNS` (rows of an outer join without one skipped)."""
    return [
        SolveRecord(
            user_id=r.user_id,
            name=r.name,
            problem_id=r.problem_id,
            difficulty=r.difficulty,
            day=r.day,
            solved_at=r.solved_at,
        )
        for r in rows
        if r.problem_id is not None
    ]


# The solves table under another name, for the "name of the latest solve" subquery.
_LATEST = aliased(SolveRow)


# The statements of the commands members run most, built once (per dialect where they
# differ): building one costs about as much CPU as running it.


@functools.cache
def _new_solve(dialect: str) -> Executable:
    """A solve, unless the member solved the problem before; returns a row if inserted."""
    return (
        dialect_insert(dialect)(cast(Table, SolveRow.__table__))
        .on_conflict_do_nothing()
        .returning(SolveRow.user_id)
    )


@functools.cache
def _add_to_total(dialect: str) -> Executable:
    """One more counted solve in the member's running total (made on their first)."""
    upsert = dialect_insert(dialect)
    later = func.greatest if dialect == "postgresql" else func.max  # SQLite's max(a, b)
    table = SolveTotalRow.__table__.c
    statement = upsert(cast(Table, SolveTotalRow.__table__)).values(
        club_id=bindparam("club_id"),
        user_id=bindparam("user_id"),
        name=bindparam("name"),
        points=bindparam("points"),
        solves=1,
        last_day=bindparam("day"),
    )
    return statement.on_conflict_do_update(
        index_elements=[table.club_id, table.user_id],
        set_={
            "name": statement.excluded.name,
            "points": table.points + statement.excluded.points,
            "solves": table.solves + 1,
            "last_day": later(table.last_day, statement.excluded.last_day),
        },
    )


@functools.cache
def _latest_post_and_claim(dialect: str) -> Select[date, str, int, str]:
    """The club's latest post up to a day, joined to its claim of a kind (if made)."""
    # A day's occurrence is its ISO date, as SQLite already keeps a date.
    day = (
        func.to_char(ProblemPostRow.day, "YYYY-MM-DD")
        if dialect == "postgresql"
        else ProblemPostRow.day
    )
    club_id = bindparam("club_id", type_=Integer)
    return (
        select(ProblemPostRow.day, ProblemPostRow.problem_id, ProblemPostRow.cycle, ClaimRow.status)
        .outerjoin(
            ClaimRow,
            (ClaimRow.club_id == club_id)
            & (ClaimRow.kind == bindparam("kind", type_=String))
            & (ClaimRow.occurrence == day),
        )
        .where(ProblemPostRow.club_id == club_id, ProblemPostRow.day <= bindparam("until"))
        .order_by(ProblemPostRow.day.desc())
        .limit(1)
    )


def _with_solves(head: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    """`head`'s row (one at most) joined to each of the member's solves, oldest first:
    one row with empty solve columns when they have none; no row without `head`'s."""
    first = head.subquery("head")
    return (
        select(*first.c, *_SOLVE_COLUMNS)
        .select_from(first)
        .outerjoin(
            SolveRow,
            (SolveRow.club_id == bindparam("club_id", type_=Integer))
            & (SolveRow.user_id == bindparam("user_id", type_=String)),
        )
        .order_by(SolveRow.solved_at, SolveRow.user_id)
    )


_CLAIM_STATES = select(ClaimRow.kind, ClaimRow.occurrence, ClaimRow.status).where(
    ClaimRow.club_id == bindparam("club_id", type_=Integer),
    ClaimRow.kind.in_(bindparam("kinds", expanding=True)),
    ClaimRow.occurrence.in_(bindparam("occurrences", expanding=True)),
)
_DAY = bindparam("day", type_=Date)
# Between the ids of the posts of a club in one text: ids are slugs (`bank.py`), which
# never hold a space.
_SEPARATOR = " "


@functools.cache
def _posts_and_counts(dialect: str) -> Select[int, str | None, str | None, int | None]:
    """Per club: the ids of its posts before the day, in one text (repeats included, in no
    order), and the id and cycle of the day's own post, if recorded. The day's rows are
    found by the (club_id, day) index; nothing is grouped but by club."""
    before = case((ProblemPostRow.day < _DAY, ProblemPostRow.problem_id))  # else NULL: left out
    joined = (
        func.string_agg(before, _SEPARATOR)
        if dialect == "postgresql"
        else func.group_concat(before, _SEPARATOR)
    )
    return (
        select(
            ProblemPostRow.club_id,
            joined,
            func.max(case((ProblemPostRow.day == _DAY, ProblemPostRow.problem_id))),
            func.max(case((ProblemPostRow.day == _DAY, ProblemPostRow.cycle))),
        )
        .where(
            ProblemPostRow.club_id.in_(bindparam("club_ids", expanding=True)),
            ProblemPostRow.day <= _DAY,
        )
        .group_by(ProblemPostRow.club_id)
    )


_LATEST_POST_AND_SOLVES = _with_solves(
    select(
        ProblemPostRow.day.label("post_day"),
        ProblemPostRow.problem_id.label("post_problem"),
        ProblemPostRow.cycle.label("post_cycle"),
    )
    .where(
        ProblemPostRow.club_id == bindparam("club_id", type_=Integer),
        ProblemPostRow.day <= bindparam("until"),
    )
    .order_by(ProblemPostRow.day.desc())
    .limit(1)
)
_POSTED_AND_SOLVES = _with_solves(
    select(
        exists()
        .where(
            ProblemPostRow.club_id == bindparam("club_id", type_=Integer),
            ProblemPostRow.problem_id.in_(bindparam("problem_ids", expanding=True)),
            ProblemPostRow.day <= bindparam("until"),
        )
        .label("posted")
    )
)


def _post(row: ProblemPostRow) -> ProblemPost:
    return ProblemPost(day=row.day, problem_id=row.problem_id, cycle=row.cycle)
