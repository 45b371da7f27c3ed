"""A club exported to JSON and imported elsewhere comes back whole."""

import json
from datetime import date

import pytest

from bot.applications import ApplicationStore
from bot.applications.store import NewApplication
from bot.config import sqlite_url
from bot.pairing.store import Feedback, NewGroup, PairingMember, PairingStore
from bot.postings import PostingStore
from bot.problems.store import ProblemStore, SolveRecord
from bot.store.claims import POSTED, ClaimKey
from bot.store.clubs import Actor, Channel, ClubChanges
from bot.store.export import ImportRefused, export_club, import_club
from bot.store.store import Store
from bot.web.store import WebStore
from bot.windows.store import DeadlineChanges, DeadlineStore
from tests.conftest import MONDAY

ALEX = Actor(id="alex", name="alex")


async def _busy_club(store: Store) -> int:
    """A club with a row in every table a club owns."""
    club = await store.clubs.get_or_create(
        platform="slack", workspace_id="T1", name="ML", now=MONDAY
    )
    await store.clubs.change(
        club.id,
        ClubChanges(
            timezone="Asia/Kolkata",
            channels={"alerts": Channel(id="C9", name="officers")},
            settings={"problem_time": "08:30"},
        ),
        actor=ALEX,
        now=MONDAY,
    )
    await store.clubs.add_officer(club.id, user_id="U2", name="priya", actor=ALEX, now=MONDAY)
    await store.clubs.get_or_create(  # a member uses the bot
        platform="slack", workspace_id="T1", name="ML", now=MONDAY, seen=("U3", "sam")
    )
    await store.repo(DeadlineStore).add(
        club.id,
        DeadlineChanges(title="Career fair", closes_on=date(2026, 12, 3), url="https://x.org/f"),
        actor=ALEX,
        now=MONDAY,
    )
    await store.repo(DeadlineStore).subscribe(club.id, "U3", "quant", now=MONDAY)
    await store.repo(DeadlineStore).mute(club.id, "U3", "jane-street:2027", "applied", now=MONDAY)
    await store.repo(DeadlineStore).set_class_year(club.id, "U3", "sophomore")
    await store.repo(ProblemStore).record_post(
        club.id, day=date(2026, 11, 16), problem_id="two-sum", cycle=1, now=MONDAY
    )
    await store.repo(ProblemStore).record_solve(
        club.id,
        SolveRecord(
            user_id="U3",
            name="sam",
            problem_id="two-sum",
            difficulty="easy",
            day=date(2026, 11, 16),
            solved_at=MONDAY,
        ),
    )
    for user in ("U3", "U4"):
        member = PairingMember(
            user_id=user,
            name=user,
            track="coding",
            level=2,
            role="both",
            availability="mon-fri 18-21",
            timezone="Asia/Kolkata",
        )
        await store.repo(PairingStore).join(club.id, member, now=MONDAY)
    [group] = await store.repo(PairingStore).save_round(
        club.id,
        occurrence="2026-W47",
        week_of=date(2026, 11, 16),
        groups=[NewGroup(members=("U3", "U4"), slot=40, why="", packs={"U3": ("two-sum",)})],
        now=MONDAY,
    )
    await store.repo(PairingStore).add_feedback(
        club.id,
        Feedback(
            group_id=group.id,
            from_user="U3",
            about_user="U4",
            rating=4,
            notes="clear",
            no_show=False,
        ),
        now=MONDAY,
    )
    key = ClaimKey(club_id=club.id, kind="daily_problem", occurrence="2026-11-16")
    await store.claims.claim(key, due_at=MONDAY, owner="p1", now=MONDAY)
    await store.claims.finish(key, status=POSTED, now=MONDAY, message_ref="171.1")
    await store.repo(WebStore).feed_token(club.id, "U1", now=MONDAY)
    await store.repo(WebStore).set_hidden(club.id, "U2", True)
    postings = store.repo(PostingStore)
    await postings.follow(club.id, user_id="U3", company="Stripe", key="stripe")
    await postings.announce([(club.id, ("SimplifyJobs/Summer2027-Internships", "a1"), "t")])
    applied = NewApplication(
        company="Stripe",
        role="ML intern",
        link="https://stripe.example/1",
        category="saas",
        category_from="member",
        applied_on=date(2026, 11, 16),
    )
    await store.repo(ApplicationStore).add(club.id, "U3", applied, now=MONDAY)
    return club.id


def _without_ids(export: dict) -> dict:
    """The export with database-given ids (and the references to them) left out."""
    drop = {"id", "club_id", "round_id", "group_id"}
    return {
        "club": {k: v for k, v in export["club"].items() if k != "id"},
        "tables": {
            name: [{k: v for k, v in row.items() if k not in drop} for row in rows]
            for name, rows in export["tables"].items()
        },
    }


async def test_an_export_imports_into_another_database_unchanged(store, tmp_path):
    club_id = await _busy_club(store)
    exported = json.loads(json.dumps(await export_club(store, club_id)))
    assert all(exported["tables"][t] for t in exported["tables"]), "every table has a row"
    other = await Store.open(sqlite_url(tmp_path / "other.db"))
    try:
        # Another club first, so ids in the target differ from the source's.
        await other.clubs.get_or_create(platform="discord", workspace_id="G", name="G", now=MONDAY)
        new_id = await import_club(other, exported)
        assert new_id != club_id
        again = await export_club(other, new_id)
        assert _without_ids(again) == _without_ids(exported)
        groups = await other.repo(PairingStore).groups(new_id)
        assert [g.members for g in groups] == [("U3", "U4")]
        assert await other.repo(PairingStore).pack(new_id, groups[0].id, "U3") == ["two-sum"]
        imported = await other.clubs.get(new_id)
        assert imported.settings == {"problem_time": "08:30"}
        assert imported.timezone == "Asia/Kolkata"
    finally:
        await other.close()


async def test_importing_a_club_that_exists_is_refused_and_changes_nothing(store):
    club_id = await _busy_club(store)
    exported = await export_club(store, club_id)
    with pytest.raises(ImportRefused, match="already has a club"):
        await import_club(store, exported)
    assert len(await store.clubs.all()) == 1


async def test_a_file_that_is_not_an_export_is_refused(store):
    with pytest.raises(ImportRefused, match="not a clubbot-export/1 file"):
        await import_club(store, {"format": "something else"})
