"""/whatnow, pure: the month's advice with every window it names shown as the calendar
has it that day, in the very lines /deadlines uses, so the two cannot disagree."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

from bot.model import MAX_FIELDS, MAX_TOTAL, Field, Message, reply
from bot.windows.advice import Advice, MonthAdvice
from bot.windows.calendar import Occurrence, closing_within, next_opening
from bot.windows.listing import CLOSING_SOON_DAYS, Section, by_action, section_fields

# Room the derived lines may take, leaving the advice, the targets and the title theirs.
_LINES_BUDGET = MAX_TOTAL - 2200


def whatnow_message(
    advice: Advice, occurrences: Sequence[Occurrence], today: date, *, class_year: str | None
) -> Message:
    """What to do on `today`: `occurrences` are the member's (eligible) windows."""
    month = advice.for_day(today)
    head = [Field(name=f"{today:%B}: {month.phase}", value=month.advice)]
    if class_year in ("freshman", "sophomore"):
        head.append(Field(name="For first- and second-years", value=advice.early_years.text))
    tail = [
        Field(name="How many, and where", value=f"{advice.applications} {advice.mix}"),
        Field(name="Missed a window?", value=advice.fallback),
        Field(name="Practice", value=advice.practice),
    ]
    derived = section_fields(
        derived_sections(advice, month, occurrences, today, class_year=class_year),
        today,
        budget=_LINES_BUDGET,
        max_fields=MAX_FIELDS - len(head) - len(tail),
    )
    return reply(
        f"Advice for {today:%d %B %Y} in the club's time zone.",
        title="What now?",
        fields=(*head, *derived, *tail),
    )


def derived_sections(
    advice: Advice,
    month: MonthAdvice,
    occurrences: Sequence[Occurrence],
    today: date,
    *,
    class_year: str | None,
) -> list[Section]:
    """The month's windows as the calendar has them: closing soon (any window), then the
    month's focus open now, opening by the end of next month, and what opens next."""
    shown: list[Occurrence] = []

    def fresh(found: Sequence[Occurrence]) -> tuple[Occurrence, ...]:
        new = tuple(o for o in found if o not in shown)
        shown.extend(new)
        return new

    horizon = _end_of_next_month(today)

    def coming(found: Sequence[Occurrence]) -> list[Occurrence]:
        soon = (o for o in found if o.announces_opening and today < o.opens_on <= horizon)
        return sorted(soon, key=_opening)

    focus = [o for o in occurrences if _in(o, month.focus)]
    early = [o for o in occurrences if _in(o, advice.early_years.programs)]
    sections = [
        (
            f"Closing in the next {CLOSING_SOON_DAYS} days",
            fresh(closing_within(occurrences, today, CLOSING_SOON_DAYS)),
        ),
        ("Apply now", fresh(by_action(o for o in focus if o.is_open(today)))),
        ("Opening soon", fresh(coming(focus))),
    ]
    if class_year in ("freshman", "sophomore"):
        built = [*by_action(o for o in early if o.is_open(today)), *coming(early)]
        sections.append(("Built for first- and second-years", fresh(built)))
    upcoming = next_opening(occurrences, today)
    sections.append(("Opens next", fresh([upcoming] if upcoming else [])))
    return [Section(name=name, occurrences=found) for name, found in sections if found]


def _in(occurrence: Occurrence, items: Sequence[str]) -> bool:
    return occurrence.track in items or occurrence.window_id in items


def _opening(occurrence: Occurrence) -> tuple[date, str]:
    return occurrence.opens_on, occurrence.title


def _end_of_next_month(today: date) -> date:
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])
