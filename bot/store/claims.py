"""Claims: the exactly-once ledger of scheduled posts.

A run first claims its occurrence (insert on a unique key); only the winner
posts. A claim left `claimed` by a process that died is taken over once its
lease runs out; a `failed` one (a passing platform error) is retried; `posted`,
`skipped` and `build failed` are final.

A lease is judged by one clock for every process: the database's, when `database_clock`
is set (every bot on the real clock), so hosts whose clocks differ or one whose clock NTP
steps never see a live claim as abandoned; tests and the demo run leases on their own
simulated clock. The holder renews its claims while it works (`renew`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import Table, and_, bindparam, delete, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from bot.store.batches import chunks
from bot.store.models import ClaimRow
from bot.store.upsert import insert_many_if_absent

CLAIMED: Final = "claimed"
POSTED: Final = "posted"
FAILED: Final = "failed"
SKIPPED: Final = "skipped"
# The run's post could not be built (a bug, bad data): final, not retried every minute; the
# next occurrence tries again.
BUILD_FAILED: Final = "build failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimKey:
    club_id: int
    kind: str
    occurrence: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Finish:
    """How one claimed run ended."""

    key: ClaimKey
    status: str
    message_ref: str | None = None
    error: str | None = None
    # A failed post that may have gone out all the same (e.g. a timeout).
    in_doubt: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    key: ClaimKey
    status: str
    due_at: datetime
    attempts: int
    posted_at: datetime | None
    message_ref: str | None
    error: str | None


class Claims:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        lease: timedelta = timedelta(minutes=5),
        retry_after: timedelta = timedelta(minutes=1),
        database_clock: bool = False,
    ) -> None:
        self._sessions = sessions
        self.lease = lease
        self.database_clock = database_clock
        # A failed post waits this long before its next try, so a platform having a bad
        # minute is not hammered.
        self.retry_after = retry_after

    async def claim(self, key: ClaimKey, *, due_at: datetime, owner: str, now: datetime) -> bool:
        """Take the occurrence; True only for the one caller that may post it."""
        return key in await self.claim_many({key: due_at}, owner=owner, now=now)

    async def claim_many(
        self, due: Mapping[ClaimKey, datetime], *, owner: str, now: datetime
    ) -> set[ClaimKey]:
        """Take each occurrence (key -> due time) that nobody holds; the keys this caller won."""
        return set(await self.claim_each(due, owner=owner, now=now))

    async def claim_each(
        self, due: Mapping[ClaimKey, datetime], *, owner: str, now: datetime
    ) -> dict[ClaimKey, bool]:
        """Like `claim_many`, telling for each won key whether its post is in doubt: an
        earlier attempt's process died before recording how it ended, so the post may
        already be out. (A failure the platform reported was recorded: not in doubt.)

        One insert and one take-over per batch of keys. Keys go in sorted, so two processes
        claiming overlapping batches wait on each other in the same order, never in a cycle.
        """
        won: dict[ClaimKey, bool] = {}
        for chunk in chunks(sorted(due, key=_order)):
            async with self._sessions() as session, session.begin():
                now = await self._lease_now(session, now)
                rows = [
                    {
                        "club_id": k.club_id,
                        "kind": k.kind,
                        "occurrence": k.occurrence,
                        "status": CLAIMED,
                        "owner": owner,
                        "due_at": due[k],
                        "claimed_at": now,
                        "attempts": 1,
                    }
                    for k in chunk
                ]
                inserted = await insert_many_if_absent(session, ClaimRow, rows, _KEY_COLUMNS)
                won.update((_key(row), False) for row in inserted)
                taken = [k for k in chunk if k not in won]
                if taken:
                    won |= await self._take_over(session, taken, owner=owner, now=now)
        return won

    async def _take_over(
        self, session: AsyncSession, keys: Sequence[ClaimKey], *, owner: str, now: datetime
    ) -> dict[ClaimKey, bool]:
        """Of `keys`, take those whose owner's lease ran out (in doubt) or that failed (in
        doubt if the failure may have posted all the same)."""
        stale = and_(ClaimRow.status == CLAIMED, ClaimRow.claimed_at < now - self.lease)
        taken: dict[ClaimKey, bool] = {}
        for retryable in (stale, ClaimRow.status == FAILED):
            # The doubt is read before the update clears it (RETURNING gives new values).
            doubt = or_(ClaimRow.status == CLAIMED, ClaimRow.post_in_doubt)
            result = await session.execute(
                update(ClaimRow)
                .where(_of(session, keys), retryable)
                .values(
                    status=CLAIMED,
                    owner=owner,
                    claimed_at=now,
                    attempts=ClaimRow.attempts + 1,
                    post_in_doubt=doubt,
                )
                .returning(*_KEY_COLUMNS, ClaimRow.post_in_doubt)
            )
            taken.update((_key(row), bool(row[3])) for row in result)
        return taken

    async def renew(self, keys: Iterable[ClaimKey], *, owner: str, now: datetime) -> set[ClaimKey]:
        """Extend the lease of each of `keys` that `owner` still holds; the keys renewed (one
        missing was taken over, or its ending is written already)."""
        renewed: set[ClaimKey] = set()
        for chunk in chunks(sorted(set(keys), key=_order)):
            async with self._sessions() as session, session.begin():
                at = await self._lease_now(session, now)
                result = await session.execute(
                    update(ClaimRow)
                    .where(
                        _of(session, chunk),
                        ClaimRow.status == CLAIMED,
                        ClaimRow.owner == owner,
                    )
                    .values(claimed_at=at)
                    .returning(*_KEY_COLUMNS)
                )
                renewed.update(_key(row) for row in result)
        return renewed

    async def _lease_now(self, session: AsyncSession, now: datetime) -> datetime:
        """The time leases are stamped and judged by: the database's, or `now`."""
        if not self.database_clock:
            return now
        return await database_now(session)

    async def finish(
        self,
        key: ClaimKey,
        *,
        status: str,
        now: datetime,
        message_ref: str | None = None,
        error: str | None = None,
    ) -> None:
        await self.finish_many(
            [Finish(key=key, status=status, message_ref=message_ref, error=error)], now=now
        )

    async def finish_many(
        self, finished: Sequence[Finish], *, now: datetime, owner: str | None = None
    ) -> None:
        """Record how each run ended, in one transaction; with `owner`, only where it still
        holds the claim (another process that took it over records its own ending)."""
        if not finished:
            return
        table = cast(Table, ClaimRow.__table__)
        held = [] if owner is None else [table.c.owner == owner, table.c.status == CLAIMED]
        statement = (
            update(table)
            .where(
                table.c.club_id == bindparam("k_club"),
                table.c.kind == bindparam("k_kind"),
                table.c.occurrence == bindparam("k_occurrence"),
                *held,
            )
            .values(
                status=bindparam("v_status"),
                posted_at=bindparam("v_posted_at"),
                message_ref=bindparam("v_ref"),
                error=bindparam("v_error"),
                post_in_doubt=bindparam("v_in_doubt"),
            )
        )
        async with self._sessions() as session, session.begin():
            await session.execute(
                statement,
                [
                    {
                        "k_club": f.key.club_id,
                        "k_kind": f.key.kind,
                        "k_occurrence": f.key.occurrence,
                        "v_status": f.status,
                        "v_posted_at": now if f.status == POSTED else None,
                        "v_ref": f.message_ref,
                        "v_error": f.error[:500] if f.error else None,
                        "v_in_doubt": f.in_doubt,
                    }
                    for f in finished
                ],
            )

    async def get(self, key: ClaimKey) -> Claim | None:
        return (await self.get_many([key])).get(key)

    async def get_many(self, keys: Iterable[ClaimKey]) -> dict[ClaimKey, Claim]:
        """The claims of `keys` that exist."""
        found: dict[ClaimKey, Claim] = {}
        asked = sorted(set(keys), key=_order)
        async with self._sessions() as session:
            if 0 < len(asked) <= _FEW_KEYS and len({(k.club_id, k.kind) for k in asked}) == 1:
                # A command's few keys of one club and kind: a statement built once.
                values = {
                    "club_id": asked[0].club_id,
                    "kind": asked[0].kind,
                    "occurrences": [k.occurrence for k in asked],
                }
                rows = await session.execute(_OF_ONE_KIND, values)
                return {c.key: c for c in map(_claim, rows.scalars())}
            for chunk in chunks(asked):
                rows = await session.execute(select(ClaimRow).where(_of(session, chunk)))
                found.update((claim.key, claim) for claim in map(_claim, rows.scalars()))
        return found

    async def retryable(
        self, *, now: datetime, grace: timedelta, late_after: timedelta | None = None
    ) -> list[Claim]:
        """Failed or abandoned claims due for a try inside their grace window, oldest first.

        A failed one due more than `late_after` ago (being posted late) rests thirty times
        longer between tries: a platform down for hours is tried every half hour, not every
        minute, while the post is still worth making."""
        async with self._sessions() as session:
            at = await self._lease_now(session, now)
            stale = and_(ClaimRow.status == CLAIMED, ClaimRow.claimed_at < at - self.lease)
            rested = and_(ClaimRow.status == FAILED, ClaimRow.claimed_at <= at - self.retry_after)
            rows = await session.execute(
                select(ClaimRow)
                .where(or_(rested, stale), ClaimRow.due_at >= now - grace)
                .order_by(ClaimRow.due_at, ClaimRow.id)
            )
            late = now - late_after if late_after is not None else None
            return [
                _claim(r)
                for r in rows.scalars()
                if r.status == CLAIMED
                or late is None
                or r.due_at >= late
                or r.claimed_at <= at - self.retry_after * _LATE_REST
            ]

    async def since(self, club_id: int, *, since: datetime) -> list[Claim]:
        """What was due for a club since `since`, oldest first."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(ClaimRow)
                .where(ClaimRow.club_id == club_id, ClaimRow.due_at >= since)
                .order_by(ClaimRow.due_at, ClaimRow.id)
            )
            return [_claim(r) for r in rows.scalars()]

    async def last_before(self, keys: Iterable[ClaimKey]) -> dict[ClaimKey, Claim]:
        """For each key, the club's latest claim of the same kind due before it (its
        previous occurrence), where there is one."""
        found: dict[ClaimKey, Claim] = {}
        async with self._sessions() as session:
            for key in keys:
                due = select(ClaimRow.due_at).where(*_is(key)).scalar_subquery()
                row = await session.scalar(
                    select(ClaimRow)
                    .where(
                        ClaimRow.club_id == key.club_id,
                        ClaimRow.kind == key.kind,
                        ClaimRow.due_at < due,
                    )
                    .order_by(ClaimRow.due_at.desc())
                    .limit(1)
                )
                if row is not None:
                    found[key] = _claim(row)
        return found

    async def prune(self, *, before: datetime, limit: int = 5000) -> int:
        """Delete up to `limit` claims of each status due before `before`; how many. By the
        time retention comes a claim of any status is over: nothing retries that far back."""
        deleted = 0
        async with self._sessions() as session, session.begin():
            for status in _STATUSES:
                ids = (
                    select(ClaimRow.id)
                    .where(ClaimRow.status == status, ClaimRow.due_at < before)
                    .limit(limit)
                    .scalar_subquery()
                )
                result = await session.execute(delete(ClaimRow).where(ClaimRow.id.in_(ids)))
                deleted += int(getattr(result, "rowcount", 0) or 0)
        return deleted


async def database_now(session: AsyncSession) -> datetime:
    """The database server's clock, aware UTC: one clock for every process sharing it."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        found = await session.scalar(select(func.now()))
    else:
        found = await session.scalar(select(func.strftime("%Y-%m-%d %H:%M:%f", "now")))
        found = datetime.fromisoformat(str(found))
    assert isinstance(found, datetime)
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def _is(key: ClaimKey) -> tuple[Any, ...]:
    return (
        ClaimRow.club_id == key.club_id,
        ClaimRow.kind == key.kind,
        ClaimRow.occurrence == key.occurrence,
    )


_KEY_COLUMNS: Final = (ClaimRow.club_id, ClaimRow.kind, ClaimRow.occurrence)
# How many times `retry_after` a failed claim rests once it is being posted late.
_LATE_REST: Final = 30
# Each on its own, so every delete walks the (status, due_at) index.
_STATUSES: Final = (CLAIMED, FAILED, POSTED, SKIPPED, BUILD_FAILED)


# Up to this many keys, SQLite is asked per club and kind (see `_of`).
_FEW_KEYS: Final = 16


_OF_ONE_KIND: Final = select(ClaimRow).where(
    ClaimRow.club_id == bindparam("club_id"),
    ClaimRow.kind == bindparam("kind"),
    ClaimRow.occurrence.in_(bindparam("occurrences", expanding=True)),
)


def _of(session: AsyncSession, keys: Sequence[ClaimKey]) -> ColumnElement[bool]:
    """The claims of `keys`. PostgreSQL reads a row-value IN list by the unique index;
    SQLite scans the whole table for one (10 ms at 117,000 claims), so a command's few
    keys are asked per club and kind, with occurrences IN a list, which SQLite finds by the
    index. A fan-out's batch of hundreds of clubs keeps the row-value list: as hundreds of
    OR branches it took the 10,000-club fan-out from 4.2 s to 6.0 s, and 3.5 s to 16 s
    when three processes share it."""
    if len(keys) > _FEW_KEYS or (
        session.bind is not None and session.bind.dialect.name == "postgresql"
    ):
        return tuple_(*_KEY_COLUMNS).in_([_order(k) for k in keys])
    grouped: dict[tuple[int, str], list[str]] = {}
    for key in keys:
        grouped.setdefault((key.club_id, key.kind), []).append(key.occurrence)
    return or_(
        *(
            and_(ClaimRow.club_id == club_id, ClaimRow.kind == kind, ClaimRow.occurrence.in_(on))
            for (club_id, kind), on in grouped.items()
        )
    )


def _order(key: ClaimKey) -> tuple[int, str, str]:
    return (key.club_id, key.kind, key.occurrence)


def _key(row: Any) -> ClaimKey:
    return ClaimKey(club_id=row[0], kind=row[1], occurrence=row[2])


def _claim(row: ClaimRow) -> Claim:
    return Claim(
        key=ClaimKey(club_id=row.club_id, kind=row.kind, occurrence=row.occurrence),
        status=row.status,
        due_at=row.due_at,
        attempts=row.attempts,
        posted_at=row.posted_at,
        message_ref=row.message_ref,
        error=row.error,
    )
