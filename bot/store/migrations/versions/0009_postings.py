"""Live postings: sources and their health, the deployment's fetch claims, postings, what
each club was told, and who follows which company.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _club() -> sa.Column[int]:
    return sa.Column(
        "club_id",
        sa.Integer(),
        sa.ForeignKey("clubs.id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "posting_sources",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.String(300), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("last_ok_at", sa.DateTime(), nullable=True),
        sa.Column("failing_since", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("entries", sa.Integer(), nullable=False),
    )
    op.create_table(
        "posting_fetches",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("slot", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "postings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("ext_id", sa.String(200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("company_key", sa.String(200), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("locations", sa.Text(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("degrees", sa.Text(), nullable=False),
        sa.Column("sponsorship", sa.String(60), nullable=False),
        sa.Column("category", sa.String(80), nullable=False),
        sa.Column("posted_at", sa.DateTime(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("signature", sa.String(32), nullable=False),
        sa.UniqueConstraint("source", "ext_id"),
    )
    op.create_index("ix_postings_first_seen", "postings", ["first_seen_at"])
    op.create_index("ix_postings_company_key", "postings", ["company_key"])
    op.create_table(
        "posting_announcements",
        _club(),
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("ext_id", sa.String(200), primary_key=True),
        sa.Column("occurrence", sa.String(32), nullable=False),
    )
    op.create_table(
        "posting_follows",
        _club(),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("company_key", sa.String(200), primary_key=True),
        sa.Column("company", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "posting_follows",
        "posting_announcements",
        "postings",
        "posting_fetches",
        "posting_sources",
    ):
        op.drop_table(table)
