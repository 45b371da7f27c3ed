"""The poll: once per slot for the whole deployment, fetch each source (one process wins
each source's claim), store what changed, then run the digest for the clubs with news."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import aiohttp

from bot.config import PostingsSettings
from bot.jobs import Job, SweepRun
from bot.postings.diff import Known, diff
from bot.postings.digest import POSTINGS_DIGEST
from bot.postings.filters import Filter
from bot.postings.health import failing
from bot.postings.news import RECENT, Candidates, news_for
from bot.postings.sources import Source, fetch, polled_by, sources_for
from bot.postings.store import PostingStore, SourceHealth

log = logging.getLogger(__name__)

POLL_EVERY: Final = timedelta(hours=1)
# Each fetch's claim and outcome are kept this long (what /metrics counts), then pruned.
FETCHES_KEPT: Final = timedelta(days=30)


@dataclass(frozen=True, slots=True, kw_only=True)
class Polled:
    source: str
    outcome: str


# A valid list that suddenly holds under half of what it held is a failure of the source
# (a partial file, a bad commit), kept and reported, not a mass closing; one that stays
# that short for a day is taken as it is. Lists this small move by more than that.
SHRINK_TO: Final = 0.5
SHRINK_MIN_ENTRIES: Final = 100
SHRUNK_FOR: Final = timedelta(days=1)
_SHRANK: Final = "the list shrank"


def shrunk(count: int, known: SourceHealth | None, now: datetime) -> str | None:
    """Why a list of `count` entries is not taken as it is, or None."""
    if known is None or known.entries < SHRINK_MIN_ENTRIES or count >= known.entries * SHRINK_TO:
        return None
    since = known.failing_since if (known.last_error or "").startswith(_SHRANK) else None
    if since is not None and now - since >= SHRUNK_FOR:
        return None
    return (
        f"{_SHRANK} from {known.entries} to {count} entries at once; what was known is kept "
        "(if it stays that short for a day, it is taken as it is)"
    )


class KnownOnce:
    """What is known, read once per poll and again only after a source changed it (a poll
    of twenty boards that answer unchanged reads 10,000 rows once, not twenty times)."""

    def __init__(self, repo: PostingStore) -> None:
        self._repo = repo
        self._known: Known | None = None

    async def get(self) -> Known:
        if self._known is None:
            self._known = await self._repo.known()
        return self._known

    def stale(self) -> None:
        self._known = None


async def refresh(
    repo: PostingStore,
    http: aiohttp.ClientSession,
    source: Source,
    now: datetime,
    within: timedelta,
    known: KnownOnce | None = None,
    slot: str | None = None,
) -> Polled:
    """Fetch one source and store what changed; a failure is recorded, nothing is lost.
    `slot`: the poll slot the fetch was claimed in, which keeps its outcome."""
    fetched = await fetch(http, source, await repo.validators(source.name), within=within)
    error = fetched.error
    if error is None and fetched.postings == [] and source.kind == "list":
        error = "the list came back empty"
    if error is None and fetched.postings and source.kind == "list":
        error = shrunk(len(fetched.postings), await repo.source_health(source.name), now)
    if error is not None:
        await repo.record_fetch(source=source.name, url=source.url, now=now, error=error, slot=slot)
        log.warning("postings source %s: %s", source.name, error)
        return Polled(source=source.name, outcome=f"failed: {error}")
    if fetched.postings is None:
        await repo.record_fetch(source=source.name, url=source.url, now=now, slot=slot)
        return Polled(source=source.name, outcome="unchanged (304)")
    known = known or KnownOnce(repo)
    changes = diff(source.name, fetched.postings, await known.get())
    if changes.new or changes.changed or changes.gone:
        await repo.apply(changes, now=now)
        known.stale()
    await repo.record_fetch(
        source=source.name,
        url=source.url,
        now=now,
        validators=fetched.validators,
        entries=len(fetched.postings),
        slot=slot,
    )
    outcome = (
        f"{len(changes.new)} new, {len(changes.changed)} changed, {len(changes.gone)} gone, "
        f"{changes.duplicates} duplicates"
    )
    return Polled(source=source.name, outcome=outcome)


async def clubs_with_news(
    repo: PostingStore, filters: Mapping[int, Filter], now: datetime
) -> list[int]:
    candidates = Candidates.of(await repo.seen_since(now - RECENT, posted_since=now - RECENT), now)
    if not candidates.postings:
        return []
    follows = await repo.followers(filters)
    told = await repo.announced(filters, now - RECENT)
    return [
        club_id
        for club_id, club_filter in filters.items()
        if news_for(
            candidates,
            club_filter=club_filter,
            follows=follows.get(club_id, {}),
            told=told.get(club_id, {}),
            occurrence=None,
        )
    ]


async def poll(run: SweepRun, settings: PostingsSettings, alert: Job) -> list[Polled]:
    """Fetch each source whose claim this process wins; then the digests of the clubs
    with news, and `alert` for the clubs one of whose sources fails."""
    repo = run.store.repo(PostingStore)
    filters = await repo.filters()
    if not filters:  # no club asked for postings: nothing is fetched
        return []
    polled, known = [], KnownOnce(repo)
    async with aiohttp.ClientSession() as http:
        boards = (f.boards for f in filters.values())
        for source in sources_for(boards, settings, run.now.date()):
            if await repo.claim_fetch(source.name, slot=run.slot, owner=run.owner, now=run.now):
                polled.append(
                    await refresh(
                        repo, http, source, run.now, settings.timeout, known, slot=run.slot
                    )
                )
    if polled:  # the process that fetched announces, once the postings are stored
        await repo.prune_fetches(before=run.now - FETCHES_KEPT)
        club_ids = await clubs_with_news(repo, filters, run.now)
        if club_ids:
            await run.deliver(POSTINGS_DIGEST, club_ids)
        alerted = await clubs_to_alert(repo, filters, settings, run.now)
        if alerted:
            await run.deliver(alert, alerted)
    return polled


async def clubs_to_alert(
    repo: PostingStore, filters: Mapping[int, Filter], settings: PostingsSettings, now: datetime
) -> list[int]:
    """The clubs one of whose own sources has failed for hours: none once nobody polls it."""
    broken = {h.name for h in failing(await repo.health(), now)}
    if not broken:
        return []
    return [c for c, f in filters.items() if broken & polled_by(f.boards, settings, now.date())]


async def run_poll(run: SweepRun, settings: PostingsSettings, alert: Job) -> None:
    for result in await poll(run, settings, alert):
        level = logging.DEBUG if result.outcome.startswith("unchanged") else logging.INFO
        log.log(level, "postings %s: %s", result.source, result.outcome)
