"""Daily-problem decisions, pure: which problem a day gets, streaks, the leaderboard.

Dates are club-local dates computed by the caller; nothing here reads a clock
or a database, so every rule is tested with plain values.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, TypeVar

from bot.club_time import WEEKDAYS
from bot.errors import UserError
from bot.problems.bank import DIFFICULTIES, KINDS, POINTS, Difficulty, Kind, Problem

# The seeds' target for a first internship season: "~75-100 problems is enough".
TARGET_LOW, TARGET_HIGH = 75, 100

_DAY_GROUPS: Final = {
    "daily": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
}
_RAMP_EXAMPLE: Final = '"mon-tue easy, wed-fri medium, sat-sun hard"'
_MIX_EXAMPLE: Final = '"coding daily, ml tue, sql thu"'
_DIFFICULTY_NAMES: Final[Mapping[str, Difficulty]] = {d: d for d in DIFFICULTIES}
_KIND_NAMES: Final[Mapping[str, Kind]] = {k: k for k in KINDS}
_T = TypeVar("_T", bound=str)


@dataclass(frozen=True, slots=True)
class Ramp:
    """The difficulty of each weekday's problem, Monday first."""

    by_weekday: tuple[Difficulty, ...] = (
        "easy",
        "easy",
        "medium",
        "medium",
        "medium",
        "hard",
        "hard",
    )

    def __post_init__(self) -> None:
        _check_week(self.by_weekday, DIFFICULTIES, "Ramp")


@dataclass(frozen=True, slots=True)
class Mix:
    """The kind of each weekday's problem, Monday first."""

    by_weekday: tuple[Kind, ...] = ("coding", "ml", "coding", "sql", "coding", "coding", "coding")

    def __post_init__(self) -> None:
        _check_week(self.by_weekday, KINDS, "Mix")

    @property
    def kinds(self) -> frozenset[Kind]:
        return frozenset(self.by_weekday)


def _check_week(values: tuple[str, ...], allowed: Collection[str], what: str) -> None:
    if len(values) != 7 or not set(values) <= set(allowed):
        raise ValueError(f"{what} needs seven values from {', '.join(allowed)}: {values!r}")


def _weekday(word: str) -> int | None:
    """'mon', 'tues', 'Thursday' -> 0, 1, 3; a prefix of at least three letters."""
    if len(word) < 3:
        return None
    return next((i for i, name in enumerate(WEEKDAYS) if name.startswith(word)), None)


def _days(text: str, example: str) -> tuple[int, ...]:
    """'mon', 'wed-fri', 'sat-sun', 'fri-mon', 'daily', 'weekdays', 'weekends' -> weekdays."""
    word = text.strip().lower()
    if word in _DAY_GROUPS:
        return _DAY_GROUPS[word]
    found = [_weekday(end.strip()) for end in word.split("-")]
    ends = [d for d in found if d is not None]
    if len(found) in (1, 2) and len(ends) == len(found):
        first, last = ends[0], ends[-1]
        return tuple((first + i) % 7 for i in range((last - first) % 7 + 1))
    raise UserError(f"`{text[:30]}` is not a day or a range of days. Write it like {example}.")


def _is_days(word: str) -> bool:
    try:
        _days(word, "")
    except UserError:
        return False
    return True


def parse_days(text: str) -> tuple[int, ...]:
    """'daily', 'weekdays', 'mon-fri', 'mon,wed,fri' -> weekday numbers, Monday 0."""
    example = '"weekdays", "mon-fri" or "mon,wed,fri"'
    days = {d for part in text.split(",") if part.strip() for d in _days(part, example)}
    if not days:
        raise UserError(f"Name at least one day, e.g. {example}.")
    return tuple(sorted(days))


def _assignments(
    parts: Iterable[str], values: Mapping[str, _T], what: str, example: str
) -> dict[int, _T]:
    """Parse 'DAYS VALUE' parts (either order); later parts override earlier ones."""
    by_day: dict[int, _T] = {}
    for part in parts:
        words = part.lower().split()
        if len(words) != 2:
            raise UserError(f"I can't read `{part.strip()[:40]}`. Write it like {example}.")
        # Either order: the value is the word that is one, else the word that is not a day.
        days_first = words[1] in values or (words[0] not in values and _is_days(words[0]))
        days, value = (words[0], words[1]) if days_first else (words[1], words[0])
        if value not in values:
            raise UserError(
                f"`{value[:20]}` is not a {what}: use {', '.join(values)}. Write it like {example}."
            )
        for day in _days(days, example):
            by_day[day] = values[value]
    return by_day


def _whole_week(by_day: Mapping[int, _T], what: str, example: str) -> tuple[_T, ...]:
    missing = [WEEKDAYS[d].title() for d in range(7) if d not in by_day]
    if missing:
        raise UserError(f"The {what} leaves out {', '.join(missing)}. Write it like {example}.")
    return tuple(by_day[d] for d in range(7))


def _parts(text: str) -> list[str]:
    return [p for p in re.split(r"[,;]", text) if p.strip()]


def parse_ramp(text: str) -> Ramp:
    """'mon-tue easy, wed-fri medium, sat-sun hard': every weekday needs a difficulty."""
    by_day = _assignments(_parts(text), _DIFFICULTY_NAMES, "difficulty", _RAMP_EXAMPLE)
    return Ramp(_whole_week(by_day, "ramp", _RAMP_EXAMPLE))


def parse_mix(text: str) -> Mix:
    """Kinds per weekday; a kind given 'daily' fills the days no other kind claims."""
    # Daily defaults first, so 'ml tue, coding daily' still puts ML on Tuesday.
    parts = sorted(_parts(text), key=lambda p: "daily" not in p.lower().split())
    by_day = _assignments(parts, _KIND_NAMES, "kind", _MIX_EXAMPLE)
    return Mix(_whole_week(by_day, "mix", _MIX_EXAMPLE))


DEFAULT_RAMP: Final = Ramp()
DEFAULT_MIX: Final = Mix()


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """The day's pick, with what a member or officer should know about it."""

    problem: Problem
    cycle: int  # 1 for the first pass through the club's filtered bank, 2 for the next...
    new_cycle: bool = False  # this pick opens `cycle`: every problem of the kind has been posted
    note: str = ""  # why the pick differs from the plan (a new cycle, another difficulty)


def choose_problem(
    bank: Sequence[Problem],
    day: date,
    *,
    ramp: Ramp,
    mix: Mix,
    posted: Collection[str],
    topics: frozenset[str] | None = None,
    seed: str,
) -> Choice:
    """The problem for `day`: the mix's kind, the ramp's difficulty, no repeat within a cycle.

    `posted` holds every id the club has posted, repeats included (a list of posts,
    not a set), in any order, or is a Counter of them (as the store counts them). A
    problem is due again only once every problem of the filtered pool has been posted
    as often as it, so problems added to the bank or let in by a wider filter are used
    before anything repeats. Among the candidates the pick is a stable hash of (seed,
    day, id), so two processes agree on it.
    """
    kind, wanted = mix.by_weekday[day.weekday()], ramp.by_weekday[day.weekday()]
    pool = [p for p in bank if p.kind == kind and (topics is None or topics & set(p.topics))]
    if not pool:
        filtered = f" with topics {', '.join(sorted(topics))}" if topics else ""
        raise UserError(f"No {kind} problem in the bank{filtered}: change the topics or the mix.")
    times = posted if isinstance(posted, Counter) else Counter(posted)
    done = min(times[p.id] for p in pool) if times else 0  # passes the whole pool has had
    fresh = [p for p in pool if times[p.id] == done]
    new_cycle = done > 0 and len(fresh) == len(pool)
    notes = [f"every {kind} problem has been posted; cycle {done + 1} starts"] if new_cycle else []
    for difficulty in _nearest(wanted):
        candidates = [p for p in fresh if p.difficulty == difficulty]
        if candidates:
            if difficulty != wanted:
                notes.append(f"no {wanted} {kind} problem left; {difficulty}")
            prefix = f"{seed}|{day.isoformat()}|"
            pick = min(candidates, key=lambda p: _hash(prefix + p.id))
            return Choice(problem=pick, cycle=done + 1, new_cycle=new_cycle, note="; ".join(notes))
    raise AssertionError("unreachable: `fresh` holds the least-posted problems of a non-empty pool")


def _nearest(wanted: Difficulty) -> list[Difficulty]:
    """The wanted difficulty, then the others by distance; the easier one wins a tie."""
    order = list(DIFFICULTIES)
    return sorted(order, key=lambda d: (abs(order.index(d) - order.index(wanted)), order.index(d)))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Streak:
    current: int
    best: int


def streaks(solve_days: Iterable[date], today: date) -> Streak:
    """Consecutive days with a solve. Today's streak stands until today is over."""
    days = sorted({d for d in solve_days if d <= today})
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
    """Each member's first solve of each problem counts, on its day; `since` keeps the
    first solves made on or after it (solving an old problem again scores nothing)."""
    first: dict[tuple[str, str], Solve] = {}
    names: dict[str, str] = {}  # a member shows under the name of their latest solve
    for solve in sorted(solves, key=lambda s: s.day):
        first.setdefault((solve.user_id, solve.problem_id), solve)
        names[solve.user_id] = solve.name
    by_user: dict[str, list[Solve]] = {}
    for solve in first.values():
        if since is None or solve.day >= since:
            by_user.setdefault(solve.user_id, []).append(solve)
    return [
        Total(
            user_id=user,
            name=names[user],
            points=sum(POINTS.get(s.difficulty, 0) for s in mine),
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
