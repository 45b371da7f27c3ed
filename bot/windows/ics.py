"""The calendar feed: occurrences as an RFC 5545 .ics that Google and Apple Calendar import.

Each window becomes all-day events: one on the day it opens and, when it has a
fixed close, one on its closing day carrying VALARM reminders. Two short events
import and remind better than one weeks-long bar across a calendar. UIDs are
stable per window and cycle, so importing an updated feed replaces, not duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.windows.calendar import Occurrence, describe_eligibility

if TYPE_CHECKING:  # icalendar loads when a feed is built, not at start-up
    from icalendar import Alarm, Event

PRODID = "-//clubbot//internship windows//EN"


def build_ics(
    occurrences: Iterable[Occurrence],
    *,
    calendar_name: str,
    reminder_days: tuple[int, ...] = (14, 3, 1),
    stamp: datetime,
    extra: Iterable[Event] = (),
) -> bytes:
    """The feed; `extra` events (e.g. a member's pairing sessions) are added as given."""
    from icalendar import Calendar

    feed = Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", calendar_name)
    for occurrence in occurrences:
        for event in occurrence_events(occurrence, reminder_days=reminder_days, stamp=stamp):
            feed.add_component(event)
    for event in extra:
        feed.add_component(event)
    return bytes(feed.to_ical())


def occurrence_events(
    occurrence: Occurrence, *, reminder_days: tuple[int, ...], stamp: datetime
) -> list[Event]:
    """The window's opening day, and its closing day with reminders before it."""
    events = [_event(occurrence, "opens", occurrence.opens_on, stamp)]
    if occurrence.closes_on is not None and occurrence.closes_on != occurrence.opens_on:
        closing = _event(occurrence, "closes", occurrence.closes_on, stamp)
        for days in reminder_days:
            closing.add_component(_alarm(occurrence, days))
        events.append(closing)
    return events


def _event(occurrence: Occurrence, what: str, day: date, stamp: datetime) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", f"{occurrence.key}-{what}@clubbot")
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("summary", f"{occurrence.title} {what}")
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("description", _description(occurrence))
    if occurrence.url:
        event.add("url", occurrence.url)
    return event


def _alarm(occurrence: Occurrence, days: int) -> Alarm:
    from icalendar import Alarm

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{occurrence.title} closes in {days} day(s)")
    alarm.add("trigger", timedelta(days=-days))
    return alarm


def _description(occurrence: Occurrence) -> str:
    lines = [f"Opens: {occurrence.opens_text}. Closes: {occurrence.closes_text}."]
    window = occurrence.window
    eligibility = describe_eligibility(occurrence)
    if eligibility:
        lines.append(f"Eligibility: {eligibility}.")
    if window is not None:
        lines += [
            t
            for t in (
                window.pay and f"Pay: {window.pay}.",
                window.odds and f"Odds: {window.odds}.",
                window.notes,
            )
            if t
        ]
        lines.append(f"Source: {window.source}")
    return "\n".join(lines)
