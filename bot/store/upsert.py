"""INSERT ... ON CONFLICT DO NOTHING, which SQLite and PostgreSQL spell alike but build apart."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_if_absent(
    session: AsyncSession, row_type: type[DeclarativeBase], values: dict[str, Any]
) -> bool:
    """Insert `values` unless a row with the same unique key exists; True if inserted."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = row_type.__table__
    statement = insert(row_type).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement.returning(*table.primary_key))
    return result.first() is not None
