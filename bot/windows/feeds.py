"""What the web side asks of the windows: a member's own windows for their calendar feed,
a track's, what closes soon for the club page, and a feed drawn in pieces. Exported from
the package.

A feed served per member is drawn from pieces so the pieces can be kept: the head (the
calendar's name), each occurrence's events (the same for every club following that
window), and the end. Joined, they are what `build_ics` writes in one go.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from bot.store.clubs import Club
from bot.store.store import Store
from bot.windows.calendar import TRACKS, Occurrence, closing_within, parse_track
from bot.windows.calendar import select as chosen
from bot.windows.ics import build_ics, occurrence_events
from bot.windows.listing import line
from bot.windows.posts import club_windows, reminder_days
from bot.windows.store import ProfileRow, SubscriptionRow

__all__ = ["TRACKS", "parse_track", "reminder_days"]

FEED_END = b"END:VCALENDAR\r\n"


async def member_windows(
    store: Store, club: Club, user_id: str, today: date, *, track: str | None = None
) -> list[Occurrence]:
    """The windows a member follows: their /alerts targets (every track when they follow
    none) for their class year, and always the club's own deadlines."""
    everything = await club_windows(store, club, today)
    targets, year = await _follows(store, club.id, user_id)
    return [
        o
        for o in chosen(everything, track=track, class_year=year)
        if not targets or o.key.startswith("club-") or _followed(o, targets)
    ]


async def _follows(store: Store, club_id: int, user_id: str) -> tuple[frozenset[str], str | None]:
    """The member's /alerts targets and class year (one member's rows, not the club's)."""
    async with store.sessions() as session:
        targets = await session.execute(
            select(SubscriptionRow.target).where(
                SubscriptionRow.club_id == club_id, SubscriptionRow.user_id == user_id
            )
        )
        year = await session.execute(
            select(ProfileRow.class_year).where(
                ProfileRow.club_id == club_id, ProfileRow.user_id == user_id
            )
        )
        return frozenset(targets.scalars()), year.scalar_one_or_none()


def _followed(occurrence: Occurrence, targets: frozenset[str]) -> bool:
    return occurrence.track in targets or occurrence.key.split(":")[0] in targets


async def track_windows(
    store: Store, club: Club, today: date, *, track: str | None = None
) -> list[Occurrence]:
    return chosen(await club_windows(store, club, today), track=track)


def feed_head(calendar_name: str, *, stamp: datetime) -> bytes:
    """The calendar's opening lines: everything `build_ics` writes before the events."""
    empty = build_ics((), calendar_name=calendar_name, stamp=stamp)
    return empty.removesuffix(FEED_END)


def occurrence_ical(occurrence: Occurrence, *, club: Club, stamp: datetime) -> bytes:
    """One occurrence's events as the feed carries them, with the club's reminder days."""
    events = occurrence_events(occurrence, reminder_days=reminder_days(club), stamp=stamp)
    return b"".join(bytes(e.to_ical()) for e in events)


async def closing_soon(store: Store, club: Club, today: date, days: int = 14) -> list[str]:
    """'• Google STEP …: closes 29 Oct 2026, in 3 days' for windows closing within `days`."""
    soon = closing_within(await club_windows(store, club, today), today, days)
    return [line(o, today) for o in soon]
