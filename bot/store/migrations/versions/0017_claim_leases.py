"""Faults and growth (issue 27): whether a failed post may have gone out anyway (a timeout:
its retry looks before posting again); an index for a club's recent claims, so reading them
stays flat as the table grows; a one-row table every write check updates (`/healthz`,
`clubbot db check`, the scheduler), since only a real write shows a full disk.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims") as claims:
        claims.add_column(
            sa.Column("post_in_doubt", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index("ix_claims_club_due", "claims", ["club_id", "due_at"])
    op.create_table(
        "store_write_checks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("store_write_checks")
    op.drop_index("ix_claims_club_due", table_name="claims")
    with op.batch_alter_table("claims") as claims:
        claims.drop_column("post_in_doubt")
