"""What each club should be told after a poll: pure, so a thousand clubs' filters over one
poll's postings are a loop over precomputed facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from bot.postings.filters import Facts, Filter, facts_of
from bot.postings.store import PostingKey, StoredPosting

# Only postings posted this recently are announced: a list that re-publishes old entries,
# or a first fetch of 6,000 of them, floods nobody.
RECENT: Final = timedelta(days=3)


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidates:
    """The postings a poll may announce: first seen, and posted, within RECENT; open."""

    postings: Sequence[StoredPosting]
    facts: Mapping[int, Facts]

    @classmethod
    def of(cls, seen: Sequence[StoredPosting], now: datetime) -> Candidates:
        fresh = [s for s in seen if s.open and now - s.posting.posted_at <= RECENT]
        return cls(postings=fresh, facts={s.id: facts_of(s.posting) for s in fresh})


@dataclass(frozen=True, slots=True, kw_only=True)
class News:
    digest: list[StoredPosting] = field(default_factory=list)
    # member -> the postings of companies they follow
    dms: dict[str, list[StoredPosting]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.digest or self.dms)

    @property
    def told(self) -> set[PostingKey]:
        return {s.key for s in self.digest} | {s.key for ps in self.dms.values() for s in ps}


def news_for(
    candidates: Candidates,
    *,
    club_filter: Filter | None,
    follows: Mapping[str, Sequence[str]],
    told: Mapping[PostingKey, str],
    occurrence: str | None,
) -> News:
    """What one club hears: candidates it was not told about (or told in this very
    occurrence, when a failed post is rebuilt), through its filter; followers hear of
    their companies' postings whatever the filter."""
    news = News()
    matches = club_filter.compiled() if club_filter is not None else None
    for stored in candidates.postings:
        if told and told.get(stored.key, occurrence) != occurrence:
            continue
        facts = candidates.facts[stored.id]
        if matches is not None and matches(facts):
            news.digest.append(stored)
        for member in follows.get(facts.company_key, ()) if follows else ():
            news.dms.setdefault(member, []).append(stored)
    return news
