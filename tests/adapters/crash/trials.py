"""Crash trials: three bot processes share one fan-out on PostgreSQL, one is SIGKILLed at a
random moment of it, a fourth starts after the dead one's lease; then count, on what the
platform actually made, the clubs that got no post (lost) and the posts made twice (doubled).

Used by tests/adapters/test_crash_trials.py (a few small trials in CI) and bench/bench_crash.py
(many trials, printed as a table).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.runtime import open_runtime
from tests.adapters.idempotent_mocks import MetadataSlackMock, NonceDiscordMock
from tests.core.faults.trial import add_clubs

ROOT = Path(__file__).resolve().parents[3]
# Tuesday 09:00 in New York: every club's daily problem is due at once.
DUE = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
PLATFORMS = ("discord", "slack", "file")
# The lease of a dead process's claims (bot/store/claims.py) and a margin past it.
AFTER_LEASE = timedelta(minutes=6)


@dataclass(frozen=True, slots=True, kw_only=True)
class Trial:
    platform: str
    latency: float
    clubs: int
    killed_after: float  # seconds after the killed process's first post
    posts: int  # messages the platform made
    lost: int  # clubs that got no daily post
    doubled: int  # messages made beyond one per (channel, post)


async def populate(url: str, clubs: int, platform: str) -> None:
    """`clubs` clubs in New York with a problems channel each (numeric ids, as Discord's)."""
    runtime = await open_runtime(
        database_url=url,
        clock=ManualClock(DUE - timedelta(days=1)),
        poster=_Unused(),
        directory=ConsoleDirectory(),
    )
    kind = "console" if platform == "file" else platform
    try:
        await add_clubs(runtime.store, clubs, platform=kind)
    finally:
        await runtime.close()


class _Unused:
    async def post(self, *args: Any, **kwargs: Any) -> str:
        raise AssertionError("nothing posts while the clubs are set up")

    async def dm(self, *args: Any, **kwargs: Any) -> str:
        raise AssertionError("nothing posts while the clubs are set up")


async def _start(
    url: str, platform: str, target: str, start: datetime, end: datetime, latency: float, log: Path
) -> asyncio.subprocess.Process:
    with log.open("ab") as errors:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.adapters.crash.worker",
            url,
            platform,
            target,
            start.isoformat(),
            end.isoformat(),
            str(latency),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
            env={**os.environ, "LOG_LEVEL": "ERROR"},
        )


async def _first_to_post(workers: list[asyncio.subprocess.Process]) -> asyncio.subprocess.Process:
    async def says_posting(worker: asyncio.subprocess.Process) -> asyncio.subprocess.Process:
        assert worker.stdout is not None
        while line := await worker.stdout.readline():
            if line.strip() == b"posting":
                return worker
        await asyncio.Event().wait()  # ended without posting: never the first
        raise AssertionError("unreachable")

    waiting = [asyncio.create_task(says_posting(w)) for w in workers]
    try:
        done, _ = await asyncio.wait(waiting, timeout=120, return_when=asyncio.FIRST_COMPLETED)
        if not done:
            raise AssertionError("no process started posting within 120 s")
        return next(iter(done)).result()
    finally:
        for task in waiting:
            task.cancel()


async def _finish(worker: asyncio.subprocess.Process, log: Path) -> None:
    await worker.communicate()
    if worker.returncode not in (0, -signal.SIGKILL):
        errors = await asyncio.to_thread(log.read_text)
        raise AssertionError(f"a worker failed ({worker.returncode}): {errors[-3000:]}")


async def run_trial(
    url: str,
    platform: str,
    *,
    clubs: int,
    latency: float,
    rng: random.Random,
    workdir: Path,
    fresh: Any,
) -> Trial:
    """One trial; `fresh(url)` empties the database first."""
    await fresh(url)
    await populate(url, clubs, platform)
    mock: NonceDiscordMock | MetadataSlackMock | None = None
    out = workdir / f"posts-{rng.random():.12f}.jsonl"
    target = str(out)
    if platform == "discord":
        mock = NonceDiscordMock(latency=latency)
    elif platform == "slack":
        mock = MetadataSlackMock(latency=latency, accept_any_channel=True)
    if mock is not None:
        await mock.start()
        target = mock.url if isinstance(mock, NonceDiscordMock) else mock.api_url
    log = workdir / "workers.log"
    try:
        start, end = DUE - timedelta(minutes=1), DUE + timedelta(minutes=1)
        workers = [await _start(url, platform, target, start, end, latency, log) for _ in range(3)]
        doomed = await _first_to_post(workers)
        # A random moment of the fan-out: it takes about clubs / POST_AT_ONCE rounds of a
        # post's latency, plus the database's share.
        span = clubs / 50 * latency + 0.5
        killed_after = rng.uniform(0, span)
        await asyncio.sleep(killed_after)
        if doomed.returncode is None:
            doomed.send_signal(signal.SIGKILL)
        for worker in workers:
            await _finish(worker, log)
        later = DUE + AFTER_LEASE
        restart = await _start(
            url, platform, target, later, later + timedelta(minutes=4), latency, log
        )
        await _finish(restart, log)
        made = list(_made(platform, mock, out))
    finally:
        if mock is not None:
            await mock.stop()
    counts = Counter(made)
    channels = {channel for channel, _ in made}
    return Trial(
        platform=platform,
        latency=latency,
        clubs=clubs,
        killed_after=round(killed_after, 3),
        posts=len(made),
        lost=sum(1 for c in range(1, clubs + 1) if str(100_000 + c) not in channels),
        doubled=sum(n - 1 for n in counts.values()),
    )


def _made(
    platform: str, mock: NonceDiscordMock | MetadataSlackMock | None, out: Path
) -> Iterable[tuple[str, str]]:
    """(channel, what identifies the post) of every message the platform made."""
    if isinstance(mock, NonceDiscordMock):
        for channel, body in mock.created:
            yield channel, (body.get("embeds") or [{}])[0].get("title") or body.get("content")
    elif isinstance(mock, MetadataSlackMock):
        for message in mock.created:
            yield message["channel"], message["text"] or ""
    elif out.exists():
        for line in out.read_text().splitlines():
            row = json.loads(line)
            yield row["channel"], row["title"]
