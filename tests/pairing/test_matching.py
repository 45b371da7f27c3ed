"""The pairing engine: pure rules on plain values (availability: test_hours.py)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from bot.pairing.hours import WEEK_SLOTS, parse_week
from bot.pairing.matching import FRESH, Participant, pair_round, pair_score

WEEK = date(2026, 11, 16)  # a Monday
SUMMER = date(2026, 7, 13)
ALL = (1 << WEEK_SLOTS) - 1


def person(pid, *, track="coding", level=3, role="both", hours=ALL, trio_count=0, priority=1.0):
    return Participant(
        id=pid,
        track=track,
        level=level,
        role=role,
        hours=hours,
        trio_count=trio_count,
        priority=priority,
    )


def _members(result):
    return sorted(
        [*(m for g in result.groups for m in g.members), *(u.id for u in result.unpaired)]
    )


def test_an_unknown_zone_is_refused_with_suggestions():
    with pytest.raises(UserError, match="Did you mean"):
        parse_week("mon 18-21", "Europe/Londn", WEEK)


def test_the_score_prefers_close_levels_complementary_roles_and_new_partners():
    a = person("a", level=3, role="interviewer")
    assert pair_score(a, person("b", level=3, role="interviewee"), {}) > pair_score(
        a, person("c", level=3, role="interviewer"), {}
    )
    assert pair_score(a, person("b", level=2), {}) > pair_score(a, person("c", level=5), {})
    fresh = pair_score(a, person("b"), {})
    assert pair_score(a, person("b"), {frozenset({"a", "b"}): 1}) == fresh - FRESH
    # An older repeat costs less than last week's, and still more than half a new partner.
    older = pair_score(a, person("b"), {frozenset({"a", "b"}): 20})
    assert fresh - FRESH < older <= fresh - FRESH // 2
    assert pair_score(a, person("b", track="behavioral"), {}) == 0
    assert pair_score(person("x", hours=1), person("y", hours=2), {}) == 0
    # Two interviewees cannot hold a mock interview: nobody would ask.
    assert pair_score(person("x", role="interviewee"), person("y", role="interviewee"), {}) == 0


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_tiny_rounds(n):
    result = pair_round([person(f"p{i}") for i in range(n)], {}, seed="s")
    assert _members(result) == sorted(f"p{i}" for i in range(n))
    sizes = sorted(len(g.members) for g in result.groups)
    assert sizes == {0: [], 1: [], 2: [2], 3: [3]}[n]
    if n == 1:
        assert result.unpaired[0].reason == "nobody else is in the coding track"


def test_everyone_in_disjoint_zones_is_told_why():
    people = [person(f"p{i}", hours=1 << (i * 10)) for i in range(4)]
    result = pair_round(people, {}, seed="s")
    assert result.groups == ()
    assert all("no common hour" in u.reason for u in result.unpaired)


def test_the_trio_rotates_so_nobody_is_in_it_twice_before_everyone_once():
    people = [person(f"p{i}") for i in range(5)]
    counts = {p.id: 0 for p in people}
    history: dict[frozenset[str], int] = {}
    for week in range(5):
        current = [person(p.id, trio_count=counts[p.id]) for p in people]
        result = pair_round(current, history, seed=f"w{week}")
        [trio] = [g for g in result.groups if len(g.members) == 3]
        assert "odd number" in trio.why
        for member in trio.members:
            counts[member] += 1
        # Nobody is in a trio twice before everyone else has been in one as often.
        assert max(counts.values()) - min(counts.values()) <= 1, (week, counts)


def test_twenty_weeks_of_a_sixty_member_club_never_repeat_a_pair():
    people = [
        person(f"m{i:02d}", level=1 + i % 5, role=("interviewer", "interviewee", "both")[i % 3])
        for i in range(60)
    ]
    history: dict[frozenset[str], int] = {}
    for week in range(20):
        result = pair_round(people, history, seed=f"week-{week}")
        history = {pair: ago + 1 for pair, ago in history.items()}
        for group in result.groups:
            pair = frozenset(group.members)
            assert pair not in history, f"week {week}: {sorted(pair)} met before"
            history[pair] = 1


def test_a_repeat_happens_only_when_there_is_no_alternative():
    a, b = person("a"), person("b")
    result = pair_round([a, b], {frozenset({"a", "b"}): 1}, seed="s")
    assert [g.members for g in result.groups] == [("a", "b")]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["coding", "behavioral"]),
            st.integers(1, 5),
            st.sampled_from(["interviewer", "interviewee", "both"]),
            st.integers(0, (1 << 168) - 1),
        ),
        max_size=25,
    )
)
def test_everyone_is_in_exactly_one_group_or_told_why_not(rows):
    people = [
        person(f"p{i}", track=t, level=lv, role=r, hours=h) for i, (t, lv, r, h) in enumerate(rows)
    ]
    result = pair_round(people, {}, seed="prop")
    assert _members(result) == sorted(p.id for p in people)
    assert all(2 <= len(g.members) <= 3 for g in result.groups)
    for group in result.groups:
        assert group.hours, "every group shares an hour"


def test_a_pair_that_meets_again_is_told_why_and_a_new_pair_is_not():
    morning, evening = 0b1111 << 20, 0b1111 << 60
    two = [person("sam", hours=morning), person("lee", hours=morning)]
    (again,) = pair_round(two, {frozenset(("sam", "lee")): 1}, seed="w").groups
    assert again.why.startswith("You two met 1 round ago."), again.why
    four = [*two, person("kim", hours=evening), person("ana", hours=evening)]
    fresh = pair_round(four, {frozenset(("sam", "kim")): 2}, seed="w").groups
    assert sorted(g.members for g in fresh) == [("ana", "kim"), ("lee", "sam")]
    assert [g.why for g in fresh] == ["", ""], "met before is only said of a pair that did"
