"""Reading the real list format, its fork and the company boards; diffing against what is known."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.postings.diff import Known, KnownPosting, diff, signature_of
from bot.postings.listing import (
    Posting,
    SchemaError,
    read_community_list,
    read_greenhouse,
    read_lever,
)
from tests.postings.feeds import sample

SOURCE = "SimplifyJobs/Summer2025-Internships"


def _known(postings: list[Posting]) -> Known:
    return Known(
        KnownPosting(
            id=i,
            source=p.source,
            ext_id=p.ext_id,
            url=p.url,
            fingerprint=p.fingerprint,
            active=p.active,
            signature=signature_of(p),
        )
        for i, p in enumerate(postings, 1)
    )


def test_the_real_sample_reads_whole_with_its_duplicates_told_apart():
    entries = sample()
    postings = read_community_list(SOURCE, entries)
    assert len(postings) == len(entries) == 451
    changes = diff(SOURCE, postings, Known([]))
    # Every new posting has its own id and url (some closed ones have none); the repeats
    # are counted, not announced.
    assert len({p.ext_id for p in changes.new}) == len(changes.new)
    with_url = [p.url for p in changes.new if p.url]
    assert len(set(with_url)) == len(with_url)
    assert len(changes.new) < len({e["id"] for e in entries}) < len(entries)
    assert changes.duplicates == len(entries) - len(changes.new) > 0
    active = [p for p in postings if p.active]
    assert len(active) == 309


def test_unix_seconds_terms_and_sponsorship_come_through():
    entry = sample()[0]
    (posting,) = read_community_list(SOURCE, [entry])
    assert posting.posted_at == datetime.fromtimestamp(entry["date_posted"], UTC)
    assert posting.terms == tuple(entry["terms"])
    assert posting.sponsorship == entry["sponsorship"]


def test_a_fork_that_writes_season_and_the_2026_fields():
    entry = {**sample()[0], "category": "Software Engineering", "degrees": ["Bachelor's"]}
    del entry["terms"]
    entry["season"] = "Summer"
    (posting,) = read_community_list("vanshb03/Summer2027-Internships", [entry])
    assert posting.terms == ("Summer 2027",), "the year from the fork's name"
    (unnamed,) = read_community_list("http://mirror.example/listings.json", [entry])
    assert unnamed.terms == ("Summer 2023",), "posted in May 2023: that summer"
    (own,) = read_community_list("http://mirror.example/l.json", [{**entry, "year": 2026}])
    assert own.terms == ("Summer 2026",), "the entry's own year first"
    assert posting.category == "Software Engineering"
    assert posting.degrees == ("Bachelor's",)


@pytest.mark.parametrize(
    "document",
    [{"listings": []}, [{"name": "x"}, {"name": "y"}], "[]", 42],
)
def test_a_changed_schema_is_an_error_not_an_empty_list(document):
    with pytest.raises(SchemaError):
        read_community_list(SOURCE, document)


def test_greenhouse_keeps_internships_with_company_place_and_date():
    document = {
        "jobs": [
            {
                "id": 4001,
                "title": "Software Engineering Intern, Summer 2027",
                "updated_at": "2026-11-20T10:00:00-05:00",
                "first_published": "2026-11-19T09:00:00-05:00",
                "location": {"name": "New York, NY"},
                "absolute_url": "https://boards.greenhouse.io/acme/jobs/4001",
                "company_name": "Acme Robotics",
            },
            {
                "id": 4002,
                "title": "Staff Engineer",
                "updated_at": "2026-11-20T10:00:00-05:00",
                "location": {"name": "Remote"},
                "absolute_url": "https://boards.greenhouse.io/acme/jobs/4002",
            },
        ],
        "meta": {"total": 2},
    }
    (posting,) = read_greenhouse("greenhouse:acme", document, board="acme")
    assert (posting.company, posting.locations) == ("Acme Robotics", ("New York, NY",))
    assert posting.posted_at == datetime(2026, 11, 19, 14, 0, tzinfo=UTC)
    with pytest.raises(SchemaError):
        read_greenhouse("greenhouse:acme", [], board="acme")


def test_lever_keeps_internships_and_marks_remote():
    document = [
        {
            "id": "a1b2",
            "text": "Machine Learning Intern",
            "categories": {"commitment": "Internship", "location": "Toronto"},
            "workplaceType": "remote",
            "createdAt": 1763900000000,
            "hostedUrl": "https://jobs.lever.co/northwind/a1b2",
        },
        {"id": "c3", "text": "Account Executive", "categories": {"commitment": "Full-time"}},
    ]
    (posting,) = read_lever("lever:northwind", document, company="northwind")
    assert posting.company == "Northwind"
    assert posting.locations == ("Toronto", "Remote")
    assert posting.posted_at == datetime.fromtimestamp(1763900000, UTC)


def test_diff_finds_new_changed_republished_duplicated_and_gone():
    entries = [e for e in sample() if e["active"]][:40]
    before = read_community_list(SOURCE, entries)
    known = _known(before)
    now = entries[:35]
    changed = {**now[0], "locations": ["Remote in USA"]}
    closed = {**now[1], "active": False}
    republished = {**now[2], "id": "new-id-same-url", "date_posted": now[2]["date_posted"] + 9}
    renamed_url = {**now[3], "id": "new-id", "url": now[3]["url"] + "?src=list"}
    brand_new = {**now[4], "id": "n-1", "url": "https://example.com/n1", "title": "Quant Intern"}
    after = [changed, closed, republished, renamed_url, brand_new, *now[4:], now[5]]
    changes = diff(SOURCE, read_community_list(SOURCE, after), known)
    assert [p.ext_id for p in changes.new] == ["n-1"]
    assert sorted(i for i, _ in changes.changed) == [1, 2]
    assert changes.duplicates == 3  # re-published under a new id, same posting new url, repeat
    assert sorted(changes.gone) == list(range(36, 41))  # the five that left the list


def test_last_years_closed_title_posted_again_is_a_new_posting():
    entry = next(e for e in sample() if e["active"])
    closed = read_community_list(SOURCE, [{**entry, "active": False}])
    again = {**entry, "id": "next-cycle", "url": entry["url"] + "?2027"}
    changes = diff(SOURCE, read_community_list(SOURCE, [again]), _known(closed))
    assert [p.ext_id for p in changes.new] == ["next-cycle"]
    still_open = _known(read_community_list(SOURCE, [entry]))
    assert diff(SOURCE, read_community_list(SOURCE, [again, entry]), still_open).new == []


@pytest.mark.parametrize(("count", "said"), [(2, "There is only 1 page."), (200, "There are only")])
def test_a_page_past_the_end_says_how_many_there_are(count, said):
    from datetime import timedelta

    from bot.postings.store import StoredPosting
    from bot.postings.texts import listing

    now = datetime(2026, 11, 16, 15, tzinfo=UTC)
    hits = [
        StoredPosting(
            id=n,
            posting=Posting(
                source="s",
                ext_id=str(n),
                company=f"Company {n}",
                title="Software Engineer Intern",
                url=f"https://example.org/jobs/{n}",
                locations=("Remote",),
                posted_at=now - timedelta(days=1),
            ),
            first_seen_at=now,
            closed_at=None,
        )
        for n in range(count)
    ]
    text = listing(
        hits, now, club_id=1, title="Postings", empty="-", page=99, next_page="`page:{page}`"
    ).text
    assert text.startswith(said), text
    assert "There are only 1 page" not in text
