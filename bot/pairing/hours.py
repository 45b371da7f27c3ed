"""Weekly availability, written in a member's own zone, as hours of a UTC week.

Grammar: comma- or semicolon-separated blocks of `DAYS START-END`, where DAYS is a
day (`mon`), a range (`mon-fri`, `fri-sun`), `daily`, `weekdays` or `weekends`, and
START/END are whole hours on a 24-hour clock (`18-21`, `18:00-21:00`). A block that
ends at or before it starts runs past midnight (`fri 22-01` is Friday 22:00 to
Saturday 01:00). Examples: "mon-fri 18-21, sat 10-14", "weekends 9-12; wed 19-22".

The week is a 168-bit integer: bit i is the UTC hour starting i hours after the
week's Monday 00:00 UTC, so two members' common hours are one AND. Each local hour
is placed in the UTC hour it starts in, with the DST rules of that very week; in a
half-hour zone (Asia/Kolkata, UTC+5:30) a local 18:00-19:00 therefore lands on the
12:00 UTC hour, and a common "hour" with such a member may be half an hour long.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from bot.club_time import zone
from bot.errors import UserError

HOURS_IN_WEEK = 168
# The bitset's resolution: how many slots make an hour, and how many slots a week has.
# The matching engine reads both, so it does not depend on the resolution.
SLOTS_PER_HOUR = 1
WEEK_SLOTS = HOURS_IN_WEEK * SLOTS_PER_HOUR
EXAMPLE = '"mon-fri 18-21, sat 10-14"'
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_GROUPS = {"daily": range(7), "weekdays": range(5), "weekends": range(5, 7)}
_BLOCK = re.compile(r"^([a-z-]+)\s+(\d{1,2})(?::00)?\s*-\s*(\d{1,2})(?::00)?$")


def parse_week(text: str, zone_name: str, week_of: date) -> int:
    """The UTC hours of the week starting Monday `week_of` that `text` covers."""
    if week_of.weekday() != 0:
        raise ValueError("week_of must be a Monday")
    tz, hours = zone(zone_name), 0
    blocks = [b.strip().lower() for b in re.split(r"[,;]", text) if b.strip()]
    if not blocks or len(text) > 300:
        raise UserError(f"Write your weekly availability in your own time zone, like {EXAMPLE}.")
    start_of_week = datetime.combine(week_of, time(0), tzinfo=UTC)
    for block in blocks:
        days, first, last = _block(block)
        length = (last - first) % 24 or 24
        for day in days:
            for offset in range(length):
                # Add hours to the naive wall clock, then attach the zone: that week's DST.
                wall = datetime.combine(week_of + timedelta(days=day), time(0)) + timedelta(
                    hours=first + offset
                )
                instant = wall.replace(tzinfo=tz).astimezone(UTC)
                index = int((instant - start_of_week).total_seconds() // 3600) % HOURS_IN_WEEK
                hours |= 1 << index
    return hours


def _block(block: str) -> tuple[list[int], int, int]:
    match = _BLOCK.match(block)
    if not match:
        raise UserError(
            f"I can't read `{block[:40]}`. Write days then whole hours on a 24-hour clock, "
            f"like {EXAMPLE} (times in your own zone; `fri 22-01` runs past midnight)."
        )
    days_text, first, last = match[1], int(match[2]), int(match[3])
    if first > 23 or last > 24:
        raise UserError(f"`{block[:40]}`: hours run from 0 to 24.")
    return _days(days_text), first, last % 24


def _days(text: str) -> list[int]:
    if text in _GROUPS:
        return list(_GROUPS[text])
    ends = text.split("-")
    if len(ends) > 2 or any(e[:3] not in _DAYS for e in ends):
        raise UserError(
            f"`{text[:20]}` is not a day. Use mon..sun, a range like mon-fri, daily, "
            "weekdays or weekends."
        )
    first, last = _DAYS.index(ends[0][:3]), _DAYS.index(ends[-1][:3])
    return [(first + i) % 7 for i in range((last - first) % 7 + 1)]


def first_hour(hours: int) -> int | None:
    """The earliest hour of the week in the set, or None."""
    return (hours & -hours).bit_length() - 1 if hours else None


def slot_start(index: int, week_of: date) -> datetime:
    """The UTC instant hour `index` of the week starting Monday `week_of` begins."""
    return datetime.combine(week_of, time(0), tzinfo=UTC) + timedelta(hours=index)


def describe_hour(index: int, week_of: date, zone_name: str) -> str:
    """'Tue 18:00 EST' for hour `index` of the week, in `zone_name`."""
    instant = datetime.combine(week_of, time(0), tzinfo=UTC) + timedelta(hours=index)
    return instant.astimezone(zone(zone_name)).strftime("%a %d %b %H:%M %Z")
