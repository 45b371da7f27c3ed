"""CLUBBOT_POSTINGS_* are read with the other settings (`.env` included), checked when the
bot starts, and a bad value is refused in one line instead of failing every hour."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import load_settings
from tests.postings.feeds import Feeds, live_entries, sample, start_feeds

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from adapters.cli.main import main; sys.exit(main())"]


@pytest.fixture
async def feeds() -> AsyncIterator[Feeds]:
    async for served in start_feeds():
        yield served


def test_the_postings_settings_come_from_the_dotenv_file_too(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "CLUBBOT_POSTINGS_SOURCES=greenhouse:Stripe, list:https://example.org/l.json\n"
        "CLUBBOT_POSTINGS_TIMEOUT=20s\n"
    )
    settings = load_settings({}, dotenv=dotenv).postings
    assert settings.sources == ("greenhouse:Stripe", "list:https://example.org/l.json")
    assert settings.timeout == timedelta(seconds=20)
    overridden = load_settings({"CLUBBOT_POSTINGS_TIMEOUT": "2m"}, dotenv=dotenv).postings
    assert overridden.timeout == timedelta(minutes=2), "the environment wins"


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"CLUBBOT_POSTINGS_TIMEOUT": "soon"}, "CLUBBOT_POSTINGS_TIMEOUT: `soon` is not a timeout"),
        ({"CLUBBOT_POSTINGS_TIMEOUT": "0s"}, "between 1s and 10m"),
        ({"CLUBBOT_POSTINGS_SOURCES": "workday:acme"}, "`workday:acme` is not a source"),
        ({"CLUBBOT_POSTINGS_SOURCES": "list:ftp://x.org/l.json"}, "needs an http(s) URL"),
        ({"CLUBBOT_POSTINGS_SOURCES": "greenhouse:acme=nowhere"}, "needs an http(s) URL"),
        ({"CLUBBOT_POSTINGS_TIMOUT": "20s"}, "CLUBBOT_POSTINGS_TIMOUT is not a setting"),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting(tmp_path, environ, says):
    with pytest.raises(ValueError, match="CLUBBOT_POSTINGS_") as refused:
        load_settings(environ, dotenv=tmp_path / "none.env")
    assert says in str(refused.value)
    assert "\n" not in str(refused.value)


async def _console(cwd: Path, script: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *CLI,
        "console",
        "--db",
        str(cwd / "club.db"),
        "--now",
        "2026-11-16T09:00-05:00",
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(script.encode()), 120)
    return process.returncode or 0, out.decode(), err.decode()


def _environ() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLUBBOT_", "DATABASE_URL"))}
    return {**env, "PYTHONPATH": str(ROOT)}


async def test_a_list_named_only_in_dotenv_is_the_one_polled(tmp_path, feeds):
    feeds.serve("/mirror.json", live_entries(sample())[:20])
    (tmp_path / ".env").write_text(f"CLUBBOT_POSTINGS_SOURCES=list:{feeds.url('/mirror.json')}\n")
    script = (
        "/admin setup timezone:America/New_York deadlines:#deadlines\n"
        "/admin postings settings enabled:yes\n"
        ":advance 1h\n"
        "/admin postings settings\n"
    )
    code, out, err = await _console(tmp_path, script, _environ())
    assert code == 0, err
    assert feeds.count("/mirror.json") == 1
    assert "20 entries, checked" in out


async def test_a_typo_in_dotenv_stops_the_start_with_one_line(tmp_path):
    (tmp_path / ".env").write_text("CLUBBOT_POSTINGS_TIMEOUT=30 sec\n")
    code, out, err = await _console(tmp_path, "/help\n", _environ())
    assert code == 2
    assert err.strip().splitlines() == [
        "clubbot: CLUBBOT_POSTINGS_TIMEOUT: `30 sec` is not a timeout between 1s and 10m, "
        "e.g. 20s or 2m"
    ]
    assert out == ""
