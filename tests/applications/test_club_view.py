"""What officers may see of the club's applications: aggregates over counted members, none
below five of them, and nothing that tells whose application is whose.

The proof that no single member's application can be read from the view: whatever the
applications, dealing them out differently among the same counted members gives the very
same view (so nothing in it depends on who sent what), the view carries no company, role,
link or member, and a member who opted out changes nothing in it."""

from __future__ import annotations

import asyncio
import random
import re
import tempfile
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.applications.club_view import MIN_COUNTED, ClubActivity, club_view, club_view_fields
from bot.applications.facts import load_facts
from bot.applications.kinds import CATEGORIES, PROGRESSION
from bot.applications.plan import Season, Sent
from bot.applications.store import ApplicationStore, NewApplication
from bot.config import sqlite_url
from bot.store.store import Store

FACTS = load_facts()
SEASON = Season(summer=2027)
TODAY = date(2027, 2, 10)
NOW = datetime(2027, 2, 10, 15, 0, tzinfo=UTC)

season_days = st.dates(date(2026, 7, 1), TODAY)


@st.composite
def sent(draw: st.DrawFn) -> Sent:
    applied = draw(season_days)
    furthest = draw(st.sampled_from(PROGRESSION))
    return Sent(
        category=draw(st.sampled_from(CATEGORIES)),
        applied_on=applied,
        opened_on=draw(st.none() | st.integers(0, 40).map(lambda n: applied - timedelta(days=n))),
        stage=draw(st.sampled_from([furthest, "rejected", "withdrawn"])),
        furthest=furthest,
    )


def _text(view) -> str:
    fields = club_view_fields(view)
    return "\n".join(f"{f.name}\n{f.value}" for f in fields)


@given(applications=st.lists(sent(), max_size=40), members=st.integers(0, MIN_COUNTED - 1))
@settings(deadline=None)
def test_fewer_than_five_counted_members_show_no_breakdown_at_all(applications, members):
    view = club_view(applications, members_counted=members, season=SEASON, today=TODAY, facts=FACTS)
    assert view.breakdown is None
    assert view.members_counted is None
    text = _text(view)
    assert set(re.findall(r"\d+", text)) <= {"5", "2026", "27"}, text
    assert not any(label in text for label in ("Big tech", "Offer", "Per week"))


@given(applications=st.lists(sent(), max_size=60), members=st.integers(MIN_COUNTED, 40))
@settings(deadline=None)
def test_the_breakdown_agrees_with_an_independent_count(applications, members):
    view = club_view(applications, members_counted=members, season=SEASON, today=TODAY, facts=FACTS)
    b = view.breakdown
    assert b is not None
    assert view.members_counted == members
    assert b.total == len(applications)
    per = Counter(a.category for a in applications)
    assert {m.category: m.applications for m in b.mix} == {
        c: per[c] for c in ("big-tech", "saas", "startup", "research")
    }
    assert b.outside_mix == per["quant"] + per["other"]
    for stage, n in b.reached:
        assert n == sum(
            1 for a in applications if PROGRESSION.index(a.furthest) >= PROGRESSION.index(stage)
        )
    timed = [a for a in applications if a.opened_on is not None]
    assert b.timed == len(timed)
    assert b.early == sum(1 for a in timed if (a.applied_on - a.opened_on).days <= 14)
    for week in b.weeks:
        assert week.applications == sum(
            1 for a in applications if 0 <= (a.applied_on - week.week_of).days < 7
        )
    assert b.weeks[-1].week_of <= TODAY < b.weeks[-1].week_of + timedelta(days=7)


@given(applications=st.lists(sent(), max_size=40), seed=st.integers())
@settings(deadline=None)
def test_the_view_depends_on_the_applications_as_a_bag_never_their_order(applications, seed):
    shuffled = list(applications)
    random.Random(seed).shuffle(shuffled)
    first = club_view(applications, members_counted=7, season=SEASON, today=TODAY, facts=FACTS)
    again = club_view(shuffled, members_counted=7, season=SEASON, today=TODAY, facts=FACTS)
    assert first == again


def test_the_fields_put_people_first_and_add_what_the_club_does():
    applications = [
        Sent(
            category="saas", applied_on=TODAY, opened_on=TODAY, stage="applied", furthest="applied"
        )
    ] * 6
    activity = ClubActivity(solves_per_week=(4, 9), sessions_held=3, no_shows=1, members_active=11)
    view = club_view(
        applications, members_counted=6, season=SEASON, today=TODAY, facts=FACTS, activity=activity
    )
    fields = club_view_fields(view)
    assert fields[0].name == "Applications, 2026-27 season"
    assert "6 sent by the 6 members counted." in fields[0].value
    assert "100% (6 of 6)" in fields[0].value
    assert "Mid-market SaaS: 6 (100%, plan 50%)" in fields[1].value
    assert fields[-1].value == (
        "Problems solved per week: 4 · 9\nMock sessions held: 3 (no-shows: 1)\n"
        "Members who practised (solved or met a partner): 11"
    )
    few = club_view(
        applications, members_counted=4, season=SEASON, today=TODAY, facts=FACTS, activity=activity
    )
    assert [f.name for f in club_view_fields(few)] == [
        "Applications, 2026-27 season",
        "What the club does",
    ]


# --- through the store: who sent what never reaches the view --------------------------------

MARK = "zq"  # every company, role and link carries it, so any leak is found


def _new(a: Sent, n: int) -> NewApplication:
    return NewApplication(
        company=f"{MARK}corp{n}",
        role=f"{MARK}role{n}",
        link=f"https://{MARK}.example/{n}",
        category=a.category,
        category_from="member",
        applied_on=a.applied_on,
        opened_on=a.opened_on,
    )


async def _record(
    repo: ApplicationStore, club_id: int, owners: list[str], applications: list[Sent]
) -> None:
    for n, (owner, a) in enumerate(zip(owners, applications, strict=True)):
        app, _ = await repo.add(club_id, owner, _new(a, n), now=NOW)
        if a.stage != "applied" or a.furthest != "applied":
            await repo.move(
                club_id, owner, app.number, stage=a.stage, furthest=a.furthest, on=a.applied_on
            )


@given(
    applications=st.lists(sent(), min_size=MIN_COUNTED, max_size=25),
    seed=st.integers(),
    opted_out=st.lists(sent(), max_size=5),
)
@settings(max_examples=25, deadline=None)
def test_dealing_the_same_applications_out_differently_gives_officers_the_same_view(
    applications, seed, opted_out
):
    members = [f"U{MARK}{n}" for n in range(MIN_COUNTED)]

    def dealt(rng: random.Random) -> list[str]:
        # Each counted member sends at least one; the rest go to anyone.
        owners = members + [rng.choice(members) for _ in applications[len(members) :]]
        rng.shuffle(owners)
        return owners

    async def run() -> None:
        with tempfile.TemporaryDirectory() as folder:
            store = await Store.open(sqlite_url(Path(folder) / "club.db"))
            try:
                repo, views = store.repo(ApplicationStore), []
                for n, rng in enumerate((random.Random(seed), random.Random(seed + 1))):
                    club = await store.clubs.get_or_create(
                        platform="console", workspace_id=f"ws-{n}", name="c", now=NOW
                    )
                    await _record(repo, club.id, dealt(rng), applications)
                    # A member who left the counts: their applications must change nothing.
                    await repo.set_applicant(club.id, "Uout", now=NOW, counted=False)
                    await _record(repo, club.id, ["Uout"] * len(opted_out), opted_out)
                    found, counted = await repo.counted(club.id, SEASON.summer)
                    assert counted == MIN_COUNTED
                    assert all(MARK not in repr(s) for s in found)
                    views.append(
                        club_view(
                            found, members_counted=counted, season=SEASON, today=TODAY, facts=FACTS
                        )
                    )
                assert views[0] == views[1]
                alone = club_view(
                    applications,
                    members_counted=MIN_COUNTED,
                    season=SEASON,
                    today=TODAY,
                    facts=FACTS,
                )
                assert views[0] == alone, "the opted-out member's applications are not in it"
                assert MARK not in _text(views[0])
                assert "Uout" not in _text(views[0])
            finally:
                await store.close()

    asyncio.run(run())


def test_one_members_application_changed_in_everything_but_its_numbers_leaves_the_view_alone():
    base = Sent(
        category="startup",
        applied_on=date(2027, 1, 6),
        opened_on=None,
        stage="applied",
        furthest="applied",
    )
    others = [replace(base, category=c) for c in ("saas", "saas", "big-tech", "research")]
    view = club_view([base, *others], members_counted=5, season=SEASON, today=TODAY, facts=FACTS)
    # Another day of the same week, and who sent it: nothing an officer sees moves.
    moved = replace(base, applied_on=date(2027, 1, 8))
    assert (
        club_view([*others, moved], members_counted=5, season=SEASON, today=TODAY, facts=FACTS)
        == view
    )
