"""Applications: each member's applications (company, role, link, kind, the program or
posting it went to, its stage) and their settings (counted in the club's totals, follow-ups).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _club(*, primary_key: bool) -> sa.Column[int]:
    return sa.Column(
        "club_id",
        sa.Integer(),
        sa.ForeignKey("clubs.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), primary_key=True),
        _club(primary_key=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("season", sa.Integer(), nullable=False),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("role", sa.String(200), nullable=False),
        sa.Column("link", sa.String(512), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("category_from", sa.String(16), nullable=False),
        sa.Column("program", sa.String(80), nullable=True),
        sa.Column("window_key", sa.String(120), nullable=True),
        sa.Column("posting_id", sa.Integer(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("furthest", sa.String(16), nullable=False),
        sa.Column("news_on", sa.Date(), nullable=False),
        sa.Column("nudged_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("club_id", "user_id", "number"),
    )
    op.create_index("ix_applications_club_season", "applications", ["club_id", "season"])
    op.create_index("ix_applications_club_news", "applications", ["club_id", "news_on"])
    op.create_table(
        "application_members",
        _club(primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("nudges", sa.Boolean(), nullable=False),
        sa.Column("season_end_told", sa.Integer(), nullable=True),
        sa.Column("since", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("application_members")
    op.drop_index("ix_applications_club_news", table_name="applications")
    op.drop_index("ix_applications_club_season", table_name="applications")
    op.drop_table("applications")
