"""The officers' commands read less than they used to, and find the same: the notes after
a moved time read the claims of both days in one statement (and none for a day whose hint
has passed), and the daily post counts the history from one row per club. Each is checked
against the reads it replaced, on random data, on each backend."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, timedelta

from bot.problems.bank import load_bank
from bot.problems.posts import DAILY, HINT, SOLUTION, club_choice, hint_due, notes_after_moving
from bot.problems.posts import problem_settings as settings_of
from bot.problems.store import ProblemStore
from bot.store.claims import CLAIMED, FAILED, POSTED, SKIPPED, ClaimKey
from bot.store.clubs import Club
from bot.store.store import Store

START = datetime(2026, 9, 1, 14, 0, tzinfo=UTC)
TODAY = date(2026, 11, 17)
STATUSES = (None, CLAIMED, POSTED, FAILED, SKIPPED)


async def _old_notes(store: Store, club: Club, now: datetime) -> list[str]:
    """The oracle: each day's three claims read by key, as the notes were made before."""
    from bot.club_time import local, moment

    settings, zone_name = settings_of(club), club.timezone
    notes = []
    today = local(now, zone_name).date()
    for day in (today - timedelta(days=1), today):
        keys = {
            kind: ClaimKey(club_id=club.id, kind=kind, occurrence=on.isoformat())
            for kind, on in ((DAILY, day), (HINT, day), (SOLUTION, day + timedelta(days=1)))
        }
        claims = await store.claims.get_many(keys.values())
        post = claims.get(keys[DAILY])
        if post is None or post.status != POSTED or keys[HINT] in claims:
            continue
        hint = hint_due(settings, day, zone_name)
        if hint > now and keys[SOLUTION] not in claims:
            notes.append(f"{day:%a %d %b}'s hint now goes out at {moment(hint, zone_name, 't')}.")
    return notes


async def _set_claim(store: Store, key: ClaimKey, status: str | None) -> None:
    if status is None:
        return
    await store.claims.claim(key, due_at=START, owner="test", now=START)
    if status != CLAIMED:
        await store.claims.finish(key, status=status, now=START)


async def test_the_notes_after_a_move_are_what_each_days_claims_say(store: Store) -> None:
    rng = random.Random(7)
    noted = 0
    for n in range(24):
        made = await store.clubs.get_or_create(
            platform="console", workspace_id=f"n{n}", name=f"n{n}", now=START
        )
        zone_name = rng.choice(["America/New_York", "Asia/Kolkata", "UTC"])
        hhmm, delay = rng.choice(["06:00", "09:00", "13:30", "20:00"]), rng.choice(["1h", "6h"])
        club = dataclasses.replace(
            made,
            timezone=zone_name,
            settings={"problem_time": hhmm, "problem_hint_delay": delay},
        )
        # Every key either day reads, and keys of the same kinds and days it must not
        # take for them (the hint and the post of tomorrow, the key idea of yesterday).
        for kind, offset in (
            (DAILY, -1),
            (DAILY, 0),
            (HINT, -1),
            (HINT, 0),
            (SOLUTION, 0),
            (SOLUTION, 1),
            (DAILY, 1),
            (HINT, 1),
            (SOLUTION, -1),
        ):
            # Posted posts and no hint or key idea yet more often than not: notes come out.
            if kind == DAILY:
                status = POSTED if rng.random() < 0.7 else rng.choice(STATUSES)
            else:
                status = None if rng.random() < 0.6 else rng.choice(STATUSES)
            occurrence = (TODAY + timedelta(days=offset)).isoformat()
            await _set_claim(
                store, ClaimKey(club_id=club.id, kind=kind, occurrence=occurrence), status
            )
        for hour in range(0, 48, 3):
            now = datetime.combine(TODAY - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
            now += timedelta(hours=hour, minutes=rng.randrange(60))
            expected = await _old_notes(store, club, now)
            assert await notes_after_moving(store, club, now, []) == expected, (n, now)
            noted += len(expected)
    assert noted > 10, "the data gives notes to compare"


async def test_the_daily_choice_from_the_counted_history_is_the_one_from_every_post(
    store: Store,
) -> None:
    """Random histories of real problems with repeats and gaps, another club's posts
    between: the counts and the day's post are those of the separate reads, and the day's
    choice from the counts is the one from the list of every post before the day."""
    rng, bank = random.Random(11), load_bank()
    ids = [p.id for p in bank.problems]
    clubs = [
        (
            await store.clubs.get_or_create(
                platform="console", workspace_id=f"h{n}", name=f"h{n}", now=START
            )
        )
        for n in range(4)
    ]
    repo = store.repo(ProblemStore)
    first = TODAY - timedelta(days=200)
    for n, club in enumerate(clubs[1:]):  # the first club has posted nothing
        favourites = rng.sample(ids, 5 + 20 * n)  # few problems: many repeats
        for offset in range(200):
            if rng.random() < 0.85:
                day = first + timedelta(days=offset)
                problem = rng.choice(favourites)
                cycle = rng.randint(1, 3)
                await repo.record_post(club.id, day=day, problem_id=problem, cycle=cycle, now=START)
    for _ in range(30):
        days = {c.id: first + timedelta(days=rng.randrange(-2, 203)) for c in clubs}
        posts, counts = await repo.posts_and_counts(days)
        before = {c: d - timedelta(days=1) for c, d in days.items()}
        assert (posts, counts) == (await repo.posts_on(days), await repo.post_counts(before))
        for club in clubs:
            day = days[club.id]
            every = [p.problem_id for p in await repo.posts(club.id, until=day - timedelta(1))]
            assert sorted(counts[club.id].elements()) == sorted(every)
            assert club_choice(club, bank, day, counts[club.id]) == club_choice(
                club, bank, day, every
            )
