"""Logs an operator can use: JSON for a collector, one line per scheduled run, and a
library's traceback reduced to a line unless LOG_LEVEL=DEBUG."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from bot import logs
from tests.conftest import ADMIN, Club
from tests.ops.conftest import Clubbot

DIGEST_ONLY = "/admin setup timezone:America/New_York alerts:#officers"


def _boom() -> ValueError:
    try:
        raise ValueError("the socket went away")
    except ValueError as error:
        return error


def test_log_format_json_writes_one_object_a_line_with_the_extras(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with logs.configured("INFO", "json"):
        logging.getLogger("bot.test").info("posted %s", "x", extra={"club": 7, "kind": "daily"})
        logging.getLogger("bot.test").debug("not at INFO")
    (line,) = capsys.readouterr().err.splitlines()
    entry = json.loads(line)
    assert entry["message"] == "posted x"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "bot.test"
    assert (entry["club"], entry["kind"]) == (7, "daily")
    assert entry["time"].endswith("+00:00")


def test_the_previous_logging_set_up_comes_back_after_a_command() -> None:
    root = logging.getLogger()
    before = (root.handlers[:], root.level, logging.getLogger("alembic").level)
    with logs.configured("WARNING", "text"):
        assert root.level == logging.WARNING
    assert (root.handlers, root.level, logging.getLogger("alembic").level) == before


def test_a_librarys_traceback_is_one_line_below_debug_but_ours_stay_whole(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with logs.configured("INFO", "text"):
        logging.getLogger("slack_bolt.App").error("Failed to connect", exc_info=_boom())
        logging.getLogger("discord.client").warning("PyNaCl missing, voice will NOT be supported")
        logging.getLogger("bot.scheduler").error("posting failed", exc_info=_boom())
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].endswith("Failed to connect (ValueError: the socket went away)")
    assert lines[1].endswith("ERROR bot.scheduler: posting failed")
    assert lines[2] == "Traceback (most recent call last):"
    assert not any("voice" in line for line in lines)
    with logs.configured("DEBUG", "text"):
        logging.getLogger("slack_bolt.App").error("Failed to connect", exc_info=_boom())
    assert "Traceback (most recent call last):" in capsys.readouterr().err


async def test_every_scheduled_run_logs_club_kind_occurrence_outcome_and_duration(
    club: Club, caplog: pytest.LogCaptureFixture
) -> None:
    await club.run(DIGEST_ONLY, as_user=ADMIN)
    with caplog.at_level(logging.INFO, logger=logs.RUNS):
        await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=8))
        club.poster.refusing.add("officers")
        await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=7))
    runs = [vars(r) for r in caplog.records if r.name == logs.RUNS]
    assert [(r["club"], r["kind"], r["occurrence"], r["outcome"]) for r in runs] == [
        (1, "officer_digest", "2026-W48", "posted"),
        (1, "officer_digest", "2026-W49", "skipped"),
    ]
    assert all(r["duration_ms"] >= 0 for r in runs)
    assert "reason" not in runs[0]
    assert runs[1]["reason"] == "#officers: 403 Forbidden"
    assert caplog.records[-1].getMessage().startswith("club 1 officer_digest 2026-W49: skipped in ")


def test_the_demo_leaves_stderr_empty(clubbot: Clubbot) -> None:
    """It shows its posts itself: neither the run log nor the new database's tables are news."""
    ran = clubbot("demo")
    assert ran.code == 0
    assert "[post #daily-problem]" in ran.out
    assert ran.err == ""
