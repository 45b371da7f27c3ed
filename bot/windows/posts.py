"""Window announcements, closing reminders and subscriber DMs, each once per occurrence.

Two jobs at the club's deadline time (09:00 by default, in the club's zone): a
daily one that reminds before windows close (14, 3 and 1 days by default) and
nudges a week after a window opens, and a weekly Monday post of what opens this
week and the coming month. Reminders are keyed by the closing date, so a club
deadline edited after its reminder went out is reminded again for its new date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.club_time import local, parse_hhmm
from bot.jobs import Delivery, Job, JobRun, Late, SkipRun, When
from bot.model import MAX_TEXT, MAX_TITLE, Message, clip, plural
from bot.store.clubs import Club
from bot.store.store import Store
from bot.windows.calendar import (
    Occurrence,
    closing_within,
    club_occurrence,
    load_calendar,
    next_opening,
    opening_within,
    windows_for,
)
from bot.windows.ics import build_ics
from bot.windows.listing import Section, line, section_fields
from bot.windows.store import DeadlineStore

DAILY = "deadline_alerts"
WEEKLY = "deadline_week"
DEFAULTS = {"deadline_time": "09:00", "deadline_reminders": "14,3,1"}
# Rolling admission rewards speed: apply within about two weeks of a posting opening.
NUDGE_AFTER = timedelta(days=7)


def reminder_days(club: Club) -> tuple[int, ...]:
    text = club.settings.get("deadline_reminders", DEFAULTS["deadline_reminders"])
    return tuple(sorted({int(d) for d in text.split(",") if d.strip()}, reverse=True))


async def club_windows(store: Store, club: Club, today: date) -> list[Occurrence]:
    """The calendar's windows around `today` plus the club's own deadlines."""
    own = [
        club_occurrence(
            deadline_id=d.id,
            title=d.title,
            track=d.track,
            opens_on=d.opens_on,
            closes_on=d.closes_on,
            url=d.url,
        )
        for d in await store.repo(DeadlineStore).club_deadlines(club.id)
    ]
    return windows_for(load_calendar(), own, today)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reminder:
    occurrence: Occurrence
    days_left: int


def reminders_due(
    occurrences: Sequence[Occurrence], today: date, leads: tuple[int, ...]
) -> list[Reminder]:
    return [
        Reminder(occurrence=o, days_left=lead)
        for lead in leads
        for o in occurrences
        if o.closes_on == today + timedelta(days=lead)
    ]


def nudges_due(occurrences: Sequence[Occurrence], today: date) -> list[Occurrence]:
    return [o for o in occurrences if o.window is not None and o.opens_on + NUDGE_AFTER == today]


async def _build_daily(run: JobRun) -> Delivery:
    today = local(run.due_at, run.club.timezone).date()
    occurrences = await club_windows(run.store, run.club, today)
    reminders = reminders_due(occurrences, today, reminder_days(run.club))
    nudges = nudges_due(occurrences, today)
    if not reminders and not nudges:
        raise SkipRun("nothing closes or opened a week ago today")
    await _dm_subscribers(run, reminders)
    fields = section_fields(
        [
            Section(name=name, occurrences=tuple(found))
            for name, found in (
                ("Closing soon", [r.occurrence for r in reminders]),
                ("Opened a week ago: apply now", nudges),
            )
            if found
        ],
        today,
    )
    text = (
        "Rolling admission rewards speed: applying within about two weeks of a posting "
        "opening improves your odds. `/alerts subscribe` gets these as DMs."
    )
    title = f"Deadlines · {today:%a %d %b}"
    return Delivery(purpose="deadlines", message=Message(title=title, text=text, fields=fields))


async def _dm_subscribers(run: JobRun, reminders: Sequence[Reminder]) -> None:
    """One DM per member per day, listing every window they follow that closes soon."""
    today = local(run.due_at, run.club.timezone).date()
    muted = await run.store.repo(DeadlineStore).mutes(run.club.id)
    for subscriber in await run.store.repo(DeadlineStore).subscribers(run.club.id):
        theirs = [
            r
            for r in reminders
            if (
                r.occurrence.track in subscriber.targets
                or r.occurrence.window_id in subscriber.targets
            )
            and r.occurrence.key not in muted.get(subscriber.user_id, {})
            and r.occurrence.eligible(subscriber.class_year)
        ]
        if theirs:
            await run.dm(subscriber.user_id, reminder_dm(theirs, today), about="closing")


def reminder_dm(reminders: Sequence[Reminder], today: date) -> Message:
    """'3 days left to apply: Google STEP internship', or one DM for several windows."""
    first = reminders[0]
    if len(reminders) == 1:
        title = f"{plural(first.days_left, 'day')} left: {first.occurrence.title}"
    else:
        title = f"{len(reminders)} windows you follow close soon"
    ids = [r.occurrence.window_id for r in reminders]
    stop = (
        f"Applied already, or not for you? `/alerts applied window:{ids[0]}` or "
        f"`/alerts not-interested window:{ids[0]}` stops these for it."
    )
    lines = "\n".join(line(r.occurrence, today) for r in reminders)
    return Message(title=clip(title, MAX_TITLE), text=clip(f"{lines}\n{stop}", MAX_TEXT))


async def _build_weekly(run: JobRun) -> Delivery:
    today = local(run.due_at, run.club.timezone).date()
    occurrences = await club_windows(run.store, run.club, today)
    chosen = week_sections(occurrences, today)
    if not chosen:
        raise SkipRun("nothing opens, closes or turns late in the next 30 days")
    upcoming = next_opening(occurrences, today)
    text = "The coming month of internship windows. `/deadlines` lists everything open now."
    if upcoming is not None and not any(s.name.startswith("Opening") for s in chosen):
        text += f" Next to open: {upcoming.title}, {upcoming.opens_text}."
    title = f"Internship windows · week of {today:%d %b}"
    return Delivery(
        purpose="deadlines",
        message=Message(title=title, text=text, fields=section_fields(chosen, today)),
    )


def week_sections(occurrences: Sequence[Occurrence], today: date) -> list[Section]:
    """The weekly post: each window once, in the first section it belongs to; empty
    sections left out."""
    this_week = opening_within(occurrences, today - timedelta(days=1), 7)
    later = [o for o in opening_within(occurrences, today, 30) if o not in this_week]
    closing = [
        o
        for o in closing_within(occurrences, today, 30)
        if o.opens_on <= today and not o.single_day
    ]
    turned_late = [
        o
        for o in occurrences
        if o.late_from is not None
        and today - timedelta(days=6) <= o.late_from <= today
        and o.is_open(today)
    ]
    club_dates = [
        o
        for o in occurrences
        if o.single_day
        and o.closes_on is not None
        and today <= o.closes_on <= today + timedelta(days=30)
    ]
    candidates = (
        ("Opening this week", this_week),
        ("Closing in the next 30 days", closing),
        ("Now open, but late", turned_late),
        ("Opening later this month", later),
        ("Club dates", club_dates),
    )
    return [Section(name=name, occurrences=tuple(found)) for name, found in candidates if found]


def _at(club: Club, weekday: int | None) -> When | None:
    if "deadlines" not in club.channels:
        return None
    at = parse_hhmm(club.settings.get("deadline_time", DEFAULTS["deadline_time"]))
    return When(hour=at.hour, minute=at.minute, day_of_week=weekday)


JOBS: tuple[Job, ...] = (
    Job(
        kind=WEEKLY,
        description="Internship windows this week",
        period="week",
        when=lambda club: _at(club, 0),
        build=_build_weekly,
        # "Opening this week" still reads true for a couple of days.
        late=Late(at_most=timedelta(days=2)),
    ),
    Job(
        kind=DAILY,
        description="Deadline reminders",
        period="day",
        when=lambda club: _at(club, None),
        build=_build_daily,
        # Today's reminders, until tomorrow's run reminds afresh.
        late=Late(),
    ),
)


async def club_feed(store: Store, club: Club, now: datetime) -> bytes:
    """The club's windows and deadlines as an .ics: what `/calendar` and `clubbot calendar`
    hand out."""
    occurrences = await club_windows(store, club, local(now, club.timezone).date())
    return build_ics(
        occurrences,
        calendar_name=f"{club.name} internship windows",
        reminder_days=reminder_days(club),
        stamp=now,
    )
