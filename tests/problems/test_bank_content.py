"""The shipped problem bank is complete and well-formed; a malformed entry is named."""

import re
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


MERGED = {
    "ml-safe-model-rollout": "ml-ab-testing",
    "ml-online-offline-eval": "ml-training-serving-skew",
    "ml-feature-store": "ml-training-serving-skew",
}


def test_merged_questions_are_gone_and_their_ids_resolve_to_the_merged_one():
    ids = {p.id for p in BANK.problems}
    for old, merged in MERGED.items():
        assert old not in ids
        assert BANK.by_id(old).id == merged


def test_a_retired_id_cannot_be_reused_by_a_new_problem():
    merged = {**GOOD, "id": "one", "replaces": ["two"]}
    reused = {**GOOD, "id": "two", "title": "Other", "url": "https://leetcode.com/problems/two/"}
    with pytest.raises(ContentError, match="repeats the id 'two'"):
        parse_bank({"problems_coding.toml": {"problem": [merged, reused]}})


async def test_history_naming_a_merged_problem_still_reads_and_counts(club):
    """Posts and solves stored before the merge keep working: nothing crashes, titles show
    the merged question, and the Solved button on an old post still counts."""
    from datetime import timedelta

    from bot.model import ButtonEvent, Place
    from bot.problems.commands import SOLVED_ACTION
    from bot.problems.store import ProblemStore, SolveRecord
    from tests.conftest import ADMIN, MEMBER, SETUP

    await club.run(SETUP, as_user=ADMIN)
    store = club.runtime.store.repo(ProblemStore)
    club_id = (await club.runtime.store.clubs.all())[0].id
    now = club.clock.now()
    today = now.date()
    await store.record_post(
        club_id,
        day=today - timedelta(days=1),
        problem_id="ml-safe-model-rollout",
        cycle=1,
        now=now,
    )
    # Tomorrow's post was chosen before the merge too: it goes out as the merged question.
    await store.record_post(
        club_id, day=today + timedelta(days=1), problem_id="ml-feature-store", cycle=1, now=now
    )
    await store.record_solve(
        club_id,
        SolveRecord(
            user_id="kim",
            name="kim",
            problem_id="ml-online-offline-eval",
            difficulty="medium",
            day=today - timedelta(days=1),
            solved_at=now,
        ),
    )
    today_answer = await club.run("/problem", as_user=MEMBER)
    assert "Launching a model that wins offline" in today_answer.title + today_answer.text
    place = Place(platform="console", workspace_id=club.workspace, channel_id="daily-problem")
    clicked = await club.runtime.bot.handle(
        ButtonEvent(action=SOLVED_ACTION, value="ml-safe-model-rollout", user=MEMBER, place=place)
    )
    assert clicked.text.startswith("Counted: Launching a model that wins offline"), clicked.text
    for command in ("/progress", "/leaderboard", "/leaderboard period:all"):
        answer = await club.run(command, as_user=MEMBER)
        assert "Something went wrong" not in answer.text, command
    await club.runtime.scheduler.run_until(club.clock, now + timedelta(days=2))
    assert club.poster.titles("daily-problem")[:2] == [
        "Daily problem · Tue 17 Nov: Wins offline, loses online",
        "Hint: Wins offline, loses online",
    ]


# "One row per student", "for every member": a question about every row of a table is
# answered with every row of it, the ones with nothing to count included.
# ("every course a student must take" is about some rows, not every one.)
_EVERY = re.compile(
    r"\b(?:one row per|every) (\w+?)(?:'s)?\b(?!\s+(?:a|an|that|which|who|they)\b)", re.I
)


def _every_row_of(problem) -> str | None:
    """The table a question asks about every row of, if it does."""
    for noun in _EVERY.findall(problem.question):
        for table in (f"{noun}s", f"{noun[:-1]}ies" if noun.endswith("y") else ""):
            if table and f"CREATE TABLE {table} " in problem.schema:
                return table
    return None


EVERY_ROW = [p for p in SQL if _every_row_of(p)]


def test_the_questions_about_every_row_are_found():
    assert {p.id for p in EVERY_ROW} >= {
        "sql-status-pivot",
        "sql-customers-total-spend",
        "sql-employees-with-departments",
    }


@pytest.mark.parametrize("problem", EVERY_ROW, ids=lambda p: p.id)
def test_a_question_about_every_row_gets_every_row(problem):
    db = sqlite3.connect(":memory:")
    db.executescript(problem.schema)
    db.executescript(problem.rows)
    table = _every_row_of(problem)
    [(count,)] = db.execute(f"SELECT COUNT(*) FROM {table}").fetchall()
    assert len(db.execute(problem.query).fetchall()) == count, f"{problem.id}: not every {table}"


def test_the_status_pivot_keeps_the_student_with_no_applications_and_counts_right():
    [problem] = [p for p in SQL if p.id == "sql-status-pivot"]
    db = sqlite3.connect(":memory:")
    db.executescript(problem.schema)
    db.executescript(problem.rows)
    # The oracle: count each student's statuses in Python from the raw rows.
    statuses = ("applied", "interview", "offer", "rejected")
    counts = {
        name: dict.fromkeys(statuses, 0) for (name,) in db.execute("SELECT name FROM students")
    }
    for name, status in db.execute(
        "SELECT s.name, a.status FROM applications a, students s WHERE s.id = a.student_id"
    ):
        counts[name][status] += 1
    expected = sorted((name, *(c[s] for s in statuses)) for name, c in counts.items())
    assert db.execute(problem.query).fetchall() == expected
    assert ("Noor", 0, 0, 0, 0) in expected


def test_every_model_answer_fits_one_message_field_whole():
    # Interviewers get each model answer in a DM field: none may need cutting.
    from bot.model import MAX_FIELD_VALUE

    assert max(len(p.solution) for p in BANK.problems) <= MAX_FIELD_VALUE
