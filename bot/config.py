"""Settings from the environment, then `.env`; secrets never appear in a repr or a log."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

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


# A company board as officers and deployments name it: `greenhouse:<board>`, `lever:<company>`.
BOARD = re.compile(r"^(greenhouse|lever):([a-z0-9][a-z0-9-]{0,99})$")
POSTINGS_SOURCES, POSTINGS_TIMEOUT = "CLUBBOT_POSTINGS_SOURCES", "CLUBBOT_POSTINGS_TIMEOUT"


@dataclass(frozen=True, slots=True, kw_only=True)
class PostingsSettings:
    """What the deployment polls for live postings, read once at start.

    `sources` replace this cycle's community list (as written: `list:URL`,
    `greenhouse:<board>`, `lever:<company>`, a board optionally `=URL` for a mirror);
    `timeout` bounds one fetch. The board APIs' addresses are the documented ones (a test
    points them at a local server)."""

    sources: tuple[str, ...] = ()
    timeout: timedelta = timedelta(seconds=30)
    greenhouse_api: str = "https://boards-api.greenhouse.io/v1/boards"
    lever_api: str = "https://api.lever.co/v0/postings"


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
    postings: PostingsSettings = PostingsSettings()


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
        connect_within=_duration(values, "CLUBBOT_CONNECT_WITHIN", "2m"),
        postings=postings_settings(values),
    )


def _duration(values: Mapping[str, str], name: str, default: str) -> timedelta:
    return read_duration(values.get(name) or default, name)


def read_duration(text: str, name: str) -> timedelta:
    """`90s`, `20`, `2m`, `1h`, `1d`: seconds too, for waits shorter than a minute; a
    ValueError naming the setting otherwise."""
    text = text.strip().lower()
    number = text.removesuffix("s")
    if _NUMBER.match(number):
        return timedelta(seconds=float(number))
    try:
        return parse_duration(text)
    except UserError as error:
        raise ValueError(f"{name}: {error.message}") from None


def postings_settings(values: Mapping[str, str]) -> PostingsSettings:
    """CLUBBOT_POSTINGS_* checked once: a ValueError in one line names what is wrong."""
    known = (POSTINGS_SOURCES, POSTINGS_TIMEOUT)
    for name in values:
        if name.startswith("CLUBBOT_POSTINGS_") and name not in known:
            raise ValueError(
                f"{name} is not a setting; the postings settings are {', '.join(known)}"
            )
    sources = tuple(s.strip() for s in values.get(POSTINGS_SOURCES, "").split(",") if s.strip())
    for source in sources:
        _check_source(source)
    return PostingsSettings(sources=sources, timeout=_fetch_timeout(values.get(POSTINGS_TIMEOUT)))


def _check_source(source: str) -> None:
    spec, _, url = source.partition("=") if not source.startswith("list:") else ("", "", source[5:])
    if spec and not BOARD.match(spec.strip().lower()):
        raise ValueError(
            f"{POSTINGS_SOURCES}: `{source[:80]}` is not a source; write list:URL, "
            "greenhouse:<board> or lever:<company> (a board may add =URL), comma-separated"
        )
    if (url or not spec) and urlsplit(url.strip()).scheme not in ("http", "https"):
        raise ValueError(f"{POSTINGS_SOURCES}: `{source[:80]}` needs an http(s) URL")


def _fetch_timeout(text: str | None) -> timedelta:
    """`20s`, `2m`; between a second and ten minutes."""
    text = (text or "").strip().lower()
    if not text:
        return PostingsSettings().timeout
    try:
        timeout = read_duration(text, POSTINGS_TIMEOUT)
    except ValueError:
        timeout = timedelta(0)
    if not timedelta(seconds=1) <= timeout <= timedelta(minutes=10):
        raise ValueError(
            f"{POSTINGS_TIMEOUT}: `{text[:40]}` is not a timeout between 1s and 10m, e.g. 20s or 2m"
        )
    return timeout


_NUMBER = re.compile(r"^\d+(\.\d+)?$")


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
