"""How the sources are doing: shown to officers in `/admin postings settings`, and a
source failing for hours is posted to the officers' alerts channel once a day (so it
shows in `/admin status` and the weekly digest) until it answers again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Final

from bot.club_time import describe
from bot.config import PostingsSettings
from bot.jobs import Delivery, Job, JobRun, SkipRun
from bot.model import fit
from bot.postings.filters import filter_of
from bot.postings.sources import polled_by
from bot.postings.store import PostingStore, SourceHealth

# A source failing this long is worth an officer's attention (the list is often slow
# for a few minutes; hours means it moved, changed its format or is down).
FAILING_FOR: Final = timedelta(hours=3)
SOURCE_ALERT_KIND: Final = "postings_source_alert"


def source_lines(health: Sequence[SourceHealth], timezone: str) -> list[str]:
    lines = []
    for source in health:
        if source.failing_since is not None:
            lines.append(
                f"• {source.name}: failing since {describe(source.failing_since, timezone)} "
                f"({source.last_error}); what was known is kept"
            )
        elif source.last_ok_at is not None:
            lines.append(
                f"• {source.name}: {source.entries} entries, checked "
                f"{describe(source.last_ok_at, timezone)}"
            )
    return lines


def failing(health: Sequence[SourceHealth], now: datetime) -> list[SourceHealth]:
    return [h for h in health if h.failing_since and now - h.failing_since >= FAILING_FOR]


def mine(health: Sequence[SourceHealth], names: set[str]) -> list[SourceHealth]:
    """The sources a club polls, as `names` says, in the order they were first fetched."""
    return [h for h in health if h.name in names]


async def build_alert(run: JobRun, settings: PostingsSettings) -> Delivery:
    """The club's failing sources: only those it polls (the deployment's lists, its own
    boards), so another club's mistyped board never reaches it."""
    names = polled_by(filter_of(run.club.settings).boards, settings, run.now.date())
    broken = mine(failing(await run.store.repo(PostingStore).health(), run.now), names)
    if not broken:
        raise SkipRun("every postings source the club polls answers")
    text = (
        "Live postings: "
        + "; ".join(source_lines(broken, run.club.timezone))
        + ". New postings from it are announced when it answers again; nothing is lost."
    )
    return Delivery(purpose="alerts", message=fit(text, title="A postings source fails"))


def source_alert(settings: Callable[[], PostingsSettings]) -> Job:
    """The job the poll runs for clubs one of whose sources has failed for hours."""
    return Job(
        kind=SOURCE_ALERT_KIND,
        description="Postings source failing",
        period="day",
        when=lambda club: None,  # run by the poll when a source has failed for hours
        build=lambda run: build_alert(run, settings()),
    )
