"""The plan, measured, against an independent count: every season, every mix, every speed."""

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.applications.facts import load_facts
from bot.applications.kinds import CATEGORIES, CATEGORY_LABELS, PROGRESSION, STAGES
from bot.applications.plan import (
    Opening,
    Season,
    Sent,
    furthest_counts,
    measure,
    needs_fallback,
    next_step,
    season_of,
    target,
)

FACTS = load_facts()
PLAN = {"big-tech": 30, "saas": 50, "startup": 15, "research": 5}

days = st.dates(date(2025, 6, 1), date(2028, 8, 31))


@st.composite
def sent(draw: st.DrawFn) -> Sent:
    applied = draw(days)
    opened = draw(st.none() | st.integers(-30, 90).map(lambda n: applied - timedelta(days=n)))
    furthest = draw(st.sampled_from(PROGRESSION))
    stage = draw(st.sampled_from([furthest, "rejected", "withdrawn"]))
    return Sent(
        category=draw(st.sampled_from(CATEGORIES)),
        applied_on=applied,
        opened_on=opened,
        stage=stage,
        furthest=furthest,
    )


def _oracle(sents: list[Sent], summer: int) -> dict[str, object]:
    """Counted another way: by ordinal days and the calendar months, one application at a time."""
    first = date(summer - 1, 7, 1).toordinal()
    last = date(summer, 6, 30).toordinal()
    total, per, in_mix, early, timed, offers = 0, Counter(), 0, 0, 0, 0
    for s in sents:
        if not first <= s.applied_on.toordinal() <= last:
            continue
        total += 1
        per[s.category] += 1
        in_mix += s.category in PLAN
        if s.opened_on is not None:
            timed += 1
            early += s.applied_on.toordinal() - s.opened_on.toordinal() < 15
        offers += s.furthest == "offer"
    return {
        "total": total,
        "per": per,
        "in_mix": in_mix,
        "early": early,
        "timed": timed,
        "offers": offers,
    }


@given(sents=st.lists(sent(), max_size=60), summer=st.sampled_from([2026, 2027, 2028]))
@settings(deadline=None)
def test_the_seasons_counts_agree_with_an_independent_count(sents, summer):
    progress = measure(sents, Season(summer=summer), FACTS)
    expected = _oracle(sents, summer)
    assert progress.total == expected["total"]
    assert {c: n for c, n in progress.by_category.items() if n} == dict(expected["per"])
    assert progress.in_mix == expected["in_mix"]
    assert (progress.early, progress.timed) == (expected["early"], expected["timed"])
    assert progress.offers == expected["offers"]
    assert sum(progress.stages.values()) == progress.total
    if progress.in_mix:
        assert sum(progress.mix_percent(c) for c in PLAN) in range(98, 103)


@given(day=days)
@settings(deadline=None)
def test_a_day_belongs_to_the_season_of_the_summer_it_recruits_for(day):
    season = season_of(day)
    assert season.holds(day)
    assert season.summer == (day.year + 1 if day.month >= 7 else day.year)
    assert not season.holds(season.starts - timedelta(days=1))
    assert not season.holds(season.ends + timedelta(days=1))


@given(sents=st.lists(sent(), max_size=40))
@settings(deadline=None)
def test_reached_counts_each_application_at_every_stage_it_got_past(sents):
    reached = furthest_counts(sents)
    for index, stage in enumerate(PROGRESSION):
        assert reached[stage] == sum(1 for s in sents if PROGRESSION.index(s.furthest) >= index)
    assert reached["applied"] == len(sents)


def test_the_plans_targets_are_its_shares_of_fifty():
    assert {c: target(c, FACTS) for c in PLAN} == {
        "big-tech": 15,
        "saas": 25,
        "startup": 8,
        "research": 2,
    }
    assert target("quant", FACTS) == target("other", FACTS) == 0


# --- the next step ------------------------------------------------------------------------

SEASON = Season(summer=2027)


def _window(category: str, opens: date, until: date) -> Opening:
    return Opening(category=category, opens_on=opens, open_until=until)


CALENDAR = [
    _window("big-tech", date(2026, 9, 1), date(2026, 11, 30)),
    _window("startup", date(2026, 10, 1), date(2027, 5, 31)),
    _window("research", date(2026, 11, 1), date(2027, 3, 31)),
    _window("saas", date(2027, 1, 1), date(2027, 4, 30)),
]


def _progress(day: date, **counts: int) -> object:
    sents = [
        Sent(category=c, applied_on=day, opened_on=None, stage="applied", furthest="applied")
        for c, n in counts.items()
        for _ in range(n)
    ]
    return measure(sents, SEASON, FACTS)


def test_in_september_big_tech_is_the_open_category_behind_the_plan():
    day = date(2026, 9, 20)
    step = next_step(_progress(day, **{"big-tech": 3}), CALENDAR, day, FACTS)
    assert step == "Big tech is open now: the plan puts about 15 of its 50 there, and you have 3."


def test_with_big_tech_done_the_next_step_is_saas_opening_in_january_half_the_plan():
    day = date(2026, 12, 5)
    progress = _progress(day, **{"big-tech": 15, "startup": 8, "research": 2})
    step = next_step(progress, CALENDAR, day, FACTS)
    assert step == "Mid-market SaaS opens in January: that is half the plan (about 25 of 50)."


def test_once_the_mix_is_covered_the_step_points_past_fifty():
    day = date(2027, 2, 1)
    progress = _progress(day, **{"big-tech": 15, "saas": 25, "startup": 8, "research": 2})
    assert "going on toward 120" in next_step(progress, CALENDAR, day, FACTS)


def test_after_april_without_an_offer_the_step_and_the_fallback_say_so():
    day = date(2027, 5, 3)
    progress = _progress(date(2026, 10, 1), saas=30)
    assert needs_fallback(progress, day, FACTS)
    assert "closed without an offer" in next_step(progress, CALENDAR, day, FACTS)
    assert not needs_fallback(progress, date(2027, 4, 30), FACTS)


@given(
    counts=st.fixed_dictionaries({c: st.integers(0, 30) for c in PLAN}),
    day=st.dates(date(2026, 7, 1), date(2027, 4, 30)),
)
@settings(deadline=None)
def test_the_step_names_the_open_category_furthest_behind_or_else_the_next_to_open(counts, day):
    progress = _progress(day, **counts)
    step = next_step(progress, CALENDAR, day, FACTS)
    gaps = {c: target(c, FACTS) - counts[c] for c in PLAN}
    open_behind = [
        c
        for c in PLAN
        if gaps[c] > 0
        and any(o.category == c and o.opens_on <= day <= o.open_until for o in CALENDAR)
    ]
    if open_behind:
        worst = max(gaps[c] for c in open_behind)
        named = [c for c in open_behind if step.startswith(CATEGORY_LABELS[c] + " is open now")]
        assert named, step
        assert gaps[named[0]] == worst, step
        return
    later = sorted(
        (o.opens_on, o.category) for o in CALENDAR if gaps[o.category] > 0 and o.opens_on > day
    )
    if later:
        assert step.startswith(f"{CATEGORY_LABELS[later[0][1]]} opens in {later[0][0]:%B}"), step
    else:
        assert " opens in " not in step, step
        assert " is open now:" not in step, step


@pytest.mark.parametrize("stage", STAGES)
def test_an_offer_ends_the_need_for_the_fallback_whatever_its_stage_now(stage):
    day = date(2027, 5, 3)
    sents = [
        Sent(
            category="saas",
            applied_on=date(2027, 1, 5),
            opened_on=None,
            stage=stage,
            furthest="offer",
        )
    ]
    assert not needs_fallback(measure(sents, SEASON, FACTS), day, FACTS)
