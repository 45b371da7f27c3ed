"""Each member's running total of counted solves, for the all-time leaderboard, counted
from the solves already recorded (points as the bank gives them: easy 1, medium 3,
hard 5; the name of the member's latest solve).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "solve_totals",
        sa.Column(
            "club_id",
            sa.Integer(),
            sa.ForeignKey("clubs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("solves", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
    )
    op.execute(
        """
        INSERT INTO solve_totals (club_id, user_id, name, points, solves, last_day)
        SELECT s.club_id, s.user_id,
               (SELECT l.name FROM solves l
                 WHERE l.club_id = s.club_id AND l.user_id = s.user_id
                 ORDER BY l.solved_at DESC, l.day DESC LIMIT 1),
               SUM(CASE s.difficulty WHEN 'easy' THEN 1 WHEN 'medium' THEN 3
                                     WHEN 'hard' THEN 5 ELSE 0 END),
               COUNT(*), MAX(s.day)
          FROM solves s
         GROUP BY s.club_id, s.user_id
        """
    )


def downgrade() -> None:
    op.drop_table("solve_totals")
