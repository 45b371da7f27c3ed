"""The calendar feed: occurrences as an RFC 5545 .ics that Google and Apple Calendar import.

Each window becomes all-day events: one on the day it opens and, when it has a
fixed close, one on its closing day carrying VALARM reminders. Two short events
import and remind better than one weeks-long bar across a calendar. UIDs are
stable per window and cycle, so importing an updated feed replaces, not duplicates.

Written by hand, byte for byte what icalendar 7 wrote for the same events (drawing a
club's feed with it cost about 12 ms of CPU; this costs well under one): its order of
properties, its escaping, its folding. tests/windows/test_ics.py holds icalendar as the
oracle, so subscribers' calendars and the feeds' ETags see no change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.windows.calendar import Occurrence, describe_eligibility

PRODID = "-//clubbot//internship windows//EN"
CALENDAR_END = b"END:VCALENDAR\r\n"
_EVENT_BEGIN, _EVENT_END = b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n"
_TRANSPARENT = b"TRANSP:TRANSPARENT\r\n"
_APPLIED = "You applied (/alerts applied), so no reminders for it. "
# icalendar folds before a line's 75th octet (RFC 5545 3.1 allows 75), at a character's
# boundary, never right after a backslash or a caret (an escape stays on one line).
_FOLD_AT = 74
_CONTINUATION = 0x80  # 10xxxxxx: the second to fourth bytes of a UTF-8 character


def build_ics(
    occurrences: Iterable[Occurrence],
    *,
    calendar_name: str,
    reminder_days: tuple[int, ...] = (14, 3, 1),
    stamp: datetime,
) -> bytes:
    events = [occurrence_events(o, reminder_days=reminder_days, stamp=stamp) for o in occurrences]
    return b"".join((calendar_head(calendar_name), *events, CALENDAR_END))


def calendar_head(calendar_name: str) -> bytes:
    """Everything before the events. The name is written verbatim, unescaped, as
    icalendar writes a property it has no type for (a comma in a club's name stays one)."""
    if "\n" in calendar_name:  # icalendar refused it too: it would end the line
        raise ValueError(f"A calendar name can't hold a line break: {calendar_name!r}")
    return b"".join(
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n",
            _line("PRODID", _text(PRODID)),
            b"CALSCALE:GREGORIAN\r\n",
            _line("X-WR-CALNAME", calendar_name),
        )
    )


def occurrence_events(
    occurrence: Occurrence,
    *,
    reminder_days: tuple[int, ...],
    stamp: datetime,
    applied: bool = False,
) -> bytes:
    """The window's opening day, and its closing day with reminders before it; a one-day
    club date is one event, with the reminders. `applied` (the member said so with
    /alerts applied): marked so, and no reminders."""
    description = (_APPLIED if applied else "") + _description(occurrence)
    shared = _Shared(
        stamp=_line("DTSTAMP", _utc(stamp)),
        description=_line("DESCRIPTION", _text(description)),
        url=_line("URL", _uri(occurrence.url)) if occurrence.url else b"",
    )
    events = []
    if not occurrence.single_day:
        events.append(_event(occurrence, "opens", occurrence.opens_on, shared, applied=applied))
    if occurrence.closes_on is not None and (
        occurrence.single_day or occurrence.closes_on != occurrence.opens_on
    ):
        what = "on" if occurrence.single_day else "closes"
        alarms = () if applied else tuple(_alarm(occurrence, days) for days in reminder_days)
        closes_on = occurrence.closes_on
        events.append(_event(occurrence, what, closes_on, shared, applied=applied, alarms=alarms))
    return b"".join(events)


def timed_event(
    *, uid: str, summary: str, starts: datetime, ends: datetime, stamp: datetime, description: str
) -> bytes:
    """An event at a time (a mock-interview session), its times in UTC."""
    return b"".join(
        (
            _EVENT_BEGIN,
            _line("SUMMARY", _text(summary)),
            _line("DTSTART", _utc(starts)),
            _line("DTEND", _utc(ends)),
            _line("DTSTAMP", _utc(stamp)),
            _line("UID", _text(uid)),
            _line("DESCRIPTION", _text(description)),
            _EVENT_END,
        )
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Shared:
    """The lines both of an occurrence's events carry, drawn once."""

    stamp: bytes
    description: bytes
    url: bytes


def _event(
    occurrence: Occurrence,
    what: str,
    day: date,
    shared: _Shared,
    *,
    applied: bool,
    alarms: Iterable[bytes] = (),
) -> bytes:
    """The properties in icalendar's order: SUMMARY, DTSTART, DTEND, DTSTAMP, UID first,
    then the rest alphabetically; the alarms after them."""
    return b"".join(
        (
            _EVENT_BEGIN,
            _line("SUMMARY", _text(_summary(occurrence, what, applied=applied))),
            _line("DTSTART;VALUE=DATE", _date(day)),
            # An all-day event without an end lasts its day (RFC 5545 3.6.1).
            _line("DTEND;VALUE=DATE", _date(day + timedelta(days=1))) if day < date.max else b"",
            shared.stamp,
            _line("UID", _text(f"{occurrence.key}-{what}@clubbot")),
            shared.description,
            _TRANSPARENT,
            shared.url,
            *alarms,
            _EVENT_END,
        )
    )


def _summary(occurrence: Occurrence, what: str, *, applied: bool) -> str:
    label = {"opens": "Opens: ", "closes": "Closes: "}.get(what, "")
    estimated = occurrence.opens_estimated if what == "opens" else occurrence.closes_estimated
    if estimated and label:
        label = f"{label[:-2]} (estimated): "
    return f"✓ {label}{occurrence.title} (applied)" if applied else f"{label}{occurrence.title}"


def _alarm(occurrence: Occurrence, days: int) -> bytes:
    left = "1 day" if days == 1 else f"{days} days"
    return b"".join(
        (
            b"BEGIN:VALARM\r\nACTION:DISPLAY\r\n",
            _line("DESCRIPTION", _text(f"{left} left: {occurrence.title}")),
            _line("TRIGGER", _before(days)),
            b"END:VALARM\r\n",
        )
    )


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


# --- RFC 5545 values and content lines, as icalendar writes them ----------------------


def _line(name: str, value: str) -> bytes:
    return _fold(f"{name}:{value}".encode()) + b"\r\n"


def _fold(line: bytes) -> bytes:
    """Lines of more than 74 octets go on in lines starting with a space."""
    if len(line) <= _FOLD_AT:
        return line
    pieces, start = [], 0
    while len(line) - start > _FOLD_AT:
        end = start + _FOLD_AT
        while line[end] & 0xC0 == _CONTINUATION:  # not inside a character
            end -= 1
        if line[end - 1] in b"\\^" and end - start > 1:
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return b"\r\n ".join(pieces)


def _text(value: str) -> str:
    """A TEXT value escaped in icalendar's order, which also reads a literal backslash-N
    as a line break and writes any CR, LF or CRLF as one."""
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _uri(value: str) -> str:
    """A URI is written as it is: nothing in it is escaped."""
    if "\r" in value or "\n" in value:  # as icalendar refused
        raise ValueError(f"A URI value may not contain CR or LF characters: {value!r}")
    return value


def _date(day: date) -> str:
    return f"{day.year:04}{day.month:02}{day.day:02}"


def _utc(moment: datetime) -> str:
    t = moment.astimezone(UTC)
    return f"{t.year:04}{t.month:02}{t.day:02}T{t.hour:02}{t.minute:02}{t.second:02}Z"


def _before(days: int) -> str:
    """The trigger `days` before the event, as icalendar writes timedelta(days=-days)."""
    return f"-P{days}D" if days > 0 else f"P{-days}D"
