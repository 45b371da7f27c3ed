"""The daily problem post, its hint and its solution, each once per occurrence.

The post goes out at the club's problem time; the hint follows in the post's
thread after the club's hint delay; the solution idea goes into the same thread
at the next day's problem time. Which problem a day gets is decided once, when
its post is built, and recorded, so a retried post is the same problem.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.app import Run
from bot.club_time import local, moment, parse_duration, parse_hhmm, zone
from bot.errors import UserError
from bot.jobs import Built, Delivery, Job, JobRun, Late, SkipRun, When
from bot.model import MAX_FIELD_VALUE, MAX_TEXT, Button, Field, Message, clip, fit, shown_length
from bot.posting import PostFailed
from bot.problems.bank import Bank, Problem, load_bank
from bot.problems.rules import (
    Choice,
    Mix,
    Ramp,
    choose_problem,
    parse_days,
    parse_mix,
    parse_ramp,
)
from bot.problems.store import ProblemPost, ProblemStore
from bot.store.claims import CLAIMED, FAILED, POSTED, ClaimKey
from bot.store.clubs import Club
from bot.store.store import Store

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


def club_choice(club: Club, bank: Bank, day: date, posted: Collection[str]) -> Choice:
    """The club's problem for `day` as its settings choose it, given every id it posted
    before (repeats included; or a Counter of them): the daily job's choice, and the
    forecast of it for the days to come (`bot/problems/spoilers.py`). UserError when
    nothing of the day's kind passes the club's topics."""
    settings = problem_settings(club)
    return choose_problem(
        bank.problems,
        day,
        ramp=settings.ramp,
        mix=settings.mix,
        posted=posted,
        topics=settings.topics,
        seed=str(club.id),
    )


def problem_day(club: Club, instant: datetime) -> date:
    """The club-local date whose problem is current at `instant` (before today's post:
    yesterday's)."""
    settings, now = problem_settings(club), local(instant, club.timezone)
    return now.date() if now.time() >= settings.at else now.date() - timedelta(days=1)


# --- what a post promises ---------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Promise:
    """When a post says its hint and its key idea come. A post promises only what the
    schedule will still deliver after it goes out: a post made after its hint's time (an
    officer's post-now in the evening, a post late after an outage) gets its hint with the
    key idea the next morning instead."""

    hint_at: datetime | None  # the hint's run for this post, still ahead
    hint_given: bool  # the hint is already in the thread (or on its way)
    key_idea_at: datetime | None  # the key idea's run for this post, still ahead

    def text(self, zone_name: str) -> str:
        def at(instant: datetime) -> str:
            return moment(instant, zone_name, "t")

        if self.key_idea_at is None:
            return "The hint and the key idea are in the thread." if self.hint_given else ""
        if self.hint_given:
            return "The hint is in the thread; the key idea tomorrow."
        if self.hint_at is not None:
            return f"Hint in the thread at {at(self.hint_at)}; the key idea tomorrow."
        return f"The hint and the key idea come in the thread tomorrow at {at(self.key_idea_at)}."


def hint_due(settings: ProblemSettings, day: date, zone_name: str) -> datetime:
    """When the hint of `day`'s post runs: the post's time plus the delay, on the clock."""
    wall = datetime.combine(day, settings.at) + settings.hint_delay
    return wall.replace(tzinfo=zone(zone_name))


def key_idea_due(settings: ProblemSettings, day: date, zone_name: str) -> datetime:
    """When the key idea of `day`'s post runs: the next day at the problem time."""
    return datetime.combine(day + timedelta(days=1), settings.at, tzinfo=zone(zone_name))


def _post_time(settings: ProblemSettings, day: date, zone_name: str) -> datetime:
    return datetime.combine(day, settings.at, tzinfo=zone(zone_name))


def promise_of(
    settings: ProblemSettings,
    day: date,
    *,
    zone_name: str,
    at: datetime,
    hint_status: str | None = None,
) -> Promise:
    """What a post of `day` going out `at` may promise; `hint_status` is the state of the
    claim of its hint, if that has run (a hint run that found no post was skipped for good)."""
    hint = hint_due(settings, day, zone_name)
    key_idea = key_idea_due(settings, day, zone_name)
    return Promise(
        hint_at=hint if hint_status is None and hint > at else None,
        hint_given=hint_status in (CLAIMED, FAILED, POSTED),
        key_idea_at=key_idea if key_idea > at else None,
    )


async def hint_states(store: Store, days: Mapping[int, date]) -> dict[int, str | None]:
    """The state of each club's (id -> post day) hint claim, None where none ran."""
    keys = {c: ClaimKey(club_id=c, kind=HINT, occurrence=d.isoformat()) for c, d in days.items()}
    claims = await store.claims.get_many(keys.values())
    return {c: claims[k].status if k in claims else None for c, k in keys.items()}


async def notes_after_moving(
    store: Store, club: Club, now: datetime, went_out: Sequence[Run]
) -> list[str]:
    """After an officer moved the problem time or the hint delay, what that did, in words:
    what went out now because its new time had passed (`went_out`: the scheduler posts
    what a change left behind, `Schedule.club_changed`), and when a hint a post is waiting
    for comes now."""
    settings, zone_name = problem_settings(club), club.timezone
    notes = [_went_out(club, run) for run in went_out if run.kind in _WHAT]
    today = local(now, zone_name).date()
    # Only a hint still ahead gets a note: the claims of a day whose hint is due by now
    # are not read (after a move in the evening, neither day's).
    ahead = [
        day
        for day in (today - timedelta(days=1), today)
        if hint_due(settings, day, zone_name) > now
    ]
    if not ahead:
        return notes
    keys = {
        day: ((DAILY, day.isoformat()), (HINT, day.isoformat()), (SOLUTION, _next(day)))
        for day in ahead
    }
    states = await store.repo(ProblemStore).claim_states(
        club.id, [key for day_keys in keys.values() for key in day_keys]
    )
    for day in ahead:
        post, hint, key_idea = keys[day]
        if states.get(post) != POSTED or hint in states or key_idea in states:
            continue
        at = hint_due(settings, day, zone_name)
        notes.append(f"{day:%a %d %b}'s hint now goes out at {moment(at, zone_name, 't')}.")
    return notes


def _next(day: date) -> str:
    """The occurrence of the key idea of `day`'s post: the next day's."""
    return (day + timedelta(days=1)).isoformat()


_WHAT = {DAILY: "problem", HINT: "hint", SOLUTION: "key idea"}


def _went_out(club: Club, run: Run) -> str:
    """E.g. "Mon 03 Aug's problem went out now: its new time had passed."; the day is the
    post's (a key idea runs the day after its post)."""
    day = _hint_day(club, run.at) if run.kind == HINT else local(run.at, club.timezone).date()
    if run.kind == SOLUTION:
        day -= timedelta(days=1)
    return f"{day:%a %d %b}'s {_WHAT[run.kind]} went out now: its new time had passed."


# --- the messages ---------------------------------------------------------


def problem_post(
    problem: Problem,
    day: date,
    settings: ProblemSettings,
    *,
    zone_name: str,
    promise: Promise | None = None,
) -> Message:
    """The day's post; `promise` says when its hint and key idea come (by default, as
    scheduled: a post going out at its time)."""
    if promise is None:
        promise = promise_of(
            settings, day, zone_name=zone_name, at=_post_time(settings, day, zone_name)
        )
    body = _body(problem)
    footer = f"Solved it? Press Solved or run `/solved`. {promise.text(zone_name)}".strip()
    fields = [Field(name="Kind", value=f"{_KIND_NAMES[problem.kind]} · {problem.difficulty}")]
    topics = clip(", ".join(t for t in problem.topics if t.strip()), MAX_FIELD_VALUE)
    if settings.show_tags and topics:
        fields.append(Field(name="Topics", value=topics))
    buttons = [Button(label="Solved", action=SOLVED_ACTION, value=problem.id)]
    if problem.url:
        buttons.append(Button(label="Open the problem", url=problem.url))
    return fit(
        f"{clip(body, MAX_TEXT - shown_length(footer) - 2)}\n\n{footer}",
        title=f"Daily problem · {day:%a %d %b}: {problem.title}",
        fields=fields,
        buttons=tuple(buttons),
    )


def _body(problem: Problem) -> str:
    if problem.kind == "coding":
        return f"Solve it on LeetCode: {problem.url}"
    if problem.kind == "sql":
        return (
            f"{problem.question}\n\nSchema:\n```\n{problem.schema.strip()}\n```\n"
            f"Sample rows:\n```\n{problem.rows.strip()}\n```\n"
            f"The reference query is written in {SQL_DIALECT}'s dialect (it runs as shown on "
            "the sample rows); other databases spell a few things differently."
        )
    return problem.question


def hint_post(problem: Problem, thread_of: str | None) -> Message:
    return fit(problem.hint, title=f"Hint: {problem.title}", thread_of=thread_of)


def solution_post(problem: Problem, thread_of: str | None, *, with_hint: bool = False) -> Message:
    """The key idea; `with_hint` when the hint never went out (the post came after its time)."""
    text = problem.solution
    if with_hint:
        text = f"Hint: {problem.hint}\n\nKey idea: {text}"
    if problem.kind == "sql":
        text += f"\n\nReference query ({SQL_DIALECT}):\n```\n{problem.query.strip()}\n```"
    if problem.topics:
        text += f"\n\nTopics: {', '.join(problem.topics)}"
    return fit(text, title=f"Key idea: {problem.title}", thread_of=thread_of)


_KIND_NAMES = {"coding": "Coding", "ml": "ML fundamentals", "sql": "SQL"}
# The dialect the reference queries are written in: the tests run every one on SQLite.
SQL_DIALECT = "SQLite"


# --- the jobs -------------------------------------------------------------


async def choose_many(runs: Sequence[JobRun], days: Mapping[int, date]) -> list[Problem | SkipRun]:
    """Each run's problem of its day (club id -> date): the recorded one, else a new
    choice, recorded now. A few queries for all the runs together."""
    if not runs:
        return []
    store, bank = runs[0].store.repo(ProblemStore), load_bank()
    recorded, history = await store.posts_and_counts(days)
    chosen: dict[int, Problem | SkipRun] = {}
    for club_id, post in recorded.items():
        found = bank.by_id(post.problem_id)
        if found is not None:
            chosen[club_id] = found
    fresh = [run for run in runs if run.club.id not in chosen]
    new: dict[int, ProblemPost] = {}
    for run in fresh:
        club, day = run.club, days[run.club.id]
        try:
            choice = club_choice(club, bank, day, history[club.id])
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
    hints = await hint_states(runs[0].store, days) if runs else {}
    for run, problem in zip(runs, await choose_many(runs, days), strict=True):
        if isinstance(problem, SkipRun):
            built.append(problem)
            continue
        day, settings, zone_name = days[run.club.id], problem_settings(run.club), run.club.timezone
        # Promised from when it goes out, which may be long after it was due.
        at = max(run.now, run.due_at)
        promise = promise_of(
            settings, day, zone_name=zone_name, at=at, hint_status=hints[run.club.id]
        )
        message = problem_post(problem, day, settings, zone_name=zone_name, promise=promise)
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


def _hint_day(club: Club, due_at: datetime) -> date:
    """The day whose post a hint run due at `due_at` gives the hint of (its claim key)."""
    return local(due_at - problem_settings(club).hint_delay, club.timezone).date()


async def _build_hints(runs: Sequence[JobRun]) -> list[Built]:
    days = {run.club.id: date.fromisoformat(run.occurrence) for run in runs}
    return [
        Delivery(purpose="problems", message=hint_post(*p)) if isinstance(p, tuple) else p
        for p in await _thread_problems(runs, days)
    ]


async def _build_solutions(runs: Sequence[JobRun]) -> list[Built]:
    days = {r.club.id: local(r.due_at, r.club.timezone).date() - timedelta(days=1) for r in runs}
    hints = await hint_states(runs[0].store, days) if runs else {}
    return [
        Delivery(
            purpose="problems",
            message=solution_post(*p, with_hint=hints[run.club.id] != POSTED),
        )
        if isinstance(p, tuple)
        else p
        for run, p in zip(runs, await _thread_problems(runs, days), strict=True)
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
        day_of=_hint_day,
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
