"""Mock-interview members, rounds, groups, question packs and feedback.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{table}.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "mockpair_members",
        sa.Column("club_id", sa.Integer(), _fk("clubs"), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("track", sa.String(32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("availability", sa.String(300), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("skip_until", sa.Date(), nullable=True),
        sa.Column("no_shows", sa.Integer(), nullable=False),
        sa.Column("trio_count", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "mockpair_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("club_id", sa.Integer(), _fk("clubs"), nullable=False),
        sa.Column("occurrence", sa.String(32), nullable=False),
        sa.Column("week_of", sa.Date(), nullable=False),
        sa.Column("ran_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("club_id", "occurrence"),
    )
    op.create_table(
        "mockpair_groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), _fk("mockpair_rounds"), nullable=False),
        sa.Column("club_id", sa.Integer(), _fk("clubs"), nullable=False),
        sa.Column("members", sa.String(300), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
    )
    op.create_index("ix_mockpair_groups_club_id", "mockpair_groups", ["club_id"])
    op.create_table(
        "mockpair_packs",
        sa.Column("club_id", sa.Integer(), _fk("clubs"), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("problem_id", sa.String(80), primary_key=True),
        sa.Column("group_id", sa.Integer(), _fk("mockpair_groups"), nullable=False),
    )
    op.create_table(
        "mockpair_feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("club_id", sa.Integer(), _fk("clubs"), nullable=False),
        sa.Column("group_id", sa.Integer(), _fk("mockpair_groups"), nullable=False),
        sa.Column("from_user", sa.String(64), nullable=False),
        sa.Column("about_user", sa.String(64), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("no_show", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("group_id", "from_user", "about_user"),
    )
    op.create_index("ix_mockpair_feedback_club_id", "mockpair_feedback", ["club_id"])


def downgrade() -> None:
    for table in ("mockpair_feedback", "mockpair_packs", "mockpair_groups", "mockpair_rounds"):
        op.drop_table(table)
    op.drop_table("mockpair_members")
