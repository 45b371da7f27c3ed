"""Which sources a deployment polls, and when the poll runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.config import postings_settings
from bot.jobs import Sweep, SweepRun
from bot.postings.sources import community_list, deployment_sources
from bot.scheduler import Scheduler


def test_the_default_list_follows_the_recruiting_cycle():
    december = community_list(date(2026, 12, 2))
    assert december.url == (
        "https://raw.githubusercontent.com/SimplifyJobs/Summer2027-Internships/dev/"
        ".github/scripts/listings.json"
    )
    assert "Summer2027" in community_list(date(2027, 6, 30)).url
    assert "Summer2028" in community_list(date(2027, 7, 1)).url


def test_a_deployment_names_its_own_lists_and_boards():
    settings = postings_settings(
        {
            "CLUBBOT_POSTINGS_SOURCES": "list:https://raw.githubusercontent.com/vanshb03/"
            "Summer2027-Internships/dev/.github/scripts/listings.json, greenhouse:Stripe, "
            "lever:netflix"
        }
    )
    sources = deployment_sources(settings, date(2026, 12, 2))
    assert [(s.kind, s.name) for s in sources] == [
        ("list", "vanshb03/Summer2027-Internships"),
        ("greenhouse", "greenhouse:stripe"),
        ("lever", "lever:netflix"),
    ]
    assert sources[1].url == "https://boards-api.greenhouse.io/v1/boards/stripe/jobs"
    assert sources[2].url == "https://api.lever.co/v0/postings/netflix?mode=json"
    assert postings_settings({}).timeout == timedelta(seconds=30)
    assert postings_settings({"CLUBBOT_POSTINGS_TIMEOUT": "2m"}).timeout == timedelta(minutes=2)
    assert postings_settings({"CLUBBOT_POSTINGS_TIMEOUT": "20s"}).timeout == timedelta(seconds=20)


async def test_a_sweep_runs_once_per_slot_on_the_hour(store, clock):
    slots: list[str] = []

    async def record(run: SweepRun) -> None:
        slots.append(run.slot)

    sweep = Sweep(kind="t", description="t", every=timedelta(hours=1), run=record)
    scheduler = Scheduler(store=store, poster=None, clock=clock, jobs=(), sweeps=(sweep,))  # type: ignore[arg-type]
    start = clock.now()
    assert start == datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
    await scheduler.run_until(clock, start + timedelta(hours=2, minutes=30))
    assert slots == ["2026-11-16T16:00Z", "2026-11-16T17:00Z"]
