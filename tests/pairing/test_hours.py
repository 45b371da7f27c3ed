"""Availability as members write it, and the half-hour slots ahead of a round it covers."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from bot.pairing.hours import (
    SLOT,
    WEEK_SLOTS,
    Block,
    describe_availability,
    describe_time,
    first_slot,
    parse_availability,
    read_availability,
    round_start,
    slot_time,
    week_slots,
)

# Monday 16 November 2026, 10:00 in New York: a round goes out.
ROUND = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
ZONES = (
    "America/New_York",
    "Europe/Berlin",
    "Europe/London",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Asia/Kathmandu",  # UTC+5:45: no local half hour is a UTC half hour
    "America/St_Johns",  # UTC-3:30 with DST
    "UTC",
)


def _slots(text: str, zone: str, at: datetime = ROUND) -> list[datetime]:
    start = round_start(at)
    bits = week_slots(parse_availability(text), zone, start)
    return [slot_time(start, i) for i in range(WEEK_SLOTS) if bits >> i & 1]


def _wall(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%a %H:%M")


@pytest.mark.parametrize(
    ("text", "understood"),
    [
        ("weekdays 6pm-9pm", "Weekdays 18:00-21:00"),
        ("Mon/Wed 7-9pm", "Mon and Wed 19:00-21:00"),
        ("mon,wed 19-21", "Mon and Wed 19:00-21:00"),
        ("sat 10:30-12", "Sat 10:30-12:00"),
        ("tue 7pm-midnight", "Tue 19:00-24:00"),
        ("fri 22-01", "Fri 22:00-01:00"),
        ("mon-fri 18-21, sat 10-14", "Weekdays 18:00-21:00; Sat 10:00-14:00"),
        ("Tuesday and Thursday 11-1pm", "Tue and Thu 11:00-13:00"),
        ("mon-wed 8\u20139am", "Mon-Wed 08:00-09:00"),
    ],
)
def test_availability_is_read_as_people_write_it_and_echoed_back(text, understood):
    described = describe_availability(parse_availability(text), "Europe/London")
    assert described.startswith(f"{understood}, your time (Europe/London)")


def test_a_block_past_midnight_runs_into_the_next_morning():
    assert parse_availability("fri 22-01") == (Block(days=(4,), start=22 * 60, end=25 * 60),)
    walls = [_wall(s, "UTC") for s in _slots("fri 22-01", "UTC")]
    assert walls == ["Fri 22:00", "Fri 22:30", "Fri 23:00", "Fri 23:30", "Sat 00:00", "Sat 00:30"]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("mon 18-18", "starts and ends at the same time"),
        ("mon 21-18", "ends before it starts.*early morning \\(until 06:00\\).*`fri 22-01`"),
        ("mon 18:15-19", "half hours"),
        ("evenings maybe", "is not a day"),
        ("mon 9-5:15", "half hours"),
        ("funday 18-21", "is not a day"),
        ("mon 25-26", "hours run from 0 to 24"),
        ("mon", "at what times"),
        ("", "Write your weekly availability"),
    ],
)
def test_bad_availability_says_how_to_write_it(text, complaint):
    with pytest.raises(UserError, match=complaint):
        parse_availability(text)


def test_slots_start_when_the_round_goes_out_not_at_the_start_of_the_week():
    # Monday 10:00 round, "mon 8-11": the hours before 10:00 are gone this week, so the
    # first slot is 10:00 today, and the next Monday's 8:00-10:00 count instead.
    walls = [
        s.astimezone(ZoneInfo("America/New_York")) for s in _slots("mon 8-11", "America/New_York")
    ]
    assert walls[0].strftime("%a %d %b %H:%M") == "Mon 16 Nov 10:00"
    assert [w.strftime("%d %H:%M") for w in walls[2:]] == [
        "23 08:00",
        "23 08:30",
        "23 09:00",
        "23 09:30",
    ]
    # run-now on Thursday 20:30: the first slot is that evening, not Monday.
    thursday = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert describe_time(
        _slots("daily 9-22", "America/New_York", thursday)[0], "America/New_York"
    ) == ("Thu 19 Nov 20:30 EST")
    assert round_start(datetime(2026, 11, 16, 15, 1, tzinfo=UTC)) == datetime(
        2026, 11, 16, 15, 30, tzinfo=UTC
    )


def test_a_half_hour_zone_gets_slots_inside_its_own_hours():
    first = _slots("wed 4-7", "Asia/Kolkata")[0]
    assert describe_time(first, "Asia/Kolkata") == "Wed 18 Nov 04:00 IST"
    assert len(_slots("wed 4-7", "Asia/Kolkata")) == 6
    # Kathmandu (UTC+5:45): only the UTC half hours wholly inside 04:00-07:00 local.
    nepal = _slots("wed 4-7", "Asia/Kathmandu")
    assert [_wall(s, "Asia/Kathmandu") for s in (nepal[0], nepal[-1])] == ["Wed 04:15", "Wed 06:15"]


def test_the_same_words_follow_each_weeks_dst():
    summer = datetime(2026, 7, 13, 14, 0, tzinfo=UTC)
    assert _slots("mon 18-19", "America/New_York", summer)[0].hour == 22
    assert _slots("mon 18-19", "America/New_York")[0].hour == 23
    # The slots of a week crossing London's change (29 March 2026) keep 18:00 local.
    march = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
    assert [_wall(s, "Europe/London") for s in _slots("daily 18-19", "Europe/London", march)][
        ::2
    ] == [f"{d} 18:00" for d in ("Wed", "Thu", "Fri", "Sat", "Sun", "Mon", "Tue")]


# --- properties over random availabilities, zones and round times ---------------------

_blocks = st.builds(
    lambda days, start, length: Block(
        days=tuple(sorted(days)), start=start * 30, end=start * 30 + length * 30
    ),
    st.sets(st.integers(0, 6), min_size=1, max_size=7),
    st.integers(0, 47),
    st.integers(1, 16),
)
_rounds = st.one_of(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    # Weeks with a clock change in New York, Europe or Sydney.
    st.sampled_from(
        [
            datetime(2026, 3, 2),
            datetime(2026, 3, 23),
            datetime(2026, 10, 19),
            datetime(2027, 3, 22),
            datetime(2026, 10, 30),
            datetime(2026, 3, 31),
            datetime(2026, 9, 29),
        ]
    ).flatmap(
        lambda day: st.integers(0, 7 * 48).map(lambda half: (day + half * SLOT).replace(tzinfo=UTC))
    ),
)


def _covers(blocks: tuple[Block, ...], wall: datetime) -> bool:
    """The oracle: is this local wall-clock minute inside a block (of its day or, past
    midnight, of the day before)?"""
    minute = wall.hour * 60 + wall.minute
    return any(
        (wall.weekday() in b.days and b.start <= minute < b.end)
        or ((wall.weekday() - 1) % 7 in b.days and minute + 24 * 60 < b.end)
        for b in blocks
    )


def _inside(blocks: tuple[Block, ...], zone: str, slot: datetime) -> bool:
    tz = ZoneInfo(zone)
    return all(
        _covers(blocks, (slot + timedelta(minutes=m)).astimezone(tz)) for m in range(0, 30, 5)
    )


@settings(max_examples=150, deadline=None)
@given(blocks=st.lists(_blocks, min_size=1, max_size=3), zone=st.sampled_from(ZONES), at=_rounds)
def test_every_slot_is_ahead_and_inside_the_members_own_hours(blocks, zone, at):
    blocks = tuple(blocks)
    start = round_start(at)
    bits = week_slots(blocks, zone, start)
    assert bits < 1 << WEEK_SLOTS
    assert start >= at
    assert start - at < SLOT
    for index in range(WEEK_SLOTS):
        slot = slot_time(start, index)
        if bits >> index & 1:
            assert _inside(blocks, zone, slot), (index, describe_time(slot, zone))
        else:
            # Nothing wholly inside is lost, next to a DST change too.
            assert not _inside(blocks, zone, slot), (index, describe_time(slot, zone))


@settings(max_examples=100, deadline=None)
@given(
    a=st.lists(_blocks, min_size=1, max_size=3),
    b=st.lists(_blocks, min_size=1, max_size=3),
    zones=st.tuples(st.sampled_from(ZONES), st.sampled_from(ZONES)),
    at=_rounds,
)
def test_a_first_common_slot_is_ahead_and_inside_both_members_hours(a, b, zones, at):
    start = round_start(at)
    common = week_slots(tuple(a), zones[0], start) & week_slots(tuple(b), zones[1], start)
    first = first_slot(common)
    if first is None:
        return
    slot = slot_time(start, first)
    assert slot >= at
    assert slot < at + timedelta(days=7, minutes=30)
    assert _inside(tuple(a), zones[0], slot)
    assert _inside(tuple(b), zones[1], slot)


def test_week_of_is_not_needed_for_a_round_but_a_monday_still_reads():
    # The group table counts slots from the round's Monday 00:00 UTC.
    from bot.pairing.hours import describe_hour, parse_week

    week = date(2026, 11, 16)
    ny = parse_week("mon 18-19", "America/New_York", week)
    assert first_slot(ny) == 46
    assert describe_hour(46, week, "America/New_York") == "Mon 16 Nov 18:00 EST"


# --- hours as written ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "understood", "read"),
    [
        ("sun 9-5", "Sun 09:00-17:00", "`9-5` as 09:00-17:00"),
        ("sat 10-2", "Sat 10:00-14:00", "`10-2` as 10:00-14:00"),
        ("mon 8-1", "Mon 08:00-13:00", "`8-1` as 08:00-13:00"),
        ("mon 9am-5", "Mon 09:00-17:00", "`9am-5` as 09:00-17:00"),
        ("7-9pm mon wed", "Mon and Wed 19:00-21:00", ""),
        ("every day 7-8pm", "Every day 19:00-20:00", ""),
        ("weeknights 8-10pm", "Weekdays 20:00-22:00", ""),
        ("weeknights", "Weekdays 18:00-22:00", "`weeknights` as 18:00-22:00"),
        ("mon 6.30pm-8pm", "Mon 18:30-20:00", ""),
        ("mon 18h-20h", "Mon 18:00-20:00", ""),
        ("mon 18h30-20h", "Mon 18:30-20:00", ""),
        ("noon-2pm", "Every day 12:00-14:00", "`noon-2pm` without days as every day"),
        ("evenings", "Every day 18:00-22:00", "`evenings` as 18:00-22:00"),
        ("sat mornings", "Sat 09:00-12:00", "`mornings` as 09:00-12:00"),
        ("weekday evenings 7-9", "Weekdays 19:00-21:00", ""),
        ("mon 7-9pm wed 6-8pm", "Mon 19:00-21:00; Wed 18:00-20:00", ""),
        ("every monday from 6 to 8pm", "Mon 18:00-20:00", ""),
    ],
)
def test_phrases_people_write_are_read_and_the_echo_says_how(text, understood, read):
    reading = read_availability(text)
    described = describe_availability(reading.blocks, "UTC", reading.notes)
    assert described.startswith(f"{understood}, your time (UTC)"), described
    if read:
        assert f"I read {read}" in described or f"; {read}" in described, described
    else:
        assert "I read" not in described, described


@pytest.mark.parametrize("text", ["fri 22-01", "mon 11pm-1am", "sat 10pm-2"])
def test_only_an_evening_start_runs_past_midnight(text):
    (block,) = parse_availability(text)
    assert block.start >= 22 * 60, block
    assert block.end > 24 * 60, block
    assert "past midnight" in describe_availability((block,), "UTC")


def test_a_small_hours_block_meets_in_the_day_not_at_night():
    """The issue's case: "sat 10-2" with "sat 23-24" was paired at 23:00."""
    saturday = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
    day = _slots("sat 10-2", "America/New_York", saturday)
    night = _slots("sat 23-24", "America/New_York", saturday)
    assert not set(day) & set(night)
    assert _wall(day[0], "America/New_York") == "Sat 10:00"
    assert _wall(day[-1], "America/New_York") == "Sat 13:30"


# --- exact across daylight saving --------------------------------------------------------


def test_the_half_hour_before_clocks_go_forward_is_kept():
    """London, 28 March 2027: 01:00 GMT becomes 02:00 BST; "sun 0:00-1:00" is two half hours."""
    slots = _slots("sun 0:00-1:00", "Europe/London", datetime(2027, 3, 22, 9, tzinfo=UTC))
    assert [describe_time(s, "Europe/London") for s in slots] == [
        "Sun 28 Mar 00:00 GMT",
        "Sun 28 Mar 00:30 GMT",
    ]


def test_the_repeated_hour_when_clocks_go_back_is_lived_twice():
    """Berlin, 25 October 2026: 03:00 CEST becomes 02:00 CET; "sun 1:00-4:00" is three hours
    on the wall and four in fact, and every half hour of it counts."""
    slots = _slots("sun 1:00-4:00", "Europe/Berlin", datetime(2026, 10, 19, 8, tzinfo=UTC))
    assert [describe_time(s, "Europe/Berlin").split(" ", 3)[3] for s in slots] == [
        "01:00 CEST",
        "01:30 CEST",
        "02:00 CEST",
        "02:30 CEST",
        "02:00 CET",
        "02:30 CET",
        "03:00 CET",
        "03:30 CET",
    ]
    assert slots[-1] + SLOT - slots[0] == timedelta(hours=4)
