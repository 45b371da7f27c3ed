"""The half-hour slots that members' availability covers ahead of a round.

The words are read in bot/pairing/availability.py. A round looks at the seven days after
it goes out, in half-hour slots: bit i of a member's slots is the half hour starting `i`
slots after the round's start (the round's time rounded up to the half hour), set when
every instant of that half hour reads, on the member's own wall clock, inside one of
their blocks. The blocks are turned into exact instants with the zone's UTC offsets over
the week, so a half hour next to a daylight-saving change counts as it is lived: London's
"sun 0:00-1:00" on the morning the clocks go forward keeps both of its half hours, and
Berlin's "sun 1:00-4:00" on the morning they go back is five hours long. A slot told to a
member is always ahead of the round and inside their own hours, in half-hour
(Asia/Kolkata) and 45-minute (Asia/Kathmandu) zones alike. Two members' common slots are
one AND.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from bot.club_time import zone
from bot.pairing.availability import (
    EXAMPLE,
    Availability,
    Block,
    Reading,
    describe_availability,
    parse_availability,
    read_availability,
)

__all__ = [
    "EXAMPLE",
    "Availability",
    "Block",
    "Reading",
    "describe_availability",
    "parse_availability",
    "read_availability",
]

HOURS_IN_WEEK = 168
# The bitset's resolution: how many slots make an hour, and how many slots a week has.
# The matching engine reads both, so it does not depend on the resolution.
SLOTS_PER_HOUR = 2
WEEK_SLOTS = HOURS_IN_WEEK * SLOTS_PER_HOUR
SLOT = timedelta(hours=1) / SLOTS_PER_HOUR
WEEK = timedelta(hours=HOURS_IN_WEEK)


def round_start(instant: datetime) -> datetime:
    """Where a round's slots begin: `instant` in UTC, rounded up to the half hour."""
    utc = instant.astimezone(UTC)
    floor = utc.replace(minute=utc.minute // 30 * 30, second=0, microsecond=0)
    return floor if floor == utc else floor + SLOT


def week_slots(blocks: Availability, zone_name: str, start: datetime) -> int:
    """The slots of the seven days from `start` (a half hour, UTC) that lie wholly inside
    `blocks` on the member's own wall clock: bit i is the half hour at start + i slots."""
    first_day = start.astimezone(zone(zone_name)).date() - timedelta(days=1)
    spans = _wall_spans(blocks, first_day)
    origin = start.astimezone(UTC).replace(tzinfo=None)
    offsets = _offsets(zone_name, origin)
    if len(offsets) == 1:  # most weeks: one offset, so the wall spans shift as they are
        offset = offsets[0][2]
        lived = [(a - offset, b - offset) for a, b in spans]
    else:
        lived = _merged(
            sorted(
                (max(a - offset, begin), min(b - offset, end))
                for begin, end, offset in offsets
                for a, b in spans
                if a - offset < end and b - offset > begin
            )
        )
    bits = 0
    for a, b in lived:
        first = max(0, -((origin - a) // SLOT))  # the first slot starting at or after a
        last = min(WEEK_SLOTS, (b - origin) // SLOT)  # slots ending by b
        if last > first:
            bits |= ((1 << (last - first)) - 1) << first
    return bits


# (first instant, end, UTC offset): a stretch of the week with one offset, in naive UTC.
_Stretch = tuple[datetime, datetime, timedelta]


@lru_cache(maxsize=256)
def _offsets(zone_name: str, origin: datetime) -> tuple[_Stretch, ...]:
    """The zone's UTC offsets over the week from `origin` (naive UTC), each with the
    instants it holds; one in most weeks, two when the clocks change (members share a few
    zones: worked out once per zone and round)."""
    tz = zone(zone_name)

    def offset(at: datetime) -> timedelta:
        return at.replace(tzinfo=UTC).astimezone(tz).utcoffset() or timedelta(0)

    periods: list[_Stretch] = []
    begin, current = origin, offset(origin)
    for hour in range(1, HOURS_IN_WEEK + 1):
        at = origin + timedelta(hours=hour)
        if offset(at) != current:
            change = _change_between(at - timedelta(hours=1), at, offset)
            periods.append((begin, change, current))
            begin, current = change, offset(at)
    periods.append((begin, origin + WEEK, current))
    return tuple(periods)


def _change_between(
    low: datetime, high: datetime, offset: Callable[[datetime], timedelta]
) -> datetime:
    """The first second at which the offset differs from `low`'s (it does at `high`)."""
    before = offset(low)
    while high - low > timedelta(seconds=1):
        middle = (low + (high - low) / 2).replace(microsecond=0)
        if offset(middle) == before:
            low = middle
        else:
            high = middle
    return high


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted spans with those that touch or overlap joined."""
    merged: list[tuple[datetime, datetime]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _wall_spans(blocks: Availability, first_day: date) -> list[tuple[datetime, datetime]]:
    """The blocks as merged local wall-clock spans over the nine days from `first_day`
    (a week of slots touches eight local dates; a block of the day before may run into it)."""
    return _merged(
        sorted(
            (midnight + timedelta(minutes=block.start), midnight + timedelta(minutes=block.end))
            for offset in range(9)
            for midnight in [datetime.combine(first_day + timedelta(days=offset), time(0))]
            for block in blocks
            if midnight.weekday() in block.days
        )
    )


def from_slot(start: datetime, earliest: datetime) -> int:
    """The mask of the week's slots (from `start`) that begin at or after `earliest`."""
    skipped = max(0, -((start - earliest) // SLOT))
    return ((1 << WEEK_SLOTS) - 1) >> skipped << skipped if skipped < WEEK_SLOTS else 0


def candidate_slots(common: int, start: datetime, zones: Sequence[str], length: int) -> list[int]:
    """Up to three of `common`'s slots (counted from `start`) on different days for every
    one of `zones`: first those that begin `length` common slots in a row (a whole
    session), earliest first, then single half hours on days still free."""
    whole = common
    for shift in range(1, length):
        whole &= common >> shift
    tzs = [zone(name) for name in zones]
    taken: list[int] = []
    days: list[set[date]] = [set() for _ in tzs]
    for pool in (whole, common):
        for index in (i for i in range(WEEK_SLOTS) if pool >> i & 1):
            at = slot_time(start, index)
            dates = [at.astimezone(tz).date() for tz in tzs]
            if len(taken) == 3:
                return sorted(taken)
            if index not in taken and all(
                d not in seen for d, seen in zip(dates, days, strict=True)
            ):
                taken.append(index)
                for d, seen in zip(dates, days, strict=True):
                    seen.add(d)
    return sorted(taken)


def first_slot(slots: int) -> int | None:
    """The earliest slot in the set, or None."""
    return (slots & -slots).bit_length() - 1 if slots else None


def slot_time(start: datetime, index: int) -> datetime:
    return start + index * SLOT


def describe_time(instant: datetime, zone_name: str) -> str:
    """'Tue 17 Nov 18:00 EST': `instant` on `zone_name`'s wall clock."""
    return instant.astimezone(zone(zone_name)).strftime("%a %d %b %H:%M %Z")


# Slots counted from the Monday 00:00 UTC of a week, as the group table stores them
# (and as the engine's own tests write them).


def monday_start(week_of: date) -> datetime:
    return datetime.combine(week_of, time(0), tzinfo=UTC)


def parse_week(text: str, zone_name: str, week_of: date) -> int:
    """The slots of the seven days from Monday `week_of` 00:00 UTC that `text` covers."""
    if week_of.weekday() != 0:
        raise ValueError("week_of must be a Monday")
    zone(zone_name)  # an unknown zone is refused before the text is read
    return week_slots(parse_availability(text), zone_name, monday_start(week_of))


def first_hour(slots: int) -> int | None:
    return first_slot(slots)


def describe_hour(index: int, week_of: date, zone_name: str) -> str:
    """Slot `index` after Monday `week_of` 00:00 UTC, on `zone_name`'s wall clock."""
    return describe_time(slot_time(monday_start(week_of), index), zone_name)
