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
    round_start,
    slot_time,
    week_slots,
)

# Monday 16 November 2026, 10:00 in New York: a round goes out.
ROUND = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
ZONES = (
    "America/New_York",
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
        ("evenings", "I can't read `evenings`"),
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
_rounds = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
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
        elif _steady(zone, slot):
            # Nothing wholly inside is lost (away from a DST change inside the slot).
            assert not _inside(blocks, zone, slot), (index, describe_time(slot, zone))


def _steady(zone: str, slot: datetime) -> bool:
    tz = ZoneInfo(zone)
    return slot.astimezone(tz).utcoffset() == (slot + SLOT).astimezone(tz).utcoffset()


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
