"""What the code's migrations are, which one a database is at, and moving it between them.

The operator's questions (is anything pending? what did the upgrade do? was this database
written by a newer clubbot?) are answered here, in our own words; Alembic's errors such as
"Can't locate revision identified by '0009'" never reach them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaError(Exception):
    """A database the command cannot use as it is; the message says what to do."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Migration:
    revision: str
    title: str  # from its docstring

    def __str__(self) -> str:
        return f"{self.revision} {self.title}"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def migrations() -> tuple[Migration, ...]:
    """The code's migrations, oldest first (the history is one line, no branches)."""
    scripts = ScriptDirectory.from_config(_config())
    newest_first = scripts.walk_revisions()
    return tuple(
        Migration(revision=s.revision, title=_title(s.doc or ""))
        for s in reversed(list(newest_first))
    )


def _title(doc: str) -> str:
    """The docstring's first sentence, cut at a comma if it runs past a line."""
    sentence = " ".join(doc.split("\n\n")[0].split()).split(". ")[0].rstrip(".")
    while len(sentence) > 80 and ", " in sentence:
        sentence = sentence.rsplit(", ", 1)[0]
    return sentence


def head() -> str:
    return migrations()[-1].revision


def known(revision: str) -> bool:
    return any(m.revision == revision for m in migrations())


def between(start: str | None, end: str) -> list[Migration]:
    """The migrations after `start` (None: an empty database) up to and including `end`."""
    order = [m.revision for m in migrations()]
    first = 0 if start is None else order.index(start) + 1
    return list(migrations()[first : order.index(end) + 1])


async def current(engine: AsyncEngine) -> str | None:
    """The revision the database is at; None when it has no clubbot schema (nothing is
    created to find out: Alembic only reads alembic_version if it exists)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def newer_database(revision: str) -> SchemaError:
    return SchemaError(
        f"this database was written by a newer clubbot ({revision}); "
        "upgrade clubbot or restore a backup"
    )


def require_known(revision: str | None) -> None:
    if revision is not None and not known(revision):
        raise newer_database(revision)


def require_head(revision: str | None, name: str) -> None:
    """For commands that only read: the database must be exactly what this code expects."""
    if revision is None:
        raise SchemaError(f"{name} has no clubbot tables; `clubbot db upgrade` creates them")
    require_known(revision)
    if revision != head():
        raise SchemaError(
            f"{name} is at {revision} and this clubbot needs {head()}: run `clubbot db upgrade`"
        )


# Called by Alembic for each migration step it runs: (revision, True for up / False for down).
StepListener = Callable[[str, bool], None]


def run_alembic(
    connection: Connection, action: str, revision: str, on_step: StepListener | None
) -> None:
    """Run `alembic upgrade|downgrade revision` on an open connection (sync side)."""
    config = _config(connection)

    def listen(*, step: Any, **_: Any) -> None:
        if on_step is not None and step.up_revision_id is not None:
            on_step(step.up_revision_id, step.is_upgrade)

    config.attributes["on_version_apply"] = listen
    getattr(command, action)(config, revision)
