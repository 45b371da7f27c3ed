"""The problem bank: coding problems, ML-fundamentals questions and SQL exercises.

Loaded from content/problems_coding.toml, problems_ml.toml and problems_sql.toml.
Every file is a list of `[[problem]]` tables with one shape, so rotation,
filters and the leaderboard treat all three kinds alike.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from bot.content import read_toml
from bot.errors import ContentError

Kind = Literal["coding", "ml", "sql"]
Difficulty = Literal["easy", "medium", "hard"]

KINDS: Final[tuple[Kind, ...]] = ("coding", "ml", "sql")
DIFFICULTIES: Final[tuple[Difficulty, ...]] = ("easy", "medium", "hard")
POINTS: Final[dict[str, int]] = {"easy": 1, "medium": 3, "hard": 5}


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
    # Ids of problems merged into this one: stored history (posts, solves, packs) may
    # still name them, and they resolve here.
    replaces: tuple[str, ...] = ()


FILES: Final[dict[str, Kind]] = {
    "problems_coding.toml": "coding",
    "problems_ml.toml": "ml",
    "problems_sql.toml": "sql",
}
TOPICS: Final[dict[Kind, frozenset[str]]] = {
    "coding": frozenset(
        [
            "arrays",
            "hashing",
            "two-pointers",
            "sliding-window",
            "stack",
            "binary-search",
            "linked-list",
            "trees",
            "tries",
            "heap",
            "backtracking",
            "graphs",
            "advanced-graphs",
            "dynamic-programming",
            "greedy",
            "intervals",
            "math",
            "bit-manipulation",
            "strings",
            "sorting",
            "design",
            "matrix",
            "recursion",
            "union-find",
        ]
    ),
    "ml": frozenset(
        [
            "bias-variance",
            "regularization",
            "cross-validation",
            "metrics",
            "optimization",
            "classical-ml",
            "deep-learning",
            "cnn",
            "rnn",
            "transformers",
            "attention",
            "nlp",
            "tokenization",
            "fine-tuning",
            "generative-eval",
            "ml-system-design",
            "data",
            "probability",
        ]
    ),
    "sql": frozenset(
        [
            "joins",
            "group-by",
            "aggregation",
            "window-functions",
            "subqueries",
            "ctes",
            "null-handling",
            "date-functions",
            "set-operations",
            "ranking",
        ]
    ),
}
LIMITS: Final = {"title": 100, "hint": 300, "solution": 900, "question": 1500, "query": 1500}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REQUIRED: Final[dict[Kind, tuple[str, ...]]] = {
    "coding": ("id", "title", "difficulty", "topics", "hint", "solution"),
    "ml": ("id", "title", "difficulty", "topics", "question", "hint", "solution"),
    "sql": (
        "id",
        "title",
        "difficulty",
        "topics",
        "question",
        "schema",
        "rows",
        "query",
        "hint",
        "solution",
    ),
}
_OPTIONAL: Final = ("url", "replaces")


@dataclass(frozen=True, slots=True)
class Bank:
    """Every problem in file order; build it with `parse_bank`, which checks ids are unique."""

    problems: tuple[Problem, ...]
    _ids: dict[str, Problem] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        merged = {old: p for p in self.problems for old in p.replaces}
        object.__setattr__(self, "_ids", {**merged, **{p.id: p for p in self.problems}})

    def by_id(self, problem_id: str) -> Problem | None:
        """The problem with this id, or the one it was merged into."""
        return self._ids.get(problem_id)

    def topics(self, kind: Kind | None = None) -> frozenset[str]:
        return frozenset(t for p in self.problems if kind in (None, p.kind) for t in p.topics)

    def select(
        self,
        *,
        kind: str | None = None,
        difficulty: str | None = None,
        topic: str | None = None,
    ) -> tuple[Problem, ...]:
        return tuple(
            p
            for p in self.problems
            if kind in (None, p.kind)
            and difficulty in (None, p.difficulty)
            and (topic is None or topic in p.topics)
        )


def parse_bank(files: Mapping[str, Mapping[str, Any]]) -> Bank:
    """Validate every entry of every file; a ContentError names the file and the entry."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for name, data in files.items():
        kind = FILES.get(name)
        if kind is None:
            raise ContentError(f"content/{name}: not a problem file ({', '.join(FILES)})")
        for entry in _entries(name, data):
            problem = _problem(name, kind, entry)
            for what, value in (
                ("id", problem.id),
                *(("id", old) for old in problem.replaces),
                ("title", problem.title.lower()),
                ("url", problem.url),
            ):
                if value and (what, value) in seen:
                    raise ContentError(
                        f"content/{name}: {problem.id} repeats the {what} {value!r} "
                        f"of {seen[what, value]}"
                    )
                if value:
                    seen[what, value] = f"{name}:{problem.id}"
            problems.append(problem)
    return Bank(tuple(problems))


def _entries(file: str, data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    entries = data.get("problem", [])
    if not isinstance(entries, list):
        raise ContentError(f"content/{file}: `problem` must be an array of tables")
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            raise ContentError(f"content/{file}: problem #{number} is not a table")
    return entries


def _problem(file: str, kind: Kind, entry: Mapping[str, Any]) -> Problem:
    where = f"content/{file}: {entry.get('id', '(an entry without id)')}"
    missing = [k for k in _REQUIRED[kind] if _blank(entry.get(k))]
    extra = sorted(set(entry) - set(_REQUIRED[kind]) - set(_OPTIONAL))
    if missing or extra:
        problem = f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(extra)}"
        raise ContentError(f"{where}: {problem}")
    wrong = [k for k, v in entry.items() if not _well_typed(k, v)]
    if wrong:
        raise ContentError(f"{where}: {wrong[0]} must be {_SHAPE.get(wrong[0], 'a string')}")
    if not isinstance(entry["id"], str) or not _SLUG.match(entry["id"]):
        raise ContentError(f"{where}: the id must be a lowercase slug like two-sum")
    if entry["difficulty"] not in DIFFICULTIES:
        raise ContentError(f"{where}: difficulty must be one of {', '.join(DIFFICULTIES)}")
    topics = tuple(entry["topics"])
    unknown = [t for t in topics if t not in TOPICS[kind]]
    if unknown:
        raise ContentError(f"{where}: unknown topic {unknown[0]!r} for {kind}")
    for key, limit in LIMITS.items():
        if len(str(entry.get(key, ""))) > limit:
            raise ContentError(f"{where}: {key} is longer than {limit} characters")
    return Problem(
        id=entry["id"],
        kind=kind,
        title=entry["title"],
        difficulty=entry["difficulty"],
        topics=topics,
        hint=entry["hint"],
        solution=entry["solution"],
        url=_url(where, kind, entry),
        question=entry.get("question", ""),
        schema=entry.get("schema", ""),
        rows=entry.get("rows", ""),
        query=entry.get("query", ""),
        replaces=tuple(entry.get("replaces", ())),
    )


_SHAPE: Final = {"topics": "a list of topic names", "replaces": "a list of retired ids"}


def _blank(value: object) -> bool:
    """Absent, empty, or only whitespace: a post would show nothing there."""
    return not value or (isinstance(value, str) and not value.strip())


def _well_typed(key: str, value: object) -> bool:
    if key in ("topics", "replaces"):
        return isinstance(value, list) and all(isinstance(t, str) for t in value)
    return isinstance(value, str)


def _url(where: str, kind: Kind, entry: Mapping[str, Any]) -> str:
    """A coding problem's canonical LeetCode page: given, or made from its id (the slug)."""
    if kind != "coding":
        if "url" in entry:
            raise ContentError(f"{where}: only coding problems carry a url")
        return ""
    url = entry.get("url") or f"https://leetcode.com/problems/{entry['id']}/"
    parts = urlsplit(url)
    slug = parts.path.removeprefix("/problems/").removesuffix("/")
    if (
        (parts.scheme, parts.netloc) != ("https", "leetcode.com")
        or not parts.path.startswith("/problems/")
        or not _SLUG.match(slug)
        or parts.query
        or parts.fragment
    ):
        raise ContentError(f"{where}: the url must be https://leetcode.com/problems/<slug>/")
    # One spelling per page, so the duplicate-url check sees `.../two-sum` and `.../two-sum/` alike.
    return f"https://leetcode.com/problems/{slug}/"


@cache
def load_bank() -> Bank:
    """The shipped bank, validated once per process."""
    return parse_bank({name: read_toml(name) for name in FILES})
