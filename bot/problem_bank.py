"""The problem bank: coding problems, ML-fundamentals questions and SQL exercises.

Loaded from content/problems_coding.toml, problems_ml.toml and problems_sql.toml.
Every file is a list of `[[problem]]` tables with one shape, so rotation,
filters and the leaderboard treat all three kinds alike.
"""

from dataclasses import dataclass
from typing import Final, Literal

Kind = Literal["coding", "ml", "sql"]
Difficulty = Literal["easy", "medium", "hard"]

KINDS: Final[tuple[Kind, ...]] = ("coding", "ml", "sql")
DIFFICULTIES: Final[tuple[Difficulty, ...]] = ("easy", "medium", "hard")
POINTS: Final[dict[Difficulty, int]] = {"easy": 1, "medium": 3, "hard": 5}


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One entry of the bank; `id` is a stable slug unique across all kinds."""

    id: str
    kind: Kind
    title: str
    difficulty: Difficulty
    topics: tuple[str, ...]
    hint: str
    solution: str  # coding: the key idea; ml: the model answer; sql: what the query does
    url: str = ""  # coding: the canonical public problem page (https)
    question: str = ""  # ml and sql: the question itself
    schema: str = ""  # sql: CREATE TABLE statements
    rows: str = ""  # sql: INSERT statements with sample rows
    query: str = ""  # sql: the reference query
