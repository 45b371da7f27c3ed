"""Calendar feeds served by URL: a member's own (the windows they follow, the club's
deadlines, their mock-interview sessions) and the club's, per track if asked.

A feed's inputs are read (a few small queries) and hashed into its ETag: a calendar app
asking again gets a 304 from the hash alone, before anything is drawn, and a changed window
changes the hash. A body is drawn once per change (kept by its ETag, gzipped once for the
clients that ask), and joined from kept pieces: each occurrence's events are drawn once per
process (every club following Google STEP shares them), so even a new body costs a join,
not the drawing of sixty events.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from weakref import WeakKeyDictionary

from bot.club_time import local
from bot.pairing import PairingStore, group_slot
from bot.store.clubs import Club
from bot.store.store import Store
from bot.store.versions import Recent
from bot.web.store import CLUB_FEED, FeedOwner, WebStore
from bot.windows import (
    FEED_END,
    MemberWindow,
    Occurrence,
    feed_head,
    member_windows,
    occurrence_ical,
    reminder_days,
    timed_event,
    track_windows,
)

log = logging.getLogger(__name__)

SESSION_LENGTH = timedelta(hours=1)
# Bumped when the way a feed is drawn changes, so cached copies and ETags turn over.
FEED_FORMAT = "2"
# Whole feeds kept by ETag (a member's is about 45 KB, gzipped about 6 KB).
DRAWN_FEEDS = 512
GZIP = "-gzip"  # the ETag suffix of the gzipped body (a representation of its own)


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """A member's mock-interview session with the others in its group (display names)."""

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
    applied: frozenset[str] = frozenset()  # keys of the occurrences the member applied to

    def fingerprint(self) -> str:
        parts = [FEED_FORMAT, self.name, repr(sorted(self.club.settings.items()))]
        parts += self.keys
        parts += [
            f"s{s.group_id}|{s.starts_at.isoformat()}|{','.join(s.others)}" for s in self.sessions
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True, kw_only=True)
class Version:
    """A feed known by its fingerprint, not drawn yet: enough to answer a 304."""

    inputs: _Inputs
    fingerprint: str

    def etag(self, *, gzipped: bool = False) -> str:
        return f'"{self.fingerprint}{GZIP if gzipped else ""}"'


class Feeds:
    """Builds feeds from kept pieces: calendar heads and occurrences' events; keeps the
    feeds drawn, by ETag."""

    def __init__(self, store: Store, *, size: int = 8192) -> None:
        self.store = store
        self.pieces: Recent[bytes] = Recent(size)
        self.drawn: Recent[bytes] = Recent(DRAWN_FEEDS)

    async def feed(
        self, owner: FeedOwner, *, track: str | None, now: datetime, club: Club | None = None
    ) -> Feed:
        """`club`: the owner's club as just read (a command has it), or None to read it."""
        version = await self.version(owner, track=track, now=now, club=club)
        return Feed(body=self.body(version, now), etag=version.etag())

    async def version(
        self, owner: FeedOwner, *, track: str | None, now: datetime, club: Club | None = None
    ) -> Version:
        inputs = await self._inputs(owner, track=track, now=now, club=club)
        return Version(inputs=inputs, fingerprint=inputs.fingerprint())

    def body(self, version: Version, now: datetime) -> bytes:
        """The feed, drawn the first time its fingerprint is asked for."""
        return self.drawn.get(version.etag(), lambda: self._draw(version.inputs, now))

    def gzipped(self, version: Version, now: datetime) -> bytes:
        """The feed gzipped, once per fingerprint (calendar apps ask for gzip)."""
        return self.drawn.get(
            version.etag(gzipped=True), lambda: gzip.compress(self.body(version, now), mtime=0)
        )

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
            self._head(_member_feed_name(inputs.club))
            await asyncio.sleep(0)  # a request waiting meanwhile goes first
        return len(club_ids)

    def _draw(self, inputs: _Inputs, now: datetime) -> bytes:
        leads = ",".join(map(str, reminder_days(inputs.club)))
        head = self._head(inputs.name)
        events = [
            self.pieces.get(
                f"{leads}|{key}",
                partial(
                    occurrence_ical, o, club=inputs.club, stamp=now, applied=key in inputs.applied
                ),
            )
            for o, key in zip(inputs.occurrences, inputs.keys, strict=True)
        ]
        sessions = _session_events(inputs.sessions, now)
        return b"".join((head, *events, *sessions, FEED_END))

    def _head(self, name: str) -> bytes:
        return self.pieces.get(f"head|{name}", lambda: feed_head(name))

    async def _inputs(
        self, owner: FeedOwner, *, track: str | None, now: datetime, club: Club | None = None
    ) -> _Inputs:
        if club is None or club.id != owner.club_id:
            club = await self.store.clubs.get(owner.club_id)
        today = local(now, club.timezone).date()
        everything = await track_windows(self.store, club, today)  # kept per club
        if owner.user_id == CLUB_FEED:
            occurrences = await track_windows(
                self.store, club, today, track=track, windows=everything
            )
            name = f"{club.name} internship windows" + (f" ({track})" if track else "")
            return _inputs(club, name, occurrences, ())
        windows = await member_windows(
            self.store, club, owner.user_id, today, track=track, windows=everything
        )
        sessions = await member_sessions(self.store, club.id, owner.user_id)
        return _member_inputs(club, windows, sessions)


_ONE_PER_STORE: WeakKeyDictionary[Store, Feeds] = WeakKeyDictionary()


def feeds_of(store: Store) -> Feeds:
    """The process's one `Feeds` for `store`: the web server's requests and `/calendar`
    share what it has drawn, so a feed is drawn once per change, not once per command."""
    if store not in _ONE_PER_STORE:
        _ONE_PER_STORE[store] = Feeds(store)
    return _ONE_PER_STORE[store]


def _member_feed_name(club: Club) -> str:
    return f"{club.name}: my windows and sessions"


def _inputs(
    club: Club, name: str, occurrences: Sequence[Occurrence], sessions: Sequence[Session]
) -> _Inputs:
    keys = [_occurrence_key(o) for o in occurrences]
    return _Inputs(club=club, name=name, occurrences=occurrences, sessions=sessions, keys=keys)


def _member_inputs(
    club: Club, windows: Sequence[MemberWindow], sessions: Sequence[Session]
) -> _Inputs:
    """A member's feed: an occurrence they applied to is a piece of its own (marked, no
    reminders), so its key says so."""
    keys = [_occurrence_key(w.occurrence) + ("|applied" if w.applied else "") for w in windows]
    return _Inputs(
        club=club,
        name=_member_feed_name(club),
        occurrences=[w.occurrence for w in windows],
        sessions=sessions,
        keys=keys,
        applied=frozenset(k for k, w in zip(keys, windows, strict=True) if w.applied),
    )


async def member_sessions(store: Store, club_id: int, user_id: str) -> list[Session]:
    """The member's sessions of the last four rounds that have a common slot, naming the
    others by the display names they joined pairing with."""
    pairing = store.repo(PairingStore)
    groups = [
        (g, at)
        for g in await pairing.groups(club_id, limit_rounds=4, member=user_id)
        if (at := group_slot(g)) is not None
    ]
    if not groups:
        return []
    others = {m for g, _ in groups for m in g.members if m != user_id}
    names = {m.user_id: m.name for m in await pairing.members(club_id, user_ids=others)}
    return [
        Session(
            group_id=g.id,
            starts_at=at,
            others=tuple(names.get(m, m) for m in g.members if m != user_id),
        )
        for g, at in groups
    ]


def _occurrence_key(o: Occurrence) -> str:
    """Everything of an occurrence its events show (the window's own text comes from the
    shipped content, which FEED_FORMAT covers)."""
    return (
        f"{o.key}|{o.title}|{o.track}|{o.opens_on}|{o.closes_on}|{o.url}|{o.opens_text}|"
        f"{o.closes_text}|{','.join(o.class_years)}"
    )


def _session_events(sessions: Iterable[Session], now: datetime) -> list[bytes]:
    events = []
    for session in sessions:
        starts = session.starts_at.astimezone(UTC)
        others = _and(session.others) or "your group"
        events.append(
            timed_event(
                # Stable per group: a re-paired group updates its event instead of adding one.
                uid=f"pairing-{session.group_id}@clubbot",
                summary="Mock interview (clubbot pairing)",
                starts=starts,
                ends=starts + SESSION_LENGTH,
                stamp=now,
                description=f"With {others}. Your first common half hour: "
                f"{starts:%a %d %b %Y, %H:%M} UTC (your calendar shows it in your zone); "
                "agree on the time in your DMs. /mockpair shows your question pack.",
            )
        )
    return events


def _and(names: Sequence[str]) -> str:
    """'Priya', 'Priya and Jordan', 'Priya, Jordan and Mei'."""
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
