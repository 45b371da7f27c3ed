"""A member's own feed honours their choices as their DMs do (a window they're not
interested in is gone, one they applied to is marked and reminds them of nothing), names
mock-interview partners by display name at a UTC slot, and is drawn once per change: a
revalidation is answered from the fingerprint alone, `*` included, gzipped when asked."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, date, datetime

from aiohttp import ClientSession
from icalendar import Calendar

from bot.model import User
from bot.store.clubs import Actor
from bot.store.store import Store
from bot.web.state import WEB
from bot.windows.store import DeadlineChanges, DeadlineStore
from tests.conftest import ADMIN, MEMBER
from tests.web.conftest import WebClub

PRIYA = User(id="912345678901234567", name="Priya N.")
JORDAN = User(id="812345678901234567", name="Jordan Lee")


async def _my_feed(club: WebClub, member: User = MEMBER) -> str:
    answer = await club.run("/calendar", as_user=member)
    return re.findall(r"webcal://club\.example\.org(\S+)", answer.text)[0]


async def _calendar(club: WebClub, path: str) -> Calendar:
    response = await club.web.get(path)
    assert response.status == 200
    return Calendar.from_ical(await response.read())


def _events(feed: Calendar, occurrence: str) -> list:
    """The events of one window's cycle, e.g. "citadel:2027"."""
    return [e for e in feed.walk("VEVENT") if str(e["UID"]).startswith(f"{occurrence}-")]


async def test_a_mute_leaves_the_feed_and_an_application_is_marked_without_reminders(
    web_club: WebClub,
) -> None:
    mine = await _my_feed(web_club)
    before = await _calendar(web_club, mine)
    assert _events(before, "citadel:2027")
    assert _events(before, "jane-street:2027")
    assert any(e.walk("VALARM") for e in _events(before, "google-intern:2027"))

    muted = await web_club.run("/alerts not-interested window:citadel", as_user=MEMBER)
    assert "not interested" in muted.text
    for window in ("jane-street", "google-intern"):
        applied = await web_club.run(f"/alerts applied window:{window}", as_user=MEMBER)
        assert "No more reminders for" in applied.text  # and recorded
    after = await _calendar(web_club, mine)
    assert _events(after, "citadel:2027") == []
    for cycle in ("jane-street:2027", "google-intern:2027"):
        marked = _events(after, cycle)
        assert [e.decoded("DTSTART") for e in marked] == [
            e.decoded("DTSTART") for e in _events(before, cycle)
        ]
        for event in marked:
            assert str(event["SUMMARY"]).startswith("✓ ")
            assert str(event["SUMMARY"]).endswith("(applied)")
            assert event.walk("VALARM") == []
    # Next year's cycle is a new application; other feeds are not this member's.
    assert _events(after, "citadel:2028")
    assert "applied" not in str(_events(after, "google-intern:2028")[0]["SUMMARY"])
    _, whole = re.findall(
        r"webcal://club\.example\.org(\S+)", (await web_club.run("/calendar", as_user=MEMBER)).text
    )
    for path in (whole, await _my_feed(web_club, PRIYA)):
        other = await _calendar(web_club, path)
        assert _events(other, "citadel:2027")
        assert all("applied" not in str(e["SUMMARY"]) for e in _events(other, "jane-street:2027"))


async def test_a_mock_interview_names_the_partners_and_gives_the_slot_in_utc(
    web_club: WebClub,
) -> None:
    # 18-20 in New York and 23-24 in London share Wednesday 23:00 UTC.
    for member, hours in (
        (PRIYA, '"wed 18-20" timezone:America/New_York'),
        (JORDAN, '"wed 23-24" timezone:Europe/London'),
    ):
        await web_club.run(
            f"/mockpair join track:coding level:3 availability:{hours}", as_user=member
        )
    await web_club.run("/admin mockpair run-now", as_user=ADMIN)
    feed = await _calendar(web_club, await _my_feed(web_club, PRIYA))
    (session,) = [e for e in feed.walk("VEVENT") if str(e["UID"]).startswith("pairing-")]
    assert session.decoded("DTSTART") == datetime(2026, 11, 18, 23, 0, tzinfo=UTC)
    assert "DTSTART:20261118T230000Z" in session.to_ical().decode()
    description = str(session["DESCRIPTION"])
    assert "With Jordan Lee." in description
    assert "Wed 18 Nov 2026, 23:00 UTC" in description
    assert JORDAN.id not in description


async def test_a_revalidation_draws_nothing_and_a_feed_is_drawn_once_per_change(
    web_club: WebClub,
) -> None:
    feeds = web_club.web.server.app[WEB].feeds
    drawn: list[str] = []
    original = feeds._draw

    def counting(inputs, now):  # type: ignore[no-untyped-def]
        drawn.append(inputs.fingerprint())
        return original(inputs, now)

    feeds._draw = counting  # type: ignore[method-assign]
    mine = await _my_feed(web_club)  # /calendar attaches a copy: the feed is drawn
    assert len(drawn) == 1
    first = await web_club.web.get(mine)
    etag = first.headers["ETag"]
    assert len(drawn) == 1, "the server serves what /calendar drew (one Feeds per process)"
    for asked in (etag, "*", f"W/{etag}", f'"other", {etag}'):
        again = await web_club.web.get(mine, headers={"If-None-Match": asked})
        assert again.status == 304, asked
        assert again.headers["ETag"] == etag
    second = await web_club.web.get(mine)
    assert second.status == 200
    assert len(drawn) == 1, "the same feed twice is drawn once"
    await web_club.run("/alerts not-interested window:citadel", as_user=MEMBER)
    changed = await web_club.web.get(mine, headers={"If-None-Match": etag})
    assert changed.status == 200
    assert len(drawn) == 2


async def test_a_feed_is_gzipped_for_clients_that_ask(web_club: WebClub) -> None:
    mine = await _my_feed(web_club)
    url = web_club.web.make_url(mine)
    async with ClientSession(auto_decompress=False) as raw:
        async with raw.get(url, headers={"Accept-Encoding": "gzip"}) as zipped:
            assert zipped.headers["Content-Encoding"] == "gzip"
            assert zipped.headers["Vary"] == "Accept-Encoding"
            packed = await zipped.read()
            gz_etag = zipped.headers["ETag"]
        async with raw.get(url, headers={"Accept-Encoding": "identity"}) as plain:
            assert "Content-Encoding" not in plain.headers
            body = await plain.read()
            etag = plain.headers["ETag"]
        async with raw.get(
            url, headers={"Accept-Encoding": "gzip;q=0", "If-None-Match": gz_etag}
        ) as refused:
            assert refused.status == 304
            assert refused.headers["ETag"] == etag
    assert gzip.decompress(packed) == body
    assert body.startswith(b"BEGIN:VCALENDAR")
    assert len(packed) < len(body) / 4
    assert gz_etag != etag


async def test_a_deadline_another_process_adds_reaches_the_feed_at_once(
    web_club: WebClub, database_url: str
) -> None:
    """The feeds keep each club's windows while its configuration is unchanged; a
    deadline added elsewhere (the bot's own process, say) changes it."""
    mine = await _my_feed(web_club)
    first = await web_club.web.get(mine)
    etag = first.headers["ETag"]
    other = await Store.open(database_url)
    try:
        (club,) = await other.clubs.all()
        added = await other.repo(DeadlineStore).add(
            club.id,
            DeadlineChanges(title="Mock night", closes_on=date(2026, 12, 3)),
            actor=Actor(id="alex", name="alex"),
            now=web_club.clock.now(),
        )
    finally:
        await other.close()
    changed = await web_club.web.get(mine, headers={"If-None-Match": etag})
    assert changed.status == 200
    feed = Calendar.from_ical(await changed.read())
    assert f"club-{added.id}-on@clubbot" in {str(e["UID"]) for e in feed.walk("VEVENT")}
