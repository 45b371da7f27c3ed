"""INSERT ... ON CONFLICT, which SQLite and PostgreSQL spell alike but build apart."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Column, Row, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def dialect_name(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def dialect_insert(dialect: str) -> Callable[[Any], postgresql.Insert | sqlite.Insert]:
    """The `insert` of `dialect`, the one that has `on_conflict_do_*`."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def insert_if_absent(
    session: AsyncSession, row_type: type[DeclarativeBase], values: dict[str, Any]
) -> bool:
    """Insert `values` unless a row with the same unique key exists; True if inserted."""
    return bool(await insert_many_if_absent(session, row_type, [values]))


async def insert_many_if_absent(
    session: AsyncSession,
    row_type: type[DeclarativeBase],
    rows: Sequence[dict[str, Any]],
    returning: Iterable[Any] | None = None,
) -> list[Row[Any]]:
    """Insert each of `rows` unless a row with its unique key exists, in one statement;
    returns the `returning` columns (default: the primary key) of the rows inserted."""
    if not rows:
        return []
    table = cast(Table, row_type.__table__)
    columns = tuple(returning if returning is not None else table.primary_key)
    # One statement executed with many parameter sets: SQLAlchemy batches them into
    # multi-row INSERTs ("insertmanyvalues") and compiles the statement once.
    statement = _insert_absent(dialect_name(session), table, columns)
    result = await session.execute(statement, list(rows))
    return list(result.all())


# Each (dialect, table, returned columns)'s statement, built once: building it took about
# as long as a small insert runs (a claim, a DM's record, a member seen).
_BUILT: dict[tuple[str, Table, tuple[str, ...]], Any] = {}


def _insert_absent(dialect: str, table: Table, columns: tuple[Any, ...]) -> Any:
    names = tuple(c.key if isinstance(c, Column) and c.table is table else "" for c in columns)
    key = (dialect, table, names)
    built = _BUILT.get(key) if all(names) else None
    if built is None:
        built = dialect_insert(dialect)(table).on_conflict_do_nothing().returning(*columns)
        if all(names):
            _BUILT[key] = built
    return built
