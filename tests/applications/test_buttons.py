"""The I applied button where a member meets a program or a posting: under each posting of
the club's digest and of a follower's DM, of `/postings search` and `/postings recent`, on a
window reminder DM and on `/deadlines program:`. A click, from the channel or from a DM,
records the application in the club the button came from, as `/applied` would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.applications import ApplicationStore
from bot.applied import APPLIED_ACTION, applied_to
from bot.model import Message, User
from bot.postings.store import PostingStore
from bot.windows import DeadlineStore
from tests.adapters.limits import assert_fits
from tests.applications.helpers import click
from tests.conftest import ADMIN, MEMBER, SETUP, Club
from tests.postings.feeds import Feeds, live_entries, posted, sample, start_feeds

KIM = User(id="kim", name="Kim")
DIGEST = "New internship postings"


@pytest.fixture
async def feeds() -> AsyncIterator[Feeds]:
    async for served in start_feeds():
        yield served


async def _club_id(club: Club) -> int:
    return (await club.runtime.store.clubs.all())[0].id


async def _mine(club: Club, user: User = MEMBER):
    return await club.runtime.store.repo(ApplicationStore).mine(await _club_id(club), user.id)


def _applied(message: Message) -> list[tuple[str, str]]:
    """(label, what) of each I applied button, in order; each names the club."""
    found = []
    for button in message.buttons:
        if button.action == APPLIED_ACTION:
            named = applied_to(button.value)
            assert named is not None
            found.append((button.label, f"{named.kind}:{named.what}"))
    return found


async def _ids_by_url(club: Club) -> dict[str, int]:
    repo = club.runtime.store.repo(PostingStore)
    stored = await repo.posted_since(datetime(2000, 1, 1, tzinfo=UTC))
    return {s.posting.url: s.id for s in stored}


def _urls(message: Message) -> list[str]:
    """The apply links the message shows, in order."""
    lines = "\n".join(f.value for f in message.fields).splitlines()
    return [line for line in lines if line.startswith("http")]


async def test_the_digest_and_a_followers_dm_carry_a_button_per_posting_each_recorded(club, feeds):
    pool = live_entries(sample())
    company = pool[0]["company_name"]
    club.runtime.postings.settings = feeds.settings()
    await club.run(SETUP, as_user=ADMIN)
    await club.run("/admin postings settings enabled:yes", as_user=ADMIN)
    await club.run(f'/postings follow company:"{company}"', as_user=MEMBER)
    feeds.serve("/listings.json", [posted(e, club.clock.now()) for e in pool[:12]])
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(hours=1))

    [digest] = [m for m in club.poster.messages("deadlines") if m.title == DIGEST]
    ids = await _ids_by_url(club)
    shown = [ids[u] for u in _urls(digest)]
    assert len(shown) >= 10
    assert [what for _, what in _applied(digest)] == [f"posting:{i}" for i in shown]
    assert all(label.startswith("I applied: ") for label, _ in _applied(digest))
    assert "`/applied`" not in digest.text, "every posting has its button"
    assert_fits(digest)

    first = digest.buttons[0]
    reply = await click(club, first.action, first.value, as_user=KIM)
    assert reply.ephemeral
    assert [a.posting_id for a in await _mine(club, KIM)] == [shown[0]]

    [(to, dm)] = club.poster.dms
    assert to == MEMBER.id
    [(label, what)] = _applied(dm)
    assert label.startswith(f"I applied: {company}"[:70])
    # The DM's click reaches the bot outside the club's workspace: it is the club's still.
    button = next(b for b in dm.buttons if b.action == APPLIED_ACTION)
    reply = await click(club, button.action, button.value, as_user=MEMBER, workspace="dm-sam")
    assert reply.title.startswith(f"#1 {company}")
    assert [f"posting:{a.posting_id}" for a in await _mine(club)] == [what]


async def test_a_digest_with_more_postings_than_buttons_says_where_the_rest_are(club, feeds):
    pool = live_entries(sample())
    club.runtime.postings.settings = feeds.settings()
    await club.run(SETUP, as_user=ADMIN)
    await club.run("/admin postings settings enabled:yes", as_user=ADMIN)
    # Eight companies with short links and one place each: 40 postings fit one message
    # (five a company), more than one message has buttons for.
    short = [
        {**e, "company_name": f"Co {n % 8}", "url": f"https://j.example/{n}", "locations": ["NYC"]}
        for n, e in enumerate(pool)
    ]
    feeds.serve("/listings.json", [posted(e, club.clock.now()) for e in short[:120]])
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(hours=1))
    [digest] = [m for m in club.poster.messages("deadlines") if m.title == DIGEST]
    assert_fits(digest)
    ids = await _ids_by_url(club)
    shown = [ids[u] for u in _urls(digest)]
    assert len(shown) > 25, "the page shows more postings than a message has buttons"
    assert [what for _, what in _applied(digest)] == [f"posting:{i}" for i in shown[:25]]
    assert "I applied buttons for the first 25; for the others, `/applied`." in digest.text


async def test_postings_search_and_recent_answer_with_a_button_per_posting(club, feeds):
    pool = live_entries(sample())
    club.runtime.postings.settings = feeds.settings()
    await club.run(SETUP, as_user=ADMIN)
    await club.run("/admin postings settings enabled:yes", as_user=ADMIN)
    feeds.serve("/listings.json", [posted(e, club.clock.now()) for e in pool[:8]])
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(hours=1))
    ids = await _ids_by_url(club)
    for line in ("/postings recent", "/postings search"):
        answer = await club.run(line, as_user=MEMBER)
        shown = [ids[u] for u in _urls(answer)]
        assert shown, line
        assert [what for _, what in _applied(answer)] == [f"posting:{i}" for i in shown], line
    last = answer.buttons[-1]
    await click(club, last.action, last.value, as_user=MEMBER)
    assert [a.posting_id for a in await _mine(club)] == [shown[-1]]


async def test_a_window_reminder_dm_carries_a_button_that_records_and_stops_its_reminders(club):
    await club.run(SETUP, as_user=ADMIN)
    for member in (MEMBER, KIM):
        await club.run("/alerts subscribe target:apple-aiml-intern", as_user=member)
    # Apple's window closes on 30 November: reminders 3 days and 1 day before.
    await club.runtime.scheduler.run_until(club.clock, datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    dm = next(m for user, m in club.poster.dms if user == MEMBER.id and "Apple" in m.title)
    assert _applied(dm) == [
        ("I applied: Apple AIML undergraduate internship", "program:apple-aiml-intern")
    ]
    button = dm.buttons[0]
    reply = await click(club, button.action, button.value, as_user=MEMBER, workspace="dm-sam")
    assert reply.title == "#1 Apple — AIML undergraduate internship"
    mutes = await club.runtime.store.repo(DeadlineStore).mutes(await _club_id(club))
    assert mutes == {MEMBER.id: {"apple-aiml-intern:2027": "applied"}}
    before = len(club.poster.dms)
    await club.runtime.scheduler.run_until(club.clock, datetime(2026, 11, 29, 15, 0, tzinfo=UTC))
    assert [user for user, m in club.poster.dms[before:] if "Apple" in m.title] == [KIM.id]


async def test_deadlines_program_carries_the_careers_page_and_a_button_that_records(club):
    await club.run(SETUP, as_user=ADMIN)
    page = await club.run("/deadlines program:jane-street", as_user=MEMBER)
    assert [b.label for b in page.buttons] == ["Careers page", "I applied"]
    assert _applied(page) == [("I applied", "program:jane-street")]
    button = page.buttons[1]
    reply = await click(club, button.action, button.value, as_user=MEMBER)
    assert "Category: Quant (from the program)." in reply.text
    again = await click(club, button.action, button.value, as_user=MEMBER)
    assert again.text.startswith("Already recorded as #1")
    assert [a.program for a in await _mine(club)] == ["jane-street"]
