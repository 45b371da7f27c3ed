"""Settings from the environment, then `.env`; secrets never appear in a repr or a log."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from dotenv import dotenv_values

from bot.club_time import parse_duration
from bot.errors import UserError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///clubbot.db"


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    grace: timedelta = timedelta(hours=1)
    log_level: str = "INFO"
    discord_token: str = field(default="", repr=False)
    slack_bot_token: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    # The web side: how members reach it, and where this process serves it ("" = off).
    public_url: str = ""
    web_listen: str = ""


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> Settings:
    """Values from `environ` (default: os.environ) win over those in the `.env` file."""
    values = {k: v for k, v in (dotenv_values(dotenv) if dotenv else {}).items() if v is not None}
    values.update(os.environ if environ is None else environ)
    try:
        grace = parse_duration(values.get("CLUBBOT_GRACE", "1h"))
    except UserError as error:
        raise ValueError(f"CLUBBOT_GRACE: {error.message}") from None
    return Settings(
        database_url=values.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        grace=grace,
        log_level=values.get("LOG_LEVEL", "INFO").upper(),
        discord_token=values.get("DISCORD_TOKEN", ""),
        slack_bot_token=values.get("SLACK_BOT_TOKEN", ""),
        slack_app_token=values.get("SLACK_APP_TOKEN", ""),
        slack_signing_secret=values.get("SLACK_SIGNING_SECRET", ""),
        public_url=values.get("PUBLIC_URL", "").rstrip("/"),
        web_listen=values.get("CLUBBOT_WEB", ""),
    )


def sqlite_url(path: str | Path) -> str:
    return f"sqlite+aiosqlite:///{Path(path)}"
