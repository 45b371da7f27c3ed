"""What the weekly officer digest leads with: the applications' club view over the counted
members (aggregates only, none below five), next to what the club does (problems solved per
week, mock sessions held and no-shows, members active). Composition-level, like the
dashboard that draws the same view (bot/web/chart.py reads it): the runtime hands this to
the digest job, which may not read the other features itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.applications import club_view_fields
from bot.jobs import JobRun
from bot.model import Field
from bot.web.chart import club_view_now


async def digest_fields(run: JobRun) -> Sequence[Field]:
    """The people-facts the officer digest leads with, over the weeks up to the day before
    the digest's (the week it reports ends then: a Monday digest's last week is the one
    just over, not the one it opens)."""
    return club_view_fields(
        await club_view_now(run.store, run.club, now=run.due_at - timedelta(days=1))
    )
