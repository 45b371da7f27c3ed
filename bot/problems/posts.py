"""The daily problem post, its hint and its solution, each once per occurrence.

The post goes out at the club's problem time; the hint follows in the post's
thread after the club's hint delay; the solution idea goes into the same thread
at the next day's problem time. Which problem a day gets is decided once, when
its post is built, and recorded, so a retried post is the same problem.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.club_time import local, moment, parse_duration, parse_hhmm, zone
from bot.errors import UserError
from bot.jobs import Built, Delivery, Job, JobRun, Late, SkipRun, When
from bot.model import Button, Field, Message, clip
from bot.posting import PostFailed
from bot.problems.bank import Problem, load_bank
from bot.problems.rules import Mix, Ramp, choose_problem, parse_days, parse_mix, parse_ramp
from bot.problems.store import ProblemPost, ProblemStore
from bot.store.claims import CLAIMED, FAILED, ClaimKey
from bot.store.clubs import Club

DAILY = "daily_problem"
HINT = "problem_hint"
SOLUTION = "problem_solution"
SOLVED_ACTION = "solved"

DEFAULTS = {
    "problem_time": "09:00",
    "problem_days": "daily",
    "problem_mix": "coding daily, ml tue, sql thu",
    "problem_ramp": "mon-tue easy, wed-fri medium, sat-sun hard",
    "problem_hint_delay": "6h",
    "problem_topics": "",
    "problem_tags": "hidden",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemSettings:
    """A club's daily-problem knobs, parsed from its settings (validated when set)."""

    at: time
    days: tuple[int, ...]
    mix: Mix
    ramp: Ramp
    hint_delay: timedelta
    topics: frozenset[str] | None
    show_tags: bool


def problem_settings(club: Club) -> ProblemSettings:
    return _parse_settings(
        tuple(club.settings.get(key, default) for key, default in DEFAULTS.items())
    )


@functools.lru_cache(maxsize=1024)
def _parse_settings(values: tuple[str, ...]) -> ProblemSettings:
    """Parsed once per distinct set of values: most clubs share the defaults."""
    value = dict(zip(DEFAULTS, values, strict=True))
    topics = frozenset(t.strip() for t in value["problem_topics"].split(",") if t.strip())
    return ProblemSettings(
        at=parse_hhmm(value["problem_time"]),
        days=parse_days(value["problem_days"]),
        mix=parse_mix(value["problem_mix"]),
        ramp=parse_ramp(value["problem_ramp"]),
        hint_delay=parse_duration(value["problem_hint_delay"]),
        topics=topics or None,
        show_tags=value["problem_tags"] == "shown",
    )


def problem_day(club: Club, instant: datetime) -> date:
    """The club-local date whose problem is current at `instant` (before today's post:
    yesterday's)."""
    settings, now = problem_settings(club), local(instant, club.timezone)
    return now.date() if now.time() >= settings.at else now.date() - timedelta(days=1)


# --- the messages ---------------------------------------------------------


def problem_post(
    problem: Problem, day: date, settings: ProblemSettings, *, zone_name: str
) -> Message:
    hint_wall = datetime.combine(day, settings.at) + settings.hint_delay
    hint_at = moment(hint_wall.replace(tzinfo=zone(zone_name)), zone_name, "t")
    body = _body(problem)
    footer = (
        f"Solved it? Press Solved or run `/solved`. Hint in the thread at {hint_at}; "
        "the key idea tomorrow."
    )
    fields = [Field(name="Kind", value=f"{_KIND_NAMES[problem.kind]} · {problem.difficulty}")]
    if settings.show_tags:
        fields.append(Field(name="Topics", value=", ".join(problem.topics)))
    buttons = [Button(label="Solved", action=SOLVED_ACTION, value=problem.id)]
    if problem.url:
        buttons.append(Button(label="Open the problem", url=problem.url))
    return Message(
        title=clip(f"Daily problem · {day:%a %d %b}: {problem.title}", 150),
        text=clip(f"{body}\n\n{footer}", 3000),
        fields=tuple(fields),
        buttons=tuple(buttons),
    )


def _body(problem: Problem) -> str:
    if problem.kind == "coding":
        return f"Solve it on LeetCode: {problem.url}"
    if problem.kind == "sql":
        return (
            f"{problem.question}\n\nSchema:\n```\n{problem.schema.strip()}\n```\n"
            f"Sample rows:\n```\n{problem.rows.strip()}\n```"
        )
    return problem.question


def hint_post(problem: Problem, thread_of: str | None) -> Message:
    return Message(title=f"Hint: {problem.title}", text=problem.hint, thread_of=thread_of)


def solution_post(problem: Problem, thread_of: str | None) -> Message:
    text = problem.solution
    if problem.kind == "sql":
        text += f"\n\nReference query:\n```\n{problem.query.strip()}\n```"
    if problem.topics:
        text += f"\n\nTopics: {', '.join(problem.topics)}"
    return Message(title=f"Key idea: {problem.title}", text=clip(text, 3000), thread_of=thread_of)


_KIND_NAMES = {"coding": "Coding", "ml": "ML fundamentals", "sql": "SQL"}


# --- the jobs -------------------------------------------------------------


async def choose_many(runs: Sequence[JobRun], days: Mapping[int, date]) -> list[Problem | SkipRun]:
    """Each run's problem of its day (club id -> date): the recorded one, else a new
    choice, recorded now. A few queries for all the runs together."""
    if not runs:
        return []
    store, bank = runs[0].store.repo(ProblemStore), load_bank()
    recorded = await store.posts_on(days)
    chosen: dict[int, Problem | SkipRun] = {}
    for club_id, post in recorded.items():
        found = bank.by_id(post.problem_id)
        if found is not None:
            chosen[club_id] = found
    fresh = [run for run in runs if run.club.id not in chosen]
    history = await store.post_counts(
        {r.club.id: days[r.club.id] - timedelta(days=1) for r in fresh}
    )
    new: dict[int, ProblemPost] = {}
    for run in fresh:
        club, day = run.club, days[run.club.id]
        settings = problem_settings(club)
        try:
            choice = choose_problem(
                bank.problems,
                day,
                ramp=settings.ramp,
                mix=settings.mix,
                posted=list(history[club.id].elements()),
                topics=settings.topics,
                seed=str(club.id),
            )
        except UserError as error:  # e.g. the club's topic filter leaves nothing of today's kind
            chosen[club.id] = SkipRun(error.message)
            continue
        chosen[club.id] = choice.problem
        new[club.id] = ProblemPost(day=day, problem_id=choice.problem.id, cycle=choice.cycle)
    if new:
        await store.record_posts(new, now=runs[0].now)
    return [chosen[run.club.id] for run in runs]


async def _build_daily_many(runs: Sequence[JobRun]) -> list[Built]:
    days = {run.club.id: local(run.due_at, run.club.timezone).date() for run in runs}
    built: list[Built] = []
    for run, problem in zip(runs, await choose_many(runs, days), strict=True):
        if isinstance(problem, SkipRun):
            built.append(problem)
            continue
        day = days[run.club.id]
        message = problem_post(
            problem, day, problem_settings(run.club), zone_name=run.club.timezone
        )
        built.append(Delivery(purpose="problems", message=message))
    return built


async def _thread_problems(
    runs: Sequence[JobRun], days: Mapping[int, date]
) -> list[tuple[Problem, str] | PostFailed | None]:
    """Each run's problem posted on its day (club id -> date) and the post's message ref,
    or None if nothing was posted that day.

    While that post is still on its way (claimed, or failed and being retried), the run
    fails too, so it is retried after the post instead of being skipped for good.
    """
    if not runs:
        return []
    store, bank = runs[0].store, load_bank()
    recorded = await store.repo(ProblemStore).posts_on(days)
    keys = {
        c: ClaimKey(club_id=c, kind=DAILY, occurrence=day.isoformat()) for c, day in days.items()
    }
    claims = await store.claims.get_many(keys.values())
    found: list[tuple[Problem, str] | PostFailed | None] = []
    for run in runs:
        claim, post = claims.get(keys[run.club.id]), recorded.get(run.club.id)
        problem = bank.by_id(post.problem_id) if post else None
        if claim is not None and claim.status in (CLAIMED, FAILED):
            day = days[run.club.id]
            found.append(PostFailed(f"waiting for the problem post of {day} ({claim.status})"))
        elif problem is None or claim is None or claim.message_ref is None:
            found.append(None)
        else:
            found.append((problem, claim.message_ref))
    return found


async def _build_hints(runs: Sequence[JobRun]) -> list[Built]:
    days = {}
    for run in runs:
        delay = problem_settings(run.club).hint_delay
        days[run.club.id] = local(run.due_at - delay, run.club.timezone).date()
    return [
        Delivery(purpose="problems", message=hint_post(*p)) if isinstance(p, tuple) else p
        for p in await _thread_problems(runs, days)
    ]


async def _build_solutions(runs: Sequence[JobRun]) -> list[Built]:
    days = {r.club.id: local(r.due_at, r.club.timezone).date() - timedelta(days=1) for r in runs}
    return [
        Delivery(purpose="problems", message=solution_post(*p)) if isinstance(p, tuple) else p
        for p in await _thread_problems(runs, days)
    ]


def _when(club: Club) -> When | None:
    """The post, on the club's problem days."""
    if "problems" not in club.channels:
        return None
    settings = problem_settings(club)
    return When(hour=settings.at.hour, minute=settings.at.minute, weekdays=settings.days)


def _daily_when(club: Club, after: timedelta = timedelta(0)) -> When | None:
    """Hints and key ideas run every day and skip the days that had no post."""
    if "problems" not in club.channels:
        return None
    at = datetime.combine(date(2000, 1, 3), problem_settings(club).at) + after
    return When(hour=at.hour, minute=at.minute)


def _hint_when(club: Club) -> When | None:
    return _daily_when(club, problem_settings(club).hint_delay)


JOBS: tuple[Job, ...] = (
    Job(
        kind=DAILY,
        description="Daily problem",
        period="day",
        when=_when,
        build_many=_build_daily_many,
        # Until the club's next problem is due (a week at most, for a weekly problem).
        late=Late(at_most=timedelta(days=7)),
    ),
    Job(
        kind=HINT,
        description="Hint",
        period="day",
        when=_hint_when,
        build_many=_build_hints,
        # A hint after the key idea is out helps nobody.
        late=Late(until_next=SOLUTION),
    ),
    Job(
        kind=SOLUTION,
        description="Yesterday's key idea",
        period="day",
        when=_daily_when,
        build_many=_build_solutions,
        late=Late(),
    ),
)
