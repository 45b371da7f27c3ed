"""Daily-problem decisions, pure: which problem a day gets, streaks, the leaderboard.

Dates are club-local dates computed by the caller; nothing here reads a clock
or a database, so every rule is tested with plain values.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from bot.club_time import WEEKDAYS
from bot.errors import UserError
from bot.problem_bank import DIFFICULTIES, KINDS, POINTS, Difficulty, Kind, Problem

# The seeds' target for a first internship season: 75-100 problems across the patterns.
TARGET_LOW, TARGET_HIGH = 75, 100

_DAY_ABBREVIATIONS: Final = {w[:3]: i for i, w in enumerate(WEEKDAYS)}
_DAY_GROUPS: Final = {
    "daily": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
}
_RAMP_EXAMPLE = '"mon-tue easy, wed-fri medium, sat-sun hard"'
_MIX_EXAMPLE = '"coding daily, ml tue, sql thu"'


@dataclass(frozen=True, slots=True)
class Ramp:
    """The difficulty of each weekday's problem, Monday first."""

    by_weekday: tuple[Difficulty, ...]


@dataclass(frozen=True, slots=True)
class Mix:
    """The kind of each weekday's problem, Monday first."""

    by_weekday: tuple[Kind, ...]

    @property
    def kinds(self) -> frozenset[Kind]:
        return frozenset(self.by_weekday)


def _days(text: str, example: str) -> tuple[int, ...]:
    """'mon', 'wed-fri', 'sat-sun', 'daily', 'weekdays', 'weekends' -> weekday numbers."""
    word = text.strip().lower()
    if word in _DAY_GROUPS:
        return _DAY_GROUPS[word]
    ends = word.split("-")
    if len(ends) in (1, 2) and all(e[:3] in _DAY_ABBREVIATIONS for e in ends):
        first, last = (_DAY_ABBREVIATIONS[e[:3]] for e in (ends[0], ends[-1]))
        return tuple((first + i) % 7 for i in range((last - first) % 7 + 1))
    raise UserError(f"`{text[:30]}` is not a day or a range of days. Write it like {example}.")


def parse_days(text: str) -> tuple[int, ...]:
    """'daily', 'weekdays', 'mon-fri', 'mon,wed,fri' -> weekday numbers, Monday 0."""
    example = '"weekdays", "mon-fri" or "mon,wed,fri"'
    days = {d for part in text.split(",") if part.strip() for d in _days(part, example)}
    if not days:
        raise UserError(f"Name at least one day, e.g. {example}.")
    return tuple(sorted(days))


def _assignments(text: str, values: Collection[str], what: str, example: str) -> dict[int, str]:
    """Parse 'DAYS VALUE, DAYS VALUE, ...'; later parts override earlier ones."""
    by_day: dict[int, str] = {}
    for part in (p for p in re.split(r"[,;]", text) if p.strip()):
        words = part.split()
        if len(words) != 2:
            raise UserError(f"I can't read `{part.strip()[:40]}`. Write it like {example}.")
        first, second = words
        value, days = (first, second) if first.lower() in values else (second, first)
        if value.lower() not in values:
            raise UserError(f"`{value[:20]}` is not a {what}: use {', '.join(values)}.")
        for day in _days(days, example):
            by_day[day] = value.lower()
    return by_day


def parse_ramp(text: str) -> Ramp:
    by_day = _assignments(text, DIFFICULTIES, "difficulty", _RAMP_EXAMPLE)
    missing = [WEEKDAYS[d].title() for d in range(7) if d not in by_day]
    if missing:
        raise UserError(f"The ramp leaves out {', '.join(missing)}. Write it like {_RAMP_EXAMPLE}.")
    return Ramp(tuple(by_day[d] for d in range(7)))  # type: ignore[misc]


def parse_mix(text: str) -> Mix:
    """Kinds per weekday; a kind given 'daily' fills the days no other kind claims."""
    parts = [p for p in re.split(r"[,;]", text) if p.strip()]
    # Daily defaults first, so 'coding daily, ml tue' puts ML on Tuesday whatever the order.
    ordered = sorted(parts, key=lambda p: "daily" not in p.lower())
    by_day = _assignments(", ".join(ordered), KINDS, "kind", _MIX_EXAMPLE)
    missing = [WEEKDAYS[d].title() for d in range(7) if d not in by_day]
    if missing:
        raise UserError(f"The mix leaves out {', '.join(missing)}. Write it like {_MIX_EXAMPLE}.")
    return Mix(tuple(by_day[d] for d in range(7)))  # type: ignore[misc]


DEFAULT_RAMP: Final = parse_ramp("mon-tue easy, wed-fri medium, sat-sun hard")
DEFAULT_MIX: Final = parse_mix("coding daily, ml tue, sql thu")


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    problem: Problem
    cycle: int  # 1 for the first pass through the club's bank, 2 once it starts again...
    note: str = ""  # why the pick differs from the ramp, if it does


def choose_problem(
    bank: Sequence[Problem],
    day: date,
    *,
    ramp: Ramp,
    mix: Mix,
    posted: Sequence[str],
    topics: frozenset[str] | None = None,
    seed: str,
) -> Choice:
    """The problem for `day`: the mix's kind, the ramp's difficulty, no repeat within a cycle.

    `posted` is every problem id the club has posted, oldest first. The choice is
    a stable hash of (seed, day, id), so two processes agree on it.
    """
    kind, wanted = mix.by_weekday[day.weekday()], ramp.by_weekday[day.weekday()]
    pool = [p for p in bank if p.kind == kind and (topics is None or topics & set(p.topics))]
    if not pool:
        filtered = f" with topics {', '.join(sorted(topics))}" if topics else ""
        raise UserError(f"No {kind} problem in the bank{filtered}: change the topics or the mix.")
    ids = {p.id for p in pool}
    used = [i for i in posted if i in ids]
    cycle, fresh_from = len(used) // len(pool) + 1, len(used) - len(used) % len(pool)
    unused = [p for p in pool if p.id not in set(used[fresh_from:])]
    for difficulty in _nearest(wanted):
        candidates = [p for p in unused if p.difficulty == difficulty]
        if candidates:
            pick = min(candidates, key=lambda p: _rank(seed, day, p.id))
            note = "" if difficulty == wanted else f"no {wanted} {kind} problem left; {difficulty}"
            return Choice(problem=pick, cycle=cycle, note=note)
    raise AssertionError("unreachable: `unused` is never empty")


def _nearest(wanted: Difficulty) -> list[Difficulty]:
    order = list(DIFFICULTIES)
    return sorted(order, key=lambda d: (abs(order.index(d) - order.index(wanted)), order.index(d)))


def _rank(seed: str, day: date, problem_id: str) -> str:
    return hashlib.sha256(f"{seed}|{day.isoformat()}|{problem_id}".encode()).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Streak:
    current: int
    best: int


def streaks(solve_days: Iterable[date], today: date) -> Streak:
    """Consecutive days with a solve. Today's streak stands until today is over."""
    days = sorted(set(solve_days))
    best = run = 0
    previous: date | None = None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best, previous = max(best, run), day
    alive = previous is not None and today - previous <= timedelta(days=1)
    return Streak(current=run if alive else 0, best=best)


@dataclass(frozen=True, slots=True, kw_only=True)
class Solve:
    user_id: str
    name: str
    problem_id: str
    difficulty: str
    day: date


@dataclass(frozen=True, slots=True, kw_only=True)
class Standing:
    rank: int
    user_id: str
    name: str
    points: int
    solves: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Total:
    """One member's counted solves: what the leaderboard ranks."""

    user_id: str
    name: str
    points: int
    solves: int
    last_day: date  # the day of the last counted solve: who got there first


def leaderboard(solves: Iterable[Solve], *, since: date | None = None) -> list[Standing]:
    """Points (easy 1, medium 3, hard 5), each problem once per member, ranked."""
    return rank(totals(solves, since=since))


def totals(solves: Iterable[Solve], *, since: date | None = None) -> list[Total]:
    counted: dict[tuple[str, str], Solve] = {}
    for solve in sorted(solves, key=lambda s: s.day):
        if since is None or solve.day >= since:
            counted.setdefault((solve.user_id, solve.problem_id), solve)
    by_user: dict[str, list[Solve]] = {}
    for solve in counted.values():
        by_user.setdefault(solve.user_id, []).append(solve)
    return [
        Total(
            user_id=user,
            name=mine[-1].name,
            points=sum(POINTS[s.difficulty] for s in mine),
            solves=len(mine),
            last_day=max(s.day for s in mine),
        )
        for user, mine in by_user.items()
    ]


def rank(totals: Iterable[Total]) -> list[Standing]:
    """Order: points, then solves, then who got there first (the day of their last
    counted solve), then user id. Equal points and solves share a rank (1, 2, 2, 4)."""
    ordered = sorted(totals, key=lambda t: (-t.points, -t.solves, t.last_day, t.user_id))
    standings: list[Standing] = []
    for position, t in enumerate(ordered, start=1):
        tied = standings and (standings[-1].points, standings[-1].solves) == (t.points, t.solves)
        standings.append(
            Standing(
                rank=standings[-1].rank if tied else position,
                user_id=t.user_id,
                name=t.name,
                points=t.points,
                solves=t.solves,
            )
        )
    return standings


def progress(solved: int) -> str:
    """Where a member stands against the 75-100 problem target."""
    if solved >= TARGET_HIGH:
        return f"{solved} solved: past the {TARGET_LOW}-{TARGET_HIGH} target. Keep it warm."
    if solved >= TARGET_LOW:
        return f"{solved} solved: inside the {TARGET_LOW}-{TARGET_HIGH} target range."
    return f"{solved}/{TARGET_LOW} toward the {TARGET_LOW}-{TARGET_HIGH} problem target."
