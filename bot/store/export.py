"""A club's whole state as JSON, and back: config, deadlines, members, solves, pairing history.

Generic over the schema: every table with a `club_id` belongs to a club, so a
table added by a later feature is exported with no change here. On import, row
ids are given anew by the target database and foreign keys are rewritten to
match, so a club can move into a database that already holds other clubs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Integer, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.models import Base, UTCDateTime
from bot.store.store import Store

FORMAT = "clubbot-export/1"


class ImportRefused(ValueError):
    """The file is not an export this version can read, or the club already exists."""


_CLUBS: Table = Base.metadata.tables["clubs"]


def _club_tables() -> list[Table]:
    """Tables holding one club's rows, parents before children; a table marked
    `info={"export": False}` (sign-in links, sessions: short-lived secrets) stays behind."""
    return [
        t for t in Base.metadata.sorted_tables if "club_id" in t.c and t.info.get("export", True)
    ]


async def export_club(store: Store, club_id: int) -> dict[str, Any]:
    async with store.engine.connect() as connection:
        club = (
            (await connection.execute(select(_CLUBS).where(_CLUBS.c.id == club_id)))
            .mappings()
            .first()
        )
        if club is None:
            raise ImportRefused(f"there is no club {club_id}")
        tables = {t.name: await _rows(connection, t, club_id) for t in _club_tables()}
    return {"format": FORMAT, "club": _encode(dict(club)), "tables": tables}


async def _rows(connection: AsyncConnection, table: Table, club_id: int) -> list[dict[str, Any]]:
    order = list(table.primary_key.columns)
    result = await connection.execute(
        select(table).where(table.c.club_id == club_id).order_by(*order)
    )
    return [_encode(dict(row)) for row in result.mappings()]


def _encode(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in row.items()}


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for name, value in row.items():
        column = table.c[name]
        if value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        elif value is not None and isinstance(column.type, Boolean):
            value = bool(value)
        decoded[name] = value
    return decoded


async def import_club(store: Store, data: dict[str, Any]) -> int:
    """Create the exported club in `store`, in one transaction; returns its new id."""
    if data.get("format") != FORMAT:
        raise ImportRefused(f"not a {FORMAT} file")
    clubs = _CLUBS
    club = _decode(clubs, data["club"])
    async with store.engine.begin() as connection:
        existing = await connection.scalar(
            select(clubs.c.id).where(
                clubs.c.platform == club["platform"], clubs.c.workspace_id == club["workspace_id"]
            )
        )
        if existing is not None:
            raise ImportRefused(
                f"{club['platform']} workspace {club['workspace_id']} already has a club "
                f"(id {existing}) in this database"
            )
        old_id = club.pop("id")
        inserted = (await connection.execute(clubs.insert().values(**club))).inserted_primary_key
        assert inserted is not None
        club_id = int(inserted[0])
        new_ids: dict[str, dict[Any, Any]] = {"clubs": {old_id: club_id}}
        for table in _club_tables():
            for row in data["tables"].get(table.name, []):
                await _insert(connection, table, _decode(table, row), new_ids)
    return club_id


async def _insert(
    connection: AsyncConnection,
    table: Table,
    row: dict[str, Any],
    new_ids: dict[str, dict[Any, Any]],
) -> None:
    for column in table.c:
        for key in column.foreign_keys:
            target = key.column.table.name
            if row.get(column.name) is not None and target in new_ids:
                row[column.name] = new_ids[target][row[column.name]]
    surrogate = _surrogate_key(table)
    old = row.pop(surrogate) if surrogate else None
    result = await connection.execute(table.insert().values(**row))
    if surrogate:
        assert result.inserted_primary_key is not None
        new_ids.setdefault(table.name, {})[old] = result.inserted_primary_key[0]


def _surrogate_key(table: Table) -> str | None:
    """The autoincrement id the target database gives anew, if the table has one."""
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and keys[0].name == "id" and isinstance(keys[0].type, Integer):
        return "id"
    return None
