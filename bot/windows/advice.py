"""/whatnow's advice: the phase of the recruiting year, from content/season_advice.toml."""

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
    apply_now: str
    # The tracks and program ids the advice tells students to apply to, and those it calls
    # closed: the calendar is held to both (tests/windows/test_consistency.py).
    apply: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Advice:
    by_month: Mapping[int, MonthAdvice]
    applications: str
    mix: str
    practice: str
    fallback: str

    def for_day(self, today: date) -> MonthAdvice:
        return self.by_month[today.month]


def parse_advice(data: Mapping[str, Any], source: str = FILE) -> Advice:
    by_month: dict[int, MonthAdvice] = {}
    for entry in data.get("month", []):
        advice = MonthAdvice(
            months=tuple(entry.get("months", ())),
            phase=entry.get("phase", ""),
            apply_now=entry.get("apply_now", ""),
            apply=tuple(entry.get("apply", ())),
            closed=tuple(entry.get("closed", ())),
        )
        if not advice.phase or not advice.apply_now or not advice.months:
            raise ContentError(f"content/{source}: an entry needs months, phase and apply_now")
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
    return Advice(by_month=by_month, **{k: targets[k] for k in keys})


@cache
def load_advice() -> Advice:
    return parse_advice(read_toml(FILE))
