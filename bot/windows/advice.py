"""/whatnow's advice: the phase of the recruiting year, from content/season_advice.toml.

A month's advice says what to do and which tracks and programs to look at (`focus`);
whether each of those is open, late, opening or closed is never written here but read
from the calendar on the day, so /whatnow says what /deadlines says (bot/windows/whatnow.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from bot.content import read_toml
from bot.errors import ContentError

FILE = "season_advice.toml"


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthAdvice:
    months: tuple[int, ...]
    phase: str
    # What to do this month. It names no window's state (open, closed): those come
    # from the calendar (tests/windows/test_consistency.py holds it to that).
    advice: str
    # The tracks and program ids the month is about, most important first.
    focus: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EarlyYears:
    """What first- and second-years are told, and the programs built for them."""

    text: str
    programs: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Advice:
    by_month: Mapping[int, MonthAdvice]
    applications: str
    mix: str
    practice: str
    fallback: str
    early_years: EarlyYears

    def for_day(self, today: date) -> MonthAdvice:
        return self.by_month[today.month]

    @property
    def texts(self) -> tuple[str, ...]:
        """Every sentence members are shown, for the tests that trace them."""
        months = [f"{m.phase} {m.advice}" for m in self.by_month.values()]
        targets = (self.applications, self.mix, self.practice, self.fallback)
        return (*months, *targets, self.early_years.text)


def parse_advice(data: Mapping[str, Any], source: str = FILE) -> Advice:
    by_month: dict[int, MonthAdvice] = {}
    for entry in data.get("month", []):
        advice = MonthAdvice(
            months=tuple(entry.get("months", ())),
            phase=entry.get("phase", ""),
            advice=entry.get("advice", ""),
            focus=tuple(entry.get("focus", ())),
        )
        if not advice.phase or not advice.advice or not advice.months or not advice.focus:
            raise ContentError(f"content/{source}: an entry needs months, phase, advice and focus")
        for month in advice.months:
            if month in by_month or not 1 <= month <= 12:
                raise ContentError(f"content/{source}: month {month} is wrong or given twice")
            by_month[month] = advice
    missing = sorted(set(range(1, 13)) - set(by_month))
    if missing:
        raise ContentError(f"content/{source}: no advice for months {missing}")
    targets = data.get("targets", {})
    keys = ("applications", "mix", "practice", "fallback")
    if any(not targets.get(k) for k in keys):
        raise ContentError(f"content/{source}: [targets] needs {', '.join(keys)}")
    early = data.get("early_years", {})
    if not early.get("text") or not early.get("programs"):
        raise ContentError(f"content/{source}: [early_years] needs text and programs")
    return Advice(
        by_month=by_month,
        early_years=EarlyYears(text=early["text"], programs=tuple(early["programs"])),
        **{k: targets[k] for k in keys},
    )


@cache
def load_advice() -> Advice:
    return parse_advice(read_toml(FILE))
