"""Club settings for features; claim keys wide enough for per-member DMs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "club_settings",
        sa.Column(
            "club_id",
            sa.Integer(),
            sa.ForeignKey("clubs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    # batch mode: SQLite cannot ALTER a column's type in place, so Alembic copies the table.
    with op.batch_alter_table("claims") as batch:
        batch.alter_column("kind", type_=sa.String(64), existing_type=sa.String(32))
        batch.alter_column("occurrence", type_=sa.String(200), existing_type=sa.String(32))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.alter_column("occurrence", type_=sa.String(32), existing_type=sa.String(200))
        batch.alter_column("kind", type_=sa.String(32), existing_type=sa.String(64))
    op.drop_table("club_settings")
