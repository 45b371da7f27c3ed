"""Twelve weekly rounds with members in New York, London, Kolkata and Sydney: what every
member is told holds up, round after round, and whenever they ask."""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
import rustworkx as rx

from bot.club_time import zone as zone_of
from bot.model import User, plain, render_stamps
from bot.pairing.hours import (
    describe_time,
    from_slot,
    parse_availability,
    round_start,
    week_slots,
)
from bot.pairing.rounds import group_times, session_length
from bot.pairing.store import Group, PairingMember, PairingStore
from tests.conftest import ADMIN
from tests.pairing.test_hours import _inside

SETUP = "/admin setup timezone:America/New_York pairing:#mock-interviews alerts:#officers"
NY, LONDON, KOLKATA, SYDNEY = (
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Australia/Sydney",
)
MEMBERS = [
    # coding: nine members (odd: one trio a round), partners limited by their hours
    ("ny1", "coding", NY, "weekdays 6pm-9pm"),
    ("ny2", "coding", NY, "Mon/Wed 7-9pm"),
    ("ny3", "coding", NY, "sat 10:30-12"),
    ("ld1", "coding", LONDON, "mon,wed 19-21"),
    ("ld2", "coding", LONDON, "weekdays 6pm-9pm"),
    ("ld3", "coding", LONDON, "sat 3pm-6pm"),
    ("kl1", "coding", KOLKATA, "wed 4-7"),
    ("kl2", "coding", KOLKATA, "weekdays 23:30-01"),
    ("sy1", "coding", SYDNEY, "tue 7-9am"),
    ("sy2", "coding", SYDNEY, "fri 22-01"),  # nobody in the track can meet them
    # ml-fundamentals: five members who can nearly all meet
    ("m1", "ml-fundamentals", NY, "daily 9-22"),
    ("m2", "ml-fundamentals", LONDON, "daily 9-22"),
    ("m3", "ml-fundamentals", KOLKATA, "daily 9-22"),
    ("m4", "ml-fundamentals", SYDNEY, "daily 9-22"),
    ("m5", "ml-fundamentals", NY, "tue 7pm-midnight"),
]
ROUNDS = 12


async def _join_everyone(club) -> None:
    await club.run(SETUP, as_user=ADMIN)
    for n, (name, track, zone, hours) in enumerate(MEMBERS):
        role = ("both", "interviewer", "interviewee")[n % 3]
        answer = await club.run(
            f'/mockpair join track:{track} level:{1 + n % 5} availability:"{hours}" '
            f"role:{role} timezone:{zone}",
            as_user=User(id=name, name=name),
        )
        assert answer.text.startswith("You're in."), answer.text


@pytest.fixture
async def played(club):
    await _join_everyone(club)
    # A round every Monday at 10:00 New York time, the next one first.
    until = club.clock.now() + timedelta(weeks=ROUNDS)
    await club.runtime.scheduler.run_until(club.clock, until)
    store = club.runtime.store
    club_id = (await store.clubs.all())[0].id
    members = {m.user_id: m for m in await store.repo(PairingStore).members(club_id)}
    rounds: dict[object, list[Group]] = defaultdict(list)
    for group in await store.repo(PairingStore).groups(club_id):
        rounds[group.week_of].append(group)
    assert len(rounds) == ROUNDS
    return club, members, [rounds[w] for w in sorted(rounds)]


def _slots(member: PairingMember, group: Group) -> int:
    """The member's half hours that round, from the 12 hours' notice on."""
    start = round_start(group.ran_at)
    ahead = from_slot(start, group.ran_at + timedelta(hours=12))
    return week_slots(parse_availability(member.availability), member.timezone, start) & ahead


def _can_meet(a: PairingMember, b: PairingMember, group: Group) -> bool:
    """A common half hour in the same track, and someone to ask (not two interviewees)."""
    if a.role == b.role == "interviewee":
        return False
    return a.track == b.track and bool(_slots(a, group) & _slots(b, group))


async def test_every_time_told_leaves_the_notice_and_is_inside_every_members_hours(played):
    club, members, rounds = played
    told = defaultdict(list)
    for user_id, message in club.poster.dms:
        told[user_id] += [plain(f.value) for f in message.fields if f.name.startswith("Times")]
    for week in rounds:
        for group in (g for g in week if len(g.members) > 1):
            times = group_times(group)
            assert 1 <= len(times) <= 3, group.members
            for slot in times:
                assert slot >= group.ran_at + timedelta(hours=12), (group.week_of, group.members)
                assert slot < group.ran_at + timedelta(days=7)
            for user_id in group.members:
                member = members[user_id]
                for slot in times:
                    blocks = parse_availability(member.availability)
                    assert _inside(blocks, member.timezone, slot), (
                        user_id,
                        describe_time(slot, member.timezone),
                    )
                said = "\n".join(f"• {describe_time(t, member.timezone)}" for t in times)
                assert said in told[user_id]
                days = {t.astimezone(zone_of(member.timezone)).date() for t in times}
                assert len(days) == len(times), "each time on a different day"


async def test_nobody_who_could_be_paired_is_left_out_and_one_trio_at_most(played):
    _, members, rounds = played
    for week in rounds:
        by_track = defaultdict(list)
        for group in week:
            by_track[members[group.members[0]].track].append(group)
        for track, groups in by_track.items():
            assert sum(len(g.members) == 3 for g in groups) <= 1, (track, groups[0].week_of)
            alone = [members[g.members[0]] for g in groups if len(g.members) == 1]
            for i, a in enumerate(alone):
                for b in alone[i + 1 :]:
                    assert not _can_meet(a, b, groups[0]), (a.user_id, b.user_id)
            # As many seated as a maximum matching of who can meet allows.
            people = [members[m] for g in groups for m in g.members]
            graph = rx.PyGraph()
            graph.add_nodes_from(range(len(people)))
            graph.add_edges_from_no_data(
                [
                    (i, j)
                    for i in range(len(people))
                    for j in range(i + 1, len(people))
                    if _can_meet(people[i], people[j], groups[0])
                ]
            )
            best = len(rx.max_weight_matching(graph, max_cardinality=True))
            seated = sum(len(g.members) for g in groups if len(g.members) > 1)
            assert seated >= 2 * best, (track, groups[0].week_of)


async def test_nobody_is_left_out_twice_in_a_row_while_a_partner_exists(played):
    _, members, rounds = played
    for before, week in pairwise(rounds):
        left_before = {g.members[0] for g in before if len(g.members) == 1}
        for group in week:
            if len(group.members) == 1 and group.members[0] in left_before:
                member = members[group.members[0]]
                partners = [
                    other
                    for other in members.values()
                    if other.user_id != member.user_id and _can_meet(member, other, group)
                ]
                # Engine invariant (bot/pairing/matching.py seats higher `waited` first).
                assert not partners, (member.user_id, group.week_of, [p.user_id for p in partners])


async def test_no_pair_repeats_while_a_fresh_partner_is_free(played):
    _, members, rounds = played
    met: set[frozenset[str]] = set()
    for week in rounds:
        seated = {m for g in week if len(g.members) > 1 for m in g.members}
        for group in (g for g in week if len(g.members) > 1):
            pairs = {frozenset((a, b)) for a in group.members for b in group.members if a < b}
            for pair in pairs & met:
                for user_id in pair:
                    member = members[user_id]
                    fresh_and_free = [
                        other.user_id
                        for other in members.values()
                        if other.user_id not in seated
                        and frozenset((user_id, other.user_id)) not in met
                        and other.user_id != user_id
                        and _can_meet(member, other, group)
                    ]
                    # Engine invariant: a repeat only when no fresh partner was left free.
                    assert not fresh_and_free, (sorted(pair), group.week_of, fresh_and_free)
        met |= {frozenset((a, b)) for g in week for a in g.members for b in g.members if a < b}


_TOLD = re.compile(r"<(\d+)\|([^>]*)>")


@dataclass(frozen=True)
class Said:
    """What status told a member of their group: times as (instant, as shown) by how it
    named them, and its feedback line."""

    ahead: list[tuple[datetime, str]]
    on: list[tuple[datetime, str]]
    past: list[tuple[datetime, str]]
    feedback: str | None


def _said(value: str) -> Said:
    lines = render_stamps(value, lambda s: f"<{s.unix}|{s.fallback}>").splitlines()

    def times(line: str) -> list[tuple[datetime, str]]:
        return [(datetime.fromtimestamp(int(u), UTC), shown) for u, shown in _TOLD.findall(line)]

    def labelled(label: str) -> list[tuple[datetime, str]]:
        return [t for line in lines if line.startswith(label) for t in times(line)]

    return Said(
        ahead=times(lines[0]),
        on=labelled("On now: "),
        past=labelled("Passed: "),
        feedback=lines[-1] if lines[-1].startswith("Feedback") else None,
    )


async def test_every_time_status_tells_a_member_as_ahead_lies_ahead(club):
    """Every member asks /mockpair status every 9 hours 40 minutes over three rounds (at
    every time of day, in every zone) and as each time they were given begins: a time is
    one "you have" only while it is still ahead; one begun is on, or passed, and said so;
    each on the member's own wall clock.
    Feedback is asked for once a time has begun, until it is given (half the members give
    it as soon as a time has passed)."""
    await _join_everyone(club)
    store = club.runtime.store
    club_id = (await store.clubs.all())[0].id
    repo = store.repo(PairingStore)
    members = {m.user_id: m for m in await repo.members(club_id)}
    rated: set[tuple[int, str]] = set()  # (group, member) who gave their feedback
    end, seen = club.clock.now() + timedelta(weeks=3), Counter[str]()
    while club.clock.now() < end:
        now = club.clock.now()
        # Every 9 hours 40 minutes, and at the very minute each time of the round begins.
        begins = [at for g in await repo.groups(club_id, limit_rounds=1) for at in group_times(g)]
        later = min([now + timedelta(hours=9, minutes=40), *(at for at in begins if at > now)])
        await club.runtime.scheduler.run_until(club.clock, later)
        now = club.clock.now()
        for n, (user_id, member) in enumerate(members.items()):
            me = User(id=user_id, name=user_id)
            answer = await club.run("/mockpair status", as_user=me)
            shown = [f.value for f in answer.fields if f.name in ("This round", "Last round")]
            groups = (await repo.latest_round(club_id, user_id, week_of=date.min)).groups
            if not groups or len(groups[-1].members) == 1:  # before the first round; alone
                continue
            group = groups[-1]
            said, length = _said(shown[0]), session_length(len(group.members))
            assert all(at > now for at, _ in said.ahead), (user_id, now, said)
            assert all(at <= now < at + length for at, _ in said.on), (user_id, now, said)
            assert all(at + length <= now for at, _ in said.past), (user_id, now, said)
            told = [*said.ahead, *said.on, *said.past]
            assert sorted(at for at, _ in told) == group_times(group), "every time, once"
            assert all(text == describe_time(at, member.timezone) for at, text in told), said
            seen.update(ahead=len(said.ahead), on=len(said.on), past=len(said.past))
            if not said.on and not said.past:
                assert said.feedback is None, said
            elif (group.id, user_id) in rated:
                assert said.feedback == "Feedback: yours is in, thank you.", said
                seen["rated"] += 1
            else:
                assert (said.feedback or "").startswith("Feedback, "), said
                if n % 2 == 0 and said.past:
                    for partner in (m for m in group.members if m != user_id):
                        await club.run(
                            f"/mockpair feedback partner:@{partner} rating:4", as_user=me
                        )
                    rated.add((group.id, user_id))
    # Each kind of answer, many times over.
    assert min(seen["ahead"], seen["on"], seen["past"], seen["rated"]) >= 10, seen
