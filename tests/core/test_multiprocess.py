"""Several real bot processes on one PostgreSQL database post every occurrence once,
and a process killed mid-post loses nothing: another completes it within the grace window."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.command_text import parse_command
from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.model import CommandEvent, Place
from bot.runtime import COMMANDS, open_runtime
from tests.conftest import ADMIN, MONDAY, RecordingPoster, _fresh_postgres, _postgres_url

pytestmark = pytest.mark.skipif(_postgres_url() is None, reason="TEST_DATABASE_URL is not set")

ROOT = Path(__file__).resolve().parents[2]
SETUP = (
    "/admin setup timezone:America/New_York deadlines:#deadlines problems:#daily-problem "
    "alerts:#officers"
)
CLUBS = ("ws-a", "ws-b", "ws-c")


async def _configure(url: str) -> None:
    runtime = await open_runtime(
        database_url=url,
        clock=ManualClock(MONDAY),
        poster=RecordingPoster(),
        directory=ConsoleDirectory(),
    )
    try:
        name, args = parse_command(SETUP, (c.name for c in COMMANDS))
        for workspace in CLUBS:
            place = Place(platform="console", workspace_id=workspace, channel_id="general")
            event = CommandEvent(name=name, args=args, user=ADMIN, place=place)
            assert "Saved." in (await runtime.bot.handle(event)).text
    finally:
        await runtime.close()


def _worker(url: str, start, end, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.core.processes.worker",
            url,
            start.isoformat(),
            end.isoformat(),
            str(out),
            *extra,
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )


def _posts(out: Path) -> list[tuple[str, str, int]]:
    if not out.exists():
        return []
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    return [(r["ws"], r["title"], r["pid"]) for r in rows]


async def _finish(*workers: subprocess.Popen[str]) -> None:
    for worker in workers:
        _, err = await asyncio.to_thread(worker.communicate, timeout=600)
        assert worker.returncode == 0, err


async def test_three_processes_post_each_occurrence_exactly_once(tmp_path):
    end = MONDAY + timedelta(days=10)
    reference_url = sqlite_url(tmp_path / "reference.db")
    await _configure(reference_url)
    reference = tmp_path / "reference.jsonl"
    await _finish(_worker(reference_url, MONDAY, end, reference))

    url = _postgres_url()
    await _fresh_postgres(url)
    await _configure(url)
    shared = tmp_path / "shared.jsonl"
    workers = [_worker(url, MONDAY, end, shared, "--wait") for _ in range(3)]
    for worker in workers:  # on a busy machine one process could be done before another began
        assert worker.stdout is not None
        assert (await asyncio.to_thread(worker.stdout.readline)).strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    await _finish(*workers)

    expected = Counter((ws, title) for ws, title, _ in _posts(reference))
    got = Counter((ws, title) for ws, title, _ in _posts(shared))
    assert got == expected, "every occurrence once: none lost, none doubled"
    assert len(expected) > 3 * 25  # daily problems, hints, key ideas, digests, deadlines
    assert len({pid for _, _, pid in _posts(shared)}) > 1, "the work was shared"


async def test_a_process_killed_mid_post_is_completed_once_by_another(tmp_path):
    url = _postgres_url()
    await _fresh_postgres(url)
    await _configure(url)
    out = tmp_path / "posts.jsonl"
    first_post = MONDAY + timedelta(hours=23)  # Tuesday 09:00 in New York
    doomed = _worker(
        url, MONDAY, first_post + timedelta(minutes=1), out, "--hang-on", "Daily problem"
    )
    line = await asyncio.to_thread(doomed.stdout.readline)
    assert line.strip() == "hanging"
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate(timeout=30)  # reaps it and closes its pipes
    assert doomed.returncode == -signal.SIGKILL
    assert [t for _, t, _ in _posts(out) if t.startswith("Daily problem")] == []
    # Past the 5-minute lease of the dead process's claim, inside the 1-hour grace window.
    restart = first_post + timedelta(minutes=6)
    await _finish(_worker(url, restart, restart + timedelta(minutes=5), out))
    daily = Counter((ws, t) for ws, t, _ in _posts(out) if t.startswith("Daily problem · Tue"))
    assert sorted(daily.values()) == [1, 1, 1], daily
