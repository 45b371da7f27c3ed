"""The web side: calendar feed tokens, leaderboard opt-outs, dashboard sign-in links and
sessions, and the key that signs the links.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _club() -> sa.Column[int]:
    return sa.Column(
        "club_id", sa.Integer(), sa.ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False
    )


def _who() -> list[sa.Column[object]]:
    return [
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "web_feed_tokens",
        sa.Column("token", sa.String(32), primary_key=True),
        _club(),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("club_id", "user_id"),
    )
    op.create_table(
        "web_page_hidden",
        sa.Column(
            "club_id",
            sa.Integer(),
            sa.ForeignKey("clubs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.String(64), primary_key=True),
    )
    op.create_table(
        "web_signins",
        sa.Column("digest", sa.String(64), primary_key=True),
        _club(),
        *_who(),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_web_signins_user", "web_signins", ["club_id", "user_id", "created_at"])
    op.create_table(
        "web_sessions",
        sa.Column("digest", sa.String(64), primary_key=True),
        _club(),
        *_who(),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "web_keys",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
    )


def downgrade() -> None:
    for table in ("web_keys", "web_sessions", "web_signins", "web_page_hidden", "web_feed_tokens"):
        op.drop_table(table)
