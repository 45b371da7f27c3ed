"""Clubs and their configuration: time zone, channels, officers, members; every change audited."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import Table, and_, bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.batches import chunks
from bot.store.db import commit_without_flush_wait
from bot.store.learned import LEARNED_COLUMNS, LearnedMember, LearnedMemberRow, learned_of
from bot.store.models import (
    AuditRow,
    ChannelRow,
    ClubRow,
    ClubSettingRow,
    MemberRow,
    OfficerRow,
    UTCDateTime,
)
from bot.store.saving import cannot_save
from bot.store.upsert import dialect_insert, dialect_name, insert_if_absent

SEEN_EVERY = timedelta(hours=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    id: str
    name: str
    broken_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Officer:
    user_id: str
    name: str
    added_by: str
    added_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Club:
    """A snapshot of one club's configuration."""

    id: int
    platform: str
    workspace_id: str
    name: str
    timezone: str
    officer_role_id: str | None
    digest_weekday: int
    digest_time: str
    channels: Mapping[str, Channel]
    officer_ids: frozenset[str]
    # Features' knobs as officers wrote them; a missing key means the feature's default.
    settings: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who made an admin change, for the audit log."""

    id: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ClubChanges:
    """What an officer changes in one `/admin setup`; None leaves a setting alone."""

    # The workspace's own name, kept up to date by the adapters.
    name: str | None = None
    timezone: str | None = None
    officer_role_id: str | None = None
    digest_weekday: int | None = None
    digest_time: str | None = None
    channels: Mapping[str, Channel] | None = None
    # Feature settings: a value sets the key, None puts it back to the feature's default.
    settings: Mapping[str, str | None] | None = None


class Clubs:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        # Club id -> (config_version, snapshot) of the clubs commands have asked about.
        self._cache: dict[int, tuple[int, Club]] = {}

    async def get_or_create(
        self,
        *,
        platform: str,
        workspace_id: str,
        name: str,
        now: datetime,
        seen: tuple[str, str] | None = None,
    ) -> Club:
        """The club of a workspace, made on first use. With `seen` (a member's user id and
        display name), also record that the member used the bot (for the digest's member
        counts), read in the same query: a member seen within the hour under the same name
        costs nothing more."""
        club, _ = await self._arrive(platform, workspace_id, name, now, seen, learned=False)
        return club

    async def arrive(
        self, *, platform: str, workspace_id: str, name: str, now: datetime, seen: tuple[str, str]
    ) -> tuple[Club, LearnedMember | None]:
        """`get_or_create` for a member's command: also what the bot learned about the
        member (rights as last seen, DMs refused), read in the same query."""
        return await self._arrive(platform, workspace_id, name, now, seen, learned=True)

    async def _arrive(
        self,
        platform: str,
        workspace_id: str,
        name: str,
        now: datetime,
        seen: tuple[str, str] | None,
        *,
        learned: bool,
    ) -> tuple[Club, LearnedMember | None]:
        query = _arrival(seen=seen is not None, learned=seen is not None and learned)
        values = {"platform": platform, "workspace_id": workspace_id}
        if seen is not None:
            values["user_id"] = seen[0]
        # Read first: nearly every call finds the club, and a read takes no write lock.
        async with self._sessions() as session:
            row = (await session.execute(query, values)).one_or_none()
            club = None if row is None else await self._cached(session, row)
        if club is None:
            club = await self._create(
                platform=platform, workspace_id=workspace_id, name=name, now=now
            )
        if seen is not None:
            known = (row.member_seen_at, row.member_name) if row is not None else None
            if not _seen_lately(known, seen[1], now):
                try:
                    await self._touch(club.id, user_id=seen[0], name=seen[1], now=now)
                except (SQLAlchemyError, OSError) as error:
                    # "Last seen" is for the digest's counts: a database that can't be
                    # written right now still answers whatever only reads.
                    if cannot_save(error) is None:
                        raise
        if row is None or not learned or row.learned_user_id is None:
            return club, None
        return club, learned_of(*(getattr(row, f"learned_{c.key}") for c in LEARNED_COLUMNS))

    async def _create(self, *, platform: str, workspace_id: str, name: str, now: datetime) -> Club:
        where = (ClubRow.platform == platform, ClubRow.workspace_id == workspace_id)
        async with self._sessions() as session, session.begin():
            values = {
                "platform": platform,
                "workspace_id": workspace_id,
                "name": name[:200],
                "timezone": "UTC",
                "digest_weekday": 0,
                "digest_time": "09:00",
                "created_at": now,
            }
            await insert_if_absent(session, ClubRow, values)
            row = (await session.execute(select(*_CLUB_COLUMNS).where(*where))).one()
            return await self._cached(session, row)

    async def get(self, club_id: int) -> Club:
        async with self._sessions() as session:
            row = (await session.execute(_club_by_id(), {"id": club_id})).one()
            return await self._cached(session, row)

    async def _cached(self, session: AsyncSession, row: Any) -> Club:
        """The club of `row` from the cache if its configuration has not changed since,
        else read (3 queries) and cached. Every process checks the version it reads."""
        cached = self._cache.get(row.id)
        if cached is not None and cached[0] == row.config_version:
            return cached[1]
        club = (await _snapshots(session, [row]))[0]
        self._cache[row.id] = (row.config_version, club)
        return club

    async def get_many(self, club_ids: Iterable[int]) -> dict[int, Club]:
        """The clubs of `club_ids` that exist, by id: one query per 500 clubs, and three
        more for those whose configuration this process has not cached at the version it
        reads (a fan-out of clubs it knows, a command's delivery: one)."""
        found: dict[int, Club] = {}
        async with self._sessions() as session:
            for chunk in chunks(sorted(set(club_ids))):
                stale = []
                for row in await session.execute(_clubs_by_id(), {"ids": chunk}):
                    cached = self._cache.get(row.id)
                    if cached is not None and cached[0] == row.config_version:
                        found[row.id] = cached[1]
                    else:
                        stale.append(row)
                if not stale:
                    continue
                for row, club in zip(stale, await _snapshots(session, stale), strict=True):
                    self._cache[row.id] = (row.config_version, club)
                    found[row.id] = club
        return found

    async def versions(self, club_ids: Iterable[int] | None = None) -> dict[int, int]:
        """Each club's configuration version (of `club_ids`, or of every club): one small
        read that tells a process which clubs another process has changed."""
        query = select(ClubRow.id, ClubRow.config_version)
        async with self._sessions() as session:
            if club_ids is None:
                return {row[0]: row[1] for row in await session.execute(query)}
            found: dict[int, int] = {}
            for chunk in chunks(sorted(set(club_ids))):
                rows = await session.execute(_versions_of(), {"ids": chunk})
                found.update((i, v) for i, v in rows)
            return found

    async def configured_at(self, club_ids: Iterable[int]) -> dict[int, datetime]:
        """When each club was last configured: its latest admin change (the audit log), or
        its creation. A run due before then may not have been scheduled at all."""
        latest = (
            select(AuditRow.club_id, func.max(AuditRow.at, type_=UTCDateTime()).label("at"))
            .group_by(AuditRow.club_id)
            .subquery()
        )
        found: dict[int, datetime] = {}
        async with self._sessions() as session:
            for chunk in chunks(sorted(set(club_ids))):
                rows = await session.execute(
                    select(ClubRow.id, ClubRow.created_at, latest.c.at)
                    .outerjoin(latest, latest.c.club_id == ClubRow.id)
                    .where(ClubRow.id.in_(chunk))
                )
                for club_id, created_at, changed_at in rows:
                    found[club_id] = max(created_at, changed_at or created_at)
        return found

    async def all(self) -> list[Club]:
        async with self._sessions() as session:
            ids = list((await session.execute(select(ClubRow.id).order_by(ClubRow.id))).scalars())
        clubs = await self.get_many(ids)
        return [clubs[i] for i in ids if i in clubs]

    async def change(
        self, club_id: int, changes: ClubChanges, *, actor: Actor, now: datetime
    ) -> Club:
        """Apply `changes` and audit each one, in one transaction; the club as it is now.

        What is there already comes from the snapshot cached at the club's version (a
        running bot has it: every command reads the club first), so a change costs its
        writes, not reads of what it replaces, and the new snapshot is that one with the
        changes applied. The club's row is locked first, by moving its version in the
        statement that reads it (PostgreSQL; SQLite has one writer), so no other change
        lands between that read and this one's writes: every change of a club's
        configuration updates its row."""
        async with self._sessions() as session, session.begin():
            # The version is moved first: the update locks the row (no other change lands
            # until this one commits) and returns it, so the row is read in that statement.
            row = (await session.execute(_bumped_club(), {"club_id": club_id})).one()
            version = row.config_version
            cached = self._cache.get(club_id)
            before = (
                cached[1]
                if cached is not None and cached[0] == version - 1
                else (await _snapshots(session, [row]))[0]
            )
            entries: list[tuple[str, str]] = []
            columns: dict[str, Any] = {}
            for attribute in _CHANGEABLE:
                value = getattr(changes, attribute)
                if value is not None and value != getattr(row, attribute):
                    columns[attribute] = value
                    entries.append((f"set {attribute}", str(value)))
            channels = dict(before.channels)
            for purpose, channel in (changes.channels or {}).items():
                await _set_channel(session, club_id, purpose, channel)
                channels[purpose] = Channel(id=channel.id, name=channel.name[:100])
                entries.append((f"set channel {purpose}", channel.name))
            settings = dict(before.settings)
            stored, reset = [], []
            for key, value in (changes.settings or {}).items():
                if settings.get(key) == value:
                    continue
                if value is None:
                    del settings[key]
                    reset.append(key)
                    entries.append((f"reset {key}", "default"))
                else:
                    settings[key] = value
                    stored.append({"club_id": club_id, "key": key, "value": value})
                    entries.append((f"set {key}", value))
            if stored:  # one statement for them all, as for those reset
                await session.execute(_setting_upsert(dialect_name(session)), stored)
            if reset:
                mine = ClubSettingRow.club_id == club_id
                await session.execute(
                    delete(ClubSettingRow).where(mine, ClubSettingRow.key.in_(reset))
                )
            if columns:
                mine = ClubRow.id == club_id
                await session.execute(update(ClubRow).where(mine).values(**columns))
            if entries:  # one statement for them all, through the table (no ORM unit of work)
                await session.execute(
                    _audit_insert(), [_audit_row(club_id, actor, a, d, now) for a, d in entries]
                )
            club = replace(before, **columns, channels=channels, settings=settings)
        self._cache[club_id] = (version, club)
        return club

    def known(self, club_id: int) -> tuple[int, Club] | None:
        """The club's snapshot this process holds, with its configuration version: after
        a `change` of this process, the club as that change left it."""
        return self._cache.get(club_id)

    def written(self, club: Club) -> int | None:
        """The version a `change` of this process wrote, if `club` is the very snapshot
        that change returned and nothing read since found a later version: a change's
        caller knows what it changed the club to without reading it back."""
        cached = self._cache.get(club.id)
        return cached[0] if cached is not None and cached[1] is club else None

    async def purge_left(self, *, before: datetime) -> list[Club]:
        """Delete the clubs whose platform workspace removed the bot before `before`, with
        everything they own (foreign keys cascade); returns what was deleted."""
        gone = [
            c
            for c in await self.all()
            if "left_at" in c.settings and datetime.fromisoformat(c.settings["left_at"]) < before
        ]
        async with self._sessions() as session, session.begin():
            for club in gone:
                await session.execute(delete(ClubRow).where(ClubRow.id == club.id))
        return gone

    async def mark_channel_broken(
        self, club_id: int, channel_id: str, reason: str, now: datetime
    ) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ChannelRow)
                .where(ChannelRow.club_id == club_id, ChannelRow.channel_id == channel_id)
                .values(broken_reason=reason[:300], broken_at=now)
            )
            await _changed(session, club_id)

    async def first_notice_today(self, club_id: int, purpose: str, day: date) -> bool:
        """Whether officers may be told about the `purpose` channel pausing or resuming on
        the club-local `day`: True once a day, whichever process asks first."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(ChannelRow)
                .where(
                    ChannelRow.club_id == club_id,
                    ChannelRow.purpose == purpose,
                    or_(ChannelRow.noticed_on.is_(None), ChannelRow.noticed_on != day),
                )
                .values(noticed_on=day)
                .returning(ChannelRow.id)
            )
            return result.first() is not None

    async def add_officer(
        self, club_id: int, *, user_id: str, name: str, actor: Actor, now: datetime
    ) -> bool:
        async with self._sessions() as session, session.begin():
            added = await insert_if_absent(
                session,
                OfficerRow,
                {
                    "club_id": club_id,
                    "user_id": user_id,
                    "name": name[:100],
                    "added_by": actor.id,
                    "added_at": now,
                },
            )
            if added:
                audit(session, club_id, actor, "add officer", name, now)
                await _changed(session, club_id)
            return added

    async def remove_officer(
        self, club_id: int, *, user_id: str, name: str, actor: Actor, now: datetime
    ) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(OfficerRow)
                .where(OfficerRow.club_id == club_id, OfficerRow.user_id == user_id)
                .returning(OfficerRow.user_id)
            )
            removed = result.first() is not None
            if removed:
                audit(session, club_id, actor, "remove officer", name, now)
                await _changed(session, club_id)
            return removed

    async def officers(self, club_id: int) -> list[Officer]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(OfficerRow)
                .where(OfficerRow.club_id == club_id)
                .order_by(OfficerRow.added_at, OfficerRow.user_id)
            )
            return [
                Officer(user_id=r.user_id, name=r.name, added_by=r.added_by, added_at=r.added_at)
                for r in rows.scalars()
            ]

    async def _touch(self, club_id: int, *, user_id: str, name: str, now: datetime) -> None:
        async with self._sessions() as session, session.begin():
            await commit_without_flush_wait(session)
            await session.execute(
                _member_upsert(dialect_name(session)),
                {
                    "club_id": club_id,
                    "user_id": user_id,
                    "name": name[:100],
                    "joined_at": now,
                    "last_seen_at": now,
                },
            )

    async def member_counts(self, club_id: int, *, since: datetime) -> tuple[int, int]:
        """(all members, members who joined since `since`)."""
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).where(MemberRow.club_id == club_id))
            new = await session.scalar(
                select(func.count()).where(
                    MemberRow.club_id == club_id, MemberRow.joined_at >= since
                )
            )
            return int(total or 0), int(new or 0)


async def _set_channel(session: AsyncSession, club_id: int, purpose: str, channel: Channel) -> None:
    """Use `channel` for `purpose`. A newly chosen channel gets a fresh chance even if the
    old one was refused, and another channel's notices start afresh."""
    await session.execute(
        _channel_upsert(dialect_name(session)),
        {
            "club_id": club_id,
            "purpose": purpose,
            "channel_id": channel.id,
            "channel_name": channel.name[:100],
            "broken_reason": None,
            "broken_at": None,
            "noticed_on": None,
        },
    )


# Built once per dialect (building an upsert costs more than running it), run with values.
@functools.cache
def _channel_upsert(dialect: str) -> Any:
    statement = dialect_insert(dialect)(ChannelRow)
    table = ChannelRow.__table__.c
    return statement.on_conflict_do_update(
        index_elements=[table.club_id, table.purpose],
        set_={
            "channel_id": statement.excluded.channel_id,
            "channel_name": statement.excluded.channel_name,
            "broken_reason": None,
            "broken_at": None,
            "noticed_on": case(
                (table.channel_id == statement.excluded.channel_id, table.noticed_on),
                else_=None,
            ),
        },
    )


@functools.cache
def _member_upsert(dialect: str) -> Any:
    """A member seen: joined now if new, else seen now (under the name they use now)."""
    statement = dialect_insert(dialect)(MemberRow)
    return statement.on_conflict_do_update(
        index_elements=[MemberRow.__table__.c.club_id, MemberRow.__table__.c.user_id],
        set_={
            "last_seen_at": statement.excluded.last_seen_at,
            "name": statement.excluded.name,
        },
    )


@functools.cache
def _setting_upsert(dialect: str) -> Any:
    statement = dialect_insert(dialect)(ClubSettingRow)
    table = ClubSettingRow.__table__.c
    return statement.on_conflict_do_update(
        index_elements=[table.club_id, table.key], set_={"value": statement.excluded.value}
    )


def audit(
    session: AsyncSession, club_id: int, actor: Actor, action: str, detail: str, now: datetime
) -> None:
    session.add(AuditRow(**_audit_row(club_id, actor, action, detail, now)))


def _audit_row(
    club_id: int, actor: Actor, action: str, detail: str, now: datetime
) -> dict[str, Any]:
    return {
        "club_id": club_id,
        "actor_id": actor.id,
        "actor_name": actor.name[:100],
        "action": action,
        "detail": detail[:1000],
        "at": now,
    }


def _seen_lately(
    known: tuple[datetime | None, str | None] | None, name: str, now: datetime
) -> bool:
    """Whether a member's (last seen, name) needs no write: seen within SEEN_EVERY under
    the same name."""
    if known is None or known[0] is None:
        return False
    return known[0] >= now - SEEN_EVERY and known[1] == name[:100]


async def _changed(session: AsyncSession, club_id: int) -> None:
    """Mark the club's configuration changed, for every process's cached snapshot."""
    await session.execute(
        update(ClubRow)
        .where(ClubRow.id == club_id)
        .values(config_version=ClubRow.config_version + 1)
    )


async def _snapshot(session: AsyncSession, row: ClubRow) -> Club:
    return (await _snapshots(session, [row]))[0]


@functools.cache
def _versions_of() -> Any:
    return select(ClubRow.id, ClubRow.config_version).where(
        ClubRow.id.in_(bindparam("ids", expanding=True))
    )


@functools.cache
def _club_by_id() -> Any:
    return select(*_CLUB_COLUMNS).where(ClubRow.id == bindparam("id"))


@functools.cache
def _bumped_club() -> Any:
    """The club's configuration version moved on, and its row as it is then: locked for
    the rest of a change (PostgreSQL; SQLite has one writer)."""
    return (
        update(ClubRow)
        .where(ClubRow.id == bindparam("club_id"))
        .values(config_version=ClubRow.config_version + 1)
        .returning(*_CLUB_COLUMNS)
    )


@functools.cache
def _audit_insert() -> Any:
    return insert(cast(Table, AuditRow.__table__))


@functools.cache
def _clubs_by_id() -> Any:
    return select(*_CLUB_COLUMNS).where(ClubRow.id.in_(bindparam("ids", expanding=True)))


@functools.cache
def _arrival(*, seen: bool, learned: bool) -> Any:
    """The query of `Clubs._arrive`, built once (every command sends it; building it took
    longer than running it): the club by workspace, with the member's last-seen and what
    was learned about them when asked."""
    query = select(*_CLUB_COLUMNS).where(
        ClubRow.platform == bindparam("platform"), ClubRow.workspace_id == bindparam("workspace_id")
    )
    if seen:
        member = and_(MemberRow.club_id == ClubRow.id, MemberRow.user_id == bindparam("user_id"))
        query = query.add_columns(
            MemberRow.last_seen_at.label("member_seen_at"), MemberRow.name.label("member_name")
        ).outerjoin(MemberRow, member)
    if learned:
        mine = and_(
            LearnedMemberRow.club_id == ClubRow.id, LearnedMemberRow.user_id == bindparam("user_id")
        )
        query = query.add_columns(
            *(c.label(f"learned_{c.key}") for c in LEARNED_COLUMNS)
        ).outerjoin(LearnedMemberRow, mine)
    return query


# A club row's columns, read as plain rows (they have the same attributes as a ClubRow).
_CLUB_COLUMNS: Final = tuple(ClubRow.__table__.c)
# The club's own columns an officer's change may set (see ClubChanges).
_CHANGEABLE: Final = ("name", "timezone", "officer_role_id", "digest_weekday", "digest_time")


async def _snapshots(session: AsyncSession, rows: Sequence[Any]) -> list[Club]:
    """Snapshots of club `rows` (ClubRow objects or rows of its columns), with their
    channels, officers and settings read in one query each."""
    ids = [row.id for row in rows]
    channels: dict[int, dict[str, Channel]] = {i: {} for i in ids}
    # Columns rather than ORM objects: thousands of clubs are read at once at start-up.
    for club_id, purpose, channel_id, name, broken in await session.execute(
        select(
            ChannelRow.club_id,
            ChannelRow.purpose,
            ChannelRow.channel_id,
            ChannelRow.channel_name,
            ChannelRow.broken_reason,
        ).where(ChannelRow.club_id.in_(ids))
    ):
        channels[club_id][purpose] = Channel(id=channel_id, name=name, broken_reason=broken)
    officers: dict[int, set[str]] = {i: set() for i in ids}
    for club_id, user_id in await session.execute(
        select(OfficerRow.club_id, OfficerRow.user_id).where(OfficerRow.club_id.in_(ids))
    ):
        officers[club_id].add(user_id)
    settings: dict[int, dict[str, str]] = {i: {} for i in ids}
    for club_id, key, value in await session.execute(
        select(ClubSettingRow.club_id, ClubSettingRow.key, ClubSettingRow.value).where(
            ClubSettingRow.club_id.in_(ids)
        )
    ):
        settings[club_id][key] = value
    return [
        Club(
            id=row.id,
            platform=row.platform,
            workspace_id=row.workspace_id,
            name=row.name,
            timezone=row.timezone,
            officer_role_id=row.officer_role_id,
            digest_weekday=row.digest_weekday,
            digest_time=row.digest_time,
            channels=channels[row.id],
            officer_ids=frozenset(officers[row.id]),
            settings=settings[row.id],
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    actor_name: str
    action: str
    detail: str
    at: datetime


async def recent_audit(
    sessions: async_sessionmaker[AsyncSession], club_id: int, limit: int = 10
) -> list[AuditEntry]:
    """The newest admin changes first."""
    async with sessions() as session:
        rows = await session.execute(
            select(AuditRow)
            .where(AuditRow.club_id == club_id)
            .order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .limit(limit)
        )
        return [
            AuditEntry(actor_name=r.actor_name, action=r.action, detail=r.detail, at=r.at)
            for r in rows.scalars()
        ]
