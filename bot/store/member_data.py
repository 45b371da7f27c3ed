"""What the bot holds about one member, and the two things a member may ask of it: a copy
of everything (`held`) and its erasure (`erase`).

Every feature declares its member data in one place (`MemberData`: for each table, the
column that names a member and what erasing them does to a row, and the tables that hold
nobody's data); the composition root assembles the declarations into a `Registry`, and
`undeclared` names any table of the schema no declaration covers (a test holds it to none),
so a table added later must say what it holds about members. The core declares its own tables below.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TypeAlias

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Delete,
    Integer,
    MetaData,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal_column,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.models import Base, ClubRow

# How a column names a member: its whole value; its end after a colon (a DM's claim, e.g.
# "2026-11-16:closing:U123"); one of the member's display names; one word of a
# space-separated list of ids (a pairing group).
Match = Literal["equal", "suffix", "name", "listed"]
# What erasing the member does to a matching row: delete it; overwrite the `blanks` columns
# (the row is the club's, e.g. an audit entry); take the id out of the list (a list left
# empty deletes the row).
Erase = Literal["row", "blank", "drop"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberColumn:
    table: str
    column: str
    what: str  # what the rows are, as the member reads it: "your applications"
    match: Match = "equal"
    erase: Erase = "row"
    blanks: tuple[tuple[str, str], ...] = ()
    # Columns left out of the member's copy (another member's id).
    hidden: tuple[str, ...] = ()
    # Columns of the matched rows holding the member's display name (for `match="name"`).
    names: tuple[str, ...] = ()
    # Only rows with one of these values in these columns, e.g. (("action", ("add officer",)),).
    only: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Erasing these rows changes the club's configuration (its officers).
    config: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberData:
    """One feature's declaration: where it keeps members' data, and its other tables."""

    owner: str
    columns: tuple[MemberColumn, ...] = ()
    none: tuple[str, ...] = ()  # its tables that hold no member's data


Registry: TypeAlias = tuple[MemberData, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    club_id: int
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Counted:
    """How many rows of one table are about the member."""

    table: str
    what: str
    rows: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Held:
    """One table's rows about the member."""

    table: str
    what: str
    rows: tuple[dict[str, Any], ...]


def undeclared(registry: Registry, metadata: MetaData = Base.metadata) -> list[str]:
    """The tables of the schema no declaration covers (tests/core/test_member_data.py
    holds the schema to none)."""
    declared = {c.table for d in registry for c in d.columns} | {
        t for d in registry for t in d.none
    }
    return sorted(set(metadata.tables) - declared)


def check_registry(registry: Registry, metadata: MetaData = Base.metadata) -> None:
    """Each table declared by one owner, with columns that exist."""
    owners: dict[str, str] = {}
    for data in registry:
        for table in {c.table for c in data.columns} | set(data.none):
            if owners.setdefault(table, data.owner) != data.owner:
                raise ValueError(f"{table} is declared by {owners[table]} and {data.owner}")
        for column in data.columns:
            if column.table in data.none:
                raise ValueError(f"{data.owner}: {column.table} holds member data and none")
            known = metadata.tables.get(column.table)
            wanted = {column.column, *column.hidden, *column.names, *(c for c, _ in column.blanks)}
            wanted |= {c for c, _ in column.only}
            if known is None or not wanted <= set(known.c.keys()):
                raise ValueError(
                    f"{data.owner}: {column.table}.{column.column} is not in the schema"
                )


async def held(engine: AsyncEngine, registry: Registry, member: Member) -> list[Held]:
    """Every row the registry's columns find about the member, per table, other members'
    ids left out; tables with nothing are not listed. Two statements and one per column
    that finds rows: the member's names, which columns find any, their rows."""
    found: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
    whats: dict[str, list[str]] = {}
    columns = tuple(_columns(registry))
    async with engine.connect() as connection:
        values = await _values(connection, columns, member)
        for column in await _finding(connection, columns, values):
            table = _table(column.table)
            keys = list(table.primary_key.columns)
            for row in (await connection.execute(_select(column), values)).mappings():
                kept = {k: _plain(v) for k, v in row.items() if k not in column.hidden}
                found.setdefault(column.table, {})[tuple(row[k.name] for k in keys)] = kept
            whats.setdefault(column.table, []).append(column.what)
    return [
        Held(table=name, what=_what(whats[name]), rows=tuple(rows.values()))
        for name, rows in found.items()
    ]


def _what(whats: list[str]) -> str:
    """What a table's rows are, said by each of its columns that found some: a former
    officer's audit entries are "club changes you made as an officer; club changes that
    named you", not only the first."""
    return "; ".join(whats)


async def counted(engine: AsyncEngine, registry: Registry, member: Member) -> list[Counted]:
    """How many rows of each table `held` would list, in two statements (what a member
    is asked to confirm before `erase`): a row that several columns find counts once."""
    columns = tuple(_columns(registry))
    async with engine.connect() as connection:
        values = await _values(connection, columns, member)
        rows = (await connection.execute(_count_query(columns), values)).all()
    # Named and ordered as `held` lists them: by the columns that find rows, the first first.
    found = sorted(([n for n in sorted(flags) if n >= 0], count) for count, *flags in rows if count)
    return [
        Counted(table=columns[ns[0]].table, what=_what([columns[n].what for n in ns]), rows=count)
        for ns, count in found
    ]


async def erase(engine: AsyncEngine, registry: Registry, member: Member) -> dict[str, int]:
    """Erase the member in one transaction: rows deleted, blanked or taken off a list, per
    table (only tables where something changed). The columns that find nothing are found
    first, in one statement, and left alone."""
    changed: dict[str, int] = {}
    config = False
    columns = tuple(_columns(registry))
    async with engine.begin() as connection:
        values = await _values(connection, columns, member)
        for column in await _finding(connection, columns, values):
            count = await _erase(connection, column, values)
            if count:
                changed[column.table] = changed.get(column.table, 0) + count
                config = config or column.config
        if config:  # commands' cached club snapshots (its officers) are read again
            await connection.execute(
                update(ClubRow)
                .where(ClubRow.id == member.club_id)
                .values(config_version=ClubRow.config_version + 1)
            )
    return changed


async def _erase(connection: AsyncConnection, column: MemberColumn, values: dict[str, Any]) -> int:
    if column.erase == "row":
        return _count(await connection.execute(_delete(column), values))
    if column.erase == "blank":
        return _count(await connection.execute(_blank(column), values))
    return await _drop_from_lists(connection, column, values)


async def _drop_from_lists(
    connection: AsyncConnection, column: MemberColumn, values: dict[str, Any]
) -> int:
    table, name = _table(column.table), column.column
    keys = list(table.primary_key.columns)
    listed = select(*keys, table.c[name]).where(_matching(column))
    rows = (await connection.execute(listed, values)).all()
    for row in rows:
        key = and_(*(k == row[i] for i, k in enumerate(keys)))
        left = [word for word in str(row[-1]).split() if word != values["m_user"]]
        if left:
            await connection.execute(update(table).where(key).values({name: " ".join(left)}))
        else:
            await connection.execute(delete(table).where(key))
    return len(rows)


async def _values(
    connection: AsyncConnection, columns: tuple[MemberColumn, ...], member: Member
) -> dict[str, Any]:
    """The statements' parameters: the member, the patterns that find their id in a DM's
    claim or in a list, and the display names the bot keeps for them (members' and
    officers' rows..., read in one statement)."""
    user = _escaped(member.user_id)
    values: dict[str, Any] = {
        "m_club": member.club_id,
        "m_user": member.user_id,
        "m_suffix": f"%:{user}",
        "m_first": f"{user} %",
        "m_last": f"% {user}",
        "m_inside": f"% {user} %",
        "m_names": [],
    }
    named = _names_query(columns)
    if named is not None:
        rows = await connection.execute(named, values)
        values["m_names"] = sorted({str(v) for (v,) in rows if v})
    return values


async def _finding(
    connection: AsyncConnection, columns: tuple[MemberColumn, ...], values: dict[str, Any]
) -> list[MemberColumn]:
    """The columns that find any row about the member, in one statement."""
    found = {n for (n,) in await connection.execute(_any_query(columns), values)}
    return [c for n, c in enumerate(columns) if n in found]


# Each statement is built once per declaration, with the member as its parameters.


@functools.cache
def _matching(column: MemberColumn) -> ColumnElement[bool]:
    table = _table(column.table)
    value = table.c[column.column]
    where: list[ColumnElement[bool]] = []
    if "club_id" in table.c:
        where.append(table.c.club_id == bindparam("m_club"))
    if column.match == "equal":
        where.append(value == bindparam("m_user"))
    elif column.match == "suffix":
        where.append(value.like(bindparam("m_suffix"), escape="\\"))
    elif column.match == "listed":
        patterns: tuple[Any, ...] = (
            bindparam("m_first"),
            bindparam("m_last"),
            bindparam("m_inside"),
        )
        where.append(
            or_(value == bindparam("m_user"), *(value.like(p, escape="\\") for p in patterns))
        )
    else:  # no names known: an empty IN, which finds nothing
        where.append(value.in_(bindparam("m_names", expanding=True)))
    where += [table.c[name].in_(values) for name, values in column.only]
    return and_(*where)


@functools.cache
def _select(column: MemberColumn) -> Select[Any]:
    table = _table(column.table)
    return select(table).where(_matching(column)).order_by(*table.primary_key.columns)


@functools.cache
def _delete(column: MemberColumn) -> Delete:
    return delete(_table(column.table)).where(_matching(column))


@functools.cache
def _blank(column: MemberColumn) -> Update:
    return update(_table(column.table)).where(_matching(column)).values(**dict(column.blanks))


@functools.cache
def _names_query(columns: tuple[MemberColumn, ...]) -> CompoundSelect[Any] | None:
    """The member's display names, from every column that keeps them (not those found by
    a name: no name is known yet)."""
    selects = [
        select(_table(c.table).c[name].label("name")).where(_matching(c))
        for c in columns
        if c.names and c.match != "name"
        for name in c.names
    ]
    return union_all(*selects) if selects else None


@functools.cache
def _count_query(columns: tuple[MemberColumn, ...]) -> CompoundSelect[Any]:
    """Per table, the rows that any of its columns finds, then for each of its columns its
    number in `columns` if it finds one, else -1 (as many as the table with the most
    columns has: -1 for the others)."""
    by_table: dict[str, list[tuple[int, MemberColumn]]] = {}
    for n, column in enumerate(columns):
        by_table.setdefault(column.table, []).append((n, column))
    widest = max(len(mine) for mine in by_table.values())
    selects = []
    for mine in by_table.values():
        flags: list[Any] = [func.max(case((_matching(c), n), else_=-1)) for n, c in mine]
        flags += [literal_column("-1", Integer)] * (widest - len(mine))
        found = or_(*(_matching(c) for _, c in mine))
        selects.append(select(func.count(), *flags).where(found))
    return union_all(*selects)


@functools.cache
def _any_query(columns: tuple[MemberColumn, ...]) -> CompoundSelect[Any]:
    """The number in `columns` of each column that finds a row."""
    return union_all(
        *(
            select(literal_column(str(n), Integer).label("n")).where(
                exists().where(_matching(column))
            )
            for n, column in enumerate(columns)
        )
    )


def _columns(registry: Registry) -> Iterable[MemberColumn]:
    return (column for data in registry for column in data.columns)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def tables_of(registry: Registry) -> Sequence[str]:
    """The tables that hold member data, in declaration order."""
    return list(dict.fromkeys(c.table for c in _columns(registry)))


# --- the core's own tables -----------------------------------------------------------------

_FORMER = "a former member"

CORE_MEMBER_DATA = MemberData(
    owner="core",
    columns=(
        MemberColumn(
            table="members",
            column="user_id",
            what="when you first and last used the bot here",
            names=("name",),
        ),
        MemberColumn(
            table="members_learned",
            column="user_id",
            what="what the platform told me about you: your rights as last seen, refused DMs",
        ),
        MemberColumn(
            table="officers",
            column="user_id",
            what="your place on the club's officer list",
            names=("name",),
            config=True,
        ),
        MemberColumn(
            table="officers",
            column="added_by",
            what="officers you added",
            erase="blank",
            blanks=(("added_by", ""),),
            hidden=("user_id", "name"),
        ),
        MemberColumn(
            table="audit_log",
            column="actor_id",
            what="club changes you made as an officer",
            erase="blank",
            blanks=(("actor_id", ""), ("actor_name", _FORMER)),
        ),
        MemberColumn(
            table="audit_log",
            column="detail",
            what="club changes that named you",
            match="name",
            erase="blank",
            blanks=(("detail", _FORMER),),
            only=(("action", ("add officer", "remove officer")),),
            hidden=("actor_id", "actor_name"),
        ),
        MemberColumn(
            table="claims",
            column="occurrence",
            what="the record of direct messages sent to you",
            match="suffix",
        ),
    ),
    none=("clubs", "channels", "club_settings", "store_write_checks", "data_versions"),
)
