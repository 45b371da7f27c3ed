"""Calendar feeds served by URL: a member's own (the windows they follow, the club's
deadlines, their mock-interview sessions) and the club's, per track if asked.

A feed is rebuilt only when what it shows changes: its inputs are read (a few small
queries), hashed into the ETag, and the built file is kept under that hash. A calendar
app asking again gets a 304 from the hash alone; a changed window changes the hash.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.club_time import local
from bot.pairing import PairingStore, slot_start
from bot.store.clubs import Club
from bot.store.store import Store
from bot.web.store import CLUB_FEED, FeedOwner
from bot.windows import Occurrence, member_windows, track_windows, windows_ics

if TYPE_CHECKING:
    from icalendar import Event

SESSION_LENGTH = timedelta(hours=1)
# Bumped when the way a feed is drawn changes, so cached copies and ETags turn over.
FEED_FORMAT = "1"


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """A member's mock-interview session with the others in its group."""

    group_id: int
    starts_at: datetime
    others: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    body: bytes
    etag: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _Inputs:
    club: Club
    name: str
    occurrences: Sequence[Occurrence]
    sessions: Sequence[Session]

    def fingerprint(self) -> str:
        parts = [FEED_FORMAT, self.name, repr(sorted(self.club.settings.items()))]
        parts += [
            f"{o.key}|{o.title}|{o.track}|{o.opens_on}|{o.closes_on}|{o.url}|{o.opens_text}|"
            f"{o.closes_text}"
            for o in self.occurrences
        ]
        parts += [
            f"s{s.group_id}|{s.starts_at.isoformat()}|{','.join(s.others)}" for s in self.sessions
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


class Feeds:
    """Builds feeds and keeps the most recent `size` of them by content hash."""

    def __init__(self, store: Store, *, size: int = 4096) -> None:
        self.store, self.size = store, size
        self._built: OrderedDict[str, bytes] = OrderedDict()

    async def feed(self, owner: FeedOwner, *, track: str | None, now: datetime) -> Feed:
        inputs = await self._inputs(owner, track=track, now=now)
        etag = inputs.fingerprint()
        body = self._built.get(etag)
        if body is None:
            body = _draw(inputs, now)
            self._built[etag] = body
            if len(self._built) > self.size:
                self._built.popitem(last=False)
        else:
            self._built.move_to_end(etag)
        return Feed(body=body, etag=f'"{etag}"')

    async def _inputs(self, owner: FeedOwner, *, track: str | None, now: datetime) -> _Inputs:
        club = await self.store.clubs.get(owner.club_id)
        today = local(now, club.timezone).date()
        if owner.user_id == CLUB_FEED:
            occurrences = await track_windows(self.store, club, today, track=track)
            name = f"{club.name} internship windows" + (f" ({track})" if track else "")
            return _Inputs(club=club, name=name, occurrences=occurrences, sessions=())
        occurrences = await member_windows(self.store, club, owner.user_id, today, track=track)
        sessions = await member_sessions(self.store, club.id, owner.user_id)
        name = f"{club.name}: my windows and sessions"
        return _Inputs(club=club, name=name, occurrences=occurrences, sessions=sessions)


async def member_sessions(store: Store, club_id: int, user_id: str) -> list[Session]:
    """The member's sessions of the last four rounds that have a common slot."""
    groups = await store.repo(PairingStore).groups(club_id, limit_rounds=4)
    return [
        Session(
            group_id=g.id,
            starts_at=slot_start(g.slot, g.week_of),
            others=tuple(m for m in g.members if m != user_id),
        )
        for g in groups
        if user_id in g.members and g.slot is not None
    ]


def _draw(inputs: _Inputs, now: datetime) -> bytes:
    return windows_ics(
        inputs.occurrences,
        club=inputs.club,
        calendar_name=inputs.name,
        stamp=now,
        extra=_session_events(inputs.sessions, now),
    )


def _session_events(sessions: Iterable[Session], now: datetime) -> list[Event]:
    from icalendar import Event

    events = []
    for session in sessions:
        event = Event()
        # Stable per group: a re-paired group updates its event instead of adding one.
        event.add("uid", f"pairing-{session.group_id}@clubbot")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("summary", "Mock interview (clubbot pairing)")
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.starts_at + SESSION_LENGTH)
        others = ", ".join(session.others) or "your group"
        event.add("description", f"With {others}. /mockpair shows your question pack.")
        events.append(event)
    return events
