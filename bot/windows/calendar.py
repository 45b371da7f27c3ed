"""The internship calendar, pure: windows resolved to dates for any summer, and what is open.

A `Window` is an entry of content/internship_windows.toml with dates relative to
its summer; `Calendar.occurrences(cycle)` resolves them for the summer of
`cycle`, so the calendar works in any year without edits. A club's own
deadlines become `Occurrence`s too, so every query treats both alike.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from bot.content import read_toml
from bot.errors import ContentError, UserError
from bot.windows.confirming import NO_RULE, PostingRule, parse_rule

FILE = "internship_windows.toml"
TRACKS: Final = (
    "big-tech",
    "early-career",
    "research-reu",
    "research-lab",
    "quant",
    "mid-market-saas",
    "startup",
    "fellowship",
    "club",
)
CLASS_YEARS: Final = ("freshman", "sophomore", "junior", "senior", "masters", "phd")
_TRACK_ALIASES: Final = {
    "bigtech": "big-tech",
    "faang": "big-tech",
    "reu": "research-reu",
    "research": "research-lab",
    "lab": "research-lab",
    "saas": "mid-market-saas",
    "mid-market": "mid-market-saas",
    "startups": "startup",
    "early": "early-career",
}
_YEAR_ALIASES: Final = {
    "first-year": "freshman",
    "1st-year": "freshman",
    "second-year": "sophomore",
    "2nd-year": "sophomore",
    "third-year": "junior",
    "3rd-year": "junior",
    "fourth-year": "senior",
    "4th-year": "senior",
    "master's": "masters",
    "ms": "masters",
    "grad": "masters",
}
_YEAR_GROUPS: Final = {
    frozenset({"freshman", "sophomore", "junior", "senior"}): "undergrads",
    frozenset({"freshman", "sophomore"}): "first- and second-years",
    frozenset({"phd"}): "PhD students only",
    frozenset({"masters", "phd"}): "grad students",
}
_MONTH = r"(0[1-9]|1[0-2])"
# A leading "~" marks a date no article gives (an estimate): members see it marked.
_OPENS = re.compile(rf"^~?(?:(?:(early|mid|late)-)?{_MONTH}(?:\.\.{_MONTH})?|year-round)$")
_CLOSES = re.compile(
    rf"^~?(?:(?:(early|mid|late)-)?{_MONTH}(?:\.\.{_MONTH})?|\+(\d+)w(?:\.\.(\d+)w)?)$|^rolling$"
)
_UNTIL = re.compile(rf"^~?{_MONTH}$")
_LATE = re.compile(rf"^{_MONTH}$")
_ESTIMATED = "~"
_ESTIMATE_MARK = " (estimated)"
_PART_OPENS: Final = {None: 1, "early": 1, "mid": 15, "late": 20}
# The recruiting year of a cycle starts in July of the year before its summer.
_CYCLE_STARTS = (7, 1)
Phase = Literal["upcoming", "open", "late", "closed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """An article the calendar's facts come from, named as a member can find it."""

    id: str
    title: str
    date: str
    short: str

    @property
    def cited(self) -> str:
        return f"{self.title}, {self.date}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """One figure (pay, odds) and the article it comes from."""

    text: str
    source: Source


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    id: str
    employer: str
    program: str
    track: str
    opens: str
    closes: str
    sources: tuple[Source, ...]
    until: str = ""
    late: str = ""
    late_note: str = ""
    opens_year: int = -1
    class_years: tuple[str, ...] = CLASS_YEARS
    citizenship: str = ""
    pay: tuple[Fact, ...] = ()
    odds: tuple[Fact, ...] = ()
    url: str = ""
    notes: str = ""
    # What no article says and the calendar assumes; members see it ("estimated: ...").
    estimate: str = ""
    # Which live postings confirm it open (bot/windows/confirming.py).
    postings: PostingRule = NO_RULE

    @property
    def title(self) -> str:
        if self.program.lower().startswith(self.employer.lower()):
            return self.program
        return f"{self.employer} {self.program}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Occurrence:
    """A window (or a club deadline) resolved to dates for one cycle."""

    key: str  # stable: "google-step:2027", or "club-12" for a club deadline
    title: str
    track: str
    opens_on: date
    closes_on: date | None  # None: rolling, no fixed close
    open_until: date  # the last day it counts as open
    opens_text: str
    closes_text: str
    late_from: date | None = None  # from this day: open, but late
    class_years: tuple[str, ...] = CLASS_YEARS
    url: str = ""
    window: Window | None = field(default=None, compare=False)
    # False for what never "opens" (year-round programs, a club deadline given only its
    # date): it is never announced as opening.
    announces_opening: bool = True
    # A club deadline given as one date: an event on that day, not a window.
    single_day: bool = False
    # A club date given as a range (a two-day career fair): an event, told by when it
    # starts and ends, never as a window that closes.
    event: bool = False
    # Dates no article gives, which members see marked "(estimated)".
    opens_estimated: bool = False
    closes_estimated: bool = False

    def phase(self, today: date) -> Phase:
        if today < self.opens_on:
            return "upcoming"
        if today > self.open_until:
            return "closed"
        return "late" if self.late_from is not None and today >= self.late_from else "open"

    def is_open(self, today: date) -> bool:
        return self.phase(today) in ("open", "late")

    def eligible(self, class_year: str | None) -> bool:
        return class_year is None or class_year in self.class_years

    @property
    def window_id(self) -> str:
        return self.key.split(":")[0]

    @property
    def cycle(self) -> int | None:
        """The summer a calendar window is for; None for a club's own date."""
        _, _, cycle = self.key.partition(":")
        return int(cycle) if cycle else None

    @property
    def estimated(self) -> bool:
        return self.opens_estimated or self.closes_estimated

    @property
    def close_range(self) -> bool:
        """It closes some day between `closes_on` and `open_until` (a 2-4 week window)."""
        return self.closes_on is not None and self.closes_on < self.open_until

    @property
    def remind_on(self) -> date | None:
        """The day reminders count down to: an event's start, else the (first) close."""
        return self.opens_on if self.event else self.closes_on


@dataclass(frozen=True, slots=True)
class Calendar:
    windows: tuple[Window, ...]
    sources: tuple[Source, ...] = ()

    def occurrences(self, cycle: int) -> list[Occurrence]:
        """Every window resolved for the summer of `cycle`, in date order."""
        return sort([resolve(w, cycle) for w in self.windows])

    def around(self, today: date) -> list[Occurrence]:
        """The cycles that matter on `today`: this recruiting year's and the next summer's."""
        return sort([o for cycle in cycles_visible(today) for o in _resolved(self, cycle)])

    def by_id(self, window_id: str) -> Window | None:
        return next((w for w in self.windows if w.id == window_id), None)


# Each calendar's occurrences per cycle, resolved once: every feed, post and command of
# every club asks for the same two cycles (occurrences are frozen, so sharing is safe).
_RESOLVED: dict[tuple[int, int], tuple[Calendar, tuple[Occurrence, ...]]] = {}


def _resolved(calendar_: Calendar, cycle: int) -> tuple[Occurrence, ...]:
    kept = _RESOLVED.get((id(calendar_), cycle))
    if kept is None or kept[0] is not calendar_:
        if len(_RESOLVED) > 16:
            _RESOLVED.clear()
        kept = _RESOLVED[(id(calendar_), cycle)] = (calendar_, tuple(calendar_.occurrences(cycle)))
    return kept[1]


def cycles_visible(today: date) -> tuple[int, int]:
    """The summer being recruited for now, and the one after (e.g. Nov 2026 -> 2027, 2028)."""
    current = today.year + 1 if (today.month, today.day) >= _CYCLE_STARTS else today.year
    return current, current + 1


def sort(occurrences: Iterable[Occurrence]) -> list[Occurrence]:
    return sorted(occurrences, key=lambda o: (o.opens_on, o.closes_on or o.open_until, o.title))


# --- resolving dates ----------------------------------------------------------


def resolve(window: Window, cycle: int) -> Occurrence:
    opens, opens_estimated = _estimate(window.opens)
    closes, closes_estimated = _estimate(window.closes)
    until, until_estimated = _estimate(window.until)
    opens_on, opens_text = _opening(opens, cycle + window.opens_year, cycle)
    closes_on, open_until, closes_text = _closing(closes, opens_on)
    if closes_on is None and until:
        _, open_until, until_text = _closing(until, opens_on)
        closes_text, closes_estimated = f"rolling, until about {until_text}", until_estimated
    elif closes_on is None:  # year-round: the whole recruiting year, up to the next one's first day
        open_until = date(cycle, *_CYCLE_STARTS) - timedelta(days=1)
        closes_text = "rolling, year-round"
    return Occurrence(
        key=f"{window.id}:{cycle}",
        title=window.title,
        track=window.track,
        opens_on=opens_on,
        closes_on=closes_on,
        open_until=open_until,
        opens_text=_marked(opens_text, estimated=opens_estimated),
        closes_text=_marked(closes_text, estimated=closes_estimated),
        late_from=_late_from(window, closes_on, open_until, opens_on),
        class_years=window.class_years,
        url=window.url,
        window=window,
        announces_opening=opens != "year-round",
        opens_estimated=opens_estimated,
        closes_estimated=closes_estimated,
    )


def _marked(text: str, *, estimated: bool) -> str:
    """'March 2027 (estimated)'; '... (2-4 weeks after opening, estimated)'."""
    if not estimated:
        return text
    return f"{text[:-1]}, estimated)" if text.endswith(")") else text + _ESTIMATE_MARK


def _estimate(spec: str) -> tuple[str, bool]:
    """The date spec without its estimate mark, and whether it had one."""
    return spec.removeprefix(_ESTIMATED), spec.startswith(_ESTIMATED)


def _late_from(
    window: Window, closes_on: date | None, open_until: date, opens_on: date
) -> date | None:
    """From when it is open but late: the month `late` names, or the day after the first
    possible close of a window that closes some day in a range."""
    if window.late:
        return _month_start(window.late, opens_on)
    if closes_on is not None and closes_on < open_until:
        return closes_on + timedelta(days=1)
    return None


def _opening(spec: str, year: int, cycle: int) -> tuple[date, str]:
    if spec == "year-round":
        return date(cycle - 1, *_CYCLE_STARTS), "year-round"
    part, first, last = _parts(spec)
    on = date(year, first, _PART_OPENS[part])
    return on, _describe(part, first, last, year)


def _month_start(spec: str, after: date) -> date:
    """The 1st of month `spec` on or after `after`'s month."""
    month = int(spec)
    return date(after.year + (1 if month < after.month else 0), month, 1)


def _closing(spec: str, opens_on: date) -> tuple[date | None, date, str]:
    """The first day it may close (None: rolling), the last day it is open, in words."""
    if spec == "rolling":
        return None, opens_on, "rolling"
    if spec.startswith("+"):
        return _weeks_after(spec, opens_on)
    part, first, last = _parts(spec)
    year = opens_on.year + (1 if first < opens_on.month else 0)
    end_year = year + (1 if last < first else 0)
    if part == "early":
        on = date(year, first, 10)
    elif part == "mid":
        on = date(year, first, 20)
    else:
        on = date(end_year, last, calendar.monthrange(end_year, last)[1])
    return on, on, _describe(part, first, last, year)


def _weeks_after(spec: str, opens_on: date) -> tuple[date, date, str]:
    """'+2w' or '+2w..4w': the first and the last day it may close, in words."""
    few, _, many = spec[1:].removesuffix("w").partition("w..")
    soonest = opens_on + timedelta(weeks=int(few))
    latest = opens_on + timedelta(weeks=int(many or few))
    if soonest == latest:
        return soonest, latest, f"about {soonest:%d %b %Y} ({few} weeks after opening)"
    return soonest, latest, f"{soonest:%d %b}-{latest:%d %b %Y} ({few}-{many} weeks after opening)"


def _parts(spec: str) -> tuple[str | None, int, int]:
    part, _, months = spec.rpartition("-") if spec[0].isalpha() else (None, "", spec)
    first, _, last = months.partition("..")
    return part or None, int(first), int(last or first)


def _describe(part: str | None, first: int, last: int, year: int) -> str:
    name = calendar.month_name
    if first != last:
        return f"{name[first][:3]}-{name[last][:3]} {year if last >= first else year + 1}"
    return f"{part + ' ' if part else ''}{name[first]} {year}"


# --- loading and validating ---------------------------------------------------


def parse_calendar(data: Mapping[str, Any], source: str = FILE) -> Calendar:
    sources = _sources(source, data.get("source", []))
    tracks = _track_facts(source, data.get("track", []))
    windows, seen = [], set()
    for entry in data.get("window", []):
        facts = tracks.get(entry.get("track", ""), {})
        defaults = {k: facts[k] for k in ("pay", "odds") if k in facts and k not in entry}
        window = _window(source, {**defaults, **entry}, sources)
        if window.id in seen:
            raise ContentError(f"content/{source}: {window.id} appears twice")
        seen.add(window.id)
        windows.append(window)
    return Calendar(tuple(windows), tuple(sources.values()))


def _track_facts(file: str, entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Pay and odds given to every window of a track that has none of its own."""
    for entry in entries:
        if entry.get("id") not in TRACKS or not set(entry) <= {"id", "pay", "odds"}:
            raise ContentError(f"content/{file}: a [[track]] is an id of {TRACKS} with pay, odds")
    return {entry["id"]: entry for entry in entries}


def _sources(file: str, entries: Sequence[Mapping[str, Any]]) -> dict[str, Source]:
    found: dict[str, Source] = {}
    for entry in entries:
        keys = ("id", "title", "date", "short")
        if set(entry) != set(keys) or not all(entry[k] for k in keys):
            raise ContentError(f"content/{file}: a [[source]] needs exactly {', '.join(keys)}")
        found[entry["id"]] = Source(**entry)
    return found


_FIELDS: Final = set(Window.__dataclass_fields__)
_REQUIRED: Final = ("id", "employer", "program", "track", "opens", "closes", "sources")


def _window(file: str, entry: Mapping[str, Any], sources: Mapping[str, Source]) -> Window:
    where = f"content/{file}: {entry.get('id', '(an entry without id)')}"
    missing = [k for k in _REQUIRED if not entry.get(k)]
    unknown = set(entry) - _FIELDS
    if missing or unknown:
        problem = f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(unknown)}"
        raise ContentError(f"{where}: {problem}")
    _check_dates(where, entry)
    years = tuple(entry.get("class_years", CLASS_YEARS))
    if not years or set(years) - set(CLASS_YEARS):
        raise ContentError(f"{where}: class_years must come from {', '.join(CLASS_YEARS)}")
    url = entry.get("url", "")
    if url and (urlsplit(url).scheme != "https" or not urlsplit(url).netloc):
        raise ContentError(f"{where}: url must be an https address")
    window = Window(
        **{
            **entry,
            "class_years": years,
            "sources": tuple(_source(where, s, sources) for s in entry["sources"]),
            "pay": _facts(where, entry.get("pay", ()), sources),
            "odds": _facts(where, entry.get("odds", ()), sources),
            "postings": parse_rule(where, entry.get("postings")),
        }
    )
    _check_order(where, window)
    return window


def _check_dates(where: str, entry: Mapping[str, Any]) -> None:
    if entry["track"] not in TRACKS:
        raise ContentError(f"{where}: unknown track {entry['track']!r} ({', '.join(TRACKS)})")
    if not _OPENS.match(entry["opens"]):
        raise ContentError(f"{where}: opens {entry['opens']!r} is not a date this file knows")
    if not _CLOSES.match(entry["closes"]):
        raise ContentError(f"{where}: closes {entry['closes']!r} is not a date this file knows")
    for key, pattern in (("until", _UNTIL), ("late", _LATE)):
        if key in entry and not pattern.match(entry[key]):
            raise ContentError(f"{where}: {key} {entry[key]!r} is not a month like 03")
    rolling = entry["closes"] == "rolling"
    if rolling and _estimate(entry["opens"])[0] != "year-round" and "until" not in entry:
        raise ContentError(f"{where}: a rolling window needs `until` (when it stops counting)")
    if "until" in entry and not rolling:
        raise ContentError(f"{where}: `until` is for rolling windows only")
    if "late" in entry and not entry.get("late_note"):
        raise ContentError(f"{where}: `late` needs a late_note saying why")
    if ".." in entry["closes"] and "+" in entry["closes"] and not entry.get("late_note"):
        raise ContentError(f"{where}: a close in a range of weeks needs a late_note for its end")
    marked = [k for k in ("opens", "closes", "until") if _estimate(entry.get(k, ""))[1]]
    if marked and not entry.get("estimate"):
        raise ContentError(f"{where}: {', '.join(marked)} marked ~ needs `estimate` saying why")
    if entry.get("estimate") and not marked:
        raise ContentError(f"{where}: `estimate` given but no date is marked ~ (an estimate)")


def _source(where: str, source_id: str, sources: Mapping[str, Source]) -> Source:
    if source_id not in sources:
        raise ContentError(f"{where}: unknown source {source_id!r} ({', '.join(sources)})")
    return sources[source_id]


def _facts(
    where: str, entries: Sequence[Mapping[str, str]], sources: Mapping[str, Source]
) -> tuple[Fact, ...]:
    if any(set(e) != {"text", "source"} for e in entries):
        raise ContentError(f"{where}: pay and odds are lists of {{text, source}}")
    return tuple(Fact(text=e["text"], source=_source(where, e["source"], sources)) for e in entries)


def _check_order(where: str, window: Window) -> None:
    """Resolve for two sample cycles (one a leap year): a close before the opening is wrong."""
    for cycle in (2027, 2028):
        occurrence = resolve(window, cycle)
        if occurrence.open_until < occurrence.opens_on:
            raise ContentError(f"{where}: closes before it opens")
        late = occurrence.late_from
        if late is not None and not occurrence.opens_on < late <= occurrence.open_until:
            raise ContentError(f"{where}: late must fall between its opening and its close")
        if occurrence.open_until >= date(cycle, 9, 1):
            raise ContentError(f"{where}: still open after its summer")


@cache
def load_calendar() -> Calendar:
    return parse_calendar(read_toml(FILE))


# --- queries ------------------------------------------------------------------


def select(
    occurrences: Iterable[Occurrence], *, track: str | None = None, class_year: str | None = None
) -> list[Occurrence]:
    return [
        o for o in occurrences if (track is None or o.track == track) and o.eligible(class_year)
    ]


def open_now(occurrences: Iterable[Occurrence], today: date) -> list[Occurrence]:
    return [o for o in occurrences if o.is_open(today)]


def opening_within(occurrences: Iterable[Occurrence], today: date, days: int) -> list[Occurrence]:
    return [
        o
        for o in occurrences
        if o.announces_opening and today < o.opens_on <= today + timedelta(days=days)
    ]


def closing_within(occurrences: Iterable[Occurrence], today: date, days: int) -> list[Occurrence]:
    return sorted(
        (
            o
            for o in occurrences
            if o.closes_on is not None
            and not o.event
            and today <= o.closes_on <= today + timedelta(days=days)
        ),
        key=lambda o: (o.closes_on, o.title),
    )


def next_opening(occurrences: Iterable[Occurrence], today: date) -> Occurrence | None:
    later = [o for o in occurrences if o.announces_opening and o.opens_on > today]
    return min(later, key=lambda o: (o.opens_on, o.title)) if later else None


def parse_track(text: str) -> str:
    word = text.strip().lower().replace(" ", "-").replace("_", "-")
    track = _TRACK_ALIASES.get(word, word)
    if track not in TRACKS:
        raise UserError(f"`{text[:40]}` is not a track. Tracks: {', '.join(TRACKS)}.")
    return track


def parse_class_year(text: str) -> str:
    word = text.strip().lower().replace(" ", "-")
    year = _YEAR_ALIASES.get(word, word)
    if year not in CLASS_YEARS:
        raise UserError(f"`{text[:40]}` is not a class year. Use one of: {', '.join(CLASS_YEARS)}.")
    return year


def club_occurrence(
    *,
    deadline_id: int,
    title: str,
    track: str | None,
    opens_on: date | None,
    closes_on: date,
    url: str | None,
) -> Occurrence:
    """A club's own deadline (career fair, mock-interview night) as an occurrence.

    Given only its date, it is a date: listed as upcoming until then, never announced as
    "opening". Given as a range, it is an event: it starts and ends, it never "closes".
    """
    return Occurrence(
        key=f"club-{deadline_id}",
        title=title,
        track=track or "club",
        opens_on=opens_on or closes_on,
        closes_on=closes_on,
        open_until=closes_on,
        opens_text=f"{opens_on or closes_on:%d %b %Y}",
        closes_text=f"{closes_on:%d %b %Y}",
        url=url or "",
        announces_opening=False,
        single_day=opens_on is None,
        event=opens_on is not None,
    )


def describe_eligibility(occurrence: Occurrence) -> str:
    """'first- and second-years', 'PhD only', '' when open to everyone."""
    years = occurrence.class_years
    window = occurrence.window
    parts = []
    if set(years) != set(CLASS_YEARS):
        parts.append(_YEAR_GROUPS.get(frozenset(years), ", ".join(years)))
    if window is not None and window.citizenship:
        parts.append(window.citizenship)
    return "; ".join(parts)


def windows_for(
    calendar_: Calendar, club_deadlines: Sequence[Occurrence], today: date
) -> list[Occurrence]:
    """Every occurrence that matters around `today`: the calendar's and the club's."""
    return sort([*calendar_.around(today), *club_deadlines])
