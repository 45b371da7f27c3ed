"""/calendar hands out subscription links; the feeds behind them stay current, answer 304
when unchanged, keep UIDs stable, and stop working when reset."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from icalendar import Calendar

from bot.model import User
from bot.web.store import CLUB_FEED, WebStore
from bot.windows import club_feed
from tests.conftest import ADMIN, MEMBER, Club
from tests.web.conftest import WebClub


def _links(text: str) -> list[str]:
    """The https paths of the webcal links in a /calendar reply."""
    return list(re.findall(r"webcal://club\.example\.org(\S+)", text))


async def _my_feed(club: WebClub, line: str = "/calendar") -> tuple[str, str]:
    answer = await club.run(line, as_user=MEMBER)
    mine, whole = _links(answer.text)
    return mine, whole


def _events(body: bytes) -> dict[str, str]:
    """UID -> SUMMARY of every event, parsed back with icalendar (RFC 5545)."""
    feed = Calendar.from_ical(body)
    return {str(e["UID"]): str(e["SUMMARY"]) for e in feed.walk("VEVENT")}


async def test_calendar_answers_with_subscription_links_and_the_file(web_club: WebClub) -> None:
    answer = await web_club.run("/calendar", as_user=MEMBER)
    mine, whole = _links(answer.text)
    assert mine != whole
    token = mine.removeprefix("/feeds/").removesuffix(".ics")
    assert len(token) == 22  # 128 random bits, URL-safe
    assert answer.attachment is not None
    assert answer.attachment.content.startswith(b"BEGIN:VCALENDAR")
    (button,) = answer.buttons
    assert button.url.startswith("https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2F")
    # The same link next time: a member subscribes once.
    again, _ = _links((await web_club.run("/calendar", as_user=MEMBER)).text)
    assert again == mine


async def test_a_feed_is_valid_ics_with_the_clubs_deadlines(web_club: WebClub) -> None:
    await web_club.run(
        '/admin deadlines add title:"Club resume review" date:2026-12-04', as_user=ADMIN
    )
    mine, whole = await _my_feed(web_club)
    for path in (mine, whole):
        response = await web_club.web.get(path)
        assert response.status == 200
        assert response.content_type == "text/calendar"
        assert response.headers["Cache-Control"] == "private, max-age=900"
        summaries = _events(await response.read()).values()
        assert "Club resume review" in summaries  # a one-day club date: one event


async def test_an_unchanged_feed_answers_304_and_a_change_updates_the_same_event(
    web_club: WebClub,
) -> None:
    await web_club.run('/admin deadlines add title:"Mock day" date:2026-12-10', as_user=ADMIN)
    mine, _ = await _my_feed(web_club)
    first = await web_club.web.get(mine)
    etag = first.headers["ETag"]
    before = _events(await first.read())
    unchanged = await web_club.web.get(mine, headers={"If-None-Match": etag})
    assert unchanged.status == 304
    assert await unchanged.read() == b""

    listed = await web_club.run("/admin deadlines list", as_user=ADMIN)
    deadline_id = re.search(r"#?(\d+)", listed.text + "".join(f.value for f in listed.fields))
    assert deadline_id is not None
    await web_club.run(
        f'/admin deadlines edit id:{deadline_id.group(1)} title:"Mock interview day"', as_user=ADMIN
    )
    changed = await web_club.web.get(mine, headers={"If-None-Match": etag})
    assert changed.status == 200
    assert changed.headers["ETag"] != etag
    after = _events(await changed.read())
    renamed = [uid for uid, summary in after.items() if summary.startswith("Mock interview day")]
    assert renamed
    assert all(uid in before for uid in renamed)
    assert len(after) == len(before)


async def test_a_member_feed_follows_their_alerts_and_a_track_feed_its_track(
    web_club: WebClub,
) -> None:
    _, quant = await _my_feed(web_club, "/calendar track:quant")
    assert quant.endswith("?track=quant")
    only_quant = _events(await (await web_club.web.get(quant)).read())
    whole = _events(await (await web_club.web.get(quant.split("?")[0])).read())
    assert only_quant
    assert only_quant.keys() < whole.keys()

    mine, _ = await _my_feed(web_club)
    assert _events(await (await web_club.web.get(mine)).read()).keys() == whole.keys()
    await web_club.run("/alerts subscribe target:quant", as_user=MEMBER)
    # The same link, now showing only what the member follows.
    assert _events(await (await web_club.web.get(mine)).read()).keys() == only_quant.keys()


async def test_resetting_a_feed_stops_the_old_link(web_club: WebClub) -> None:
    mine, whole = await _my_feed(web_club)
    answer = await web_club.run("/calendar reset:mine", as_user=MEMBER)
    new, same_club = _links(answer.text)
    assert new != mine
    assert same_club == whole
    assert (await web_club.web.get(mine)).status == 404
    assert (await web_club.web.get(new)).status == 200
    refused = await web_club.run("/calendar reset:club", as_user=MEMBER)
    assert "Only officers" in refused.text
    by_officer = await web_club.run("/calendar reset:club", as_user=ADMIN)
    assert _links(by_officer.text)[1] != whole
    assert (await web_club.web.get(whole)).status == 404


async def test_a_members_and_the_clubs_tokens_are_made_once_even_when_asked_at_once(
    web_club: WebClub,
) -> None:
    """/calendar reads both tokens in one query and makes the missing ones in one write;
    members asking at the same moment all get the tokens that were kept."""
    web = web_club.runtime.store.repo(WebStore)
    await web_club.run("/help", as_user=MEMBER)
    club_id = (await web_club.runtime.store.clubs.all())[0].id
    now = datetime(2026, 9, 1, tzinfo=UTC)
    asked = await asyncio.gather(
        *(web.feed_tokens(club_id, (f"U{n % 3}", CLUB_FEED), now=now) for n in range(6))
    )
    clubs = {a[CLUB_FEED] for a in asked}
    assert len(clubs) == 1, "one club token, whoever made it"
    for n, tokens in enumerate(asked):
        assert tokens[f"U{n % 3}"] == await web.feed_token(club_id, f"U{n % 3}", now=now)
    assert len({a[f"U{n % 3}"] for n, a in enumerate(asked)}) == 3


async def test_unknown_tokens_and_tracks_are_refused(web_club: WebClub) -> None:
    assert (await web_club.web.get("/feeds/AAAAAAAAAAAAAAAAAAAAAA.ics")).status == 404
    mine, _ = await _my_feed(web_club)
    assert (await web_club.web.get(mine + "?track=astrology")).status == 400


async def test_without_public_url_calendar_is_the_file_and_says_how_to_subscribe(
    club: Club,
) -> None:
    answer = await club.run("/calendar", as_user=MEMBER)
    assert answer.attachment is not None
    assert answer.attachment.filename == "internship-windows.ics"
    assert "PUBLIC_URL" in answer.text
    assert "webcal://" not in answer.text
    dashboard = await club.run("/admin dashboard", as_user=ADMIN)
    assert "PUBLIC_URL" in dashboard.text
    assert not club.poster.dms


async def test_a_feed_joined_from_kept_pieces_is_the_file_build_ics_writes(
    web_club: WebClub,
) -> None:
    await web_club.run(
        '/admin deadlines add title:"Résumé, review; 1:1" date:2026-12-04', as_user=ADMIN
    )
    _, whole = await _my_feed(web_club)
    served = await (await web_club.web.get(whole)).read()
    await web_club.web.get(whole)  # again, from the kept pieces
    club = (await web_club.runtime.store.clubs.all())[0]
    written = await club_feed(web_club.runtime.store, club, web_club.clock.now())
    assert served == written


async def test_a_members_feed_holds_their_mock_interview_at_its_slot(web_club: WebClub) -> None:
    partner = User(id="lee", name="lee")
    for member in (MEMBER, partner):
        joined = await web_club.run(
            '/mockpair join track:coding level:3 availability:"wed 18-20" '
            "timezone:America/New_York",
            as_user=member,
        )
        assert "join" in joined.text.lower() or "in" in joined.text.lower(), joined.text
    ran = await web_club.run("/admin mockpair run-now", as_user=ADMIN)
    assert "pair" in (ran.text + "".join(f.value for f in ran.fields)).lower(), ran.text
    mine, _ = await _my_feed(web_club)
    feed = Calendar.from_ical(await (await web_club.web.get(mine)).read())
    (session,) = [e for e in feed.walk("VEVENT") if str(e["UID"]).startswith("pairing-")]
    # Wednesday 18:00 in New York is 23:00 UTC, in the round's week.
    assert session.decoded("DTSTART") == datetime(2026, 11, 18, 23, 0, tzinfo=UTC)
    assert "lee" in str(session["DESCRIPTION"])


async def test_after_a_start_the_clubs_windows_are_drawn_before_any_member_asks(
    web_club: WebClub,
) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web import Site
    from bot.web.server import WARMING, make_app
    from bot.web.state import WEB

    await web_club.run(
        '/admin deadlines add title:"Club mock night" date:2026-12-04', as_user=ADMIN
    )
    await web_club.run("/alerts subscribe target:quant", as_user=MEMBER)
    mine, _ = await _my_feed(web_club)
    served_before = await (await web_club.web.get(mine)).read()

    # The process restarts: a new server, nothing kept, and the warm-up at its start.
    app = make_app(bot=web_club.runtime.bot, site=Site(public_url="https://club.example.org"))
    async with TestClient(TestServer(app)) as restarted:
        await app[WARMING]
        drawn: list[str] = []
        kept = app[WEB].feeds.pieces
        original = kept.get

        def counting(key, draw):
            return original(key, lambda: drawn.append(key) or draw())

        kept.get = counting  # type: ignore[method-assign]
        served = await (await restarted.get(mine)).read()
    assert served == served_before
    assert drawn == [], "the member's first fetch after the start drew nothing"
