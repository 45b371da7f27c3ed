"""Club deadlines, deadline subscriptions, members' class years and per-member mutes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _club_id(*, primary_key: bool = False) -> sa.Column[int]:
    fk = sa.ForeignKey("clubs.id", ondelete="CASCADE")
    return sa.Column("club_id", sa.Integer(), fk, primary_key=primary_key, nullable=False)


def upgrade() -> None:
    op.create_table(
        "club_deadlines",
        sa.Column("id", sa.Integer(), primary_key=True),
        _club_id(),
        sa.Column("title", sa.String(150), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=True),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("url", sa.String(512), nullable=True),
        sa.Column("track", sa.String(32), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_club_deadlines_club_id", "club_deadlines", ["club_id"])
    op.create_table(
        "deadline_subscriptions",
        _club_id(primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("target", sa.String(80), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "deadline_mutes",
        _club_id(primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("window_key", sa.String(120), primary_key=True),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "deadline_profiles",
        _club_id(primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("class_year", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    for table in ("deadline_profiles", "deadline_mutes", "deadline_subscriptions"):
        op.drop_table(table)
    op.drop_table("club_deadlines")
