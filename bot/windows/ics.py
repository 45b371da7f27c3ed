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
    """The window's opening day, and its closing day with reminders before it; a one-day
    club date is one event, with the reminders."""
    events = []
    if not occurrence.single_day:
        events.append(_event(occurrence, "opens", occurrence.opens_on, stamp))
    if occurrence.closes_on is not None and (
        occurrence.single_day or occurrence.closes_on != occurrence.opens_on
    ):
        what = "on" if occurrence.single_day else "closes"
        closing = _event(occurrence, what, occurrence.closes_on, stamp)
        for days in reminder_days:
            closing.add_component(_alarm(occurrence, days))
        events.append(closing)
    return events


def _event(occurrence: Occurrence, what: str, day: date, stamp: datetime) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", f"{occurrence.key}-{what}@clubbot")
    event.add("dtstamp", stamp.astimezone(UTC))
    label = {"opens": "Opens: ", "closes": "Closes: "}.get(what, "")
    if (occurrence.opens_estimated if what == "opens" else occurrence.closes_estimated) and label:
        label = f"{label[:-2]} (estimated): "
    event.add("summary", f"{label}{occurrence.title}")
    event.add("dtstart", day)
    if day < date.max:  # an all-day event without an end lasts its day (RFC 5545 3.6.1)
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
    left = "1 day" if days == 1 else f"{days} days"
    alarm.add("description", f"{left} left: {occurrence.title}")
    alarm.add("trigger", timedelta(days=-days))
    return alarm


def _description(occurrence: Occurrence) -> str:
    lines = [f"Opens: {occurrence.opens_text}. Closes: {occurrence.closes_text}."]
    window = occurrence.window
    eligibility = describe_eligibility(occurrence)
    if eligibility:
        lines.append(f"Eligibility: {eligibility}.")
    if window is None:
        return "\n".join(lines)
    if occurrence.late_from is not None:
        lines.append(f"Late from {occurrence.late_from:%d %b %Y}: {window.late_note}.")
    if window.estimate:
        lines.append(f"Estimated: {window.estimate}.")
    for name, facts in (("Pay", window.pay), ("Odds", window.odds)):
        lines += [f"{name}: {f.text} ({f.source.short})." for f in facts]
    if window.notes:
        lines.append(window.notes)
    lines += [f"Source: {s.cited}" for s in window.sources]
    return "\n".join(lines)
