"""Alembic environment: always handed a live connection by bot.store.db."""

from alembic import context
from sqlalchemy import text

from bot.store.models import Base

connection = context.config.attributes["connection"]
# bot.store.schema.run_alembic listens here to report each migration it applied.
listener = context.config.attributes.get("on_version_apply")
if connection.dialect.name == "postgresql":
    # Several processes may start at once: one migrates, the others wait.
    connection.execute(text("SELECT pg_advisory_xact_lock(72461)"))
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    on_version_apply=listener,
)
with context.begin_transaction():
    context.run_migrations()
