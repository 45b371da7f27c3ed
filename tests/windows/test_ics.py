"""The .ics writer writes, byte for byte, what icalendar wrote for the same events (the
oracle, tests/windows/icalendar_reference.py, is the code as it was): for any title, note,
link, name and date, any reminders, applied or not; and icalendar reads it back to the
values that went in."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from bot.windows.calendar import CLASS_YEARS, Occurrence, load_calendar
from bot.windows.ics import build_ics, calendar_head, occurrence_events, timed_event
from tests.windows import icalendar_reference as reference

# What TEXT escapes and folding trip over, mixed with any character at all; a backslash,
# a caret and multi-byte characters land on the fold (the 74th octet) often enough.
AWKWARD = [",", ";", "\\", "\n", "\r", "\r\n", "\\N", "\\n", "^", ":", '"', " ", "é", "ñ",
           "—", "✓", "🎉", "👩‍💻", "中", "\t"]  # fmt: skip
CHARACTERS = st.characters(exclude_categories=("Cs",))  # surrogates aren't text
TEXT = st.lists(st.sampled_from(AWKWARD) | CHARACTERS | st.just("x" * 70), max_size=40).map("".join)
ONE_LINE = TEXT.map(lambda t: t.replace("\r", "").replace("\n", ""))
URLS = st.just("") | st.builds("https://example.org/{}".format, ONE_LINE)
WINDOWS = load_calendar().windows
STAMPS = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from(
        [
            UTC,
            ZoneInfo("America/New_York"),
            ZoneInfo("Asia/Kolkata"),
            timezone(-timedelta(hours=12)),
        ]
    ),
)
LEADS = st.lists(st.integers(-3, 400), max_size=4).map(tuple)


@st.composite
def occurrences(
    draw: st.DrawFn, text: st.SearchStrategy[str] = TEXT, urls: st.SearchStrategy[str] = URLS
) -> Occurrence:
    window = draw(st.none() | st.sampled_from(WINDOWS))
    if window is not None:
        window = replace(
            window, notes=draw(text), estimate=draw(text), late_note=draw(text), url=draw(urls)
        )
    opens_on = draw(st.dates())
    return Occurrence(
        key=draw(st.sampled_from(["google-step:2027", "club-12"]) | text),
        title=draw(text),
        track=draw(st.sampled_from(["big-tech", "quant", "club"])),
        opens_on=opens_on,
        closes_on=draw(st.none() | st.just(opens_on) | st.dates()),
        open_until=draw(st.dates()),
        opens_text=draw(text),
        closes_text=draw(text),
        late_from=draw(st.none() | st.dates()),
        class_years=tuple(draw(st.lists(st.sampled_from(CLASS_YEARS), unique=True, min_size=1))),
        url=draw(urls),
        window=window,
        single_day=draw(st.booleans()),
        opens_estimated=draw(st.booleans()),
        closes_estimated=draw(st.booleans()),
    )


def _occurrence(
    title: str, *, url: str = "", closes_on: date | None = date(2026, 12, 4)
) -> Occurrence:
    return Occurrence(
        key="club-7",
        title=title,
        track="club",
        opens_on=date(2026, 11, 20),
        closes_on=closes_on,
        open_until=date(2026, 12, 4),
        opens_text="20 Nov 2026",
        closes_text="04 Dec 2026",
        url=url,
    )


@settings(max_examples=300, deadline=None)
@given(
    occurrence=occurrences(),
    leads=LEADS,
    stamp=STAMPS,
    applied=st.booleans(),
)
# The fold's edges: a line of 74 and 75 octets, a character of 2, 3 and 4 octets
# across the 74th, an escaped comma and a caret where the line folds.
@example(
    occurrence=_occurrence("x" * 65),
    leads=(),
    stamp=datetime(2026, 11, 16, tzinfo=UTC),
    applied=False,
)
@example(
    occurrence=_occurrence("x" * 66),
    leads=(),
    stamp=datetime(2026, 11, 16, tzinfo=UTC),
    applied=False,
)
@example(
    occurrence=_occurrence("x" * 64 + "é"),
    leads=(1,),
    stamp=datetime(2026, 11, 16, tzinfo=UTC),
    applied=False,
)
@example(
    occurrence=_occurrence("x" * 64 + "中" * 9),
    leads=(0,),
    stamp=datetime(2026, 11, 16, tzinfo=UTC),
    applied=True,
)
@example(
    occurrence=_occurrence("x" * 63 + "🎉" * 9),
    leads=(60,),
    stamp=datetime(2026, 11, 16, tzinfo=UTC),
    applied=False,
)
@example(
    occurrence=_occurrence("x" * 64 + ",y"),
    leads=(),
    stamp=datetime(2026, 11, 16, tzinfo=UTC),
    applied=False,
)
@example(
    occurrence=_occurrence("x" * 65 + "^y"),
    leads=(),
    stamp=datetime(2026, 11, 16, tzinfo=UTC),
    applied=False,
)
@example(
    occurrence=_occurrence("t", url="https://e.org/?a=1,2;b=\\" + "x" * 60),
    leads=(),
    stamp=datetime(2026, 11, 16, tzinfo=UTC),
    applied=False,
)
@example(
    occurrence=_occurrence("C:\\New\r\nline\rend", closes_on=date.max),
    leads=(14, 3, 1),
    stamp=datetime(1, 1, 2),
    applied=False,
)
@example(
    occurrence=replace(_occurrence("first"), opens_on=date.min, single_day=True),
    leads=(-2,),
    stamp=datetime(9999, 12, 30),
    applied=False,
)
def test_an_occurrences_events_are_the_bytes_icalendar_wrote(
    occurrence: Occurrence, leads: tuple[int, ...], stamp: datetime, applied: bool
) -> None:
    ours = occurrence_events(occurrence, reminder_days=leads, stamp=stamp, applied=applied)
    theirs = reference.occurrence_ical(
        occurrence, reminder_days=leads, stamp=stamp, applied=applied
    )
    assert ours == theirs


@settings(max_examples=200, deadline=None)
@given(names=st.lists(TEXT.filter(lambda t: "\n" not in t), min_size=1, max_size=3))
@example(names=["Café Coders, Zürich; \\ 🎉", "x" * 62 + "中中", "\r", ""])
def test_a_calendars_head_and_end_are_the_bytes_icalendar_wrote(names: list[str]) -> None:
    """The calendar's name is written as icalendar writes a property it has no type for:
    verbatim, its commas and semicolons unescaped."""
    for name in names:
        stamp = datetime(2026, 11, 16, tzinfo=UTC)
        assert build_ics((), calendar_name=name, stamp=stamp) == reference.build_ics(
            (), calendar_name=name, stamp=stamp
        )
        assert calendar_head(name) == reference.feed_head(name)


@settings(max_examples=30, deadline=None)
@given(
    found=st.lists(occurrences(), max_size=5),
    name=ONE_LINE,
    leads=LEADS,
    stamp=STAMPS,
)
def test_a_whole_feed_is_the_bytes_icalendar_wrote(
    found: list[Occurrence], name: str, leads: tuple[int, ...], stamp: datetime
) -> None:
    ours = build_ics(found, calendar_name=name, reminder_days=leads, stamp=stamp)
    assert ours == reference.build_ics(found, calendar_name=name, reminder_days=leads, stamp=stamp)


@settings(max_examples=200, deadline=None)
@given(uid=TEXT, summary=TEXT, description=TEXT, starts=STAMPS, stamp=STAMPS)
@example(
    uid="pairing-1@clubbot",
    summary="Mock interview (clubbot pairing)",
    description="With Zoë O'Brien, Jr.; 🎉 and José Ñúñez \\ the second. " + "é" * 40,
    starts=datetime(2026, 11, 18, 23, tzinfo=UTC),
    stamp=datetime(2026, 11, 16, 15, 0, 59, 999999, tzinfo=ZoneInfo("Asia/Kolkata")),
)
def test_a_timed_event_is_the_bytes_icalendar_wrote(
    uid: str, summary: str, description: str, starts: datetime, stamp: datetime
) -> None:
    """A mock-interview session: its times in UTC."""
    fields = {"uid": uid, "summary": summary, "description": description, "stamp": stamp}
    ends = starts + timedelta(hours=1)
    ours = timed_event(starts=starts, ends=ends, **fields)
    assert ours == bytes(reference.timed_event(starts=starts, ends=ends, **fields).to_ical())


# What icalendar reads back as it went in: text without a carriage return (written as a
# line break) nor a backslash before an N or n (icalendar reads either as a line break),
# links without a backslash (icalendar unescapes a link it reads, not one it writes).
READABLE = TEXT.map(lambda t: re.sub(r"\\+(?=[nN])", "", t.replace("\r", "")))
READABLE_URLS = URLS.map(lambda url: url.replace("\\", ""))


@settings(max_examples=100, deadline=None)
@given(occurrence=occurrences(READABLE, READABLE_URLS), leads=LEADS, stamp=STAMPS, name=READABLE)
def test_icalendar_reads_back_what_went_in(
    occurrence: Occurrence, leads: tuple[int, ...], stamp: datetime, name: str
) -> None:
    name = name.replace("\n", "")
    body = build_ics([occurrence], calendar_name=name, reminder_days=leads, stamp=stamp)
    lines = body.split(b"\r\n")
    assert lines[-1] == b""
    assert all(b"\n" not in line and len(line) <= 75 for line in lines)
    read = Calendar.from_ical(body)
    assert str(read["X-WR-CALNAME"]) == name
    meant = reference.occurrence_events(occurrence, reminder_days=leads, stamp=stamp)
    events = read.walk("VEVENT")
    assert len(events) == len(meant)
    for event, expected in zip(events, meant, strict=True):
        for prop in ("UID", "SUMMARY", "DESCRIPTION", "TRANSP", "URL"):
            assert str(event.get(prop)) == str(expected.get(prop)), prop
        for prop in ("DTSTART", "DTEND", "DTSTAMP"):
            assert event.decoded(prop, None) == _to_the_second(expected.decoded(prop, None)), prop
        alarms = [(str(a["DESCRIPTION"]), a.decoded("TRIGGER")) for a in event.walk("VALARM")]
        assert alarms == [
            (str(a["DESCRIPTION"]), a.decoded("TRIGGER")) for a in expected.walk("VALARM")
        ]


def _to_the_second(value: object) -> object:
    """A time as written: to the second (icalendar wrote no fractions either)."""
    return value.replace(microsecond=0) if isinstance(value, datetime) else value


def test_a_link_or_a_name_that_would_break_the_line_is_refused() -> None:
    """icalendar refused them too; the links and names the bot takes never hold one."""
    stamp = datetime(2026, 11, 16, tzinfo=UTC)
    with pytest.raises(ValueError, match="URI"):
        occurrence_events(_occurrence("t", url="https://e.org/\n"), reminder_days=(), stamp=stamp)
    with pytest.raises(ValueError, match="line break"):
        calendar_head("Two\nlines")
