"""What the web side asks of the windows: a member's own windows for their calendar feed,
a track's, and what closes soon for the club page. Exported from the package."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.store.clubs import Club
from bot.store.store import Store
from bot.windows.calendar import TRACKS, Occurrence, closing_within, parse_track, select
from bot.windows.ics import build_ics
from bot.windows.posts import club_windows, line, reminder_days
from bot.windows.store import DeadlineStore

if TYPE_CHECKING:
    from icalendar import Event

__all__ = ["TRACKS", "parse_track"]


async def member_windows(
    store: Store, club: Club, user_id: str, today: date, *, track: str | None = None
) -> list[Occurrence]:
    """The windows a member follows: their /alerts targets (every track when they follow
    none) for their class year, and always the club's own deadlines."""
    everything = await club_windows(store, club, today)
    mine = next(
        (s for s in await store.repo(DeadlineStore).subscribers(club.id) if s.user_id == user_id),
        None,
    )
    targets = mine.targets if mine else frozenset()
    year = mine.class_year if mine else None
    return [
        o
        for o in select(everything, track=track, class_year=year)
        if not targets or o.key.startswith("club-") or _followed(o, targets)
    ]


def _followed(occurrence: Occurrence, targets: frozenset[str]) -> bool:
    return occurrence.track in targets or occurrence.key.split(":")[0] in targets


async def track_windows(
    store: Store, club: Club, today: date, *, track: str | None = None
) -> list[Occurrence]:
    return select(await club_windows(store, club, today), track=track)


def windows_ics(
    occurrences: Iterable[Occurrence],
    *,
    club: Club,
    calendar_name: str,
    stamp: datetime,
    extra: Iterable[Event] = (),
) -> bytes:
    """The feed with the club's reminder lead days; `extra` events (pairing sessions) join it."""
    return build_ics(
        occurrences,
        calendar_name=calendar_name,
        reminder_days=reminder_days(club),
        stamp=stamp,
        extra=extra,
    )


async def closing_soon(store: Store, club: Club, today: date, days: int = 14) -> list[str]:
    """'• Google STEP …: closes 29 Oct 2026, in 3 days' for windows closing within `days`."""
    return [
        line(o, today) for o in closing_within(await club_windows(store, club, today), today, days)
    ]
