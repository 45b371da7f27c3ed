"""The day an application went out, as people write it: "today", "yesterday", "3 days ago",
"last friday", "12 Oct", "Oct 12", "2026-10-12", "12/10" when only one reading is a date.
Relative words count from the member's club-local today; a date without a year is the most
recent such day."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final

from bot.club_time import WEEKDAYS
from bot.errors import UserError

# Older than this is another season's application, or a typo.
MAX_AGE: Final = timedelta(days=400)
EXAMPLES: Final = "today, yesterday, 3 days ago, last friday, 12 Oct or 2026-10-12"

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_AGO = re.compile(r"^(a|an|one|\d{1,3})\s*(d|day|days|w|wk|week|weeks)\s*(ago)?$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:,?\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")


def parse_day(text: str, today: date) -> date:
    """The day `text` names, on or before `today` and at most MAX_AGE before it."""
    words = " ".join(text.strip().lower().replace(",", " ").split())
    found = _read(words, today)
    if found is None:
        raise UserError(f"I can't read `{text[:40]}` as a date. Write e.g. {EXAMPLES}.")
    if found > today:
        raise UserError(
            f"{found:%d %b %Y} is after today ({today:%d %b %Y} in the club's time zone). "
            "Give the day you applied."
        )
    if today - found > MAX_AGE:
        raise UserError(f"{found:%d %b %Y} is more than a year ago; give this season's date.")
    return found


def _read(words: str, today: date) -> date | None:
    if words in ("", "today", "now", "tonight"):
        return today
    if words == "yesterday":
        return today - timedelta(days=1)
    for reader in (_ago, _weekday, _iso, _numeric, _named):
        found = reader(words, today)
        if found is not None:
            return found
    return None


def _ago(words: str, today: date) -> date | None:
    match = _AGO.match(words)
    if match is None:
        return None
    amount = 1 if match[1] in ("a", "an", "one") else int(match[1])
    days = amount * (7 if match[2].startswith("w") else 1)
    return today - timedelta(days=days)


def _weekday(words: str, today: date) -> date | None:
    """'friday' or 'last friday': the latest such day before today (today's own weekday is
    a week ago: someone who applied today says "today")."""
    name = words.removeprefix("last ").strip()
    number = next((i for i, day in enumerate(WEEKDAYS) if name in (day, day[:3])), None)
    if number is None:
        return None
    back = (today.weekday() - number) % 7 or 7
    return today - timedelta(days=back)


def _iso(words: str, today: date) -> date | None:
    match = _ISO.match(words)
    return None if match is None else _date(int(match[1]), int(match[2]), int(match[3]))


def _numeric(words: str, today: date) -> date | None:
    """'12/10': a date only when one reading (day/month or month/day) is; both, and they
    differ: refused, since a member can't be guessed."""
    match = _NUMERIC.match(words)
    if match is None:
        return None
    first, second = int(match[1]), int(match[2])
    year = _year(match[3])
    readings = {
        found
        for month, day in ((second, first), (first, second))
        if (found := _dated(year, month, day, today)) is not None
    }
    if len(readings) > 1:
        raise UserError(
            f"`{words[:20]}` could be {' or '.join(f'{d:%d %b}' for d in sorted(readings))}. "
            "Write the month as a word, e.g. 12 Oct."
        )
    return readings.pop() if readings else None


def _named(words: str, today: date) -> date | None:
    for pattern, day_at, month_at in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        match = pattern.match(words)
        if match is not None and match[month_at] in _MONTHS:
            month = _MONTHS[match[month_at]]
            return _dated(_year(match[3]), month, int(match[day_at]), today)
    return None


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text) + (2000 if len(text) == 2 else 0)


def _dated(year: int | None, month: int, day: int, today: date) -> date | None:
    """The day in `year`, or without one the most recent such day up to today."""
    if year is not None:
        return _date(year, month, day)
    this_year = _date(today.year, month, day)
    if this_year is not None and this_year <= today:
        return this_year
    return _date(today.year - 1, month, day)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
