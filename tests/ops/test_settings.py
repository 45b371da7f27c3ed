"""The operator's settings: URLs as hosting providers write them, log level and format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import load_settings


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://bot:pw@db.example/club", "postgresql+asyncpg://bot:pw@db.example/club"),
        ("postgresql://bot@db/club", "postgresql+asyncpg://bot@db/club"),
        ("sqlite:///clubbot.db", "sqlite+aiosqlite:///clubbot.db"),
        ("postgresql+asyncpg://bot@db/club", "postgresql+asyncpg://bot@db/club"),
    ],
)
def test_a_database_url_gets_the_async_driver_it_needs(
    tmp_path: Path, given: str, used: str
) -> None:
    settings = load_settings({"DATABASE_URL": given}, dotenv=tmp_path / "none.env")
    assert settings.database_url == used


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("mysql://db/club", "DATABASE_URL: clubbot can't use mysql:// URLs"),
        ("postgresql+psycopg2://db/c", "clubbot can't use postgresql+psycopg2:// URLs"),
        ("club.db", "DATABASE_URL is not a database URL"),
    ],
)
def test_a_database_url_clubbot_cannot_use_is_refused_with_an_example(
    tmp_path: Path, given: str, says: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(says)) as refused:
        load_settings({"DATABASE_URL": given}, dotenv=tmp_path / "none.env")
    assert "e.g. sqlite+aiosqlite:///clubbot.db" in str(refused.value)


def test_log_level_and_format_are_checked(tmp_path: Path) -> None:
    settings = load_settings({"LOG_LEVEL": "debug", "LOG_FORMAT": "JSON"}, dotenv=None)
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
    assert load_settings({}, dotenv=None).log_format == "text"
    with pytest.raises(ValueError, match="LOG_FORMAT: 'xml' is not one of text, json"):
        load_settings({"LOG_FORMAT": "xml"}, dotenv=None)
    with pytest.raises(ValueError, match="LOG_LEVEL: 'loud' is not one of DEBUG"):
        load_settings({"LOG_LEVEL": "loud"}, dotenv=None)


def test_the_time_to_reach_the_platform_at_start_takes_seconds_or_minutes() -> None:
    assert load_settings({}, dotenv=None).connect_within.total_seconds() == 120
    assert (
        load_settings({"CLUBBOT_CONNECT_WITHIN": "90s"}, dotenv=None).connect_within.seconds == 90
    )
    assert (
        load_settings({"CLUBBOT_CONNECT_WITHIN": "5m"}, dotenv=None).connect_within.seconds == 300
    )
    with pytest.raises(ValueError, match="CLUBBOT_CONNECT_WITHIN: `soon` is not a duration"):
        load_settings({"CLUBBOT_CONNECT_WITHIN": "soon"}, dotenv=None)
