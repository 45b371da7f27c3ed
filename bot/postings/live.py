"""What other features may ask of live postings: the open postings of some companies this
cycle, with what a program's rules read (the windows calendar confirms a window open by a
posting that fits it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.postings.store import PostingStore
from bot.postings.words import normal
from bot.store.store import Store


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
    Securities"; case and punctuation aside) posted since `since`, oldest first."""
    found = await store.repo(PostingStore).open_of({normal(c) for c in companies}, since=since)
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
