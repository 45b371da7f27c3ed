"""Web benchmark: serving a member's calendar feed over HTTP with N clubs.

    .venv/bin/python bench/bench_web.py              # 1,000 clubs, the table
    .venv/bin/python bench/bench_web.py --json
    .venv/bin/python bench/bench_web.py --clubs 100 --requests 500   # a quick run

A SQLite database of N clubs, each with 30 members (a third following a track or a
program with /alerts, some with a class year, some muting a program), three club
deadlines, and a feed token per member. The web side serves on a local port through
`bot.web.server.serve` (the connection limits included); a client fetches random
members' feeds the way a calendar app does (gzip accepted): a first fetch (200, the
body), a revalidation with the ETag it got (304), and a first fetch after the kept
pieces are dropped (every occurrence drawn again: what a request would cost
right after a start, were the server not drawing every club's windows in the background
first; that warm-up is timed too). Then 8 calendar apps poll at once, each revalidating
members' feeds it fetched before. Latency is the client's, request to last byte; the CPU
time is this process's (client and server) per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import aiohttp
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.console import ConsoleDirectory  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import sqlite_url  # noqa: E402
from bot.runtime import open_runtime  # noqa: E402
from bot.store.models import ClubRow  # noqa: E402
from bot.web import Site  # noqa: E402
from bot.web.server import WARMING, make_app, serve  # noqa: E402
from bot.web.state import WEB  # noqa: E402
from bot.web.store import FeedTokenRow, new_token  # noqa: E402
from bot.windows.store import (  # noqa: E402
    ClubDeadlineRow,
    MuteRow,
    ProfileRow,
    SubscriptionRow,
)

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
MEMBERS = 30
CONCURRENT = 8  # calendar apps polling at once
TARGETS = ("quant", "big-tech", "research-reu", "google-step", "startup")
YEARS = ("sophomore", "junior", "senior")


class NoPoster:
    async def post(self, place: object, message: object) -> str:
        return "m"

    async def dm(self, place: object, user_id: str, message: object) -> str:
        return "d"


async def _populate(runtime_store: object, clubs: int) -> list[str]:
    from bot.store.store import Store

    assert isinstance(runtime_store, Store)
    rng, tokens = random.Random(7), []
    async with runtime_store.engine.begin() as db:
        await db.execute(
            insert(ClubRow),
            [
                {
                    "id": c,
                    "platform": "slack",
                    "workspace_id": f"T{c}",
                    "name": f"club {c}",
                    "timezone": "America/New_York",
                    "digest_weekday": 0,
                    "digest_time": "09:00",
                    "created_at": NOW,
                }
                for c in range(1, clubs + 1)
            ],
        )
        await db.execute(
            insert(ClubDeadlineRow),
            [
                {
                    "club_id": c,
                    "title": f"Club deadline {d}",
                    "opens_on": None,
                    "closes_on": date(2026, 12, 1 + d * 7),
                    "url": None,
                    "track": None,
                    "created_by": "U0",
                    "created_at": NOW,
                }
                for c in range(1, clubs + 1)
                for d in range(3)
            ],
        )
        rows = [
            {"token": new_token(), "club_id": c, "user_id": f"U{m}", "created_at": NOW}
            for c in range(1, clubs + 1)
            for m in range(MEMBERS)
        ]
        await db.execute(insert(FeedTokenRow), rows)
        tokens = [r["token"] for r in rows]
        subscriptions = [
            {"club_id": c, "user_id": f"U{m}", "target": rng.choice(TARGETS), "created_at": NOW}
            for c in range(1, clubs + 1)
            for m in range(0, MEMBERS, 3)
        ]
        await db.execute(insert(SubscriptionRow), subscriptions)
        profiles = [
            {"club_id": c, "user_id": f"U{m}", "class_year": rng.choice(YEARS)}
            for c in range(1, clubs + 1)
            for m in range(0, MEMBERS, 2)
        ]
        await db.execute(insert(ProfileRow), profiles)
        mutes = [
            {
                "club_id": c,
                "user_id": f"U{m}",
                "window_key": "citadel:2027",
                "reason": rng.choice(("applied", "not interested")),
                "at": NOW,
            }
            for c in range(1, clubs + 1)
            for m in range(0, MEMBERS, 5)
        ]
        await db.execute(insert(MuteRow), mutes)
    return tokens


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
    }


CPU: list[float] = []  # this process's CPU time per request (client and server both)


async def _timed(session: aiohttp.ClientSession, url: str, etag: str = "") -> tuple[float, str]:
    headers = {"If-None-Match": etag} if etag else {}
    started, cpu = time.perf_counter(), time.process_time()
    async with session.get(url, headers=headers) as response:
        await response.read()
        assert response.status == (304 if etag else 200), response.status
        CPU.append((time.process_time() - cpu) * 1000)
        return (time.perf_counter() - started) * 1000, response.headers["ETag"]


async def _polls(base: str, etags: dict[str, str], requests: int) -> list[float]:
    """CONCURRENT calendar apps revalidating the feeds they hold, all at once."""
    tokens = list(etags)
    latencies: list[float] = []

    async def app(number: int) -> None:
        rng = random.Random(number)
        async with aiohttp.ClientSession() as session:
            for _ in range(requests // CONCURRENT):
                token = rng.choice(tokens)
                took, _ = await _timed(session, base + token + ".ics", etags[token])
                latencies.append(took)

    await asyncio.gather(*(app(n) for n in range(CONCURRENT)))
    return latencies


async def run(clubs: int, requests: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="clubbot-bench-web-") as folder:
        runtime = await open_runtime(
            database_url=sqlite_url(Path(folder) / "bench.db"),
            clock=ManualClock(NOW),
            poster=NoPoster(),
            directory=ConsoleDirectory(),
        )
        tokens = await _populate(runtime.store, clubs)
        app = make_app(bot=runtime.bot, site=Site(public_url="https://club.example.org"))
        server = await serve(app, f"127.0.0.1:{_free_port()}")
        started = time.perf_counter()
        await app[WARMING]
        warm_up_s = time.perf_counter() - started
        base = f"http://127.0.0.1:{server.port}/feeds/"
        rng = random.Random(11)
        first, again, cold = [], [], []
        cpu_first, cpu_again = [], []
        etags: dict[str, str] = {}
        async with aiohttp.ClientSession() as session:
            for token in rng.sample(tokens, min(50, len(tokens))):  # warm imports and caches
                await _timed(session, base + token + ".ics")
            for token in rng.sample(tokens, min(requests, len(tokens))):
                took, etag = await _timed(session, base + token + ".ics")
                etags[token] = etag
                first.append(took)
                cpu_first.append(CPU[-1])
                again.append((await _timed(session, base + token + ".ics", etag))[0])
                cpu_again.append(CPU[-1])
            built = app[WEB].feeds
            for token in rng.sample(tokens, min(requests // 5, len(tokens))):
                built.pieces.clear()
                built.drawn.clear()
                cold.append((await _timed(session, base + token + ".ics"))[0])
        polls = await _polls(base, etags, requests)
        await server.stop()
        await runtime.close()
    return {
        "clubs": clubs,
        "members_with_feeds": len(tokens),
        "requests": len(first),
        "feed_200": _percentiles(first),
        "feed_304": _percentiles(again),
        "feed_200_cpu": _percentiles(cpu_first),
        "feed_304_cpu": _percentiles(cpu_again),
        "load_average": round(os.getloadavg()[0], 1),
        "feed_200_uncached_build": _percentiles(cold),
        "feed_304_8_at_once": _percentiles(polls),
        "warm_up_s": round(warm_up_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clubs", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = asyncio.run(run(args.clubs, args.requests))
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    print(
        f"{figures['clubs']:,} clubs, {figures['members_with_feeds']:,} member feeds, "
        f"{figures['requests']:,} requests"
    )
    print(f"{'member feed':<34}{'p50 ms':>8}{'p99 ms':>8}")
    for label, key in (
        ("first fetch (200)", "feed_200"),
        ("  CPU time of it", "feed_200_cpu"),
        ("revalidation (304)", "feed_304"),
        ("  CPU time of it", "feed_304_cpu"),
        ("first fetch, nothing drawn (200)", "feed_200_uncached_build"),
        (f"{CONCURRENT} apps revalidating at once (304)", "feed_304_8_at_once"),
    ):
        row = figures[key]
        assert isinstance(row, dict)
        print(f"{label:<34}{row['p50_ms']:>8}{row['p99_ms']:>8}")
    print(
        f"warm-up after a start (every club's windows drawn, in the background): "
        f"{figures['warm_up_s']} s"
    )
    print(f"(1-minute load average during the run: {figures['load_average']})")


if __name__ == "__main__":
    main()
