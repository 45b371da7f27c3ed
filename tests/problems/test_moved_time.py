"""An officer moves the daily problem's time: each day the club posts on still gets its one
problem post, whether the time moves earlier or later, before or after the day's post.

Moved earlier to a time that has passed, before the day's post went out, the day's problem
goes out at the change (late, saying so, past the grace), and never a second time. The week
of moves at the end is played against an oracle that knows only the times set and when."""

from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.model import Message, Place, plain
from bot.posting import PostKey
from bot.runtime import open_runtime
from tests.conftest import ADMIN, MONDAY, SETUP, Club, RecordingPoster


def _problems(club: Club) -> list[Message]:
    return [m for m in club.poster.messages("daily-problem") if m.title.startswith("Daily problem")]


def _days(club: Club) -> list[str]:
    """The day each problem post is for, in order, e.g. 'Tue 17 Nov'."""
    return [m.title.split(" · ")[1].split(":")[0] for m in _problems(club)]


async def _at(club: Club, iso: str) -> None:
    await club.runtime.scheduler.run_until(club.clock, datetime.fromisoformat(iso).astimezone(UTC))


async def _move(club: Club, to: str) -> str:
    return (await club.run(f"/admin problem settings time:{to}", as_user=ADMIN)).text


async def test_moved_earlier_past_now_before_the_post_the_days_problem_goes_out_at_once(club):
    await club.run(SETUP, as_user=ADMIN)  # Monday 10:00 in New York; the problem is at 09:00
    await _at(club, "2026-11-17T08:30-05:00")
    assert _days(club) == []

    said = await _move(club, "8am")

    assert _days(club) == ["Tue 17 Nov"]
    assert "Posted late" not in _problems(club)[0].text, "08:00 is inside the grace"
    assert "Tue 17 Nov's problem went out now: its new time had passed." in said
    await _move(club, "7am")
    await _move(club, "11am")
    await _at(club, "2026-11-18T12:00-05:00")
    assert _days(club) == ["Tue 17 Nov", "Wed 18 Nov"], "once on Tuesday, at 11:00 on Wednesday"


async def test_moved_earlier_by_more_than_the_grace_it_goes_out_late_saying_so(club):
    await club.run(SETUP, as_user=ADMIN)
    await _move(club, "11am")
    await _at(club, "2026-11-17T10:30-05:00")

    await _move(club, "8am")

    assert _days(club) == ["Mon 16 Nov", "Tue 17 Nov"]
    post = _problems(club)[-1]
    assert plain(post.text).startswith("Posted late: this was due Tue 17 Nov 2026, 08:00 EST.")
    assert "Hint in the thread at 14:00 EST" in plain(post.text)


async def test_moved_after_the_days_post_went_out_nothing_is_posted_again(club):
    await club.run(SETUP, as_user=ADMIN)
    await _at(club, "2026-11-17T09:30-05:00")
    assert _days(club) == ["Tue 17 Nov"]

    for to in ("8am", "9:15am", "6am", "11pm"):
        said = await _move(club, to)
        assert "went out now" not in said

    assert _days(club) == ["Tue 17 Nov"]
    await _at(club, "2026-11-18T23:30-05:00")
    assert _days(club) == ["Tue 17 Nov", "Wed 18 Nov"]


async def test_a_channel_set_after_the_problem_time_starts_the_next_day(club):
    """The job had nowhere to post before: today's 09:00 was never coming."""
    await club.run("/admin setup timezone:America/New_York", as_user=ADMIN)
    await club.run("/admin setup problems:#daily-problem", as_user=ADMIN)  # Monday 10:00
    await _move(club, "8am")
    await _at(club, "2026-11-17T10:00-05:00")
    assert _days(club) == ["Tue 17 Nov"]


# --- a week of moves --------------------------------------------------------------------

NY = ZoneInfo("America/New_York")
PROBLEMS_ONLY = "/admin setup timezone:America/New_York problems:#daily-problem"
# Set up on Monday 16 November at 10:00 (its 09:00 had passed); moves from Tuesday 00:00.
TUESDAY = datetime(2026, 11, 17, tzinfo=NY)
DAYS = [(TUESDAY + timedelta(days=n)).date() for n in range(5)]  # Tuesday to Saturday
END = TUESDAY + timedelta(days=5)

# (minutes after Tuesday 00:00 the officer moves the time, the new time in minutes of the day)
Move = tuple[int, int]
MOVES = st.lists(
    st.tuples(st.integers(0, 5 * 24 * 60 - 1), st.integers(0, 24 * 4 - 1).map(lambda q: 15 * q)),
    max_size=8,
).map(sorted)


def _first_due(day: date, moves: list[Move]) -> datetime:
    """The oracle: the day's problem goes out at the first moment its run is due under the
    time in force then, each time in force from its move to the next (both included)."""
    starts = [MONDAY, *(TUESDAY + timedelta(minutes=at) for at, _ in moves)]
    times = [9 * 60, *(minutes for _, minutes in moves)]
    ends = [*starts[1:], END]
    due = [datetime.combine(day, time(m // 60, m % 60), NY) for m in times]
    return min(max(s, d) for s, d, e in zip(starts, due, ends, strict=True) if max(s, d) <= e)


async def _play_moves(club: Club, moves: list[Move]) -> dict[date, list[datetime]]:
    """The week played: when each day's problem post went out, by the day it is for."""
    sent: dict[date, list[datetime]] = defaultdict(list)
    post = club.poster.post

    async def timed(place: Place, message: Message, key: PostKey | None = None) -> str:
        if message.title.startswith("Daily problem"):
            day = datetime.strptime(message.title.split(" · ")[1][:10] + " 2026", "%a %d %b %Y")
            sent[day.date()].append(club.clock.now().astimezone(NY))
        return await post(place, message, key=key)

    club.poster.post = timed
    await club.run(PROBLEMS_ONLY, as_user=ADMIN)
    for at, minutes in moves:
        await _at(club, (TUESDAY + timedelta(minutes=at)).isoformat())
        await _move(club, f"{minutes // 60:02d}:{minutes % 60:02d}")
    await _at(club, END.isoformat())
    return sent


def _check(sent: dict[date, list[datetime]], moves: list[Move]) -> None:
    assert date(2026, 11, 16) not in sent, "set up after Monday's 09:00"
    for day in DAYS:
        assert sent[day] == [_first_due(day, moves)], (day, moves)


# Earlier and later, before and after the day's post, across midnight both ways.
A_WEEK: list[Move] = [
    (8 * 60 + 30, 8 * 60),  # Tuesday 08:30: 08:00, passed; Tuesday's goes out now
    (9 * 60 + 30, 7 * 60),  # 09:30: 07:00; Tuesday's is out
    (24 * 60 + 6 * 60, 10 * 60),  # Wednesday 06:00: 10:00, later, before the post
    (24 * 60 + 11 * 60, 9 * 60),  # 11:00: 09:00, after it
    (2 * 24 * 60 + 8 * 60, 23 * 60),  # Thursday 08:00: 23:00
    (2 * 24 * 60 + 22 * 60, 60),  # 22:00: 01:00, passed; Thursday's goes out now, late
    (3 * 24 * 60 + 30, 23 * 60 + 30),  # Friday 00:30: 23:30, Friday's 01:00 not come yet
    (3 * 24 * 60 + 23 * 60, 12 * 60),  # 23:00: 12:00, passed; Friday's goes out now, late
]


async def test_a_week_of_moves_posts_each_day_once_at_the_first_moment_it_is_due(club):
    sent = await _play_moves(club, A_WEEK)
    _check(sent, A_WEEK)
    # Thursday's went out at the move to 01:00: not at 23:00, nor on Friday at 01:00.
    assert sent[DAYS[2]] == [datetime(2026, 11, 19, 22, 0, tzinfo=NY)]


async def _play_on_a_fresh_database(moves: list[Move]) -> dict[date, list[datetime]]:
    with tempfile.TemporaryDirectory() as folder:
        clock, poster = ManualClock(MONDAY), RecordingPoster()
        runtime = await open_runtime(
            database_url=sqlite_url(Path(folder) / "club.db"),
            clock=clock,
            poster=poster,
            directory=ConsoleDirectory(),
            owner="test",
        )
        try:
            return await _play_moves(Club(runtime=runtime, poster=poster, clock=clock), moves)
        finally:
            await runtime.close()


@settings(max_examples=25, deadline=None)
@given(moves=MOVES)
@example(moves=A_WEEK)
# Two moves in the same minute, both to a time that has passed, then one later again.
@example(moves=[(8 * 60 + 30, 8 * 60), (8 * 60 + 30, 7 * 60), (8 * 60 + 31, 15 * 60)])
def test_any_moves_post_each_day_once_at_the_first_moment_it_is_due(moves: list[Move]) -> None:
    """Each example a new club on its own database (SQLite), played from Monday."""
    _check(asyncio.run(_play_on_a_fresh_database(moves)), moves)
