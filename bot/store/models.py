"""The tables. Instants are stored as naive UTC and read back as aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

CHANNEL_PURPOSES = ("deadlines", "problems", "pairing", "alerts")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in Python, naive UTC in the database, the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class ClubRow(Base):
    __tablename__ = "clubs"
    __table_args__ = (UniqueConstraint("platform", "workspace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    officer_role_id: Mapped[str | None] = mapped_column(String(64))
    digest_weekday: Mapped[int] = mapped_column(default=0)
    digest_time: Mapped[str] = mapped_column(String(5), default="09:00")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Bumped by every change to the club's configuration (this row, its channels,
    # officers and settings): a cached snapshot is good while the version is the same.
    config_version: Mapped[int] = mapped_column(default=0, server_default="0")


class ChannelRow(Base):
    """The channel a club uses for one purpose; `broken_*` is set when the platform refuses it."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("club_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(64))
    channel_name: Mapped[str] = mapped_column(String(100))
    broken_reason: Mapped[str | None] = mapped_column(String(300))
    broken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The club-local day officers were last told about this channel pausing or resuming:
    # at most one such notice a day, however often access comes and goes.
    noticed_on: Mapped[date | None] = mapped_column(Date())


class ClubSettingRow(Base):
    """A feature's setting for one club (daily-problem time, reminder lead times...).

    Features keep their knobs here as text, parsed and validated by the feature,
    so adding a knob needs no migration; an absent row means the default.
    """

    __tablename__ = "club_settings"

    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class OfficerRow(Base):
    __tablename__ = "officers"

    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MemberRow(Base):
    __tablename__ = "members"

    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditRow(Base):
    """Every admin change: who, what, when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_club_at", "club_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ClaimRow(Base):
    """One scheduled occurrence, claimed before anything is posted.

    The unique key is what makes a post exactly-once: across DST double-fires,
    restarts and several processes, only the insert that wins may post.
    """

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("club_id", "kind", "occurrence"),
        Index("ix_claims_status_due", "status", "due_at"),
        # A club's recent claims (`since`), read without touching its older ones.
        Index("ix_claims_club_due", "club_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    # Wide enough for a per-member DM's occurrence, e.g. "2027-03-01:amazon-sde:2027:3d:U123".
    occurrence: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=1)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_ref: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(String(500))
    # A failed attempt that may have posted all the same (a timeout: the request may have
    # reached the platform): its retry looks for the post before posting again.
    post_in_doubt: Mapped[bool] = mapped_column(default=False, server_default=false())


class WriteCheckRow(Base):
    """One row that every write check updates: only a real write shows a full disk."""

    __tablename__ = "store_write_checks"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class DataVersionRow(Base):
    """A counter that every write of one kind of shared data bumps in its transaction (the
    postings, by each poll that changes them): a process keeps what it read of that data
    until the counter moves, whichever process wrote."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
