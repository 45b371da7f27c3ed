"""Every post that promises a hint or a key idea gets it, at the time it says, ahead of the
post, or does not promise it.

A season of daily problems in a New York club whose officers do what officers do: set
the channel up in the evening and post now, move the problem time and the hint delay
while a post waits for its hint (once across midnight), and restart the bot. Every
post's promise is read back from its text and checked against what reached the thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from bot.model import Message, render_stamps
from bot.store.models import ClaimRow
from tests.conftest import ADMIN, MONDAY, Club, restart

NY = "America/New_York"


@dataclass(frozen=True)
class Posted:
    ref: str
    at: datetime
    message: Message


async def _problem_posts(club: Club) -> list[tuple[Posted, list[Posted]]]:
    """Each daily problem post, with what was posted in its thread, in order; when each
    reached the platform is its claim's record."""
    async with club.runtime.store.sessions() as session:
        rows = await session.execute(select(ClaimRow.message_ref, ClaimRow.posted_at))
        at = {ref: posted for ref, posted in rows if ref is not None}
    posted = [
        Posted(ref=f"m{i + 1}", at=at[f"m{i + 1}"], message=m)
        for i, (place, m) in enumerate(club.poster.posts)
        if place.channel_id == "daily-problem"
    ]
    return [
        (p, [t for t in posted if t.message.thread_of == p.ref])
        for p in posted
        if p.message.title.startswith("Daily problem")
    ]


def _stamps(text: str) -> list[datetime]:
    found: list[datetime] = []

    def keep(stamp) -> str:
        found.append(datetime.fromtimestamp(stamp.unix, UTC))
        return ""

    render_stamps(text, keep)
    return found


async def _at(club: Club, iso: str) -> None:
    await club.runtime.scheduler.run_until(club.clock, datetime.fromisoformat(iso).astimezone(UTC))


async def _play_a_week(club: Club, database_url: str) -> dict[str, str]:
    """Monday 16 to Tuesday 24 November; the officers' settings replies, by day."""
    assert club.clock.now() == MONDAY  # 10:00 in New York
    await club.run(f"/admin setup timezone:{NY} alerts:#officers", as_user=ADMIN)
    said = {}
    # Monday evening: the channel is set up after the day's hint time (15:00) and the
    # officer posts now: nothing can come at 15:00 today any more.
    await _at(club, "2026-11-16T20:00-05:00")
    await club.run("/admin setup problems:#daily-problem", as_user=ADMIN)
    said["mon"] = (await club.run("/admin problem post-now", as_user=ADMIN)).text
    # Tuesday 10:00, the 09:00 post waiting for its 15:00 hint: the post moves to 08:00,
    # the hint to two hours after it. That time has passed: the hint goes out now.
    await _at(club, "2026-11-17T10:00-05:00")
    said["tue"] = (
        await club.run("/admin problem settings time:08:00 hint_delay:2h", as_user=ADMIN)
    ).text
    # Wednesday 09:00, the hint promised for 10:00 moves across midnight (Thursday 07:00).
    await _at(club, "2026-11-18T09:00-05:00")
    said["wed"] = (await club.run("/admin problem settings hint_delay:23h", as_user=ADMIN)).text
    # Friday 21:00, Friday's hint due at Saturday 07:00: back to an hour, so now.
    await _at(club, "2026-11-20T21:00-05:00")
    said["fri"] = (await club.run("/admin problem settings hint_delay:1h", as_user=ADMIN)).text
    # Saturday 12:00, the 09:00 hint out: 20 hours moves the hint run to 04:00 on Sunday,
    # where it must not give Saturday's hint a second time.
    await _at(club, "2026-11-21T12:00-05:00")
    said["sat"] = (await club.run("/admin problem settings hint_delay:20h", as_user=ADMIN)).text
    await _at(club, "2026-11-22T12:00-05:00")
    await restart(club, database_url)
    await _at(club, "2026-11-24T12:00-05:00")
    return said


async def test_a_week_of_posts_keeps_every_promise_of_a_hint_and_a_key_idea(club, database_url):
    said = await _play_a_week(club, database_url)
    posts = await _problem_posts(club)
    assert [p.message.title.split(":")[0] for p, _ in posts] == [
        f"Daily problem · {day}"
        for day in (
            "Mon 16 Nov",
            "Tue 17 Nov",
            "Wed 18 Nov",
            "Thu 19 Nov",
            "Fri 20 Nov",
            "Sat 21 Nov",
            "Sun 22 Nov",
            "Mon 23 Nov",
            "Tue 24 Nov",
        )
    ]
    [monday] = [p for p, _ in posts if "Mon 16 Nov" in p.message.title]
    assert "Hint in the thread at" not in monday.message.text, "15:00 had passed at 20:00"
    for post, thread in posts[:-1]:  # Tuesday 24's hint and key idea fall after the end
        _kept(post, thread)
    # The officers are told what their change did to a post waiting for its hint.
    assert said["mon"] == "Posted today's problem."
    assert "Tue 17 Nov's hint went out now: its new time had passed." in said["tue"]
    assert "Wed 18 Nov's hint now goes out at " in said["wed"]
    assert "Fri 20 Nov's hint went out now: its new time had passed." in said["fri"]
    assert "hint" not in said["sat"].split("tags:")[-1], "Saturday's hint is already out"


def _kept(post: Posted, thread: list[Posted]) -> None:
    """What the post promised came: one hint (alone, or with the key idea when the post
    said so) and one key idea, after the post, the key idea at its time."""
    title, footer = post.message.title, post.message.text.rsplit("\n\n", 1)[-1]
    hints = [t for t in thread if t.message.title.startswith("Hint")]
    ideas = [t for t in thread if t.message.title.startswith("Key idea")]
    assert len(ideas) == 1, f"{title}: {len(ideas)} key ideas"
    [idea] = ideas
    if "Hint in the thread at " in footer:
        promised = _stamps(footer)[0]
        assert promised > post.at, f"{title}: promised a hint before the post"
        assert len(hints) == 1, f"{title}: {len(hints)} hints"
        assert post.at < hints[0].at < idea.at, title
        assert not idea.message.text.startswith("Hint: "), title
    else:
        assert "The hint and the key idea come in the thread tomorrow at " in footer, title
        assert not hints, f"{title}: a hint it did not promise alone"
        assert idea.at == _stamps(footer)[0], title
        assert idea.message.text.startswith("Hint: "), title
        assert "\n\nKey idea: " in idea.message.text, title


async def test_promises_nobody_moved_are_kept_to_the_minute(club, database_url):
    await _play_a_week(club, database_url)
    for post, thread in await _problem_posts(club):
        day = post.message.title.split(" · ")[1].split(":")[0]
        hints = [t for t in thread if t.message.title.startswith("Hint")]
        if day in ("Thu 19 Nov", "Sun 22 Nov", "Mon 23 Nov"):
            [promised] = _stamps(post.message.text)
            assert hints[0].at == promised, day
