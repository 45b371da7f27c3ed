"""The postings' tables and repository: sources and their health, the deployment's fetch
claims, every posting seen, what each club was told, and who follows which company."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeAlias

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.postings.diff import Changes, Known, KnownPosting, signature_of
from bot.postings.filters import SETTING, Facts, Filter, facts_of, filter_of
from bot.postings.listing import Posting
from bot.postings.sources import Validators
from bot.postings.words import Concept, WordIndex
from bot.store.batches import chunks
from bot.store.models import Base, ClubSettingRow, UTCDateTime
from bot.store.upsert import dialect_name, insert_if_absent, insert_many_if_absent
from bot.store.versions import Kept, bump


class PostingSourceRow(Base):
    """One source's last answer: validators for the next conditional request, and health."""

    __tablename__ = "posting_sources"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(300))
    entries: Mapped[int] = mapped_column(default=0)


class PostingFetchRow(Base):
    """The deployment's claim on fetching one source in one poll slot: one process wins.
    Its outcome once known (ok, unchanged, failed): what /metrics counts. Kept for
    `poll.FETCHES_KEPT`, then pruned by the poll."""

    __tablename__ = "posting_fetches"
    __table_args__ = (Index("ix_posting_fetches_at", "at"),)

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    slot: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))


class PostingRow(Base):
    __tablename__ = "postings"
    __table_args__ = (
        UniqueConstraint("source", "ext_id"),
        Index("ix_postings_first_seen", "first_seen_at"),
        Index("ix_postings_company_key", "company_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    ext_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    company: Mapped[str] = mapped_column(String(200))
    company_key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    # JSON arrays of strings.
    locations: Mapped[str] = mapped_column(Text)
    terms: Mapped[str] = mapped_column(Text)
    degrees: Mapped[str] = mapped_column(Text)
    sponsorship: Mapped[str] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(80))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean)
    fingerprint: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(32))


class PostingAnnouncementRow(Base):
    """A posting a club was told about (in the digest of `occurrence`): never twice.

    Keyed by the posting's (source, id), not the row id, so a club exported to another
    database keeps what it was told."""

    __tablename__ = "posting_announcements"

    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    ext_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    occurrence: Mapped[str] = mapped_column(String(32))


class PostingFollowRow(Base):
    __tablename__ = "posting_follows"

    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    company_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    company: Mapped[str] = mapped_column(String(200))


# The postings' name in data_versions: every change to them bumps it.
VERSION: Final = "postings"

# A posting's identity across databases: (source, its id there).
PostingKey: TypeAlias = tuple[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredPosting:
    id: int
    posting: Posting
    first_seen_at: datetime
    closed_at: datetime | None

    @property
    def key(self) -> PostingKey:
        return (self.posting.source, self.posting.ext_id)

    @property
    def open(self) -> bool:
        return self.posting.active and self.closed_at is None


@dataclass(frozen=True, slots=True)
class Read:
    """A stored posting as commands match it: with its facts, computed once per change."""

    stored: StoredPosting
    facts: Facts


class Reads(list[Read]):
    """Postings read together, as they are kept (`Kept`): with the word index of their
    searchable texts, made at the first search of them."""

    _words: WordIndex | None = None

    def words(self) -> WordIndex:
        if self._words is None:
            self._words = WordIndex([r.facts.searchable for r in self])
        return self._words


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceHealth:
    name: str
    last_ok_at: datetime | None
    failing_since: datetime | None
    last_error: str | None
    entries: int


class PostingStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        # A kept read is up to 2,000 postings with their facts (about 5 MB): this hour's
        # search and this hour's recent-week read, and the last hour's.
        self._kept: Kept[Reads] = Kept(sessions, VERSION, size=4)

    # --- fetching -------------------------------------------------------------

    async def claim_fetch(self, source: str, *, slot: str, owner: str, now: datetime) -> bool:
        async with self._sessions() as session, session.begin():
            row = {"source": source, "slot": slot, "owner": owner, "at": now}
            return await insert_if_absent(session, PostingFetchRow, row)

    async def validators(self, source: str) -> Validators:
        async with self._sessions() as session:
            row = await session.get(PostingSourceRow, source)
        if row is None:
            return Validators()
        return Validators(etag=row.etag, last_modified=row.last_modified)

    async def record_fetch(
        self,
        *,
        source: str,
        url: str,
        now: datetime,
        validators: Validators | None = None,
        entries: int | None = None,
        error: str | None = None,
        slot: str | None = None,
    ) -> None:
        """A good answer (validators given; `entries` unless it was a 304) or an error; an
        error keeps what was known. With the poll `slot` it was claimed in, the fetch's
        outcome (ok, unchanged, failed) is kept on its claim."""
        async with self._sessions() as session, session.begin():
            if slot is not None:
                outcome = "failed" if error else ("unchanged" if entries is None else "ok")
                await session.execute(
                    update(PostingFetchRow)
                    .where(PostingFetchRow.source == source, PostingFetchRow.slot == slot)
                    .values(outcome=outcome)
                )
            row = await session.get(PostingSourceRow, source)
            if row is None:
                row = PostingSourceRow(name=source, url=url, entries=0)
                session.add(row)
            row.url = url
            if error is None:
                row.last_ok_at, row.failing_since, row.last_error = now, None, None
                if validators is not None:
                    row.etag, row.last_modified = validators.etag, validators.last_modified
                if entries is not None:
                    row.entries = entries
            else:
                row.failing_since = row.failing_since or now
                row.last_error = error[:300]

    async def fetch_counts(self, *, since: datetime) -> list[tuple[str, str, int]]:
        """(source, outcome, fetches) since `since`; "unknown" for a fetch whose process
        died before it ended (or that is running now)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(PostingFetchRow.source, PostingFetchRow.outcome, func.count())
                .where(PostingFetchRow.at >= since)
                .group_by(PostingFetchRow.source, PostingFetchRow.outcome)
            )
            return [(s, o or "unknown", int(n)) for s, o, n in rows]

    async def prune_fetches(self, *, before: datetime) -> int:
        async with self._sessions() as session, session.begin():
            gone = await session.execute(delete(PostingFetchRow).where(PostingFetchRow.at < before))
            return int(getattr(gone, "rowcount", 0) or 0)

    async def health(self) -> list[SourceHealth]:
        async with self._sessions() as session:
            rows = (await session.execute(select(PostingSourceRow))).scalars()
            return [_health(r) for r in rows]

    async def source_health(self, source: str) -> SourceHealth | None:
        async with self._sessions() as session:
            row = await session.get(PostingSourceRow, source)
            return None if row is None else _health(row)

    async def known(self) -> Known:
        columns = (
            PostingRow.id,
            PostingRow.source,
            PostingRow.ext_id,
            PostingRow.url,
            PostingRow.fingerprint,
            PostingRow.active,
            PostingRow.closed_at,
            PostingRow.signature,
        )
        async with self._sessions() as session:
            rows = await session.execute(select(*columns))
            return Known(
                KnownPosting(
                    id=r[0],
                    source=r[1],
                    ext_id=r[2],
                    url=r[3],
                    fingerprint=r[4],
                    active=r[5] and r[6] is None,
                    signature=r[7],
                )
                for r in rows
            )

    async def apply(self, changes: Changes, *, now: datetime) -> None:
        """Store one fetch's changes in one transaction."""
        async with self._sessions() as session, session.begin():
            for chunk in chunks(changes.new):
                rows = [_row(p, now) for p in chunk]
                await insert_many_if_absent(session, PostingRow, rows)
            if changes.changed:
                await _update_changed(session, changes.changed, now)
            for ids in chunks(changes.gone):
                await session.execute(
                    update(PostingRow)
                    .where(PostingRow.id.in_(ids), PostingRow.closed_at.is_(None))
                    .values(closed_at=now)
                )
            await bump(session, VERSION)

    # --- reading --------------------------------------------------------------

    async def seen_since(self, since: datetime, *, posted_since: datetime) -> list[StoredPosting]:
        """Postings first seen since `since` and posted since `posted_since`, oldest first
        (a first fetch sees thousands of old entries at once: they are never read back)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(PostingRow)
                .where(PostingRow.first_seen_at >= since, PostingRow.posted_at >= posted_since)
                .order_by(PostingRow.first_seen_at, PostingRow.id)
            )
            return [_stored(r) for r in rows.scalars()]

    async def posted_since(self, since: datetime, *, limit: int = 2000) -> list[StoredPosting]:
        """Postings posted since `since`, newest first."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(PostingRow)
                .where(PostingRow.posted_at >= since)
                .order_by(PostingRow.posted_at.desc(), PostingRow.id)
                .limit(limit)
            )
            return [_stored(r) for r in rows.scalars()]

    async def seen_read(self, since: datetime, *, posted_since: datetime) -> list[Read]:
        """`seen_since` with facts, as this process last read it (until a poll changes the
        postings)."""
        early, posted_early = _hour(since), _hour(posted_since)
        every = await self._kept.get(
            ("seen", early, posted_early),
            lambda: self._read(self.seen_since(early, posted_since=posted_early)),
        )
        return [
            r
            for r in every
            if r.stored.first_seen_at >= since and r.stored.posting.posted_at >= posted_since
        ]

    async def posted_read(
        self, since: datetime, *, limit: int = 2000, words: list[Concept] | None = None
    ) -> list[Read]:
        """`posted_since` with facts, as this process last read it; with `words`, only
        those whose searchable text holds every concept (`all_found`), newest first."""
        early = _hour(since)
        every = await self._kept.get(
            ("posted", early, limit), lambda: self._read(self.posted_since(early, limit=limit))
        )
        if not words:
            return [r for r in every if r.stored.posting.posted_at >= since]
        return [
            r
            for n in sorted(every.words().found(words))
            if (r := every[n]).stored.posting.posted_at >= since
        ]

    @staticmethod
    async def _read(reading: Awaitable[list[StoredPosting]]) -> Reads:
        return Reads(Read(stored=s, facts=facts_of(s.posting)) for s in await reading)

    async def companies(self, prefix: str, *, limit: int = 25) -> list[str]:
        """Companies whose key (`normal`: ASCII, lower case) starts with `prefix`."""
        query = select(PostingRow.company).where(
            PostingRow.company_key.like(f"{_escaped(prefix)}%", escape="\\")
        )
        async with self._sessions() as session:
            if dialect_name(session) == "sqlite" and prefix:
                # SQLite's LIKE ignores case, so it can't use the index; the same prefix as
                # a range of keys (compared byte by byte) can.
                query = query.where(
                    PostingRow.company_key >= prefix, PostingRow.company_key < prefix + "\U0010ffff"
                )
            rows = await session.execute(query.distinct().order_by(PostingRow.company).limit(limit))
            return list(rows.scalars())

    async def company_named(self, key: str) -> str | None:
        """The company's name as postings write it, if a posting has the `normal` key."""
        async with self._sessions() as session:
            return await session.scalar(
                select(PostingRow.company)
                .where(PostingRow.company_key == key)
                .order_by(PostingRow.company)
                .limit(1)
            )

    async def open_of(self, company_keys: Iterable[str], *, since: datetime) -> list[StoredPosting]:
        """The companies' (by key) postings since `since` that are still open, oldest first."""
        keys = sorted(set(company_keys))
        async with self._sessions() as session:
            rows = await session.execute(
                select(PostingRow)
                .where(
                    PostingRow.company_key.in_(keys),
                    PostingRow.posted_at >= since,
                    PostingRow.active.is_(True),
                    PostingRow.closed_at.is_(None),
                )
                .order_by(PostingRow.posted_at, PostingRow.id)
            )
            return [_stored(r) for r in rows.scalars()]

    # --- clubs ----------------------------------------------------------------

    async def filters(self) -> dict[int, Filter]:
        """Each club that turned live postings on, with its filter."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(ClubSettingRow.club_id, ClubSettingRow.value).where(
                    ClubSettingRow.key == SETTING
                )
            )
            found = {club_id: filter_of({SETTING: value}) for club_id, value in rows}
        return {club_id: f for club_id, f in found.items() if f.enabled}

    async def announced(
        self, club_ids: Iterable[int], since: datetime
    ) -> dict[int, dict[PostingKey, str]]:
        """For each club, the postings first seen since `since` it was told about, with
        the occurrence whose digest told it."""
        found: dict[int, dict[PostingKey, str]] = {}
        told = PostingAnnouncementRow
        async with self._sessions() as session:
            for chunk in chunks(sorted(set(club_ids))):
                rows = await session.execute(
                    select(told.club_id, told.source, told.ext_id, told.occurrence)
                    .join(
                        PostingRow,
                        (PostingRow.source == told.source) & (PostingRow.ext_id == told.ext_id),
                    )
                    .where(told.club_id.in_(chunk), PostingRow.first_seen_at >= since)
                )
                for club_id, source, ext_id, occurrence in rows:
                    found.setdefault(club_id, {})[(source, ext_id)] = occurrence
        return found

    async def announce(self, rows: Sequence[tuple[int, PostingKey, str]]) -> None:
        """Record (club, posting, occurrence) told; already-told pairs stay as they were."""
        values = [
            {"club_id": c, "source": k[0], "ext_id": k[1], "occurrence": o} for c, k, o in rows
        ]
        async with self._sessions() as session, session.begin():
            for chunk in chunks(values):
                await insert_many_if_absent(session, PostingAnnouncementRow, chunk)

    async def follow(self, club_id: int, *, user_id: str, company: str, key: str) -> bool:
        async with self._sessions() as session, session.begin():
            row = {"club_id": club_id, "user_id": user_id, "company_key": key, "company": company}
            return await insert_if_absent(session, PostingFollowRow, row)

    async def unfollow(self, club_id: int, *, user_id: str, key: str) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(PostingFollowRow).where(
                    PostingFollowRow.club_id == club_id,
                    PostingFollowRow.user_id == user_id,
                    PostingFollowRow.company_key == key,
                )
            )
            return bool(getattr(result, "rowcount", 0))

    async def followers(self, club_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
        """club -> company key -> the members following it."""
        found: dict[int, dict[str, list[str]]] = {}
        async with self._sessions() as session:
            for chunk in chunks(sorted(set(club_ids))):
                rows = await session.execute(
                    select(
                        PostingFollowRow.club_id,
                        PostingFollowRow.company_key,
                        PostingFollowRow.user_id,
                    ).where(PostingFollowRow.club_id.in_(chunk))
                )
                for club_id, key, user_id in rows:
                    found.setdefault(club_id, {}).setdefault(key, []).append(user_id)
        return found


def _health(row: PostingSourceRow) -> SourceHealth:
    return SourceHealth(
        name=row.name,
        last_ok_at=row.last_ok_at,
        failing_since=row.failing_since,
        last_error=row.last_error,
        entries=row.entries,
    )


def _hour(moment: datetime) -> datetime:
    """A cut-off as kept reads are made: from the hour's start (commands' cut-offs move with
    the clock), then narrowed to the moment asked."""
    return moment.replace(minute=0, second=0, microsecond=0)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row(posting: Posting, now: datetime) -> dict[str, Any]:
    return {
        "source": posting.source,
        "ext_id": posting.ext_id,
        "first_seen_at": now,
        "closed_at": None,
        **_columns(posting),
    }


def _columns(posting: Posting) -> dict[str, Any]:
    return {
        "url": posting.url,
        "company": posting.company,
        "company_key": posting.company_key[:200],
        "title": posting.title,
        "locations": json.dumps(posting.locations),
        "terms": json.dumps(posting.terms),
        "degrees": json.dumps(posting.degrees),
        "sponsorship": posting.sponsorship,
        "category": posting.category,
        "posted_at": posting.posted_at,
        "active": posting.active,
        "fingerprint": posting.fingerprint,
        "signature": signature_of(posting),
    }


async def _update_changed(
    session: AsyncSession, changed: Sequence[tuple[int, Posting]], now: datetime
) -> None:
    """A posting that reads differently now; one that is active again is open again."""
    for stored_id, posting in changed:
        values = _columns(posting)
        values.pop("posted_at")  # a re-published entry keeps the day it first went live
        await session.execute(
            update(PostingRow)
            .where(PostingRow.id == stored_id)
            .values(**values, closed_at=None if posting.active else now)
        )


def _stored(row: PostingRow) -> StoredPosting:
    posting = Posting(
        source=row.source,
        ext_id=row.ext_id,
        company=row.company,
        title=row.title,
        url=row.url,
        locations=tuple(json.loads(row.locations)),
        posted_at=row.posted_at,
        active=row.active,
        terms=tuple(json.loads(row.terms)),
        sponsorship=row.sponsorship,
        category=row.category,
        degrees=tuple(json.loads(row.degrees)),
    )
    return StoredPosting(
        id=row.id, posting=posting, first_seen_at=row.first_seen_at, closed_at=row.closed_at
    )
