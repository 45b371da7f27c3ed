"""What a member who follows a track or a program is told, and when: pure.

A window reminds at each change of its phase: the day it opens, the day it turns late
(with why, e.g. "the best offices fill first"), before a fixed close (the club's lead
days, 14, 3 and 1 by default) and, for a rolling window, once before the end the
calendar estimates for it. A club date reminds before it falls, a club event before it
starts. Year-round programs never change phase, so they never remind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.applied import applied_button
from bot.model import MAX_BUTTONS, MAX_TEXT, MAX_TITLE, Button, Message, clip, plural
from bot.windows.calendar import Occurrence
from bot.windows.listing import line

Kind = Literal["opened", "late", "closing", "starting", "ending"]
_ORDER: tuple[Kind, ...] = ("opened", "late", "closing", "starting", "ending")


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    occurrence: Occurrence
    kind: Kind
    on: date  # the day it is sent
    days_left: int = 0  # days to the (first) close, the event's start or the estimated end


def alerts_on(occurrences: Iterable[Occurrence], leads: Sequence[int]) -> list[Alert]:
    """Every alert of `occurrences`, on the day each is due, in date order."""
    found: list[Alert] = []
    for o in occurrences:
        if o.window is not None and o.announces_opening:
            found.append(Alert(occurrence=o, kind="opened", on=o.opens_on))
        if o.window is not None and o.late_from is not None:
            found.append(Alert(occurrence=o, kind="late", on=o.late_from))
        if o.remind_on is not None:
            kind: Kind = "starting" if o.event else "closing"
            found += [
                Alert(occurrence=o, kind=kind, on=o.remind_on - timedelta(days=d), days_left=d)
                for d in leads
            ]
        elif o.announces_opening and leads:  # rolling, with an estimated end
            lead = max(leads)
            end = o.open_until - timedelta(days=lead)
            found.append(Alert(occurrence=o, kind="ending", on=end, days_left=lead))
    # One alert a day per occurrence, the phase change first: a window that opens the day
    # its first reminder falls is told once, its line saying how long it has.
    first: dict[tuple[date, str], Alert] = {}
    for alert in sorted(found, key=lambda a: (a.on, _ORDER.index(a.kind), -a.days_left)):
        first.setdefault((alert.on, alert.occurrence.key), alert)
    return sorted(first.values(), key=lambda a: (a.on, a.occurrence.title, -a.days_left))


def alerts_due(occurrences: Iterable[Occurrence], today: date, leads: Sequence[int]) -> list[Alert]:
    return [a for a in alerts_on(occurrences, leads) if a.on == today]


def follows(occurrence: Occurrence, targets: Iterable[str]) -> bool:
    """Whether following `targets` (tracks, program ids) covers the occurrence."""
    return any(t in (occurrence.track, occurrence.window_id) for t in targets)


_HEADS = {
    "estimated opening": "Opening about now (an estimated date): check its careers page",
    "opened": "Opened today: apply within about two weeks",
    "late": "Now open, but late",
    "closing": "Closing soon",
    "starting": "Starting soon",
    "ending": "Nearing its estimated end",
}


def alert_dm(alerts: Sequence[Alert], today: date, *, club_id: int) -> Message:
    """One DM for the day: each alert under what happened, with the line /deadlines shows,
    and an I applied button for each program in it (a club's own date has none)."""
    kinds = [a.kind for a in alerts]
    if len(alerts) == 1:
        title = _title(alerts[0])
    elif set(kinds) == {"closing"}:
        title = f"{len(alerts)} windows you follow close soon"
    else:
        title = f"{len(alerts)} updates on what you follow"
    blocks = []
    for kind, head in _HEADS.items():
        lines = [line(a.occurrence, today) for a in alerts if _head(a) == kind]
        if lines:
            blocks.append(head + ":\n" + "\n".join(lines))
    first = alerts[0].occurrence.window_id
    stop = (
        f"Applied already, or not for you? `/alerts applied window:{first}` or "
        f"`/alerts not-interested window:{first}` stops these for it."
    )
    if kinds == ["opened"] * len(kinds):
        stop = "Rolling admission rewards speed. " + stop
    programs = {a.occurrence.window_id: a.occurrence.title for a in alerts if a.occurrence.window}
    buttons = _applied_buttons(programs, club_id)
    # Said first: the text is cut at its end when a day brings this much.
    note = (
        [f"I applied buttons for the first {len(buttons)} programs; for the others, `/applied`."]
        if len(programs) > len(buttons)
        else []
    )
    text = "\n".join([*note, *blocks, stop])
    return Message(title=clip(title, MAX_TITLE), text=clip(text, MAX_TEXT), buttons=buttons)


def _applied_buttons(programs: dict[str, str], club_id: int) -> tuple[Button, ...]:
    """One per program (window id: title), in the alerts' order, as many as a message holds
    (MAX_BUTTONS): a click records the application, which also stops these reminders."""
    return tuple(
        applied_button(club_id, program=window_id, label=f"I applied: {title}")
        for window_id, title in list(programs.items())[:MAX_BUTTONS]
    )


def _head(alert: Alert) -> str:
    """An opening no article dates is told as about now, never as today."""
    estimated = alert.kind == "opened" and alert.occurrence.opens_estimated
    return "estimated opening" if estimated else alert.kind


def _title(alert: Alert) -> str:
    o, left = alert.occurrence, plural(alert.days_left, "day")
    if _head(alert) == "estimated opening":
        return f"Opening about now (estimated): {o.title}"
    if alert.kind == "opened":
        return f"Open now: {o.title}"
    if alert.kind == "late":
        return f"Now late: {o.title}"
    if alert.kind == "ending":
        return f"About {left} left (estimated): {o.title}"
    if alert.kind == "starting":
        return f"{o.title} starts in {left}"
    if o.close_range:
        return f"{o.title} may close in {left}"
    return f"{left} left: {o.title}"


def what_comes(occurrences: Sequence[Occurrence], today: date, leads: Sequence[int]) -> str:
    """What following these occurrences brings, and the next DM: the /alerts subscribe reply."""
    ways = []
    if any(o.window is not None and o.announces_opening for o in occurrences):
        ways.append("when a window opens")
    if any(o.late_from is not None for o in occurrences):
        ways.append("when one turns late")
    days = ", ".join(str(d) for d in leads)
    if any(o.remind_on is not None for o in occurrences) and leads:
        ways.append(f"{days} days before a fixed close or a club event's start")
    if any(o.remind_on is None and o.announces_opening for o in occurrences) and leads:
        ways.append(f"{max(leads)} days before a rolling window's estimated end")
    year_round = sorted({o.title for o in occurrences if not o.announces_opening and o.window})
    parts = [f"You'll get a DM {_join(ways)}." if ways else "Nothing here changes phase."]
    if year_round:
        verb = "takes" if len(year_round) == 1 else "take"
        parts.append(f"{_join(year_round)} {verb} applications year-round: no reminders for it.")
    upcoming = [a for a in alerts_on(occurrences, leads) if a.on > today]
    if upcoming:
        parts.append(f"Next: {upcoming[0].on:%d %b %Y}, {_title(upcoming[0])}.")
    return " ".join(parts)


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
