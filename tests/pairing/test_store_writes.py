"""The pairing store writes a round, a member's details and a re-pairing in as few
statements as it can, and what it returns is what reading back gives."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from bot.pairing.store import Feedback, NewGroup, PairingMember, PairingStore
from bot.store.store import Store
from tests.conftest import MONDAY

WEEK = date(2026, 11, 16)


def _member(user_id: str, **details: object) -> PairingMember:
    values: dict[str, object] = {
        "user_id": user_id,
        "name": f"Name of {user_id}",
        "track": "coding",
        "level": 3,
        "role": "both",
        "availability": "mon 18-20",
        "timezone": "UTC",
    }
    return PairingMember(**{**values, **details})  # type: ignore[arg-type]


async def _club(store: Store, members: int) -> int:
    club = await store.clubs.get_or_create(
        platform="discord", workspace_id="G1", name="ML Club", now=MONDAY
    )
    for n in range(members):
        await store.repo(PairingStore).join(club.id, _member(f"U{n}"), now=MONDAY)
    return club.id


def _statements(store: Store) -> list[str]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(store.engine.sync_engine, "before_cursor_execute", record)
    return seen


async def test_a_round_is_saved_in_a_few_statements_and_reads_back_as_returned(store):
    club_id = await _club(store, 42)
    repo = store.repo(PairingStore)
    ids = [f"U{n}" for n in range(42)]
    # Nineteen pairs, a trio and one member alone; each interviewee gets two questions.
    seats = [tuple(ids[i : i + 2]) for i in range(0, 38, 2)] + [tuple(ids[38:41]), (ids[41],)]
    groups = [
        NewGroup(
            members=members,
            slot=None if len(members) == 1 else n,
            why="unpaired: nobody shares an hour" if len(members) == 1 else "",
            packs={m: (f"p{n}-{m}-a", f"p{n}-{m}-b") for m in members[1:]},
            candidates=() if len(members) == 1 else (n, n + 50, n + 100),
        )
        for n, members in enumerate(seats)
    ]
    statements = _statements(store)
    saved = await repo.save_round(
        club_id, occurrence="2026-W47", week_of=WEEK, groups=groups, now=MONDAY
    )
    assert len(statements) <= 6, statements  # not one or more per group
    assert saved == await repo.groups(club_id, round_id=saved[0].round_id)
    assert [g.members for g in saved] == seats
    assert [g.candidates for g in saved] == [g.candidates for g in groups]
    packs = await repo.packs(club_id, [g.id for g in saved])
    assert packs == {
        (s.id, m): list(problems)
        for s, g in zip(saved, groups, strict=True)
        for m, problems in g.packs.items()
    }
    trios = {m.user_id: m.trio_count for m in await repo.members(club_id)}
    assert trios == {u: 1 if u in ids[38:41] else 0 for u in ids}
    # A retried run keeps the round as it was: nothing is saved or counted twice.
    again = await repo.save_round(
        club_id, occurrence="2026-W47", week_of=WEEK, groups=groups[:3], now=MONDAY
    )
    assert again == saved
    assert {m.user_id: m.trio_count for m in await repo.members(club_id)} == trios


async def test_joining_again_updates_the_details_and_keeps_the_counts(store):
    club_id = await _club(store, 3)
    repo = store.repo(PairingStore)
    [group, _] = await repo.save_round(
        club_id,
        occurrence="2026-W47",
        week_of=WEEK,
        groups=[
            NewGroup(members=("U0", "U1", "U2"), slot=1, why="", packs={}),
            NewGroup(members=("U3",), slot=None, why="", packs={}),
        ],
        now=MONDAY,
    )
    no_show = Feedback(
        group_id=group.id, from_user="U1", about_user="U0", rating=None, notes="", no_show=True
    )
    await repo.add_feedback(club_id, no_show, now=MONDAY)
    assert await repo.skip(club_id, "U0", until=date(2026, 12, 7))
    assert await repo.leave(club_id, "U0")
    assert (await repo.member(club_id, "U0")) == _member(
        "U0", active=False, skip_until=date(2026, 12, 7), no_shows=1, trio_count=1
    )
    changed = _member(
        "U0", name="x" * 120, track="ml-fundamentals", level=5, timezone="Asia/Kolkata"
    )
    statements = _statements(store)
    assert await repo.join(club_id, changed, now=MONDAY) is False
    assert len(statements) == 1  # one UPDATE: the member's row exists
    assert await repo.member(club_id, "U0") == _member(
        "U0",
        name="x" * 100,
        track="ml-fundamentals",
        level=5,
        timezone="Asia/Kolkata",
        no_shows=1,
        trio_count=1,
    )
    assert await repo.join(club_id, _member("U9"), now=MONDAY) is True
    assert await repo.member(club_id, "U9") == _member("U9")


async def test_leaving_or_skipping_without_having_joined_changes_nothing(store):
    club_id = await _club(store, 1)
    repo = store.repo(PairingStore)
    assert await repo.leave(club_id, "U1") is False
    assert await repo.skip(club_id, "U1", until=WEEK) is False
    assert await repo.leave(club_id + 1, "U0") is False  # the same member of another club
    assert [m.user_id for m in await repo.members(club_id)] == ["U0"]
    assert await repo.member(club_id, "U0") == _member("U0")


async def test_a_re_pairing_returns_the_group_as_saved(store):
    club_id = await _club(store, 5)
    repo = store.repo(PairingStore)
    pair, alone, other = await repo.save_round(
        club_id,
        occurrence="2026-W47",
        week_of=WEEK,
        groups=[
            NewGroup(members=("U0", "U1"), slot=1, why="", packs={}),
            NewGroup(members=("U2",), slot=None, why="unpaired: no hour", packs={}),
            NewGroup(members=("U3", "U4"), slot=2, why="", packs={}),
        ],
        now=MONDAY,
    )
    joined = await repo.add_to_group(club_id, alone, "U0", (7, 60))
    made = await repo.add_group(club_id, pair, ("U1", "U3"), (8,), "re-paired after a no-show")
    assert await repo.groups(club_id, round_id=pair.round_id) == [pair, joined, other, made]
    assert joined.members == ("U2", "U0")
    assert (joined.slot, joined.candidates, joined.why) == (7, (7, 60), "unpaired: no hour")
    assert (made.week_of, made.ran_at, made.candidates) == (WEEK, MONDAY, (8,))
