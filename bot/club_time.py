"""Reading times, days and zones that officers type, and turning instants into club-local time."""

from __future__ import annotations

import difflib
import re
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from bot.errors import UserError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
_DURATION = re.compile(r"^(\d{1,4})([mhdw])$")
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
ZONE_EXAMPLES = "America/New_York, Europe/London, Asia/Kolkata"


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`, or a UserError naming close matches."""
    if name not in _zone_names():
        _unknown_zone(name)
    return ZoneInfo(name)


def _unknown_zone(name: str) -> None:
    close = difflib.get_close_matches(name, _zone_names(), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(close)}?" if close else f" For example: {ZONE_EXAMPLES}."
    raise UserError(f"`{name[:64]}` is not a time zone I know.{hint}")


def parse_hhmm(text: str) -> time:
    """'09:00' or '9:30' (24-hour clock)."""
    match = _HHMM.match(text.strip())
    hour, minute = (int(match[1]), int(match[2])) if match else (99, 99)
    if hour > 23 or minute > 59:
        raise UserError(
            f"`{text[:40]}` is not a time. Write it as HH:MM on a 24-hour clock, "
            "e.g. 09:00 or 18:30."
        )
    return time(hour, minute)


def parse_weekday(text: str) -> int:
    """'mon', 'Monday' -> 0."""
    word = text.strip().lower()
    for index, day in enumerate(WEEKDAYS):
        if len(word) >= 3 and day.startswith(word):
            return index
    raise UserError(
        f"`{text[:40]}` is not a day of the week. Use mon, tue, wed, thu, fri, sat or sun."
    )


def parse_duration(text: str) -> timedelta:
    """'90m', '5h', '3d', '2w'."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise UserError(
            f"`{text[:40]}` is not a duration. Write a number and a unit: 30m, 5h, 3d or 2w."
        )
    return timedelta(**{_DURATION_UNITS[match[2]]: int(match[1])})


def local(instant: datetime, zone_name: str) -> datetime:
    return instant.astimezone(zone(zone_name))


def describe(instant: datetime, zone_name: str) -> str:
    """'Mon 23 Nov 2026, 09:00 EST' in the club's zone."""
    return local(instant, zone_name).strftime("%a %d %b %Y, %H:%M %Z")
