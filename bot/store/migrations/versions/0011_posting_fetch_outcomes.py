"""Each fetch of a postings source keeps its outcome (ok, unchanged, failed), for the
source-fetch figures of /metrics; a fetch whose process died keeps none.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posting_fetches") as table:
        table.add_column(sa.Column("outcome", sa.String(16), nullable=True))
    op.create_index("ix_posting_fetches_at", "posting_fetches", ["at"])


def downgrade() -> None:
    op.drop_index("ix_posting_fetches_at", table_name="posting_fetches")
    with op.batch_alter_table("posting_fetches") as table:
        table.drop_column("outcome")
