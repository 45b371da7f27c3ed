"""An officer moves the daily problem's time: each day the club posts on still gets its one
problem post, whether the time moves earlier or later, before or after the day's post.

Moved earlier to a time that has passed, before the day's post went out, the day's problem
goes out at the change (late, saying so, past the grace), and never a second time."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.model import Message, plain
from tests.conftest import ADMIN, SETUP, Club


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
