"""Live postings end to end: the poll fetches real-format lists from a local server, and
the club hears of each new posting once, in one digest per poll, through its filters."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.console import ConsoleDirectory
from bot.model import Message
from bot.runtime import open_runtime
from tests.conftest import ADMIN, MEMBER, SETUP, Club, RecordingPoster
from tests.postings.feeds import Feeds, live_entries, posted, sample, start_feeds

DIGEST = "New internship postings"


@pytest.fixture
async def feeds() -> AsyncIterator[Feeds]:
    async for served in start_feeds():
        yield served


@pytest.fixture
def pool() -> list[dict[str, Any]]:
    return live_entries(sample())


async def _club_with_postings(club: Club, feeds: Feeds, *sources: str) -> None:
    club.runtime.postings.settings = feeds.settings(*sources)
    await club.run(SETUP, as_user=ADMIN)
    reply = await club.run("/admin postings settings enabled:yes", as_user=ADMIN)
    assert "Saved." in reply.text


async def _poll(club: Club) -> None:
    """An hour passes: one poll slot."""
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(hours=1))


def _digests(club: Club) -> list[Message]:
    return [m for m in club.poster.messages("deadlines") if m.title == DIGEST]


def _urls(message: Message) -> set[str]:
    return {line for f in message.fields for line in f.value.splitlines() if "://" in line}


async def test_a_first_fetch_announces_only_the_days_new_postings_then_304s(
    club,
    feeds,
    pool,
):
    await _club_with_postings(club, feeds)
    now = club.clock.now()
    fresh = [posted(e, now - timedelta(days=1)) for e in pool[:4]]
    feeds.serve("/listings.json", [*fresh, *pool[4:]], etag='"v1"')
    await _poll(club)
    (digest,) = _digests(club)
    assert _urls(digest) == {e["url"] for e in fresh}
    assert {f.name for f in digest.fields} == {e["company_name"] for e in fresh}
    assert "posted 1d ago" in digest.fields[0].value
    await _poll(club)
    assert feeds.requests[-1] == ("/listings.json", '"v1"'), "asked conditionally"
    assert len(_digests(club)) == 1, "a 304 announces nothing"


async def test_an_update_announces_only_what_is_new_to_the_club(club, feeds, pool):
    await _club_with_postings(club, feeds)
    now = club.clock.now()
    first = [posted(e, now - timedelta(hours=5)) for e in pool[:3]]
    feeds.serve("/listings.json", [*first, *pool[3:60]], etag='"v1"')
    await _poll(club)
    assert len(_digests(club)) == 1
    brand_new = {**posted(pool[60], now), "id": "brand-new-1"}
    update = [
        {**first[0], "locations": ["Remote in USA"]},  # changed
        {**first[1], "active": False},  # closed
        {**pool[10], "date_posted": int(now.timestamp())},  # an old entry re-published
        {**pool[11], "id": "new-id", "date_posted": int(now.timestamp())},  # same url
        brand_new,
        {**brand_new, "id": "brand-new-2", "url": brand_new["url"] + "#again"},  # same text
        brand_new,  # the real list repeats ids
        *pool[12:50],  # pool[50:60] and first[2] were removed
    ]
    feeds.serve("/listings.json", update, etag='"v2"')
    await _poll(club)
    digests = _digests(club)
    assert len(digests) == 2
    assert _urls(digests[1]) == {brand_new["url"]}
    await _poll(club)
    assert len(_digests(club)) == 2
    gone = await club.run(f'/postings search company:"{first[2]["company_name"]}"', as_user=MEMBER)
    assert first[2]["url"] not in gone.text + "".join(f.value for f in gone.fields)
    still = await club.run(f'/postings search query:"{brand_new["title"]}"', as_user=MEMBER)
    assert brand_new["url"] in "".join(f.value for f in still.fields)


async def test_failures_keep_what_was_known_and_tell_the_officers_once(
    club,
    feeds,
    pool,
):
    await _club_with_postings(club, feeds)
    now = club.clock.now()
    feeds.serve("/listings.json", [posted(pool[0], now), *pool[1:40]], etag='"v1"')
    await _poll(club)
    good = feeds.routes["/listings.json"]
    feeds.routes["/listings.json"] = type(good)(status=500)
    for _ in range(4):
        await _poll(club)
    settings = await club.run("/admin postings settings", as_user=ADMIN)
    assert "failing since" in settings.fields[0].value
    assert "HTTP 500" in settings.fields[0].value
    alerts = [m for m in club.poster.messages("officers") if m.title == "A postings source fails"]
    assert len(alerts) == 1, "one alert, not one per poll"
    status = await club.run("/admin status", as_user=ADMIN)
    assert "Postings source alert" in "".join(f.value for f in status.fields)
    found = await club.run(f'/postings search company:"{pool[0]["company_name"]}"', as_user=MEMBER)
    assert pool[0]["url"] in "".join(f.value for f in found.fields), "nothing was lost"
    later = {**posted(pool[45], club.clock.now()), "id": "after-outage"}
    feeds.serve("/listings.json", [later, posted(pool[0], now), *pool[1:40]], etag='"v2"')
    await _poll(club)
    assert _urls(_digests(club)[-1]) == {later["url"]}
    assert len(_digests(club)) == 2


@pytest.mark.parametrize(
    ("broken", "error"),
    [
        ({"delay": 2.0}, "no answer within 1 s"),
        ({"cut_at": 5000}, "not valid JSON"),
        ({"body": b'{"listings": []}'}, "the format changed"),
        ({"body": b"[" + b" " * (20 * 2**20) + b"]"}, "over 16 MiB"),
    ],
)
async def test_a_bad_answer_is_reported_and_changes_nothing(
    club, feeds, pool, monkeypatch, broken, error
):
    await _club_with_postings(club, feeds)
    now = club.clock.now()
    feeds.serve("/listings.json", [posted(pool[0], now), *pool[1:40]], etag='"v1"')
    await _poll(club)
    route = feeds.routes["/listings.json"]
    body = json.dumps([posted(pool[41], club.clock.now()), *pool[1:40]]).encode()
    feeds.routes["/listings.json"] = type(route)(**{"body": body, **broken})
    await _poll(club)
    settings = await club.run("/admin postings settings", as_user=ADMIN)
    assert error in settings.fields[0].value
    assert len(_digests(club)) == 1
    recent = await club.run("/postings recent", as_user=MEMBER)
    assert pool[0]["url"] in "".join(f.value for f in recent.fields)


async def test_a_fork_and_company_boards_feed_the_same_digest_and_follows_dm(
    club,
    feeds,
    pool,
):
    await _club_with_postings(
        club,
        feeds,
        f"list:{feeds.url('/listings.json')}",
        f"list:{feeds.url('/fork/listings.json')}",
        "greenhouse:acme",
        "lever:northwind",
    )
    now = club.clock.now()
    fork_entry = {**posted(pool[35], now), "season": "Summer"}
    del fork_entry["terms"]
    feeds.serve("/listings.json", pool[:30])
    feeds.serve("/fork/listings.json", [fork_entry])
    feeds.serve("/v1/boards/acme/jobs", {"jobs": [_greenhouse_job(now)], "meta": {"total": 1}})
    feeds.serve("/v0/postings/northwind", [_lever_posting(now)])  # ?mode=json
    await club.run('/postings follow company:"Acme Robotics"', as_user=MEMBER)
    await _poll(club)
    (digest,) = _digests(club)
    assert _urls(digest) == {
        fork_entry["url"],
        "https://boards.greenhouse.io/acme/jobs/4001",
        "https://jobs.lever.co/northwind/a1b2",
    }
    ((to, dm),) = club.poster.dms
    assert to == MEMBER.id
    assert "Acme Robotics" in dm.fields[0].name
    await _poll(club)
    assert len(club.poster.dms) == 1
    assert len(_digests(club)) == 1


async def test_filters_choose_what_the_club_sees_and_preview_shows_it(
    club,
    feeds,
    pool,
):
    await _club_with_postings(club, feeds)
    now = club.clock.now()
    offers = [e for e in pool if e["sponsorship"] == "Offers Sponsorship"][:3]
    others = [e for e in pool if e["sponsorship"] != "Offers Sponsorship"][:3]
    refused = await club.run("/admin postings settings categories:biology", as_user=ADMIN)
    assert "Unknown category: biology" in refused.text
    await club.run("/admin postings settings sponsorship:offers", as_user=ADMIN)
    fresh = [posted(e, now) for e in [*offers, *others]]
    feeds.serve("/listings.json", fresh)
    await _poll(club)
    (digest,) = _digests(club)
    assert _urls(digest) == {e["url"] for e in offers}
    preview = await club.run("/admin postings preview sponsorship:any", as_user=ADMIN)
    assert "6 postings" in preview.text
    assert "Nothing was saved" in preview.text


async def test_two_processes_fetch_once_and_announce_once(
    database_url,
    clock,
    feeds,
    pool,
):
    posters = [RecordingPoster(), RecordingPoster()]
    runtimes = [
        await open_runtime(
            database_url=database_url,
            clock=clock,
            poster=poster,
            directory=ConsoleDirectory(),
            owner=f"p{i}",
            postings_settings=feeds.settings(),
        )
        for i, poster in enumerate(posters)
    ]
    club = Club(runtime=runtimes[0], poster=posters[0], clock=clock)
    await _club_with_postings(club, feeds)
    feeds.serve("/listings.json", [posted(pool[0], clock.now()), *pool[1:20]])
    slot = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    clock.set(slot)
    for runtime in runtimes:
        (sweep,) = [s for s in runtime.scheduler.sweeps if s.kind == "postings_poll"]
        await runtime.scheduler.run_sweep(sweep, slot)
    assert feeds.count("/listings.json") == 1
    assert sum(len([m for _, m in p.posts if m.title == DIGEST]) for p in posters) == 1
    for runtime in runtimes:
        await runtime.close()


def _greenhouse_job(now: Any) -> dict[str, Any]:
    return {
        "id": 4001,
        "title": "Software Engineering Intern, Summer 2027",
        "updated_at": now.isoformat(),
        "location": {"name": "New York, NY"},
        "absolute_url": "https://boards.greenhouse.io/acme/jobs/4001",
        "company_name": "Acme Robotics",
    }


def _lever_posting(now: Any) -> dict[str, Any]:
    return {
        "id": "a1b2",
        "text": "Machine Learning Intern",
        "categories": {"commitment": "Internship", "location": "Toronto"},
        "createdAt": int(now.timestamp() * 1000),
        "hostedUrl": "https://jobs.lever.co/northwind/a1b2",
    }


async def test_a_window_is_confirmed_open_by_a_posting_that_fits_it(
    club,
    feeds,
    pool,
):
    club.clock.set(datetime(2026, 8, 3, 13, 0, tzinfo=UTC))
    await _club_with_postings(club, feeds)
    before = await club.run("/deadlines", as_user=MEMBER)
    assert "live since" not in "".join(f.value for f in before.fields)
    amazon = {
        **posted(pool[0], datetime(2026, 8, 3, 12, 0, tzinfo=UTC)),
        "company_name": "Amazon",
        "title": "Software Development Engineer Intern",
        "id": "amazon-sde",
        "url": "https://www.amazon.jobs/en/jobs/1/sde-intern",
        "terms": ["Summer 2027"],
    }
    # Last cycle's posting of the same title, closed: this cycle's is a new posting.
    last_cycle = {**amazon, "id": "old", "url": "https://x.org/old", "date_posted": 1717200000}
    last_cycle["active"] = False
    feeds.serve("/listings.json", [last_cycle, amazon, *pool[1:20]])
    await _poll(club)
    after = await club.run("/deadlines", as_user=MEMBER)
    live = next(f for f in after.fields if f.name == "Confirmed open by a live posting")
    assert "Amazon's “Software Development Engineer Intern”, live since 3 Aug" in live.value
    assert amazon["url"] in live.value


async def test_each_fetch_is_counted_by_outcome_for_metrics_and_old_ones_are_pruned(
    club,
    feeds,
    pool,
):
    from bot.postings import PostingStore
    from bot.postings.poll import FETCHES_KEPT
    from bot.web.metrics import Metrics

    await _club_with_postings(club, feeds)
    feeds.serve("/listings.json", pool[:30], etag='"v1"')
    await _poll(club)  # ok
    await _poll(club)  # 304
    feeds.routes["/listings.json"] = type(feeds.routes["/listings.json"])(status=500)
    await _poll(club)  # failed
    metrics = Metrics()
    metrics.watch_posts(club.runtime.store, club.clock)
    text = (await metrics.scrape()).decode()
    source = f'source="{feeds.url("/listings.json")}"'
    for outcome in ("ok", "unchanged", "failed"):
        line = f'clubbot_source_fetches{{outcome="{outcome}",{source}}} 1.0'
        assert line in text, text
    assert f"clubbot_source_up{{{source}}} 0.0" in text
    assert f"clubbot_source_entries{{{source}}} 30.0" in text

    repo = club.runtime.store.repo(PostingStore)
    club.clock.advance(FETCHES_KEPT)
    await _poll(club)  # this poll's claim stays, the three old ones go
    counts = await repo.fetch_counts(since=club.clock.now() - 2 * FETCHES_KEPT)
    assert [(outcome, n) for _, outcome, n in counts] == [("failed", 1)]
