"""What other features may ask of live postings: whether a company's posting is live this
cycle, and since when (the windows calendar shows a window as confirmed open)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.postings.listing import normal
from bot.postings.store import PostingStore
from bot.store.store import Store


@dataclass(frozen=True, slots=True, kw_only=True)
class LivePosting:
    company: str
    title: str
    url: str
    posted_at: datetime


async def first_live_postings(
    store: Store, companies: Iterable[str], *, since: datetime
) -> Mapping[str, LivePosting]:
    """For each of `companies` (as written, e.g. "Jane Street") with a posting since `since`
    that is still open, the earliest such posting."""
    wanted = {normal(c): c for c in companies}
    found = await store.repo(PostingStore).first_open(wanted, since=since)
    return {
        wanted[key]: LivePosting(
            company=s.posting.company,
            title=s.posting.title,
            url=s.posting.url,
            posted_at=s.posting.posted_at,
        )
        for key, s in found.items()
    }
