"""How long scheduled runs' claims are kept, and the sweep that prunes older ones.

Claims grow by a few rows per club a day (a post, its hint and key idea, reminders, each
DM): 21 million a year for 10,000 clubs if kept. Nothing needs them for long: a retry looks
back at most a week (`Job.late`), the officer digest one week, `/admin status` 30 days, a
hint its problem's post of the day before. They are kept `CLAIMS_KEPT` and then deleted, a
bounded batch at a time, by a daily deployment-wide sweep (every process runs it; the
deletes of one leave nothing for the others). docs/deploy.md lists every table's retention.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

from bot.jobs import Sweep, SweepRun

log = logging.getLogger(__name__)

CLAIMS_KEPT: Final = timedelta(days=40)
_BATCH: Final = 5000
# Batches per run: far more than a day adds (about 60,000 rows for 10,000 clubs), so a
# deployment that was down catches up within a few runs, yet a run stays short.
_BATCHES: Final = 100


async def prune_claims(run: SweepRun) -> int:
    """Delete claims due more than `CLAIMS_KEPT` ago; how many."""
    before, deleted = run.now - CLAIMS_KEPT, 0
    for _ in range(_BATCHES):
        removed = await run.store.claims.prune(before=before, limit=_BATCH)
        deleted += removed
        if removed < _BATCH:
            break
    if deleted:
        log.info("retention: deleted %d claims due before %s", deleted, before.date())
    return deleted


async def _run(run: SweepRun) -> None:
    await prune_claims(run)


RETENTION = Sweep(
    kind="retention",
    description="Delete old claims of scheduled runs",
    every=timedelta(days=1),
    run=_run,
)
