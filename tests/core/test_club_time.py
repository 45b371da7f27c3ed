from datetime import time, timedelta

import pytest

from bot.club_time import parse_duration, parse_hhmm, parse_weekday, zone
from bot.errors import UserError


def test_a_known_zone_is_returned():
    assert zone("Asia/Kolkata").key == "Asia/Kolkata"


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("America/NewYork", "Did you mean America/New_York"),
        ("../../etc/passwd", "For example: America/New_York"),
        ("Mars/Olympus_Mons", "not a time zone"),
        ("x" * 10_000, "not a time zone"),
        ("", "not a time zone"),
    ],
)
def test_an_unknown_zone_gets_a_helpful_error(name, hint):
    with pytest.raises(UserError, match=hint):
        zone(name)


@pytest.mark.parametrize(
    ("text", "expected"), [("09:00", time(9)), ("9:30", time(9, 30)), ("23:59", time(23, 59))]
)
def test_times_are_24_hour_hh_mm(text, expected):
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize("text", ["9am", "24:00", "12:60", "noon", "", "1:2:3"])
def test_a_wrong_time_format_says_how_to_write_it(text):
    with pytest.raises(UserError, match="HH:MM"):
        parse_hhmm(text)


def test_weekdays_accept_names_and_abbreviations():
    assert [parse_weekday(d) for d in ("mon", "Tuesday", "SUN")] == [0, 1, 6]
    with pytest.raises(UserError, match="mon, tue"):
        parse_weekday("mo")


def test_durations():
    assert parse_duration("3d") == timedelta(days=3)
    assert parse_duration("90m") == timedelta(minutes=90)
    with pytest.raises(UserError, match="30m, 5h, 3d or 2w"):
        parse_duration("three days")
