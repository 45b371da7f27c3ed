"""Mock-interview members, rounds, groups, question packs and feedback."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, UTCDateTime
from bot.store.upsert import insert_if_absent


def _club_fk() -> ForeignKey:
    return ForeignKey("clubs.id", ondelete="CASCADE")


class PairingMemberRow(Base):
    __tablename__ = "mockpair_members"

    club_id: Mapped[int] = mapped_column(_club_fk(), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    track: Mapped[str] = mapped_column(String(32))
    level: Mapped[int]
    role: Mapped[str] = mapped_column(String(16))
    availability: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    skip_until: Mapped[date | None] = mapped_column(Date)
    no_shows: Mapped[int] = mapped_column(default=0)
    trio_count: Mapped[int] = mapped_column(default=0)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RoundRow(Base):
    __tablename__ = "mockpair_rounds"
    __table_args__ = (UniqueConstraint("club_id", "occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(_club_fk())
    occurrence: Mapped[str] = mapped_column(String(32))
    week_of: Mapped[date] = mapped_column(Date)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GroupRow(Base):
    __tablename__ = "mockpair_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("mockpair_rounds.id", ondelete="CASCADE"))
    club_id: Mapped[int] = mapped_column(_club_fk(), index=True)
    members: Mapped[str] = mapped_column(String(300))  # user ids, space-separated
    # The first common half hour, in half hours after the round's Monday 00:00 UTC.
    slot: Mapped[int | None]
    why: Mapped[str] = mapped_column(Text, default="")
    # Up to three candidate half hours on different days, space-separated, counted like
    # `slot` (the first of them is `slot`); empty for groups saved before them.
    candidate_slots: Mapped[str] = mapped_column(String(40), default="", server_default="")


class PackRow(Base):
    """A question given to a member as interviewee: never given to them twice."""

    __tablename__ = "mockpair_packs"

    club_id: Mapped[int] = mapped_column(_club_fk(), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    problem_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("mockpair_groups.id", ondelete="CASCADE"))


class FeedbackRow(Base):
    __tablename__ = "mockpair_feedback"
    __table_args__ = (UniqueConstraint("group_id", "from_user", "about_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(_club_fk(), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("mockpair_groups.id", ondelete="CASCADE"))
    from_user: Mapped[str] = mapped_column(String(64))
    about_user: Mapped[str] = mapped_column(String(64))
    rating: Mapped[int | None]  # none for a no-show report
    notes: Mapped[str] = mapped_column(Text, default="")
    no_show: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True, slots=True, kw_only=True)
class PairingMember:
    user_id: str
    name: str
    track: str
    level: int
    role: str
    availability: str
    timezone: str
    active: bool = True
    skip_until: date | None = None
    no_shows: int = 0
    trio_count: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    id: int
    round_id: int
    week_of: date
    ran_at: datetime  # when the round went out
    members: tuple[str, ...]
    slot: int | None  # half hours after week_of's Monday 00:00 UTC (bot.pairing.hours)
    why: str
    # Up to three half hours on different days, counted like `slot`, the first being `slot`.
    candidates: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class NewGroup:
    members: tuple[str, ...]
    slot: int | None
    why: str
    packs: dict[str, tuple[str, ...]]  # interviewee -> problem ids
    candidates: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Feedback:
    group_id: int
    from_user: str
    about_user: str
    rating: int | None  # none for a no-show report
    notes: str
    no_show: bool


class PairingStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # --- members ---

    async def join(self, club_id: int, member: PairingMember, *, now: datetime) -> bool:
        """Join or update; True when the member is new."""
        async with self._sessions() as session, session.begin():
            row = await session.get(PairingMemberRow, (club_id, member.user_id))
            new = row is None
            if row is None:
                row = PairingMemberRow(club_id=club_id, user_id=member.user_id, joined_at=now)
                session.add(row)
            row.name, row.track, row.level = member.name[:100], member.track, member.level
            row.role, row.availability = member.role, member.availability[:300]
            row.timezone, row.active, row.skip_until = member.timezone, True, None
            if new:
                row.no_shows, row.trio_count = 0, 0
            return new

    async def member(self, club_id: int, user_id: str) -> PairingMember | None:
        async with self._sessions() as session:
            row = await session.get(PairingMemberRow, (club_id, user_id))
            return None if row is None else _member(row)

    async def members(
        self, club_id: int, *, user_ids: Iterable[str] | None = None
    ) -> list[PairingMember]:
        """The club's members in pairing (only `user_ids` among them, when given)."""
        query = select(PairingMemberRow).where(PairingMemberRow.club_id == club_id)
        if user_ids is not None:
            query = query.where(PairingMemberRow.user_id.in_(sorted(set(user_ids))))
        async with self._sessions() as session:
            rows = await session.execute(query.order_by(PairingMemberRow.user_id))
            return [_member(r) for r in rows.scalars()]

    async def update_member(self, club_id: int, member: PairingMember) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(PairingMemberRow)
                .where(
                    PairingMemberRow.club_id == club_id,
                    PairingMemberRow.user_id == member.user_id,
                )
                .values(
                    active=member.active,
                    skip_until=member.skip_until,
                    no_shows=member.no_shows,
                    trio_count=member.trio_count,
                )
            )

    # --- rounds ---

    async def save_round(
        self,
        club_id: int,
        *,
        occurrence: str,
        week_of: date,
        groups: Sequence[NewGroup],
        now: datetime,
    ) -> list[Group]:
        """Record a round and its groups in one transaction; the trio's members count it.

        A round saved before (a retried run) keeps its groups: they are returned as they are.
        """
        async with self._sessions() as session, session.begin():
            values = {
                "club_id": club_id,
                "occurrence": occurrence,
                "week_of": week_of,
                "ran_at": now,
            }
            if not await insert_if_absent(session, RoundRow, values):
                return [g for g in await self.groups(club_id) if g.week_of == week_of]
            round_row = (
                await session.execute(
                    select(RoundRow).where(
                        RoundRow.club_id == club_id, RoundRow.occurrence == occurrence
                    )
                )
            ).scalar_one()
            saved = []
            for group in groups:
                row = GroupRow(
                    round_id=round_row.id,
                    club_id=club_id,
                    members=" ".join(group.members),
                    slot=group.slot,
                    why=group.why,
                    candidate_slots=" ".join(map(str, group.candidates)),
                )
                session.add(row)
                await session.flush()
                for user_id, problem_ids in group.packs.items():
                    for problem_id in problem_ids:
                        session.add(
                            PackRow(
                                club_id=club_id,
                                user_id=user_id,
                                problem_id=problem_id,
                                group_id=row.id,
                            )
                        )
                if len(group.members) == 3:
                    await session.execute(
                        update(PairingMemberRow)
                        .where(
                            PairingMemberRow.club_id == club_id,
                            PairingMemberRow.user_id.in_(group.members),
                        )
                        .values(trio_count=PairingMemberRow.trio_count + 1)
                    )
                saved.append(_group(row, week_of, now))
            return saved

    async def groups(
        self,
        club_id: int,
        *,
        limit_rounds: int | None = None,
        member: str | None = None,
        round_id: int | None = None,
    ) -> list[Group]:
        """Groups of the club's rounds (of its latest `limit_rounds` weeks), newest first;
        only those of `member`, or of one round, when asked (chosen by the database: a
        club's history is hundreds of groups)."""
        query = _groups_query(limit_rounds)
        if member is not None:  # the column holds ids joined by spaces: checked exactly below
            query = query.where(GroupRow.members.contains(member, autoescape=True))
        if round_id is not None:
            query = query.where(GroupRow.round_id == round_id)
        async with self._sessions() as session:
            found = await session.execute(query, {"club_id": club_id})
            rows = found.all()
        groups = [_group(row, week_of, ran_at) for row, week_of, ran_at in rows]
        return [g for g in groups if member is None or member in g.members]

    async def add_to_group(
        self, club_id: int, group_id: int, user_id: str, candidates: tuple[int, ...]
    ) -> Group:
        """Re-pairing after a no-show: a free member joins a member left alone this round."""
        async with self._sessions() as session, session.begin():
            row = await session.get_one(GroupRow, group_id)
            row.members, row.slot = f"{row.members} {user_id}", candidates[0]
            row.candidate_slots = " ".join(map(str, candidates))
            round_row = await session.get_one(RoundRow, row.round_id)
            return _group(row, round_row.week_of, round_row.ran_at)

    async def add_group(
        self,
        club_id: int,
        round_id: int,
        members: tuple[str, ...],
        candidates: tuple[int, ...],
        why: str,
    ) -> Group:
        """Re-pairing after a no-show: two members whose partners didn't come meet instead."""
        async with self._sessions() as session, session.begin():
            row = GroupRow(
                round_id=round_id,
                club_id=club_id,
                members=" ".join(members),
                slot=candidates[0],
                why=why,
                candidate_slots=" ".join(map(str, candidates)),
            )
            session.add(row)
            await session.flush()
            round_row = await session.get_one(RoundRow, round_id)
            return _group(row, round_row.week_of, round_row.ran_at)

    async def round_ran(self, club_id: int, week_of: date) -> bool:
        """Whether the round of the week of `week_of` has gone out."""
        async with self._sessions() as session:
            found = await session.scalar(
                select(RoundRow.id).where(RoundRow.club_id == club_id, RoundRow.week_of == week_of)
            )
            return found is not None

    async def packs_given(self, club_id: int, user_id: str) -> set[str]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(PackRow.problem_id).where(
                    PackRow.club_id == club_id, PackRow.user_id == user_id
                )
            )
            return set(rows.scalars())

    async def questions_heard(self, club_id: int, user_id: str) -> set[str]:
        """Every question asked in a session `user_id` was in, of them or of anyone else
        there (a trio hears all its questions; an interviewer knows the ones they asked)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(PackRow.problem_id, GroupRow.members)
                .join(GroupRow, PackRow.group_id == GroupRow.id)
                .where(
                    PackRow.club_id == club_id,
                    GroupRow.members.contains(user_id, autoescape=True),
                )
            )
            return {problem for problem, members in rows if user_id in members.split()}

    async def pack(self, club_id: int, group_id: int, user_id: str) -> list[str]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(PackRow.problem_id).where(
                    PackRow.club_id == club_id,
                    PackRow.group_id == group_id,
                    PackRow.user_id == user_id,
                )
            )
            return sorted(rows.scalars())

    # --- feedback ---

    async def add_feedback(self, club_id: int, feedback: Feedback, *, now: datetime) -> bool:
        async with self._sessions() as session, session.begin():
            values = {
                "club_id": club_id,
                "group_id": feedback.group_id,
                "from_user": feedback.from_user,
                "about_user": feedback.about_user,
                "rating": feedback.rating,
                "notes": feedback.notes[:1000],
                "no_show": feedback.no_show,
                "at": now,
            }
            added = await insert_if_absent(session, FeedbackRow, values)
            if added and feedback.no_show:
                await session.execute(
                    update(PairingMemberRow)
                    .where(
                        PairingMemberRow.club_id == club_id,
                        PairingMemberRow.user_id == feedback.about_user,
                    )
                    .values(no_shows=PairingMemberRow.no_shows + 1)
                )
            return added

    async def feedback(
        self, club_id: int, *, group_ids: Iterable[int] | None = None
    ) -> list[Feedback]:
        """The club's feedback, oldest first; only about `group_ids` when given."""
        query = select(FeedbackRow).where(FeedbackRow.club_id == club_id)
        if group_ids is not None:
            query = query.where(FeedbackRow.group_id.in_(sorted(set(group_ids))))
        async with self._sessions() as session:
            rows = await session.execute(query.order_by(FeedbackRow.id))
            return [
                Feedback(
                    group_id=r.group_id,
                    from_user=r.from_user,
                    about_user=r.about_user,
                    rating=r.rating,
                    notes=r.notes,
                    no_show=r.no_show,
                )
                for r in rows.scalars()
            ]


@functools.cache
def _groups_query(limit_rounds: int | None) -> Select[GroupRow, date, datetime]:
    """Built once per limit: feeds and commands ask it often."""
    club_id = bindparam("club_id", type_=Integer)
    query = (
        select(GroupRow, RoundRow.week_of, RoundRow.ran_at)
        .join(RoundRow, GroupRow.round_id == RoundRow.id)
        .where(GroupRow.club_id == club_id)
        .order_by(RoundRow.week_of.desc(), GroupRow.id)
    )
    if limit_rounds is None:
        return query
    weeks = (  # the club's latest weeks, chosen by the database
        select(RoundRow.week_of)
        .where(RoundRow.club_id == club_id)
        .distinct()
        .order_by(RoundRow.week_of.desc())
        .limit(limit_rounds)
    )
    return query.where(RoundRow.week_of.in_(weeks))


def _member(row: PairingMemberRow) -> PairingMember:
    return PairingMember(
        user_id=row.user_id,
        name=row.name,
        track=row.track,
        level=row.level,
        role=row.role,
        availability=row.availability,
        timezone=row.timezone,
        active=row.active,
        skip_until=row.skip_until,
        no_shows=row.no_shows,
        trio_count=row.trio_count,
    )


def _group(row: GroupRow, week_of: date, ran_at: datetime) -> Group:
    return Group(
        id=row.id,
        round_id=row.round_id,
        week_of=week_of,
        ran_at=ran_at,
        members=tuple(row.members.split()),
        slot=row.slot,
        why=row.why,
        candidates=tuple(int(s) for s in (row.candidate_slots or "").split()),
    )
