"""/problem, /solved, /progress, /leaderboard and the officers' /admin problem commands."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import timedelta

from bot.app import ButtonAction, Command, Context, Option
from bot.club_time import WEEKDAYS, local, moment, parse_duration, read_time
from bot.errors import UserError
from bot.model import MAX_TEXT, Field, Message, clip, field_lines, fit, plural, reply
from bot.problems.bank import DIFFICULTIES, KINDS, POINTS, Problem, load_bank
from bot.problems.posts import (
    DAILY,
    DEFAULTS,
    HINT,
    SOLVED_ACTION,
    ProblemSettings,
    notes_after_moving,
    problem_day,
    problem_post,
    problem_settings,
    promise_of,
)
from bot.problems.rules import parse_days, parse_mix, parse_ramp, progress, rank, streaks
from bot.problems.store import ProblemStore, SolveRecord
from bot.store.clubs import Club, ClubChanges

MIN_HINT_DELAY, MAX_HINT_DELAY = timedelta(minutes=10), timedelta(hours=23)


# --- members --------------------------------------------------------------


async def problem(ctx: Context) -> Message:
    which = ctx.args.get("which", "today")
    if which == "today":
        return await _today(ctx)
    pool = _filtered(ctx)
    chosen = random.SystemRandom().choice(pool)
    today = local(ctx.now, ctx.club.timezone).date()
    message = problem_post(chosen, today, _settings(ctx), zone_name=ctx.club.timezone)
    return Message(
        title=clip(f"Practice: {chosen.title}", 150),
        text=message.text.split("\n\nSolved it?")[0]
        + f"\n\nA random pick from {len(pool)} matching problems. /solved counts only posted ones.",
        fields=message.fields,
        buttons=tuple(b for b in message.buttons if b.url),
        ephemeral=True,
    )


async def _today(ctx: Context) -> Message:
    current, hint = await ctx.store.repo(ProblemStore).latest_post_and_claim(
        ctx.club.id, until=problem_day(ctx.club, ctx.now), kind=HINT
    )
    found = load_bank().by_id(current.problem_id) if current else None
    if current is None or found is None:
        return reply(_nothing_posted(ctx))
    settings, zone_name = _settings(ctx), ctx.club.timezone
    promise = promise_of(settings, current.day, zone_name=zone_name, at=ctx.now, hint_status=hint)
    message = problem_post(found, current.day, settings, zone_name=zone_name, promise=promise)
    return Message(
        title=message.title,
        text=message.text,
        fields=message.fields,
        buttons=message.buttons,
        ephemeral=True,
    )


def _nothing_posted(ctx: Context) -> str:
    if "problems" not in ctx.club.channels:
        return (
            "No daily problem is set up yet. An officer can start it with "
            "`/admin setup problems:#channel`. Meanwhile, try `/problem which:random`."
        )
    runs = [r for r in ctx.schedule.next_runs(ctx.club, ctx.now) if r.kind == DAILY]
    when = f" The next one is due {moment(runs[0].at, ctx.club.timezone)}." if runs else ""
    return f"Nothing has been posted yet.{when} Meanwhile, try `/problem which:random`."


def _filtered(ctx: Context) -> Sequence[Problem]:
    bank = load_bank()
    topic = ctx.args.get("topic")
    if topic is not None and topic not in bank.topics():
        raise UserError(
            f"I don't know the topic `{topic[:40]}`. Topics: {', '.join(sorted(bank.topics()))}."
        )
    pool = bank.select(
        kind=ctx.args.get("kind"),
        difficulty=ctx.args.get("difficulty"),
        topic=topic,
    )
    if not pool:
        raise UserError("No problem matches all of those filters. Drop one and try again.")
    return pool


async def solved(ctx: Context) -> Message:
    found, mine = await _posted_problem(ctx)
    solve = SolveRecord(
        user_id=ctx.user.id,
        name=ctx.user.name,
        problem_id=found.id,
        difficulty=found.difficulty,
        day=local(ctx.now, ctx.club.timezone).date(),
        solved_at=ctx.now,
    )
    first = False
    if all(s.problem_id != found.id for s in mine):  # else it counted before: nothing to write
        first = await ctx.store.repo(ProblemStore).record_solve(ctx.club.id, solve)
        mine = [*mine, solve]  # (not first: another click of theirs recorded it meanwhile)
    head = (
        f"Counted: {found.title} (+{plural(POINTS[found.difficulty], 'point')})."
        if first
        else f"You already solved {found.title}; it counts once."
    )
    return reply(f"{head}\n{_stats(ctx, mine)}")


async def _posted_problem(ctx: Context) -> tuple[Problem, list[SolveRecord]]:
    """The problem a /solved names (today's by default), which the club must have posted,
    and the member's solves so far, read together."""
    bank, today = load_bank(), problem_day(ctx.club, ctx.now)
    repo = ctx.store.repo(ProblemStore)
    wanted = ctx.args.get("problem") or ctx.args.get("value")
    if wanted is None:
        current, mine = await repo.latest_post_and_solves(ctx.club.id, ctx.user.id, until=today)
        if current is None:
            raise UserError(_nothing_posted(ctx))
        wanted, posted = current.problem_id, True
        found = bank.by_id(wanted) or _by_title(bank.problems, wanted)
    else:
        found = bank.by_id(wanted) or _by_title(bank.problems, wanted)
        posted, mine = False, []
        if found is not None:  # posted here under either id (a merged problem: its old one)
            posted, mine = await repo.posted_and_solves(
                ctx.club.id, ctx.user.id, {found.id, wanted}, until=today
            )
    if found is None or not posted:
        raise UserError(
            f"`{wanted[:60]}` hasn't been posted in this club yet, so it can't count. "
            "Solves count for problems the club has posted: see `/problem`."
        )
    return found, mine


def _by_title(problems: Sequence[Problem], text: str) -> Problem | None:
    wanted = text.strip().lower()
    return next((p for p in problems if p.title.lower() == wanted), None)


def _stats(ctx: Context, mine: Sequence[SolveRecord]) -> str:
    """The member's streak, solves and points, from their solves (oldest first)."""
    today = local(ctx.now, ctx.club.timezone).date()
    streak = streaks([s.day for s in mine], today)
    points = sum(POINTS[s.difficulty] for s in mine)
    return (
        f"Streak: {plural(streak.current, 'day')} (best {streak.best}). "
        f"{len(mine)} solved, {plural(points, 'point')}. {progress(len(mine))}"
    )


async def my_progress(ctx: Context) -> Message:
    mine = await ctx.store.repo(ProblemStore).solves(ctx.club.id, user_id=ctx.user.id)
    by_difficulty = {d: sum(1 for s in mine if s.difficulty == d) for d in DIFFICULTIES}
    recent = [f"{s.day:%a %d %b}: {_title(s.problem_id)}" for s in mine[-5:]]
    return reply(
        _stats(ctx, mine),
        title="Your progress",
        fields=(
            Field(
                name="By difficulty",
                value=", ".join(f"{n} {d}" for d, n in by_difficulty.items()),
            ),
            Field(name="Recent solves", value=field_lines(recent, "None yet: try /problem.")),
        ),
    )


def _title(problem_id: str) -> str:
    found = load_bank().by_id(problem_id)
    return found.title if found else problem_id


# The all-time leaderboard shows this many; the week's, every member who solved something
# this week up to the same number.
BOARD_SIZE = 15


async def board(ctx: Context) -> Message:
    period = ctx.args.get("period", "week")
    repo = ctx.store.repo(ProblemStore)
    if period == "all":
        scope = "all time"
        top, members = await repo.top(ctx.club.id, limit=BOARD_SIZE)
        standings = rank(top)
    else:
        today = local(ctx.now, ctx.club.timezone).date()
        since = today - timedelta(days=today.weekday())
        scope = f"since Monday {since:%d %b}"
        standings = rank(await repo.totals(ctx.club.id, since=since, points=POINTS))
        members = len(standings)
    lines = [
        f"{s.rank}. {s.name} — {plural(s.points, 'point')} ({s.solves} solved)"
        for s in standings[:BOARD_SIZE]
    ]
    more = members - BOARD_SIZE
    if more > 0:
        lines.append(f"…and {more} more")
    return fit(
        field_lines(lines, "No solves yet. Be the first: `/problem`, then `/solved`.", MAX_TEXT),
        title=f"Leaderboard, {scope}",
    )


# --- officers -------------------------------------------------------------

_SETTING_OPTIONS = {
    "time": "problem_time",
    "days": "problem_days",
    "mix": "problem_mix",
    "ramp": "problem_ramp",
    "hint_delay": "problem_hint_delay",
    "topics": "problem_topics",
    "tags": "problem_tags",
}


def _setting_now(name: str) -> Callable[[Club], str | None]:
    """The club's value of option `name` of /admin problem settings (its default if unset)."""
    key = _SETTING_OPTIONS[name]
    return lambda club: club.settings.get(key) or DEFAULTS[key] or None


async def settings_command(ctx: Context) -> Message:
    changes = {
        key: _validated(name, ctx.args[name])
        for name, key in _SETTING_OPTIONS.items()
        if name in ctx.args
    }
    club, went_out = ctx.club, []
    _check_bank_covers_mix({**club.settings, **changes})
    if changes:
        club = await ctx.store.clubs.change(
            club.id, ClubChanges(settings=changes), actor=ctx.actor, now=ctx.now
        )
        went_out = await ctx.schedule.club_changed(club.id, to=club)
    lines = [
        f"{name}: {club.settings.get(key, DEFAULTS[key]) or 'all'}"
        for name, key in _SETTING_OPTIONS.items()
    ]
    if {"problem_time", "problem_hint_delay"} & set(changes):  # what a post promised comes
        lines += await notes_after_moving(ctx.store, club, ctx.now, went_out)
    head = "Saved." if changes else "Current daily-problem settings:"
    return reply(f"{head}\n" + "\n".join(lines), title="Daily problem")


def _check_bank_covers_mix(settings: dict[str, str | None]) -> None:
    """Refuse a topic filter that leaves some day of the mix with nothing to post."""
    topics = frozenset((settings.get("problem_topics") or "").split(",")) - {""}
    if not topics:
        return
    mix = parse_mix(settings.get("problem_mix") or DEFAULTS["problem_mix"])
    for kind in sorted(mix.kinds):
        if not any(p.kind == kind and topics & set(p.topics) for p in load_bank().problems):
            raise UserError(
                f"No {kind} problem has any of the topics {', '.join(sorted(topics))}, but the "
                f"mix posts {kind} on some days. Add {kind} topics "
                f"(e.g. {', '.join(sorted(load_bank().topics(kind))[:4])}) or change the mix, "
                'e.g. mix:"coding daily".'
            )


def _validated(name: str, value: str) -> str | None:
    """The setting to store for option `name` (None = back to default); UserError if bad."""
    if value.lower() == "default":
        return None
    if name == "time":
        return read_time(value).strftime("%H:%M")
    if name == "days":
        days = parse_days(value)
        return ",".join(WEEKDAYS[d][:3] for d in days) if len(days) < 7 else "daily"
    if name == "mix":
        parse_mix(value)
    elif name == "ramp":
        parse_ramp(value)
    elif name == "hint_delay":
        delay = parse_duration(value)
        if not MIN_HINT_DELAY <= delay <= MAX_HINT_DELAY:
            raise UserError("The hint delay must be between 10m and 23h, e.g. 6h.")
    elif name == "topics":
        return _topics(value)
    return value


def _topics(value: str) -> str:
    known, wanted = load_bank().topics(), [t.strip().lower() for t in value.split(",")]
    unknown = [t for t in wanted if t and t not in known]
    if unknown:
        raise UserError(
            f"Unknown topic `{unknown[0][:40]}`. Topics: {', '.join(sorted(known))}. "
            "Write several separated by commas, or `default` for all."
        )
    return ",".join(t for t in wanted if t)


async def post_now(ctx: Context) -> Message:
    _need_channel(ctx)
    outcome = await ctx.schedule.run_now(ctx.club.id, DAILY, club=ctx.club)
    answers = {
        "posted": "Posted today's problem.",
        "taken": "Today's problem is already out (or was skipped); nothing posted twice.",
    }
    return reply(answers.get(outcome, f"Not posted: {outcome}. See `/admin status`."))


async def skip(ctx: Context) -> Message:
    _need_channel(ctx)
    if await ctx.schedule.skip(ctx.club.id, DAILY):
        return reply("Skipped today's problem; the next one goes out tomorrow as usual.")
    return reply(
        "Today's problem has already gone out (or was skipped), so there is nothing to skip."
    )


def _need_channel(ctx: Context) -> None:
    if "problems" not in ctx.club.channels:
        raise UserError("Set the problems channel first: `/admin setup problems:#channel`.")


def _settings(ctx: Context) -> ProblemSettings:
    return problem_settings(ctx.club)


async def _topic_suggestions(ctx: Context, typed: str) -> list[str]:
    return sorted(t for t in load_bank().topics() if typed.lower() in t)


COMMANDS: tuple[Command, ...] = (
    Command(
        name="problem",
        description="Today's problem, or a random one to practise",
        handler=problem,
        options=(
            Option(name="which", description="today or random", choices=("today", "random")),
            Option(name="difficulty", description="easy, medium or hard", choices=DIFFICULTIES),
            Option(name="topic", description="e.g. graphs", autocomplete=_topic_suggestions),
            Option(name="kind", description="coding, ml or sql", choices=KINDS),
        ),
    ),
    Command(
        name="solved",
        description="Count a posted problem as solved (today's by default)",
        handler=solved,
        options=(Option(name="problem", description="Its title or id; default: today's"),),
    ),
    Command(name="progress", description="Your solves, streak and points", handler=my_progress),
    Command(
        name="leaderboard",
        description="Points this week or all time",
        handler=board,
        options=(Option(name="period", description="week or all", choices=("week", "all")),),
        public=True,
    ),
    Command(
        name="admin problem settings",
        description="Daily problem time, days, mix, ramp, hint delay, topics, tags",
        handler=settings_command,
        officers_only=True,
        options=(
            *(
                Option(name=name, description=text, current=_setting_now(name))
                for name, text in (
                    ("time", "Post time in the club's zone, e.g. 9am or 18:30"),
                    ("days", 'Days to post, e.g. "weekdays" or "mon,wed,fri"'),
                    ("mix", 'e.g. "coding daily, ml tue, sql thu"'),
                    ("ramp", 'e.g. "mon-tue easy, wed-fri medium, sat-sun hard"'),
                    ("hint_delay", "Hint after the post, e.g. 6h"),
                    ("topics", "Only these topics, comma-separated, or default"),
                )
            ),
            Option(
                name="tags",
                description="Show topic tags on posts",
                choices=("hidden", "shown"),
                current=_setting_now("tags"),
            ),
        ),
    ),
    Command(
        name="admin problem post-now",
        description="Post today's problem now, if it isn't out yet",
        handler=post_now,
        officers_only=True,
    ),
    Command(
        name="admin problem skip",
        description="Skip today's problem",
        handler=skip,
        officers_only=True,
    ),
)

BUTTONS: tuple[ButtonAction, ...] = (ButtonAction(action=SOLVED_ACTION, handler=solved),)
