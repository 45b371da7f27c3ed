"""The builders that read the database, fed oversized content through a real club: dozens
of club deadlines with 200-character titles, postings from companies with 200-character
names and 140-300 character links, members with long names on the leaderboard and in
pairs, channels refusing posts for long reasons, failing sources. Every answer and every
scheduled post and DM is rendered through the real Discord and Slack adapters and held to
their limits; no run fails and nothing reaches the error sink.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.command_text import parse_command
from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.model import CommandEvent, Message, Place, User
from bot.postings.diff import Changes
from bot.postings.filters import SETTING, Filter
from bot.postings.listing import Posting
from bot.postings.store import PostingStore
from bot.runtime import Runtime, open_runtime
from bot.store.clubs import Actor, ClubChanges
from tests.adapters.limits import assert_fits
from tests.conftest import MONDAY, SETUP, RecordingPoster

OFFICER = User(id="oscar", name="oscar", is_admin=True)
COMMANDS = (
    "/deadlines",
    "/deadlines when:all",
    "/deadlines track:club",
    "/help",
    "/admin status",
    "/admin deadlines list",
    "/leaderboard",
    "/leaderboard period:all",
    "/progress",
    "/postings recent",
    "/postings recent page:2",
    "/postings search query:intern",
    "/postings search location:remote page:3",
    "/admin postings settings",
    "/admin postings preview",
    "/admin mockpair preview",
    "/admin mockpair stats",
    "/mockpair status",
)
JOBS = (
    "daily_problem",
    "deadline_alerts",
    "deadline_week",
    "officer_digest",
    "mockpair_round",
    "postings_digest",
    "postings_source_alert",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Oversized:
    deadlines: int
    title: int
    postings: int
    company: int
    link: int
    members: int
    name: int
    reason: int
    boards: int


SIZES = st.builds(
    Oversized,
    deadlines=st.integers(0, 45),
    title=st.integers(1, 150),  # /admin deadlines add takes titles of 150 at most
    postings=st.integers(0, 120),
    company=st.integers(1, 200),
    link=st.sampled_from([140, 220, 300]),
    members=st.integers(0, 24),
    name=st.integers(1, 100),
    reason=st.integers(1, 300),
    boards=st.integers(0, 10),
)


class Harness:
    """A runtime on its own loop; each example is a new club in it."""

    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.clock = ManualClock(MONDAY)
        self.poster = RecordingPoster()
        self.errors: list[BaseException] = []
        self.runtime: Runtime = self.loop.run_until_complete(
            open_runtime(
                database_url=sqlite_url(tmp / "oversized.db"),
                clock=self.clock,
                poster=self.poster,
                directory=ConsoleDirectory(),
            )
        )
        self.runtime.bot.on_error = lambda error, event: self.errors.append(error)
        self.clubs = itertools.count(1)

    def run(self, awaitable: object) -> object:
        return self.loop.run_until_complete(awaitable)  # type: ignore[arg-type]

    async def command(self, workspace: str, line: str, user: User) -> Message:
        name, args = parse_command(line, (c.name for c in self.runtime.bot.commands))
        place = Place(platform="discord", workspace_id=workspace, channel_id="general")
        return await self.runtime.bot.handle(
            CommandEvent(name=name, args=args, user=user, place=place)
        )

    def close(self) -> None:
        self.loop.run_until_complete(self.runtime.close())
        self.loop.close()


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    made = Harness(tmp_path_factory.mktemp("oversized"))
    yield made
    made.close()


def _words(length: int, seed: str) -> str:
    """`length` characters of words with markup Slack escapes, as lists and members write."""
    return (f"{seed} & <Co> " * (length // 8 + 1))[:length].strip() or seed


async def _club(h: Harness, size: Oversized) -> tuple[str, int]:
    """A club full of oversized content; its workspace and id."""
    number = next(h.clubs)
    workspace = f"ws-{number}"
    await h.command(workspace, SETUP, OFFICER)
    club = await h.runtime.store.clubs.get_or_create(
        platform="discord", workspace_id=workspace, name=workspace, now=h.clock.now()
    )
    boards = tuple(f"greenhouse:{'b' * 90}{i}" for i in range(size.boards))
    changes = ClubChanges(
        name=_words(200, "Club"),
        settings={SETTING: Filter(enabled=True, boards=boards).to_json()},
    )
    await h.runtime.store.clubs.change(
        club.id, changes, actor=Actor(id="t", name="t"), now=h.clock.now()
    )
    today = h.clock.now().date()
    for i in range(size.deadlines):
        when = today + timedelta(days=3 if i % 2 else 1 + i % 40)
        title = _words(size.title, f"Fair{i}")
        added = await h.command(
            workspace, f'/admin deadlines add title:"{title}" date:{when}', OFFICER
        )
        assert added.text.startswith("Added"), added.text
    await _postings(h, size, number)
    await _members(h, workspace, size)
    await _failing(h, club.id, boards, size)
    return workspace, club.id


async def _postings(h: Harness, size: Oversized, number: int) -> None:
    now = h.clock.now()
    new = [
        Posting(
            source="SimplifyJobs/Summer2027-Internships",
            ext_id=f"{number}-{i}",
            company=_words(size.company, f"Co{i % 9}"),
            title=_words(300, f"Intern {i}"),
            url=f"https://x.wd5.myworkdayjobs.com/{number}/job/{i}_R" + "x" * size.link,
            locations=tuple(_words(120, f"Remote {j}") for j in range(5)),
            posted_at=now - timedelta(hours=i % 60),
        )
        for i in range(size.postings)
    ]
    await h.runtime.store.repo(PostingStore).apply(Changes(new=new), now=now)


async def _members(h: Harness, workspace: str, size: Oversized) -> None:
    await h.command(workspace, "/admin problem post-now", OFFICER)
    for i in range(size.members):
        member = User(id=f"m{i}", name=_words(size.name, f"Member{i}"))
        await h.command(workspace, "/solved", member)
        company = _words(size.company, f"Co{i % 9}")
        followed = await h.command(workspace, f'/postings follow company:"{company}"', member)
        assert followed.text.startswith("I'll DM you"), followed.text
        await h.command(
            workspace,
            f'/mockpair join track:coding level:{1 + i % 5} availability:"daily 9-22"',
            member,
        )


async def _failing(h: Harness, club_id: int, boards: tuple[str, ...], size: Oversized) -> None:
    repo, since = h.runtime.store.repo(PostingStore), h.clock.now() - timedelta(hours=5)
    for name in (*boards, "SimplifyJobs/Summer2027-Internships"):
        await repo.record_fetch(source=name, url="https://x.org", now=since, error="e" * 300)
    store = h.runtime.store.clubs
    club = await store.get(club_id)
    for channel in list(club.channels.values())[:2]:
        await store.mark_channel_broken(club_id, channel.id, "r" * size.reason, h.clock.now())


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(size=SIZES)
def test_every_command_and_scheduled_post_of_an_oversized_club_fits(harness, size):
    h = harness
    posted, sent = len(h.poster.posts), len(h.poster.dms)
    workspace, club_id = h.run(_club(h, size))  # type: ignore[misc]
    for line in COMMANDS:
        answer = h.run(h.command(workspace, line, OFFICER))
        assert isinstance(answer, Message)
        assert_fits(answer)
    for kind in JOBS:
        outcome = h.run(h.runtime.scheduler.run_now(club_id, kind))
        assert outcome != "failed", kind
    for _, message in [*h.poster.posts[posted:], *h.poster.dms[sent:]]:
        assert_fits(message)
    dms = [m for _, m in h.poster.dms[sent:] if m.title.startswith("New posting from a company")]
    if size.members and size.postings:
        assert dms, "followers hear of their companies' postings"
    assert h.errors == []
