"""Which problem a day gets, streaks and the leaderboard: pure rules on plain values."""

from datetime import date, timedelta

import pytest

from bot.errors import UserError
from bot.problems.rules import (
    DEFAULT_MIX,
    DEFAULT_RAMP,
    Solve,
    choose_problem,
    leaderboard,
    parse_mix,
    parse_ramp,
    progress,
    streaks,
)
from tests.problems.samples import full_bank, problem

MONDAY = date(2026, 11, 16)


def _month(bank, days=30, posted=(), **kwargs):
    posted, picks = list(posted), []
    for offset in range(days):
        day = MONDAY + timedelta(days=offset)
        choice = choose_problem(
            bank, day, ramp=DEFAULT_RAMP, mix=DEFAULT_MIX, posted=posted, seed="club-1", **kwargs
        )
        posted.append(choice.problem.id)
        picks.append((day, choice))
    return picks


def test_thirty_days_give_thirty_distinct_problems_following_ramp_and_mix():
    picks = _month(full_bank())
    assert len({c.problem.id for _, c in picks}) == 30
    for day, choice in picks:
        weekday = day.weekday()
        assert choice.problem.kind == {1: "ml", 3: "sql"}.get(weekday, "coding")
        expected = "easy" if weekday <= 1 else "medium" if weekday <= 4 else "hard"
        assert choice.problem.difficulty == expected
        assert choice.note == ""


def test_the_choice_is_the_same_in_every_process():
    assert _month(full_bank()) == _month(full_bank())
    # Another club (seed) gets its own order through the same bank.
    ours = [c.problem.id for _, c in _month(full_bank(), days=7)]
    theirs = [
        choose_problem(
            full_bank(),
            MONDAY + timedelta(days=n),
            ramp=DEFAULT_RAMP,
            mix=DEFAULT_MIX,
            posted=[],
            seed="club-2",
        ).problem.id
        for n in range(7)
    ]
    assert ours != theirs


def test_an_exhausted_bank_starts_a_new_cycle_without_repeating_inside_one():
    bank = [problem(f"e{n}") for n in range(3)]
    mix, ramp = parse_mix("coding daily"), parse_ramp("daily easy")
    posted: list[str] = []
    cycles = []
    for offset in range(7):
        choice = choose_problem(
            bank, MONDAY + timedelta(days=offset), ramp=ramp, mix=mix, posted=posted, seed="s"
        )
        posted.append(choice.problem.id)
        cycles.append(choice.cycle)
    assert cycles == [1, 1, 1, 2, 2, 2, 3]
    assert len(set(posted[:3])) == 3
    assert len(set(posted[3:6])) == 3


def test_a_missing_difficulty_falls_back_to_the_nearest_and_says_so():
    bank = [problem("m1", difficulty="medium"), problem("e1", difficulty="easy")]
    saturday = MONDAY + timedelta(days=5)
    choice = choose_problem(
        bank, saturday, ramp=DEFAULT_RAMP, mix=parse_mix("coding daily"), posted=[], seed="s"
    )
    assert choice.problem.id == "m1"
    assert choice.note == "no hard coding problem left; medium"


def test_a_topic_filter_that_matches_nothing_says_so():
    with pytest.raises(UserError, match="No coding problem in the bank with topics graphs"):
        choose_problem(
            full_bank(),
            MONDAY,
            ramp=DEFAULT_RAMP,
            mix=DEFAULT_MIX,
            posted=[],
            topics=frozenset({"graphs"}),
            seed="s",
        )


def test_a_topic_filter_narrows_the_pool():
    bank = [*full_bank(), problem("g1", topics=("graphs",))]
    choice = choose_problem(
        bank,
        MONDAY,
        ramp=DEFAULT_RAMP,
        mix=DEFAULT_MIX,
        posted=[],
        topics=frozenset({"graphs"}),
        seed="s",
    )
    assert choice.problem.id == "g1"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("mon-tue easy", "leaves out Wednesday"),
        ("daily trivial", "not a difficulty"),
        ("someday hard, daily easy", "not a day or a range of days"),
        ("daily", "I can't read"),
    ],
)
def test_a_bad_ramp_is_explained(text, complaint):
    with pytest.raises(UserError, match=complaint):
        parse_ramp(text)


def test_a_mix_puts_the_daily_kind_on_days_nobody_else_claims():
    assert parse_mix("ml tue, sql thu, coding daily").by_weekday == (
        "coding",
        "ml",
        "coding",
        "sql",
        "coding",
        "coding",
        "coding",
    )
    assert parse_mix("coding weekdays, sql weekends").by_weekday[5:] == ("sql", "sql")
    assert parse_ramp("fri-mon hard, tue-thu easy").by_weekday == (
        "hard",
        "easy",
        "easy",
        "easy",
        "hard",
        "hard",
        "hard",
    )


def test_streaks_count_consecutive_days_and_survive_until_the_day_is_over():
    days = [date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 3)]
    assert streaks(days, date(2027, 1, 3)).current == 1
    assert streaks(days, date(2027, 1, 4)).current == 1, "yesterday's solve keeps it alive"
    assert streaks(days, date(2027, 1, 5)).current == 0
    assert streaks(days, date(2027, 1, 5)).best == 3
    assert streaks(days[:3], date(2027, 1, 1)) == streaks(days[:3], date(2027, 1, 2))
    assert streaks([], MONDAY).best == 0


def test_the_leaderboard_matches_a_hand_computed_table():
    def solve(user, pid, difficulty, offset):
        return Solve(
            user_id=user,
            name=user.upper(),
            problem_id=pid,
            difficulty=difficulty,
            day=MONDAY + timedelta(days=offset),
        )

    solves = [
        solve("sam", "a", "easy", 0),  # 1
        solve("sam", "b", "medium", 2),  # 3
        solve("sam", "b", "medium", 3),  # a repeat: counts once
        solve("sam", "c", "hard", 5),  # 5 -> sam 9 points, 3 solves
        solve("kim", "b", "medium", 2),
        solve("kim", "d", "medium", 3),  # kim 6 points, 2 solves, done on day 3
        solve("pat", "b", "medium", 2),
        solve("pat", "d", "medium", 4),  # pat 6 points, 2 solves, done on day 4
        solve("lee", "c", "hard", 5),  # lee 5 points
    ]
    table = [(s.rank, s.user_id, s.points, s.solves) for s in leaderboard(solves)]
    assert table == [(1, "sam", 9, 3), (2, "kim", 6, 2), (2, "pat", 6, 2), (4, "lee", 5, 1)]
    week_two = [(s.user_id, s.points) for s in leaderboard(solves, since=MONDAY + timedelta(4))]
    assert week_two == [("lee", 5), ("sam", 5), ("pat", 3)], "a full tie falls back to user id"


def test_progress_counts_toward_the_75_to_100_target():
    assert progress(12) == "12/75 toward the 75-100 problem target."
    assert "inside the 75-100 target" in progress(80)
    assert "past the 75-100 target" in progress(120)


def test_posting_days_read_like_people_write_them():
    from bot.problems.rules import parse_days

    assert parse_days("weekdays") == (0, 1, 2, 3, 4)
    assert parse_days("mon, wed,fri") == (0, 2, 4)
    assert parse_days("sat-mon") == (0, 5, 6)
    with pytest.raises(UserError, match="not a day"):
        parse_days("funday")
