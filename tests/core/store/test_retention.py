"""Claims are kept 40 days and then pruned by a daily sweep, so the table stops growing and
the queries that read it on every tick stay flat (issue 27)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from bot.retention import CLAIMS_KEPT
from bot.store.claims import FAILED, ClaimKey
from tests.conftest import ADMIN, MONDAY, SETUP, Club
from tests.core.store.growth import DAILY, DMS_A_DAY, WEEKLY, simulate


async def test_a_small_year_keeps_the_claims_bounded(store):
    """60 clubs for 120 days: the table holds 40 days' worth from day 40 on."""
    samples = await simulate(store, clubs=60, days=120, sample_every=20)
    a_week = 60 * (7 * len(DAILY) + len(WEEKLY) + 7 * DMS_A_DAY)
    kept = a_week * CLAIMS_KEPT.days / 7
    rows = [s.rows for s in samples]
    assert rows[1] <= kept * 1.05
    assert max(rows[2:]) <= kept * 1.05, rows
    assert max(rows[2:]) - min(rows[2:]) <= a_week * 0.1, rows  # flat


async def test_the_scans_read_through_indexes(store):
    """What keeps retryable() and since() flat as the table grows, on SQLite's plan."""
    if store.engine.dialect.name != "sqlite":
        return
    async with store.engine.connect() as db:
        since = await db.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT * FROM claims WHERE club_id = 1 "
                "AND due_at >= '2026-11-01' ORDER BY due_at, id"
            )
        )
        assert "ix_claims_club_due" in " ".join(str(r) for r in since)
        retry = await db.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT * FROM claims WHERE ((status = 'failed' AND "
                "claimed_at <= '2026-11-16') OR (status = 'claimed' AND claimed_at < "
                "'2026-11-16')) AND due_at >= '2026-11-10' ORDER BY due_at, id"
            )
        )
        assert "ix_claims_status_due" in " ".join(str(r) for r in retry)


async def test_the_sweep_prunes_what_is_older_than_forty_days_and_nothing_newer(club: Club):
    await club.run(SETUP, as_user=ADMIN)
    scheduler = club.runtime.scheduler
    await scheduler.run_until(club.clock, MONDAY + timedelta(days=45))
    claims = club.runtime.store.claims
    club_id = (await club.runtime.store.clubs.all())[0].id
    kept = await claims.since(club_id, since=MONDAY - timedelta(days=1))
    oldest = min(c.due_at for c in kept)
    assert club.clock.now() - oldest <= CLAIMS_KEPT + timedelta(days=1)
    assert club.clock.now() - oldest >= CLAIMS_KEPT - timedelta(days=1)
    # What features read still reads: /admin status (30 days) and the digest (a week).
    status = await club.run("/admin status", as_user=ADMIN)
    assert "posted" in " ".join(f.value for f in status.fields)


async def test_a_failed_claim_is_pruned_too_once_nothing_can_retry_it(store):
    club = await store.clubs.get_or_create(
        platform="console", workspace_id="ws", name="club", now=MONDAY
    )
    old = ClaimKey(club_id=club.id, kind="daily", occurrence="2026-09-01")
    new = ClaimKey(club_id=club.id, kind="daily", occurrence="2026-11-15")
    for key, due in ((old, MONDAY - timedelta(days=76)), (new, MONDAY - timedelta(days=1))):
        await store.claims.claim_many({key: due}, owner="a", now=due)
        await store.claims.finish(key, status=FAILED, now=due, error="503")
    assert await store.claims.prune(before=MONDAY - CLAIMS_KEPT) == 1
    assert set(await store.claims.get_many([old, new])) == {new}
