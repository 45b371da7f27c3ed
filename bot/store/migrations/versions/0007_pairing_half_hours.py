"""Pairing slots in half hours: a group's first common slot is counted in half hours
after the round's Monday 00:00 UTC (it was whole hours), so half-hour zones meet exactly.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE mockpair_groups SET slot = slot * 2 WHERE slot IS NOT NULL")


def downgrade() -> None:
    op.execute("UPDATE mockpair_groups SET slot = slot / 2 WHERE slot IS NOT NULL")
