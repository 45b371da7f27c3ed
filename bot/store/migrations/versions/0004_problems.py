"""Daily problem posts and solves.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "problem_posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "club_id", sa.Integer(), sa.ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("problem_id", sa.String(80), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("posted_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("club_id", "day"),
    )
    op.create_index("ix_problem_posts_club_problem", "problem_posts", ["club_id", "problem_id"])
    op.create_table(
        "solves",
        sa.Column(
            "club_id",
            sa.Integer(),
            sa.ForeignKey("clubs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("problem_id", sa.String(80), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("difficulty", sa.String(8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("solved_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_solves_club_day", "solves", ["club_id", "day"])


def downgrade() -> None:
    op.drop_table("solves")
    op.drop_table("problem_posts")
