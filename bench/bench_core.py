"""Core benchmarks: every command's CPU and wall time, daily-post fan-out, idle memory,
demo cold start.

    .venv/bin/python bench/bench_core.py                  # everything, about 30 minutes quiet
    .venv/bin/python bench/bench_core.py --quick          # 50 clubs, 50 samples, small fan-out
    .venv/bin/python bench/bench_core.py --only deadlines,calendar   # those commands only
    .venv/bin/python bench/bench_core.py --only solved --profile prof/  # and cProfile them
    .venv/bin/python bench/bench_core.py --json           # the same figures for machines
    .venv/bin/python bench/bench_core.py --merge sqlite.json postgresql.json  # README table

    DATABASE_URL=postgresql+asyncpg://.../scratch .venv/bin/python bench/bench_core.py

Runs on temporary SQLite files, or on the PostgreSQL database named by --database-url or
DATABASE_URL (emptied first: use a scratch one). Commands: every command of
`bot.runtime.COMMANDS` in the forms bench/core_commands.py lists, run through `Bot.handle`
on a database of N clubs x 200 members with a year of history in every feature
(bench/core_population.py), each form `--rounds` times; CPU time of the event loop's
thread (SQLite runs on it) and wall time, p50 and p99, and the statements and rows a
sample reads. The goal is 5 ms of CPU at p99 for every command. Fan-out builds and hands
one daily-problem post per club to a recording poster through the scheduler's real path
(clubs read, claimed, chosen, recorded, posted, finished), in batches; then the next day's
fan-out is fired by three processes at once, to show how they share it. Memory is the
peak RSS of a process holding the runtime with every club scheduled; cold start is
`clubbot demo` to its first line of output.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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
from bench.core_commands import SAMPLES  # noqa: E402
from bench.core_latency import GOAL_MS, BenchDirectory, Runner, selected  # noqa: E402
from bench.core_population import MEMBERS, NOW, built, described, populate  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import sqlite_url  # noqa: E402
from bot.model import Message, Place  # noqa: E402
from bot.posting import PostKey  # noqa: E402
from bot.problems.bank import load_bank  # noqa: E402
from bot.problems.posts import DAILY  # noqa: E402
from bot.problems.store import ProblemPostRow  # noqa: E402
from bot.runtime import open_runtime  # noqa: E402
from bot.store.models import ChannelRow, ClubRow, MemberRow  # noqa: E402

PUBLIC_URL = "https://clubbot.example.org"  # the web side on: /calendar hands out links


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


async def _commands(url: str, args: argparse.Namespace, postgres: bool) -> dict[str, Any]:
    """Build the database, then time every selected command form."""
    runtime = await open_runtime(
        database_url=url,
        clock=ManualClock(NOW),
        poster=CountingPoster(),
        directory=BenchDirectory(),
        public_url=PUBLIC_URL,
    )
    try:
        wanted, found = described(args.clubs, args.days, args.solves), await built(runtime.store)
        started, rows = time.perf_counter(), {}
        if found is None:
            rows = await populate(runtime.store, args.clubs, days=args.days, solves=args.solves)
            if postgres:
                await _vacuum(url)
        elif found != wanted:
            raise SystemExit(f"the database holds {found}, not {wanted}: run without --reuse")
        build = round(time.perf_counter() - started, 1)
        _say(args, f"database ready in {build} s: {sum(rows.values()):,} rows written")
        runner = Runner(runtime, args.clubs)
        await runner.warm()
        figures: dict[str, dict[str, Any]] = {}
        profiles = []
        for sample in selected(SAMPLES, args.only):
            measured = (await runner.measure(sample, args.rounds, budget=args.budget)).summary()
            figures[sample.label] = measured
            _say(args, _row(sample.label, measured))
            if args.profile:
                profiles.append(await runner.profile(sample, args.rounds, Path(args.profile)))
        if profiles:
            report = Path(args.profile) / "profiles.txt"
            report.write_text("\n\n".join(profiles))
            _say(args, f"profiles in {report} and one .prof file per form")
    finally:
        await runtime.close()
    return {
        "database": {
            "clubs": args.clubs,
            "members": args.clubs * MEMBERS,
            "history_days": args.days,
            "solves_per_member": args.solves,
            "rows": rows,
            "build_seconds": build,
        },
        "commands": figures,
    }


def _say(args: argparse.Namespace, line: str) -> None:
    """Progress on stderr, so --json's stdout stays one document."""
    print(line, file=sys.stderr if args.json else sys.stdout, flush=True)


async def _populate_fanout(url: str, clubs: int, *, history_days: int) -> None:
    """N clubs with channels, 200 members each and `history_days` of posts: what the
    fan-out reads."""
    runtime = await open_runtime(
        database_url=url,
        clock=ManualClock(NOW),
        poster=CountingPoster(),
        directory=ConsoleDirectory(),
    )
    bank = [p for p in load_bank().problems if p.kind == "coding"]
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
        await db.execute(
            insert(ProblemPostRow),
            [
                {
                    "club_id": c,
                    "day": first + timedelta(days=d),
                    "problem_id": bank[(c + d) % len(bank)].id,
                    "cycle": 1,
                    "posted_at": NOW,
                }
                for c in range(1, clubs + 1)
                for d in range(history_days)
            ],
        )
    await runtime.close()


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
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory(prefix="clubbot-bench-") as folder:
        postgres = bool(args.database_url and args.database_url.startswith("postgresql"))
        file = Path(args.sqlite_file) if args.sqlite_file else Path(folder) / "bench.db"
        url = args.database_url if postgres else sqlite_url(file)
        if not postgres and not args.reuse:
            for stale in (file, file.with_name(file.name + "-wal")):
                stale.unlink(missing_ok=True)
        result: dict[str, Any] = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": sys.version.split()[0],
                "load_before": _load(),
            },
            "backend": "postgresql" if postgres else "sqlite",
            "goal_cpu_p99_ms": GOAL_MS,
        }
        if postgres and not args.reuse:
            await _empty(url)
        if "commands" in parts:
            result |= await _commands(url, args, postgres)
        if "idle" in parts:
            result["idle"] = _idle_rss(url)
        if parts & {"fanout", "shared"}:
            fan_url = url if postgres else sqlite_url(Path(folder) / "fanout.db")
            if postgres:
                await _empty(url)  # the fan-out's own clubs (the commands' are gone)
            await _populate_fanout(fan_url, args.fanout, history_days=7)
            if "fanout" in parts:
                result["fanout"] = await _fanout(fan_url, args.fanout)
            if "shared" in parts:
                result["shared_fanout"] = _shared_fanout(fan_url, args.fanout, args.processes)
        if "cold" in parts:
            result["cold_start"] = _cold_start()
        result["machine"]["load_after"] = _load()
        result["finished"] = datetime.now().astimezone().isoformat(timespec="seconds")
    return result


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _row(label: str, v: dict[str, Any]) -> str:
    flag = "  over 5 ms" if v["over_goal"] else ""
    failed = f"  FAILED: {v['failures'][0]}" if v["failures"] else ""
    return (
        f"{_short(label):<62}{v['cpu_p50_ms']:>9}{v['cpu_p99_ms']:>9}{v['wall_p50_ms']:>9}"
        f"{v['wall_p99_ms']:>9}{v['samples']:>5}{v['statements']:>7}{v['rows_read']:>7}"
        f"{flag}{failed}"
    )


def _short(label: str, width: int = 61) -> str:
    """A long label cut in its middle, so the form at its end still shows."""
    return label if len(label) <= width else f"{label[: width - 25]}…{label[-24:]}"


_HEADER = (
    f"{'command':<62}{'CPU p50':>9}{'p99':>9}{'wall p50':>9}{'p99':>9}{'n':>5}{'stmts':>7}"
    f"{'rows':>7}"
)


def _table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['backend']} on {result['machine']['cpus']} CPUs, Python "
        f"{result['machine']['python']}; load average {result['machine']['load_before']} "
        f"before, {result['machine']['load_after']} after",
    ]
    if "commands" in result:
        db, commands = result["database"], result["commands"]
        lines += [
            f"Database: {db['clubs']} clubs x {MEMBERS} members, {db['history_days']} days of "
            f"history, {sum(db['rows'].values()):,} rows (built in {db['build_seconds']} s)",
            "",
            _HEADER + "  (ms; n samples; stmts and rows per sample)",
            *(_row(label, v) for label, v in commands.items()),
            "",
            _over(commands, result["backend"]),
        ]
    if "fanout" in result:
        fan = result["fanout"]
        lines.append(
            f"fan-out: {fan['posts']} daily posts for {fan['clubs']} clubs in {fan['seconds']} s "
            f"({fan['posts_per_second']}/s)"
        )
    if "shared_fanout" in result:
        shared = result["shared_fanout"]
        lines.append(
            f"the next day's fan-out fired by {shared['processes']} processes at once: "
            f"{shared['posts']} posts in {shared['seconds']} s, split "
            f"{' / '.join(map(str, shared['split']))}"
        )
    if "idle" in result:
        idle = result["idle"]
        lines.append(
            f"idle runtime ({idle['scheduled_jobs']} scheduled jobs): "
            f"peak RSS {idle['peak_rss_mb']} MB"
        )
    if "cold_start" in result:
        lines.append(
            f"clubbot demo cold start to first output: "
            f"{result['cold_start']['seconds_to_first_line']} s"
        )
    return "\n".join(lines)


def _over(commands: dict[str, Any], backend: str) -> str:
    over = [label for label, v in commands.items() if v["over_goal"]]
    failed = [label for label, v in commands.items() if v["failures"]]
    text = f"Over {GOAL_MS:g} ms CPU at p99 on {backend}: {len(over)} of {len(commands)} forms" + (
        ": " + "; ".join(over) if over else "."
    )
    if failed:
        text += f"\nFAILED (answer not as expected; figures not meaningful): {'; '.join(failed)}"
    return text


def _merged(paths: list[str]) -> str:
    """One markdown table of several runs' command figures (e.g. SQLite and PostgreSQL)."""
    runs = [json.loads(Path(p).read_text()) for p in paths]
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    head = "| command (ms) |" + "".join(
        f" {names.get(r['backend'], r['backend'])} CPU p50 | p99 | wall p50 | p99 |" for r in runs
    )
    rule = "|---|" + "---:|" * (4 * len(runs))
    labels = list(dict.fromkeys(label for r in runs for label in r.get("commands", {})))
    lines = [head, rule]
    for label in labels:
        cells = []
        for r in runs:
            v = r.get("commands", {}).get(label)
            if v is None:
                cells += [""] * 4
                continue
            p99 = f"**{v['cpu_p99_ms']}**" if v["over_goal"] else str(v["cpu_p99_ms"])
            cells += [str(v["cpu_p50_ms"]), p99, str(v["wall_p50_ms"]), str(v["wall_p99_ms"])]
        shown = label.replace("|", "\\|")
        lines.append(f"| `{shown}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clubs", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365, help="days of history per club")
    parser.add_argument("--solves", type=int, default=10, help="solves per member")
    parser.add_argument("--rounds", type=int, default=300, help="samples per command form")
    parser.add_argument("--fanout", type=int, default=10000, help="clubs for the fan-out run")
    parser.add_argument("--processes", type=int, default=3, help="for the shared fan-out")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="50 clubs, 50 samples a form, a fan-out of 500 clubs by 2 processes",
    )
    parser.add_argument(
        "--only",
        help="comma-separated commands to time, e.g. deadlines,admin (implies --parts commands)",
    )
    parser.add_argument(
        "--parts",
        help="comma-separated of commands,fanout,shared,idle,cold (default: all of them)",
    )
    parser.add_argument("--profile", metavar="FOLDER", help="also cProfile each form there")
    parser.add_argument(
        "--budget",
        type=float,
        metavar="SECONDS",
        help="stop timing a form after this much wall time (it keeps at least 50 samples)",
    )
    parser.add_argument(
        "--sqlite-file", metavar="PATH", help="build the SQLite database there and keep it"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the database (--sqlite-file or the PostgreSQL one) as an earlier run built "
        "it, instead of building it again (its samples changed it a little)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="a scratch PostgreSQL database to run on, emptied first (default: DATABASE_URL; "
        "without one, temporary SQLite files)",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--merge", nargs="+", metavar="JSON", help="print runs' tables as one")
    args = parser.parse_args()
    if args.merge:
        print(_merged(args.merge))
        return
    if args.quick:
        args.clubs, args.rounds, args.fanout, args.processes = 50, 50, 500, 2
    if args.parts is None:
        args.parts = "commands" if args.only else "commands,fanout,shared,idle,cold"
    result = asyncio.run(_run(args))
    print(json.dumps(result, indent=2) if args.json else _table(result))


if __name__ == "__main__":
    main()
