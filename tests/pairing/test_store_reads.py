"""The pairing store narrows what commands read in SQL (a member's groups, one round's,
the feedback about some groups) and still returns exactly what reading everything and
filtering would: ids that contain one another, or LIKE's wildcards, are told apart."""

from __future__ import annotations

from datetime import date, timedelta

from bot.pairing.store import Feedback, NewGroup, PairingMember, PairingStore
from bot.store.store import Store
from tests.conftest import MONDAY

# Ids a platform may hand out that a substring match would confuse.
IDS = ("U1", "U12", "U123", "a_b", "a%b", "axb", "U2")


async def test_narrowed_reads_equal_reading_everything(store: Store) -> None:
    club = await store.clubs.get_or_create(
        platform="discord", workspace_id="G1", name="ML Club", now=MONDAY
    )
    repo = store.repo(PairingStore)
    for user_id in IDS:
        member = PairingMember(
            user_id=user_id,
            name=f"Name of {user_id}",
            track="coding",
            level=3,
            role="both",
            availability="mon 18-20",
            timezone="UTC",
        )
        await repo.join(club.id, member, now=MONDAY)
    weeks = [date(2026, 11, 2) + timedelta(weeks=w) for w in range(4)]
    for w, week_of in enumerate(weeks):
        rotated = IDS[w:] + IDS[:w]
        groups = [
            NewGroup(members=tuple(rotated[i : i + 2]), slot=None, why="", packs={})
            for i in range(0, len(rotated), 2)
        ]
        saved = await repo.save_round(
            club.id, occurrence=week_of.isoformat(), week_of=week_of, groups=groups, now=MONDAY
        )
        for g in saved:
            if len(g.members) == 2:
                a, b = g.members
                note = Feedback(
                    group_id=g.id, from_user=a, about_user=b, rating=None, notes="", no_show=True
                )
                await repo.add_feedback(club.id, note, now=MONDAY)
    everything = await repo.groups(club.id)
    for member in IDS:
        assert await repo.groups(club.id, member=member) == [
            g for g in everything if member in g.members
        ], member
        latest = await repo.groups(club.id, limit_rounds=2)
        assert await repo.groups(club.id, limit_rounds=2, member=member) == [
            g for g in latest if member in g.members
        ], member
    some_round = everything[-1].round_id
    assert await repo.groups(club.id, round_id=some_round) == [
        g for g in everything if g.round_id == some_round
    ]
    asked = ["U1", "a%b", "nobody"]
    assert [m.user_id for m in await repo.members(club.id, user_ids=asked)] == ["U1", "a%b"]
    feedback = await repo.feedback(club.id)
    ids = {g.id for g in everything[::3]}
    assert await repo.feedback(club.id, group_ids=ids) == [f for f in feedback if f.group_id in ids]
    assert len(feedback) == 12
