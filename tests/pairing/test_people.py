"""Pairing as people use it (issue 28): a six-member club in three zones played for six
weeks through the console club, the weeks the clocks change, who interviews whom, the
questions each member has heard, and the round `/mockpair status` names."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from bot.model import User, mention, plain
from bot.pairing.hours import describe_time, parse_availability
from bot.pairing.rounds import group_times
from bot.pairing.store import PairingStore
from tests.conftest import ADMIN
from tests.pairing.test_hours import _inside

SETUP = "/admin setup timezone:America/New_York pairing:#mock-interviews alerts:#officers"
NY, LONDON, KOLKATA = "America/New_York", "Europe/London", "Asia/Kolkata"
# Six members as they wrote their hours; three to a track, so each track is a trio.
CLUB = [
    ("lara", "ml-fundamentals", NY, "both", "7-9pm mon wed, sat 9-5, sun 9-5"),
    ("priya", "ml-fundamentals", KOLKATA, "interviewee", "weeknights 8-11pm, weekends 7.30pm-10pm"),
    ("lucy", "ml-fundamentals", LONDON, "both", "every day 7-8pm, sat 10-4, sun 9-5"),
    ("omar", "coding", NY, "interviewer", "weeknights 8-10pm, sat 10-2, sun 10-2"),
    ("ines", "coding", LONDON, "interviewee", "mon 6.30pm-8pm, sat-sun 2pm-6pm"),
    ("kai", "coding", KOLKATA, "both", "evenings, sat 18h-22h"),
]


def _u(name: str) -> User:
    return User(id=name, name=name)


def last_pairing_dm(club, user_id: str):
    """The last pairing DM to `user_id`; an interviewer's model answers come after it."""
    told = [m for u, m in club.poster.dms if u == user_id]
    return [m for m in told if not m.title.startswith("Model answers")][-1]


async def _join(club, name, track, zone_name, role, hours):
    answer = await club.run(
        f'/mockpair join track:{track} level:3 availability:"{hours}" role:{role} '
        f'timezone:"{zone_name}"',
        as_user=_u(name),
    )
    assert answer.text.startswith("You're in."), answer.text
    return answer


async def _club_id(club) -> int:
    return (await club.runtime.store.clubs.all())[0].id


def _fields(message) -> dict[str, str]:
    return {f.name: plain(f.value) for f in message.fields}


def _asked(value: str) -> list[str]:
    """The question titles in a 'Questions to ask' field."""
    return [line[2:].split(":")[0] for line in value.splitlines() if line.startswith("• ")]


async def test_six_members_in_three_zones_over_six_weeks(club):
    await club.run(SETUP, as_user=ADMIN)
    for row in CLUB:
        answer = await _join(club, *row)
        if "sun 9-5" in row[4]:
            assert "Sun 09:00-17:00" in answer.text
            assert "`9-5` as 09:00-17:00" in answer.text
    until = club.clock.now() + timedelta(weeks=6)
    await club.runtime.scheduler.run_until(club.clock, until)
    store = club.runtime.store
    groups = await store.repo(PairingStore).groups(await _club_id(club))
    members = {m.user_id: m for m in await store.repo(PairingStore).members(await _club_id(club))}
    by_week = defaultdict(list)
    for group in groups:
        by_week[group.week_of].append(group)
    assert len(by_week) == 6
    dms = defaultdict(list)
    for user_id, message in club.poster.dms:
        if not message.title.startswith("Model answers"):  # the interviewer's second DM
            dms[user_id].append(message)
    heard: dict[str, set[str]] = defaultdict(set)
    for week_number, week in enumerate(sorted(by_week)):
        assert sorted(len(g.members) for g in by_week[week]) == [3, 3], week
        # Each member's DM of this week, read as they get it.
        told = {m: _fields(dms[m][week_number]) for m in members}
        for group in by_week[week]:
            asked: dict[str, list[str]] = {}
            for member_id in group.members:
                fields, member = told[member_id], members[member_id]
                turns = fields["Who interviews whom"]
                if member.role == "interviewee":
                    assert "You interview" not in turns, (week, member_id, turns)
                    assert not any(name.startswith("Questions") for name in fields)
                for name, value in fields.items():
                    if name.startswith("Questions to ask "):
                        asked[name.removeprefix("Questions to ask ")] = _asked(value)
                # Every time told leaves 12 hours' notice and is inside everyone's hours.
                times = group_times(group)
                assert 1 <= len(times) <= 3
                said = [line[2:] for line in fields["Times you all have"].splitlines()]
                assert said == [describe_time(t, member.timezone) for t in times]
                for at in times:
                    assert at >= group.ran_at + timedelta(hours=12)
                    for other in group.members:
                        blocks = parse_availability(members[other].availability)
                        assert _inside(blocks, members[other].timezone, at), (other, at)
            for answerer, questions in asked.items():
                assert questions, (week, answerer)
                assert not set(questions) & heard[answerer], (week, answerer, questions)
            # Everyone in the session hears every question asked in it.
            for member_id in group.members:
                heard[member_id] |= {q for qs in asked.values() for q in qs}
    # Nobody sat in more trios than the others by more than the trios allow (all do here).
    assert {m.trio_count for m in members.values()} == {6}


async def test_an_interviewee_paired_with_a_both_only_answers(club):
    """The issue's case: role:interviewee with a partner who says both was told to interview."""
    await club.run(SETUP, as_user=ADMIN)
    await _join(club, "ann", "coding", NY, "interviewee", "daily 9-22")
    await _join(club, "bob", "coding", NY, "both", "daily 9-22")
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    ann = _fields(last_pairing_dm(club, "ann"))
    bob = _fields(last_pairing_dm(club, "bob"))
    assert ann["Who interviews whom"] == f"{mention('bob')} interviews you."
    assert bob["Who interviews whom"] == f"You interview {mention('ann')}."
    assert "Questions to ask ann" in bob
    assert not any(name.startswith("Questions") for name in ann)
    assert "When you're interviewed" in ann
    assert "When you're interviewed" not in bob
    assert ann["Format"] == "One 50-minute interview; leave the last 10 minutes for feedback."


async def test_two_interviewees_are_not_a_session_and_are_told_why(club):
    await club.run(SETUP, as_user=ADMIN)
    await _join(club, "ann", "coding", NY, "interviewee", "daily 9-22")
    await _join(club, "cat", "coding", NY, "interviewee", "daily 9-22")
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    for name in ("ann", "cat"):
        message = [m for u, m in club.poster.dms if u == name][-1]
        assert message.title.startswith("No mock-interview partner this week")
        assert "only wants to be interviewed" in message.text
        assert "role:both" in message.text


async def test_status_names_the_round_that_will_run(club):
    """Joining on a Tuesday: Monday's round has passed without running (nobody had
    joined), so the next round is the following Monday's, as the preview says."""
    await club.run(SETUP, as_user=ADMIN)
    club.clock.set(datetime(2026, 11, 17, 15, 0, tzinfo=UTC))  # Tuesday
    await _join(club, "ann", "coding", NY, "both", "daily 9-22")
    await _join(club, "bob", "coding", LONDON, "both", "daily 9-22")
    status = _fields(await club.run("/mockpair status", as_user=_u("ann")))
    assert status["You"].endswith("active: in the round of 23 Nov")
    preview = await club.run("/admin mockpair preview", as_user=ADMIN)
    assert preview.title == "Pairing preview · week of 23 Nov"
    skipped = await club.run("/mockpair skip", as_user=_u("ann"))
    assert skipped.text.startswith("This week's round was due earlier this week")
    assert "you're back in the round of 30 Nov" in skipped.text
    # bob reads the round's time in his own zone, and each platform in the reader's.
    rounds = _fields(await club.run("/mockpair status", as_user=_u("bob")))["Rounds"]
    assert rounds == (
        "every Mon at 10:00 (America/New_York), the next Mon 23 Nov 2026, 15:00 GMT your time"
    )


async def test_joining_at_the_minute_a_round_was_skipped_names_next_weeks_round(club):
    """The demo's case: Monday 10:00, the round's own minute; nobody was in, so the
    scheduler has taken it up and skipped it. Joining then, the reply named that round
    (Mon 16 Nov) while /admin status said 23 Nov."""
    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.catch_up()  # what a start at 10:00 runs: the round, skipped
    joined = await _join(club, "kim", "coding", LONDON, "both", "tue-thu 23-24")
    assert "the next Mon 23 Nov 2026, 15:00 GMT your time" in plain(joined.text)
    status = _fields(await club.run("/mockpair status", as_user=_u("kim")))
    assert status["You"].endswith("active: in the round of 23 Nov")


async def test_a_question_heard_in_a_trio_is_not_asked_again(club):
    """The issue's case: lara asked priya two questions with lucy in the session; the week
    after, lara's questions for lucy included both."""
    await club.run(SETUP, as_user=ADMIN)
    for name, role in (("lara", "interviewer"), ("priya", "interviewee"), ("lucy", "both")):
        await _join(club, name, "ml-fundamentals", NY, role, "daily 9-22")
    store = club.runtime.store
    heard: dict[str, set[str]] = defaultdict(set)
    for week in range(4):
        await club.run("/admin mockpair run-now", as_user=ADMIN)
        (group,) = [
            g
            for g in await store.repo(PairingStore).groups(await _club_id(club))
            if g.week_of == max(g.week_of for g in await store.repo(PairingStore).groups(1))
        ]
        packs = {
            m: set(await store.repo(PairingStore).pack(await _club_id(club), group.id, m))
            for m in group.members
        }
        for member, questions in packs.items():
            assert not questions & heard[member], (week, member)
        for member in group.members:
            heard[member] |= set().union(*packs.values())
        club.clock.advance(timedelta(weeks=1))


# --- the weeks the clocks change ------------------------------------------------------------


async def _only_then(club, monday, rows):
    club.clock.set(monday)
    await club.run(SETUP.replace("America/New_York", "Europe/London"), as_user=ADMIN)
    for n, (zone_name, hours) in enumerate(rows):
        await _join(club, f"m{n}", "coding", zone_name, "both", hours)
    ran = await club.run("/admin mockpair run-now", as_user=ADMIN)
    assert ran.text.startswith("This week's round is out"), ran.text
    return await club.runtime.store.repo(PairingStore).groups(await _club_id(club))


def _told_times(club, user_id):
    message = last_pairing_dm(club, user_id)
    assert "no common hour" not in message.text, (user_id, message.text)
    return _fields(message)["Times you both have"]


async def test_london_clocks_going_forward_the_last_half_hour_before_counts(club):
    """28 March 2027, 01:00 GMT becomes 02:00 BST: London's "sun 0:00-1:00" lost its
    00:30, the one half hour a New York member free Saturday 20:30-21:00 shares with it,
    and they were told "no common hour with anyone"."""
    rows = [("America/New_York", "sat 8:30pm-9pm")] + [("Europe/London", "sun 0:00-1:00")] * 5
    groups = await _only_then(club, datetime(2027, 3, 22, 10, 0, tzinfo=UTC), rows)
    assert sorted(len(g.members) for g in groups) == [2, 2, 2]
    assert _told_times(club, "m0") == "• Sat 27 Mar 20:30 EDT"
    (partner,) = [m for g in groups if "m0" in g.members for m in g.members if m != "m0"]
    assert _told_times(club, partner) == "• Sun 28 Mar 00:30 GMT"


async def test_berlin_clocks_going_back_the_first_pass_of_the_repeated_hour_counts(club):
    """25 October 2026, 03:00 CEST becomes 02:00 CET: Berlin's "sun 2:30-3:00" happens
    twice; the first time (00:30 UTC, Saturday 20:30 in New York) was lost."""
    rows = [("America/New_York", "sat 8:30pm-9pm")] + [("Europe/Berlin", "sun 2:30-3")] * 5
    groups = await _only_then(club, datetime(2026, 10, 19, 9, 0, tzinfo=UTC), rows)
    assert sorted(len(g.members) for g in groups) == [2, 2, 2]
    assert _told_times(club, "m0") == "• Sat 24 Oct 20:30 EDT"
    (partner,) = [m for g in groups if "m0" in g.members for m in g.members if m != "m0"]
    assert _told_times(club, partner) == "• Sun 25 Oct 02:30 CEST"
    others = [g for g in groups if "m0" not in g.members]
    for group in others:  # two Berliners: both passes of 02:30, on one local day
        (at,) = group_times(group)
        assert describe_time(at, "Europe/Berlin") == "Sun 25 Oct 02:30 CEST"
