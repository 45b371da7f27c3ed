"""Settings from the environment, then `.env`; secrets never appear in a repr or a log."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.club_time import parse_duration
from bot.errors import UserError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///clubbot.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
# The async driver each database needs; a URL that names the database alone gets it.
_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg", "postgres": "asyncpg"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    grace: timedelta = timedelta(hours=1)
    log_level: str = "INFO"
    log_format: str = "text"
    discord_token: str = field(default="", repr=False)
    slack_bot_token: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    # The web side: how members reach it, and where this process serves it ("" = off).
    public_url: str = ""
    web_listen: str = ""
    # How long `clubbot discord|slack` keeps trying to reach the platform at start before
    # it exits non-zero (systemd then starts it again).
    connect_within: timedelta = timedelta(minutes=2)


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> Settings:
    """Values from `environ` (default: os.environ) win over those in the `.env` file."""
    values = {k: v for k, v in (dotenv_values(dotenv) if dotenv else {}).items() if v is not None}
    values.update(os.environ if environ is None else environ)
    grace = _duration(values, "CLUBBOT_GRACE", "1h")
    return Settings(
        database_url=database_url(values.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        grace=grace,
        log_level=_choice(values, "LOG_LEVEL", LOG_LEVELS, "INFO"),
        log_format=_choice(values, "LOG_FORMAT", LOG_FORMATS, "text"),
        discord_token=values.get("DISCORD_TOKEN", ""),
        slack_bot_token=values.get("SLACK_BOT_TOKEN", ""),
        slack_app_token=values.get("SLACK_APP_TOKEN", ""),
        slack_signing_secret=values.get("SLACK_SIGNING_SECRET", ""),
        public_url=values.get("PUBLIC_URL", "").rstrip("/"),
        web_listen=values.get("CLUBBOT_WEB", ""),
        connect_within=_seconds_or_duration(values, "CLUBBOT_CONNECT_WITHIN", "2m"),
    )


def _seconds_or_duration(values: Mapping[str, str], name: str, default: str) -> timedelta:
    """A duration that may also be given in seconds ("90s"), for waits shorter than a minute."""
    text = (values.get(name) or "").strip().lower()
    if text.endswith("s") and text[:-1].isdigit():
        return timedelta(seconds=int(text[:-1]))
    return _duration(values, name, default)


def _duration(values: Mapping[str, str], name: str, default: str) -> timedelta:
    try:
        return parse_duration(values.get(name) or default)
    except UserError as error:
        raise ValueError(f"{name}: {error.message}") from None


def _choice(values: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = (values.get(name) or default).strip()
    value = value.upper() if value.upper() in choices else value.lower()
    if value not in choices:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(choices)}")
    return value


def database_url(text: str) -> str:
    """`text` with the async driver clubbot uses (postgres://u@h/db becomes
    postgresql+asyncpg://u@h/db, as hosting providers write it); a ValueError naming
    DATABASE_URL and an example when it is no database URL clubbot can use."""
    try:
        url = make_url(text)
    except ArgumentError:
        # Not echoed: a mistyped URL may still hold the password.
        raise ValueError(f"DATABASE_URL is not a database URL; {_EXAMPLES}") from None
    backend, _, driver = url.drivername.partition("+")
    if backend not in _DRIVERS or driver not in ("", _DRIVERS[backend]):
        raise ValueError(f"DATABASE_URL: clubbot can't use {url.drivername}:// URLs; {_EXAMPLES}")
    if driver:
        return text
    full = "postgresql" if backend == "postgres" else backend
    return f"{full}+{_DRIVERS[backend]}" + text.strip()[len(backend) :]


_EXAMPLES = "e.g. sqlite+aiosqlite:///clubbot.db or postgresql+asyncpg://user:password@host/db"


def sqlite_url(path: str | Path) -> str:
    return f"sqlite+aiosqlite:///{Path(path)}"
