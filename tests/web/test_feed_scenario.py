"""Three simulated weeks of a club whose members live in New York, London and Kolkata, each
with their own choices: what each member's calendar feed says agrees with what the bot
tells them by DM. A window they're reminded of by DM carries reminders in their feed; one
they applied to is marked and reminds of nothing, by DM or feed; one they're not interested
in is in neither; their mock interview is at the instant their pairing DM gives, with the
partners' display names."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.model import Message, User, plain
from tests.web.conftest import WebClub

SAM = User(id="u-sam", name="Sam Ortiz")  # New York
PRIYA = User(id="u-priya", name="Priya N.")  # London
KIM = User(id="u-kim", name="Kim Ji-woo")  # Kolkata
ZONES = {SAM: "America/New_York", PRIYA: "Europe/London", KIM: "Asia/Kolkata"}
# Wednesday 18:00-21:00 in New York is 23:00-02:00 UTC; each gives it in their own zone.
HOURS = {SAM: '"wed 18-21"', PRIYA: '"wed 23-24, thu 0-2"', KIM: '"thu 4:30-7:30"'}
CHOICES = {
    SAM: ("applied", "google-intern"),
    PRIYA: ("not-interested", "apple-aiml-intern"),
    KIM: None,
}
CLOSING = ("google-intern", "apple-aiml-intern")  # both close 30 Nov 2026


def _text(message: Message) -> str:
    return plain(" ".join([message.title, message.text, *(f.value for f in message.fields)]))


def _told(club: WebClub, member: User, since: int) -> list[str]:
    return [_text(m) for user_id, m in club.poster.dms[since:] if user_id == member.id]


async def _feed(club: WebClub, member: User) -> Calendar:
    answer = await club.run("/calendar", as_user=member)
    path = re.findall(r"webcal://club\.example\.org(\S+)", answer.text)[0]
    return Calendar.from_ical(await (await club.web.get(path)).read())


def _closing_event(feed: Calendar, window: str) -> object | None:
    uid = f"{window}:2027-closes@clubbot"
    return next((e for e in feed.walk("VEVENT") if str(e["UID"]) == uid), None)


async def test_each_members_feed_says_what_their_dms_say_over_three_weeks(
    web_club: WebClub,
) -> None:
    for member, zone in ZONES.items():
        await web_club.run("/alerts subscribe target:big-tech", as_user=member)
        await web_club.run(
            f"/mockpair join track:coding level:3 availability:{HOURS[member]} timezone:{zone}",
            as_user=member,
        )
        if CHOICES[member]:
            how, window = CHOICES[member]
            await web_club.run(f"/alerts {how} window:{window}", as_user=member)
    start = len(web_club.poster.dms)
    scheduler = web_club.runtime.scheduler
    for _ in range(21):
        await scheduler.run_until(web_club.clock, web_club.clock.now() + timedelta(days=1))

    for member in ZONES:
        told = _told(web_club, member, start)
        feed = await _feed(web_club, member)
        for window in CLOSING:
            # An application (`/alerts applied` records one) is followed up after two
            # weeks ("Any news from Google?"): that is no reminder of the window.
            reminders = [dm for dm in told if not dm.startswith("Any news")]
            reminded = any(f"window:{window}" in dm or _title(window) in dm for dm in reminders)
            event = _closing_event(feed, window)
            choice = CHOICES[member]
            if choice == ("not-interested", window):
                assert event is None, (member.name, window)
                assert not reminded, (member.name, window)
            elif choice == ("applied", window):
                assert event is not None
                assert str(event["SUMMARY"]).endswith("(applied)")
                assert event.walk("VALARM") == []
                assert not reminded, (member.name, window)
            else:
                assert event is not None
                assert event.walk("VALARM"), (member.name, window)
                assert reminded, (member.name, window, told)
        _same_session(member, feed, told)


def _title(window: str) -> str:
    return {"google-intern": "Google", "apple-aiml-intern": "Apple"}[window]


def _same_session(member: User, feed: Calendar, told: list[str]) -> None:
    """The member's feed holds each week's mock interview at the instant their DM gives."""
    sessions = [e for e in feed.walk("VEVENT") if str(e["UID"]).startswith("pairing-")]
    rounds = [dm for dm in told if "Your mock interview this week" in dm]
    assert sessions, member.name
    assert len(sessions) == len(rounds), (member.name, rounds)
    others = {m.name for m in ZONES if m != member}
    zone = ZoneInfo(ZONES[member])
    for session in sessions:
        starts = session.decoded("DTSTART")
        assert starts.utcoffset() == timedelta(0)
        description = str(session["DESCRIPTION"])
        assert f"{starts:%a %d %b %Y, %H:%M} UTC" in description
        assert all(name in description for name in others), description
        assert not any(m.id in description for m in ZONES)
        local = starts.astimezone(zone).strftime("%a %d %b %H:%M %Z")
        assert any(local in dm for dm in rounds), (member.name, local, rounds)
    assert all(s.decoded("DTSTART") > datetime(2026, 11, 16, tzinfo=UTC) for s in sessions)
