"""Issue 26's delivery policy: a post whose build fails is not retried every minute (the
officers are told once, and it is tried again at its next occurrence), and a DM recorded as
sent is never sent again, even when the database would not take its record at first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

import bot.postings.digest
from bot.model import Message
from tests.conftest import ADMIN, MEMBER, SETUP, Club
from tests.postings.feeds import posted
from tests.postings.test_live import _club_with_postings, _poll, feeds, pool

__all__ = ["feeds", "pool"]


async def test_a_digest_that_cannot_be_built_dms_followers_once_and_tells_officers_once(
    club: Club, feeds, pool, monkeypatch
):
    await _club_with_postings(club, feeds)
    now = club.clock.now()
    feeds.serve("/listings.json", [posted(e, now) for e in pool[:40]])
    company = pool[0]["company_name"]
    await club.run(f'/postings follow company:"{company}"', as_user=MEMBER)
    builds = []

    def too_long(*args, **kwargs):  # what an oversized digest did before issue 26
        builds.append(club.clock.now())
        raise ValueError("message is 8,113 characters; at most 6,000")

    monkeypatch.setattr(bot.postings.digest, "digest_message", too_long)
    for _ in range(3):
        await _poll(club)
    assert len(builds) == 3, "once per poll with news, not every minute"
    assert [to for to, _ in club.poster.dms] == [MEMBER.id], "the follower's DM went once"
    told = [m for m in club.poster.messages("officers") if m.title == "A scheduled post failed"]
    assert len(told) == 1
    assert "ValueError: message is 8,113 characters" in told[0].text


async def test_a_dm_whose_record_failed_at_first_is_not_sent_again(club: Club):
    await club.run(SETUP, as_user=ADMIN)
    claims = club.runtime.store.claims
    real, failures = claims.finish_many, [2]

    async def flaky(finished, **kwargs):
        if failures[0] > 0 and any(f.key.kind.endswith(":dm") for f in finished):
            failures[0] -= 1
            raise OperationalError("UPDATE claims", {}, ConnectionResetError("reset"))
        return await real(finished, **kwargs)

    claims.finish_many = flaky
    the_club = (await club.runtime.store.clubs.all())[0]
    message = Message(title="3 days left: Google STEP", text="…")

    async def remind():
        return await club.runtime.scheduler.delivery.dm_once(
            the_club,
            kind="deadline_alerts",
            occurrence="2026-11-16:closing",
            user_id="sam",
            message=message,
        )

    assert (await remind(), failures) == ("posted", [0])
    club.clock.advance(timedelta(minutes=10))  # long past the lease
    await club.runtime.scheduler.retry_failed()
    assert await remind() == "taken"
    assert [to for to, _ in club.poster.dms] == ["sam"]


@pytest.mark.parametrize("times", [1, 3])
async def test_the_same_about_once_ever_is_one_dm_whichever_run_sends_it(club: Club, times):
    from bot.jobs import JobRun

    await club.run(SETUP, as_user=ADMIN)
    the_club = (await club.runtime.store.clubs.all())[0]
    for hour in range(times):
        run = JobRun(
            kind="postings_digest",
            club=the_club,
            due_at=club.clock.now(),
            occurrence=f"2026-11-16T{15 + hour}Z",
            now=club.clock.now(),
            store=club.runtime.store,
            timetable=club.runtime.scheduler,
            deliverer=club.runtime.scheduler.delivery,
        )
        await run.dm("sam", Message(text="Acme posted"), about="posting-12-15", once_ever=True)
    assert len(club.poster.dms) == 1
