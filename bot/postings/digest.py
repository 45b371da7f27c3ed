"""The club's digest of new postings, built after a poll; and the DMs to followers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.jobs import Built, Delivery, Job, JobRun, SkipRun
from bot.postings.news import RECENT, Candidates, News, news_for
from bot.postings.store import PostingKey, PostingStore, StoredPosting
from bot.postings.texts import digest_message, follow_message

# A DM that went out, was refused for good (closed DMs) or is another process's: the
# postings it names are recorded as told, so no later poll sends them again.
_DM_DONE = ("posted", "skipped", "taken")


async def build_digests(runs: Sequence[JobRun]) -> list[Built]:
    """Every due club's digest from a few queries: the recent postings, the clubs'
    filters, follows and what each was told. One club's error is its own."""
    if not runs:
        return []
    repo, now = runs[0].store.repo(PostingStore), runs[0].now
    candidates = Candidates.of(await repo.seen_since(now - RECENT, posted_since=now - RECENT), now)
    club_ids = [r.club.id for r in runs]
    filters, follows = await repo.filters(), await repo.followers(club_ids)
    told = await repo.announced(club_ids, now - RECENT)
    built: list[Built] = []
    for run in runs:
        club_id = run.club.id
        news = news_for(
            candidates,
            club_filter=filters.get(club_id),
            follows=follows.get(club_id, {}),
            told=told.get(club_id, {}),
            occurrence=run.occurrence,
        )
        try:
            built.append(await _club_news(run, repo, news, now))
        except Exception as error:  # e.g. the database dropped: this club retries
            built.append(error)
    return built


async def _club_news(run: JobRun, repo: PostingStore, news: News, now: datetime) -> Built:
    """DM each follower (each DM recorded as told once it is sent), then build the digest
    and record its postings as told before it posts: a failed post is rebuilt with them."""
    refusing = await run.refusing_dms(news.dms) if news.dms else set()
    for member, postings in news.dms.items():
        about = "posting-" + "-".join(str(s.id) for s in postings)[:80]
        outcome = await run.dm(
            member,
            follow_message(postings, now, club_id=run.club.id),
            about=about,
            once_ever=True,
            refusing=refusing,
        )
        if outcome in _DM_DONE:
            await repo.announce(_told(run, postings))
    if not news.digest:
        return SkipRun("no new postings for the club's filters")
    # Built before it is recorded: a digest that cannot be built leaves its postings new,
    # for the next poll to try again, instead of told and never posted.
    message = digest_message(news.digest, now, club_id=run.club.id)
    await repo.announce(_told(run, news.digest))
    return Delivery(purpose="deadlines", message=message)


def _told(run: JobRun, postings: Sequence[StoredPosting]) -> list[tuple[int, PostingKey, str]]:
    return [(run.club.id, s.key, run.occurrence) for s in postings]


POSTINGS_DIGEST = Job(
    kind="postings_digest",
    description="New internship postings",
    period="hour",
    when=lambda club: None,  # run by the poll (bot/postings/poll.py), never on a clock
    build_many=build_digests,
)
