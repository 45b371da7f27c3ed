"""The bank loader: what a well-formed file of each kind gives, and how a bad entry is named.

The shipped content itself (counts, SQL queries running, links) is checked in
test_bank_content.py; these tests feed `parse_bank` small hand-made files.
"""

from collections import Counter
from typing import Any

import pytest

from bot.errors import ContentError
from bot.problems.bank import DIFFICULTIES, KINDS, TOPICS, load_bank, parse_bank

CODING = {
    "id": "two-sum",
    "title": "Two Sum",
    "difficulty": "easy",
    "topics": ["arrays", "hashing"],
    "hint": "What partner does each number need?",
    "solution": "A map from value to index; one pass. O(n).",
}
ML = {
    "id": "ml-dropout",
    "title": "Dropout",
    "difficulty": "medium",
    "topics": ["regularization", "deep-learning"],
    "question": "How does dropout behave at training and at inference time?",
    "hint": "Many thinned networks.",
    "solution": "Units are zeroed with probability p while training and survivors rescaled.",
}
SQL = {
    "id": "sql-top-earner",
    "title": "Top earner",
    "difficulty": "hard",
    "topics": ["window-functions", "ranking"],
    "question": "Who earns the most?",
    "schema": "CREATE TABLE pay (name TEXT, salary INTEGER);",
    "rows": "INSERT INTO pay VALUES ('Ada', 3), ('Alan', 2);",
    "query": "SELECT name FROM pay ORDER BY salary DESC LIMIT 1;",
    "hint": "Order, then keep one.",
    "solution": "Sort by salary descending and keep the first row.",
}
GOOD = {"coding": CODING, "ml": ML, "sql": SQL}
FILE = {"coding": "problems_coding.toml", "ml": "problems_ml.toml", "sql": "problems_sql.toml"}


def bank_of(**entries: list[dict[str, Any]]):
    return parse_bank({FILE[kind]: {"problem": found} for kind, found in entries.items()})


def rejected(kind: str, entry: dict[str, Any]) -> str:
    with pytest.raises(ContentError) as raised:
        bank_of(**{kind: [entry]})
    return str(raised.value)


def test_one_entry_of_each_kind_loads_in_file_order_with_its_fields():
    bank = bank_of(coding=[CODING], ml=[ML], sql=[SQL])

    assert [p.id for p in bank.problems] == ["two-sum", "ml-dropout", "sql-top-earner"]
    assert [p.kind for p in bank.problems] == ["coding", "ml", "sql"]
    two_sum = bank.by_id("two-sum")
    assert two_sum is not None
    assert two_sum.url == "https://leetcode.com/problems/two-sum/"
    assert two_sum.topics == ("arrays", "hashing")
    assert bank.by_id("sql-top-earner") == bank.problems[2]
    assert bank.by_id("three-sum") is None


def test_select_filters_by_kind_difficulty_and_topic_together():
    easy_ml = {**ML, "id": "ml-easy", "title": "Easy one", "difficulty": "easy"}
    bank = bank_of(coding=[CODING], ml=[ML, easy_ml], sql=[SQL])

    assert [p.id for p in bank.select(kind="ml")] == ["ml-dropout", "ml-easy"]
    assert [p.id for p in bank.select(difficulty="easy")] == ["two-sum", "ml-easy"]
    assert [p.id for p in bank.select(kind="ml", difficulty="easy")] == ["ml-easy"]
    assert [p.id for p in bank.select(topic="ranking")] == ["sql-top-earner"]
    assert bank.select(kind="coding", topic="ranking") == ()
    assert len(bank.select()) == 4


def test_topics_lists_what_the_entries_use_per_kind():
    bank = bank_of(coding=[CODING], ml=[ML], sql=[SQL])

    assert bank.topics("coding") == {"arrays", "hashing"}
    assert bank.topics("sql") == {"window-functions", "ranking"}
    assert bank.topics() == {
        "arrays",
        "hashing",
        "regularization",
        "deep-learning",
        "window-functions",
        "ranking",
    }


# What each kind cannot do without: a coding problem can go without `url` (made from the id).
NEEDS = {"coding": "hint", "ml": "question", "sql": "schema"}
# A topic that exists, but for another kind.
FOREIGN_TOPIC = {"coding": "joins", "ml": "arrays", "sql": "metrics"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda k: {NEEDS[k]: None}, lambda k: f"missing {NEEDS[k]}"),
        (lambda k: {NEEDS[k]: "   "}, lambda k: f"missing {NEEDS[k]}"),
        (lambda k: {"difficulty": "Hard"}, lambda k: "difficulty must be one of"),
        (lambda k: {"topics": [FOREIGN_TOPIC[k]]}, lambda k: f"unknown topic '{FOREIGN_TOPIC[k]}'"),
        (lambda k: {"topics": "arrays"}, lambda k: "topics must be a list"),
        (lambda k: {"hint": 42}, lambda k: "hint must be a string"),
        (lambda k: {"title": ["Two", "Sum"]}, lambda k: "title must be a string"),
        (lambda k: {"hint": "h" * 301}, lambda k: "hint is longer than 300"),
        (lambda k: {"solution": "s" * 901}, lambda k: "solution is longer than 900"),
        (lambda k: {"answer": "42"}, lambda k: "unknown answer"),
    ],
    ids=[
        "missing-field",
        "blank-field",
        "bad-difficulty",
        "foreign-topic",
        "topics-not-a-list",
        "number-for-text",
        "list-for-text",
        "long-hint",
        "long-solution",
        "unknown-field",
    ],
)
def test_a_malformed_entry_of_any_kind_is_rejected_naming_file_and_id(kind, change, complaint):
    entry = {k: v for k, v in {**GOOD[kind], **change(kind)}.items() if v is not None}

    message = rejected(kind, entry)

    assert message.startswith(f"content/{FILE[kind]}: {GOOD[kind]['id']}: ")
    assert complaint(kind) in message


@pytest.mark.parametrize("kind", ["ml", "sql"])
def test_a_question_too_long_for_one_post_is_rejected(kind):
    assert "question is longer than 1500" in rejected(kind, {**GOOD[kind], "question": "q" * 1501})
    assert bank_of(**{kind: [{**GOOD[kind], "question": "q" * 1500, "hint": "h" * 300}]})


@pytest.mark.parametrize(
    "url",
    [
        "http://leetcode.com/problems/two-sum/",
        "https://leetcode.cn/problems/two-sum/",
        "https://leetcode.com.evil.example/problems/two-sum/",
        "https://www.leetcode.com/problems/two-sum/",
        "https://leetcode.com/explore/two-sum/",
        "https://leetcode.com/problems/two-sum/solutions/",
        "https://leetcode.com/problems/two-sum/?envType=study-plan",
        "https://leetcode.com/problems/",
        "leetcode.com/problems/two-sum/",
    ],
)
def test_a_coding_url_must_be_a_leetcode_problem_page(url):
    message = rejected("coding", {**CODING, "url": url})

    assert message == (
        "content/problems_coding.toml: two-sum: the url must be "
        "https://leetcode.com/problems/<slug>/"
    )


def test_a_given_url_is_kept_in_one_canonical_spelling():
    bank = bank_of(coding=[{**CODING, "url": "https://leetcode.com/problems/two-sum"}])

    assert bank.problems[0].url == "https://leetcode.com/problems/two-sum/"


@pytest.mark.parametrize("kind", ["ml", "sql"])
def test_only_coding_problems_carry_a_url(kind):
    entry = {**GOOD[kind], "url": "https://leetcode.com/problems/two-sum/"}

    assert "only coding problems carry a url" in rejected(kind, entry)


def test_an_id_repeated_in_another_file_names_both_places():
    clash = {**SQL, "id": "two-sum", "title": "Another title"}

    with pytest.raises(ContentError) as raised:
        bank_of(coding=[CODING], sql=[clash])

    assert str(raised.value) == (
        "content/problems_sql.toml: two-sum repeats the id 'two-sum' "
        "of problems_coding.toml:two-sum"
    )


def test_two_entries_for_one_leetcode_page_are_rejected():
    # Different ids and titles, same page: the second would post a problem members already did.
    alias = {**CODING, "id": "pair-sum", "title": "Pair Sum"}
    alias["url"] = "https://leetcode.com/problems/two-sum"

    with pytest.raises(ContentError, match="pair-sum repeats the url"):
        bank_of(coding=[CODING, alias])


def test_a_title_repeated_in_another_kind_is_rejected_whatever_its_case():
    twin = {**SQL, "title": "DROPOUT"}

    with pytest.raises(ContentError, match=r"problems_sql\.toml: sql-top-earner repeats the title"):
        bank_of(ml=[ML], sql=[twin])


def test_entries_that_are_not_tables_are_named_by_position():
    with pytest.raises(ContentError, match=r"problems_ml\.toml: problem #2 is not a table"):
        bank_of(ml=[ML, "ml-bias-variance"])
    with pytest.raises(ContentError, match="`problem` must be an array of tables"):
        parse_bank({"problems_ml.toml": {"problem": ML}})


def test_an_unknown_file_is_refused_rather_than_guessed():
    with pytest.raises(ContentError, match=r"content/problems_go\.toml: not a problem file"):
        parse_bank({"problems_go.toml": {"problem": [CODING]}})


def test_the_vocabulary_holds_the_topics_the_ml_and_sql_files_are_written_with():
    ml = {"bias-variance", "regularization", "cross-validation", "metrics", "optimization"}
    ml |= {"deep-learning", "transformers", "nlp", "fine-tuning", "generative-eval"}
    ml |= {"ml-system-design"}
    sql = {"joins", "group-by", "window-functions", "subqueries", "ctes", "null-handling"}
    sql |= {"date-functions", "aggregation", "set-operations"}

    assert ml <= TOPICS["ml"]
    assert sql <= TOPICS["sql"]
    assert all(t == t.lower().strip() and " " not in t for v in TOPICS.values() for t in v)


def test_the_shipped_coding_problems_mix_difficulties_like_an_interview_loop():
    coding = load_bank().select(kind="coding")
    share = {d: n / len(coding) for d, n in Counter(p.difficulty for p in coding).items()}

    assert set(share) == set(DIFFICULTIES)
    assert 0.25 <= share["easy"] <= 0.35
    assert 0.45 <= share["medium"] <= 0.65
    assert 0.10 <= share["hard"] <= 0.20


def test_every_shipped_coding_topic_has_a_few_problems_to_rotate_through():
    coding = load_bank().select(kind="coding")
    per_topic = Counter(t for p in coding for t in p.topics)

    thin = sorted(t for t in TOPICS["coding"] if per_topic[t] < 3)
    assert thin == [], f"coding topics with fewer than 3 problems: {thin}"
