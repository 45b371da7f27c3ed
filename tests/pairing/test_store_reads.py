"""The pairing store narrows what commands read in SQL (a member's groups, one round's,
the feedback about some groups) and still returns exactly what reading everything and
filtering would: ids that contain one another, or LIKE's wildcards, are told apart."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import select

from bot.pairing.store import Feedback, Group, NewGroup, PackRow, PairingMember, PairingStore
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
    assert len(feedback) == await repo.feedback_count(club.id) == 12
    # A group with two no-shows reported (it is read once) and a rating (not a no-show).
    first, second = everything[0].members
    for note in (
        Feedback(
            group_id=everything[0].id,
            from_user=second,
            about_user=first,
            rating=None,
            notes="",
            no_show=True,
        ),
        Feedback(
            group_id=everything[2].id,
            from_user="x",
            about_user="y",
            rating=4,
            notes="",
            no_show=False,
        ),
    ):
        await repo.add_feedback(club.id, note, now=MONDAY)
    # A no-show about one of the club's groups filed under another club counts for neither.
    other = await store.clubs.get_or_create(
        platform="discord", workspace_id="G2", name="Other Club", now=MONDAY
    )
    stray = Feedback(
        group_id=everything[1].id,
        from_user="z",
        about_user="w",
        rating=None,
        notes="",
        no_show=True,
    )
    await repo.add_feedback(other.id, stray, now=MONDAY)
    for limit in (1, 2, 3, 10):
        latest = await repo.groups(club.id, limit_rounds=limit)
        reports = await repo.feedback(club.id, group_ids=[g.id for g in latest])
        assert await repo.groups_and_no_shows(club.id, limit_rounds=limit) == (
            latest,
            {(f.group_id, f.from_user, f.about_user) for f in reports if f.no_show},
        ), limit
    held = sorted((g.week_of, g.members) for g in everything if len(g.members) > 1)
    assert sorted(await repo.sessions_held(club.id)) == held
    assert len(held) == 12  # each round's member left alone is not a session
    for limit, before in itertools.product((1, 2, 3, 10), [*weeks, weeks[-1] + timedelta(weeks=1)]):
        planned = await repo.past_groups(club.id, limit_rounds=limit, before=before)
        latest = await repo.groups(club.id, limit_rounds=limit)
        assert sorted(planned) == sorted(
            (g.week_of, g.members) for g in latest if g.week_of < before
        ), (limit, before)


async def _club_with_members(store: Store) -> int:
    club = await store.clubs.get_or_create(
        platform="discord", workspace_id="G1", name="ML Club", now=MONDAY
    )
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
        await store.repo(PairingStore).join(club.id, member, now=MONDAY)
    return club.id


async def test_latest_round_equals_round_ran_and_the_members_latest_groups(store: Store) -> None:
    club_id = await _club_with_members(store)
    repo = store.repo(PairingStore)
    weeks = [date(2026, 11, 2) + timedelta(weeks=w) for w in range(5)]

    async def check() -> None:
        asked = [weeks[0] - timedelta(weeks=1), *weeks, weeks[-1] + timedelta(weeks=1)]
        for member in (*IDS, "U", "nobody"):
            latest = await repo.groups(club_id, limit_rounds=1, member=member)
            given = await repo.feedback(club_id, group_ids=[g.id for g in latest])
            rated = {(f.group_id, f.about_user) for f in given if f.from_user == member}
            for week_of in asked:
                found = await repo.latest_round(club_id, member, week_of=week_of)
                assert found.ran == await repo.round_ran(club_id, week_of), (member, week_of)
                assert list(found.groups) == latest, (member, week_of)
                assert found.rated == rated, (member, week_of)

    async def rate_everyone(groups: list[Group]) -> None:
        """Feedback from each member about each partner (in a trio, a member rates two)."""
        for group in groups:
            for by, about in itertools.permutations(group.members, 2):
                feedback = Feedback(
                    group_id=group.id,
                    from_user=by,
                    about_user=about,
                    rating=4,
                    notes="",
                    no_show=False,
                )
                await repo.add_feedback(club_id, feedback, now=MONDAY)

    await check()  # no round yet
    # Rounds in weeks 0, 1 and 3 (none in week 2): pairs, a member alone, someone out,
    # trios in the last; a re-pairing later adds a second group with a member in it.
    for w, leave_out in ((0, ()), (1, ("U12",)), (3, ("U1", "a%b"))):
        seated = [u for u in IDS[w:] + IDS[:w] if u not in leave_out]
        size = 3 if w == 3 else 2
        groups = [
            NewGroup(members=tuple(seated[i : i + size]), slot=None, why="", packs={})
            for i in range(0, len(seated), size)
        ]
        saved = await repo.save_round(
            club_id, occurrence=f"w{w}", week_of=weeks[w], groups=groups, now=MONDAY
        )
        await check()
        await rate_everyone(saved[: w + 1])  # a group comes once however many rated in it
        await check()
    again = await repo.add_group(
        club_id, saved[0], ("U123", "U2"), (5,), "re-paired after a no-show"
    )
    await check()
    await rate_everyone([again])
    await check()
    # The latest round may have no group at all (as saved): nobody has a group in it.
    await repo.save_round(club_id, occurrence="w4", week_of=weeks[4], groups=[], now=MONDAY)
    await check()


# Problem ids whose order differs between Python and a database collation that ignores
# case and punctuation (as PostgreSQL's en_US does).
PROBLEMS = ("a-b", "aB", "Ab", "a_b", "ab", "B", "a b")


async def test_a_rounds_packs_and_questions_heard_equal_reading_one_at_a_time(
    store: Store,
) -> None:
    club_id = await _club_with_members(store)
    repo = store.repo(PairingStore)
    given = iter(PROBLEMS * 4)
    groups = []
    for w in range(3):
        rotated = IDS[w:] + IDS[:w]
        round_groups = [rotated[0:3], rotated[3:5], rotated[5:7]]  # a trio and two pairs
        packs = [
            {m: (f"{next(given)}{w}", f"{next(given)}{w}") for m in members[1:]}
            for members in round_groups
        ]
        new = [
            NewGroup(members=tuple(members), slot=None, why="", packs=pack)
            for members, pack in zip(round_groups, packs, strict=True)
        ]
        week_of = date(2026, 11, 2) + timedelta(weeks=w)
        groups += await repo.save_round(
            club_id, occurrence=f"w{w}", week_of=week_of, groups=new, now=MONDAY
        )
    heard = await repo.questions_heard_by(club_id, [*IDS, "U"])
    assert heard == {u: await repo.questions_heard(club_id, u) for u in [*IDS, "U"]}
    assert heard["U"] == set()
    some = [g.id for g in groups[::2]]
    async with store.sessions() as session:
        every = (
            await session.execute(select(PackRow.group_id, PackRow.user_id, PackRow.problem_id))
        ).all()
    expected: dict[tuple[int, str], list[str]] = {}
    for group_id, user_id, problem_id in every:
        if group_id in some:
            expected.setdefault((group_id, user_id), []).append(problem_id)
    packs = await store.repo(PairingStore).packs(club_id, some)
    assert packs == {key: sorted(problems) for key, problems in expected.items()}
    assert sum(map(len, packs.values())) == 2 * 7  # seven interviewees in those groups
    assert (
        await repo.pack(club_id, some[0], groups[0].members[1])
        == packs[(some[0], groups[0].members[1])]
    )


async def test_a_round_taken_is_one_gone_out_or_claimed(store: Store) -> None:
    """`round_taken` (one read) is `round_ran` or a claim of the round's occurrence: not a
    claim of another kind, week or club, nor another week's round."""
    from bot.store.claims import ClaimKey

    club_id = await _club_with_members(store)
    other = await store.clubs.get_or_create(
        platform="discord", workspace_id="G2", name="Other", now=MONDAY
    )
    repo = store.repo(PairingStore)
    weeks = [date(2026, 11, 2) + timedelta(weeks=w) for w in range(4)]
    ran = weeks[1]
    await repo.save_round(
        club_id,
        occurrence="2026-W45",
        week_of=ran,
        groups=[NewGroup(members=("U1", "U2"), slot=None, why="", packs={})],
        now=MONDAY,
    )
    claimed = [
        (club_id, "mockpair_round", "2026-W47"),
        (club_id, "daily_problem", "2026-W48"),
        (other.id, "mockpair_round", "2026-W48"),
    ]
    for club, kind, occurrence in claimed:
        key = ClaimKey(club_id=club, kind=kind, occurrence=occurrence)
        assert await store.claims.claim(key, due_at=MONDAY, owner="p", now=MONDAY)
    occurrences = ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    for week_of, occurrence in zip(weeks, occurrences, strict=True):
        key = ClaimKey(club_id=club_id, kind="mockpair_round", occurrence=occurrence)
        expected = await repo.round_ran(club_id, week_of) or (
            await store.claims.get(key) is not None
        )
        found = await repo.round_taken(club_id, week_of, "mockpair_round", occurrence)
        assert found == expected, week_of
    assert [
        await repo.round_taken(club_id, w, "mockpair_round", o)
        for w, o in zip(weeks, occurrences, strict=True)
    ] == [False, True, True, False]
