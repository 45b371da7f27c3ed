"""Reading times, days and zones the way members type them, and showing instants.

One zone reader (`read_zone`) serves every command that takes a zone: IANA names in
any case, cities, abbreviations (resolved to the real zone, daylight saving and all)
and fixed offsets. `zone` turns a saved name back into a tzinfo.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

from bot.errors import UserError
from bot.model import StampStyle, stamp
from bot.zones import ALIASES, AMBIGUOUS, POPULAR, SAVED_BEFORE, WINDOWS, Region

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h]?(\d{2}))?(am|pm|a|p)?$")
_DURATION = re.compile(r"^(\d{1,4})([mhdw])$")
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_WORDS = {"noon": time(12), "midday": time(12), "midnight": time(0)}
ZONE_EXAMPLES = "America/New_York, Europe/London, Asia/Kolkata"
TIME_EXAMPLES = "9am, 9:30pm, 21:30 or noon"

# A fixed offset as people write it: "UTC+5:30", "GMT-5", "+0530", "utc - 3".
_OFFSET = re.compile(r"^(?:utc|gmt|z)?\s*([+\-\u2212])\s*(\d{1,2})(?:\s*[:.h]?\s*(\d{2}))?$")
# How a fixed offset is saved: "UTC+05:30".
_FIXED_KEY = re.compile(r"^UTC([+-])(\d{2}):(\d{2})$")
# POSIX "Etc/GMT-5" is UTC+5: the sign is the opposite of what people mean.
_ETC = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")
_SUFFIXES = (" standard time", " daylight time", " daylight saving time", " time", " timezone")
# Outlook's label before a zone's name: "(UTC-05:00) Eastern Time (US & Canada)".
_OUTLOOK = re.compile(r"^\(\s*(?:utc|gmt)[^)]{0,8}\)\s*(?=\S)", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneChoice:
    """The zone a member's text resolved to: `key` is saved, `note` tells them what it means."""

    key: str
    note: str


# --- zones ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _named(name: str) -> bool:
    """A zone a member would pick: not Etc/, not a bare legacy abbreviation like EST."""
    return "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/", "right/"))


@lru_cache(maxsize=1)
def _by_lower() -> dict[str, str]:
    return {name.lower(): name for name in _zone_names()}


@lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    """'new york' -> America/New_York: the last part of every named zone."""
    cities: dict[str, str] = {}
    for name in sorted(_zone_names(), key=lambda n: (n.count("/"), n)):
        if _named(name) and not name.startswith(("US/", "Canada/", "Mexico/", "Brazil/", "Chile/")):
            cities.setdefault(_normal(name.rsplit("/", 1)[1]), canonical(name))
    return cities


def _tzdata(file: str) -> list[str]:
    """The lines of one of the tz database's files as the tzdata package ships them."""
    try:
        return resources.files("tzdata").joinpath("zoneinfo", file).read_text().splitlines()
    except (ModuleNotFoundError, FileNotFoundError):
        return []


@lru_cache(maxsize=1)
def _links() -> dict[str, str]:
    """Old and alternative names -> the zone's own name ("Asia/Calcutta" -> Asia/Kolkata)."""
    return {
        parts[2]: parts[1]
        for parts in (line.split() for line in _tzdata("tzdata.zi"))
        if len(parts) == 3 and parts[0] == "L" and not parts[1].startswith("Etc/")
    }


@lru_cache(maxsize=1)
def _by_country() -> dict[str, tuple[str, ...]]:
    """Country code -> the zones zone.tab lists for it (a country's own zones, which IANA
    keeps even where it merged them with a neighbour's: Europe/Amsterdam stays)."""
    zones: dict[str, tuple[str, ...]] = {}
    for line in _tzdata("zone.tab"):
        parts = line.split("\t")
        if len(parts) >= 3 and not line.startswith("#"):
            zones[parts[0]] = (*zones.get(parts[0], ()), parts[2])
    return zones


def canonical(name: str) -> str:
    """The name a zone is saved under: a country's own zone or IANA's current name for
    it, never an old alias ("Asia/Calcutta", "Singapore", "US/Eastern")."""
    if any(name in zones for zones in _by_country().values()):
        return name
    return _links().get(name, name)


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """'vietnam' -> Asia/Ho_Chi_Minh for every country that has one zone."""
    names: dict[str, str] = {}
    for line in _tzdata("iso3166.tab"):
        code, _, country = line.partition("\t")
        zones = _by_country().get(code, ())
        if len(zones) == 1 and not line.startswith("#"):
            names[_normal(re.sub(r"\(.*?\)", "", country))] = canonical(zones[0])
    return names


@lru_cache(maxsize=1)
def _candidates() -> dict[str, str]:
    """Every word a member may type (normalised) -> the zone it picks, for suggestions."""
    words = {_normal(n): canonical(n) for n in _zone_names() if _named(n)}
    words.update(_cities())
    words.update({word: region.key for word, region in ALIASES.items()})
    return words


def _normal(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = " ".join(plain.strip().lower().replace("_", " ").split())
    for suffix in _SUFFIXES:
        if words.endswith(suffix) and len(words) > len(suffix):
            words = words.removesuffix(suffix)
    return words


@lru_cache(maxsize=512)
def zone(name: str) -> tzinfo:
    """The zone a saved name stands for (an IANA name or "UTC+05:30").

    Names saved before the reader existed are read the way the reader would now take them:
    a club saved as "EST" runs on New York time, daylight saving included.
    """
    fixed = _FIXED_KEY.match(name)
    if fixed:
        return _fixed_zone(fixed[1], int(fixed[2]), int(fixed[3]))
    if name in SAVED_BEFORE:
        return ZoneInfo(SAVED_BEFORE[name])
    if name in _zone_names():
        return ZoneInfo(name)
    return zone(read_zone(name).key)


def zone_name(name: str) -> str:
    """The zone a saved name runs on, as a member should read it ("EST" -> America/New_York)."""
    return SAVED_BEFORE.get(name, name)


def _fixed_zone(sign: str, hours: int, minutes: int) -> tzinfo:
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
    return timezone(offset, _fixed_key(offset))


def _fixed_key(offset: timedelta) -> str:
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def read_zone(text: str) -> ZoneChoice:
    """The zone a member means by `text`, or a UserError that asks or suggests."""
    typed = text.strip()[:64]
    core = _OUTLOOK.sub("", typed)
    if core.lower() in WINDOWS:
        return _chosen(typed, Region(key=WINDOWS[core.lower()], label=""))
    word = _normal(core)
    if word in AMBIGUOUS:
        _ask(typed, AMBIGUOUS[word])
    if word in ALIASES:
        return _chosen(typed, ALIASES[word])
    offset = _OFFSET.match(word.replace(" ", ""))
    if offset:
        return _offset_choice(typed, offset[1], int(offset[2]), int(offset[3] or 0))
    if word in _countries():  # before IANA's old country names ("Iceland" is Abidjan's)
        return _chosen(typed, Region(key=_countries()[word], label=""))
    name = _by_lower().get(core.lower()) or _by_lower().get(word.replace(" ", "_"))
    etc = _ETC.match(name or "")
    if etc:
        # Etc/GMT-5 is UTC+5: read it as the offset it really is, and say so.
        return _offset_choice(typed, "+" if etc[1] == "-" else "-", int(etc[2]), 0)
    if name is not None and _FIXED_KEY.match(name) is None:
        return _chosen(typed, Region(key=canonical(SAVED_BEFORE.get(name, name)), label=""))
    found = _cities().get(word) or _named_together(word)
    if found:
        return _chosen(typed, Region(key=found, label=""))
    raise UserError(f"`{typed}` is not a time zone I know.{_suggestion(word)}")


def _named_together(word: str) -> str | None:
    """The one zone several names agree on: "EST/EDT", "CST/CDT" (Chicago, not Shanghai),
    or a list of cities ("Amsterdam, Berlin, Rome" from an Outlook label)."""
    parts = [p.strip() for p in re.split(r"[/,]", word) if p.strip()]
    if len(parts) < 2:
        return None
    if "," in word:
        return next((_cities()[p] for p in parts if p in _cities()), None)
    keys: set[str] | None = None
    for part in parts:
        meant = {r.key for r in AMBIGUOUS.get(part, ())} | (
            {ALIASES[part].key} if part in ALIASES else set()
        )
        keys = meant if keys is None else keys & meant
    return keys.pop() if keys and len(keys) == 1 else None


def _chosen(typed: str, region: Region) -> ZoneChoice:
    about = f" ({region.label})" if region.label else ""
    head = f"{region.key}{about}"
    if typed != region.key:
        head = f"`{typed}` → {region.key}{about}"
    return ZoneChoice(key=region.key, note=f"{head}. {seasons(region.key)}")


def seasons(key: str) -> str:
    """Whether the zone follows daylight saving, with its two offsets."""
    tz = zone(key)
    year = datetime.now(UTC).year
    winter, summer = (datetime(year, month, 15, 12, tzinfo=tz) for month in (1, 7))
    if winter.utcoffset() == summer.utcoffset():
        return f"No daylight saving: {_offset_text(winter)} all year."
    return (
        f"It follows daylight saving: {_offset_text(winter)} in January, "
        f"{_offset_text(summer)} in July."
    )


def _offset_text(moment: datetime) -> str:
    name, key = moment.tzname() or "", _fixed_key(moment.utcoffset() or timedelta(0))
    return key if name in ("", key) or name[0] in "+-" else f"{name} ({key})"


def _ask(typed: str, regions: tuple[Region, ...]) -> None:
    options = " or ".join(f"{r.key} ({r.label})" for r in regions)
    raise UserError(
        f"`{typed}` is used for more than one zone: {options}. Which one? "
        f"Type its name, e.g. `{regions[0].key}`."
    )


def _offset_choice(typed: str, sign: str, hours: int, minutes: int) -> ZoneChoice:
    sign = "-" if sign in "-\u2212" else "+"  # U+2212 is the typographic minus
    if hours > 14 or minutes not in (0, 30, 45) or (sign == "-" and hours > 12):
        raise UserError(f"`{typed}` is not an offset from UTC; they run from UTC-12 to UTC+14.")
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
    key = _fixed_key(offset)
    if offset == timedelta(0):
        return ZoneChoice(key="UTC", note=f"`{typed}` → UTC. {seasons('UTC')}")
    like = [name for name in POPULAR if _has_offset(name, offset)][:3]
    city = (
        f" If your city changes its clocks, use its zone instead, e.g. {', '.join(like)}."
        if like
        else ""
    )
    return ZoneChoice(
        key=key,
        note=(
            f"`{typed}` → {key}, a fixed offset: it does not follow daylight saving, "
            f"so posts stay at this offset all year.{city}"
        ),
    )


def _has_offset(name: str, offset: timedelta) -> bool:
    year = datetime.now(UTC).year
    tz = ZoneInfo(name)
    return any(datetime(year, m, 15, 12, tzinfo=tz).utcoffset() == offset for m in (1, 7))


def _suggestion(word: str) -> str:
    close = difflib.get_close_matches(word, _candidates(), n=8, cutoff=0.6)
    picks = list(dict.fromkeys(_candidates()[c] for c in close))[:3]
    return f" Did you mean {', '.join(picks)}?" if picks else f" For example: {ZONE_EXAMPLES}."


def zone_suggestions(typed: str, limit: int = 25) -> list[str]:
    """Zones to offer while a member types (Discord autocomplete), best first."""
    word = _normal(typed)
    if not word:
        return list(POPULAR[:limit])
    if word in AMBIGUOUS:
        return [r.key for r in AMBIGUOUS[word]]
    try:
        found = [read_zone(typed).key]
    except UserError:
        found = []
    if found and _FIXED_KEY.match(found[0]):
        # What people mean by "GMT-5" is a city on that offset; the fixed offset comes last.
        offset = zone(found[0]).utcoffset(None) or timedelta(0)
        return [n for n in POPULAR if _has_offset(n, offset)][: limit - 1] + found
    words = _candidates()
    starts = sorted((w for w in words if w.startswith(word) or f"/{word}" in w), key=_rank)
    inside = sorted((w for w in words if word in w and w not in starts), key=_rank)
    close = difflib.get_close_matches(word, words, n=limit, cutoff=0.6)
    found += [words[w] for w in (*starts, *inside, *close)]
    return list(dict.fromkeys(found))[:limit]


def _rank(word: str) -> tuple[int, str]:
    """Words people use (aliases, popular zones) before the rest of the IANA list."""
    return (0 if word in ALIASES or _candidates()[word] in POPULAR else 1, word)


async def complete_zone(_ctx: object, typed: str) -> list[str]:
    """The `autocomplete` of every `timezone` option."""
    return zone_suggestions(typed)


# --- times of day, days, durations ---------------------------------------------------------


def read_time(text: str) -> time:
    """A time of day as members write it: '9am', '9:30 pm', '21:30', '0930', 'noon'."""
    word = text.strip().lower().replace(" ", "").replace(".", "")
    if word in _WORDS:
        return _WORDS[word]
    match = _CLOCK.match(word)
    if match:
        hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
        if half and 1 <= hour <= 12:
            hour = hour % 12 + (12 if half.startswith("p") else 0)
        elif half:
            hour = 99
        if hour <= 23 and minute <= 59:
            return time(hour, minute)
    raise UserError(f"`{text[:40]}` is not a time of day. Write it like {TIME_EXAMPLES}.")


def parse_hhmm(text: str) -> time:
    """A saved setting, '09:00' or '9:30' (24-hour clock); members' input goes to read_time."""
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


# --- showing instants ----------------------------------------------------------------------


def local(instant: datetime, zone_name: str) -> datetime:
    return instant.astimezone(zone(zone_name))


def describe(instant: datetime, zone_name: str) -> str:
    """'Mon 23 Nov 2026, 09:00 EST' in the club's zone."""
    return local(instant, zone_name).strftime("%a %d %b %Y, %H:%M %Z")


def moment(instant: datetime, zone_name: str, style: StampStyle = "f") -> str:
    """`instant` for message text: each reader sees it in their own zone where the platform
    can localise it, and `describe`'s club-zone text everywhere else."""
    if style == "t":
        return stamp(instant, local(instant, zone_name).strftime("%H:%M %Z"), style)
    return stamp(instant, describe(instant, zone_name), style)
