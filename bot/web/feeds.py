"""Calendar feeds served by URL: a member's own (the windows they follow, the club's
deadlines, their mock-interview sessions) and the club's, per track if asked.

A feed's inputs are read (a few small queries) and hashed into its ETag: a calendar app
asking again gets a 304 from the hash alone, and a changed window changes the hash. The
body is joined from kept pieces: each occurrence's events are drawn once per process
(every club following Google STEP shares them), so a member's feed costs a join, not an
icalendar build of sixty events.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from bot.club_time import local
from bot.pairing import PairingStore, group_slot
from bot.store.clubs import Club
from bot.store.store import Store
from bot.web.store import CLUB_FEED, FeedOwner, WebStore
from bot.windows import (
    FEED_END,
    Occurrence,
    feed_head,
    member_windows,
    occurrence_ical,
    reminder_days,
    track_windows,
)

if TYPE_CHECKING:
    from icalendar import Event

log = logging.getLogger(__name__)

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
    keys: Sequence[str] = ()  # each occurrence's _occurrence_key

    def fingerprint(self) -> str:
        parts = [FEED_FORMAT, self.name, repr(sorted(self.club.settings.items()))]
        parts += self.keys
        parts += [
            f"s{s.group_id}|{s.starts_at.isoformat()}|{','.join(s.others)}" for s in self.sessions
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


class Kept:
    """The most recently used `size` values by key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str, draw: Callable[[], bytes]) -> bytes:
        value = self._values.get(key)
        if value is not None:
            self._values.move_to_end(key)
            return value
        value = self._values[key] = draw()
        if len(self._values) > self.size:
            self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        self._values.clear()


class Feeds:
    """Builds feeds from kept pieces: calendar heads and occurrences' events."""

    def __init__(self, store: Store, *, size: int = 8192) -> None:
        self.store = store
        self.pieces = Kept(size)

    async def feed(self, owner: FeedOwner, *, track: str | None, now: datetime) -> Feed:
        inputs = await self._inputs(owner, track=track, now=now)
        return Feed(body=self._draw(inputs, now), etag=f'"{inputs.fingerprint()}"')

    async def warm(self, now: datetime) -> int:
        """Draw the windows of every club that has handed out a feed link (its club-wide
        feed holds every piece its members' feeds are joined from), one club at a time,
        so that after a start no member's calendar app waits for the drawing. The clubs
        warmed."""
        club_ids = await self.store.repo(WebStore).clubs_with_feeds()
        for club_id in club_ids:
            owner = FeedOwner(club_id=club_id, user_id=CLUB_FEED)
            inputs = await self._inputs(owner, track=None, now=now)
            self._draw(inputs, now)
            self._head(_member_feed_name(inputs.club), now)
            await asyncio.sleep(0)  # a request waiting meanwhile goes first
        return len(club_ids)

    def _draw(self, inputs: _Inputs, now: datetime) -> bytes:
        leads = ",".join(map(str, reminder_days(inputs.club)))
        head = self._head(inputs.name, now)
        events = [
            self.pieces.get(
                f"{leads}|{key}", partial(occurrence_ical, o, club=inputs.club, stamp=now)
            )
            for o, key in zip(inputs.occurrences, inputs.keys, strict=True)
        ]
        sessions = [bytes(e.to_ical()) for e in _session_events(inputs.sessions, now)]
        return b"".join((head, *events, *sessions, FEED_END))

    def _head(self, name: str, now: datetime) -> bytes:
        return self.pieces.get(f"head|{name}", lambda: feed_head(name, stamp=now))

    async def _inputs(self, owner: FeedOwner, *, track: str | None, now: datetime) -> _Inputs:
        club = await self.store.clubs.get(owner.club_id)
        today = local(now, club.timezone).date()
        if owner.user_id == CLUB_FEED:
            occurrences = await track_windows(self.store, club, today, track=track)
            name = f"{club.name} internship windows" + (f" ({track})" if track else "")
            return _inputs(club, name, occurrences, ())
        occurrences = await member_windows(self.store, club, owner.user_id, today, track=track)
        sessions = await member_sessions(self.store, club.id, owner.user_id)
        return _inputs(club, _member_feed_name(club), occurrences, sessions)


def _member_feed_name(club: Club) -> str:
    return f"{club.name}: my windows and sessions"


def _inputs(
    club: Club, name: str, occurrences: Sequence[Occurrence], sessions: Sequence[Session]
) -> _Inputs:
    keys = [_occurrence_key(o) for o in occurrences]
    return _Inputs(club=club, name=name, occurrences=occurrences, sessions=sessions, keys=keys)


async def member_sessions(store: Store, club_id: int, user_id: str) -> list[Session]:
    """The member's sessions of the last four rounds that have a common slot."""
    groups = await store.repo(PairingStore).groups(club_id, limit_rounds=4)
    return [
        Session(group_id=g.id, starts_at=at, others=tuple(m for m in g.members if m != user_id))
        for g in groups
        if user_id in g.members and (at := group_slot(g)) is not None
    ]


def _occurrence_key(o: Occurrence) -> str:
    """Everything of an occurrence its events show (the window's own text comes from the
    shipped content, which FEED_FORMAT covers)."""
    return (
        f"{o.key}|{o.title}|{o.track}|{o.opens_on}|{o.closes_on}|{o.url}|{o.opens_text}|"
        f"{o.closes_text}|{','.join(o.class_years)}"
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
