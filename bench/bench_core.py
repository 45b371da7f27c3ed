"""Core benchmarks: command latency, daily-post fan-out, idle memory, demo cold start.

    .venv/bin/python bench/bench_core.py            # the table
    .venv/bin/python bench/bench_core.py --json     # the same figures for machines
    .venv/bin/python bench/bench_core.py --clubs 100 --fanout 1000   # a quick run

    DATABASE_URL=postgresql+asyncpg://.../scratch .venv/bin/python bench/bench_core.py

Runs on temporary SQLite files, or on the PostgreSQL database named by --database-url or
DATABASE_URL (emptied first: use a scratch one). Latency runs real commands through
`Bot.handle` on a database of N clubs x 200 members with a year of daily posts and
solves. Fan-out builds and hands one daily-problem post per club to a recording poster
through the scheduler's real path (clubs read, claimed, chosen, recorded, posted,
finished), in batches; then the next day's fan-out is fired by three processes at once,
to show how they share it.
Memory is the peak RSS of a process holding the runtime with every club
scheduled; cold start is `clubbot demo` to its first line of output.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.console import ConsoleDirectory  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import sqlite_url  # noqa: E402
from bot.model import CommandEvent, Message, Place, User  # noqa: E402
from bot.posting import PostKey  # noqa: E402
from bot.problems.bank import load_bank  # noqa: E402
from bot.problems.posts import DAILY  # noqa: E402
from bot.problems.store import ProblemPostRow, ProblemStore, SolveRow  # noqa: E402
from bot.runtime import open_runtime  # noqa: E402
from bot.store.models import ChannelRow, ClubRow, MemberRow  # noqa: E402

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
MEMBERS = 200


class CountingPoster:
    def __init__(self) -> None:
        self.count = 0

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        self.count += 1
        return f"m{self.count}"

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        self.count += 1
        return f"d{self.count}"


async def _populate(url: str, clubs: int, *, history_days: int, solves_per_member: int) -> None:
    """N clubs with channels, 200 members each and `history_days` of posts and solves."""
    runtime = await open_runtime(
        database_url=url,
        clock=ManualClock(NOW),
        poster=CountingPoster(),
        directory=ConsoleDirectory(),
    )
    bank = [p for p in load_bank().problems if p.kind == "coding"]
    rng = random.Random(7)
    async with runtime.store.engine.begin() as db:
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
            insert(ChannelRow),
            [
                {"club_id": c, "purpose": purpose, "channel_id": purpose, "channel_name": purpose}
                for c in range(1, clubs + 1)
                for purpose in ("problems", "alerts")
            ],
        )
        await db.execute(
            insert(MemberRow),
            [
                {
                    "club_id": c,
                    "user_id": f"U{m}",
                    "name": f"member {m}",
                    "joined_at": NOW,
                    "last_seen_at": NOW,
                }
                for c in range(1, clubs + 1)
                for m in range(MEMBERS)
            ],
        )
        first = NOW.date() - timedelta(days=history_days)
        for c in range(1, clubs + 1):
            days = [first + timedelta(days=d) for d in range(history_days)]
            picks = [bank[(c + d) % len(bank)] for d in range(history_days)]
            await db.execute(
                insert(ProblemPostRow),
                [
                    {"club_id": c, "day": day, "problem_id": p.id, "cycle": 1, "posted_at": NOW}
                    for day, p in zip(days, picks, strict=True)
                ],
            )
            solves = {}
            for m in range(MEMBERS):
                for d in rng.sample(range(history_days), solves_per_member):
                    solves[(m, picks[d].id)] = (days[d], picks[d].difficulty)
            if not solves:
                continue
            await db.execute(
                insert(SolveRow),
                [
                    {
                        "club_id": c,
                        "user_id": f"U{m}",
                        "problem_id": pid,
                        "name": f"member {m}",
                        "difficulty": diff,
                        "day": day,
                        "solved_at": NOW,
                    }
                    for (m, pid), (day, diff) in solves.items()
                ],
            )
    # Solves were bulk-loaded around `record_solve`: count the members' running totals.
    await runtime.store.repo(ProblemStore).recount_totals()
    await runtime.close()


COMMANDS = [
    ("help", {}),
    ("problem", {}),
    ("solved", {}),
    ("progress", {}),
    ("leaderboard", {}),
    ("leaderboard", {"period": "all"}),
    ("admin status", {}),
]


async def _latency(url: str, clubs: int, rounds: int) -> dict[str, dict[str, float]]:
    runtime = await open_runtime(
        database_url=url,
        clock=ManualClock(NOW),
        poster=CountingPoster(),
        directory=ConsoleDirectory(),
    )
    rng, figures = random.Random(11), {}
    try:
        # A running bot's steady state: every club has been seen once since the start, so
        # its configuration is cached (checked by one small read per command).
        for club in range(1, clubs + 1):
            user = User(id="U0", name="member 0")
            place = Place(platform="slack", workspace_id=f"T{club}", channel_id="general")
            await runtime.bot.handle(CommandEvent(name="help", args={}, user=user, place=place))
        for name, args in COMMANDS:
            samples = []
            for _ in range(rounds):
                club, member = rng.randint(1, clubs), rng.randrange(MEMBERS)
                user = User(id=f"U{member}", name=f"member {member}", is_admin=True)
                place = Place(platform="slack", workspace_id=f"T{club}", channel_id="general")
                event = CommandEvent(name=name, args=args, user=user, place=place)
                started = time.perf_counter()
                await runtime.bot.handle(event)
                samples.append((time.perf_counter() - started) * 1000)
            label = f"/{name}" + "".join(f" {k}:{v}" for k, v in args.items())
            figures[label] = _percentiles(samples)
    finally:
        await runtime.close()
    return figures


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
    }


async def _fanout(url: str, clubs: int) -> dict[str, float]:
    """Every club's daily post for one day, through claim -> choose -> record -> post."""
    poster = CountingPoster()
    clock = ManualClock(NOW + timedelta(days=1))
    runtime = await open_runtime(
        database_url=url, clock=clock, poster=poster, directory=ConsoleDirectory()
    )
    due = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
    clock.set(due)
    try:
        started = time.perf_counter()
        # What APScheduler's firing of every club's 09:00 job comes to: one batch.
        outcomes = await runtime.scheduler.fire_due(DAILY, range(1, clubs + 1))
        seconds = time.perf_counter() - started
        assert set(outcomes.values()) == {"posted"}, set(outcomes.values())
    finally:
        await runtime.close()
    return {
        "clubs": clubs,
        "posts": poster.count,
        "seconds": round(seconds, 2),
        "posts_per_second": round(poster.count / seconds, 1),
    }


_IDLE = """
import asyncio, resource, sys
sys.path.insert(0, {root!r})
from adapters.console import ConsoleDirectory
from bot.clock import SystemClock
from bot.runtime import open_runtime

class Quiet:
    async def post(self, place, message, key=None): return "x"
    async def dm(self, place, user_id, message, key=None): return "x"

async def main():
    runtime = await open_runtime(
        database_url={url!r}, clock=SystemClock(), poster=Quiet(), directory=ConsoleDirectory()
    )
    await runtime.scheduler.start()
    await asyncio.sleep(2)
    jobs = len(runtime.scheduler.aps_job_ids())
    await runtime.close()
    print(jobs, peak_kib())

def peak_kib():
    # This process's own peak (VmHWM). ru_maxrss is not: a child started with vfork
    # inherits the parent's peak, and the parent built a big database just before.
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

asyncio.run(main())
"""


def _idle_rss(url: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _IDLE.format(root=str(ROOT), url=url)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout.split()
    return {"scheduled_jobs": int(out[-2]), "peak_rss_mb": round(int(out[-1]) / 1024, 1)}


_SHARED = """
import asyncio, sys, time
from datetime import datetime
sys.path.insert(0, {root!r})
from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.problems.posts import DAILY
from bot.runtime import open_runtime

class Counting:
    count = 0
    async def post(self, place, message, key=None):
        self.count += 1
        return str(self.count)
    async def dm(self, place, user_id, message, key=None):
        return await self.post(place, message)

async def main():
    poster = Counting()
    runtime = await open_runtime(
        database_url={url!r}, clock=ManualClock(datetime.fromisoformat({due!r})),
        poster=poster, directory=ConsoleDirectory(), owner=f"bench-{{__import__('os').getpid()}}",
    )
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    await runtime.scheduler.fire_due(DAILY, range(1, {clubs} + 1))
    print(poster.count, time.perf_counter() - started, flush=True)
    await runtime.close()

asyncio.run(main())
"""


def _shared_fanout(url: str, clubs: int, processes: int) -> dict[str, Any]:
    """The next day's fan-out fired at once by `processes` processes on one database:
    how the posts split between them, and the time until the last one is done."""
    due = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
    script = _SHARED.format(root=str(ROOT), url=url, due=due.isoformat(), clubs=clubs)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    ends = [worker.communicate(timeout=600)[0].split() for worker in workers]
    posts = sorted((int(end[0]) for end in ends), reverse=True)
    seconds = max(float(end[1]) for end in ends)
    return {
        "processes": processes,
        "posts": sum(posts),
        "split": posts,
        "seconds": round(seconds, 2),
    }


def _cold_start() -> dict[str, float]:
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        demo = subprocess.Popen(
            [sys.executable, "-c", "from adapters.cli.main import main; main(['demo'])"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert demo.stdout is not None
        while not demo.stdout.readline().strip():
            pass
        runs.append(time.perf_counter() - started)
        demo.kill()
        demo.wait()
    return {"seconds_to_first_line": round(min(runs), 2)}


async def _empty(url: str) -> None:
    """A PostgreSQL database emptied for the next part (the migrations run on open)."""
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def _vacuum(url: str) -> None:
    """What autovacuum does to a running bot's tables, done now: the bulk load is fresh, and
    measuring while autovacuum works through 2 million rows would time it, not the bot."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text("VACUUM ANALYZE"))
    await engine.dispose()


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="clubbot-bench-") as folder:
        postgres = args.database_url and args.database_url.startswith("postgresql")
        url = args.database_url if postgres else sqlite_url(Path(folder) / "bench.db")
        if postgres:
            await _empty(url)
        started = time.perf_counter()
        await _populate(url, args.clubs, history_days=args.days, solves_per_member=args.solves)
        if postgres:
            await _vacuum(url)
        build = round(time.perf_counter() - started, 1)
        latency = await _latency(url, args.clubs, args.rounds)
        rss = _idle_rss(url)
        fan_url = url if postgres else sqlite_url(Path(folder) / "fanout.db")
        if postgres:
            await _empty(url)
        await _populate(fan_url, args.fanout, history_days=7, solves_per_member=0)
        fanout = await _fanout(fan_url, args.fanout)
        shared = _shared_fanout(fan_url, args.fanout, args.processes)
    return {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "backend": "postgresql" if postgres else "sqlite",
        "database": {
            "clubs": args.clubs,
            "members": args.clubs * MEMBERS,
            "history_days": args.days,
            "solves_per_member": args.solves,
            "build_seconds": build,
        },
        "latency": latency,
        "fanout": fanout,
        "shared_fanout": shared,
        "idle": rss,
        "cold_start": _cold_start(),
    }


def _table(result: dict[str, Any]) -> str:
    db, lat = result["database"], result["latency"]
    lines = [
        f"{result['backend']} - "
        f"Database: {db['clubs']} clubs x {MEMBERS} members, {db['history_days']} days of posts, "
        f"{db['solves_per_member']} solves per member (built in {db['build_seconds']} s)",
        "",
        f"{'command':<32}{'p50 ms':>10}{'p99 ms':>10}",
    ]
    lines += [f"{name:<32}{v['p50_ms']:>10}{v['p99_ms']:>10}" for name, v in lat.items()]
    fan, idle, cold = result["fanout"], result["idle"], result["cold_start"]
    lines += [
        "",
        f"fan-out: {fan['posts']} daily posts for {fan['clubs']} clubs in {fan['seconds']} s "
        f"({fan['posts_per_second']}/s)",
        f"the next day's fan-out fired by {result['shared_fanout']['processes']} processes at "
        f"once: {result['shared_fanout']['posts']} posts in {result['shared_fanout']['seconds']} s"
        f", split {' / '.join(map(str, result['shared_fanout']['split']))}",
        f"idle runtime with {db['clubs']} clubs ({idle['scheduled_jobs']} scheduled jobs): "
        f"peak RSS {idle['peak_rss_mb']} MB",
        f"clubbot demo cold start to first output: {cold['seconds_to_first_line']} s",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clubs", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365, help="days of history per club")
    parser.add_argument("--solves", type=int, default=10, help="solves per member")
    parser.add_argument("--rounds", type=int, default=300, help="samples per command")
    parser.add_argument("--fanout", type=int, default=10000, help="clubs for the fan-out run")
    parser.add_argument("--processes", type=int, default=3, help="for the shared fan-out")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="a scratch PostgreSQL database to run on, emptied first (default: DATABASE_URL; "
        "without one, temporary SQLite files)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(_run(args))
    print(json.dumps(result, indent=2) if args.json else _table(result))


if __name__ == "__main__":
    main()
