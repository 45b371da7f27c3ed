"""A covering index for the leaderboard's totals: a club's solves added up per member from
the index alone, without a read of the table per solve.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_solves_club_user_totals",
        "solves",
        ["club_id", "user_id", "day", "difficulty", "name"],
    )


def downgrade() -> None:
    op.drop_index("ix_solves_club_user_totals", table_name="solves")
