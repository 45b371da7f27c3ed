"""Expected failures in an operator's words: one or two lines saying what to do.

A database that is down, a refused token, no network: these are not bugs, and a traceback
of 76 lines hides the one that matters. `explain` returns None for anything else, which
the caller lets surface with its traceback. Platform SDKs' errors are recognised only if
the SDK was loaded, so `clubbot console` never imports one to look.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from adapters.connecting import GaveUp
from bot.store.schema import SchemaError


def explain(error: BaseException, database_url: str) -> str | None:
    """What went wrong and what to do, or None for an unexpected error."""
    for link in _chain(error):
        for reading in _READINGS:
            text = reading(link, database_url)
            if text is not None:
                return text
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and those it was raised from or during, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _where(database_url: str) -> str:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"the SQLite file {url.database}"
    return f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def _schema(error: BaseException, database_url: str) -> str | None:
    return str(error) if isinstance(error, SchemaError) else None


def _database(error: BaseException, database_url: str) -> str | None:
    if isinstance(error, sqlite3.OperationalError | sqlite3.DatabaseError):
        return f"can't use {_where(database_url)}: {error}; check the path and its folder"
    if isinstance(error, DBAPIError):
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        return f"{_where(database_url)} refused: {reason}; check DATABASE_URL"
    if isinstance(error, OSError | TimeoutError) and "sqlalchemy" in _origin(error):
        why = getattr(error, "strerror", None) or error
        return f"can't reach {_where(database_url)} ({why}); is it running? check DATABASE_URL"
    return None


def _origin(error: BaseException) -> str:
    """The modules the traceback went through, to tell whose connection failed."""
    frames, tb = [], error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_globals.get("__name__", ""))
        tb = tb.tb_next
    return " ".join(frames)


def _network(error: BaseException, database_url: str) -> str | None:
    aiohttp = sys.modules.get("aiohttp")
    if aiohttp is not None and isinstance(error, aiohttp.ClientConnectorError):
        return (
            f"can't reach {error.host}:{error.port} ({error.strerror or error}); "
            "check the network, DNS or proxy, then start again"
        )
    return None


def _discord(error: BaseException, database_url: str) -> str | None:
    discord = sys.modules.get("discord")
    if discord is None:
        return None
    if isinstance(error, discord.LoginFailure):
        return (
            "Discord refused DISCORD_TOKEN; copy the bot's token again from the "
            "Developer Portal (Bot > Reset Token), see docs/discord.md"
        )
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return "Discord refused the intents; enable Server Members Intent (see docs/discord.md)"
    return None


def _slack(error: BaseException, database_url: str) -> str | None:
    errors = sys.modules.get("slack_sdk.errors")
    if errors is None or not isinstance(error, errors.SlackApiError):
        return None
    code = error.response.get("error", "an error")
    if code in ("invalid_auth", "not_authed", "token_revoked", "account_inactive"):
        return f"Slack refused the token ({code}); check SLACK_BOT_TOKEN and SLACK_APP_TOKEN"
    return f"Slack answered {code}; see docs/slack.md"


def _gave_up(error: BaseException, database_url: str) -> str | None:
    """Connecting was retried for a while: say so, then why the last try failed."""
    if not isinstance(error, GaveUp):
        return None
    cause = error.__cause__
    why = (explain(cause, database_url) or f"{type(cause).__name__}: {cause}") if cause else ""
    tried = f"{error.what} failed {error.tries} times in {error.seconds:.0f} s"
    return f"{tried}, the last time: {why}; exiting so the service manager starts me again"


_READINGS: tuple[Callable[[BaseException, str], str | None], ...] = (
    _gave_up,
    _schema,
    _database,
    _network,
    _discord,
    _slack,
)
