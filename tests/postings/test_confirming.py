"""A program is "confirmed open by a live posting" only by a posting that fits it: its
company, title, term and eligibility, and only while its window can be open. Members read
it in /deadlines, with the posting that confirms it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.model import Message
from bot.postings import LivePosting
from bot.windows.calendar import load_calendar
from bot.windows.confirming import fits, years_of
from bot.windows.live import first_fits
from tests.conftest import ADMIN, MEMBER, SETUP, Club
from tests.postings.feeds import Feeds, start_feeds

CONFIRMED = "Confirmed open by a live posting"
# 20 October 2026: Google STEP's two weeks are open, so are the quant firms' windows.
OCTOBER = datetime(2026, 10, 20, 14, 0, tzinfo=UTC)


@pytest.fixture
async def feeds() -> AsyncIterator[Feeds]:
    async for served in start_feeds():
        yield served


def entry(company: str, title: str, **given: Any) -> dict[str, Any]:
    """An entry as the 2026 list writes it."""
    posted = given.pop("posted", OCTOBER - timedelta(days=2))
    slug = f"{company}-{title}".lower().replace(" ", "-").replace(",", "")
    return {
        "id": slug,
        "company_name": company,
        "title": title,
        "url": f"https://jobs.example.com/{slug}",
        "locations": ["Mountain View, CA"],
        "date_posted": int(posted.timestamp()),
        "date_updated": int(posted.timestamp()),
        "terms": ["Summer 2027"],
        "active": True,
        "is_visible": True,
        "sponsorship": "Other",
        "category": "Software",
        "degrees": [],
        **given,
    }


async def _confirmed(club: Club, feeds: Feeds, entries: list[dict[str, Any]], ask: str) -> str:
    club.runtime.postings.settings = feeds.settings()
    await club.run(SETUP, as_user=ADMIN)
    await club.run("/admin postings settings enabled:yes", as_user=ADMIN)
    feeds.serve("/listings.json", entries)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(hours=1))
    return _field(await club.run(ask, as_user=MEMBER))


def _field(message: Message) -> str:
    return next((f.value for f in message.fields if f.name == CONFIRMED), "")


async def test_a_google_phd_researcher_posting_confirms_nothing_for_step(club, feeds):
    club.clock.set(OCTOBER)
    phd = entry("Google", "Student Researcher, PhD", degrees=["PhD"])
    said = await _confirmed(club, feeds, [phd], "/deadlines year:freshman")
    assert said == "", "not STEP, and not Google's software internships either"
    everyone = _field(await club.run("/deadlines year:phd", as_user=MEMBER))
    assert "Student Researcher" not in everyone


async def test_a_step_posting_confirms_step_and_says_which(club, feeds):
    club.clock.set(OCTOBER)
    step = entry("Google", "STEP Intern, First-Year Student")
    said = await _confirmed(club, feeds, [step], "/deadlines year:freshman")
    assert "Google STEP internship: Google's “STEP Intern, First-Year Student”" in said
    assert step["url"] in said
    assert "software engineering and ML internships" not in said


async def test_citadel_securities_and_the_allen_institute_match_their_programs(club, feeds):
    club.clock.set(OCTOBER)
    found = [
        entry("Citadel Securities", "Quantitative Research Intern", locations=["NYC"]),
        entry("Allen Institute for AI", "Research Internship", locations=["Seattle, WA"]),
    ]
    said = await _confirmed(club, feeds, found, "/deadlines")
    assert "Citadel / Citadel Securities Quant and ML internships: Citadel Securities'" in said
    assert "Allen Institute for AI (Ai2) Research internship" in said


async def test_a_meta_phd_research_posting_confirms_fair_not_the_swe_internship(club, feeds):
    club.clock.set(OCTOBER)
    research = entry("Meta", "Research Scientist Intern, LLM Reasoning (PhD)", degrees=["PhD"])
    said = await _confirmed(club, feeds, [research], "/deadlines")
    assert "FAIR / GenAI research internship" in said
    assert "Software engineering internship" not in said


async def test_a_fall_posting_confirms_no_summer_program(club, feeds):
    club.clock.set(OCTOBER)
    fall = entry("Microsoft", "Software Engineer Intern, Fall 2026", terms=["Fall 2026"])
    untermed = entry("Microsoft", "Software Engineer: Internship Opportunities, Fall 2026")
    del untermed["terms"]
    summer = entry("Microsoft", "Software Engineer Intern", posted=OCTOBER - timedelta(days=1))
    said = await _confirmed(club, feeds, [fall, untermed, summer], "/deadlines")
    assert "“Software Engineer Intern”" in said, "the summer posting, though it came later"
    assert "Fall 2026" not in said


async def test_a_closed_window_is_never_confirmed_open(club, feeds):
    club.clock.set(datetime(2026, 12, 15, 15, 0, tzinfo=UTC))
    posted = datetime(2026, 10, 16, tzinfo=UTC)
    found = [
        entry("Google", "STEP Intern, Second-Year Student", posted=posted),
        entry("Apple", "Machine Learning / AI Internship", posted=posted),
        entry("Jane Street", "Quantitative Trader Intern", posted=posted),
    ]
    said = await _confirmed(club, feeds, found, "/deadlines when:all")
    assert "STEP" not in said, "closed on 29 Oct"
    assert "Apple" not in said, "closed on 30 Nov"
    assert "Jane Street Quant and ML internships: Jane Street's" in said, "open, but late"


def _live(title: str, *, company: str = "google", **given: Any) -> LivePosting:
    values: dict[str, Any] = {
        "company": company,
        "title": title,
        "url": "",
        "posted_at": OCTOBER,
        "company_key": company,
        "title_words": f" {title.lower().replace(',', '').replace('-', ' ')} ",
        "terms": ("summer 2027",),
        "degrees": (),
    }
    return LivePosting(**{**values, **given})


@pytest.mark.parametrize(
    ("program", "posting", "confirms"),
    [
        ("google-step", _live("STEP Intern, First-Year Student"), True),
        ("google-step", _live("Student Researcher, PhD"), False),
        ("google-step", _live("STEP Intern", terms=("summer 2026",)), False),
        ("google-step", _live("STEP Intern", terms=(), degrees=("phd",)), False),
        ("google-intern", _live("Software Engineering Intern, BS"), True),
        ("google-intern", _live("Software Engineering Intern, 2026", terms=()), False),
        ("google-intern", _live("STEP Intern", terms=()), False),
        ("meta-swe-intern", _live("Software Engineer Intern, PhD", company="meta"), False),
        ("ai2-research", _live("Research Intern", company="ai2"), True),
    ],
)
def test_what_fits_a_program(program, posting, confirms):
    window = load_calendar().by_id(program)
    assert window is not None
    rule = window.postings
    assert fits(rule, posting, cycle=2027, class_years=window.class_years) is confirms


def test_eligibility_is_read_from_degrees_and_titles():
    assert set(years_of(_live("STEP Intern, First-Year Student"))) == {"freshman"}
    assert set(years_of(_live("Research Intern - MS/BS"))) == {
        "freshman",
        "sophomore",
        "junior",
        "senior",
        "masters",
    }
    assert set(years_of(_live("Intern", degrees=("phd",)))) == {"phd"}
    assert len(years_of(_live("Software Engineer Intern"))) == 6, "says nothing: anyone"


_TITLES = (
    "STEP Intern, First-Year Student",
    "Software Engineering Intern, BS",
    "Software Engineer Intern, PhD",
    "Student Researcher, PhD",
    "Research Intern",
    "Quantitative Trader Intern",
    "Machine Learning Intern",
    "Software Engineering Intern, 2026",
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(("google", "meta", "ai2", "allen ai", "jane street", "nvidia", "x")),
            st.sampled_from(_TITLES),
            st.sampled_from(((), ("summer 2027",), ("summer 2026",), ("fall 2026",))),
            st.sampled_from(((), ("phd",), ("bachelor's",))),
        ),
        max_size=40,
    )
)
def test_each_window_is_confirmed_by_the_first_posting_that_fits_it(drawn):
    """Finding the postings by company, and keeping the answers per list of live
    postings, is what trying every posting on every window, in order, finds (the oracle)."""
    live = [
        _live(title, company=company, terms=terms, degrees=degrees, url=f"u{n}")
        for n, (company, title, terms, degrees) in enumerate(drawn)
    ]
    windows = [
        o for o in load_calendar().occurrences(2027) if o.window and o.window.postings.companies
    ]
    expected = [
        next(
            (
                p
                for p in live
                if o.window and fits(o.window.postings, p, cycle=2027, class_years=o.class_years)
            ),
            None,
        )
        for o in windows
    ]
    assert first_fits(windows, live, 2027) == expected
    # Asked again (another club's /deadlines): the answers kept for this list.
    assert first_fits(windows[::-1], live, 2027) == expected[::-1]
    # A poll made a new list: worked out afresh, not the old list's answers.
    fresh = live[::-1]
    assert first_fits(windows, fresh, 2027) == [
        next(
            (
                p
                for p in fresh
                if o.window and fits(o.window.postings, p, cycle=2027, class_years=o.class_years)
            ),
            None,
        )
        for o in windows
    ]
