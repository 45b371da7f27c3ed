"""Weekly availability as members write it, and the half-hour slots it covers ahead of a round.

Grammar: blocks separated by `,` or `;`, each `DAYS TIMES`.
DAYS: a day (`mon`, `Monday`), several (`Mon/Wed`, `mon,wed`, `mon and wed`), a range
(`mon-fri`, `fri-sun`), `daily`, `weekdays` or `weekends`.
TIMES: `START-END` on a 24-hour clock (`19-21`, `18:00-21:30`) or with am/pm (`6pm-9pm`,
`7-9pm`), plus `noon` and `midnight`; minutes are :00 or :30. A block ends after it
starts, except that it may run past midnight into the early morning: an end at or
before 06:00 that is earlier than the start means the next day (`fri 22-01`,
`tue 7pm-midnight`). `mon 21-18` or `mon 18-18` are refused.

A round looks at the seven days after it goes out, in half-hour slots: bit i of a
member's slots is the half hour starting `i` slots after the round's start (the round's
time rounded up to the half hour), set when that whole half hour, read on the member's
own wall clock with that day's DST, lies inside one of their blocks. So a slot told to
a member is always ahead of the round and inside their own hours, in half-hour zones
(Asia/Kolkata) and 45-minute ones (Asia/Kathmandu) alike. Two members' common slots
are one AND.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from bot.club_time import zone
from bot.errors import UserError

HOURS_IN_WEEK = 168
# The bitset's resolution: how many slots make an hour, and how many slots a week has.
# The matching engine reads both, so it does not depend on the resolution.
SLOTS_PER_HOUR = 2
WEEK_SLOTS = HOURS_IN_WEEK * SLOTS_PER_HOUR
SLOT = timedelta(hours=1) / SLOTS_PER_HOUR
EXAMPLE = '"weekdays 6pm-9pm, sat 10:30-12"'
# An end earlier than the start runs past midnight only up to this hour (`fri 22-01`).
LATEST_NEXT_MORNING = 6
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_GROUPS = {
    "daily": range(7),
    "everyday": range(7),
    "weekdays": range(5),
    "weekday": range(5),
    "weekends": range(5, 7),
    "weekend": range(5, 7),
}
_CLOCK = r"(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)?|noon|midnight)"
_TIMES = re.compile(rf"^(?P<a>{_CLOCK})\s*-\s*(?P<b>{_CLOCK})$")
_TIME_START = re.compile(r"(?:^|\s)(\d|noon|midnight)")
_ONE_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_DAY_SPLIT = re.compile(r"\s*(?:/|&|\+|\band\b|\s)\s*")


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """Some days of the week, each from `start` to `end`, in minutes after that day's
    local midnight; `end` may pass 24:00 (into the next morning)."""

    days: tuple[int, ...]  # 0 = Monday
    start: int
    end: int


Availability = tuple[Block, ...]


def parse_availability(text: str) -> Availability:
    """The blocks `text` means, or a UserError that shows how to write them."""
    cleaned = re.sub(r"\s+to\s+|[\u2013\u2014]", "-", text.lower())  # en/em dashes, "to"
    pieces = [p.strip() for p in re.split(r"[,;]", cleaned) if p.strip()]
    if not pieces or len(text) > 300:
        raise UserError(f"Write your weekly availability in your own time zone, like {EXAMPLE}.")
    blocks: list[Block] = []
    waiting_days: list[int] = []  # `mon,wed 19-21`: days before a comma share the next times
    for piece in pieces:
        found = _TIME_START.search(piece)
        if not found:
            waiting_days += _days_without_times(piece)
            continue
        days_text = piece[: found.start()].strip()
        days = [*waiting_days, *_days(days_text, piece)] if days_text else list(waiting_days)
        if not days:
            raise UserError(f"`{piece[:40]}`: which days? Like {EXAMPLE}.")
        start, end = _times(piece[found.start() :].strip(), piece)
        blocks.append(Block(days=tuple(dict.fromkeys(days)), start=start, end=end))
        waiting_days = []
    if waiting_days:
        raise UserError(f"`{pieces[-1][:40]}`: at what times? Like {EXAMPLE}.")
    return tuple(blocks)


def _days_without_times(piece: str) -> list[int]:
    """`mon` in `mon,wed 19-21`; anything else without a time is not availability."""
    try:
        return _days(piece, piece)
    except UserError:
        raise UserError(
            f"I can't read `{piece[:40]}`. Write days then a time range in your own zone, "
            f"like {EXAMPLE} or `mon,wed 19-21`."
        ) from None


def _days(text: str, piece: str) -> list[int]:
    days: list[int] = []
    for word in (w for w in _DAY_SPLIT.split(text) if w):
        if word in _GROUPS:
            days += _GROUPS[word]
            continue
        ends = word.split("-")
        if len(ends) > 2:
            raise _not_a_day(word)
        first, last = _day(ends[0]), _day(ends[-1])
        days += [(first + i) % 7 for i in range((last - first) % 7 + 1)]
    if not days:
        raise UserError(f"I can't read `{piece[:40]}`. Write days then times, like {EXAMPLE}.")
    return days


def _day(word: str) -> int:
    for index, name in enumerate(_FULL_DAYS):
        if len(word) >= 3 and (name.startswith(word) or word == f"{name}s"):
            return index
    raise _not_a_day(word)


def _not_a_day(word: str) -> UserError:
    return UserError(
        f"`{word[:20]}` is not a day. Use mon..sun, Mon/Wed, a range like mon-fri, "
        "daily, weekdays or weekends."
    )


def _times(text: str, piece: str) -> tuple[int, int]:
    match = _TIMES.match(text)
    if not match:
        raise UserError(
            f"I can't read `{piece[:40]}`. Write days then a time range in your own zone, "
            f"like {EXAMPLE} or `mon,wed 19-21` (`fri 22-01` runs past midnight)."
        )
    end = _minutes(match["b"], piece, as_end=True)
    start = _start_minutes(match["a"], match["b"], end, piece)
    if end == start:
        raise UserError(
            f"`{piece[:40]}` starts and ends at the same time. Give a range, like `mon 18-21`."
        )
    if end < start:
        if end > LATEST_NEXT_MORNING * 60:
            raise UserError(
                f"`{piece[:40]}` ends before it starts. A block may run past midnight only "
                f"into the early morning (until {LATEST_NEXT_MORNING:02d}:00), like "
                "`fri 22-01`; otherwise write the start first, like `mon 18-21`."
            )
        end += 24 * 60
    return start, end


def _start_minutes(text: str, end_text: str, end: int, piece: str) -> int:
    """`7-9pm` means 19:00-21:00 and `10-2am` 22:00-02:00: a start without am/pm takes
    the end's, unless that would put it after the end."""
    suffix = end_text.strip()[-2:]
    bare = _ONE_CLOCK.match(text.strip())
    if bare and bare[3] is None and suffix in ("am", "pm") and int(bare[1]) <= 12:
        with_suffix = _minutes(f"{text.strip()}{suffix}", piece, as_end=False)
        other = (with_suffix + 12 * 60) % (24 * 60)
        same_side = with_suffix < end if suffix == "pm" else with_suffix < end or end == 0
        return with_suffix if same_side else other
    return _minutes(text, piece, as_end=False)


def _minutes(text: str, piece: str, *, as_end: bool) -> int:
    text = text.strip()
    if text in ("noon", "midnight"):
        return 12 * 60 if text == "noon" else 24 * 60 if as_end else 0
    match = _ONE_CLOCK.match(text)
    assert match is not None  # _TIMES matched it
    hour, minute, suffix = int(match[1]), int(match[2] or 0), match[3]
    out_of_range = hour > 24 or (hour == 24 and (minute or not as_end))
    if out_of_range or (suffix and not 1 <= hour <= 12):
        raise UserError(f"`{piece[:40]}`: hours run from 0 to 24 (or 1am to 12pm).")
    if minute not in (0, 30):
        raise UserError(f"`{piece[:40]}`: times go in half hours, like 18:00 or 18:30.")
    if suffix:
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    total = hour * 60 + minute
    return 24 * 60 if as_end and total == 0 and suffix == "am" else total


def describe_availability(blocks: Availability, zone_name: str) -> str:
    """'Mon and Wed 19:00-21:00, your time (Europe/London)'."""
    parts = [f"{_describe_days(b.days)} {_clock(b.start)}-{_clock(b.end)}" for b in blocks]
    late = any(b.end > 24 * 60 for b in blocks)
    tail = " (past midnight: into the next morning)" if late else ""
    return f"{'; '.join(parts)}, your time ({zone_name}){tail}"


def _describe_days(days: tuple[int, ...]) -> str:
    unique = sorted(set(days))
    named = {tuple(range(7)): "Every day", tuple(range(5)): "Weekdays", (5, 6): "Weekends"}
    if tuple(unique) in named:
        return named[tuple(unique)]
    if len(unique) >= 3 and unique == list(range(unique[0], unique[-1] + 1)):
        return f"{DAY_NAMES[unique[0]]}-{DAY_NAMES[unique[-1]]}"
    names = [DAY_NAMES[d] for d in unique]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _clock(minutes: int) -> str:
    hours, rest = divmod(minutes % (24 * 60) if minutes != 24 * 60 else minutes, 60)
    return f"{hours:02d}:{rest:02d}"


def round_start(instant: datetime) -> datetime:
    """Where a round's slots begin: `instant` in UTC, rounded up to the half hour."""
    utc = instant.astimezone(UTC)
    floor = utc.replace(minute=utc.minute // 30 * 30, second=0, microsecond=0)
    return floor if floor == utc else floor + SLOT


def week_slots(blocks: Availability, zone_name: str, start: datetime) -> int:
    """The slots of the seven days from `start` (a half hour, UTC) that lie wholly inside
    `blocks` on the member's own wall clock: bit i is the half hour at start + i slots."""
    tz = zone(zone_name)
    spans = _wall_spans(blocks, start.astimezone(tz).date() - timedelta(days=1))
    if _steady_week(zone_name, start):
        return _steady_slots(spans, start.astimezone(tz).replace(tzinfo=None))
    starts = [a for a, _ in spans]
    bits = 0
    for index in range(WEEK_SLOTS):
        begin = (start + index * SLOT).astimezone(tz).replace(tzinfo=None)
        end = (start + (index + 1) * SLOT).astimezone(tz).replace(tzinfo=None)
        at = bisect_right(starts, begin) - 1
        if at >= 0 and begin < end <= spans[at][1]:
            bits |= 1 << index
    return bits


@lru_cache(maxsize=256)
def _steady_week(zone_name: str, start: datetime) -> bool:
    """Whether the zone's UTC offset stays the same over the seven days from `start`
    (members share a few zones: asked once per zone and round)."""
    tz = zone(zone_name)
    offsets = {(start + timedelta(hours=h)).astimezone(tz).utcoffset() for h in range(0, 169, 6)}
    return len(offsets) == 1


def _steady_slots(spans: list[tuple[datetime, datetime]], wall_start: datetime) -> int:
    """A week without a DST change: slot i starts at `wall_start` + i slots on the wall."""
    bits = 0
    for a, b in spans:
        first = max(0, -((wall_start - a) // SLOT))  # the first slot starting at or after a
        last = min(WEEK_SLOTS, (b - wall_start) // SLOT)  # slots ending by b
        if last > first:
            bits |= ((1 << (last - first)) - 1) << first
    return bits


def _wall_spans(blocks: Availability, first_day: date) -> list[tuple[datetime, datetime]]:
    """The blocks as merged local wall-clock spans over the nine days from `first_day`
    (a week of slots touches eight local dates; a block of the day before may run into it)."""
    spans = sorted(
        (midnight + timedelta(minutes=block.start), midnight + timedelta(minutes=block.end))
        for offset in range(9)
        for midnight in [datetime.combine(first_day + timedelta(days=offset), time(0))]
        for block in blocks
        if midnight.weekday() in block.days
    )
    merged: list[tuple[datetime, datetime]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


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
