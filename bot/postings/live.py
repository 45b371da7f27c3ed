"""What other features may ask of live postings: the open postings of some companies this
cycle, with what a program's rules read (the windows calendar confirms a window open by a
posting that fits it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.postings.store import VERSION, PostingStore
from bot.postings.words import normal
from bot.store.store import Store
from bot.store.versions import Kept


@dataclass(frozen=True, slots=True, kw_only=True)
class LivePosting:
    company: str
    title: str
    url: str
    posted_at: datetime
    # Normalised (lower case, words only), each padded with spaces: " student researcher phd ".
    company_key: str
    title_words: str
    terms: tuple[str, ...]
    degrees: tuple[str, ...]


async def open_postings(
    store: Store, companies: Iterable[str], *, since: datetime
) -> list[LivePosting]:
    """The open postings of `companies` (as the lists write them, e.g. "Citadel
    Securities"; case and punctuation aside) posted since `since`, oldest first. Kept per
    process until a poll changes the postings: every /deadlines reads them."""
    keys = frozenset(normal(c) for c in companies)
    return await store.repo(_Kept).kept.get(
        (keys, since), lambda: _read(store.repo(PostingStore), keys, since)
    )


class _Kept:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.kept: Kept[list[LivePosting]] = Kept(sessions, VERSION)


async def _read(repo: PostingStore, keys: frozenset[str], since: datetime) -> list[LivePosting]:
    found = await repo.open_of(keys, since=since)
    return [
        LivePosting(
            company=s.posting.company,
            title=s.posting.title,
            url=s.posting.url,
            posted_at=s.posting.posted_at,
            company_key=s.posting.company_key,
            title_words=f" {normal(s.posting.title)} ",
            terms=tuple(normal(t) for t in s.posting.terms),
            degrees=tuple(normal(d) for d in s.posting.degrees),
        )
        for s in found
    ]
