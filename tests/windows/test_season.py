"""A fall season in a Los Angeles club: what the channel and each subscriber are told.

Members follow a rolling track (quant), a research track as a PhD student, one
program as a sophomore and the club's own dates; officers add a one-day date, a
two-day event and a deadline that opens on a Monday.
"""

from datetime import UTC, datetime

from bot.model import Message, User
from tests.conftest import ADMIN

SETUP_LA = "/admin setup timezone:America/Los_Angeles deadlines:#deadlines alerts:#officers"
SAM, KIM, LEE, NOOR = (User(id=n, name=n) for n in ("sam", "kim", "lee", "noor"))


def _fields(message: Message) -> dict[str, str]:
    return {f.name: f.value for f in message.fields}


def _bullets(message: Message) -> list[str]:
    return [t for f in message.fields for t in f.value.splitlines() if t.startswith("•")]


def _dms(club, user: User) -> list[Message]:
    return [m for u, m in club.poster.dms if u == user.id]


async def _as_year(club, user: User, year: str, line: str) -> Message:
    await club.run(f"/deadlines year:{year}", as_user=user)  # remembered
    return await club.run(line, as_user=user)


async def _season(club) -> dict[str, Message]:
    """Plays 25 Aug to 1 Dec 2026; the subscribe replies, by member."""
    await club.run(SETUP_LA, as_user=ADMIN)
    club.clock.set(datetime.fromisoformat("2026-08-25T10:00-07:00").astimezone(UTC))
    for line in (
        '/admin deadlines add title:"Career fair RSVP" date:2026-10-19',
        '/admin deadlines add title:"Fall mixer" date:2026-11-05..2026-11-06',
        '/admin deadlines add title:"Officer applications" date:2026-11-16..2026-11-20',
    ):
        assert "Added" in (await club.run(line, as_user=ADMIN)).text
    replies = {
        "sam": await club.run("/alerts subscribe target:quant", as_user=SAM),
        "kim": await _as_year(club, KIM, "phd", "/alerts subscribe target:research-lab"),
        "noor": await _as_year(club, NOOR, "sophomore", "/alerts subscribe target:google-step"),
        "lee": await club.run("/alerts subscribe target:club", as_user=LEE),
    }
    end = datetime.fromisoformat("2026-12-01T10:00-08:00").astimezone(UTC)
    await club.runtime.scheduler.run_until(club.clock, end)
    return replies


async def test_a_fall_season_tells_each_subscriber_of_every_phase_change_once(club):
    replies = await _season(club)
    # The reply says what will come, and when the first DM is due.
    assert replies["sam"].text == (
        "Subscribed to quant. You'll get a DM when a window opens, when one turns late and "
        "14 days before a rolling window's estimated end. Next: 01 Sep 2026, Now late: "
        "Citadel / Citadel Securities Quant and ML internships."
    )
    assert "Ai2) Research internship takes applications year-round: no reminders" in (
        replies["kim"].text
    )
    assert replies["noor"].text.endswith("Next: 15 Oct 2026, Open now: Google STEP internship.")
    assert replies["lee"].text == (
        "Subscribed to club. You'll get a DM 14, 3, 1 days before a fixed close or a club "
        "event's start. Next: 05 Oct 2026, 14 days left: Career fair RSVP."
    )

    # Quant is rolling: no close to count down to, but it turns late on 1 September.
    [late] = _dms(club, SAM)
    assert late.title == "3 updates on what you follow"
    assert late.text.startswith("Now open, but late:\n• Citadel")
    assert late.text.count("open but late (the best offices fill first)") == 3

    # A PhD student following research labs: DeepMind and FAIR open (on dates no article
    # gives, so "about now"), then turn late; Ai2 is year-round and never reminds.
    opened, turned = _dms(club, KIM)
    assert opened.text.startswith("Opening about now (an estimated date)")
    assert "Meta FAIR" in opened.text
    assert turned.text.startswith("Now open, but late:\n• Google DeepMind")

    # A sophomore following Google STEP: it opens (its line says it may close in 14 days),
    # may close in 3 and 1 days, then turns late rather than closed.
    assert [m.title for m in _dms(club, NOOR)] == [
        "Open now: Google STEP internship",
        "Google STEP internship may close in 3 days",
        "Google STEP internship may close in 1 day",
        "Now late: Google STEP internship",
    ]
    assert "the earliest in 14 days" in _dms(club, NOOR)[0].text
    assert "the window runs 2-4 weeks: it may already have closed" in _dms(club, NOOR)[-1].text

    # The club's own dates: a date is reminded before it falls, an event before it starts.
    assert [m.title for m in _dms(club, LEE)] == [
        "14 days left: Career fair RSVP",
        "3 days left: Career fair RSVP",
        "1 day left: Career fair RSVP",
        "Fall mixer starts in 14 days",
        "2 updates on what you follow",  # 2 Nov: the mixer in 3 days, applications in 14
        "Fall mixer starts in 1 day",
        "Officer applications starts in 3 days",
        "Officer applications starts in 1 day",
    ]
    assert all("Closing soon" not in m.text for m in _dms(club, LEE)[3:])
    _the_channel_hears_each_date_once_a_minute(club)


def _the_channel_hears_each_date_once_a_minute(club) -> None:
    posts = club.poster.messages("deadlines")
    weekly = {
        m.title.removeprefix("Internship windows · week of "): m
        for m in posts
        if "week of" in m.title
    }
    daily = {
        m.title.removeprefix("Deadlines · "): m for m in posts if m.title.startswith("Deadlines")
    }
    assert len(weekly) == 14, "every Monday from 31 Aug to 30 Nov"
    for week, post in weekly.items():
        bullets = _bullets(post)
        assert len(bullets) == len(set(bullets)), week
        monday = datetime.strptime(f"{week} 2026", "%d %b %Y").date()
        same_minute = daily.get(f"{monday:%a %d %b}")
        if same_minute is not None:
            assert not set(_bullets(same_minute)) & set(bullets), f"{week}: listed twice at 09:00"
    # The officers' deadline opening on Monday 16 Nov is listed once that week, as a club date.
    officer = [b for b in _bullets(weekly["16 Nov"]) if "Officer applications" in b]
    assert officer == ["• Officer applications (club): on now, until 20 Nov 2026"]
    assert "Club dates" in _fields(weekly["16 Nov"])
    # The two-day event: a club date that starts, never a window closing before it starts.
    mixer = [
        (m.title, f.name, t)
        for m in posts
        for f in m.fields
        for t in f.value.splitlines()
        if "Fall mixer" in t
    ]
    assert mixer, "the mixer is announced"
    assert all(name in ("Club dates", "Starting soon") for _, name, _ in mixer), mixer
    assert (
        "Internship windows · week of 02 Nov",
        "Club dates",
        "• Fall mixer (club): starts 05 Nov 2026, in 3 days; until 06 Nov",
    ) in mixer


async def test_deadlines_show_a_club_event_by_its_start(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    club.clock.set(datetime.fromisoformat("2026-11-02T10:00-08:00").astimezone(UTC))
    await club.run(
        '/admin deadlines add title:"Fall mixer" date:2026-11-05..2026-11-06', as_user=ADMIN
    )
    listed = _fields(await club.run("/deadlines", as_user=SAM))
    assert (
        listed["Club dates"] == "• Fall mixer (club): starts 05 Nov 2026, in 3 days; until 06 Nov"
    )
    assert "Fall mixer" not in listed.get("Closing in the next 14 days", "")
    club.clock.set(datetime.fromisoformat("2026-11-05T10:00-08:00").astimezone(UTC))
    listed = _fields(await club.run("/deadlines", as_user=SAM))
    assert listed["Club dates"] == "• Fall mixer (club): on now, until 06 Nov 2026"
    club.clock.set(datetime.fromisoformat("2026-11-09T10:00-08:00").astimezone(UTC))
    whole = await club.run("/deadlines when:all", as_user=SAM)
    assert "• Fall mixer (club): was on 05 Nov-06 Nov 2026" in "\n".join(_bullets(whole))
