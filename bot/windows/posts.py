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
from bot.jobs import Delivery, Job, JobRun, SkipRun, When
from bot.model import Field, Message, field_lines, plural
from bot.store.clubs import Club
from bot.store.store import Store
from bot.windows.calendar import (
    Occurrence,
    closing_within,
    club_occurrence,
    describe_eligibility,
    load_calendar,
    next_opening,
    opening_within,
    windows_for,
)
from bot.windows.ics import build_ics
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


def line(occurrence: Occurrence, today: date) -> str:
    """'• Google STEP internship (early-career): closes 29 Oct 2026, in 3 days'."""
    if occurrence.opens_on > today:
        when = f"opens {occurrence.opens_text}"
        if occurrence.closes_on is not None:
            when += f", closes {occurrence.closes_on:%d %b %Y}"
    elif occurrence.closes_on is not None and occurrence.closes_on >= today:
        left = (occurrence.closes_on - today).days
        when = "closes today" if left == 0 else f"closes {occurrence.closes_on:%d %b %Y}, in "
        when += "" if left == 0 else plural(left, "day")
    else:
        when = f"open now ({occurrence.closes_text})"
    who = describe_eligibility(occurrence)
    return f"• {occurrence.title} ({occurrence.track}): {when}" + (f" · {who}" if who else "")


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
    fields = []
    if reminders:
        lines = [line(r.occurrence, today) for r in reminders]
        fields.append(Field(name="Closing soon", value=field_lines(lines, "")))
    if nudges:
        lines = [f"• {o.title} opened {o.opens_text}" for o in nudges]
        fields.append(Field(name="Opened a week ago: apply now", value=field_lines(lines, "")))
    text = (
        "Rolling admission rewards speed: applying within about two weeks of a posting "
        "opening improves your odds. `/alerts subscribe` gets these as DMs."
    )
    title = f"Deadlines · {today:%a %d %b}"
    return Delivery(
        purpose="deadlines", message=Message(title=title, text=text, fields=tuple(fields))
    )


async def _dm_subscribers(run: JobRun, reminders: Sequence[Reminder]) -> None:
    muted = await run.store.repo(DeadlineStore).mutes(run.club.id)
    for subscriber in await run.store.repo(DeadlineStore).subscribers(run.club.id):
        for reminder in reminders:
            o = reminder.occurrence
            window_id = o.key.split(":")[0]
            wanted = o.track in subscriber.targets or window_id in subscriber.targets
            if not wanted or o.key in muted.get(subscriber.user_id, {}):
                continue
            if not o.eligible(subscriber.class_year):
                continue
            message = Message(
                title=f"{o.title} closes in {plural(reminder.days_left, 'day')}",
                text=f"{line(o, local(run.due_at, run.club.timezone).date())}\n"
                f"Applied already, or not for you? `/alerts applied window:{window_id}` or "
                f"`/alerts not-interested window:{window_id}` stops these for it.",
            )
            await run.dm(
                subscriber.user_id, message, about=f"{o.key}:{o.closes_on}:{reminder.days_left}"
            )


async def _build_weekly(run: JobRun) -> Delivery:
    today = local(run.due_at, run.club.timezone).date()
    occurrences = await club_windows(run.store, run.club, today)
    this_week = opening_within(occurrences, today - timedelta(days=1), 7)
    month_open = [o for o in opening_within(occurrences, today, 30) if o not in this_week]
    month_close = closing_within(occurrences, today, 30)
    fields = [
        Field(
            name="Opening this week",
            value=field_lines([line(o, today) for o in this_week], "Nothing new opens this week."),
        ),
        Field(
            name="Closing in the next 30 days",
            value=field_lines(
                [line(o, today) for o in month_close], "Nothing closes in the next 30 days."
            ),
        ),
        Field(
            name="Opening later this month",
            value=field_lines(
                [line(o, today) for o in month_open], "Nothing else opens in the next 30 days."
            ),
        ),
    ]
    upcoming = next_opening(occurrences, today)
    text = "The coming month of internship windows. `/deadlines` lists what's open now."
    if upcoming is not None:
        text += f" Next to open: {upcoming.title}, {upcoming.opens_text}."
    title = f"Internship windows · week of {today:%d %b}"
    return Delivery(
        purpose="deadlines", message=Message(title=title, text=text, fields=tuple(fields))
    )


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
    ),
    Job(
        kind=DAILY,
        description="Deadline reminders",
        period="day",
        when=lambda club: _at(club, None),
        build=_build_daily,
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
