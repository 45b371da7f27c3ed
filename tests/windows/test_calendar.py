"""The internship calendar: every window resolves for any summer, queries answer by date."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar as ICalendar

from bot.errors import ContentError, UserError
from bot.windows.advice import load_advice, parse_advice
from bot.windows.calendar import (
    closing_within,
    cycles_visible,
    load_calendar,
    next_opening,
    open_now,
    opening_within,
    parse_calendar,
    parse_class_year,
    parse_track,
    select,
)
from bot.windows.ics import build_ics
from tests.conftest import MONDAY

CALENDAR = load_calendar()
SOURCE = {"id": "s", "title": "An article", "date": "July 2026", "short": "Article"}


def _keys(occurrences):
    return [o.key.split(":")[0] for o in occurrences]


def test_the_calendar_holds_every_program_the_seeds_name():
    ids = {w.id for w in CALENDAR.windows}
    assert {
        "amazon-intern",
        "microsoft-intern",
        "google-step",
        "apple-aiml-intern",
        "nvidia-intern",
        "jane-street",
        "citadel",
        "two-sigma",
        "nsf-reu",
        "mid-market-saas",
        "ai-startups",
        "deepmind-student-researcher",
        "microsoft-explore",
    } <= ids


def test_sources_are_named_articles_not_files_a_clone_lacks():
    for window in CALENDAR.windows:
        assert window.sources, window.id
        for source in window.sources:
            assert source.title, window.id
            assert source.date, window.id
            assert ".txt" not in source.cited
        for fact in (*window.pay, *window.odds):
            assert fact.source in CALENDAR.sources, window.id


def test_the_seeds_disagreement_on_big_tech_pay_is_shown_with_each_source():
    google = CALENDAR.by_id("google-intern")
    figures = {f.source.id: f.text for f in google.pay}
    assert "$45-62/hour" in figures["three-jobs"]
    assert "$60-85/hour" in figures["fonzi-salaries"]
    assert "$10,000-15,000/month" in figures["propelgrad-mle"]
    assert any("15-20%" in f.text for f in google.odds)


@pytest.mark.parametrize("cycle", [2027, 2028, 2030, 2031])
def test_every_window_resolves_for_any_summer_in_order(cycle):
    for o in CALENDAR.occurrences(cycle):
        assert o.opens_on <= o.open_until < date(cycle, 7, 1), o.key
        assert o.key.endswith(f":{cycle}")


def test_windows_keep_their_real_precision():
    step = {o.key: o for o in CALENDAR.occurrences(2027)}["google-step:2027"]
    # The article: "a 2-4 week application window landing around mid-October".
    assert (step.opens_on, step.closes_on, step.open_until) == (
        date(2026, 10, 15),
        date(2026, 10, 29),
        date(2026, 11, 12),
    )
    assert step.opens_text == "mid October 2026"
    assert step.closes_text == "29 Oct-12 Nov 2026 (2-4 weeks after opening, estimated)"
    assert step.late_from == date(2026, 10, 30), "after 2 weeks: late, not closed"
    assert step.phase(date(2026, 10, 30)) == "late"
    assert step.phase(date(2026, 11, 12)) == "late"
    assert step.phase(date(2026, 11, 13)) == "closed"
    reu = {o.key: o for o in CALENDAR.occurrences(2027)}["nsf-reu:2027"]
    assert (reu.opens_on, reu.closes_on) == (date(2026, 11, 1), date(2027, 3, 31))
    assert reu.closes_text == "Jan-Mar 2027", "a window spanning the new year"
    assert {o.key: o for o in CALENDAR.occurrences(2029)}["nsf-reu:2029"].closes_on == date(
        2029, 3, 31
    )


def test_a_leap_year_close_lands_on_the_29th():
    data = {
        "window": [
            {
                "id": "x",
                "employer": "X",
                "program": "P",
                "track": "quant",
                "opens": "11",
                "closes": "02",
                "sources": ["s"],
            }
        ],
        "source": [SOURCE],
    }
    x = parse_calendar(data)
    assert x.occurrences(2028)[0].closes_on == date(2028, 2, 29)
    assert x.occurrences(2027)[0].closes_on == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"track": "hedge-funds"}, "unknown track 'hedge-funds'"),
        ({"opens": "13"}, "opens '13' is not a date"),
        ({"closes": "sometime"}, "closes 'sometime' is not a date"),
        ({"class_years": ["toddler"]}, "class_years must come from"),
        ({"url": "http://example.com"}, "url must be an https address"),
        ({"opens": "09", "closes": "08", "opens_year": 0, "until": None}, "still open after"),
        ({"colour": "red"}, "unknown colour"),
        ({"sources": ["blog"]}, "unknown source 'blog'"),
        ({"until": None}, "a rolling window needs `until`"),
        ({"late": "09"}, "`late` needs a late_note"),
        ({"late": "07", "late_note": "n"}, "late must fall between its opening and its close"),
        ({"pay": [{"text": "$1"}]}, "pay and odds are lists of"),
        ({"until": "~03"}, "until marked ~ needs `estimate` saying why"),
        ({"estimate": "a guess"}, "`estimate` given but no date is marked ~"),
        ({"closes": "+2w..4w", "until": None}, "a close in a range of weeks needs a late_note"),
        ({"late": "~09", "late_note": "n"}, "late '~09' is not a month like 03"),
    ],
)
def test_a_malformed_window_is_rejected_by_name(change, complaint):
    entry = {
        "id": "bad-one",
        "employer": "X",
        "program": "P",
        "track": "quant",
        "opens": "08",
        "closes": "rolling",
        "until": "03",
        "sources": ["s"],
        **change,
    }
    entry = {k: v for k, v in entry.items() if v is not None}
    with pytest.raises(ContentError, match=complaint) as raised:
        parse_calendar({"window": [entry], "source": [SOURCE]})
    assert "bad-one" in str(raised.value)


def test_track_facts_reach_the_tracks_windows_and_a_bad_track_table_is_named():
    assert [f.text for f in CALENDAR.by_id("google-step").odds] == [
        f.text for f in CALENDAR.by_id("amazon-intern").odds
    ]
    assert CALENDAR.by_id("jane-street").odds[0].text.endswith("under 1%"), "its own odds win"
    with pytest.raises(ContentError, match=r"a \[\[track\]\] is an id of"):
        parse_calendar({"track": [{"id": "big-tech", "salary": []}], "source": [SOURCE]})


def test_cycles_roll_over_in_july():
    assert cycles_visible(date(2026, 11, 22)) == (2027, 2028)
    assert cycles_visible(date(2027, 3, 1)) == (2027, 2028)
    assert cycles_visible(date(2027, 7, 1)) == (2028, 2029)


def _around(day):
    return CALENDAR.around(day)


def test_in_august_the_early_openers_are_open_and_big_tech_is_next():
    day = date(2026, 8, 20)
    assert {"amazon-intern", "microsoft-intern", "jane-street", "citadel"} <= set(
        _keys(open_now(_around(day), day))
    )
    assert "google-step" not in _keys(open_now(_around(day), day))
    assert {"meta-swe-intern", "apple-aiml-intern", "google-intern"} <= set(
        _keys(opening_within(_around(day), day, 30))
    )


def test_in_october_step_is_open_for_a_sophomore_and_not_for_a_phd():
    day = date(2026, 10, 20)
    sophomore = _keys(open_now(select(_around(day), class_year="sophomore"), day))
    phd = _keys(open_now(select(_around(day), class_year="phd"), day))
    assert "google-step" in sophomore
    assert "meta-fair-research" not in sophomore
    assert "google-step" not in phd
    assert "meta-fair-research" in phd
    assert _keys(closing_within(_around(day), day, 14)) == ["google-step"]


def test_in_december_reu_is_open_saas_opens_in_january_and_big_tech_is_late():
    day = date(2026, 12, 10)
    now = {o.window_id: o.phase(day) for o in _around(day) if o.is_open(day)}
    assert now["nsf-reu"] == "open"
    # "Postings open January through March": not in December.
    assert "mid-market-saas" not in now
    saas = next(o for o in _around(day) if o.key == "mid-market-saas:2027")
    assert (saas.opens_on, saas.opens_text) == (date(2027, 1, 1), "January 2027")
    assert next_opening(_around(day), day) == saas
    assert now["amazon-intern"] == now["meta-swe-intern"] == "late"
    assert "apple-aiml-intern" not in now


def test_in_march_reu_closes_soon_and_saas_and_startups_are_open():
    day = date(2027, 3, 20)
    assert _keys(closing_within(_around(day), day, 14)) == ["nsf-reu"]
    assert {"mid-market-saas", "ai-startups"} <= set(_keys(open_now(_around(day), day)))
    assert next_opening(_around(day), day).key == "amazon-intern:2028"


@pytest.mark.parametrize("window_id", ["amazon-intern", "jane-street", "meta-fair-research"])
def test_rolling_windows_close_when_the_seeds_say_offers_are_out(window_id):
    [occurrence] = [o for o in CALENDAR.occurrences(2027) if o.window_id == window_id]
    by_day = {
        day: occurrence.phase(day)
        for day in (date(2026, 10, 1), date(2027, 1, 15), date(2027, 3, 31), date(2027, 4, 1))
    }
    assert by_day[date(2026, 10, 1)] in ("open", "late")
    assert by_day[date(2027, 1, 15)] == "late"
    assert by_day[date(2027, 3, 31)] == "late"
    assert by_day[date(2027, 4, 1)] == "closed"


@pytest.mark.parametrize("window_id", ["ai2-research", "mlh-fellowship"])
def test_year_round_programs_are_open_every_day_of_the_year(window_id):
    day = date(2026, 7, 1)
    while day < date(2028, 7, 1):
        assert window_id in _keys(open_now(_around(day), day)), day
        day += timedelta(days=1)


def test_startups_hire_rolling_from_october_to_may():
    assert "ai-startups" not in _keys(open_now(_around(date(2026, 9, 30)), date(2026, 9, 30)))
    for day in (date(2026, 10, 1), date(2027, 1, 15), date(2027, 4, 15), date(2027, 5, 31)):
        assert "ai-startups" in _keys(open_now(_around(day), day)), day
    assert "ai-startups" not in _keys(open_now(_around(date(2027, 6, 1)), date(2027, 6, 1)))


def test_tracks_and_class_years_accept_friendly_spellings_and_list_the_valid_ones():
    assert parse_track("Big Tech") == "big-tech"
    assert parse_track("reu") == "research-reu"
    assert parse_class_year("2nd year") == "sophomore"
    with pytest.raises(UserError, match=r"is not a track\. Tracks: big-tech, early-career"):
        parse_track("hedge funds")
    with pytest.raises(UserError, match=r"is not a class year\. Use one of: freshman"):
        parse_class_year("toddler")


def test_the_ics_feed_round_trips_every_window_with_reminders():
    occurrences = CALENDAR.occurrences(2027)
    data = build_ics(occurrences, calendar_name="Club", reminder_days=(14, 3, 1), stamp=MONDAY)
    parsed = ICalendar.from_ical(data)
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    for o in occurrences:
        opening = events[f"{o.key}-opens@clubbot"]
        assert opening.decoded("DTSTART") == o.opens_on
        if o.closes_on is not None:
            closing = events[f"{o.key}-closes@clubbot"]
            assert closing.decoded("DTSTART") == o.closes_on
            assert len(closing.walk("VALARM")) == 3
    assert data == build_ics(
        occurrences, calendar_name="Club", reminder_days=(14, 3, 1), stamp=MONDAY
    ), "stable output, stable UIDs"


def test_advice_covers_every_month_and_a_gap_is_named():
    advice = load_advice()
    phases = {advice.for_day(date(2027, m, 1)).phase for m in range(1, 13)}
    assert len(phases) >= 8
    with pytest.raises(ContentError, match=r"no advice for months \[2, 3"):
        parse_advice({"month": [{"months": [1], "phase": "p", "advice": "a", "focus": ["quant"]}]})
    with pytest.raises(ContentError, match=r"an entry needs months, phase, advice and focus"):
        parse_advice({"month": [{"months": [1], "phase": "p", "advice": "a"}]})


def test_lines_that_do_not_fit_one_message_are_named_with_the_command_that_lists_them():
    from bot.windows.listing import section_fields, sections

    day = date(2026, 11, 15)
    found = sections(_around(day), day)
    every = [o for s in found for o in s.occurrences]
    fields = section_fields(found, day, budget=1500)
    shown = "\n".join(f.value for f in fields[:-1])
    hidden = [o for o in every if f"• {o.title} (" not in shown]
    assert hidden, "the small budget leaves some out"
    assert fields[-1].name == "Not shown here"
    assert fields[-1].value.startswith(f"{len(hidden)} more windows: ")
    for o in hidden:
        assert f"`/deadlines track:{o.track}`" in fields[-1].value
    roomy = section_fields(found, day)
    assert all(f.name != "Not shown here" for f in roomy)
    assert sum(f.value.count("• ") for f in roomy) == len(every)
