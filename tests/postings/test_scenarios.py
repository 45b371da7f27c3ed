"""Real-format lists replayed through the runtime of a console club, hour by hour: a list
that drops to ten entries closes nothing and alerts once, and what comes back reopens;
today's 2026 category names reach a data club; a fork's `"season": "Summer"` is this
summer; the same job on a company board and on the list is announced once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.model import Message
from bot.postings.store import PostingStore
from tests.conftest import ADMIN, MEMBER, SETUP, Club
from tests.postings.feeds import Feeds, live_entries, posted, sample, start_feeds

DIGEST, ALERT = "New internship postings", "A postings source fails"
EXCERPT = Path(__file__).parent / "fixtures" / "listings-2026-category-excerpt.json"


@pytest.fixture
async def feeds() -> AsyncIterator[Feeds]:
    async for served in start_feeds():
        yield served


async def _start(club: Club, feeds: Feeds, *sources: str, filters: str = "") -> None:
    club.runtime.postings.settings = feeds.settings(*sources)
    await club.run(SETUP, as_user=ADMIN)
    await club.run(f"/admin postings settings enabled:yes {filters}".strip(), as_user=ADMIN)


async def _hours(club: Club, hours: int) -> None:
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(hours=hours))


def _digests(club: Club) -> list[Message]:
    return [m for m in club.poster.messages("deadlines") if m.title == DIGEST]


def _alerts(club: Club) -> list[Message]:
    return [m for m in club.poster.messages("officers") if m.title == ALERT]


def _text(message: Message) -> str:
    return "\n".join([message.text, *(f"{f.name}\n{f.value}" for f in message.fields)])


async def _open(club: Club) -> set[str]:
    stored = await club.runtime.store.repo(PostingStore).posted_since(
        datetime(2000, 1, 1, tzinfo=UTC)
    )
    return {s.posting.ext_id for s in stored if s.open}


async def test_a_list_that_drops_to_ten_entries_closes_nothing_and_alerts_once(club, feeds):
    await _start(club, feeds)
    full = sample()
    feeds.serve("/listings.json", full, etag='"full"')
    await _hours(club, 1)
    before = await _open(club)
    assert len(before) > 250
    feeds.serve("/listings.json", full[:10], etag='"partial"')
    await _hours(club, 6)
    assert await _open(club) == before, "a partial list closes nothing"
    assert len(_alerts(club)) == 1, "the officers hear of it once"
    assert "the list shrank from 451 to 10 entries at once" in _alerts(club)[0].text
    status = await club.run("/admin postings settings", as_user=ADMIN)
    assert "the list shrank" in status.fields[0].value
    feeds.serve("/listings.json", full, etag='"full-again"')
    await _hours(club, 3)
    assert await _open(club) == before
    assert (
        "451 entries" in (await club.run("/admin postings settings", as_user=ADMIN)).fields[0].value
    )
    assert len(_alerts(club)) == 1


async def test_a_list_that_stays_short_for_a_day_is_taken_and_what_returns_reopens(club, feeds):
    await _start(club, feeds)
    full = sample()
    feeds.serve("/listings.json", full, etag='"full"')
    await _hours(club, 1)
    before = await _open(club)
    kept = {e["id"] for e in full[:10] if e["active"] and e["is_visible"]}
    feeds.serve("/listings.json", full[:10], etag='"partial"')
    await _hours(club, 26)
    assert await _open(club) == before & kept, "a day later, the list is what it says"
    feeds.serve("/listings.json", full, etag='"full-again"')
    await _hours(club, 1)
    assert await _open(club) == before, "every entry back in the list is open again"


def _excerpt(now: datetime) -> list[dict[str, Any]]:
    """The 2026 excerpt's real entries, given the ids, dates and links the excerpt left out."""
    entries = []
    for i, real in enumerate(json.loads(EXCERPT.read_text())["entries"]):
        ids = real.get("url_ids") or [f"{9000 + i}"]
        for job in ids:
            entries.append(
                {
                    "id": f"2026-{i}-{job}",
                    "company_name": real["company_name"],
                    "title": real["title"],
                    "category": real["category"],
                    "locations": real["locations"],
                    "degrees": real.get("degrees", []),
                    "active": real.get("active", True),
                    "is_visible": True,
                    "terms": ["Summer 2027"],
                    "sponsorship": "Other",
                    "url": f"https://example.wd5.myworkdayjobs.com/External/job/x_{job}",
                    "date_posted": int((now - timedelta(hours=2)).timestamp()),
                }
            )
    return entries


async def test_a_data_club_hears_of_todays_ai_ml_data_postings(club, feeds):
    await _start(club, feeds, filters="categories:data")
    feeds.serve("/listings.json", _excerpt(club.clock.now()))
    await _hours(club, 1)
    (digest,) = _digests(club)
    said = _text(digest)
    assert "Applied AI Engineer" in said, "AI/ML/Data, the 2026 name"
    assert "Postdoctoral Research Fellow" in said
    assert "Quantitative Developer" not in said
    assert "Darwin Runtime Engineer" not in said
    quant = await club.run("/admin postings preview categories:quant", as_user=ADMIN)
    assert "Quantitative Developer" in _text(quant)
    software = await club.run("/admin postings preview categories:software", as_user=ADMIN)
    assert _text(software).count("Software Engineer I") == 3, "three requisitions, three postings"


async def test_a_fork_that_writes_season_reads_as_this_summer(club, feeds):
    fork_url = feeds.url("/fork/listings.json")
    await _start(
        club,
        feeds,
        f"list:{feeds.url('/listings.json')}",
        f"list:{fork_url}",
        filters='terms:"summer 2027"',
    )
    entry = {**posted(live_entries(sample())[3], club.clock.now()), "season": "Summer"}
    del entry["terms"]
    feeds.serve("/listings.json", [])
    feeds.serve("/fork/listings.json", [entry])
    await _hours(club, 1)
    (digest,) = _digests(club)
    assert entry["url"] in _text(digest), "posted in November 2026 for Summer: Summer 2027"


async def test_the_same_job_on_a_board_and_on_the_list_is_announced_once(club, feeds):
    await _start(club, feeds, f"list:{feeds.url('/listings.json')}", "greenhouse:acme")
    now = club.clock.now()
    listed = {
        **posted(live_entries(sample())[0], now - timedelta(hours=1)),
        "company_name": "Acme Robotics",
        "title": "Software Engineer Intern",
        "locations": ["SF", "NYC"],
        "url": "https://boards.greenhouse.io/acme/jobs/4001?gh_src=Simplify",
    }
    job = {
        "id": 4001,
        "title": "Software Engineer Intern, Summer 2027",
        "first_published": now.isoformat(),
        "updated_at": now.isoformat(),
        "location": {"name": "San Francisco, CA; New York, NY"},
        "absolute_url": "https://job-boards.greenhouse.io/acme/jobs/4001",
        "company_name": "Acme Robotics",
    }
    other = {**job, "id": 4002, "absolute_url": "https://job-boards.greenhouse.io/acme/jobs/4002"}
    await club.run('/postings follow company:"Acme Robotics"', as_user=MEMBER)
    feeds.serve("/listings.json", [listed])
    feeds.serve("/v1/boards/acme/jobs", {"jobs": [job, other], "meta": {"total": 2}})
    for _ in range(3):
        await _hours(club, 1)
    (digest,) = _digests(club)
    said = _text(digest)
    assert said.count("acme/jobs/4001") == 1, "the old and the new host are one job"
    assert "acme/jobs/4002" in said, "another job id on the same board is another posting"
    ((to, dm),) = club.poster.dms
    assert to == MEMBER.id
    assert _text(dm).count("acme/jobs/4001") == 1


async def test_a_followers_dm_is_sent_once_even_when_the_digest_keeps_failing(
    club, feeds, monkeypatch
):
    import bot.postings.digest as digest

    pool = live_entries(sample())
    company = pool[0]["company_name"]
    # The club's digest leaves the company out; its follower still hears of it.
    await _start(club, feeds, filters=f'exclude:"{company}"')
    await club.run(f'/postings follow company:"{company}"', as_user=MEMBER)
    feeds.serve("/listings.json", [posted(e, club.clock.now()) for e in pool[:30]])

    def broken(*args: object, **kwargs: object) -> Message:
        raise RuntimeError("the digest could not be built")

    monkeypatch.setattr(digest, "digest_message", broken)
    await _hours(club, 6)
    assert _digests(club) == []
    assert [to for to, _ in club.poster.dms] == [MEMBER.id], "one DM, not one an hour"
    monkeypatch.undo()
    club.poster.failing["deadlines"] = 10**6  # the channel answers 503 from now on
    await _hours(club, 6)
    assert len(club.poster.dms) == 1
