"""Mock-interview members, rounds, groups, question packs and feedback."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Final, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Date,
    ForeignKey,
    Integer,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.batches import chunks
from bot.store.models import Base, ClaimRow, UTCDateTime
from bot.store.upsert import insert_if_absent, insert_many_if_absent


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
class LatestRound:
    ran: bool  # the round of the week asked about has gone out
    groups: tuple[Group, ...]  # the member's groups in the club's latest round
    # (group id, partner) of each feedback the member gave in those groups
    rated: frozenset[tuple[int, str]] = frozenset()


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
        profile = {
            "name": member.name[:100],
            "track": member.track,
            "level": member.level,
            "role": member.role,
            "availability": member.availability[:300],
            "timezone": member.timezone,
            "active": True,
            "skip_until": None,
        }
        async with self._sessions() as session, session.begin():
            # Most joins update a member's details: one statement when the row exists.
            if await _update_member(session, club_id, member.user_id, profile):
                return False
            values = {"club_id": club_id, "user_id": member.user_id, "joined_at": now}
            new = {**values, **profile, "no_shows": 0, "trio_count": 0}
            if await insert_if_absent(session, PairingMemberRow, new):
                return True
            # Joined meanwhile by another process: the details given now win.
            await _update_member(session, club_id, member.user_id, profile)
            return False

    async def member(self, club_id: int, user_id: str) -> PairingMember | None:
        found = await self.members(club_id, user_ids=(user_id,))
        return found[0] if found else None

    async def members(
        self, club_id: int, *, user_ids: Iterable[str] | None = None
    ) -> list[PairingMember]:
        """The club's members in pairing (only `user_ids` among them, when given)."""
        values: dict[str, object] = {"club_id": club_id}
        if user_ids is not None:
            values["user_ids"] = sorted(set(user_ids))
        async with self._sessions() as session:
            rows = await session.execute(_members_query(some=user_ids is not None), values)
            return [_member(row) for row in rows]

    async def leave(self, club_id: int, user_id: str) -> bool:
        """The member stops being paired; False when they never joined."""
        async with self._sessions() as session, session.begin():
            return await _update_member(session, club_id, user_id, {"active": False})

    async def skip(self, club_id: int, user_id: str, *, until: date) -> bool:
        """The member sits out the rounds before `until`; False when they never joined."""
        async with self._sessions() as session, session.begin():
            return await _update_member(session, club_id, user_id, {"skip_until": until})

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
            inserted = await insert_many_if_absent(session, RoundRow, [values])
            if not inserted:
                return [g for g in await self.groups(club_id) if g.week_of == week_of]
            round_id = inserted[0].id
            # A few statements for the whole round, however many groups and packs it has.
            rows = [
                {
                    "round_id": round_id,
                    "club_id": club_id,
                    "members": " ".join(group.members),
                    "slot": group.slot,
                    "why": group.why,
                    "candidate_slots": " ".join(map(str, group.candidates)),
                }
                for group in groups
            ]
            ids = await _insert_groups(session, rows)
            packs = [
                {"club_id": club_id, "user_id": user_id, "problem_id": problem_id, "group_id": id_}
                for id_, group in zip(ids, groups, strict=True)
                for user_id, problem_ids in group.packs.items()
                for problem_id in problem_ids
            ]
            if packs:
                await session.execute(insert(PackRow), packs)
            await _count_trios(session, club_id, [g.members for g in groups])
            return [
                Group(
                    id=id_,
                    round_id=round_id,
                    week_of=week_of,
                    ran_at=now,
                    members=tuple(row["members"].split()),
                    slot=group.slot,
                    why=group.why,
                    candidates=tuple(int(s) for s in row["candidate_slots"].split()),
                )
                for id_, row, group in zip(ids, rows, groups, strict=True)
            ]

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
        query = _groups_query(limit_rounds, by_member=member is not None)
        values: dict[str, object] = {"club_id": club_id}
        if member is not None:  # the column holds ids joined by spaces: checked exactly below
            values["listed"] = _listing(member)
        if round_id is not None:
            query = query.where(GroupRow.round_id == round_id)
        async with self._sessions() as session:
            rows = (await session.execute(query, values)).all()
        groups = [_group(row) for row in rows]
        return [g for g in groups if member is None or member in g.members]

    async def past_groups(
        self, club_id: int, *, limit_rounds: int, before: date
    ) -> list[tuple[date, tuple[str, ...]]]:
        """The week and members of the groups of the club's latest `limit_rounds` weeks
        that are before `before`: what `groups(limit_rounds=...)` gives a round to plan
        from (its past pairs, who waited), in no order, without the rest of each group."""
        values = {"club_id": club_id, "limit_rounds": limit_rounds, "before": before}
        async with self._sessions() as session:
            rows = await session.execute(_past_groups_query(), values)
            return [(week_of, tuple(members.split())) for week_of, members in rows]

    async def sessions_held(self, club_id: int) -> list[tuple[date, tuple[str, ...]]]:
        """The week and members of each of the club's groups of two or more: what
        /admin mockpair stats counts of `groups`, without the rest of each group."""
        async with self._sessions() as session:
            rows = await session.execute(_sessions_held_query(), {"club_id": club_id})
            held = [(week_of, tuple(members.split())) for week_of, members in rows]
        return [(week_of, members) for week_of, members in held if len(members) > 1]

    async def latest_round(self, club_id: int, member: str, *, week_of: date) -> LatestRound:
        """Whether the round of the week of `week_of` has gone out (as `round_ran`),
        `member`'s groups in the club's latest round (as `groups(limit_rounds=1,
        member=member)`) and whom they gave feedback about there, in one query: /mockpair
        status and skip need them."""
        values = {
            "club_id": club_id,
            "week_of": week_of,
            "listed": _listing(member),
            "member": member,
        }
        async with self._sessions() as session:
            rows = (await session.execute(_latest_round_query(), values)).all()
        last = rows[0].week_of if rows else None
        theirs = [row for row in rows if row.id is not None and row.week_of == last]
        # A group comes once per feedback its member gave in it.
        groups = {row.id: _group(row) for row in theirs}
        return LatestRound(
            ran=any(row.week_of == week_of for row in rows),
            groups=tuple(g for g in groups.values() if member in g.members),
            rated=frozenset((row.id, row.rated) for row in theirs if row.rated is not None),
        )

    async def add_to_group(
        self, club_id: int, group: Group, user_id: str, candidates: tuple[int, ...]
    ) -> Group:
        """Re-pairing after a no-show: a free member joins a member left alone this round."""
        async with self._sessions() as session, session.begin():
            members = await session.scalar(
                update(GroupRow)
                .where(GroupRow.id == group.id, GroupRow.club_id == club_id)
                .values(
                    members=GroupRow.members.concat(f" {user_id}"),
                    slot=candidates[0],
                    candidate_slots=" ".join(map(str, candidates)),
                )
                .returning(GroupRow.members)
                .execution_options(synchronize_session=False)
            )
        if members is None:
            raise LookupError(f"group {group.id} of club {club_id} is gone")
        return replace(
            group, members=tuple(members.split()), slot=candidates[0], candidates=candidates
        )

    async def add_group(
        self,
        club_id: int,
        round_of: Group,
        members: tuple[str, ...],
        candidates: tuple[int, ...],
        why: str,
    ) -> Group:
        """Re-pairing after a no-show: two members whose partners didn't come meet instead,
        in the round of `round_of`."""
        values = {
            "round_id": round_of.round_id,
            "club_id": club_id,
            "members": " ".join(members),
            "slot": candidates[0],
            "why": why,
            "candidate_slots": " ".join(map(str, candidates)),
        }
        async with self._sessions() as session, session.begin():
            [id_] = await _insert_groups(session, [values])
        return Group(
            id=id_,
            round_id=round_of.round_id,
            week_of=round_of.week_of,
            ran_at=round_of.ran_at,
            members=members,
            slot=candidates[0],
            why=why,
            candidates=candidates,
        )

    async def groups_and_no_shows(
        self, club_id: int, *, limit_rounds: int
    ) -> tuple[list[Group], set[tuple[int, str, str]]]:
        """The groups of the club's latest `limit_rounds` weeks (as `groups(limit_rounds=
        ...)`) and the (group id, from, about) of each no-show reported in them, in one
        query: a no-show report finds the member's group and who is free in its round."""
        values = {"club_id": club_id, "limit_rounds": limit_rounds}
        async with self._sessions() as session:
            rows = (await session.execute(_groups_and_no_shows_query(), values)).all()
        groups: dict[int, Group] = {}
        for row in rows:  # a group comes once per no-show reported in it
            if row.id not in groups:
                groups[row.id] = _group(row)
        no_shows = {
            (row.id, row.from_user, row.about_user)
            for row in rows
            if row.from_user is not None and row.feedback_club_id == club_id
        }
        return list(groups.values()), no_shows

    async def round_ran(self, club_id: int, week_of: date) -> bool:
        """Whether the round of the week of `week_of` has gone out."""
        async with self._sessions() as session:
            found = await session.scalar(
                select(RoundRow.id).where(RoundRow.club_id == club_id, RoundRow.week_of == week_of)
            )
            return found is not None

    async def round_taken(self, club_id: int, week_of: date, kind: str, occurrence: str) -> bool:
        """Whether the round of the week of `week_of` has gone out, or the scheduler has
        taken up its occurrence (claimed by a process, or skipped with nobody in): one
        statement, for what `next_round_at` asks of every command that tells the next
        round."""
        values = {"club_id": club_id, "week_of": week_of, "kind": kind, "occurrence": occurrence}
        async with self._sessions() as session:
            return bool(await session.scalar(_ROUND_TAKEN, values))

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
        return (await self.questions_heard_by(club_id, [user_id]))[user_id]

    async def questions_heard_by(
        self, club_id: int, user_ids: Iterable[str]
    ) -> dict[str, set[str]]:
        """`questions_heard` of each of `user_ids`, in one query (a round asks it of every
        interviewee)."""
        heard: dict[str, set[str]] = {u: set() for u in user_ids}
        query = select(PackRow.problem_id, GroupRow.members).join(
            GroupRow, PackRow.group_id == GroupRow.id
        )
        if len(heard) == 1:  # the groups of one member, chosen by the database
            [user_id] = heard
            query = query.where(GroupRow.members.contains(user_id, autoescape=True))
        async with self._sessions() as session:
            rows = await session.execute(query.where(PackRow.club_id == club_id))
            for problem, members in rows:
                for member in members.split():
                    if member in heard:
                        heard[member].add(problem)
        return heard

    async def pack(self, club_id: int, group_id: int, user_id: str) -> list[str]:
        return (await self.packs(club_id, [group_id])).get((group_id, user_id), [])

    async def packs(
        self, club_id: int, group_ids: Iterable[int]
    ) -> dict[tuple[int, str], list[str]]:
        """(group id, interviewee) -> the questions given, sorted, of the groups of
        `group_ids` (a round's DMs show every interviewer theirs)."""
        found: dict[tuple[int, str], list[str]] = {}
        async with self._sessions() as session:
            for chunk in chunks(sorted(set(group_ids))):
                rows = await session.execute(
                    select(PackRow.group_id, PackRow.user_id, PackRow.problem_id).where(
                        PackRow.club_id == club_id, PackRow.group_id.in_(chunk)
                    )
                )
                for group_id, user_id, problem_id in rows:
                    found.setdefault((group_id, user_id), []).append(problem_id)
        for problems in found.values():
            problems.sort()  # by Python's order: PostgreSQL's collation may differ
        return found

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

    async def feedback_count(self, club_id: int) -> int:
        """How many feedbacks the club's members gave: `len(feedback(club_id))`."""
        async with self._sessions() as session:
            return await session.scalar(_feedback_count_query(), {"club_id": club_id}) or 0

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


# A group's columns, read as plain rows rather than ORM objects: a round plans from
# hundreds of past groups.
_GROUP_COLUMNS: Final = (
    GroupRow.id,
    GroupRow.round_id,
    GroupRow.members,
    GroupRow.slot,
    GroupRow.why,
    GroupRow.candidate_slots,
)


# The row type of a groups query: _GROUP_COLUMNS, then the round's week_of and ran_at.
_GroupRows = Select[int, int, str, int | None, str, str, date, datetime]


def _listing(member: str) -> str:
    """A LIKE pattern for the members columns that list `member` (and, the column being
    ids joined by spaces, any id containing theirs: callers check exactly), escaped as
    `contains(member, autoescape=True)` does."""
    escaped = member.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _listed() -> ColumnElement[bool]:
    """The group's members column matches the `listed` parameter (see `_listing`)."""
    return GroupRow.members.like(bindparam("listed", type_=String), escape="/")


@functools.cache
def _groups_query(limit_rounds: int | None, *, by_member: bool = False) -> _GroupRows:
    """Built once per limit: feeds and commands ask it often (building a query costs
    about as much as running a small one)."""
    club_id = bindparam("club_id", type_=Integer)
    query = (
        select(*_GROUP_COLUMNS, RoundRow.week_of, RoundRow.ran_at)
        .join(RoundRow, GroupRow.round_id == RoundRow.id)
        .where(GroupRow.club_id == club_id)
        .order_by(RoundRow.week_of.desc(), GroupRow.id)
    )
    if by_member:
        query = query.where(_listed())
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


def _latest_weeks(club_id: Any) -> Select[date]:
    """The club's latest weeks with a round, as many as the `limit_rounds` parameter."""
    return (
        select(RoundRow.week_of)
        .where(RoundRow.club_id == club_id)
        .distinct()
        .order_by(RoundRow.week_of.desc())
        .limit(bindparam("limit_rounds", type_=Integer))
    )


@functools.cache
def _past_groups_query() -> Select[date, str]:
    """The week and members of the groups of the club's latest `limit_rounds` weeks (as
    `_groups_query` chooses them) before `before`."""
    club_id = bindparam("club_id", type_=Integer)
    weeks = _latest_weeks(club_id)
    return (
        select(RoundRow.week_of, GroupRow.members)
        .join(RoundRow, GroupRow.round_id == RoundRow.id)
        .where(
            GroupRow.club_id == club_id,
            RoundRow.week_of.in_(weeks),
            RoundRow.week_of < bindparam("before", type_=RoundRow.week_of.type),
        )
    )


@functools.cache
def _groups_and_no_shows_query() -> Select[*tuple[Any, ...]]:
    """`_groups_query` of the `limit_rounds` parameter's latest weeks, each group with the
    no-shows reported in it (`from_user`, `about_user`; none when there is none)."""
    club_id = bindparam("club_id", type_=Integer)
    weeks = _latest_weeks(club_id)
    # By the (group_id, from_user, about_user) unique index: with the club's id in the
    # join, SQLite goes through the club's every feedback for each group. The feedback's
    # club is checked on the rows.
    no_show = and_(FeedbackRow.group_id == GroupRow.id, FeedbackRow.no_show.is_(True))
    return (
        select(
            *_GROUP_COLUMNS,
            RoundRow.week_of,
            RoundRow.ran_at,
            FeedbackRow.club_id.label("feedback_club_id"),
            FeedbackRow.from_user,
            FeedbackRow.about_user,
        )
        .join(RoundRow, GroupRow.round_id == RoundRow.id)
        .outerjoin(FeedbackRow, no_show)
        .where(GroupRow.club_id == club_id, RoundRow.week_of.in_(weeks))
        .order_by(RoundRow.week_of.desc(), GroupRow.id)
    )


@functools.cache
def _sessions_held_query() -> Select[date, str]:
    """The week and members of the club's groups that list more than one member (the
    members column holds ids joined by spaces: a group alone has none; checked exactly
    after), built once."""
    return (
        select(RoundRow.week_of, GroupRow.members)
        .join(RoundRow, GroupRow.round_id == RoundRow.id)
        .where(
            GroupRow.club_id == bindparam("club_id", type_=Integer),
            GroupRow.members.contains(" "),
        )
    )


@functools.cache
def _feedback_count_query() -> Select[int]:
    return (
        select(func.count())
        .select_from(FeedbackRow)
        .where(FeedbackRow.club_id == bindparam("club_id", type_=Integer))
    )


@functools.cache
def _latest_round_query() -> Select[*tuple[Any, ...]]:
    """The rounds of the week of `week_of` and of the club's latest week, each with the
    groups that list `listed` (see PairingStore.latest_round), a group once per feedback
    `member` gave in it (`rated`: whom about)."""
    club_id = bindparam("club_id", type_=Integer)
    week_of = bindparam("week_of", type_=RoundRow.week_of.type)
    latest = select(func.max(RoundRow.week_of)).where(RoundRow.club_id == club_id)
    theirs = and_(GroupRow.round_id == RoundRow.id, GroupRow.club_id == club_id, _listed())
    given = and_(  # by the (group_id, from_user, about_user) unique index
        FeedbackRow.group_id == GroupRow.id,
        FeedbackRow.from_user == bindparam("member", type_=String),
    )
    return (
        select(
            *_GROUP_COLUMNS,
            RoundRow.week_of,
            RoundRow.ran_at,
            FeedbackRow.about_user.label("rated"),
        )
        .select_from(RoundRow)
        .outerjoin(GroupRow, theirs)
        .outerjoin(FeedbackRow, given)
        .where(
            RoundRow.club_id == club_id,
            or_(RoundRow.week_of == week_of, RoundRow.week_of == latest.scalar_subquery()),
        )
        .order_by(RoundRow.week_of.desc(), GroupRow.id)
    )


def _group(row: Any) -> Group:
    """A group of a row of `_GROUP_COLUMNS` with its round's `week_of` and `ran_at`."""
    return Group(
        id=row.id,
        round_id=row.round_id,
        week_of=row.week_of,
        ran_at=row.ran_at,
        members=tuple(row.members.split()),
        slot=row.slot,
        why=row.why,
        candidates=tuple(int(s) for s in (row.candidate_slots or "").split()),
    )


async def _insert_groups(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    """Insert a round's groups in one statement; their ids, in the order of `rows`.

    Each is known by its members, since a member is in one group of a round: SQLAlchemy's
    own way to keep the order (`sort_by_parameter_order`) inserts one row at a time on
    SQLite."""
    members = [row["members"] for row in rows]
    if len(set(members)) != len(members):
        raise ValueError(f"a member is in two groups of one round: {members}")
    if not rows:
        return []
    table = cast(Table, GroupRow.__table__)
    statement = insert(table).returning(table.c.members, table.c.id)
    ids: dict[str, int] = dict((await session.execute(statement, rows)).all())
    return [ids[m] for m in members]


async def _count_trios(
    session: AsyncSession, club_id: int, groups: Sequence[tuple[str, ...]]
) -> None:
    """Each member of a trio of `groups` has been in one more trio."""
    trios = Counter(m for members in groups if len(members) == 3 for m in members)
    for times in sorted(set(trios.values())):  # once each: a member is in one group a round
        await session.execute(
            update(PairingMemberRow)
            .where(
                PairingMemberRow.club_id == club_id,
                PairingMemberRow.user_id.in_(sorted(m for m, n in trios.items() if n == times)),
            )
            .values(trio_count=PairingMemberRow.trio_count + times)
            .execution_options(synchronize_session=False)
        )


# The columns a PairingMember is made of, read as plain rows rather than ORM objects.
_MEMBER_COLUMNS: Final = tuple(
    getattr(PairingMemberRow, f) for f in PairingMember.__dataclass_fields__
)


@functools.cache
def _members_query(*, some: bool) -> Select[Any]:
    """The club's members (`some`: of the `user_ids` parameter), built once."""
    query = select(*_MEMBER_COLUMNS).where(
        PairingMemberRow.club_id == bindparam("club_id", type_=Integer)
    )
    if some:
        query = query.where(PairingMemberRow.user_id.in_(bindparam("user_ids", expanding=True)))
    return query.order_by(PairingMemberRow.user_id)


def _member(row: Any) -> PairingMember:
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


async def _update_member(
    session: AsyncSession, club_id: int, user_id: str, values: dict[str, Any]
) -> bool:
    """Set `values` on a member's row; False when there is none."""
    statement = (
        update(PairingMemberRow)
        .where(PairingMemberRow.club_id == club_id, PairingMemberRow.user_id == user_id)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return bool(cast(CursorResult[Any], result).rowcount)


_ROUND_TAKEN: Final = select(
    or_(
        exists().where(
            RoundRow.club_id == bindparam("club_id"), RoundRow.week_of == bindparam("week_of")
        ),
        exists().where(
            ClaimRow.club_id == bindparam("club_id"),
            ClaimRow.kind == bindparam("kind"),
            ClaimRow.occurrence == bindparam("occurrence"),
        ),
    )
)
