"""The advice agrees with the calendar, and the calendar with the articles.

Every month of two cycles: what /whatnow tells students to apply to is shown open (or
opening that month) by /deadlines, and nothing it calls closed is shown open. Every
window's dates and figures are found in the articles it names (when the articles are at
hand), or are marked as estimates that members see.
"""

import calendar
import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.windows.advice import load_advice
from bot.windows.calendar import TRACKS, Occurrence, load_calendar
from bot.windows.listing import line, sections

CALENDAR = load_calendar()
ADVICE = load_advice()
MONTHS = [(2026 + (m + 6) // 12, (m + 6) % 12 + 1) for m in range(24)]  # Jul 2026 - Jun 2028


def _shown(day: date) -> list[Occurrence]:
    """What /deadlines lists on `day` (no filters), closed windows aside."""
    return [o for s in sections(CALENDAR.around(day), day) for o in s.occurrences]


def _matches(occurrence: Occurrence, item: str) -> bool:
    return occurrence.track == item or occurrence.window_id == item


def test_advice_names_only_real_tracks_and_programs():
    ids = {w.id for w in CALENDAR.windows} | set(TRACKS)
    for month in range(1, 13):
        advice = ADVICE.by_month[month]
        assert advice.apply, f"month {month} tells students to apply to nothing"
        assert set(advice.apply + advice.closed) <= ids, month


@pytest.mark.parametrize(("year", "month"), MONTHS, ids=lambda v: str(v))
def test_what_the_advice_says_to_apply_to_is_listed_by_deadlines(year, month):
    advice = ADVICE.by_month[month]
    for day in (date(year, month, 1), date(year, month, 15)):
        shown = _shown(day)
        for item in advice.apply:
            listed = [o for o in shown if _matches(o, item)]
            assert listed, f"{day}: the advice says apply to {item}; /deadlines doesn't list it"
            # Listed as open, or opening before the month is out.
            month_end = date(year, month, calendar.monthrange(year, month)[1])
            assert any(o.is_open(day) or o.opens_on <= month_end for o in listed), (day, item)


@pytest.mark.parametrize(("year", "month"), MONTHS, ids=lambda v: str(v))
def test_nothing_the_advice_calls_closed_is_shown_open(year, month):
    advice = ADVICE.by_month[month]
    day = date(year, month, 1)
    while day.month == month:
        open_now = [o for o in CALENDAR.around(day) if o.is_open(day)]
        for item in advice.closed:
            assert not [o.key for o in open_now if _matches(o, item)], (day, item)
        day += timedelta(days=1)


def test_no_window_is_open_after_its_summer_starts_except_year_round_ones():
    for cycle in (2027, 2028):
        for o in CALENDAR.occurrences(cycle):
            if o.window is not None and o.window.opens != "year-round":
                assert o.open_until < date(cycle, 6, 1), o.key


# --- the articles -------------------------------------------------------------------

# Where each window's dates and phases come from: phrases of the articles it names.
EVIDENCE = {
    "amazon-intern": ["Amazon opens July-August", "Offers go out by March."],
    "microsoft-intern": ["Microsoft around mid-August", "Offers go out by March."],
    "microsoft-explore": ["Google STEP and Microsoft Explore target first- and second-years"],
    "nvidia-intern": ["NVIDIA August-October", "Offers go out by March."],
    "meta-swe-intern": ["postings go live around early September", "Offers go out by March."],
    "apple-aiml-intern": ["applications September-November 2026, rolling by team"],
    "google-intern": ["They typically post September through November"],
    "google-step": ["Google's STEP window around mid-October for 2-4 weeks"],
    "deepmind-student-researcher": ["Rolling - watch it from fall 2026"],
    "meta-fair-research": ["PhD students only"],
    "ai2-research": ["year-round and rolling"],
    "nsf-reu": ["Applications run November-March, with most deadlines January-March"],
    "mlh-fellowship": ["MLH Fellowship - remote, 12 weeks"],
    "jane-street": ["Opens August 2026, rolling", "the best offices fill first"],
    "citadel": ["Opens around August 2026, rolling", "the best offices fill first"],
    "two-sigma": ["the quant firms in August", "the best offices fill first"],
    "mid-market-saas": [
        "If it's December, start applying to mid-market SaaS",
        "Postings open January through March",
        "apply January-February",
    ],
    "ai-startups": [
        "Apply broadly across all three categories starting in October",
        "Startup applications run rolling",
        "hire interns 2-4 weeks before they're needed",
    ],
}
# Windows some of whose dates no article gives: members see why ("estimated: ...").
ESTIMATED = {
    "google-intern",
    "microsoft-explore",
    "deepmind-student-researcher",
    "meta-fair-research",
    "mlh-fellowship",
    "jane-street",
    "citadel",
    "two-sigma",
    "ai-startups",
}
# Our copy of each article (../shared/seeds of the project); a clone may not have them.
SEED_FILES = {
    "ml-eng-guide": "000_",
    "three-jobs": "001_",
    "fonzi-salaries": "002_",
    "propelgrad-mle": "003_",
    "nvidia-engineer-blog": "004_",
}


def _seeds() -> Path | None:
    here = Path(__file__).resolve().parents[2]
    candidates = [os.environ.get("CLUBBOT_SEEDS", ""), here / "../shared/seeds"]
    candidates.append(here / "../../shared/seeds")
    return next((Path(c) for c in candidates if c and Path(c).is_dir()), None)


def _plain(text: str) -> str:
    # En and em dashes, curly quotes.
    for fancy, plain in (("\u2013", "-"), ("\u2014", "-"), ("\u2019", "'"), ("\u2018", "'")):
        text = text.replace(fancy, plain)
    return " ".join(text.split())


def _article(source_id: str) -> str:
    folder = _seeds()
    if folder is None:
        pytest.skip("the source articles (../shared/seeds) are not here")
    [path] = folder.glob(SEED_FILES[source_id] + "*.txt")
    return _plain(path.read_text(encoding="utf-8"))


def test_every_window_has_evidence_and_every_source_a_copy():
    assert set(EVIDENCE) == {w.id for w in CALENDAR.windows}
    assert set(SEED_FILES) == {s.id for s in CALENDAR.sources}


@pytest.mark.parametrize("window", CALENDAR.windows, ids=lambda w: w.id)
def test_each_windows_dates_are_in_the_articles_it_names(window):
    texts = " ".join(_article(s.id) for s in window.sources)
    for phrase in EVIDENCE[window.id]:
        assert phrase in texts, f"{window.id}: {phrase!r} is not in its sources"


@pytest.mark.parametrize("window", CALENDAR.windows, ids=lambda w: w.id)
def test_each_pay_and_odds_figure_is_in_its_article(window):
    for fact in (*window.pay, *window.odds):
        figures = [w for w in _plain(fact.text).split() if any(ch.isdigit() for ch in w)]
        article = _article(fact.source.id).replace("$", "").replace(",", "")
        for figure in figures:
            bare = figure.strip("().:;,").replace("$", "").replace(",", "")
            assert bare.split("/")[0] in article, f"{window.id}: {figure} not in {fact.source.id}"


def test_windows_without_dated_evidence_are_marked_estimated_where_members_look():
    assert {w.id for w in CALENDAR.windows if w.estimate} == ESTIMATED
    day = date(2026, 11, 15)
    for o in CALENDAR.occurrences(2027):
        shown = line(o, day)
        assert ("estimated" in shown) == (o.window_id in ESTIMATED), shown
