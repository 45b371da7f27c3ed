"""Pairing: a group keeps up to three candidate half hours on different days (its `slot`
stays the first of them), and a no-show report may come without a rating.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mockpair_groups") as table:
        table.add_column(
            sa.Column("candidate_slots", sa.String(40), nullable=False, server_default="")
        )
    with op.batch_alter_table("mockpair_feedback") as table:
        table.alter_column("rating", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE mockpair_feedback SET rating = 0 WHERE rating IS NULL")
    with op.batch_alter_table("mockpair_feedback") as table:
        table.alter_column("rating", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("mockpair_groups") as table:
        table.drop_column("candidate_slots")
