"""`clubbot db current|check|history|upgrade|downgrade`, and opening a database to read it.

Only `db upgrade`, `db downgrade` and the commands that run the bot change a schema; every
other command opens the database as it is and says so if it can't be used as it is.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings, sqlite_url
from bot.store import schema
from bot.store.db import downgrade, make_engine, make_sessions, sqlite_path, upgrade
from bot.store.saving import cannot_save, check_write
from bot.store.schema import SchemaError
from bot.store.store import Store

# `db check`'s exit statuses, for deploy scripts.
UP_TO_DATE, PENDING, CANNOT_TELL, CANNOT_WRITE = 0, 1, 2, 3


def database_url(args: argparse.Namespace, settings: Settings) -> str:
    return sqlite_url(args.db) if getattr(args, "db", None) else settings.database_url


def shown(url: str) -> str:
    """The URL without its password, or the SQLite file's path."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


async def open_existing(url: str) -> Store:
    """A store on a database that exists and is at this code's schema; nothing is created
    or migrated (a typo in --db is an error, not a new empty database)."""
    engine = make_engine(url)
    try:
        await _require_file(url)
        schema.require_head(await schema.current(engine), shown(url))
    except BaseException:
        await engine.dispose()
        raise
    return Store(engine)


async def _require_file(url: str) -> None:
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise SchemaError(f"there is no database at {path}; check --db or DATABASE_URL")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="the database schema: where it is, move it")
    actions = db.add_subparsers(required=True, metavar="ACTION")
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--db", help="SQLite file (default: DATABASE_URL or ./clubbot.db)")
    for name, run, text in (
        ("current", _current, "the revision the database is at"),
        (
            "check",
            _check,
            "exit 1 when a migration is pending, 3 when it can't be written, 0 when all is well",
        ),
        ("history", _history, "every migration, marking the database's"),
    ):
        actions.add_parser(name, parents=[where], help=text).set_defaults(run=run)
    up = actions.add_parser("upgrade", parents=[where], help="apply pending migrations")
    up.add_argument("--dry-run", action="store_true", help="list them, change nothing")
    up.set_defaults(run=_upgrade)
    down = actions.add_parser("downgrade", parents=[where], help="undo migrations after REV")
    down.add_argument("revision", metavar="REV", help="e.g. 0005 (see `db history`), or base")
    down.set_defaults(run=_downgrade)


async def _revision(url: str) -> str | None:
    """The database's revision, reading only; a missing SQLite file is an error."""
    await _require_file(url)
    engine = make_engine(url)
    try:
        return await schema.current(engine)
    finally:
        await engine.dispose()


async def _cannot_write(url: str) -> str | None:
    """Why the database can't be written (a read-only file, a full disk), by writing one
    row the way the bot would; None when it can."""
    engine = make_engine(url)
    try:
        await check_write(make_sessions(engine), datetime.now(UTC))
    except Exception as error:  # whatever the database says is the answer
        return cannot_save(error) or str(error).splitlines()[0][:200]
    finally:
        await engine.dispose()
    return None


def _pending(at: str | None) -> list[schema.Migration]:
    schema.require_known(at)
    return schema.between(at, schema.head()) if at != schema.head() else []


async def _current(args: argparse.Namespace, settings: Settings) -> int:
    url = database_url(args, settings)
    at = await _revision(url)
    pending = _pending(at)
    state = "no clubbot tables" if at is None else str(_named(at))
    if pending:
        print(f"{shown(url)}: {state}; {_count(pending)} pending (`clubbot db upgrade`)")
    else:
        print(f"{shown(url)}: {state} (up to date)")
    return 0


async def _check(args: argparse.Namespace, settings: Settings) -> int:
    url = database_url(args, settings)
    try:
        pending = _pending(await _revision(url))
    except SchemaError as error:
        print(f"clubbot db check: {error}", file=sys.stderr)
        return CANNOT_TELL
    if not pending:
        cannot = await _cannot_write(url)
        if cannot is not None:
            print(f"clubbot db check: {shown(url)} can't be written: {cannot}", file=sys.stderr)
            return CANNOT_WRITE
        print(f"{shown(url)} is up to date ({schema.head()}).")
        return UP_TO_DATE
    print(f"{shown(url)}: {_count(pending)} pending: {', '.join(str(m) for m in pending)}")
    return PENDING


async def _history(args: argparse.Namespace, settings: Settings) -> int:
    url = database_url(args, settings)
    try:
        at = await _revision(url)
    except SchemaError:
        at = None  # no database yet: the code's history is still worth showing
    for migration in schema.migrations():
        print(f"{migration}{'  <- the database' if migration.revision == at else ''}")
    if at is not None and not schema.known(at):
        print(f"{at} (unknown: written by a newer clubbot)  <- the database")
    return 0


async def _upgrade(args: argparse.Namespace, settings: Settings) -> int:
    url = database_url(args, settings)
    if args.dry_run:
        pending = _pending(await _revision(url))
        for migration in pending:
            print(f"would apply {migration}")
        print(f"{shown(url)}: {_count(pending)} to apply." if pending else "Nothing to apply.")
        return 0
    applied: list[str] = []
    _quietly()
    engine = make_engine(url)
    try:
        backup = await upgrade(engine, on_step=lambda rev, _up: applied.append(rev))
    finally:
        await engine.dispose()
    _report(backup, [f"applied {_named(r)}" for r in applied])
    print(("" if applied else "Nothing to apply: ") + f"{shown(url)} is up to date.")
    return 0


async def _downgrade(args: argparse.Namespace, settings: Settings) -> int:
    url = database_url(args, settings)
    await _require_file(url)
    undone: list[str] = []
    _quietly()
    engine = make_engine(url)
    try:
        backup = await downgrade(engine, args.revision, on_step=lambda rev, _up: undone.append(rev))
    finally:
        await engine.dispose()
    _report(backup, [f"reverted {_named(r)}" for r in undone])
    print(f"{shown(url)} is at {args.revision}" + ("." if undone else "; nothing to undo."))
    return 0


def _quietly() -> None:
    """These commands print what they did; the store's log of it would say it twice."""
    logging.getLogger("bot.store.db").setLevel(logging.WARNING)


def _report(backup: Path | None, steps: list[str]) -> None:
    if backup is not None:
        print(f"backed up to {backup}")
    for step in steps:
        print(step)


def _named(revision: str) -> schema.Migration | str:
    return next((m for m in schema.migrations() if m.revision == revision), revision)


def _count(pending: list[schema.Migration]) -> str:
    return f"{len(pending)} migration{'s' if len(pending) != 1 else ''}"
