"""Weekly availability as members write it: the words into blocks of days and times.

Blocks are separated by `,` or `;` (or follow each other: `mon 7-9pm wed 6-8pm`), each
days and a time range in either order (`mon,wed 19-21`, `7-9pm mon wed`).
DAYS: a day (`mon`, `Monday`, `mondays`), several (`Mon/Wed`, `mon,wed`, `mon and wed`),
a range (`mon-fri`, `fri-sun`), `daily`, `every day`, `weekdays`, `weeknights`,
`weekends`; a range without days means every day (`noon-2pm`).
TIMES: `START-END` on a 24-hour clock (`19-21`, `18:00-21:30`, `18h-20h`, `6.30-8`) or with
am/pm (`6pm-9pm`, `7-9pm`), `noon` and `midnight`, or a part of the day (`evenings` is
18:00-22:00, see PARTS); minutes are :00 or :30.

An end earlier than the start is read the way people mean it, and the echo says so:
- both small hours without am/pm, the start in the morning (`sun 9-5`, `sat 10-2`,
  `mon 8-1`): a daytime block, 09:00-17:00;
- otherwise (`fri 22-01`, `11pm-1am`, `10pm-2`): the block runs past midnight, into the
  early morning up to 06:00 (a 24-hour start such as 22 says it is evening).
`mon 21-18` and `mon 18-18` are refused with an example.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.errors import UserError

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
    "weeknights": range(5),
    "weeknight": range(5),
    "weekends": range(5, 7),
    "weekend": range(5, 7),
}
# What a part of the day means, in minutes after midnight.
PARTS = {
    "morning": (9 * 60, 12 * 60),
    "afternoon": (12 * 60, 17 * 60),
    "evening": (18 * 60, 22 * 60),
    "night": (20 * 60, 24 * 60),
}
# `weeknights` is the evenings of weekdays.
_PART_WORD = re.compile(r"\b(week)?(morning|afternoon|evening|night)s?\b")
_CLOCK = r"(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)?|noon|midnight)"
_RANGE = re.compile(rf"(?<![\w:])(?P<a>{_CLOCK})\s*-\s*(?P<b>{_CLOCK})(?![\w:])")
_ONE_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_DAY_SPLIT = re.compile(r"\s*(?:/|&|\+|\band\b|\s)\s*")
_FILLERS = re.compile(r"\b(?:from|on|at|between|every|each|all|available|free)\b")


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """Some days of the week, each from `start` to `end`, in minutes after that day's
    local midnight; `end` may pass 24:00 (into the next morning)."""

    days: tuple[int, ...]  # 0 = Monday
    start: int
    end: int


Availability = tuple[Block, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reading:
    """What a member's words mean, and how words that could be read otherwise were read."""

    blocks: Availability
    notes: tuple[str, ...] = ()


def parse_availability(text: str) -> Availability:
    """The blocks `text` means, or a UserError that shows how to write them."""
    return read_availability(text).blocks


def read_availability(text: str) -> Reading:
    """The blocks `text` means with notes on how it was read, or a UserError."""
    pieces = [p.strip() for p in re.split(r"[,;]", _normalise(text)) if p.strip()]
    if not pieces or len(text) > 300:
        raise UserError(f"Write your weekly availability in your own time zone, like {EXAMPLE}.")
    blocks: list[Block] = []
    notes: list[str] = []
    waiting_days: list[int] = []  # `mon,wed 19-21`: days before a comma share the next times
    for piece in (part for p in pieces for part in _one_range_each(p)):
        times = _times_of(piece, notes)
        if times is None:
            waiting_days += _days_without_times(piece)
            continue
        (start, end), days_text = times
        days = [*waiting_days, *_days(days_text, piece)] if days_text else list(waiting_days)
        if not days:
            days = list(range(7))
            notes.append(f"`{piece[:40]}` without days as every day")
        blocks.append(Block(days=tuple(dict.fromkeys(days)), start=start, end=end))
        waiting_days = []
    if waiting_days:
        raise UserError(f"`{pieces[-1][:40]}`: at what times? Like {EXAMPLE}.")
    return Reading(blocks=tuple(blocks), notes=tuple(dict.fromkeys(notes)))


_TO = re.compile(r"\s+(?:to|until|till)\s+")
_EVERY_DAY = re.compile(r"\b(?:every|each)\s+day\b|\ball\s+week\b")
_DOT = re.compile(r"(?<=\d)\.(?=\d{2}(?!\d))")  # 6.30pm
_H = re.compile(r"(?<=\d)h(\d{2})?\b")  # 18h, 18h30


def _normalise(text: str) -> str:
    cleaned = text.lower().replace("\u2013", "-").replace("\u2014", "-")
    cleaned = _TO.sub("-", cleaned)
    if "every" in cleaned or "each" in cleaned or "all" in cleaned:
        cleaned = _EVERY_DAY.sub("daily", cleaned)
    if "." in cleaned:
        cleaned = _DOT.sub(":", cleaned)
    if "h" in cleaned:
        cleaned = _H.sub(lambda m: f":{m[1]}" if m[1] else "", cleaned)
    return _FILLERS.sub(" ", cleaned)


def _one_range_each(piece: str) -> list[str]:
    """`mon 7-9pm wed 6-8pm` as two pieces; the days go with the range they precede, or
    with the one they follow when the piece starts with a range (`7-9pm mon wed`)."""
    ranges = list(_RANGE.finditer(piece))
    if len(ranges) < 2:
        return [piece]
    time_first = ranges[0].start() == 0
    cuts = [r.start() for r in ranges[1:]] if time_first else [r.end() for r in ranges[:-1]]
    bounds = [0, *cuts, len(piece)]
    return [piece[a:b].strip() for a, b in itertools.pairwise(bounds)]


def _times_of(piece: str, notes: list[str]) -> tuple[tuple[int, int], str] | None:
    """The piece's time range and the words left for its days; None if it has no time."""
    found = _RANGE.search(piece)
    part = _PART_WORD.search(piece)
    if found is None and part is None:
        return None
    if part is not None:
        name = "evening" if part[1] else part[2]
        piece_days = (
            piece[: part.start()] + (" weekdays " if part[1] else " ") + piece[part.end() :]
        )
    if found is None:
        assert part is not None
        start, end = PARTS[name]
        notes.append(f"`{part[0]}` as {_clock(start)}-{_clock(end)}")
        return (start, end), piece_days.strip()
    days_text = piece_days if part is not None else piece
    rest = days_text.replace(found[0], " ", 1)
    # `weekday evenings 7-9`: the part of the day says pm for a bare range.
    later = part is not None and name != "morning"
    return _times(found["a"], found["b"], piece, notes, later=later), rest.strip()


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


@lru_cache(maxsize=256)
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


def _times(a: str, b: str, piece: str, notes: list[str], *, later: bool) -> tuple[int, int]:
    if later and _bare(a) and _bare(b):  # `evenings 7-9`
        a, b = f"{a}pm", f"{b}pm"
    end = _minutes(b, piece, as_end=True)
    start = _start_minutes(a, b, end, piece)
    if end == start:
        raise UserError(
            f"`{piece[:40]}` starts and ends at the same time. Give a range, like `mon 18-21`."
        )
    if end < start and _bare(b) and 60 <= end < 12 * 60 and start < 13 * 60:
        # `sun 9-5` is a working day, not a night: the end is in the afternoon.
        end += 12 * 60
        notes.append(f"`{a.strip()}-{b.strip()}` as {_clock(start)}-{_clock(end)}")
    elif end < start:
        if end > LATEST_NEXT_MORNING * 60:
            raise UserError(
                f"`{piece[:40]}` ends before it starts. A block may run past midnight only "
                f"into the early morning (until {LATEST_NEXT_MORNING:02d}:00), like "
                "`fri 22-01`; otherwise write the start first, like `mon 18-21`."
            )
        end += 24 * 60
    return start, end


def _bare(text: str) -> bool:
    """A clock written without am/pm (`9`, `9:30`), which could be either."""
    found = _ONE_CLOCK.match(text.strip())
    return found is not None and found[3] is None and int(found[1]) <= 12


def _start_minutes(text: str, end_text: str, end: int, piece: str) -> int:
    """`7-9pm` means 19:00-21:00 and `10-2am` 22:00-02:00: a start without am/pm takes
    the end's, unless that would put it after the end."""
    suffix = end_text.strip()[-2:]
    if _bare(text) and suffix in ("am", "pm"):
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
    assert match is not None  # _RANGE matched it
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


def describe_availability(blocks: Availability, zone_name: str, notes: Sequence[str] = ()) -> str:
    """'Mon and Wed 19:00-21:00, your time (Europe/London)', with how words were read."""
    parts = [f"{_describe_days(b.days)} {_clock(b.start)}-{_clock(b.end)}" for b in blocks]
    late = any(b.end > 24 * 60 for b in blocks)
    tail = " (past midnight: into the next morning)" if late else ""
    read = f" (I read {'; '.join(notes)})" if notes else ""
    return f"{'; '.join(parts)}, your time ({zone_name}){tail}{read}"


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
