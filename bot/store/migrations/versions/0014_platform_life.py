"""What the bot learns about members from the platform (their rights as last seen, DMs
refused), and the day officers were last told about a channel pausing or resuming.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "members_learned",
        sa.Column(
            "club_id",
            sa.Integer(),
            sa.ForeignKey("clubs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("is_admin", sa.Boolean(), nullable=True),
        sa.Column("roles", sa.Text(), nullable=True),
        sa.Column("rights_at", sa.DateTime(), nullable=True),
        sa.Column("dm_refused_at", sa.DateTime(), nullable=True),
        sa.Column("dm_refusal", sa.String(300), nullable=True),
    )
    with op.batch_alter_table("channels") as channels:
        channels.add_column(sa.Column("noticed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channels") as channels:
        channels.drop_column("noticed_on")
    op.drop_table("members_learned")
