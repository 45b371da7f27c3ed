"""The daily problem's rules on plain values: rotation, ramp and mix, streaks, leaderboard.

Banks here are built from Problem objects, not from the shipped content, so each
test controls exactly what is left to choose from.
"""

import random
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.errors import UserError
from bot.problems.bank import TOPICS
from bot.problems.rules import (
    DEFAULT_MIX,
    DEFAULT_RAMP,
    Mix,
    Ramp,
    Solve,
    Standing,
    Streak,
    choose_problem,
    leaderboard,
    parse_mix,
    parse_ramp,
    progress,
    streaks,
)
from tests.problems.samples import full_bank, problem

MONDAY = date(2027, 1, 4)
SATURDAY = MONDAY + timedelta(days=5)
CONTENT = Path(__file__).resolve().parents[2] / "content"


def post_days(bank, first_day, days, *, posted=(), ramp=DEFAULT_RAMP, mix=DEFAULT_MIX, seed="club"):
    """Run the daily post for `days` days; every choice joins the history like the store's."""
    history, choices = list(posted), []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        choice = choose_problem(bank, day, ramp=ramp, mix=mix, posted=history, seed=seed)
        history.append(choice.problem.id)
        choices.append((day, choice))
    return choices


# --- ramp and mix ----------------------------------------------------------------


def test_thirty_days_post_thirty_distinct_problems_on_the_default_ramp_and_mix():
    choices = post_days(full_bank(), MONDAY + timedelta(days=3), 30)

    assert len({c.problem.id for _, c in choices}) == 30
    for day, choice in choices:
        kind = {1: "ml", 3: "sql"}.get(day.weekday(), "coding")
        difficulty = ("easy", "easy", "medium", "medium", "medium", "hard", "hard")[day.weekday()]
        assert (choice.problem.kind, choice.problem.difficulty) == (kind, difficulty), day
        assert (choice.cycle, choice.new_cycle, choice.note) == (1, False, "")


def test_a_clubs_own_ramp_and_mix_are_followed():
    ramp = parse_ramp("weekdays medium, weekends easy")
    mix = parse_mix("sql mon, ml wed-thu, coding daily")
    choices = post_days(full_bank(), MONDAY, 14, ramp=ramp, mix=mix)

    kinds = [c.problem.kind for _, c in choices[:7]]
    assert kinds == ["sql", "coding", "ml", "ml", "coding", "coding", "coding"]
    assert [c.problem.difficulty for _, c in choices[:7]] == ["medium"] * 5 + ["easy"] * 2
    assert len({c.problem.id for _, c in choices}) == 14


def test_the_defaults_are_the_documented_ramp_and_mix():
    assert Ramp() == DEFAULT_RAMP == parse_ramp("mon-tue easy, wed-fri medium, sat-sun hard")
    assert Mix() == DEFAULT_MIX == parse_mix("coding daily, ml tue, sql thu")
    assert DEFAULT_MIX.kinds == {"coding", "ml", "sql"}


def test_days_read_the_way_people_write_them():
    assert parse_ramp("Monday-Tues easy; wed-thurs medium, fri-sun hard").by_weekday == (
        ("easy", "easy", "medium", "medium", "hard", "hard", "hard")
    )
    # A range may run over the weekend, and the order of day and value does not matter.
    assert parse_ramp("hard fri-mon, tue-thu easy").by_weekday == (
        ("hard", "easy", "easy", "easy", "hard", "hard", "hard")
    )
    # A daily kind only fills the days nobody else claims, wherever it is written.
    assert parse_mix("ml tue, sql thu, coding daily") == DEFAULT_MIX


@pytest.mark.parametrize(
    ("parse", "text", "complaint"),
    [
        (parse_ramp, "mon-tue easy, wed-fri medium", "leaves out Saturday, Sunday"),
        (parse_ramp, "daily trivial", "`trivial` is not a difficulty: use easy, medium, hard"),
        (parse_ramp, "mongoose easy, daily hard", "`mongoose` is not a day"),
        (parse_ramp, "mon tue easy", "I can't read `mon tue easy`"),
        (parse_ramp, "", "leaves out Monday"),
        (parse_mix, "coding weekdays", "The mix leaves out Saturday, Sunday"),
        (parse_mix, "coding daily, python tue", "`python` is not a kind: use coding, ml, sql"),
        (parse_mix, "coding daily, ml mon-tue-wed", "is not a day or a range of days"),
    ],
)
def test_a_bad_ramp_or_mix_is_refused_with_an_example(parse, text, complaint):
    with pytest.raises(UserError, match=complaint) as refused:
        parse(text)
    example = "mon-tue easy, wed-fri medium" if parse is parse_ramp else "coding daily, ml tue"
    assert example in refused.value.message


def test_a_ramp_or_mix_that_does_not_cover_the_week_cannot_be_built():
    with pytest.raises(ValueError, match="seven"):
        Ramp(("easy",) * 6)
    with pytest.raises(ValueError, match="seven"):
        Mix(("coding",) * 6 + ("python",))


# --- rotation ----------------------------------------------------------------------


def test_an_exhausted_bank_starts_a_new_cycle_and_says_which():
    bank = [problem(f"easy-{n}") for n in range(4)]
    everyday = {"ramp": parse_ramp("daily easy"), "mix": parse_mix("coding daily")}
    choices = [c for _, c in post_days(bank, MONDAY, 9, **everyday)]

    assert [c.cycle for c in choices] == [1, 1, 1, 1, 2, 2, 2, 2, 3]
    assert [c.new_cycle for c in choices] == [False] * 4 + [True, False, False, False, True]
    assert choices[4].note == "every coding problem has been posted; cycle 2 starts"
    assert choices[5].note == ""
    for cycle in (choices[0:4], choices[4:8]):
        assert sorted(c.problem.id for c in cycle) == [p.id for p in bank]


def test_problems_added_after_a_full_cycle_are_posted_before_any_repeat():
    old = [problem(f"old-{n}") for n in range(3)]
    new = [problem(f"new-{n}") for n in range(2)]
    everyday = {"ramp": parse_ramp("daily easy"), "mix": parse_mix("coding daily")}
    history = [p.id for p in old]

    choices = [c for _, c in post_days(old + new, MONDAY, 3, posted=history, **everyday)]

    assert {c.problem.id for c in choices[:2]} == {"new-0", "new-1"}
    assert [c.cycle for c in choices] == [1, 1, 2]
    assert choices[2].new_cycle
    assert choices[2].problem.id in {p.id for p in old + new}


def test_other_kinds_and_filtered_out_problems_do_not_count_toward_a_cycle():
    bank = [problem("a"), problem("b"), problem("ml-a", kind="ml")]
    posted = ["a", "ml-a", "ml-a", "gone-from-the-bank"]
    choice = choose_problem(
        bank,
        MONDAY,
        ramp=DEFAULT_RAMP,
        mix=parse_mix("coding daily"),
        posted=posted,
        seed="club",
    )
    assert (choice.problem.id, choice.cycle, choice.new_cycle) == ("b", 1, False)


def test_when_no_problem_of_the_wanted_difficulty_is_left_the_nearest_one_is_posted():
    bank = [
        problem("easy-1"),
        problem("medium-1", difficulty="medium"),
        problem("hard-1", difficulty="hard"),
    ]
    coding = parse_mix("coding daily")

    def pick(day, posted, ramp=DEFAULT_RAMP):
        return choose_problem(bank, day, ramp=ramp, mix=coding, posted=posted, seed="club")

    saturday = pick(SATURDAY, ["hard-1"])
    assert saturday.problem.id == "medium-1"
    assert saturday.note == "no hard coding problem left; medium"
    # Easy and hard are equally near medium: the easier one is posted.
    wednesday = pick(MONDAY + timedelta(days=2), ["medium-1"])
    assert (wednesday.problem.id, wednesday.note) == (
        "easy-1",
        "no medium coding problem left; easy",
    )
    # Only hard left on an easy day: medium would be nearer but is used up too.
    monday = pick(MONDAY, ["easy-1", "medium-1"])
    assert (monday.problem.id, monday.note) == ("hard-1", "no easy coding problem left; hard")


def test_a_topic_filter_narrows_the_pool():
    bank = [*full_bank(), problem("graph-1", topics=("graphs", "bfs")), problem("tree-1")]
    graphs = frozenset({"graphs", "trees"})
    choice = choose_problem(
        bank, MONDAY, ramp=DEFAULT_RAMP, mix=DEFAULT_MIX, posted=[], topics=graphs, seed="club"
    )
    assert choice.problem.id == "graph-1"


def test_a_topic_filter_that_matches_nothing_is_refused_and_says_so():
    bank = [*full_bank(), problem("graph-1", topics=("graphs",))]
    tuesday = MONDAY + timedelta(days=1)  # ML day: no ML problem is about graphs
    with pytest.raises(UserError, match=r"No ml problem in the bank with topics graphs, trees"):
        choose_problem(
            bank,
            tuesday,
            ramp=DEFAULT_RAMP,
            mix=DEFAULT_MIX,
            posted=[],
            topics=frozenset({"trees", "graphs"}),
            seed="club",
        )


def test_a_kind_missing_from_the_bank_is_refused():
    with pytest.raises(UserError, match="No sql problem in the bank: change the topics or the mix"):
        choose_problem(
            [problem("a")],
            MONDAY,
            ramp=DEFAULT_RAMP,
            mix=parse_mix("sql daily"),
            posted=[],
            seed="club",
        )


def test_two_processes_pick_the_same_problems_whatever_the_order_of_bank_and_history():
    bank = full_bank(per_cell=4)
    history = [p.id for p in bank if p.difficulty == "easy"][:5]
    ours = post_days(bank, MONDAY, 21, posted=history)

    shuffled_bank, shuffled_history = list(bank), list(history)
    random.Random(7).shuffle(shuffled_bank)
    random.Random(8).shuffle(shuffled_history)
    theirs = post_days(shuffled_bank, MONDAY, 21, posted=shuffled_history)

    assert ours == theirs


def test_each_club_gets_its_own_order_through_the_bank():
    ours = [c.problem.id for _, c in post_days(full_bank(), MONDAY, 14, seed="club-1")]
    theirs = [c.problem.id for _, c in post_days(full_bank(), MONDAY, 14, seed="club-2")]
    assert ours != theirs
    assert sorted(ours) != sorted(theirs)


# --- streaks -------------------------------------------------------------------------


def days(*isos):
    return [date.fromisoformat(d) for d in isos]


def test_a_streak_runs_across_the_end_of_a_month_and_of_a_year():
    across_month = days("2027-01-30", "2027-01-31", "2027-02-01")
    assert streaks(across_month, date(2027, 2, 1)) == Streak(current=3, best=3)
    across_year = days("2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02")
    assert streaks(across_year, date(2027, 1, 2)) == Streak(current=4, best=4)
    leap = days("2028-02-28", "2028-02-29", "2028-03-01")
    assert streaks(leap, date(2028, 3, 1)) == Streak(current=3, best=3)


def test_a_streak_stands_until_the_day_is_over_and_breaks_after_a_missed_day():
    solved = days("2027-03-01", "2027-03-02", "2027-03-03")
    assert streaks(solved, date(2027, 3, 3)).current == 3  # solved today
    assert streaks(solved, date(2027, 3, 4)).current == 3  # not solved yet today
    assert streaks(solved, date(2027, 3, 5)) == Streak(current=0, best=3)


def test_a_gap_starts_a_new_streak_and_the_best_one_is_kept():
    solved = days(
        "2027-03-01", "2027-03-02", "2027-03-03", "2027-03-04",  # 4
        "2027-03-06", "2027-03-07",  # a gap on the 5th, then 2
    )  # fmt: skip
    assert streaks(solved, date(2027, 3, 7)) == Streak(current=2, best=4)
    # Two solves on one day are one day; the order days arrive in does not matter.
    assert streaks([*reversed(solved), solved[-1]], date(2027, 3, 8)) == Streak(current=2, best=4)


def test_no_solves_no_streak_and_future_days_do_not_count():
    assert streaks([], MONDAY) == Streak(current=0, best=0)
    assert streaks(days("2027-01-05", "2027-01-06"), MONDAY) == Streak(current=0, best=0)


# --- leaderboard ---------------------------------------------------------------------


def solve(user, problem_id, difficulty, day, name=None):
    return Solve(
        user_id=user,
        name=name or user.title(),
        problem_id=problem_id,
        difficulty=difficulty,
        day=date.fromisoformat(day),
    )


SOLVES = [
    # ana: 1 + 3 + 5 = 9 points, 3 solves; the repeat of p2 counts once.
    solve("ana", "p1", "easy", "2027-01-04"),
    solve("ana", "p2", "medium", "2027-01-06"),
    solve("ana", "p2", "medium", "2027-01-07"),
    solve("ana", "p3", "hard", "2027-01-09"),
    # bo and cy: 6 points, 2 solves each; bo got there on the 7th, cy on the 8th.
    solve("cy", "p2", "medium", "2027-01-06"),
    solve("cy", "p4", "medium", "2027-01-08"),
    solve("bo", "p4", "medium", "2027-01-07"),
    solve("bo", "p2", "medium", "2027-01-06"),
    # di: 6 points too, but from 6 easy solves: more solves rank ahead of bo and cy.
    *(solve("di", f"e{n}", "easy", "2027-01-05") for n in range(6)),
    # ed: 5 points from one hard solve, solved three times; renamed since.
    solve("ed", "p3", "hard", "2027-01-09", name="Ed"),
    solve("ed", "p3", "hard", "2027-01-10", name="Edward"),
    solve("ed", "p3", "hard", "2027-01-11", name="Edward"),
]


def test_the_all_time_leaderboard_matches_the_hand_computed_table():
    assert leaderboard(SOLVES, since=None) == [
        Standing(rank=1, user_id="ana", name="Ana", points=9, solves=3),
        Standing(rank=2, user_id="di", name="Di", points=6, solves=6),
        Standing(rank=3, user_id="bo", name="Bo", points=6, solves=2),
        Standing(rank=3, user_id="cy", name="Cy", points=6, solves=2),
        Standing(rank=5, user_id="ed", name="Edward", points=5, solves=1),
    ]


def test_the_weekly_leaderboard_counts_first_solves_made_since_monday():
    # The week of Jan 8: ana's p3 (5), cy's p4 (3), ed's p3 (5; his repeats add nothing).
    week = leaderboard(SOLVES, since=date(2027, 1, 8))
    assert [(s.rank, s.user_id, s.points, s.solves) for s in week] == [
        (1, "ana", 5, 1),
        (1, "ed", 5, 1),
        (3, "cy", 3, 1),
    ]
    # Solving an old problem again this week scores nothing.
    again = solve("di", "e0", "easy", "2027-01-09")
    assert "di" not in {s.user_id for s in leaderboard([*SOLVES, again], since=date(2027, 1, 8))}


def test_the_leaderboard_does_not_depend_on_the_order_solves_arrive_in():
    shuffled = list(SOLVES)
    random.Random(3).shuffle(shuffled)
    assert leaderboard(shuffled, since=None) == leaderboard(SOLVES, since=None)
    assert leaderboard([], since=None) == []


def test_a_full_tie_is_ordered_by_user_id_and_shares_the_rank():
    tied = [solve("zoe", "p1", "hard", "2027-01-04"), solve("al", "p2", "hard", "2027-01-04")]
    assert [(s.rank, s.user_id) for s in leaderboard(tied, since=None)] == [(1, "al"), (1, "zoe")]


# --- progress and content ----------------------------------------------------------


def test_progress_is_measured_against_the_75_to_100_target():
    assert progress(0) == "0/75 toward the 75-100 problem target."
    assert progress(74) == "74/75 toward the 75-100 problem target."
    assert progress(75) == "75 solved: inside the 75-100 target range."
    assert progress(100) == "100 solved: past the 75-100 target. Keep it warm."


@pytest.mark.parametrize(
    ("file", "prefix", "at_least"),
    [("problems_ml.toml", "ml-", 65), ("problems_sql.toml", "sql-", 45)],
)
def test_the_ml_and_sql_banks_are_big_enough_and_use_every_topic(file, prefix, at_least):
    entries = tomllib.loads((CONTENT / file).read_text(encoding="utf-8"))["problem"]
    kind = prefix.rstrip("-")
    assert len(entries) >= at_least
    assert all(e["id"].startswith(prefix) for e in entries)
    assert {t for e in entries for t in e["topics"]} == TOPICS[kind]
    for difficulty in ("easy", "medium", "hard"):
        assert sum(e["difficulty"] == difficulty for e in entries) >= 8, difficulty
