"""Club deadlines, deadline subscriptions, members' class years and per-member mutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.clubs import Actor, audit
from bot.store.models import Base, ClubRow, UTCDateTime
from bot.store.upsert import insert_if_absent


def _club_fk() -> ForeignKey:
    return ForeignKey("clubs.id", ondelete="CASCADE")


class ClubDeadlineRow(Base):
    __tablename__ = "club_deadlines"
    # Ids name calendar events (`club-{id}-…@clubbot`): SQLite must never reuse one.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(_club_fk(), index=True)
    title: Mapped[str] = mapped_column(String(150))
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(String(512))
    track: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SubscriptionRow(Base):
    __tablename__ = "deadline_subscriptions"

    club_id: Mapped[int] = mapped_column(_club_fk(), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    target: Mapped[str] = mapped_column(String(80), primary_key=True)  # a track or a window id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# The mute reason of /alerts applied (the other is "not interested"): a member's own
# feed keeps what they applied to, marked, and leaves out the rest of what they muted.
APPLIED = "applied"


class MuteRow(Base):
    __tablename__ = "deadline_mutes"

    club_id: Mapped[int] = mapped_column(_club_fk(), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    reason: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProfileRow(Base):
    """What a member told us about themselves for eligibility filters."""

    __tablename__ = "deadline_profiles"

    club_id: Mapped[int] = mapped_column(_club_fk(), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    class_year: Mapped[str] = mapped_column(String(16))


# Read by every /deadlines, /whatnow and /alerts: built once.
_CLASS_YEAR = select(ProfileRow.class_year).where(
    ProfileRow.club_id == bindparam("club_id"), ProfileRow.user_id == bindparam("user_id")
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClubDeadline:
    id: int
    title: str
    opens_on: date | None
    closes_on: date
    url: str | None
    track: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineChanges:
    title: str | None = None
    opens_on: date | None = None
    closes_on: date | None = None
    url: str | None = None
    track: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscriber:
    user_id: str
    targets: frozenset[str]
    class_year: str | None


class DeadlineStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # --- the club's own deadlines (officers) ---

    async def add(
        self, club_id: int, deadline: DeadlineChanges, *, actor: Actor, now: datetime
    ) -> ClubDeadline:
        if not deadline.title or deadline.closes_on is None:
            raise ValueError("a club deadline needs a title and a closing date")
        async with self._sessions() as session, session.begin():
            row = ClubDeadlineRow(
                club_id=club_id,
                title=deadline.title,
                opens_on=deadline.opens_on,
                closes_on=deadline.closes_on,
                url=deadline.url,
                track=deadline.track,
                created_by=actor.id,
                created_at=now,
            )
            session.add(row)
            await session.flush()
            audit(session, club_id, actor, "add deadline", _summary(row), now)
            await _configuration_changed(session, club_id)
            return _deadline(row)

    async def edit(
        self,
        club_id: int,
        deadline_id: int,
        changes: DeadlineChanges,
        *,
        actor: Actor,
        now: datetime,
    ) -> ClubDeadline | None:
        async with self._sessions() as session, session.begin():
            row = await session.get(ClubDeadlineRow, deadline_id)
            if row is None or row.club_id != club_id:
                return None
            for name in ("title", "opens_on", "closes_on", "url", "track"):
                value = getattr(changes, name)
                if value is not None:
                    # An empty url or track clears it; None leaves it alone.
                    setattr(row, name, value if value != "" else None)
            audit(session, club_id, actor, f"edit deadline {deadline_id}", _summary(row), now)
            await _configuration_changed(session, club_id)
            return _deadline(row)

    async def remove(
        self, club_id: int, deadline_id: int, *, actor: Actor, now: datetime
    ) -> ClubDeadline | None:
        async with self._sessions() as session, session.begin():
            row = await session.get(ClubDeadlineRow, deadline_id)
            if row is None or row.club_id != club_id:
                return None
            removed = _deadline(row)
            await session.delete(row)
            audit(session, club_id, actor, f"remove deadline {deadline_id}", _summary(row), now)
            await _configuration_changed(session, club_id)
            return removed

    async def club_deadlines(self, club_id: int) -> list[ClubDeadline]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(ClubDeadlineRow)
                .where(ClubDeadlineRow.club_id == club_id)
                .order_by(ClubDeadlineRow.closes_on, ClubDeadlineRow.id)
            )
            return [_deadline(r) for r in rows.scalars()]

    # --- members' subscriptions, class years and mutes ---

    async def subscribe(self, club_id: int, user_id: str, target: str, *, now: datetime) -> bool:
        async with self._sessions() as session, session.begin():
            values = {"club_id": club_id, "user_id": user_id, "target": target, "created_at": now}
            return await insert_if_absent(session, SubscriptionRow, values)

    async def unsubscribe(self, club_id: int, user_id: str, target: str) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(SubscriptionRow)
                .where(
                    SubscriptionRow.club_id == club_id,
                    SubscriptionRow.user_id == user_id,
                    SubscriptionRow.target == target,
                )
                .returning(SubscriptionRow.target)
            )
            return result.first() is not None

    async def set_class_year(self, club_id: int, user_id: str, class_year: str) -> None:
        async with self._sessions() as session, session.begin():
            row = await session.get(ProfileRow, (club_id, user_id))
            if row is None:
                session.add(ProfileRow(club_id=club_id, user_id=user_id, class_year=class_year))
            else:
                row.class_year = class_year

    async def class_year(self, club_id: int, user_id: str) -> str | None:
        async with self._sessions() as session:
            return await session.scalar(_CLASS_YEAR, {"club_id": club_id, "user_id": user_id})

    async def subscribers(self, club_id: int) -> list[Subscriber]:
        async with self._sessions() as session:
            subs = (
                await session.execute(
                    select(SubscriptionRow.user_id, SubscriptionRow.target).where(
                        SubscriptionRow.club_id == club_id
                    )
                )
            ).all()
            profiles = await session.execute(
                select(ProfileRow.user_id, ProfileRow.class_year).where(
                    ProfileRow.club_id == club_id
                )
            )
            years: dict[str, str] = {row[0]: row[1] for row in profiles}
        targets: dict[str, set[str]] = {}
        for user_id, target in subs:
            targets.setdefault(user_id, set()).add(target)
        return [
            Subscriber(user_id=u, targets=frozenset(t), class_year=years.get(u))
            for u, t in sorted(targets.items())
        ]

    async def mute(
        self, club_id: int, user_id: str, window_key: str, reason: str, *, now: datetime
    ) -> bool:
        async with self._sessions() as session, session.begin():
            values = {
                "club_id": club_id,
                "user_id": user_id,
                "window_key": window_key,
                "reason": reason,
                "at": now,
            }
            return await insert_if_absent(session, MuteRow, values)

    async def unmute(self, club_id: int, user_id: str, window_key: str, reason: str) -> bool:
        """Lift a mark of `reason` (another reason stays); True when there was one."""
        async with self._sessions() as session, session.begin():
            gone = await session.execute(
                delete(MuteRow).where(
                    MuteRow.club_id == club_id,
                    MuteRow.user_id == user_id,
                    MuteRow.window_key == window_key,
                    MuteRow.reason == reason,
                )
            )
            return bool(getattr(gone, "rowcount", 0))

    async def mutes(self, club_id: int) -> dict[str, dict[str, str]]:
        """{user_id: {window_key: reason}}."""
        async with self._sessions() as session:
            rows = await session.execute(select(MuteRow).where(MuteRow.club_id == club_id))
            muted: dict[str, dict[str, str]] = {}
            for row in rows.scalars():
                muted.setdefault(row.user_id, {})[row.window_key] = row.reason
            return muted


async def _configuration_changed(session: AsyncSession, club_id: int) -> None:
    """A club's own deadlines are part of its configuration: its version moves, so every
    process that keeps the club's windows (the web side's feeds) draws them again."""
    await session.execute(
        update(ClubRow)
        .where(ClubRow.id == club_id)
        .values(config_version=ClubRow.config_version + 1)
    )


def _deadline(row: ClubDeadlineRow) -> ClubDeadline:
    return ClubDeadline(
        id=row.id,
        title=row.title,
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        url=row.url,
        track=row.track,
    )


def _summary(row: ClubDeadlineRow) -> str:
    span = f"{row.opens_on} to {row.closes_on}" if row.opens_on else f"{row.closes_on}"
    return f"{row.title} ({span})"
