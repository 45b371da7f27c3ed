"""/problem reads the current post with its hint's state, and /solved the problem it counts
with the member's solves, each in one query: what those reads find is what the separate
reads (the club's posts, its claims, the member's solves) find, on awkward data: a skipped
day, a post after the day asked about, no solves, other members' and other clubs' rows, a
problem merged under a new id; and /solved's streak and points are the ones the member's
solves give, whichever zone the club has moved to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event

from bot.problems.bank import load_bank
from bot.problems.posts import DAILY, HINT
from bot.problems.store import ProblemPost, ProblemStore, SolveRecord
from bot.store.claims import FAILED, POSTED, SKIPPED, ClaimKey
from bot.store.store import Store
from tests.conftest import ADMIN, MEMBER, SETUP, Club

START = datetime(2026, 9, 1, 14, 0, tzinfo=UTC)
# Tuesday 17 November 2026, 09:00 in New York: the first post after SETUP on Monday 10:00.
FIRST_POST = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
DAY = date(2026, 9, 1)


async def _clubs(store: Store) -> tuple[int, int]:
    made = [
        await store.clubs.get_or_create(platform="console", workspace_id=w, name=w, now=START)
        for w in ("w1", "w2")
    ]
    return made[0].id, made[1].id


def _solve(user: str, problem: str, day: date, hour: int = 0) -> SolveRecord:
    return SolveRecord(
        user_id=user,
        name=user.title(),
        problem_id=problem,
        difficulty="medium",
        day=day,
        solved_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour),
    )


async def _post(repo: ProblemStore, club_id: int, day: date, problem: str) -> None:
    await repo.record_post(club_id, day=day, problem_id=problem, cycle=1, now=START)


async def test_the_one_read_finds_what_the_separate_reads_find(store):
    club, other = await _clubs(store)
    repo = store.repo(ProblemStore)
    assert await repo.latest_post_and_solves(club, "sam", until=DAY) == (None, [])
    assert await repo.posted_and_solves(club, "sam", {"p1"}, until=DAY) == (False, [])
    # Posts on days 0, 1 and 3 (day 2 skipped), and one on day 5, after the days asked.
    for offset, problem in ((0, "p0"), (1, "p1"), (3, "p3"), (5, "p5")):
        await _post(repo, club, DAY + timedelta(days=offset), problem)
    await _post(repo, other, DAY + timedelta(days=4), "p4")
    # sam solves out of time order across the gap; kim and another club's sam too.
    for club_id, solve in (
        (club, _solve("sam", "p3", DAY + timedelta(days=3), 2)),
        (club, _solve("sam", "p0", DAY + timedelta(days=2), 9)),
        (club, _solve("sam", "p1", DAY + timedelta(days=2), 1)),
        (club, _solve("kim", "p1", DAY + timedelta(days=1))),
        (other, _solve("sam", "p4", DAY + timedelta(days=4))),
    ):
        await repo.record_solve(club_id, solve)
    for user in ("sam", "kim", "lee"):
        mine = await repo.solves(club, user_id=user)
        for offset in range(-1, 7):
            until = DAY + timedelta(days=offset)
            posts = await repo.posts(club, until=until)
            latest = posts[-1] if posts else None
            expected = (latest, mine if latest else [])
            assert await repo.latest_post_and_solves(club, user, until=until) == expected
            for ids in ({"p1"}, {"p3", "p5"}, {"p4"}, {"p5"}, {"old-id", "p0"}):
                posted = any(p.problem_id in ids for p in posts)
                found = await repo.posted_and_solves(club, user, ids, until=until)
                assert found == (posted, mine), (user, until, ids)
    assert (await repo.latest_post_and_solves(club, "sam", until=DAY + timedelta(days=2)))[
        0
    ] == ProblemPost(day=DAY + timedelta(days=1), problem_id="p1", cycle=1)


async def test_the_post_and_its_hint_claim_are_what_the_two_reads_find(store):
    club, other = await _clubs(store)
    repo = store.repo(ProblemStore)
    assert await repo.latest_post_and_claim(club, until=DAY, kind=HINT) == (None, None)
    for offset, problem in ((0, "p0"), (1, "p1"), (3, "p3"), (5, "p5")):
        await _post(repo, club, DAY + timedelta(days=offset), problem)
    # Hint claims: day 0 posted, day 1 failed, day 2 (no post) skipped, day 5 none; the
    # daily post's own claims, and another club's hint of day 3.
    for club_id, kind, offset, status in (
        (club, HINT, 0, POSTED),
        (club, HINT, 1, FAILED),
        (club, HINT, 2, SKIPPED),
        (club, DAILY, 3, POSTED),
        (club, DAILY, 5, POSTED),
        (other, HINT, 3, POSTED),
    ):
        key = ClaimKey(
            club_id=club_id, kind=kind, occurrence=(DAY + timedelta(days=offset)).isoformat()
        )
        await store.claims.claim(key, due_at=START, owner="test", now=START)
        await store.claims.finish(key, status=status, now=START)
    for offset in range(-1, 7):
        until = DAY + timedelta(days=offset)
        posts = await repo.posts(club, until=until)
        latest = posts[-1] if posts else None
        status = None
        if latest is not None:
            key = ClaimKey(club_id=club, kind=HINT, occurrence=latest.day.isoformat())
            claim = (await store.claims.get_many([key])).get(key)
            status = claim.status if claim else None
        assert await repo.latest_post_and_claim(club, until=until, kind=HINT) == (latest, status)
    assert await repo.latest_post_and_claim(club, until=DAY + timedelta(days=2), kind=HINT) == (
        ProblemPost(day=DAY + timedelta(days=1), problem_id="p1", cycle=1),
        FAILED,
    )


async def test_a_days_post_and_the_history_before_it_are_what_the_two_reads_find(store):
    """Clubs on different days, one with its day's post recorded, problems posted twice (a
    second cycle), posts after a club's day, a club with no posts at all."""
    first, second = await _clubs(store)
    third = (
        await store.clubs.get_or_create(platform="console", workspace_id="w3", name="w3", now=START)
    ).id
    repo = store.repo(ProblemStore)
    for club_id, offset, problem, cycle in (
        (first, 0, "p0", 1),
        (first, 1, "p1", 1),
        (first, 2, "p0", 2),
        (first, 4, "p1", 2),
        (first, 6, "p2", 1),
        (second, 1, "p0", 1),
        (second, 3, "p3", 1),
        (second, 4, "p0", 2),
    ):
        day = DAY + timedelta(days=offset)
        await repo.record_post(club_id, day=day, problem_id=problem, cycle=cycle, now=START)
    for first_day, second_day in ((4, 4), (4, 3), (5, 2), (0, 9), (-1, 1)):
        days = {
            first: DAY + timedelta(days=first_day),
            second: DAY + timedelta(days=second_day),
            third: DAY,
        }
        before = {c: d - timedelta(days=1) for c, d in days.items()}
        expected = (await repo.posts_on(days), await repo.post_counts(before))
        assert await repo.posts_and_counts(days) == expected, days
    posts, counts = await repo.posts_and_counts({first: DAY + timedelta(days=4), third: DAY})
    assert posts == {first: ProblemPost(day=DAY + timedelta(days=4), problem_id="p1", cycle=2)}
    assert counts == {first: {"p0": 2, "p1": 1}, third: {}}


@contextmanager
def _statements_on_solves(club: Club) -> Iterator[list[str]]:
    """The statements run meanwhile that touch the posts, their claims, the solves or their
    totals."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if any(table in statement for table in ("solve", "problem_posts", "claims")):
            seen.append(" ".join(statement.split())[:60])

    engine = club.runtime.store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def _posts(club: Club) -> list[ProblemPost]:
    club_id = (await club.runtime.store.clubs.all())[0].id
    return await club.runtime.store.repo(ProblemStore).posts(club_id)


async def test_problem_reads_once_and_tells_the_hint_is_out(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST + timedelta(hours=7))
    with _statements_on_solves(club) as statements:
        today = await club.run("/problem", as_user=MEMBER)
    assert today.text.endswith("The hint is in the thread; the key idea tomorrow."), today.text
    assert len(statements) == 1, statements


async def test_solved_reads_once_and_writes_only_a_first_solve(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST)
    problem = load_bank().by_id((await _posts(club))[-1].problem_id)
    assert problem is not None
    with _statements_on_solves(club) as statements:
        first = await club.run("/solved", as_user=MEMBER)
    assert first.text.startswith(f"Counted: {problem.title}")
    assert len(statements) == 3, statements  # the read; the solve and the running total
    with _statements_on_solves(club) as statements:
        again = await club.run(f"/solved problem:{problem.id}", as_user=MEMBER)
    assert again.text.startswith(f"You already solved {problem.title}; it counts once.")
    assert len(statements) == 1, statements


async def test_the_streak_runs_across_a_skipped_day_and_a_move_to_another_zone(club):
    """Tuesday's problem solved on Thursday, a day the club skipped; on Friday evening the
    club moves from New York to Tokyo and solves Saturday's there: four days running."""
    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST + timedelta(days=1))
    tuesday, wednesday = await _posts(club)
    answer = await club.run("/solved", as_user=MEMBER)
    assert answer.text.endswith(
        "Streak: 1 day (best 1). 1 solved, 3 points. 1/75 toward the 75-100 problem target."
    )
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST + timedelta(days=2, hours=-2))
    assert (await club.run("/admin problem skip", as_user=ADMIN)).text.startswith("Skipped")
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST + timedelta(days=2, hours=3))
    assert await _posts(club) == [tuesday, wednesday]
    again = await club.run("/solved", as_user=MEMBER)  # Wednesday's is the latest
    assert again.text.startswith("You already solved")
    assert "Streak: 1 day (best 1)." in again.text
    thursday = await club.run(f"/solved problem:{tuesday.problem_id}", as_user=MEMBER)
    assert "Streak: 2 days (best 2). 2 solved, 4 points." in thursday.text
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST + timedelta(days=3))
    friday = await club.run("/solved", as_user=MEMBER)
    assert "Streak: 3 days (best 3). 3 solved" in friday.text
    await club.run("/admin setup timezone:Asia/Tokyo", as_user=ADMIN)  # 23:00 there
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST + timedelta(days=3, hours=11))
    saturday = await club.run("/solved", as_user=MEMBER)
    assert saturday.text.startswith("Counted:"), saturday.text
    assert "Streak: 4 days (best 4). 4 solved" in saturday.text


async def test_post_now_reads_the_days_post_and_history_once(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST + timedelta(days=3))
    club.clock.advance(timedelta(hours=20))  # Saturday 05:00, before its post
    with _statements_on_solves(club) as statements:
        answer = await club.run("/admin problem post-now", as_user=ADMIN)
    assert answer.text == "Posted today's problem."
    on_posts = [s for s in statements if "problem_posts" in s]
    assert len(on_posts) == 2, on_posts  # the read, the new post
    assert len(await _posts(club)) == 5
