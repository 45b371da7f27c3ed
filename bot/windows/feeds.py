"""What the web side asks of the windows: a member's own windows for their calendar feed,
a track's, what closes soon for the club page, and a feed drawn in pieces. Exported from
the package.

A feed served per member is drawn from pieces so the pieces can be kept: the head (the
calendar's name), each occurrence's events (the same for every club following that
window), and the end. Joined, they are what `build_ics` writes in one go.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import CompoundSelect, Integer, String, bindparam, literal, select, union_all

from bot.store.clubs import Club
from bot.store.store import Store
from bot.windows.calendar import TRACKS, Occurrence, closing_within, parse_track
from bot.windows.calendar import select as chosen
from bot.windows.ics import CALENDAR_END, calendar_head, occurrence_events
from bot.windows.listing import line
from bot.windows.posts import club_windows, reminder_days
from bot.windows.store import APPLIED, MuteRow, ProfileRow, SubscriptionRow

__all__ = ["TRACKS", "parse_track", "reminder_days"]

FEED_END = CALENDAR_END


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberWindow:
    """A window in a member's own feed; `applied` when they said so with /alerts applied."""

    occurrence: Occurrence
    applied: bool = False


async def member_windows(
    store: Store,
    club: Club,
    user_id: str,
    today: date,
    *,
    track: str | None = None,
    windows: Sequence[Occurrence] | None = None,
) -> list[MemberWindow]:
    """The windows a member follows: their /alerts targets (every track when they follow
    none) for their class year, and always the club's own deadlines. As their reminder
    DMs do, it leaves out what they muted (/alerts not-interested) and reminds them of
    nothing they applied to (/alerts applied). `windows`: the club's, if the caller
    keeps them (track_windows without a track)."""
    everything = await club_windows(store, club, today) if windows is None else windows
    follows = await member_follows(store, club.id, user_id)
    return [
        MemberWindow(occurrence=o, applied=follows.muted.get(o.key) == APPLIED)
        for o in chosen(everything, track=track, class_year=follows.year)
        if (not follows.targets or o.key.startswith("club-") or _followed(o, follows.targets))
        and follows.muted.get(o.key) in (None, APPLIED)
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class Follows:
    """What a member follows: their /alerts targets, class year and marks."""

    targets: frozenset[str]
    year: str | None
    muted: Mapping[str, str]  # occurrence key -> reason


def _member_rows() -> CompoundSelect[str, str, str]:
    club, user = bindparam("club_id", type_=Integer), bindparam("user_id", type_=String)
    return union_all(
        select(literal("target"), SubscriptionRow.target, literal("")).where(
            SubscriptionRow.club_id == club, SubscriptionRow.user_id == user
        ),
        select(literal("year"), ProfileRow.class_year, literal("")).where(
            ProfileRow.club_id == club, ProfileRow.user_id == user
        ),
        select(literal("mute"), MuteRow.window_key, MuteRow.reason).where(
            MuteRow.club_id == club, MuteRow.user_id == user
        ),
    )


# Built once: a feed is asked for often, and building the statement costs as much as
# running it.
_MEMBER_ROWS = _member_rows()


async def member_follows(store: Store, club_id: int, user_id: str) -> Follows:
    """The member's /alerts targets, class year and mutes (one member's rows, not the
    club's), in one statement."""
    async with store.sessions() as session:
        found = (
            await session.execute(_MEMBER_ROWS, {"club_id": club_id, "user_id": user_id})
        ).all()
    return Follows(
        targets=frozenset(value for kind, value, _ in found if kind == "target"),
        year=next((value for kind, value, _ in found if kind == "year"), None),
        muted={value: reason for kind, value, reason in found if kind == "mute"},
    )


def _followed(occurrence: Occurrence, targets: frozenset[str]) -> bool:
    return occurrence.track in targets or occurrence.key.split(":")[0] in targets


async def track_windows(
    store: Store,
    club: Club,
    today: date,
    *,
    track: str | None = None,
    windows: Sequence[Occurrence] | None = None,
) -> list[Occurrence]:
    everything = await club_windows(store, club, today) if windows is None else windows
    return chosen(everything, track=track)


def feed_head(calendar_name: str) -> bytes:
    """The calendar's opening lines: everything `build_ics` writes before the events."""
    return calendar_head(calendar_name)


def occurrence_ical(
    occurrence: Occurrence, *, club: Club, stamp: datetime, applied: bool = False
) -> bytes:
    """One occurrence's events as the feed carries them, with the club's reminder days;
    for a member who applied, marked so and with no reminders."""
    return occurrence_events(
        occurrence, reminder_days=reminder_days(club), stamp=stamp, applied=applied
    )


async def closing_soon(store: Store, club: Club, today: date, days: int = 14) -> list[str]:
    """'• Google STEP …: closes 29 Oct 2026, in 3 days' for windows closing within `days`."""
    soon = closing_within(await club_windows(store, club, today), today, days)
    return [line(o, today) for o in soon]
