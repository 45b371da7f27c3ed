"""One job is one posting whatever address or place spelling it comes with; two
requisitions of one board are two postings, even with the same title and place."""

from __future__ import annotations

import pytest

from bot.postings.diff import Known, diff
from bot.postings.listing import read_community_list, read_greenhouse
from bot.postings.urls import distinct_jobs, job_ref, url_key
from tests.postings.feeds import sample
from tests.postings.test_listing import SOURCE, _known


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "https://boards.greenhouse.io/stripe/jobs/6042172?gh_src=Simplify",
            "https://job-boards.greenhouse.io/stripe/jobs/6042172",
        ),
        (
            "https://boards.greenhouse.io/embed/job_app?for=stripe&token=6042172",
            "https://stripe.com/jobs/search?gh_jid=6042172",
        ),
        (
            "https://jobs.lever.co/palantir/7a4e3c2a-1b2c-4d5e-8f90-0a1b2c3d4e5f/apply",
            "https://jobs.lever.co/palantir/7a4e3c2a-1b2c-4d5e-8f90-0a1b2c3d4e5f?lever-source=x",
        ),
        ("https://www.example.com/careers/123/#apply", "https://example.com/careers/123"),
        ("https://example.com/jobs?id=7&utm_source=list", "https://example.com/jobs?id=7"),
    ],
)
def test_one_job_at_two_addresses_is_one_key(first, second):
    assert url_key(first) == url_key(second)


def test_job_ids_are_read_from_the_boards_addresses():
    workday = (
        "https://adobe.wd5.myworkdayjobs.com/external_experienced/job/Seattle/"
        "XMLNAME-2025-Intern---Software-Engineer_R149380"
    )
    assert job_ref(workday) == ("workday:adobe", "R149380")
    assert job_ref("https://boards.greenhouse.io/btig27/jobs/6743060002") == (
        "greenhouse",
        "6743060002",
    )
    assert job_ref("https://www.atlassian.com/company/careers/details/10594") == (
        "atlassian.com",
        "10594",
    )
    assert job_ref("https://example.com/careers") is None
    assert distinct_jobs(workday, workday.replace("R149380", "R149378"))
    assert not distinct_jobs(
        "https://www.atlassian.com/company/careers/details/10594",
        "https://campus-americas.icims.com/jobs/10594/job",
    ), "one job on two sites: not two requisitions of one board"


def test_the_samples_requisitions_stay_apart_and_its_twins_together():
    postings = read_community_list(SOURCE, sample())
    new = diff(SOURCE, postings, Known([])).new
    adobe = [
        p for p in new if p.company == "Adobe" and p.title == "2025 Intern - Software Engineer"
    ]
    seattle = {p.url for p in adobe if p.active and p.locations == ("Seattle, WA",)}
    assert len(seattle) == 2, "R149380 and R149378 are two jobs"
    atlassian = [p for p in new if p.company == "Atlassian" and p.title == "Data Science Intern"]
    assert len([p for p in atlassian if p.locations == ("Mountain View, CA",)]) == 1


def test_a_board_posting_the_list_also_carries_is_the_same_posting():
    entry = next(e for e in sample() if "boards.greenhouse.io" in e["url"] and e["active"])
    listed = read_community_list(SOURCE, [{**entry, "locations": ["SF"]}])
    job_id = entry["url"].rstrip("/").rsplit("/", 1)[1]
    board = read_greenhouse(
        "greenhouse:acme",
        {
            "jobs": [
                {
                    "id": int(job_id),
                    "title": f"{entry['title']}, Summer 2027",  # the board's own wording
                    "first_published": "2026-11-16T09:00:00-05:00",
                    "location": {"name": "San Francisco, CA"},
                    "absolute_url": entry["url"].replace("boards.", "job-boards."),
                    "company_name": entry["company_name"],
                }
            ]
        },
        board="acme",
    )
    assert diff("greenhouse:acme", board, _known(listed)).new == [], "the old and new host"
    # Elsewhere, with the list's title: the same text, its places under other names.
    moved = {**_fields(board[0]), "url": "https://acme.example/jobs/x", "title": entry["title"]}
    assert diff("greenhouse:acme", [type(board[0])(**moved)], _known(listed)).new == []


def _fields(posting: object) -> dict[str, object]:
    return {name: getattr(posting, name) for name in posting.__dataclass_fields__}  # type: ignore[attr-defined]
