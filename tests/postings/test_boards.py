"""Company boards a club names: checked when an officer sets them (a 404 is refused at once,
with the reason), and a failing one is reported only to the clubs that poll it, until
none does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.model import Message
from tests.conftest import ADMIN, SETUP, Club
from tests.postings.feeds import Feeds, Route, live_entries, sample, start_feeds

ALERT = "A postings source fails"


@pytest.fixture
async def feeds() -> AsyncIterator[Feeds]:
    async for served in start_feeds():
        yield served


def _job(job_id: int, title: str) -> dict[str, Any]:
    """A job as boards-api.greenhouse.io/v1/boards/<board>/jobs lists it."""
    return {
        "id": job_id,
        "internal_job_id": job_id - 1000,
        "title": title,
        "updated_at": "2026-11-16T09:00:00-05:00",
        "first_published": "2026-11-16T09:00:00-05:00",
        "requisition_id": f"R{job_id}",
        "location": {"name": "New York, NY"},
        "absolute_url": f"https://job-boards.greenhouse.io/acme/jobs/{job_id}",
        "company_name": "Acme Robotics",
        "metadata": None,
        "data_compliance": [],
    }


def _alerts(club: Club, workspace: str) -> list[Message]:
    return [
        m
        for p, m in club.poster.posts
        if p.workspace_id == workspace and p.channel_id == "officers" and m.title == ALERT
    ]


async def _hours(club: Club, hours: int) -> None:
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(hours=hours))


async def test_a_board_that_answers_404_is_refused_at_once_with_the_reason(club, feeds):
    club.runtime.postings.settings = feeds.settings()
    await club.run(SETUP, as_user=ADMIN)
    refused = await club.run("/admin postings settings boards:greenhouse:acmee", as_user=ADMIN)
    assert "`greenhouse:acmee` answers 404: there is no such board" in refused.text
    assert "boards.greenhouse.io/" in refused.text
    assert feeds.count("/v1/boards/acmee/jobs") == 1, "checked once, at once"
    settings = await club.run("/admin postings settings", as_user=ADMIN)
    assert "Live postings are off" in settings.text, "nothing was saved"
    feeds.serve("/v1/boards/acme/jobs", {"jobs": [_job(4001, "Robotics Intern")], "meta": {}})
    saved = await club.run("/admin postings settings boards:greenhouse:acme", as_user=ADMIN)
    assert "greenhouse:acme answers: 1 internship posting(s) listed now." in saved.text
    assert "Company boards: greenhouse:acme" in saved.text


async def test_a_failing_board_is_reported_only_to_its_club_and_stops_when_dropped(club, feeds):
    other = Club(runtime=club.runtime, poster=club.poster, clock=club.clock, workspace="ws-2")
    club.runtime.postings.settings = feeds.settings()
    feeds.serve("/listings.json", live_entries(sample())[:40])
    feeds.serve("/v1/boards/acme/jobs", {"jobs": [_job(4001, "Robotics Intern")], "meta": {}})
    for each in (club, other):
        await each.run(SETUP, as_user=ADMIN)
        await each.run("/admin postings settings enabled:yes", as_user=ADMIN)
    await club.run("/admin postings settings boards:greenhouse:acme", as_user=ADMIN)
    await _hours(club, 1)
    feeds.routes["/v1/boards/acme/jobs"] = Route(status=500)
    await _hours(club, 30)  # failing for a day and more
    assert len(_alerts(club, "ws-1")) == 2, "one a day while it fails"
    assert "greenhouse:acme: failing since" in _alerts(club, "ws-1")[0].text
    assert _alerts(club, "ws-2") == [], "the other club never named it"
    other_settings = await other.run("/admin postings settings", as_user=ADMIN)
    assert "acme" not in other_settings.fields[0].value, "nor sees it"
    await club.run("/admin postings settings boards:none", as_user=ADMIN)
    asked = feeds.count("/v1/boards/acme/jobs")
    await _hours(club, 50)
    assert len(_alerts(club, "ws-1")) == 2, "no alert once nobody polls it"
    assert feeds.count("/v1/boards/acme/jobs") == asked, "nor is it fetched"
