"""What officers may see of the club's applications: aggregates over the members who are
counted (counting is on unless a member turns it off), with no breakdown at all below five
of them. Pure: the view depends on the season's applications as a bag (who sent which never
reaches it) and on how many members are counted, so no single member's application can be
read from it (tests/applications/test_club_view.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from bot.applications.facts import Facts
from bot.applications.kinds import CATEGORY_LABELS, PROGRESSION, STAGE_LABELS, Category, Stage
from bot.applications.plan import Season, Sent, furthest_counts, sent_early
from bot.model import Field, field_lines

# Below this many counted members the club view shows no breakdown: with two or three, an
# officer could tell whose application is whose.
MIN_COUNTED: Final = 5
WEEKS_SHOWN: Final = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class ClubActivity:
    """What the club already does, read by the digest and the dashboard from the other
    features, shown next to the applications: the same weeks, oldest first."""

    solves_per_week: tuple[int, ...]
    sessions_held: int
    no_shows: int
    members_active: int


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekCount:
    week_of: date  # its Monday, club-local
    applications: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MixCount:
    category: Category
    applications: int
    percent: int  # of the applications in the plan's mix
    plan: int  # the plan's percent


@dataclass(frozen=True, slots=True, kw_only=True)
class Breakdown:
    total: int
    weeks: tuple[WeekCount, ...]
    mix: tuple[MixCount, ...]
    outside_mix: int  # quant and other
    reached: tuple[tuple[Stage, int], ...]  # applications that got at least this far
    rejected: int
    withdrawn: int
    early: int
    timed: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ClubView:
    season: Season
    # The number of members counted, only when there are enough of them to show anything.
    members_counted: int | None
    breakdown: Breakdown | None
    # Shown next to it; club-wide numbers officers see elsewhere already.
    activity: ClubActivity | None = None


def club_view(
    applications: Sequence[Sent],
    *,
    members_counted: int,
    season: Season,
    today: date,
    facts: Facts,
    activity: ClubActivity | None = None,
    weeks: int = WEEKS_SHOWN,
) -> ClubView:
    """The season's aggregates over the counted members' applications (what
    `ApplicationStore.counted` gives), next to the club's `activity`."""
    if members_counted < MIN_COUNTED:
        return ClubView(season=season, members_counted=None, breakdown=None, activity=activity)
    mine = [a for a in applications if season.holds(a.applied_on)]
    return ClubView(
        season=season,
        members_counted=members_counted,
        breakdown=_breakdown(mine, today, facts, weeks),
        activity=activity,
    )


def _breakdown(mine: Sequence[Sent], today: date, facts: Facts, weeks: int) -> Breakdown:
    by_category = Counter(a.category for a in mine)
    in_mix = sum(by_category[m.category] for m in facts.mix)
    speed = [sent_early(a, facts.early_days) for a in mine]
    stages = Counter(a.stage for a in mine)
    return Breakdown(
        total=len(mine),
        weeks=_weeks(mine, today, weeks),
        mix=tuple(
            MixCount(
                category=m.category,
                applications=by_category[m.category],
                percent=round(100 * by_category[m.category] / in_mix) if in_mix else 0,
                plan=m.share,
            )
            for m in facts.mix
        ),
        outside_mix=len(mine) - in_mix,
        reached=tuple(furthest_counts(mine).items()),
        rejected=stages["rejected"],
        withdrawn=stages["withdrawn"],
        early=sum(1 for e in speed if e),
        timed=sum(1 for e in speed if e is not None),
    )


def _weeks(mine: Sequence[Sent], today: date, weeks: int) -> tuple[WeekCount, ...]:
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=n) for n in reversed(range(weeks))]
    per_week = Counter(a.applied_on - timedelta(days=a.applied_on.weekday()) for a in mine)
    return tuple(WeekCount(week_of=m, applications=per_week[m]) for m in mondays)


def club_view_fields(view: ClubView) -> tuple[Field, ...]:
    """The view as message fields (the officer digest): people first."""
    fields = [_applications_field(view)]
    if view.breakdown is not None:
        fields += _breakdown_fields(view.breakdown)
    if view.activity is not None:
        fields.append(_activity_field(view.activity))
    return tuple(fields)


def _applications_field(view: ClubView) -> Field:
    name = f"Applications, {view.season.label} season"
    if view.breakdown is None or view.members_counted is None:
        text = (
            f"Fewer than {MIN_COUNTED} members are counted, so no breakdown is shown: with so "
            "few, an officer could tell whose applications are whose."
        )
        return Field(name=name, value=text)
    b = view.breakdown
    per_week = " · ".join(f"{w.week_of:%d %b} {w.applications}" for w in b.weeks)
    early = f"{round(100 * b.early / b.timed)}%" if b.timed else "no opening dates known"
    lines = [
        f"{b.total} sent by the {view.members_counted} members counted.",
        f"Per week: {per_week}",
        f"Sent within two weeks of the opening: {early}"
        + (f" ({b.early} of {b.timed})" if b.timed else ""),
    ]
    return Field(name=name, value=field_lines(lines, "-"))


def _breakdown_fields(b: Breakdown) -> list[Field]:
    mix = [
        f"{CATEGORY_LABELS[m.category]}: {m.applications} ({m.percent}%, plan {m.plan}%)"
        for m in b.mix
    ]
    if b.outside_mix:
        mix.append(f"Outside the plan's mix (quant, other): {b.outside_mix}")
    reached = [f"{STAGE_LABELS[s]}: {n}" for s, n in b.reached if s != PROGRESSION[0]]
    reached.append(f"Rejected: {b.rejected} · withdrawn: {b.withdrawn}")
    return [
        Field(name="The club's mix against the plan", value=field_lines(mix, "-")),
        Field(name="Stages reached", value=field_lines(reached, "-")),
    ]


def _activity_field(activity: ClubActivity) -> Field:
    solves = " · ".join(str(n) for n in activity.solves_per_week) or "-"
    lines = [
        f"Problems solved per week: {solves}",
        f"Mock sessions held: {activity.sessions_held} (no-shows: {activity.no_shows})",
        f"Members who practised (solved or met a partner): {activity.members_active}",
    ]
    return Field(name="What the club does", value="\n".join(lines))
