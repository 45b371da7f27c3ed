"""The club's digest of new postings, built after a poll; and the DMs to followers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.jobs import Built, Delivery, Job, JobRun, SkipRun
from bot.model import Field, Message, clip
from bot.postings.news import RECENT, Candidates, news_for
from bot.postings.store import PostingKey, PostingStore, StoredPosting
from bot.store.clubs import Club

_COMPANIES_SHOWN = 8
_PER_COMPANY = 5


def age(posted_at: datetime, now: datetime) -> str:
    days = (now - posted_at).days
    return "posted today" if days <= 0 else f"posted {days}d ago"


def posting_line(stored: StoredPosting, now: datetime) -> str:
    posting = stored.posting
    where = ", ".join(posting.locations[:3]) or "location not given"
    closed = " · closed" if not stored.open else ""
    return f"{posting.title} — {where} · {age(posting.posted_at, now)}{closed}\n{posting.url}"


def by_company(
    postings: Sequence[StoredPosting], now: datetime, *, companies: int = _COMPANIES_SHOWN
) -> tuple[list[Field], int]:
    """One field per company, newest companies first; how many postings did not fit."""
    grouped: dict[str, list[StoredPosting]] = {}
    for stored in sorted(postings, key=lambda s: s.posting.posted_at, reverse=True):
        grouped.setdefault(stored.posting.company, []).append(stored)
    fields, shown = [], 0
    for company, items in list(grouped.items())[:companies]:
        lines = [posting_line(s, now) for s in items[:_PER_COMPANY]]
        if len(items) > _PER_COMPANY:
            lines.append(f"…and {len(items) - _PER_COMPANY} more")
        fields.append(Field(name=clip(company, 250), value=clip("\n".join(lines), 1000)))
        shown += min(len(items), _PER_COMPANY)
    return fields, len(postings) - shown


def digest_message(club: Club, postings: Sequence[StoredPosting], now: datetime) -> Message:
    fields, hidden = by_company(postings, now)
    companies = len({s.posting.company for s in postings})
    text = (
        f"{len(postings)} new internship posting{'s' if len(postings) != 1 else ''} from "
        f"{companies} compan{'ies' if companies != 1 else 'y'} match the club's filters. "
        "Applying in the first two weeks helps; rolling programs fill first."
    )
    if hidden:
        text += f" {hidden} more: `/postings recent`."
    return Message(text=text, title="New internship postings", fields=tuple(fields))


def follow_message(postings: Sequence[StoredPosting], now: datetime) -> Message:
    fields, _ = by_company(postings, now)
    return Message(
        text="A company you follow just posted (stop with `/postings unfollow`).",
        title="New posting from a company you follow",
        fields=tuple(fields),
    )


async def build_digests(runs: Sequence[JobRun]) -> list[Built]:
    """Every due club's digest from a few queries: the recent postings, the clubs'
    filters, follows and what each was told."""
    if not runs:
        return []
    repo, now = runs[0].store.repo(PostingStore), runs[0].now
    candidates = Candidates.of(await repo.seen_since(now - RECENT, posted_since=now - RECENT), now)
    club_ids = [r.club.id for r in runs]
    filters, follows = await repo.filters(), await repo.followers(club_ids)
    told = await repo.announced(club_ids, now - RECENT)
    built: list[Built] = []
    announce: list[tuple[int, PostingKey, str]] = []
    for run in runs:
        club_id = run.club.id
        news = news_for(
            candidates,
            club_filter=filters.get(club_id),
            follows=follows.get(club_id, {}),
            told=told.get(club_id, {}),
            occurrence=run.occurrence,
        )
        announce += [(club_id, key, run.occurrence) for key in news.told]
        for member, postings in news.dms.items():
            about = "posting-" + "-".join(str(s.id) for s in postings)[:80]
            await run.dm(member, follow_message(postings, now), about=about, once_ever=True)
        if not news.digest:
            built.append(SkipRun("no new postings for the club's filters"))
        else:
            built.append(
                Delivery(purpose="deadlines", message=digest_message(run.club, news.digest, now))
            )
    await repo.announce(announce)
    return built


POSTINGS_DIGEST = Job(
    kind="postings_digest",
    description="New internship postings",
    period="hour",
    when=lambda club: None,  # run by the poll (bot/postings/poll.py), never on a clock
    build_many=build_digests,
)
