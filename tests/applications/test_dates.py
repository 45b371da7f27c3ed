"""The day an application went out, as people write it, counted from the club-local today."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.applications.dates import MAX_AGE, parse_day
from bot.errors import UserError

TODAY = date(2026, 11, 18)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("", TODAY),
        ("today", TODAY),
        ("Yesterday", date(2026, 11, 17)),
        ("3 days ago", date(2026, 11, 15)),
        ("3d", date(2026, 11, 15)),
        ("a week ago", date(2026, 11, 11)),
        ("2 weeks ago", date(2026, 11, 4)),
        ("monday", date(2026, 11, 16)),
        ("last Fri", date(2026, 11, 13)),
        ("wednesday", date(2026, 11, 11)),  # today's weekday: the one a week ago
        ("12 Oct", date(2026, 10, 12)),
        ("Oct 12", date(2026, 10, 12)),
        ("October 12th, 2026", date(2026, 10, 12)),
        ("12th october", date(2026, 10, 12)),
        ("2026-10-12", date(2026, 10, 12)),
        ("2026/10/2", date(2026, 10, 2)),
        ("13/10", date(2026, 10, 13)),
        ("10/13", date(2026, 10, 13)),
        ("10/10/26", date(2026, 10, 10)),
        ("20 Dec", date(2025, 12, 20)),  # no year: the most recent 20 December
        ("sept 30", date(2026, 9, 30)),
    ],
)
def test_a_day_as_people_write_it(text, day):
    assert parse_day(text, TODAY) == day


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("tomorrow", "can't read"),
        ("2026-11-19", "after today"),
        ("19 Nov 2026", "after today"),
        ("12/10", "could be 10 Dec or 12 Oct"),
        ("31 Feb", "can't read"),
        ("2025-01-01", "more than a year ago"),
        ("soon", "can't read"),
    ],
)
def test_a_day_that_cannot_be_the_day_is_refused_with_what_to_write(text, complaint):
    with pytest.raises(UserError, match=complaint):
        parse_day(text, TODAY)


DAYS_BACK = st.integers(min_value=0, max_value=MAX_AGE.days)


@given(back=DAYS_BACK, today=st.dates(date(2020, 1, 1), date(2040, 12, 31)))
@settings(deadline=None)
def test_every_written_form_of_a_past_day_reads_back_as_that_day(back, today):
    day = today - timedelta(days=back)
    forms = [day.isoformat(), f"{day.day} {day:%B %Y}", f"{day:%b} {day.day}, {day.year}"]
    forms += [f"{back} days ago"]
    if back < 365 - 1:  # without a year, the most recent such day
        forms += [f"{day.day} {day:%b}", f"{day:%B} {day.day}"]
    for form in forms:
        assert parse_day(form, today) == day, form


@given(ahead=st.integers(min_value=1, max_value=800), today=st.dates(date(2020, 1, 1)))
@settings(deadline=None)
def test_no_written_form_gives_a_day_after_today(ahead, today):
    day = today + timedelta(days=ahead)
    with pytest.raises(UserError):
        parse_day(day.isoformat(), today)
