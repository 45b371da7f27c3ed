"""What the bot learned about a member from the platform, kept where every process reads it.

Rights: a member's platform admin right and roles as last seen (in a command they ran, or
in the platform's member and role events). A `clubbot web` process can't ask the platform,
so the dashboard checks an officer's rights against this record at each change.

DMs: whether the platform refused a DM to the member (closed DMs). The first refusal marks
them; DMs to them are skipped until they run a command, when they are told once and DMs
are tried again.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Boolean, ForeignKey, String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.model import User
from bot.store.batches import chunks
from bot.store.models import Base, UTCDateTime
from bot.store.upsert import dialect_insert, dialect_name


class LearnedMemberRow(Base):
    __tablename__ = "members_learned"
    # Observations, relearned on the next command: not part of a club's export.
    __table_args__ = ({"info": {"export": False}},)

    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Null until the member's rights were seen.
    is_admin: Mapped[bool | None] = mapped_column(Boolean)
    roles: Mapped[str | None] = mapped_column(Text)
    rights_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dm_refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dm_refusal: Mapped[str | None] = mapped_column(String(300))


@dataclass(frozen=True, slots=True, kw_only=True)
class Rights:
    """A member's platform rights as last seen."""

    is_admin: bool
    roles: frozenset[str]
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class DmRefusal:
    at: datetime
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LearnedMember:
    user_id: str
    rights: Rights | None
    dm_refusal: DmRefusal | None


def _roles(text: str | None) -> frozenset[str]:
    return frozenset(r for r in (text or "").split(",") if r)


def _learned(row: LearnedMemberRow) -> LearnedMember:
    return learned_of(
        row.user_id, row.is_admin, row.roles, row.rights_at, row.dm_refused_at, row.dm_refusal
    )


# What `learned_of` is made from, in its order: read with a club in one query.
LEARNED_COLUMNS: Final = (
    LearnedMemberRow.user_id,
    LearnedMemberRow.is_admin,
    LearnedMemberRow.roles,
    LearnedMemberRow.rights_at,
    LearnedMemberRow.dm_refused_at,
    LearnedMemberRow.dm_refusal,
)


def learned_of(
    user_id: str,
    is_admin: bool | None,
    roles: str | None,
    rights_at: datetime | None,
    dm_refused_at: datetime | None,
    dm_refusal: str | None,
) -> LearnedMember:
    rights = None
    if is_admin is not None and rights_at is not None:
        rights = Rights(is_admin=is_admin, roles=_roles(roles), at=rights_at)
    refusal = None
    if dm_refused_at is not None:
        refusal = DmRefusal(at=dm_refused_at, reason=dm_refusal or "")
    return LearnedMember(user_id=user_id, rights=rights, dm_refusal=refusal)


def same_rights(rights: Rights | None, user: User) -> bool:
    return rights is not None and (rights.is_admin, rights.roles) == (user.is_admin, user.roles)


class LearnedMembers:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def get(self, club_id: int, user_id: str) -> LearnedMember | None:
        async with self._sessions() as session:
            row = await session.get(LearnedMemberRow, (club_id, user_id))
            return None if row is None else _learned(row)

    async def with_role(self, club_id: int, role_id: str) -> list[LearnedMember]:
        """The members last seen holding `role_id`."""
        query = select(LearnedMemberRow).where(
            LearnedMemberRow.club_id == club_id, LearnedMemberRow.roles.contains(role_id)
        )
        async with self._sessions() as session:
            found = [_learned(r) for r in (await session.execute(query)).scalars()]
        return [m for m in found if m.rights is not None and role_id in m.rights.roles]

    # --- rights ---------------------------------------------------------------

    async def learn_rights(self, club_id: int, user: User, *, now: datetime) -> None:
        """Record `user`'s admin right and roles as the platform shows them now."""
        await self.learn_many(club_id, {user.id: (user.is_admin, user.roles)}, now=now)

    async def learn_many(
        self, club_id: int, rights: Mapping[str, tuple[bool, frozenset[str]]], *, now: datetime
    ) -> None:
        """Record several members' (admin right, roles) at once, in one transaction."""
        async with self._sessions() as session, session.begin():
            for user_id, (is_admin, roles) in rights.items():
                values = {"is_admin": is_admin, "roles": ",".join(sorted(roles)), "rights_at": now}
                await _upsert(session, club_id, user_id, values)

    # --- DMs --------------------------------------------------------------------

    async def dm_refused(self, club_id: int, user_id: str, reason: str, *, now: datetime) -> None:
        """The platform refused a DM to the member: skip DMs to them until they run a command."""
        values = {"dm_refused_at": now, "dm_refusal": reason[:300]}
        async with self._sessions() as session, session.begin():
            await _upsert(session, club_id, user_id, values)

    async def refusing_dms(self, club_id: int, user_ids: Iterable[str]) -> set[str]:
        """Those of `user_ids` whose DMs are refused."""
        found: set[str] = set()
        async with self._sessions() as session:
            for chunk in chunks(sorted(set(user_ids))):
                query = select(LearnedMemberRow.user_id).where(
                    LearnedMemberRow.club_id == club_id,
                    LearnedMemberRow.user_id.in_(chunk),
                    LearnedMemberRow.dm_refused_at.is_not(None),
                )
                found.update((await session.execute(query)).scalars())
        return found

    async def dms_again(self, club_id: int, user_id: str, *, refused_at: datetime) -> None:
        """The member ran a command and was told: try DMs to them again. Only the refusal
        they were told about is cleared, not one recorded since."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(LearnedMemberRow)
                .where(
                    LearnedMemberRow.club_id == club_id,
                    LearnedMemberRow.user_id == user_id,
                    LearnedMemberRow.dm_refused_at == refused_at,
                )
                .values(dm_refused_at=None, dm_refusal=None)
            )


async def _upsert(
    session: AsyncSession, club_id: int, user_id: str, values: dict[str, object]
) -> None:
    """The member's row made with `values`, or those set on it: one statement."""
    statement = _upsert_of(dialect_name(session), tuple(sorted(values)))
    await session.execute(statement, {"club_id": club_id, "user_id": user_id, **values})


@functools.cache
def _upsert_of(dialect: str, columns: tuple[str, ...]) -> Any:
    statement = dialect_insert(dialect)(LearnedMemberRow)
    table = LearnedMemberRow.__table__.c
    return statement.on_conflict_do_update(
        index_elements=[table.club_id, table.user_id],
        set_={name: statement.excluded[name] for name in columns},
    )
