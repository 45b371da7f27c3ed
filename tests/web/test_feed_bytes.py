"""The feeds a club's members subscribed to are, byte for byte, what icalendar drew for
them before the feeds were written by hand: a calendar app sees no change, and a cached
ETag still names the same body. The club here is awkward on purpose: a name with a comma
and an accent, deadlines with semicolons, backslashes, emoji and long titles, a window a
member applied to, and mock-interview partners with non-ASCII names."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar

from bot.club_time import local
from bot.model import User
from bot.store.clubs import Actor, ClubChanges
from bot.web.feeds import member_sessions
from bot.windows import club_feed, member_windows, reminder_days, track_windows
from bot.windows.store import DeadlineChanges, DeadlineStore
from tests.conftest import ADMIN, MEMBER
from tests.web.conftest import WebClub
from tests.web.test_feeds import _links
from tests.windows import icalendar_reference as reference

ZOE = User(id="712345678901234567", name="Zoë O'Brien, Jr.; 🎉")
JOSE = User(id="612345678901234567", name="José Ñúñez \\ the second")

DEADLINES = (
    DeadlineChanges(
        title="Résumé review; bring 2 copies, a pen \\ and 🎉 — " + "long " * 20,
        closes_on=date(2026, 12, 4),
        url="https://example.org/a,b;c?d=é&e=\\f",
    ),
    DeadlineChanges(
        title="Career fair: two days, many booths",
        opens_on=date(2026, 12, 1),
        closes_on=date(2026, 12, 2),
    ),
    DeadlineChanges(title="ÅÄÖ " * 30, closes_on=date(2027, 1, 15)),
)


async def _awkward_club(club: WebClub) -> None:
    store = club.runtime.bot.store
    (row,) = await store.clubs.all()
    actor = Actor(id=ADMIN.id, name=ADMIN.name)
    now = club.clock.now()
    await store.clubs.change(
        row.id, ClubChanges(name="Café Coders, Zürich; \\ 🎉"), actor=actor, now=now
    )
    for deadline in DEADLINES:
        await store.repo(DeadlineStore).add(row.id, deadline, actor=actor, now=now)
    await club.run("/alerts applied window:jane-street", as_user=MEMBER)
    for member, hours in (
        (ZOE, '"wed 18-20" timezone:America/New_York'),
        (JOSE, '"wed 23-24" timezone:Europe/London'),
    ):
        await club.run(f"/mockpair join track:coding level:3 availability:{hours}", as_user=member)
    await club.run("/admin mockpair run-now", as_user=ADMIN)


async def _member_reference(club: WebClub, member: User) -> bytes:
    """The member's feed as the icalendar code drew it: head, each window, sessions, end."""
    store, now = club.runtime.bot.store, club.clock.now()
    (row,) = await store.clubs.all()
    windows = await member_windows(store, row, member.id, local(now, row.timezone).date())
    sessions = await member_sessions(store, row.id, member.id)
    leads = reminder_days(row)
    return b"".join(
        (
            reference.feed_head(f"{row.name}: my windows and sessions"),
            *(
                reference.occurrence_ical(
                    w.occurrence, reminder_days=leads, stamp=now, applied=w.applied
                )
                for w in windows
            ),
            *reference.session_events(((s.group_id, s.starts_at, s.others) for s in sessions), now),
            reference.END,
        )
    )


async def test_member_feeds_are_the_bytes_icalendar_drew(web_club: WebClub) -> None:
    await _awkward_club(web_club)
    for member in (MEMBER, ZOE):
        mine, _ = _links((await web_club.run("/calendar", as_user=member)).text)
        served = await (await web_club.web.get(mine)).read()
        assert served == await _member_reference(web_club, member)
    feed = Calendar.from_ical(served)
    (session,) = [e for e in feed.walk("VEVENT") if str(e["UID"]).startswith("pairing-")]
    assert "With José Ñúñez \\ the second." in str(session["DESCRIPTION"])


async def test_club_feeds_and_the_calendar_file_are_the_bytes_icalendar_drew(
    web_club: WebClub,
) -> None:
    await _awkward_club(web_club)
    store, now = web_club.runtime.bot.store, web_club.clock.now()
    (row,) = await store.clubs.all()
    today = local(now, row.timezone).date()
    _, whole = _links((await web_club.run("/calendar", as_user=MEMBER)).text)
    for track in ("quant", None):
        path = whole + (f"?track={track}" if track else "")
        served = await (await web_club.web.get(path)).read()
        windows = await track_windows(store, row, today, track=track)
        name = f"{row.name} internship windows" + (f" ({track})" if track else "")
        assert served == reference.build_ics(
            windows, calendar_name=name, reminder_days=reminder_days(row), stamp=now
        )
    every = await track_windows(store, row, today)
    assert await club_feed(store, row, now) == reference.build_ics(
        every,
        calendar_name=f"{row.name} internship windows",
        reminder_days=reminder_days(row),
        stamp=now,
    )
    summaries = {str(e["SUMMARY"]) for e in Calendar.from_ical(served).walk("VEVENT")}
    assert DEADLINES[0].title in summaries  # a one-day club date: its title alone
