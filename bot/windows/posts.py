"""Window announcements, closing reminders and subscriber DMs, each once per occurrence.

Two jobs at the club's deadline time (09:00 by default, in the club's zone): a
daily one that reminds the channel before windows close (14, 3 and 1 days by
default) and nudges a week after a window opens, and DMs subscribers at each
phase change of what they follow (bot/windows/alerts.py); and a weekly Monday
post of what opens, closes or turns late in the coming month, or, in a week with
none of that, of what is open and what to do now. Reminders are counted from
the dates of the day, so a club deadline edited after its reminder went out is
reminded again for its new date.
"""

from __future__ import annotations

import calendar
from collections import OrderedDict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Final

from bot.club_time import local, parse_hhmm
from bot.jobs import Delivery, Job, JobRun, Late, SkipRun, When
from bot.model import Message, fit
from bot.store.clubs import Club
from bot.store.store import Store
from bot.windows.advice import Advice, load_advice
from bot.windows.alerts import Alert, alert_dm, alerts_due, follows
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
from bot.windows.listing import Section, by_action, section_fields
from bot.windows.store import DeadlineStore

DAILY = "deadline_alerts"
WEEKLY = "deadline_week"
DEFAULTS = {"deadline_time": "09:00", "deadline_reminders": "14,3,1"}
# Rolling admission rewards speed: apply within about two weeks of a posting opening.
NUDGE_AFTER = timedelta(days=7)
WEEKLY_DAY = 0  # Monday


def reminder_days(club: Club) -> tuple[int, ...]:
    text = club.settings.get("deadline_reminders", DEFAULTS["deadline_reminders"])
    return tuple(sorted({int(d) for d in text.split(",") if d.strip()}, reverse=True))


class _KeptWindows:
    """Each club's windows as last drawn in this process, with the club snapshot they were
    drawn for: the store hands out the same snapshot until the club's configuration
    version moves, which every change to its deadlines moves (in the same transaction,
    from any process), so a snapshot that is the kept one means the windows still hold."""

    def __init__(self, _sessions: object) -> None:
        self.by_club: OrderedDict[int, tuple[Club, date, list[Occurrence]]] = OrderedDict()


# Clubs whose windows a process keeps (about 30 occurrences each).
KEPT_CLUBS: Final = 4096


async def club_windows(store: Store, club: Club, today: date) -> list[Occurrence]:
    """The calendar's windows around `today` plus the club's own deadlines; kept per
    process until the club's configuration changes or the day does."""
    kept = store.repo(_KeptWindows).by_club
    found = kept.get(club.id)
    if found is not None and found[0] is club and found[1] == today:
        kept.move_to_end(club.id)
        return list(found[2])
    windows = await _club_windows(store, club, today)
    kept[club.id] = (club, today, windows)
    kept.move_to_end(club.id)
    if len(kept) > KEPT_CLUBS:
        kept.popitem(last=False)
    return list(windows)


async def _club_windows(store: Store, club: Club, today: date) -> list[Occurrence]:
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


def nudges_due(occurrences: Sequence[Occurrence], today: date) -> list[Occurrence]:
    return [o for o in occurrences if o.window is not None and o.opens_on + NUDGE_AFTER == today]


async def _build_daily(run: JobRun) -> Delivery:
    today = local(run.due_at, run.club.timezone).date()
    occurrences = await club_windows(run.store, run.club, today)
    due = alerts_due(occurrences, today, reminder_days(run.club))
    await _dm_subscribers(run, due)
    # The channel hears of closes and of windows a week open; on Mondays, only what the
    # weekly post, going out at the same minute, does not list already.
    weekly = weekly_keys(occurrences, today) if today.weekday() == WEEKLY_DAY else set()

    def told(kind: str) -> list[Occurrence]:
        return [a.occurrence for a in due if a.kind == kind and a.occurrence.key not in weekly]

    nudges = [o for o in nudges_due(occurrences, today) if o.key not in weekly]
    found = (
        ("Closing soon", told("closing")),
        ("Starting soon", told("starting")),
        ("Opened a week ago: apply now", nudges),
    )
    if not any(listed for _, listed in found):
        raise SkipRun("nothing closes, starts or opened a week ago today (beyond the weekly post)")
    sections = [Section(name=name, occurrences=tuple(listed)) for name, listed in found if listed]
    fields = section_fields(sections, today)
    text = (
        "Rolling admission rewards speed: applying within about two weeks of a posting "
        "opening improves your odds. `/alerts subscribe` gets these as DMs."
    )
    title = f"Deadlines · {today:%a %d %b}"
    return Delivery(purpose="deadlines", message=fit(text, title=title, fields=fields))


async def _dm_subscribers(run: JobRun, alerts: Sequence[Alert]) -> None:
    """One DM per member per day, with every alert of the windows they follow."""
    if not alerts:
        return
    today = local(run.due_at, run.club.timezone).date()
    muted = await run.store.repo(DeadlineStore).mutes(run.club.id)
    subscribers = await run.store.repo(DeadlineStore).subscribers(run.club.id)
    refusing = await run.refusing_dms(s.user_id for s in subscribers)
    for subscriber in subscribers:
        theirs = [
            a
            for a in alerts
            if follows(a.occurrence, subscriber.targets)
            and a.occurrence.key not in muted.get(subscriber.user_id, {})
            and a.occurrence.eligible(subscriber.class_year)
        ]
        if theirs:
            await run.dm(
                subscriber.user_id,
                alert_dm(theirs, today, club_id=run.club.id),
                about="closing",
                refusing=refusing,
            )


async def _build_weekly(run: JobRun) -> Delivery:
    today = local(run.due_at, run.club.timezone).date()
    occurrences = await club_windows(run.store, run.club, today)
    message = weekly_message(occurrences, today, load_advice())
    return Delivery(purpose="deadlines", message=message)


def weekly_message(occurrences: Sequence[Occurrence], today: date, advice: Advice) -> Message:
    """The Monday post: what opens, closes or turns late in the coming month; in a week
    with none of that, what is open and what to do now. SkipRun when nothing is open."""
    title = f"Internship windows · week of {today:%d %b}"
    chosen = week_sections(occurrences, today)
    if not chosen:
        quiet = quiet_sections(occurrences, today)
        if not quiet:
            raise SkipRun("nothing is open, opens, closes or turns late in the next 30 days")
        month = advice.for_day(today)
        text = f"A quiet week. {today:%B}: {month.phase}. {month.advice}"
        return fit(text, title=title, fields=section_fields(quiet, today))
    upcoming = next_opening(occurrences, today)
    text = "The coming month of internship windows. `/deadlines` lists everything open now."
    if upcoming is not None and not any(s.name.startswith("Opening") for s in chosen):
        text += f" Next to open: {upcoming.title}, {upcoming.opens_text}."
    return fit(text, title=title, fields=section_fields(chosen, today))


def week_sections(occurrences: Sequence[Occurrence], today: date) -> list[Section]:
    """The weekly post: each window once, in the first section it belongs to; empty
    sections left out."""
    month_end = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    this_week = opening_within(occurrences, today - timedelta(days=1), 7)
    later = opening_within(occurrences, today, 30)
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
        if (o.single_day or o.event)
        and o.open_until >= today
        and (o.remind_on or o.open_until) <= today + timedelta(days=30)
    ]
    candidates = (
        ("Opening this week", this_week),
        ("Closing in the next 30 days", closing),
        ("Now open, but late", turned_late),
        ("Opening later this month", [o for o in later if o.opens_on <= month_end]),
        (f"Opening in {month_end + timedelta(days=1):%B}", later),
        ("Club dates", club_dates),
    )
    listed: set[str] = set()
    sections = []
    for name, found in candidates:
        fresh = tuple(o for o in found if o.key not in listed)
        listed.update(o.key for o in fresh)
        if fresh:
            sections.append(Section(name=name, occurrences=fresh))
    return sections


def quiet_sections(occurrences: Sequence[Occurrence], today: date) -> list[Section]:
    """A week with nothing new: the windows open now, the late ones after."""
    found = [o for o in occurrences if o.window is not None and o.is_open(today)]
    return [
        Section(name=name, occurrences=tuple(by_action(o for o in found if o.phase(today) == p)))
        for name, p in (("Open now", "open"), ("Open, but late", "late"))
        if any(o.phase(today) == p for o in found)
    ]


def weekly_keys(occurrences: Sequence[Occurrence], today: date) -> set[str]:
    """The occurrences the weekly post of `today` lists."""
    sections = week_sections(occurrences, today) or quiet_sections(occurrences, today)
    return {o.key for s in sections for o in s.occurrences}


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
        when=lambda club: _at(club, WEEKLY_DAY),
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
