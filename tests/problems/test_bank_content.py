"""The shipped problem bank is complete and well-formed; a malformed entry is named."""

import sqlite3

import pytest

from bot.errors import ContentError
from bot.problems.bank import KINDS, TOPICS, load_bank, parse_bank

BANK = load_bank()
SQL = [p for p in BANK.problems if p.kind == "sql"]


def test_the_bank_has_what_the_issue_asks_for():
    counts = {kind: len(BANK.select(kind=kind)) for kind in KINDS}
    assert counts["coding"] >= 150
    assert counts["ml"] >= 60
    assert counts["sql"] >= 40


def test_every_weekday_of_the_default_ramp_and_mix_has_a_month_of_problems():
    # Default: ML on Tuesdays (easy), SQL on Thursdays (medium), coding otherwise.
    assert len(BANK.select(kind="ml", difficulty="easy")) >= 5
    assert len(BANK.select(kind="sql", difficulty="medium")) >= 5
    for difficulty in ("easy", "medium", "hard"):
        assert len(BANK.select(kind="coding", difficulty=difficulty)) >= 10


def test_coding_links_are_leetcode_problem_pages():
    for problem in BANK.select(kind="coding"):
        assert problem.url == f"https://leetcode.com/problems/{problem.id}/"


@pytest.mark.parametrize("problem", SQL, ids=lambda p: p.id)
def test_every_sql_reference_query_runs_on_its_schema_and_returns_rows(problem):
    db = sqlite3.connect(":memory:")
    db.executescript(problem.schema)
    db.executescript(problem.rows)
    assert db.execute(problem.query).fetchall(), f"{problem.id} returns nothing"


def test_topics_come_from_each_kinds_vocabulary():
    for problem in BANK.problems:
        assert set(problem.topics) <= TOPICS[problem.kind], problem.id


GOOD = {
    "id": "two-sum",
    "title": "Two Sum",
    "difficulty": "easy",
    "topics": ["arrays"],
    "hint": "h",
    "solution": "s",
}


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"difficulty": "trivial"}, "difficulty must be one of"),
        ({"topics": ["vibes"]}, "unknown topic 'vibes'"),
        ({"hint": None}, "missing hint"),
        ({"url": "http://leetcode.com/problems/two-sum/"}, "must be https://leetcode.com"),
        ({"url": "https://evil.example/problems/two-sum/"}, "must be https://leetcode.com"),
        ({"id": "Two Sum!"}, "lowercase slug"),
        ({"solution": "x" * 901}, "solution is longer than 900"),
        ({"colour": "red"}, "unknown colour"),
    ],
)
def test_a_malformed_coding_entry_is_rejected_by_name(change, complaint):
    entry = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(ContentError, match=complaint) as raised:
        parse_bank({"problems_coding.toml": {"problem": [entry]}})
    assert f"content/problems_coding.toml: {entry.get('id')}" in str(raised.value)


def test_an_sql_exercise_needs_its_schema_rows_and_query():
    entry = {**GOOD, "id": "sql-x", "question": "q", "schema": "CREATE TABLE t (a);"}
    with pytest.raises(ContentError, match="sql-x: missing rows, query"):
        parse_bank({"problems_sql.toml": {"problem": [entry]}})


def test_duplicates_across_files_are_rejected():
    ml = {**GOOD, "id": "two-sum", "title": "Another", "question": "q", "topics": ["metrics"]}
    with pytest.raises(ContentError, match="repeats the id 'two-sum'"):
        parse_bank(
            {"problems_coding.toml": {"problem": [GOOD]}, "problems_ml.toml": {"problem": [ml]}}
        )
    twin = {**GOOD, "id": "two-sum-again", "url": "https://leetcode.com/problems/two-sum/"}
    with pytest.raises(ContentError, match="repeats the title"):
        parse_bank({"problems_coding.toml": {"problem": [GOOD, twin]}})
