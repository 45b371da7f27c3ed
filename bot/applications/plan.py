"""The plan, measured: a member's season against the articles' numbers (50-120 between
September and April, the 30/50/15/5 mix, applying within two weeks of an opening), and the
one next step the calendar suggests. Pure: the commands hand in what the store and the
windows calendar know."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.applications.facts import Facts
from bot.applications.kinds import CATEGORY_LABELS, PROGRESSION, Category, Stage

# A recruiting season runs July to June, like the windows calendar's cycle: the season of
# summer 2027 starts on 1 July 2026 (Amazon opens in July).
_SEASON_STARTS = 7


@dataclass(frozen=True, slots=True, kw_only=True)
class Sent:
    """One application as the plan sees it: nothing about who sent it or where."""

    category: Category
    applied_on: date
    opened_on: date | None  # the posting's or window's opening, when known
    stage: Stage
    furthest: Stage


@dataclass(frozen=True, slots=True, kw_only=True)
class Season:
    summer: int  # the summer it recruits for

    @property
    def starts(self) -> date:
        return date(self.summer - 1, _SEASON_STARTS, 1)

    @property
    def ends(self) -> date:
        return date(self.summer, _SEASON_STARTS, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.summer - 1}-{self.summer % 100:02d}"

    def holds(self, day: date) -> bool:
        return self.starts <= day <= self.ends

    def plan_ends(self, facts: Facts) -> date:
        """The last day of the plan's months (30 April): after it, the season is over."""
        following = date(self.summer, facts.count.last_month, 1) + timedelta(days=31)
        return following.replace(day=1) - timedelta(days=1)


def season_of(day: date) -> Season:
    return Season(summer=day.year + 1 if day.month >= _SEASON_STARTS else day.year)


def sent_early(sent: Sent, days: int) -> bool | None:
    """Within `days` of its opening (before it counts too); None when no opening is known."""
    if sent.opened_on is None:
        return None
    return (sent.applied_on - sent.opened_on).days <= days


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress:
    season: Season
    total: int
    by_category: Mapping[Category, int]
    in_mix: int  # applications in the plan's mix (big tech, SaaS, startups, research labs)
    early: int  # sent within two weeks of the opening
    timed: int  # with a known opening
    offers: int
    stages: Mapping[Stage, int]  # where each application is now

    def mix_percent(self, category: Category) -> int:
        count = self.by_category.get(category, 0)
        return round(100 * count / self.in_mix) if self.in_mix else 0


def measure(sent: Iterable[Sent], season: Season, facts: Facts) -> Progress:
    """The season's applications counted: total, per category, early, offers."""
    mine = [s for s in sent if season.holds(s.applied_on)]
    mix = {m.category for m in facts.mix}
    speed = [sent_early(s, facts.early_days) for s in mine]
    return Progress(
        season=season,
        total=len(mine),
        by_category=Counter(s.category for s in mine),
        in_mix=sum(1 for s in mine if s.category in mix),
        early=sum(1 for e in speed if e),
        timed=sum(1 for e in speed if e is not None),
        offers=sum(1 for s in mine if s.furthest == "offer"),
        stages=Counter(s.stage for s in mine),
    )


def target(category: Category, facts: Facts) -> int:
    """How many of the plan's lower count go to `category` (30% of 50: 15)."""
    return round(facts.count.low * facts.share(category) / 100)


def season_over(season: Season, today: date, facts: Facts) -> bool:
    return today > season.plan_ends(facts)


def needs_fallback(progress: Progress, today: date, facts: Facts) -> bool:
    """The season's windows have closed and nothing led to an offer."""
    return season_over(progress.season, today, facts) and progress.offers == 0


# --- the next step ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Opening:
    """A calendar window as the plan sees it: a category open between two days."""

    category: Category
    opens_on: date
    open_until: date


def next_step(progress: Progress, openings: Sequence[Opening], today: date, facts: Facts) -> str:
    """One concrete step from the calendar: the open category furthest behind its share of
    the plan, else the next category to open that the member still needs."""
    low, high = facts.count.low, facts.count.high
    if season_over(progress.season, today, facts):
        if progress.offers:
            return "You have an offer this season. The next cycle opens in July."
        return "This season's windows have closed without an offer: see where to go from here."
    gaps = {
        m.category: target(m.category, facts) - progress.by_category.get(m.category, 0)
        for m in facts.mix
    }
    needed = [c for c, gap in gaps.items() if gap > 0]
    open_now = _open_categories(openings, today)
    behind = sorted((c for c in needed if c in open_now), key=lambda c: (-gaps[c], -facts.share(c)))
    if behind:
        chosen = behind[0]
        return (
            f"{CATEGORY_LABELS[chosen]} is open now: the plan puts about {target(chosen, facts)} "
            f"of its {low} there, and you have {progress.by_category.get(chosen, 0)}."
        )
    later = _next_openings(openings, today, progress.season, needed)
    if later:
        chosen, opens_on = later[0]
        return (
            f"{CATEGORY_LABELS[chosen]} opens in {opens_on:%B}: that is "
            f"{_share_words(facts.share(chosen))} (about {target(chosen, facts)} of {low})."
        )
    if progress.total < high and open_now:
        shown = CATEGORY_LABELS[max(open_now, key=facts.share)]
        return (
            f"Your mix covers the plan's {low}; going on toward {high} helps. {shown} is open now."
        )
    if progress.total >= high:
        return f"You are past the plan's {high}: put the time into the interviews."
    return "Nothing in the plan's categories is open now; check `/deadlines` for what opens next."


def _open_categories(openings: Sequence[Opening], today: date) -> set[Category]:
    return {o.category for o in openings if o.opens_on <= today <= o.open_until}


def _next_openings(
    openings: Sequence[Opening], today: date, season: Season, needed: Sequence[Category]
) -> list[tuple[Category, date]]:
    """The categories still needed that open later this season, soonest first."""
    first: dict[Category, date] = {}
    for o in openings:
        if o.category in needed and today < o.opens_on <= season.ends:
            first[o.category] = min(first.get(o.category, o.opens_on), o.opens_on)
    return sorted(first.items(), key=lambda item: (item[1], item[0]))


def _share_words(share: int) -> str:
    return "half the plan" if share == 50 else f"{share}% of the plan"


def furthest_counts(sent: Iterable[Sent]) -> dict[Stage, int]:
    """How many applications reached at least each stage of the progression."""
    reached = Counter(PROGRESSION.index(s.furthest) for s in sent)
    return {
        stage: sum(n for rank, n in reached.items() if rank >= index)
        for index, stage in enumerate(PROGRESSION)
    }
