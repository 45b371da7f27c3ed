"""Timing every command sample of bench/core_commands.py through `Bot.handle`.

Each sample is timed twice over: CPU time of the event loop's thread (`time.thread_time`,
which SQLite's work counts in, since it runs on that thread; PostgreSQL's own work does
not, it is another process) and wall time. After the timed samples of a form, a few more
run with a counter on the engine: the statements a sample sends and the rows it reads.
With `profile`, one more pass runs the form's samples under cProfile.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.core_commands import Pick, Sample
from bench.core_population import (
    APPLICANTS,
    MEMBERS,
    NOW,
    OFFICERS,
    PAIRING,
    member_id,
    monday,
    paired_members,
)
from bot.app import ChannelRef
from bot.model import CommandEvent, Message, Place, User
from bot.pairing.store import GroupRow, RoundRow
from bot.runtime import Runtime, settled
from bot.windows.store import DeadlineStore

GOAL_MS = 5.0
TRACE_SQL = os.environ.get("BENCH_TRACE_SQL") == "1"
COUNTED_SAMPLES = 5
MIN_SAMPLES = 50  # what a --budget leaves a slow form at least
_MEMBER_REF = re.compile(r"^<?@?(U\d+)>?$")


class BenchDirectory:
    """The console's channels; members named as Slack writes them (`<@U17>`)."""

    channels = frozenset(("general", "deadlines", "daily-problem", "mock-interviews", "officers"))

    async def find_channel(self, place: Place, ref: str) -> ChannelRef | None:
        name = ref.strip().removeprefix("#").lower()
        return ChannelRef(id=name, name=name) if name in self.channels else None

    async def find_user(self, place: Place, ref: str) -> User | None:
        found = _MEMBER_REF.match(ref.strip())
        if found is None:
            return None
        return User(id=found.group(1), name=f"member {found.group(1)[1:]}")


class _Counter:
    """Statements sent and rows read between `start` and `stop` (listening only then, so
    the timed samples run without the listener)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine, self.statements, self.rows = engine.sync_engine, 0, 0

    def start(self) -> None:
        self.statements = self.rows = 0
        event.listen(self.engine, "after_cursor_execute", self._count)

    def stop(self) -> None:
        event.remove(self.engine, "after_cursor_execute", self._count)

    def _count(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        self.statements += 1
        if TRACE_SQL:  # BENCH_TRACE_SQL=1: each counted sample's statements, on stderr
            print("  sql:", " ".join(statement.split())[:160], file=sys.stderr)
        # Both drivers' adapted cursors hold a plain read's rows once it has run.
        self.rows += len(getattr(cursor, "_rows", None) or ())


@dataclass
class Figures:
    label: str
    command: str
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        cpu, wall = percentiles(self.cpu), percentiles(self.wall)
        return {
            "command": self.command,
            "samples": len(self.cpu),
            "cpu_p50_ms": cpu[0],
            "cpu_p99_ms": cpu[1],
            "wall_p50_ms": wall[0],
            "wall_p99_ms": wall[1],
            "statements": _median(self.statements),
            "rows_read": _median(self.rows),
            "over_goal": cpu[1] > GOAL_MS,
            "failures": self.failures[:3],
        }


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    if not samples:
        return (0.0, 0.0)
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (round(statistics.median(ordered), 2), round(p99, 2))


def _median(values: Sequence[int]) -> int:
    return int(statistics.median(values)) if values else 0


class Runner:
    """Runs samples through the runtime's bot; what the samples' hooks may use."""

    def __init__(self, runtime: Runtime, clubs: int, *, seed: int = 11) -> None:
        self.runtime, self.clubs = runtime, clubs
        self.engine = runtime.store.engine
        self.rng = random.Random(seed)
        self.counter = _Counter(self.engine)
        self.errors: list[BaseException] = []
        runtime.bot.on_error = lambda error, _event: self.errors.append(error)

    def deadlines(self) -> DeadlineStore:
        return self.runtime.store.repo(DeadlineStore)

    async def run(self, pick: Pick, command: str, args: Mapping[str, str]) -> Message:
        return await self.runtime.bot.handle(self._event(pick, command, args, admin=False))

    async def partner(self, pick: Pick) -> str | None:
        members = await self._this_round(pick.club)
        mine = next((g for g in members if pick.user_id in g), ())
        return next((m for m in mine if m != pick.user_id), None)

    async def _this_round(self, club: int) -> list[list[str]]:
        query = (
            select(GroupRow.members)
            .join(RoundRow, GroupRow.round_id == RoundRow.id)
            .where(RoundRow.club_id == club, RoundRow.week_of == monday(club))
        )
        async with self.engine.connect() as connection:
            return [str(m).split() for m in (await connection.execute(query)).scalars()]

    def _event(
        self, pick: Pick, command: str, args: Mapping[str, str], *, admin: bool
    ) -> CommandEvent:
        user = User(id=pick.user_id, name=f"member {pick.member}", is_admin=admin)
        place = Place(platform="slack", workspace_id=f"T{pick.club}", channel_id="general")
        return CommandEvent(name=command, args=dict(args), user=user, place=place)

    async def warm(self) -> None:
        """A running bot's steady state: every club's configuration cached."""
        for club in range(1, self.clubs + 1):
            await self.runtime.store.clubs.get(club)
        settled()  # as `Runtime.start` leaves a bot's process

    async def pick(self, sample: Sample, used: set[Pick]) -> Pick:
        for _ in range(10_000):
            club = self.rng.randint(1, self.clubs)
            pick = Pick(club=club, member=await self._member(sample, club))
            if not sample.fresh or pick not in used:
                used.add(pick)
                return pick
        raise RuntimeError(f"{sample.label}: no fresh member left; use more clubs")

    async def _member(self, sample: Sample, club: int) -> int:
        rng = self.rng
        if sample.who == "officer":
            return rng.choice(OFFICERS)
        if sample.who == "unpaired":
            return rng.choice([m for m in range(MEMBERS) if m not in PAIRING])
        if sample.who == "subscriber":
            return rng.randrange(0, MEMBERS, 3)
        if sample.who == "applicant":
            return rng.choice(APPLICANTS)
        if sample.who == "unapplied":
            return rng.choice([m for m in range(MEMBERS) if m not in APPLICANTS])
        if sample.who == "partnered":
            groups = await self._this_round(club)
            paired = [int(m[1:]) for g in groups if len(g) > 1 for m in g]
            return rng.choice(paired or list(paired_members()))
        return rng.randrange(MEMBERS)

    async def once(
        self, sample: Sample, pick: Pick, *, count: bool = False
    ) -> tuple[float, float, Message, Any]:
        """One sample: prepared, timed, checked, undone. (CPU ms, wall ms, answer, error)."""
        event = await self._prepared(sample, pick)
        self.errors.clear()
        if count:
            self.counter.start()
        wall, cpu = time.perf_counter(), time.thread_time()
        answer = await self.runtime.bot.handle(event)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        if count:
            self.counter.stop()
        error = self.errors[0] if self.errors else None
        if sample.undo:
            await sample.undo(self, pick)
        return cpu * 1000, wall * 1000, answer, error

    async def _prepared(self, sample: Sample, pick: Pick) -> CommandEvent:
        """The sample's event, its prepare hook run and then its club's configuration
        cached (as a running bot has it, also after a sample or a hook changed it)."""
        extra = await sample.prepare(self, pick) if sample.prepare else None
        await self.runtime.store.clubs.get(pick.club)
        args = {**sample.args, **(extra or {})}
        return self._event(pick, sample.command, args, admin=sample.who == "admin")

    async def measure(self, sample: Sample, rounds: int, *, budget: float | None = None) -> Figures:
        """`rounds` timed samples, or fewer (at least MIN_SAMPLES) once they have taken
        `budget` seconds of wall time."""
        figures, used = Figures(label=sample.label, command=sample.command), set[Pick]()
        # One untimed sample first: what a running bot has done once since it started
        # (imported numpy for the matching, read the bank and the calendar) is not timed.
        await self.once(sample, await self.pick(sample, used))
        for _ in range(rounds):
            spent = sum(figures.wall) / 1000
            if budget is not None and spent > budget and len(figures.wall) >= MIN_SAMPLES:
                break
            pick = await self.pick(sample, used)
            cpu, wall, answer, error = await self.once(sample, pick)
            figures.cpu.append(cpu)
            figures.wall.append(wall)
            problem = _problem(sample, answer, error)
            if problem:
                figures.failures.append(f"{pick}: {problem}")
        for _ in range(COUNTED_SAMPLES):
            pick = await self.pick(sample, used)
            await self.once(sample, pick, count=True)
            figures.statements.append(self.counter.statements)
            figures.rows.append(self.counter.rows)
        return figures

    async def profile(self, sample: Sample, rounds: int, folder: Path) -> str:
        """The form's samples under cProfile (only around `Bot.handle`); the stats file is
        written to `folder`, the top of it returned as text."""
        # Timed by this thread's CPU clock: wall time would count the waits for
        # PostgreSQL (epoll) and for a busy machine's CPU as the bot's work.
        profiler, used = cProfile.Profile(time.thread_time), set[Pick]()
        for _ in range(rounds):
            pick = await self.pick(sample, used)
            event = await self._prepared(sample, pick)
            profiler.enable()
            await self.runtime.bot.handle(event)
            profiler.disable()
            if sample.undo:
                await sample.undo(self, pick)
        name = re.sub(r"[^a-z0-9]+", "-", sample.label.lower()).strip("-")
        _dump(profiler, folder / f"{name}.prof")
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(18)
        stats.sort_stats("cumulative").print_stats(30)
        return f"== {sample.label} ({rounds} samples) ==\n{out.getvalue()}"


def _dump(profiler: cProfile.Profile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(path)


def _problem(sample: Sample, answer: Message, error: Any) -> str:
    if error is not None:
        return f"{type(error).__name__}: {error}"
    shown = "\n".join(
        [answer.title or "", answer.text, *(f"{f.name}\n{f.value}" for f in answer.fields)]
    )
    if sample.expect not in shown:
        return f"expected {sample.expect!r}, answered {shown[:200]!r}"
    return ""


def selected(samples: Sequence[Sample], only: str | None) -> list[Sample]:
    """The samples of the commands named in `only` (comma-separated; a name also selects
    its subcommands: `admin deadlines` selects add, edit, ...), or all."""
    if not only:
        return list(samples)
    names = [n.strip().removeprefix("/") for n in only.split(",") if n.strip()]
    chosen = [
        s for s in samples if any(s.command == n or s.command.startswith(n + " ") for n in names)
    ]
    if not chosen:
        raise SystemExit(f"--only {only}: no command of the benchmark matches")
    return chosen


__all__ = ["GOAL_MS", "NOW", "BenchDirectory", "Runner", "member_id", "selected"]
