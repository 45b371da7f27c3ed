"""What holds for every club (issue 28), checked with hypothesis: an interviewee is never
an interviewer, no member is asked a question they heard, and every time announced is at
least the notice ahead, inside everyone's hours and exact across daylight saving."""

import itertools
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.model import User
from bot.pairing.hours import (
    SLOT,
    candidate_slots,
    from_slot,
    round_start,
    slot_time,
    week_slots,
)
from bot.pairing.matching import ROLES, Participant, pair_round
from bot.pairing.rounds import interviews
from bot.pairing.store import PairingMember, PairingStore
from tests.conftest import ADMIN, Club
from tests.pairing.test_hours import _blocks, _inside

ZONES = ("America/New_York", "Europe/London", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney")
# Weeks with a clock change somewhere above, and any week of two years.
CHANGES = [datetime(2026, 3, 2), datetime(2026, 3, 23), datetime(2026, 10, 19)]
CHANGES += [datetime(2026, 10, 30), datetime(2026, 9, 29), datetime(2027, 3, 22)]
ROUND_AT = st.one_of(
    st.sampled_from(CHANGES).flatmap(
        lambda day: st.integers(0, 7 * 48).map(lambda n: (day + n * SLOT).replace(tzinfo=UTC))
    ),
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
)
BLOCK = _blocks
MEMBER = st.tuples(
    st.lists(BLOCK, min_size=1, max_size=3), st.sampled_from(ZONES), st.sampled_from(ROLES)
)


def _member(user_id: str, role: str) -> PairingMember:
    return PairingMember(
        user_id=user_id,
        name=user_id,
        track="coding",
        level=3,
        role=role,
        availability="",
        timezone="UTC",
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ROLES), min_size=2, max_size=3))
def test_an_interviewee_is_never_an_interviewer(roles):
    group = [f"p{i}" for i in range(len(roles))]
    members = {m: _member(m, role) for m, role in zip(group, roles, strict=True)}
    halves = interviews(group, members)
    for asker, answerer in halves:
        assert members[asker].role != "interviewee", (roles, halves)
        assert asker != answerer
    answers = [answerer for _, answerer in halves]
    assert len(answers) == len(set(answers)), "one interviewer per interviewee"
    if any(r != "interviewee" for r in roles):
        # Every interviewee is asked by someone: a session always has its interview.
        assert {m for m in group if members[m].role == "interviewee"} <= set(answers)
        assert halves


@settings(max_examples=120, deadline=None)
@given(
    st.lists(MEMBER, min_size=2, max_size=8),
    ROUND_AT,
    st.sampled_from([timedelta(0), timedelta(hours=12), timedelta(days=1)]),
)
def test_every_time_announced_is_the_notice_ahead_inside_everyones_hours(rows, at, notice):
    start = round_start(at)
    ahead = from_slot(start, at + notice)
    people = [
        Participant(
            id=f"p{i}",
            track="coding",
            level=3,
            role=role,
            hours=week_slots(tuple(blocks), zone, start) & ahead,
        )
        for i, (blocks, zone, role) in enumerate(rows)
    ]
    index = {p.id: i for i, p in enumerate(people)}
    for group in pair_round(people, {}, seed="x").groups:
        zones = [rows[index[m]][1] for m in group.members]
        picked = candidate_slots(group.hours, start, zones, 2 if len(group.members) == 2 else 3)
        assert 1 <= len(picked) <= 3
        for slot in (slot_time(start, i) for i in picked):
            assert slot >= at + notice
            for member in group.members:
                blocks, zone, _ = rows[index[member]]
                assert _inside(tuple(blocks), zone, slot), (member, slot)
        for zone in set(zones):
            days = [slot_time(start, i).astimezone(ZoneInfo(zone)).date() for i in picked]
            assert len(set(days)) == len(days), "each time on a different day"


_CLUBS = itertools.count()
PEOPLE = st.lists(
    st.tuples(st.sampled_from(ROLES), st.sampled_from(("ml-fundamentals", "coding"))),
    min_size=2,
    max_size=5,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=PEOPLE)
async def test_no_member_is_asked_a_question_they_heard(club, people):
    """Rounds played through the console club, a new club (workspace) per example."""
    mine = Club(
        runtime=club.runtime, poster=club.poster, clock=club.clock, workspace=f"w{next(_CLUBS)}"
    )
    await mine.run("/admin setup timezone:UTC pairing:#mock-interviews", as_user=ADMIN)
    for n, (role, track) in enumerate(people):
        await mine.run(
            f'/mockpair join track:{track} level:{1 + n % 5} availability:"daily 8-22" role:{role}',
            as_user=User(id=f"u{n}", name=f"u{n}"),
        )
    store = club.runtime.store
    (found,) = [c for c in await store.clubs.all() if c.workspace_id == mine.workspace]
    repo = store.repo(PairingStore)
    heard: dict[str, set[str]] = defaultdict(set)
    for _ in range(4):
        await mine.run("/admin mockpair run-now", as_user=ADMIN)
        for group in await repo.groups(found.id, limit_rounds=1):
            packs = {m: set(await repo.pack(found.id, group.id, m)) for m in group.members}
            for member, questions in packs.items():
                assert not questions & heard[member], (member, questions)
            for member in group.members:
                heard[member] |= set().union(*packs.values())
        club.clock.advance(timedelta(weeks=1))
