"""The one place that says a club is paused by its platform.

A Discord server that removed the bot, a Slack workspace that uninstalled the app or
revoked its token: the platform answers nothing for that club until it comes back, so
nothing may be scheduled, posted or DMed for it. The state is part of the club's
configuration (its settings), so a change made by one process (the bot that got the
platform's event) reaches every other through the club's `config_version`: the scheduler
drops the club at its next sync and delivery checks it before each run. The club's data
stays for a re-invite or reinstall; `clubbot purge-left` deletes clubs away for long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.clubs import Actor, Club, ClubChanges, Clubs

# Kept from before this module: `clubbot purge-left` reads it, and old databases have it.
LEFT_AT = "left_at"
LEFT_WHY = "left_why"
# The absence that ended last ("since|until|why"), for /admin status to say what was missed.
LAST_ABSENCE = "last_absence"


@dataclass(frozen=True, slots=True, kw_only=True)
class Absence:
    """The platform cut the bot off from the club `since`, for `why`; `until` once back."""

    since: datetime
    why: str
    until: datetime | None = None


def away(club: Club) -> Absence | None:
    """Why the club is paused by its platform right now, or None when it is not."""
    left = club.settings.get(LEFT_AT)
    if not left:
        return None
    why = club.settings.get(LEFT_WHY) or "the platform removed clubbot"
    return Absence(since=datetime.fromisoformat(left), why=why)


def last_absence(club: Club) -> Absence | None:
    """The club's last absence that has ended, if it had one."""
    text = club.settings.get(LAST_ABSENCE)
    if not text:
        return None
    since, until, why = text.split("|", 2)
    start, end = datetime.fromisoformat(since), datetime.fromisoformat(until)
    return Absence(since=start, why=why, until=end)


async def leave(clubs: Clubs, club_id: int, *, why: str, actor: Actor, now: datetime) -> bool:
    """Pause the club: its platform cut the bot off. False if it was already away."""
    if away(await clubs.get(club_id)) is not None:
        return False
    changes = ClubChanges(settings={LEFT_AT: now.isoformat(), LEFT_WHY: why[:200]})
    await clubs.change(club_id, changes, actor=actor, now=now)
    return True


async def come_back(clubs: Clubs, club_id: int, *, actor: Actor, now: datetime) -> Absence | None:
    """Resume the club with its settings; returns the absence that ended, None if it was
    not away."""
    gone = away(await clubs.get(club_id))
    if gone is None:
        return None
    ended = Absence(since=gone.since, why=gone.why, until=now)
    record = f"{ended.since.isoformat()}|{now.isoformat()}|{ended.why}"
    changes = ClubChanges(settings={LEFT_AT: None, LEFT_WHY: None, LAST_ABSENCE: record})
    await clubs.change(club_id, changes, actor=actor, now=now)
    return ended
