"""The question packs of a round keep clear of the club's daily problems: no interviewer is
handed (with its model answer) a problem the club has just posted and members are still
solving, or one it will post while the round's sessions are still ahead."""

from __future__ import annotations

from datetime import timedelta

from bot.club_time import local
from bot.model import User
from bot.pairing.hours import WEEK, round_start
from bot.pairing.store import Group, PairingStore
from bot.problems.bank import load_bank
from bot.problems.posts import SOLUTION
from bot.problems.store import ProblemStore, SolveRecord
from bot.store.claims import POSTED, ClaimKey
from tests.conftest import ADMIN, MONDAY, SETUP


def _u(name: str) -> User:
    return User(id=name, name=name)


async def _join(club, name: str, level: int, availability: str, zone: str) -> None:
    answer = await club.run(
        f'/mockpair join track:coding level:{level} availability:"{availability}" timezone:{zone}',
        as_user=_u(name),
    )
    assert answer.text.startswith("You're in."), answer.text


async def test_a_pack_holds_no_daily_problem_posted_that_morning_or_due_that_week(club):
    """The club posts only its `tries` coding problems (four medium, one hard), one a day;
    bob has solved every other medium problem but one. Monday's round goes out an hour
    after Monday's post, whose key idea comes on Tuesday: ann is to ask bob only the one
    problem left, none of the tries problems, of which one was posted that morning and
    the others will be before their week is out."""
    club.clock.set(MONDAY - timedelta(hours=2))  # Monday 08:00 in New York
    await club.run(SETUP, as_user=ADMIN)
    await club.run('/admin problem settings mix:"coding daily" topics:tries', as_user=ADMIN)
    await _join(club, "ann", 3, "daily 9-22", "America/New_York")
    await _join(club, "bob", 3, "daily 9-22", "Europe/London")
    medium = load_bank().select(kind="coding", difficulty="medium")
    tries = {p.id for p in medium if "tries" in p.topics}
    left, *others = [p for p in medium if p.id not in tries]
    store = club.runtime.store
    club_id = (await store.clubs.all())[0].id
    for problem in others:
        solve = SolveRecord(
            user_id="bob",
            name="bob",
            problem_id=problem.id,
            difficulty=problem.difficulty,
            day=MONDAY.date() - timedelta(days=30),
            solved_at=MONDAY - timedelta(days=30),
        )
        await store.repo(ProblemStore).record_solve(club_id, solve)

    await club.runtime.scheduler.run_until(club.clock, MONDAY + timedelta(minutes=1))
    (group,) = await store.repo(PairingStore).groups(club_id)
    assert await store.repo(PairingStore).pack(club_id, group.id, "bob") == [left.id]
    await club.runtime.scheduler.run_until(club.clock, MONDAY + timedelta(days=7))
    posted = await store.repo(ProblemStore).posts(club_id)
    assert [p.day.day for p in posted] == list(range(16, 24))  # Monday to Monday 09:00
    assert tries <= {p.problem_id for p in posted}, "every tries problem came that week"


MEMBERS = [  # coding at every level, so every difficulty of the daily ramp meets a pack
    ("ny1", "coding", 1, "America/New_York", "weekdays 6pm-10pm"),
    ("ny2", "coding", 2, "America/New_York", "daily 8-22"),
    ("la1", "coding", 3, "America/Los_Angeles", "weekdays 3pm-7pm"),
    ("ld1", "coding", 3, "Europe/London", "daily 18-23"),
    ("ld2", "coding", 4, "Europe/London", "daily 8-22"),
    ("kl1", "coding", 4, "Asia/Kolkata", "daily 6-12"),
    ("kl2", "coding", 5, "Asia/Kolkata", "daily 7-23"),
    ("sy1", "coding", 5, "Australia/Sydney", "daily 7-11"),
    ("ny3", "coding", 5, "America/New_York", "daily 8-22"),
    ("m1", "ml-fundamentals", 3, "Europe/London", "daily 9-22"),
    ("m2", "ml-fundamentals", 3, "Asia/Kolkata", "daily 9-22"),
    ("m3", "ml-fundamentals", 3, "America/New_York", "daily 9-22"),
]


async def test_no_pack_of_a_running_round_holds_a_daily_problem_whose_key_idea_is_not_out(club):
    """Four weeks of a club posting a coding problem every day (ML on Tuesdays) and pairing
    members in five zones every Monday, looked at every five hours: no pack of a round
    whose seven days are still running holds a problem the club posted whose key idea is
    not out yet; and, once played, no pack holds a daily problem of the week before its
    round or of its own seven days."""
    club.clock.set(MONDAY - timedelta(hours=2))  # Monday 08:00 in New York
    await club.run(SETUP, as_user=ADMIN)
    await club.run('/admin problem settings mix:"coding daily, ml tue"', as_user=ADMIN)
    for name, track, level, zone, hours in MEMBERS:
        await club.run(
            f'/mockpair join track:{track} level:{level} availability:"{hours}" timezone:{zone}',
            as_user=_u(name),
        )
    store = club.runtime.store
    club_id = (await store.clubs.all())[0].id
    repo = store.repo(PairingStore)
    end, looked = MONDAY + timedelta(weeks=4), 0
    while club.clock.now() < end:
        await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(hours=5))
        unrevealed = await _key_idea_not_out(store, club_id)
        for group, pack in await _packs(repo, club_id):
            if club.clock.now() < round_start(group.ran_at) + WEEK:
                assert not set(pack) & unrevealed, (club.clock.now(), group.members, pack)
                looked += bool(pack)
    assert looked > 100, "packs were looked at while their rounds ran"
    posts = await store.repo(ProblemStore).posts(club_id)
    rounds = [(group, pack) for group, pack in await _packs(repo, club_id, rounds=None)]
    assert len({group.week_of for group, _ in rounds}) == 5  # Monday 16 Nov to 14 Dec
    for group, pack in rounds:
        first = local(group.ran_at, NEW_YORK).date() - timedelta(days=7)
        last = local(round_start(group.ran_at) + WEEK, NEW_YORK).date()
        around = {p.problem_id for p in posts if first <= p.day <= last}
        assert not set(pack) & around, (group.week_of, group.members, pack)


NEW_YORK = "America/New_York"


async def _packs(repo, club_id: int, *, rounds: int | None = 1) -> list[tuple[Group, list[str]]]:
    """Each interviewee's pack of the club's latest rounds, with their group."""
    groups = await repo.groups(club_id, limit_rounds=rounds)
    packs = await repo.packs(club_id, [g.id for g in groups])
    by_id = {g.id: g for g in groups}
    return [(by_id[group_id], pack) for (group_id, _), pack in packs.items()]


async def _key_idea_not_out(store, club_id: int) -> set[str]:
    """The problems the club has posted whose key idea has not been posted in the thread."""
    posts = await store.repo(ProblemStore).posts(club_id)
    keys = {
        p.problem_id: ClaimKey(
            club_id=club_id, kind=SOLUTION, occurrence=(p.day + timedelta(days=1)).isoformat()
        )
        for p in posts
    }
    claims = await store.claims.get_many(keys.values())
    return {
        problem_id
        for problem_id, key in keys.items()
        if key not in claims or claims[key].status != POSTED
    }
