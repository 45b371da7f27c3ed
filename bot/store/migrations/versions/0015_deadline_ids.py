"""Club deadline ids are never reused on SQLite: a removed deadline's id (and so its
calendar UID, `club-{id}-…@clubbot`) would otherwise go to the next deadline added, and a
subscribed calendar would show the new date under the old event. PostgreSQL's sequences
never reuse a value; SQLite needs AUTOINCREMENT, which only a rebuilt table can have.

The rebuilt table's counter starts past every id the club deadlines ever had: the rows
left, and the ids the audit log names ("remove deadline 7"), so a deadline removed before
this migration is not reused either.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAMED = re.compile(r"(?:edit|remove) deadline (\d+)$")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "club_deadlines", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass
    actions = bind.execute(
        sa.text("SELECT action FROM audit_log WHERE action LIKE '% deadline %'")
    ).scalars()
    named = [int(found[1]) for a in actions if (found := _NAMED.match(a))]
    kept = bind.execute(sa.text("SELECT MAX(id) FROM club_deadlines")).scalar() or 0
    highest = max([kept, *named])
    if highest:
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'club_deadlines'"))
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('club_deadlines', :seq)"),
            {"seq": highest},
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "club_deadlines", recreate="always", table_kwargs={"sqlite_autoincrement": False}
    ):
        pass
