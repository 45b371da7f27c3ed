"""What the core tells a poster about a post: the occurrence it is for (the same on every
attempt), and whether an earlier attempt may already have posted it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.model import Message, Place
from bot.posting import PostFailed, PostKey
from bot.problems.posts import DAILY
from bot.store.claims import FAILED, ClaimKey, Finish
from tests.conftest import ADMIN, MONDAY, SETUP, Club

LEASE = timedelta(minutes=5)


async def test_a_claim_is_in_doubt_only_when_its_last_owner_died_unrecorded(store):
    club = await store.clubs.get_or_create(
        platform="console", workspace_id="ws", name="club", now=MONDAY
    )
    fresh, died, failed = (
        ClaimKey(club_id=club.id, kind="daily", occurrence=f"2026-11-{d}") for d in (16, 17, 18)
    )
    await store.claims.claim_many({died: MONDAY, failed: MONDAY}, owner="dead", now=MONDAY)
    await store.claims.finish(failed, status=FAILED, now=MONDAY, error="503")
    later = MONDAY + LEASE + timedelta(seconds=1)
    due = dict.fromkeys((fresh, died, failed), MONDAY)
    assert await store.claims.claim_each(due, owner="next", now=later) == {
        fresh: False,
        died: True,  # posted or not: nobody knows
        failed: False,  # the platform said it failed
    }


@dataclass
class KeyedPoster:
    """Records the key of every post; the first post of `fail_kind` fails."""

    fail_kind: str
    keys: list[PostKey] = field(default_factory=list)

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        assert key is not None
        self.keys.append(key)
        if key.key.split(":")[1] == self.fail_kind:
            self.fail_kind = ""
            raise PostFailed("503 Service Unavailable")
        return f"m{len(self.keys)}"

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        return await self.post(place, message, key=key)


async def test_every_attempt_of_an_occurrence_carries_the_same_key(club: Club):
    poster = KeyedPoster(fail_kind=DAILY)
    club.runtime.scheduler.delivery.poster = poster
    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, MONDAY + timedelta(days=1, hours=1))
    daily = [k for k in poster.keys if k.key.split(":")[1] == DAILY]
    assert len(daily) == 2, poster.keys  # the failed attempt and its retry
    assert daily[0].key == daily[1].key
    assert [k.in_doubt for k in daily] == [False, False], "a reported failure is not in doubt"
    assert all(k.since is not None and k.since <= club.clock.now() for k in daily)
    assert len(daily[0].nonce) <= 25


@dataclass
class TimingOutPoster(KeyedPoster):
    """The first post of `fail_kind` times out after the platform made it."""

    made: list[str] = field(default_factory=list)

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        assert key is not None
        self.keys.append(key)
        if key.in_doubt and key.key in self.made:
            return "found"  # what Slack's look-up or Discord's nonce answers
        self.made.append(key.key)
        if key.key.split(":")[1] == self.fail_kind:
            self.fail_kind = ""
            raise PostFailed("TimeoutError: no answer in 30 s", maybe_posted=True)
        return f"m{len(self.keys)}"


async def test_a_post_that_timed_out_is_retried_in_doubt_and_not_made_twice(club: Club):
    """A timeout leaves the outcome unknown: the retry asks the platform first (issue 27)."""
    poster = TimingOutPoster(fail_kind=DAILY)
    club.runtime.scheduler.delivery.poster = poster
    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, MONDAY + timedelta(days=1, hours=1))
    daily = [k for k in poster.keys if k.key.split(":")[1] == DAILY]
    assert [k.in_doubt for k in daily] == [False, True]
    assert poster.made.count(daily[0].key) == 1
    [claim] = [c for c in await _claims(club) if c.key.kind == DAILY]
    assert (claim.status, claim.message_ref, claim.attempts) == ("posted", "found", 2)


async def _claims(club: Club):
    club_id = (await club.runtime.store.clubs.all())[0].id
    return await club.runtime.store.claims.since(club_id, since=MONDAY)


async def test_a_failure_the_platform_reported_stays_out_of_doubt_after_the_retry(store):
    club = await store.clubs.get_or_create(
        platform="console", workspace_id="ws", name="club", now=MONDAY
    )
    key = ClaimKey(club_id=club.id, kind="daily", occurrence="2026-11-16")
    await store.claims.claim_many({key: MONDAY}, owner="a", now=MONDAY)
    await store.claims.finish(key, status=FAILED, now=MONDAY, error="timeout")
    later = MONDAY + timedelta(minutes=2)
    assert await store.claims.claim_each({key: MONDAY}, owner="b", now=later) == {key: False}
    await store.claims.finish_many(
        [Finish(key=key, status=FAILED, error="timeout", in_doubt=True)], now=later
    )
    again = later + timedelta(minutes=2)
    assert await store.claims.claim_each({key: MONDAY}, owner="c", now=again) == {key: True}
