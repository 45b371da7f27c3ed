"""The plan's figures from content/applications.toml: the season's count, the mix, what
counts as early, the companies the articles name, and the fallback routes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from bot.applications.kinds import CATEGORIES, Category, parse_category
from bot.content import read_toml
from bot.errors import ContentError, UserError

FILE: Final = "applications.toml"


@dataclass(frozen=True, slots=True, kw_only=True)
class Quoted:
    """A figure's source and the article's own sentence it comes from."""

    source: str
    quote: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Count:
    low: int
    high: int
    first_month: int
    last_month: int
    cited: Quoted


@dataclass(frozen=True, slots=True, kw_only=True)
class Share:
    category: Category
    share: int  # percent of the plan
    cited: Quoted


@dataclass(frozen=True, slots=True, kw_only=True)
class Named:
    category: Category
    names: tuple[str, ...]
    cited: Quoted


@dataclass(frozen=True, slots=True, kw_only=True)
class Said:
    text: str
    cited: Quoted


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    count: Count
    mix: tuple[Share, ...]
    early_days: int
    early: Quoted
    season_programs: frozenset[str]
    companies: tuple[Named, ...]
    fallback: Said
    routes: tuple[Said, ...]
    sources: Mapping[str, str]

    def share(self, category: Category) -> int:
        """The plan's percent for `category`; 0 outside the mix (quant, other)."""
        return next((s.share for s in self.mix if s.category == category), 0)


def parse_facts(data: Mapping[str, Any]) -> Facts:
    sources = {s["id"]: s["title"] for s in data.get("source", [])}
    try:
        count = data["count"]
        fallback = data["fallback"]
        return Facts(
            count=Count(
                low=int(count["low"]),
                high=int(count["high"]),
                first_month=int(count["first_month"]),
                last_month=int(count["last_month"]),
                cited=_quoted(count, sources),
            ),
            mix=tuple(
                Share(
                    category=_category(m["category"]),
                    share=int(m["share"]),
                    cited=_quoted(m, sources),
                )
                for m in data["mix"]
            ),
            early_days=int(data["speed"]["days"]),
            early=_quoted(data["speed"], sources),
            season_programs=frozenset(data["speed"].get("season_programs", ())),
            companies=tuple(
                Named(
                    category=_category(c["category"]),
                    names=tuple(c["names"]),
                    cited=_quoted(c, sources),
                )
                for c in data["companies"]
            ),
            fallback=_said(fallback, sources),
            routes=tuple(_said(r, sources) for r in fallback["route"]),
            sources=sources,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ContentError(f"content/{FILE}: {error!r}") from error


def _quoted(entry: Mapping[str, Any], sources: Mapping[str, str]) -> Quoted:
    source, quote = entry["source"], entry["quote"]
    if source not in sources or not quote:
        raise ContentError(f"content/{FILE}: unknown source {source!r} or an empty quote")
    return Quoted(source=source, quote=quote)


def _said(entry: Mapping[str, Any], sources: Mapping[str, str]) -> Said:
    return Said(text=entry["text"], cited=_quoted(entry, sources))


def _category(text: str) -> Category:
    try:
        return parse_category(text)
    except UserError:
        raise ContentError(f"content/{FILE}: {text!r} is not one of {CATEGORIES}") from None


@cache
def load_facts() -> Facts:
    facts = parse_facts(read_toml(FILE))
    if sum(s.share for s in facts.mix) != 100:
        raise ContentError(f"content/{FILE}: the mix's shares add up to 100")
    return facts


# --- the companies the articles name --------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


def named_category(company: str, companies: Sequence[Named]) -> Category | None:
    """The category of a company the articles name ("Amazon Web Services" is big tech), by
    whole words. The longest name wins ("Google Research" over "Google"), and a lab over its
    parent on a tie ("Google DeepMind" is a research lab)."""
    words = _words(company)
    best: tuple[int, int, Category] | None = None
    for named in companies:
        for name in named.names:
            wanted = _words(name)
            rank = (len(wanted), _SPECIFIC.get(named.category, 0), named.category)
            if _contains(words, wanted) and (best is None or rank[:2] > best[:2]):
                best = rank
    return None if best is None else best[2]


_SPECIFIC: Final[dict[Category, int]] = {"research": 2, "quant": 1}


def _contains(words: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    size = len(wanted)
    return size > 0 and any(words[i : i + size] == wanted for i in range(len(words) - size + 1))
