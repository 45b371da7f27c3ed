"""Claims: the exactly-once ledger of scheduled posts.

A run first claims its occurrence (insert on a unique key); only the winner
posts. A claim left `claimed` by a process that died is taken over once its
lease runs out; a `failed` one (a passing platform error) is retried; `posted`
and `skipped` are final.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import Table, and_, bindparam, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.batches import chunks
from bot.store.models import ClaimRow
from bot.store.upsert import insert_many_if_absent

CLAIMED: Final = "claimed"
POSTED: Final = "posted"
FAILED: Final = "failed"
SKIPPED: Final = "skipped"


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
    ) -> None:
        self._sessions = sessions
        self.lease = lease
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
        """Of `keys`, take those whose owner's lease ran out (in doubt) or that failed."""
        stale = and_(ClaimRow.status == CLAIMED, ClaimRow.claimed_at < now - self.lease)
        taken: dict[ClaimKey, bool] = {}
        for retryable, in_doubt in ((stale, True), (ClaimRow.status == FAILED, False)):
            result = await session.execute(
                update(ClaimRow)
                .where(tuple_(*_KEY_COLUMNS).in_([_order(k) for k in keys]), retryable)
                .values(status=CLAIMED, owner=owner, claimed_at=now, attempts=ClaimRow.attempts + 1)
                .returning(*_KEY_COLUMNS)
            )
            taken.update((_key(row), in_doubt) for row in result)
        return taken

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

    async def finish_many(self, finished: Sequence[Finish], *, now: datetime) -> None:
        """Record how each run ended, in one transaction."""
        if not finished:
            return
        table = cast(Table, ClaimRow.__table__)
        statement = (
            update(table)
            .where(
                table.c.club_id == bindparam("k_club"),
                table.c.kind == bindparam("k_kind"),
                table.c.occurrence == bindparam("k_occurrence"),
            )
            .values(
                status=bindparam("v_status"),
                posted_at=bindparam("v_posted_at"),
                message_ref=bindparam("v_ref"),
                error=bindparam("v_error"),
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
                    }
                    for f in finished
                ],
            )

    async def get(self, key: ClaimKey) -> Claim | None:
        return (await self.get_many([key])).get(key)

    async def get_many(self, keys: Iterable[ClaimKey]) -> dict[ClaimKey, Claim]:
        """The claims of `keys` that exist."""
        found: dict[ClaimKey, Claim] = {}
        async with self._sessions() as session:
            for chunk in chunks(sorted(set(keys), key=_order)):
                rows = await session.execute(
                    select(ClaimRow).where(tuple_(*_KEY_COLUMNS).in_([_order(k) for k in chunk]))
                )
                found.update((claim.key, claim) for claim in map(_claim, rows.scalars()))
        return found

    async def retryable(self, *, now: datetime, grace: timedelta) -> list[Claim]:
        """Failed or abandoned claims due for a try inside their grace window, oldest first."""
        stale = and_(ClaimRow.status == CLAIMED, ClaimRow.claimed_at < now - self.lease)
        rested = and_(ClaimRow.status == FAILED, ClaimRow.claimed_at <= now - self.retry_after)
        async with self._sessions() as session:
            rows = await session.execute(
                select(ClaimRow)
                .where(or_(rested, stale), ClaimRow.due_at >= now - grace)
                .order_by(ClaimRow.due_at, ClaimRow.id)
            )
            return [_claim(r) for r in rows.scalars()]

    async def since(self, club_id: int, *, since: datetime) -> list[Claim]:
        """What was due for a club since `since`, oldest first."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(ClaimRow)
                .where(ClaimRow.club_id == club_id, ClaimRow.due_at >= since)
                .order_by(ClaimRow.due_at, ClaimRow.id)
            )
            return [_claim(r) for r in rows.scalars()]


_KEY_COLUMNS: Final = (ClaimRow.club_id, ClaimRow.kind, ClaimRow.occurrence)


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
