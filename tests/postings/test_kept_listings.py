"""A listing's pages are laid out once per listing and kept (bot/postings/texts.py
`_LISTINGS`): what a member is shown must be what laying it out afresh shows, on every
page, as the postings age and as a poll replaces them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.model import Message
from bot.postings import texts
from bot.postings.listing import Posting
from bot.postings.store import StoredPosting

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


def _stored(n: int) -> StoredPosting:
    posting = Posting(
        source="l",
        ext_id=str(n),
        company=f"Company {n % 40}",
        title=f"Software Engineer Intern, team {n}",
        url=f"https://jobs.example.com/{n}/apply?source=simplify&utm={'x' * 60}",
        locations=("New York, NY", "Remote in USA"),
        posted_at=NOW - timedelta(hours=5 + 7 * n),
    )
    return StoredPosting(id=n, posting=posting, first_seen_at=posting.posted_at, closed_at=None)


def _listing(hits: list[StoredPosting], now: datetime, page: int) -> Message:
    return texts.listing(
        hits,
        now,
        club_id=1,
        title="Postings",
        empty="No open postings match.",
        page=page,
        next_page="`/postings search page:{page}`",
    )


def _afresh(hits: list[StoredPosting], now: datetime, page: int) -> Message:
    texts._LISTINGS.clear()
    return _listing(hits, now, page)


def test_every_page_kept_is_the_page_laid_out_afresh():
    hits = [_stored(n) for n in range(400)]
    first = _listing(hits, NOW, 1)
    assert "page 1 of" in first.title
    assert first.title != "Postings"
    count = int(first.title.rsplit(" ", 1)[1])
    kept = [_listing(hits, NOW, page) for page in range(1, count + 2)]
    assert kept == [_afresh(hits, NOW, page) for page in range(1, count + 2)]


def test_an_hour_later_a_posting_a_day_older_says_so():
    hits = [_stored(n) for n in range(30)]
    _listing(hits, NOW, 1)
    # Posting 0 was posted 5 hours before NOW: "posted today" until 19 hours later.
    later = NOW + timedelta(hours=20)
    shown = _listing(hits, later, 1)
    assert shown == _afresh(hits, later, 1)
    assert "posted 1d ago" in "".join(f.value for f in shown.fields)


def test_a_posting_a_poll_changed_is_shown_changed():
    hits = [_stored(n) for n in range(30)]
    _listing(hits, NOW, 1)
    renamed = [
        replace(s, posting=replace(s.posting, title="Quant Research Intern")) if s.id == 3 else s
        for s in hits
    ]
    closed = [replace(s, closed_at=NOW) if s.id == 4 else s for s in renamed]
    shown = _listing(closed, NOW, 1)
    assert shown == _afresh(closed, NOW, 1)
    text = "".join(f.value for f in shown.fields)
    assert "Quant Research Intern" in text
    assert "· closed" in text
