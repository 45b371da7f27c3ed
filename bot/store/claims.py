"""Claims: the exactly-once ledger of scheduled posts.

A run first claims its occurrence (insert on a unique key); only the winner
posts. A claim left `claimed` by a process that died is taken over once its
lease runs out; a `failed` one (a passing platform error) is retried; `posted`
and `skipped` are final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.models import ClaimRow
from bot.store.upsert import insert_if_absent

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
        async with self._sessions.begin() as session:
            won = await insert_if_absent(
                session,
                ClaimRow,
                {
                    "club_id": key.club_id,
                    "kind": key.kind,
                    "occurrence": key.occurrence,
                    "status": CLAIMED,
                    "owner": owner,
                    "due_at": due_at,
                    "claimed_at": now,
                    "attempts": 1,
                },
            )
            return won or await self._take_over(session, key, owner=owner, now=now)

    async def _take_over(
        self, session: AsyncSession, key: ClaimKey, *, owner: str, now: datetime
    ) -> bool:
        retryable = or_(
            ClaimRow.status == FAILED,
            and_(ClaimRow.status == CLAIMED, ClaimRow.claimed_at < now - self.lease),
        )
        result = await session.execute(
            update(ClaimRow)
            .where(_is(key), retryable)
            .values(status=CLAIMED, owner=owner, claimed_at=now, attempts=ClaimRow.attempts + 1)
            .returning(ClaimRow.id)
        )
        return result.first() is not None

    async def finish(
        self,
        key: ClaimKey,
        *,
        status: str,
        now: datetime,
        message_ref: str | None = None,
        error: str | None = None,
    ) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(ClaimRow)
                .where(_is(key))
                .values(
                    status=status,
                    posted_at=now if status == POSTED else None,
                    message_ref=message_ref,
                    error=error[:500] if error else None,
                )
            )

    async def get(self, key: ClaimKey) -> Claim | None:
        async with self._sessions() as session:
            row = (await session.execute(select(ClaimRow).where(_is(key)))).scalar_one_or_none()
            return None if row is None else _claim(row)

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


def _is(key: ClaimKey) -> ColumnElement[bool]:
    return and_(
        ClaimRow.club_id == key.club_id,
        ClaimRow.kind == key.kind,
        ClaimRow.occurrence == key.occurrence,
    )


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
