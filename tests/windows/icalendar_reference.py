"""The oracle for the hand-written .ics writer: feeds drawn with icalendar exactly the way
bot/windows/ics.py, bot/windows/feeds.py and bot/web/feeds.py drew them before the writer
replaced it (a frozen copy, kept apart from the code it checks). Its bytes are what the
feeds' subscribers have always been served."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from bot.windows.calendar import Occurrence, describe_eligibility

PRODID = "-//clubbot//internship windows//EN"
END = b"END:VCALENDAR\r\n"
SESSION_LENGTH = timedelta(hours=1)


def build_ics(
    occurrences: Iterable[Occurrence],
    *,
    calendar_name: str,
    reminder_days: tuple[int, ...] = (14, 3, 1),
    stamp: datetime,
    extra: Iterable[Event] = (),
) -> bytes:
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


def feed_head(calendar_name: str) -> bytes:
    return build_ics((), calendar_name=calendar_name, stamp=datetime.now(UTC)).removesuffix(END)


def occurrence_ical(
    occurrence: Occurrence, *, reminder_days: tuple[int, ...], stamp: datetime, applied: bool
) -> bytes:
    leads = () if applied else reminder_days
    events = occurrence_events(occurrence, reminder_days=leads, stamp=stamp)
    if applied:
        for event in events:
            _mark_applied(event)
    return b"".join(bytes(e.to_ical()) for e in events)


def session_events(
    sessions: Iterable[tuple[int, datetime, Sequence[str]]], now: datetime
) -> list[bytes]:
    """(group id, starts at, the others' names) of each session."""
    events = []
    for group_id, starts_at, names in sessions:
        starts = starts_at.astimezone(UTC)
        others = _and(names) or "your group"
        event = timed_event(
            uid=f"pairing-{group_id}@clubbot",
            summary="Mock interview (clubbot pairing)",
            starts=starts,
            ends=starts + SESSION_LENGTH,
            stamp=now,
            description=f"With {others}. Your first common half hour: "
            f"{starts:%a %d %b %Y, %H:%M} UTC (your calendar shows it in your zone); "
            "agree on the time in your DMs. /mockpair shows your question pack.",
        )
        events.append(bytes(event.to_ical()))
    return events


def timed_event(
    *, uid: str, summary: str, starts: datetime, ends: datetime, stamp: datetime, description: str
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("summary", summary)
    event.add("dtstart", starts.astimezone(UTC))
    event.add("dtend", ends.astimezone(UTC))
    event.add("description", description)
    return event


def _and(names: Sequence[str]) -> str:
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def _mark_applied(event: Event) -> None:
    summary, description = str(event.pop("summary")), str(event.pop("description"))
    event.add("summary", f"✓ {summary} (applied)")
    event.add(
        "description",
        "You applied (/alerts applied), so no reminders for it. " + description,
    )


def occurrence_events(
    occurrence: Occurrence, *, reminder_days: tuple[int, ...], stamp: datetime
) -> list[Event]:
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
    event = Event()
    event.add("uid", f"{occurrence.key}-{what}@clubbot")
    event.add("dtstamp", stamp.astimezone(UTC))
    label = {"opens": "Opens: ", "closes": "Closes: "}.get(what, "")
    if (occurrence.opens_estimated if what == "opens" else occurrence.closes_estimated) and label:
        label = f"{label[:-2]} (estimated): "
    event.add("summary", f"{label}{occurrence.title}")
    event.add("dtstart", day)
    if day < date.max:
        event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("description", _description(occurrence))
    if occurrence.url:
        event.add("url", occurrence.url)
    return event


def _alarm(occurrence: Occurrence, days: int) -> Alarm:
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
