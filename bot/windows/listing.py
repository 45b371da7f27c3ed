"""What a member is shown of the calendar: each occurrence on one line, grouped by what it
needs of them (closing soon, open, open but late, opening soon), never cut silently.

A section longer than one field continues in the next; what does not fit in one
message is named by track with the command that lists it, so nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.model import MAX_FIELD_VALUE, MAX_FIELDS, MAX_TOTAL, Field, Group, Page, pages, plural
from bot.windows.calendar import Occurrence, cycles_visible, describe_eligibility

CLOSING_SOON_DAYS, OPENING_SOON_DAYS = 14, 30
# Room kept in a message for its title (150), its text (300 at most) and the "Not shown
# here" field (each track's command: under 400).
_RESERVED = 850


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    name: str
    occurrences: tuple[Occurrence, ...]


def when(occurrence: Occurrence, today: date) -> str:
    """Where the occurrence stands on `today`, in words."""
    phase = occurrence.phase(today)
    if occurrence.single_day:
        days = (occurrence.closes_on or today) - today
        if days.days < 0:
            return f"was on {occurrence.closes_text}"
        return "today" if days.days == 0 else f"on {occurrence.closes_text}, in {_days(days)}"
    if occurrence.event:
        return _event_when(occurrence, today)
    if phase == "upcoming":
        text = f"opens {occurrence.opens_text}"
        return text + (f", closes {occurrence.closes_text}" if occurrence.closes_on else "")
    if phase == "closed":
        return f"closed: {occurrence.closes_text.removeprefix('rolling, ')}"
    closes, soon = _closes(occurrence, today)
    window = occurrence.window
    if phase == "late" and window is not None:
        return f"open but late ({window.late_note}); {closes}"
    return closes if soon else f"open now, {closes}"


def _event_when(occurrence: Occurrence, today: date) -> str:
    """A club event over several days: when it starts, that it is on, that it was."""
    start, end = occurrence.opens_on, occurrence.open_until
    if today < start:
        return f"starts {start:%d %b %Y}, in {_days(start - today)}; until {end:%d %b}"
    if today <= end:
        return "on now, the last day today" if today == end else f"on now, until {end:%d %b %Y}"
    return f"was on {start:%d %b}-{end:%d %b %Y}"


def _closes(occurrence: Occurrence, today: date) -> tuple[str, bool]:
    """How it closes, and whether that is within a month (then with the days left)."""
    if occurrence.closes_on is None:
        return occurrence.closes_text, False
    mark = " (estimated)" if occurrence.closes_estimated else ""
    if occurrence.close_range and today > occurrence.closes_on:
        last = occurrence.open_until
        return f"closes by {last:%d %b %Y}{mark} at the latest, in {_days(last - today)}", True
    left = occurrence.closes_on - today
    if left > timedelta(days=30):
        return f"closes {occurrence.closes_text}", False
    if occurrence.close_range:
        soonest = "today" if not left.days else f"in {_days(left)}"
        return f"closes {occurrence.closes_text}, the earliest {soonest}", True
    if not left.days:
        return f"closes today{mark}", True
    return f"closes {occurrence.closes_on:%d %b %Y}{mark}, in {_days(left)}", True


def _days(delta: timedelta) -> str:
    return plural(delta.days, "day")


def line(occurrence: Occurrence, today: date) -> str:
    """'• Google STEP internship (early-career): closes 29 Oct-12 Nov 2026 (2-4 weeks after
    opening, estimated), the earliest in 3 days · first- and second-years'."""
    who = describe_eligibility(occurrence)
    cycle = occurrence.cycle
    # Next summer's window beside this summer's: say which summer it is for.
    later = f"for summer {cycle}" if cycle and cycle > cycles_visible(today)[0] else ""
    extra = "".join(f" · {part}" for part in (who, later) if part)
    return f"• {occurrence.title} ({occurrence.track}): {when(occurrence, today)}{extra}"


def by_action(occurrences: Iterable[Occurrence]) -> list[Occurrence]:
    """What needs action first: the soonest close, then the newest opened."""
    return sorted(occurrences, key=lambda o: (o.open_until, -o.opens_on.toordinal(), o.title))


def sections(
    occurrences: Sequence[Occurrence],
    today: date,
    *,
    opening_days: int = OPENING_SOON_DAYS,
    show_closed: bool = False,
) -> list[Section]:
    """Each occurrence in one section (the first it belongs to), empty sections left out:
    closing soon, open, open but late, opening soon, club dates, closed (when asked)."""
    horizon = today + timedelta(days=opening_days)
    opening_name = (
        f"Opening in the next {opening_days} days"
        if opening_days <= 31
        else "Opening later this cycle"
    )
    buckets: dict[str, list[Occurrence]] = {}
    for o in occurrences:
        name = _section_of(o, today, horizon, opening_name, show_closed=show_closed)
        if name is not None:
            buckets.setdefault(name, []).append(o)
    order = {
        f"Closing in the next {CLOSING_SOON_DAYS} days": _soonest,
        "Open now": by_action,
        "Open, but late": by_action,
        opening_name: lambda found: sorted(found, key=lambda o: (o.opens_on, o.title)),
        "Club dates": _soonest,
        "Closed this cycle": _soonest,
    }
    return [
        Section(name=name, occurrences=tuple(arrange(buckets[name])))
        for name, arrange in order.items()
        if name in buckets
    ]


def _section_of(
    o: Occurrence, today: date, horizon: date, opening_name: str, *, show_closed: bool
) -> str | None:
    phase = o.phase(today)
    if o.event:
        if phase == "closed":
            return "Closed this cycle" if show_closed else None
        return "Club dates" if o.opens_on <= horizon else None
    if o.closes_on is not None and today <= o.closes_on <= today + timedelta(
        days=CLOSING_SOON_DAYS
    ):
        return f"Closing in the next {CLOSING_SOON_DAYS} days"
    if phase == "open":
        return "Open now"
    if phase == "late":
        return "Open, but late"
    if phase == "upcoming" and o.opens_on <= horizon:
        return "Club dates" if o.single_day else opening_name if o.announces_opening else None
    return "Closed this cycle" if phase == "closed" and show_closed else None


def _soonest(occurrences: Iterable[Occurrence]) -> list[Occurrence]:
    return sorted(occurrences, key=lambda o: (o.closes_on or o.open_until, o.title))


def section_fields(
    chosen: Sequence[Section], today: date, *, budget: int = MAX_TOTAL, max_fields: int = MAX_FIELDS
) -> tuple[Field, ...]:
    """Every line of every section, over as many fields as it takes (bot.model.pages); if
    the message can't hold them all, a last field names what is left and the command that
    lists it."""
    groups = [
        Group(name=s.name, items=tuple(line(o, today) for o in s.occurrences)) for s in chosen
    ]
    laid = pages(groups, room=budget - _RESERVED, max_fields=max_fields - 1)
    shown = laid[0] if laid else Page(fields=(), shown=0)
    left = [o for s in chosen for o in s.occurrences][shown.shown :]
    if not left:
        return shown.fields
    return (*shown.fields, Field(name="Not shown here", value=_rest(left)))


def _rest(left: Sequence[Occurrence]) -> str:
    tracks = sorted({o.track for o in left})
    ways = ", ".join(f"`/deadlines track:{t}`" for t in tracks)
    return (
        f"{plural(len(left), 'more window')}: {ways}, or `/deadlines program:<id>` for one "
        "program in full."
    )[:MAX_FIELD_VALUE]
