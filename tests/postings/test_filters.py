"""Officers' words become a filter; the filter picks postings as a member would expect."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import UserError
from bot.postings.filters import Filter, category_of, changed, facts_of, filter_of
from bot.postings.listing import Posting

NOW = datetime(2026, 11, 16, tzinfo=UTC)


def _posting(**given: object) -> Posting:
    values: dict[str, object] = {
        "source": "list",
        "ext_id": "1",
        "company": "Jane Street",
        "title": "Software Engineer Intern",
        "url": "https://x.org/1",
        "locations": ("New York, NY",),
        "posted_at": NOW,
        "terms": ("Summer 2027",),
        "sponsorship": "Offers Sponsorship",
    }
    return Posting(**{**values, **given})  # type: ignore[arg-type]


def _matches(text: dict[str, str], posting: Posting) -> bool:
    return changed(Filter(), text).matches(facts_of(posting))


@pytest.mark.parametrize(
    ("options", "posting", "expected"),
    [
        ({"locations": "remote"}, _posting(locations=("Remote in USA",)), True),
        ({"locations": "remote"}, _posting(), False),
        ({"locations": "new york"}, _posting(locations=("Newark, NJ",)), False),
        ({"exclude": "jane street"}, _posting(), False),
        ({"companies": "jane"}, _posting(company="Janestreetish"), False),
        ({"sponsorship": "offers"}, _posting(sponsorship="Other"), False),
        ({"sponsorship": "no-citizenship"}, _posting(sponsorship="Other"), True),
        (
            {"sponsorship": "no-citizenship"},
            _posting(sponsorship="U.S. Citizenship is Required"),
            False,
        ),
        ({"terms": "summer 2027"}, _posting(terms=("Summer 2026",)), False),
        ({"terms": "summer"}, _posting(terms=("Summer",)), True),
        ({"categories": "quant"}, _posting(title="Quantitative Trader Intern"), True),
        ({"categories": "quant"}, _posting(), False),
        ({"categories": "data"}, _posting(category="Data Science, AI & Machine Learning"), True),
        ({"degrees": "master"}, _posting(degrees=("Bachelor's",)), False),
        ({"degrees": "master"}, _posting(), True),  # a posting that says nothing passes
        ({"keywords": "ml, machine learning"}, _posting(title="Machine Learning Intern"), True),
        ({"keywords": "ml"}, _posting(title="HTML Developer Intern"), False),
    ],
)
def test_a_filter_matches_whole_words(options, posting, expected):
    assert _matches(options, posting) is expected


def test_the_filter_is_saved_and_read_back_and_default_clears_an_option():
    saved = changed(Filter(), {"locations": "NYC, Remote", "sponsorship": "offers"})
    assert saved.enabled
    read = filter_of({"postings": saved.to_json()})
    assert read == saved
    assert changed(read, {"locations": "default"}).locations == ()
    assert filter_of({"postings": "{not json"}) == Filter()


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"categories": "biology"}, "Unknown category: biology"),
        ({"sponsorship": "maybe"}, "`sponsorship` is `any`"),
        ({"enabled": "perhaps"}, "`enabled` is `yes` or `no`"),
        ({"boards": "workday:acme"}, "is not a board"),
    ],
)
def test_mistakes_get_clear_answers(options, says):
    with pytest.raises(UserError, match=says):
        changed(Filter(), options)


def test_titles_give_a_category_when_the_list_has_none():
    assert category_of(_posting(title="Hardware Engineering Intern")) == "hardware"
    assert category_of(_posting(title="Product Manager Intern")) == "product"
    assert category_of(_posting(title="Marketing Intern")) == "other"
