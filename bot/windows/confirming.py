"""Which live posting confirms a program open: pure, from each program's `postings` rules in
content/internship_windows.toml. A posting confirms a program only when its company is one
the program names, its title fits (and names nothing that rules it out), its term is the
program's summer and its eligibility overlaps the program's; and only while the program's
window can be open. An employer's name alone confirms nothing: a Google "Student
Researcher, PhD" posting is not Google STEP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from bot.errors import ContentError

_WORDS = re.compile(r"^[a-z0-9]+( [a-z0-9]+)*$")
_SEASON = re.compile(r"\b(fall|autumn|winter|spring|co op)\b")
_YEAR = re.compile(r"\b(20\d\d)\b")
_UNDERGRADS: Final = ("freshman", "sophomore", "junior", "senior")
# Words in a posting's title or degrees -> the class years it is for.
_YEARS_NAMED: Final = (
    (re.compile(r"\b(phd|ph d|doctoral|doctorate)\b"), ("phd",)),
    (re.compile(r"\b(master|masters|ms|mba|m s)\b"), ("masters",)),
    (re.compile(r"\b(bachelor|bachelors|bs|b s|undergraduate|undergrad)\b"), _UNDERGRADS),
    (re.compile(r"\b(first year|freshman|1st year)\b"), ("freshman",)),
    (re.compile(r"\b(second year|sophomore|2nd year)\b"), ("sophomore",)),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PostingRule:
    """A program's `postings`: the companies as the lists write them, title words of
    which the title must hold one, and title words that rule a posting out. All lower case,
    words and spaces only. No companies: no posting confirms the program."""

    companies: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    not_titles: tuple[str, ...] = ()


NO_RULE: Final = PostingRule()


class Posted(Protocol):
    """What the rules read of a live posting (bot.postings' LivePosting)."""

    @property
    def company_key(self) -> str: ...
    @property
    def title_words(self) -> str: ...
    @property
    def terms(self) -> tuple[str, ...]: ...
    @property
    def degrees(self) -> tuple[str, ...]: ...


def parse_rule(where: str, value: Any) -> PostingRule:
    if not value:
        return NO_RULE
    if not isinstance(value, Mapping) or not set(value) <= {"companies", "titles", "not_titles"}:
        raise ContentError(f"{where}: `postings` is {{ companies, titles, not_titles }}")
    lists = {k: tuple(v) for k, v in value.items() if isinstance(v, list)}
    words = [w for v in lists.values() for w in v]
    if len(lists) != len(value) or not all(isinstance(w, str) and _WORDS.match(w) for w in words):
        raise ContentError(f'{where}: `postings` lists lower-case words, e.g. titles = ["step"]')
    if not lists.get("companies") or not lists.get("titles"):
        raise ContentError(f"{where}: `postings` needs companies and titles")
    return PostingRule(**lists)


def fits(rule: PostingRule, posting: Posted, *, cycle: int, class_years: Sequence[str]) -> bool:
    """The posting is this program's, this cycle, for someone the program takes."""
    title = posting.title_words
    return (
        posting.company_key in rule.companies
        and _any(rule.titles, title)
        and not _any(rule.not_titles, title)
        and _this_summer(posting, cycle)
        and bool(set(years_of(posting)) & set(class_years))
    )


def _any(phrases: Iterable[str], padded: str) -> bool:
    return any(f" {p} " in padded for p in phrases)


def _this_summer(posting: Posted, cycle: int) -> bool:
    """Its terms name this summer; without terms, its title names no other term or year."""
    if posting.terms:
        return f"summer {cycle}" in posting.terms
    title = posting.title_words
    years = {int(y) for y in _YEAR.findall(title)}
    return not (_SEASON.search(title) and " summer " not in title) and years <= {cycle}


def years_of(posting: Posted) -> tuple[str, ...]:
    """The class years a posting names (degrees, or its title: 'PhD', 'First-Year'); every
    year when it names none."""
    text = " ".join((posting.title_words, *posting.degrees))
    named = {year for pattern, years in _YEARS_NAMED if pattern.search(text) for year in years}
    return tuple(named) or (*_UNDERGRADS, "masters", "phd")
