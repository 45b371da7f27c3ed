"""The web side's tables: feed tokens, leaderboard opt-outs, sign-in links, sessions, and
the key that signs the links. Secrets are 128-bit random tokens; links and session ids are
stored only as SHA-256 digests, so a copy of the database signs nobody in."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.model import User
from bot.store.models import Base, UTCDateTime
from bot.store.upsert import insert_if_absent, insert_many_if_absent

CLUB_FEED = ""  # the user_id of a club-wide feed token
# Short-lived secrets stay in their database when a club is exported (`clubbot export`).
_NOT_EXPORTED = {"export": False}


def _club_fk() -> ForeignKey:
    return ForeignKey("clubs.id", ondelete="CASCADE")


def new_token() -> str:
    """128 random bits, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FeedTokenRow(Base):
    __tablename__ = "web_feed_tokens"
    __table_args__ = (UniqueConstraint("club_id", "user_id"),)

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    club_id: Mapped[int] = mapped_column(_club_fk())
    user_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PageHiddenRow(Base):
    """Members who asked to be left off the public club page."""

    __tablename__ = "web_page_hidden"

    club_id: Mapped[int] = mapped_column(_club_fk(), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class _Who:
    """Who a link or session acts for: enough to rebuild the member's `User`."""

    user_id: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str] = mapped_column(String(100))
    is_admin: Mapped[bool] = mapped_column(Boolean)
    roles: Mapped[str] = mapped_column(Text)


class SignInRow(_Who, Base):
    __tablename__ = "web_signins"
    __table_args__ = (
        Index("ix_web_signins_user", "club_id", "user_id", "created_at"),
        {"info": _NOT_EXPORTED},
    )

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    club_id: Mapped[int] = mapped_column(_club_fk())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SessionRow(_Who, Base):
    __tablename__ = "web_sessions"
    __table_args__ = ({"info": _NOT_EXPORTED},)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    club_id: Mapped[int] = mapped_column(_club_fk())
    csrf: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KeyRow(Base):
    __tablename__ = "web_keys"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedOwner:
    club_id: int
    user_id: str  # CLUB_FEED for the club-wide feed


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSession:
    club_id: int
    user: User
    csrf: str
    expires_at: datetime


def _who(user: User) -> dict[str, object]:
    return {
        "user_id": user.id,
        "user_name": user.name[:100],
        "is_admin": user.is_admin,
        "roles": ",".join(sorted(user.roles)),
    }


def _user(row: _Who) -> User:
    roles = frozenset(r for r in row.roles.split(",") if r)
    return User(id=row.user_id, name=row.user_name, is_admin=row.is_admin, roles=roles)


# Built once: every feed request asks it.
_FEED_OWNER = select(FeedTokenRow.club_id, FeedTokenRow.user_id).where(
    FeedTokenRow.token == bindparam("token")
)
_FEED_TOKENS = select(FeedTokenRow.user_id, FeedTokenRow.token).where(
    FeedTokenRow.club_id == bindparam("club_id"),
    FeedTokenRow.user_id.in_(bindparam("user_ids", expanding=True)),
)


class WebStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._keys: dict[str, str] = {}  # a key never changes once made: read once

    # --- feed tokens ---------------------------------------------------------

    async def feed_token(self, club_id: int, user_id: str, *, now: datetime) -> str:
        """The member's (or, with CLUB_FEED, the club's) feed token, made on first ask."""
        return (await self.feed_tokens(club_id, (user_id,), now=now))[user_id]

    async def feed_tokens(
        self, club_id: int, user_ids: Iterable[str], *, now: datetime
    ) -> dict[str, str]:
        """The feed tokens of `user_ids` (members, or CLUB_FEED) in one read; those not
        made yet are made in one write (two processes making one keep the first)."""
        asked = sorted(set(user_ids))
        owners = {"club_id": club_id, "user_ids": asked}
        async with self._sessions() as session:
            found = {r[0]: r[1] for r in await session.execute(_FEED_TOKENS, owners)}
        missing = [u for u in asked if u not in found]
        if not missing:
            return found
        async with self._sessions() as session, session.begin():
            rows = [
                {"token": new_token(), "club_id": club_id, "user_id": u, "created_at": now}
                for u in missing
            ]
            await insert_many_if_absent(session, FeedTokenRow, rows)
            return {r[0]: r[1] for r in await session.execute(_FEED_TOKENS, owners)}

    async def reset_feed_token(self, club_id: int, user_id: str, *, now: datetime) -> str:
        """A new token; the old link stops working at once."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(FeedTokenRow).where(
                    FeedTokenRow.club_id == club_id, FeedTokenRow.user_id == user_id
                )
            )
            token = new_token()
            session.add(FeedTokenRow(token=token, club_id=club_id, user_id=user_id, created_at=now))
            return token

    async def feed_owner(self, token: str) -> FeedOwner | None:
        async with self._sessions() as session:
            found = (await session.execute(_FEED_OWNER, {"token": token})).first()
        return None if found is None else FeedOwner(club_id=found[0], user_id=found[1])

    async def clubs_with_feeds(self) -> list[int]:
        """The clubs whose members (or officers) have asked for a feed link."""
        query = select(FeedTokenRow.club_id).distinct().order_by(FeedTokenRow.club_id)
        async with self._sessions() as session:
            return list((await session.execute(query)).scalars())

    # --- the club page -------------------------------------------------------

    async def set_hidden(self, club_id: int, user_id: str, hidden: bool) -> None:
        async with self._sessions() as session, session.begin():
            if hidden:
                await insert_if_absent(
                    session, PageHiddenRow, {"club_id": club_id, "user_id": user_id}
                )
            else:
                await session.execute(
                    delete(PageHiddenRow).where(
                        PageHiddenRow.club_id == club_id, PageHiddenRow.user_id == user_id
                    )
                )

    async def hidden(self, club_id: int) -> set[str]:
        query = select(PageHiddenRow.user_id).where(PageHiddenRow.club_id == club_id)
        async with self._sessions() as session:
            return set((await session.execute(query)).scalars())

    # --- sign-in links and sessions -----------------------------------------

    async def signins_since(self, club_id: int, user_id: str, since: datetime) -> int:
        query = select(func.count()).where(
            SignInRow.club_id == club_id,
            SignInRow.user_id == user_id,
            SignInRow.created_at >= since,
        )
        async with self._sessions() as session:
            return int((await session.execute(query)).scalar_one())

    async def add_signin(
        self, club_id: int, user: User, *, now: datetime, lifetime: timedelta
    ) -> str:
        token = new_token()
        async with self._sessions() as session, session.begin():
            session.add(
                SignInRow(
                    digest=digest(token),
                    club_id=club_id,
                    created_at=now,
                    expires_at=now + lifetime,
                    **_who(user),
                )
            )
        return token

    async def use_signin(self, token: str, *, now: datetime) -> tuple[int, User] | None:
        """Spend a sign-in link: the first use before it expires wins, every other fails."""
        async with self._sessions() as session, session.begin():
            spent = await session.execute(
                update(SignInRow)
                .where(
                    SignInRow.digest == digest(token),
                    SignInRow.used_at.is_(None),
                    SignInRow.expires_at > now,
                )
                .values(used_at=now)
                .returning(SignInRow)
            )
            row = spent.scalar_one_or_none()
            return None if row is None else (row.club_id, _user(row))

    async def add_session(
        self, club_id: int, user: User, *, now: datetime, lifetime: timedelta
    ) -> tuple[str, WebSession]:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + lifetime
        async with self._sessions() as session, session.begin():
            await session.execute(delete(SessionRow).where(SessionRow.expires_at <= now))
            session.add(
                SessionRow(
                    digest=digest(token),
                    club_id=club_id,
                    csrf=csrf,
                    expires_at=expires,
                    **_who(user),
                )
            )
        return token, WebSession(club_id=club_id, user=user, csrf=csrf, expires_at=expires)

    async def session(self, token: str, *, now: datetime) -> WebSession | None:
        query = select(SessionRow).where(
            SessionRow.digest == digest(token), SessionRow.expires_at > now
        )
        async with self._sessions() as session:
            row = (await session.execute(query)).scalar_one_or_none()
        if row is None:
            return None
        return WebSession(
            club_id=row.club_id, user=_user(row), csrf=row.csrf, expires_at=row.expires_at
        )

    async def end_session(self, token: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(delete(SessionRow).where(SessionRow.digest == digest(token)))

    # --- the signing key -----------------------------------------------------

    async def key(self, name: str) -> str:
        """A random secret shared by every process on this database, made on first use
        (and never changed after: each process reads it once)."""
        if name not in self._keys:
            self._keys[name] = await self._read_key(name)
        return self._keys[name]

    async def _read_key(self, name: str) -> str:
        query = select(KeyRow.value).where(KeyRow.name == name)
        async with self._sessions() as session:
            found = (await session.execute(query)).scalar_one_or_none()
        if found is not None:
            return found
        async with self._sessions() as session, session.begin():
            row = {"name": name, "value": secrets.token_hex(32)}
            await insert_if_absent(session, KeyRow, row)
            return (await session.execute(query)).scalar_one()
